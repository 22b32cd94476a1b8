//! The node's configuration: `config.toml` in the data directory, written with commented
//! defaults by `init`, overridden by `badgemesh run` flags and their `BADGEMESH_*` variables.
//!
//! Unknown keys are an error, not a silent no-op: a typo in a security setting must not pass.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use crate::{Error, Result};

/// File name of the configuration inside the data directory.
pub const CONFIG_FILE: &str = "config.toml";

/// What `init` writes: every setting, commented, with the default that runs a local node.
pub const DEFAULT_TOML: &str = r#"# Badgemesh node configuration.
# Flags of `badgemesh run` (and their BADGEMESH_* environment variables) override this file.

[http]
# Where the HTTP server listens (admin API, VC-API, public pages). Loopback by default: the
# admin API must not face a network unless you put a TLS-terminating proxy in front of it.
# Flag: --http ADDR:PORT, variable: BADGEMESH_HTTP.
listen = "127.0.0.1:7676"
# The public base URL written into credential, status list and claim-link URLs. Verifiers
# fetch status lists from here, so set it to the address the world reaches the node at.
# Empty: derived from the listen address. Flag: --public-url, variable: BADGEMESH_PUBLIC_URL.
public_url = ""
# Largest JSON request body, in bytes.
max_body_bytes = 1048576
# Largest achievement image (PNG or SVG), in bytes.
max_image_bytes = 262144
# Largest bulk-award CSV, in bytes.
max_csv_bytes = 16777216
# The admin API is served on the same address as the public pages, so listening on anything
# but loopback (0.0.0.0, a LAN address) is refused unless this is true. Set it only behind a
# firewall or a proxy that keeps /api/ private. Flag: --listen-beyond-loopback.
listen_beyond_loopback = false
# Most HTTP connections open at once (kept under the process's open-file limit).
max_connections = 512
# Seconds a client has to send a request's headers; an idle keep-alive connection is closed
# after the same time.
header_timeout_secs = 10

[tls]
# "off", "self-signed" (a certificate for localhost made at start, kept in tls/), or "files".
# Flag: --tls-self-signed, variable: BADGEMESH_TLS=self-signed.
mode = "off"
# With mode = "files": PEM certificate chain and private key.
cert = ""
key = ""

[smtp]
# SMTP relay for award notices and claim links, as HOST:PORT. Empty: no mail is sent, the
# claim link is returned by the API and printed by the CLI instead.
# Flag: --smtp-relay, variable: BADGEMESH_SMTP_RELAY.
relay = ""
# Sender address of award notices.
from = "Badgemesh <badges@localhost>"

[status]
# Re-sign (and so re-publish) each of this issuer's status lists at least this often, in
# seconds, even when nothing changed: verifiers with a freshness limit then see a recent list.
# Revocations never wait for this; they are published when committed (docs/SCALING.md).
refresh_secs = 86400

[verify]
# Status lists older than this (seconds since the issuer signed them) count as missing: the
# status check says "unknown" instead of passing. 0: no limit. Twice the issuers' refresh_secs
# is a good value.
max_list_age_secs = 0

[p2p]
# Peer-to-peer gossip of signed status lists (libp2p), so verifiers need no contact with issuers.
enabled = true
# Multiaddrs to listen on (TCP and QUIC). Flag: --p2p MULTIADDR (repeatable).
listen = ["/ip4/0.0.0.0/tcp/7677", "/ip4/0.0.0.0/udp/7677/quic-v1"]
# Peers to dial at start, with or without /p2p/<peer id>. Flag: --bootstrap MULTIADDR (repeatable).
bootstrap = []
# Find peers on the local network with mDNS. Variable: BADGEMESH_MDNS=false.
mdns = true
# Gossipsub heartbeat, in milliseconds.
heartbeat_ms = 500
# How often peers compare the lists they hold (catch-up), in milliseconds.
sync_ms = 10000
"#;

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// HTTP server settings.
    #[serde(default)]
    pub http: Http,
    /// TLS settings.
    #[serde(default)]
    pub tls: Tls,
    /// Mail settings.
    #[serde(default)]
    pub smtp: Smtp,
    /// Status list settings.
    #[serde(default)]
    pub status: StatusSettings,
    /// Verification settings.
    #[serde(default)]
    pub verify: VerifySettings,
    /// Peer-to-peer settings.
    #[serde(default)]
    pub p2p: P2p,
}

