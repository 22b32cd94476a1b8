//! The Badgemesh node: one binary (`badgemesh`), one data directory.
//!
//! # Layout
//! - [`data_dir`]: where the node keeps its files (flag, `BADGEMESH_DATA_DIR`, platform default).
//! - [`keys`]: the node's Ed25519 key, a 0600 file that never leaves the node.
//! - [`cli`]: one module per subcommand; each turns arguments into calls on the crates above.
//! - [`error`]: the node's error type.
//!
//! The credential logic itself lives in `vc-schemas` and has no I/O.

pub mod cli;
pub mod data_dir;
pub mod error;
pub mod keys;

pub use error::{Error, Result};
