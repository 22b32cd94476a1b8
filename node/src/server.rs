//! The HTTP/1.1 server under the router: our own accept loop over hyper, so that every
//! connection is bounded in number and in time.
//!
//! - **A connection cap.** The loop accepts only while it holds a permit; at the cap new clients
//!   wait in the kernel's backlog instead of exhausting the process's file descriptors (the cap
//!   is also kept under the descriptor limit, [`connection_cap`]).
//! - **Timeouts.** A TLS handshake, the head of each request (which also bounds how long an idle
//!   keep-alive connection is kept: hyper starts the same timer while it waits for the next
//!   head) and each request body ([`crate::api`] adds a body timeout) have deadlines, so
//!   slowloris and idle sockets are closed.
//! - **Graceful shutdown.** On the signal the listener closes, every connection finishes the
//!   request it is serving and closes, and after [`Limits::shutdown_grace`] whatever is left is
//!   dropped: the node exits within seconds even with half-sent requests open.
//!
//! HTTP/2 is not offered (ALPN says `http/1.1`): the W3C suites, the CLI, browsers and wallets
//! all speak HTTP/1.1 to a node, and one protocol is one set of limits to get right.

use std::{future::Future, io, sync::Arc, time::Duration};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpListener,
    sync::Semaphore,
};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// Connection limits and deadlines.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Longest wait for a request's head, and for the next one on an idle connection.
    pub header_timeout: Duration,
    /// Longest TLS handshake.
    pub handshake_timeout: Duration,
    /// Longest wait for in-flight requests after the shutdown signal.
    pub shutdown_grace: Duration,
    /// Largest request head (start line and headers) hyper reads before answering 431 itself.
    /// The router answers JSON 414 and 431 well below it ([`crate::api`]).
    pub max_head_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            handshake_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(5),
            max_head_bytes: 64 << 10,
        }
    }
}

/// The cap actually used: the configured one, kept to three quarters of the process's open-file
/// limit less a reserve for the store, the p2p sockets and the mail relay.
pub fn connection_cap(configured: usize) -> usize {
    const RESERVE: u64 = 64;
    let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    match soft {
        Some(limit) => {
            let usable = limit.saturating_sub(RESERVE) * 3 / 4;
            configured.min(usize::try_from(usable).unwrap_or(usize::MAX)).max(1)
        }
        None => configured.max(1),
    }
}

/// Serves `app` on `listener` (over TLS when `tls` is given) until `shutdown` resolves, then
/// drains as described in the module documentation.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_head_bytes.max(8192));
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.map_err(io::Error::other)?,
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    accept_error(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let (app, builder, tls) = (app.clone(), builder.clone(), tls.clone());
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _permit = permit;
            match tls {
                None => connection(stream, app, &builder, watcher).await,
                Some(acceptor) => {
                    match tokio::time::timeout(limits.handshake_timeout, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(stream)) => connection(stream, app, &builder, watcher).await,
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                }
            }
        });
    }
    drop(listener);
    tracing::info!("no longer accepting connections; finishing requests in flight");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every connection closed"),
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(grace = ?limits.shutdown_grace, "connections still open after the grace period: closing them");
        }
    }
    Ok(())
}

/// Serves one connection, closing it gracefully when the server shuts down.
async fn connection<S>(
    stream: S,
    app: Router,
    builder: &hyper::server::conn::http1::Builder,
    watcher: hyper_util::server::graceful::Watcher,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = TowerToHyperService::new(
        app.map_request(|r: hyper::Request<Incoming>| r.map(axum::body::Body::new)),
    );
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    if let Err(e) = watcher.watch(conn).await {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// A failed `accept` (out of descriptors, a connection reset before it was taken): log it and
/// pause briefly so that a persistent error does not spin the loop.
async fn accept_error(e: &io::Error) {
    tracing::warn!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_millis(50)).await;
}
