//! The node's error type.

use std::path::PathBuf;

/// Result alias for the node crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in the node outside the credential core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// `init` was run on a data directory that already holds a node.
    #[error("{} already holds a node; refusing to overwrite it", .0.display())]
    AlreadyInitialized(PathBuf),
    /// The data directory has no node yet.
    #[error("{} holds no node; run `badgemesh init` first", .0.display())]
    NotInitialized(PathBuf),
    /// The key file exists but is not a Badgemesh key.
    #[error("{}: not a Badgemesh key file ({reason})", path.display())]
    BadKeyFile {
        /// The key file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No data directory could be chosen.
    #[error("no data directory: pass --data-dir or set BADGEMESH_DATA_DIR")]
    NoDataDir,
    /// `config.toml` could not be used.
    #[error("{}: {reason}", path.display())]
    BadConfig {
        /// The configuration file.
        path: PathBuf,
        /// Why (one line).
        reason: String,
    },
    /// The store failed (I/O, corruption, a newer schema). Operations in flight were not
    /// acknowledged.
    #[error("store: {0}")]
    Store(String),
    /// The request is not acceptable (bad field, bad CSV row, bad image).
    #[error("{0}")]
    Invalid(String),
    /// Something named in the request does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with the current state (already revoked, link already used).
    #[error("{0}")]
    Conflict(String),
    /// Mail could not be built or handed to the relay.
    #[error("mail: {0}")]
    Mail(String),
    /// The peer-to-peer network could not start or answer.
    #[error("p2p: {0}")]
    P2p(String),
    /// The running node answered with an error.
    #[error("{message} ({code})")]
    Api {
        /// HTTP status.
        status: u16,
        /// The stable error code.
        code: String,
        /// The node's message.
        message: String,
    },
    /// The node could not be reached.
    #[error("{0}")]
    Unreachable(String),
    /// An error from the credential core.
    #[error(transparent)]
    Credential(#[from] vc_schemas::Error),
    /// The CPU pool's queue is full: try again shortly ([`crate::cpu`]).
    #[error("the node is busy: too much verification or signing work queued, try again shortly")]
    Busy,
    /// A bug or a failed internal job: nothing the caller did.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }

    /// A store error from anything displayable (redb has one error type per call).
    pub fn store(e: impl std::fmt::Display) -> Self {
        Self::Store(e.to_string())
    }
}
