//! `badgemesh run` and `badgemesh token`.

use std::{net::SocketAddr, path::Path, process::ExitCode};

use clap::Args;

use super::Failure;
use crate::{
    config::TlsMode,
    daemon::{self, Overrides},
    token,
};

/// Arguments of `run`; each overrides `config.toml`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Listen address (default from config: 127.0.0.1:7676).
    #[arg(long, env = "BADGEMESH_HTTP", value_name = "ADDR:PORT")]
    pub http: Option<SocketAddr>,
    /// Public base URL written into credentials and status lists.
    #[arg(long, env = "BADGEMESH_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Serve HTTPS with a self-signed certificate for localhost (kept in DIR/tls).
    #[arg(long)]
    pub tls_self_signed: bool,
    /// TLS mode (off, self-signed, files).
    #[arg(long, env = "BADGEMESH_TLS", value_enum, conflicts_with = "tls_self_signed")]
    pub tls: Option<TlsMode>,
    /// SMTP relay for award notices, HOST:PORT.
    #[arg(long, env = "BADGEMESH_SMTP_RELAY", value_name = "HOST:PORT")]
    pub smtp_relay: Option<String>,
    /// A p2p listen multiaddr (repeatable; replaces the config's list).
    #[arg(long = "p2p", value_name = "MULTIADDR")]
    pub p2p: Vec<String>,
    /// A peer to dial at start, with or without `/p2p/<peer id>` (repeatable; replaces the config's).
    #[arg(long, value_name = "MULTIADDR")]
    pub bootstrap: Vec<String>,
    /// mDNS discovery on the local network.
    #[arg(long, env = "BADGEMESH_MDNS", value_name = "BOOL")]
    pub mdns: Option<bool>,
    /// Run without the p2p network.
    #[arg(long)]
    pub no_p2p: bool,
    /// Allow a listen address beyond loopback; the admin API is served there too.
    #[arg(long)]
    pub listen_beyond_loopback: bool,
}

/// Runs the node until Ctrl-C or SIGTERM.
pub async fn run(dir: &Path, args: &RunArgs) -> Result<ExitCode, Failure> {
    let overrides = Overrides {
        http: args.http,
        public_url: args.public_url.clone(),
        tls: if args.tls_self_signed { Some(TlsMode::SelfSigned) } else { args.tls },
        smtp_relay: args.smtp_relay.clone(),
        p2p_listen: args.p2p.clone(),
        bootstrap: args.bootstrap.clone(),
        mdns: args.mdns,
        no_p2p: args.no_p2p,
        listen_beyond_loopback: args.listen_beyond_loopback,
    };
    daemon::run(dir, &overrides).await?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the API token.
pub fn show_token(dir: &Path) -> Result<ExitCode, Failure> {
    println!("{}", token::load(dir)?);
    Ok(ExitCode::SUCCESS)
}
