//! Proofs: Data Integrity (`eddsa-rdfc-2022`, `eddsa-jcs-2022`, and verification of the legacy
//! `eddsa-2022` and `Ed25519Signature2020`) and VC-JWT (signed with EdDSA; verified with RS256,
//! ES256 or EdDSA, whose keys and algorithms are in [`jose`]).

pub mod data_integrity;
mod document;
pub mod eddsa_jcs;
pub mod eddsa_rdfc;
pub mod jose;
pub mod jwt;
pub mod ssi_suite;

pub use data_integrity::{ProofOptions, ProofOutcome};
