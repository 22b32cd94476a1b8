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
    /// An error from the credential core.
    #[error(transparent)]
    Credential(#[from] vc_schemas::Error),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
