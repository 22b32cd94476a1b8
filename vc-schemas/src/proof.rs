//! Proofs: Data Integrity (`eddsa-rdfc-2022`, legacy `eddsa-2022` and `Ed25519Signature2020`
//! verification) and VC-JWT (EdDSA).

pub mod data_integrity;
mod document;
pub mod jwt;

pub use data_integrity::{ProofOptions, ProofOutcome};
