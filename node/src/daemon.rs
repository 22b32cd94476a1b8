//! `badgemesh run`: start the [`Node`], serve HTTP until Ctrl-C or SIGTERM, then stop the node.
//!
//! While it runs, the node writes `node.url` in the data directory: the base URL its CLI verbs
//! use to reach it (the one source of truth is the running node, through its API).

use std::{net::SocketAddr, path::Path, sync::Arc};

use tokio::net::TcpListener;

use crate::{
    Error, Result,
    api::{self, AppState, Limits},
    config::{self, Config, TlsMode},
    node::Node,
    server, token,
};

/// File in the data directory that holds the running node's local URL.
pub const URL_FILE: &str = "node.url";

/// Overrides from flags and `BADGEMESH_*` variables.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--http`.
    pub http: Option<SocketAddr>,
    /// `--public-url`.
    pub public_url: Option<String>,
    /// `--tls-self-signed` / `--tls`.
    pub tls: Option<TlsMode>,
    /// `--smtp-relay`.
    pub smtp_relay: Option<String>,
    /// `--p2p` (replaces the configured listen addresses when given).
    pub p2p_listen: Vec<String>,
    /// `--bootstrap` (replaces the configured bootstrap peers when given).
    pub bootstrap: Vec<String>,
    /// `--mdns`.
    pub mdns: Option<bool>,
    /// `--no-p2p`.
    pub no_p2p: bool,
    /// `--listen-beyond-loopback`.
    pub listen_beyond_loopback: bool,
}

/// The configuration with overrides applied.
pub fn effective_config(dir: &Path, o: &Overrides) -> Result<Config> {
    let mut c = config::load(dir)?;
    if let Some(a) = o.http {
        c.http.listen = a;
    }
    if let Some(u) = &o.public_url {
        c.http.public_url.clone_from(u);
    }
    if let Some(t) = o.tls {
        c.tls.mode = t;
    }
    if let Some(r) = &o.smtp_relay {
        c.smtp.relay.clone_from(r);
    }
    if !o.p2p_listen.is_empty() {
        c.p2p.listen.clone_from(&o.p2p_listen);
    }
    if !o.bootstrap.is_empty() {
        c.p2p.bootstrap.clone_from(&o.bootstrap);
    }
    if let Some(m) = o.mdns {
        c.p2p.mdns = m;
    }
    if o.no_p2p {
        c.p2p.enabled = false;
    }
    if o.listen_beyond_loopback {
        c.http.listen_beyond_loopback = true;
    }
    Ok(c)
}

/// Runs the node in `dir` until a shutdown signal: serves HTTP, then stops the node's tasks and
/// lets the store commit what is queued.
pub async fn run(dir: &Path, overrides: &Overrides) -> Result<()> {
    crate::data_dir::make_private(dir)?;
    let config = effective_config(dir, overrides)?;
    config.check_listen().map_err(Error::Invalid)?;
    let token = token::load(dir)?;
    let tls = crate::tls::acceptor(dir, &config).map_err(Error::io("tls"))?;
    let listener = TcpListener::bind(config.http.listen).await.map_err(|e| Error::Io {
        path: format!("http listen {}", config.http.listen).into(),
        source: e,
    })?;
    let bound = listener.local_addr().map_err(Error::io("http listener"))?;
    let base = config.public_base(bound).map_err(Error::Invalid)?;
    if !bound.ip().is_loopback() {
        tracing::warn!(%bound, "listening beyond loopback: the admin API is reachable from the network (listen_beyond_loopback = true)");
        eprintln!(
            "badgemesh: warning: listening on {bound}: the admin API is reachable beyond this machine"
        );
    }
    let node = Node::start(dir, &config, base.clone())?;
    let state = AppState {
        node: node.handle(),
        token: token.into(),
        metrics: Arc::default(),
        limits: Limits::from(&config.http),
        sessions: api::session::Sessions::new(config.tls.mode != crate::config::TlsMode::Off),
        nonces: Default::default(),
    };
    let local = local_url(&config, bound);
    write_url_file(dir, &local)?;
    tracing::info!(%bound, public = %base, "badgemesh node running");
    eprintln!("badgemesh: listening on {local} (public URL {base})");
    let app = api::router(state);
    let limits = server::Limits {
        max_connections: server::connection_cap(config.http.max_connections),
        header_timeout: std::time::Duration::from_secs(config.http.header_timeout_secs.max(1)),
        ..server::Limits::default()
    };
    let served = server::serve(listener, app, tls, limits, shutdown_signal()).await;
    let _ = std::fs::remove_file(dir.join(URL_FILE));
    node.shutdown().await;
    served.map_err(Error::io("http server"))?;
    tracing::info!("badgemesh node stopped");
    Ok(())
}

/// The URL local clients use: loopback when listening on every interface.
fn local_url(config: &Config, bound: SocketAddr) -> String {
    let scheme = if config.tls.mode == TlsMode::Off { "http" } else { "https" };
    let host = if bound.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), bound.port())
    } else {
        bound
    };
    format!("{scheme}://{host}")
}

fn write_url_file(dir: &Path, url: &str) -> Result<()> {
    let tmp = dir.join(format!("{URL_FILE}.tmp"));
    std::fs::write(&tmp, url).map_err(Error::io(&tmp))?;
    std::fs::rename(&tmp, dir.join(URL_FILE)).map_err(Error::io(dir.join(URL_FILE)))
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested");
}
