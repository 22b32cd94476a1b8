//! HTTPS with rustls: a configured certificate, or a self-signed one for localhost made once
//! and kept in `tls/` (the W3C test suites and the CLI accept it; browsers will warn).

use std::{io, path::Path, sync::Arc};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use tokio_rustls::TlsAcceptor;

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

/// The TLS acceptor for `config` (`None` when TLS is off): the configured certificate, or the
/// self-signed one. ALPN offers HTTP/1.1 only ([`crate::server`]).
pub fn acceptor(dir: &Path, config: &Config) -> io::Result<Option<TlsAcceptor>> {
    let (cert, key) = match config.tls.mode {
        TlsMode::Off => return Ok(None),
        TlsMode::Files => (std::fs::read(&config.tls.cert)?, std::fs::read(&config.tls.key)?),
        TlsMode::SelfSigned => self_signed(dir)?,
    };
    let chain = CertificateDer::pem_slice_iter(&cert)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("certificate: {e}")))?;
    let key = PrivateKeyDer::from_pem_slice(&key).map_err(|e| invalid(format!("key: {e}")))?;
    let mut server = rustls::ServerConfig::builder_with_provider(Arc::new(crypto_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid(e.to_string()))?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(TlsAcceptor::from(Arc::new(server))))
}

/// The one crypto provider of the node's TLS (and of libp2p's QUIC, which needs this one).
pub fn crypto_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

fn invalid(reason: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, reason)
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