/// `[status]`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusSettings {
    /// Longest time between two signatures of one list (s).
    pub refresh_secs: u64,
}

impl Default for StatusSettings {
    fn default() -> Self {
        Self { refresh_secs: 86_400 }
    }
}

/// `[verify]`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerifySettings {
    /// Oldest usable status list (s); 0 = no limit.
    pub max_list_age_secs: u64,
}

/// `[p2p]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct P2p {
    /// Run the network at all.
    pub enabled: bool,
    /// Listen multiaddrs.
    pub listen: Vec<String>,
    /// Bootstrap multiaddrs.
    pub bootstrap: Vec<String>,
    /// mDNS discovery.
    pub mdns: bool,
    /// Gossipsub heartbeat (ms).
    pub heartbeat_ms: u64,
    /// Catch-up period (ms).
    pub sync_ms: u64,
}

impl Default for P2p {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: vec!["/ip4/0.0.0.0/tcp/7677".into(), "/ip4/0.0.0.0/udp/7677/quic-v1".into()],
            bootstrap: Vec::new(),
            mdns: true,
            heartbeat_ms: 500,
            sync_ms: 10_000,
        }
    }
}

/// `[http]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Http {
    /// Listen address.
    pub listen: SocketAddr,
    /// Public base URL; empty = derived from the bound address.
    pub public_url: String,
    /// JSON body limit.
    pub max_body_bytes: usize,
    /// Image upload limit.
    pub max_image_bytes: usize,
    /// CSV upload limit.
    pub max_csv_bytes: usize,
    /// Allow a listen address other than loopback (the admin API comes with it).
    pub listen_beyond_loopback: bool,
    /// Connection cap.
    pub max_connections: usize,
    /// Header-read and idle timeout (s).
    pub header_timeout_secs: u64,
}

impl Default for Http {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 7676)),
            public_url: String::new(),
            max_body_bytes: 1 << 20,
            max_image_bytes: 256 << 10,
            max_csv_bytes: 16 << 20,
            listen_beyond_loopback: false,
            max_connections: 512,
            header_timeout_secs: 10,
        }
    }
}

/// `[tls]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tls {
    /// How the server gets its certificate.
    pub mode: TlsMode,
    /// Certificate chain (PEM) for `files`.
    pub cert: String,
    /// Private key (PEM) for `files`.
    pub key: String,
}

/// Where the TLS certificate comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// Plain HTTP.
    #[default]
    Off,
    /// A self-signed certificate for localhost and 127.0.0.1.
    SelfSigned,
    /// Certificate and key files.
    Files,
}

/// `[smtp]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Smtp {
    /// `HOST:PORT`, or empty.
    pub relay: String,
    /// `From:` of notices.
    pub from: String,
}

impl Default for Smtp {
    fn default() -> Self {
        Self { relay: String::new(), from: "Badgemesh <badges@localhost>".into() }
    }
}

/// Path of the configuration file in `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(CONFIG_FILE)
}

/// Reads `config.toml` from `dir`; a missing file means the defaults.
pub fn load(dir: &Path) -> Result<Config> {
    let path = path(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::Io { path, source: e }),
    };
    parse(&text).map_err(|reason| Error::BadConfig { path, reason })
}

/// Parses configuration text; the error is one line.
pub fn parse(text: &str) -> std::result::Result<Config, String> {
    toml::from_str(text).map_err(|e| e.message().to_owned() + &span_hint(text, e.span()))
}

fn span_hint(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map(|s| format!(" (line {})", text[..s.start].matches('\n').count() + 1))
        .unwrap_or_default()
}

impl Config {
    /// The public base URL without a trailing slash: the configured one, or one derived from the
    /// address the server actually bound. Every credential, status list and claim link carries
    /// it, so one nobody can reach is refused rather than signed into them.
    pub fn public_base(&self, bound: SocketAddr) -> std::result::Result<String, String> {
        let configured = self.http.public_url.trim().trim_end_matches('/');
        if configured.is_empty() {
            if bound.ip().is_unspecified() {
                return Err(format!(
                    "listening on {bound} with no public URL: credentials and status lists would \
                     name {bound}, which no verifier can reach; set --public-url (or [http] \
                     public_url) to the address the world reaches this node at"
                ));
            }
            let scheme = if self.tls.mode == TlsMode::Off { "http" } else { "https" };
            return Ok(format!("{scheme}://{bound}"));
        }
        check_public_url(configured)?;
        Ok(configured.to_owned())
    }

