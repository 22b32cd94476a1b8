//! The wallet's one error type.

/// What can go wrong in a wallet operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input cannot be used (not a credential, a bad image, a bad form); nothing changed.
    #[error("{0}")]
    Invalid(String),
    /// No such item.
    #[error("not found: {0}")]
    NotFound(String),
    /// The item is not in a state that allows this (answered already).
    #[error("{0}")]
    Conflict(String),
    /// The node is too busy to take the work now; try again.
    #[error("busy: {0}")]
    Busy(String),
    /// The backend (the node's store, keys or network) failed.
    #[error("backend: {0}")]
    Backend(String),
}

/// The wallet's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<vc_schemas::Error> for Error {
    fn from(e: vc_schemas::Error) -> Self {
        Self::Invalid(e.to_string())
    }
}
