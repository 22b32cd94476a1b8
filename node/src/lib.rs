//! The Badgemesh node: one binary (`badgemesh`), one data directory.
//!
//! # Layout
//! - [`data_dir`], [`config`], [`keys`], [`token`]: the node's files (data directory, commented
//!   `config.toml`, the 0600 signing key and API token).
//! - [`store`]: the redb store: one writer thread with group commit, readers anywhere.
//! - [`issuer`]: profile, achievements, awards (single, bulk CSV, VC-API), status changes and
//!   claim links, over the store. Credential logic itself is in `vc-schemas` (no I/O).
//! - [`mail`]: the outbox task that hands award notices to the SMTP relay.
//! - [`node`]: [`node::Node`] owns the running node's tasks; [`node::NodeHandle`] is the
//!   cloneable handle whose operations the HTTP layer calls (award and deliver, verify with the
//!   held status lists, endorse, inbox decisions).
//! - [`p2p`]: libp2p gossip and catch-up of signed status lists, into the store's held lists.
//! - [`bakery`]: badge images with the credential baked in.
//! - [`cpu`]: the bounded pool CPU-heavy work runs on (verify, sign, schema, images).
//! - [`api`]: the HTTP router (admin API, VC-API, public pages); [`server`] (connection limits
//!   and timeouts), [`tls`] and [`daemon`] serve it.
//! - [`client`]: how CLI verbs reach the running node; [`cli`]: one module per subcommand.
//! - [`error`]: the node's error type.

pub mod api;
pub mod bakery;
pub mod cli;
pub mod client;
pub mod config;
pub mod cpu;
pub mod daemon;
pub mod data_dir;
pub mod error;
pub mod exchange;
pub mod issuer;
pub mod keys;
pub mod mail;
pub mod node;
pub mod p2p;
pub mod server;
pub mod store;
pub mod tls;
pub mod token;
pub mod wallet;

pub use error::{Error, Result};