    /// Refuses a listen address beyond loopback unless `listen_beyond_loopback` says so.
    pub fn check_listen(&self) -> std::result::Result<(), String> {
        let ip = self.http.listen.ip();
        if ip.is_loopback() || self.http.listen_beyond_loopback {
            return Ok(());
        }
        Err(format!(
            "refusing to listen on {}: the admin API would face the network; listen on \
             127.0.0.1, or set [http] listen_beyond_loopback = true (--listen-beyond-loopback) \
             behind a firewall or proxy that keeps /api/ private",
            self.http.listen
        ))
    }
}

/// An absolute `http:` or `https:` URL with a host that names somewhere reachable.
fn check_public_url(text: &str) -> std::result::Result<(), String> {
    let bad = |why: &str| Err(format!("public URL {text:?} {why} (--public-url)"));
    let Ok(url) = url::Url::parse(text) else { return bad("is not an absolute URL") };
    if !matches!(url.scheme(), "http" | "https") {
        return bad("must start with https:// or http://");
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return bad("must not carry a query, a fragment or credentials");
    }
    match url.host() {
        None => bad("has no host"),
        Some(url::Host::Ipv4(ip)) if ip.is_unspecified() || ip.is_broadcast() => {
            bad("names an address nobody can reach")
        }
        Some(url::Host::Ipv6(ip)) if ip.is_unspecified() => {
            bad("names an address nobody can reach")
        }
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_defaults_parse_to_the_built_in_defaults() {
        let config = parse(DEFAULT_TOML).unwrap();
        assert_eq!(config.http.listen, Http::default().listen);
        assert_eq!(config.http.max_body_bytes, Http::default().max_body_bytes);
        assert_eq!(config.tls.mode, TlsMode::Off);
        assert!(config.smtp.relay.is_empty());
        assert_eq!(parse("").unwrap().http.listen, config.http.listen);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused_with_a_line() {
        let err = parse("[http]\nlisten = \"127.0.0.1:1\"\nlisen = 3\n").unwrap_err();
        assert!(err.contains("lisen") && err.contains("line 3"), "{err}");
        let err = parse("[http]\nmax_body_bytes = \"big\"\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(parse("[tls]\nmode = \"maybe\"\n").is_err());
    }

    #[test]
    fn public_base_is_derived_from_the_bound_address_unless_set() {
        let mut config = parse("").unwrap();
        let bound: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        assert_eq!(config.public_base(bound).unwrap(), "http://127.0.0.1:9000");
        config.tls.mode = TlsMode::SelfSigned;
        assert_eq!(config.public_base(bound).unwrap(), "https://127.0.0.1:9000");
        config.http.public_url = "https://badges.example.edu/".into();
        assert_eq!(config.public_base(bound).unwrap(), "https://badges.example.edu");
    }

    #[test]
    fn an_unroutable_public_url_is_refused_naming_the_flag() {
        let config = parse("").unwrap();
        let err = config.public_base("0.0.0.0:7676".parse().unwrap()).unwrap_err();
        assert!(err.contains("--public-url"), "{err}");
        assert!(config.public_base("[::]:7676".parse().unwrap()).is_err());
        for bad in [
            "http://0.0.0.0:7676",
            "http://[::]:1",
            "javascript:alert(1)",
            "ftp://x.example",
            "badges.example.edu",
            "https://x.example/?q=1",
            "https://user:pw@x.example",
        ] {
            let mut c = parse("").unwrap();
            c.http.public_url = bad.into();
            let err = c.public_base("0.0.0.0:1".parse().unwrap()).unwrap_err();
            assert!(err.contains("--public-url"), "{bad}: {err}");
        }
        let mut c = parse("").unwrap();
        c.http.public_url = "https://badges.example.edu/node".into();
        assert_eq!(
            c.public_base("0.0.0.0:1".parse().unwrap()).unwrap(),
            "https://badges.example.edu/node"
        );
    }

    #[test]
    fn listening_beyond_loopback_needs_the_setting() {
        let mut c = parse("").unwrap();
        assert!(c.check_listen().is_ok());
        c.http.listen = "0.0.0.0:7676".parse().unwrap();
        assert!(c.check_listen().unwrap_err().contains("listen_beyond_loopback"));
        c.http.listen_beyond_loopback = true;
        assert!(c.check_listen().is_ok());
        c.http.listen = "[::1]:7676".parse().unwrap();
        c.http.listen_beyond_loopback = false;
        assert!(c.check_listen().is_ok());
    }
}
