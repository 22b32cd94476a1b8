//! The credential core of Badgemesh: Open Badges 3.0 credentials as W3C Verifiable Credentials
//! 2.0, with no I/O (no tokio, no file system, no network), so every rule here tests offline.
//!
//! # Layout
//! - [`model`]: typed OB 3.0 classes, serialized by the 1EdTech rules.
//! - [`canon`]: RDFC-1.0 canonicalization with cached contexts (lists kept).
//! - [`context`]: the embedded JSON-LD contexts and the loader over them (never fetches).
//! - [`schema`]: the embedded 1EdTech JSON Schemas.
//! - [`key`]: Ed25519 keys and did:key encoding; [`did`]: controller documents and resolvers.
//! - [`proof`]: Data Integrity (`eddsa-rdfc-2022`) and VC-JWT.
//! - [`status_list`]: the Bitstring Status List codec and list credentials.
//! - [`identity`]: salted, hashed recipient identities.
//! - [`presentation`]: verifiable presentations with challenge and domain.
//! - [`issue`]: preparing and signing an issuer's credential.
//! - [`verify`]: the verification pipeline and its report.

pub mod bake;
pub mod canon;
pub mod context;
pub mod did;
mod error;
pub mod identity;
pub mod issue;
pub mod key;
pub mod model;
pub mod presentation;
pub mod proof;
pub mod schema;
pub mod signer;
pub mod status_list;
pub mod svg;
pub mod vcdm;
pub mod verify;

pub use error::{Error, Result};
