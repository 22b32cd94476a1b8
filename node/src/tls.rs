//! HTTPS with rustls: a configured certificate, or a self-signed one for localhost made once
//! and kept in `tls/` (the W3C test suites and the CLI accept it; browsers will warn).

use std::{future::Future, io, path::Path, time::Duration};

use axum::Router;
use axum_server::tls_rustls::RustlsConfig;
use tokio::net::TcpListener;

use crate::{
    config::{Config, TlsMode},
    keys,
};

/// Folder of the self-signed certificate.
pub const TLS_DIR: &str = "tls";

/// Path of the certificate clients of this node should trust, for `mode`.
pub fn certificate_path(dir: &Path, config: &Config) -> Option<std::path::PathBuf> {
    match config.tls.mode {
        TlsMode::Off => None,
        TlsMode::SelfSigned => Some(dir.join(TLS_DIR).join("cert.pem")),
        TlsMode::Files => Some(config.tls.cert.clone().into()),
    }
}

/// Serves `app` over TLS on `listener` until `shutdown` resolves.
pub async fn serve(
    dir: &Path,
    config: &Config,
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let (cert, key) = match config.tls.mode {
        TlsMode::Files => (std::fs::read(&config.tls.cert)?, std::fs::read(&config.tls.key)?),
        _ => self_signed(dir)?,
    };
    let tls = RustlsConfig::from_pem(cert, key).await?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let listener = listener.into_std()?;
    axum_server::from_tcp_rustls(listener, tls).handle(handle).serve(app.into_make_service()).await
}

/// The self-signed certificate and key (PEM), made on first use.
fn self_signed(dir: &Path) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let folder = dir.join(TLS_DIR);
    let (cert, key) = (folder.join("cert.pem"), folder.join("key.pem"));
    if !cert.exists() {
        std::fs::create_dir_all(&folder)?;
        let made = rcgen::generate_simple_self_signed(vec![
            "localhost".into(),
            "127.0.0.1".into(),
            "::1".into(),
        ])
        .map_err(io::Error::other)?;
        keys::write_private(&folder, "key.pem", made.signing_key.serialize_pem().as_bytes())
            .map_err(io::Error::other)?;
        std::fs::write(&cert, made.cert.pem())?;
    }
    Ok((std::fs::read(cert)?, std::fs::read(key)?))
}
