//! The one error type of `vc-schemas`.
//!
//! "Could not check" problems (unknown context, unresolvable key, malformed input) are errors;
//! "checked and found invalid" is a value in [`crate::verify::Report`], never an error.

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the credential core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not JSON, or not the JSON shape expected (for example a credential that is not
    /// an object).
    #[error("malformed input: {reason}")]
    Malformed {
        /// What is wrong, for people.
        reason: String,
    },
    /// The document names a JSON-LD context that is not embedded in this build. Contexts are never
    /// fetched.
    #[error("unknown JSON-LD context {url}")]
    UnknownContext {
        /// The context URL.
        url: String,
    },
    /// The credential does not validate against the official 1EdTech JSON Schema.
    #[error("schema validation failed: {}", .errors.join("; "))]
    Schema {
        /// One line per violation: `instance path: message`.
        errors: Vec<String>,
    },
    /// A DID or verification method could not be resolved.
    #[error("cannot resolve {id}: {reason}")]
    Resolution {
        /// The DID, DID URL or controller URL.
        id: String,
        /// Why.
        reason: String,
    },
    /// A key is malformed (wrong length, wrong multicodec, not Ed25519).
    #[error("invalid key: {reason}")]
    Key {
        /// Why.
        reason: String,
    },
    /// Signing failed inside the proof library.
    #[error("signing failed: {reason}")]
    Signing {
        /// Why.
        reason: String,
    },
    /// A Bitstring Status List could not be encoded or decoded.
    #[error("status list: {reason}")]
    StatusList {
        /// Why.
        reason: String,
    },
    /// The document would cost more work to process than the budget allows (a graph crafted to
    /// make canonicalization exponential, or simply too large). Never checked, never signed.
    #[error("too complex to process: {reason}")]
    TooComplex {
        /// Which budget and by how much.
        reason: String,
    },
}

impl Error {
    /// Shorthand for [`Error::Malformed`].
    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        Self::Malformed { reason: reason.into() }
    }

    /// Shorthand for [`Error::Key`].
    pub(crate) fn key(reason: impl Into<String>) -> Self {
        Self::Key { reason: reason.into() }
    }

    /// Shorthand for [`Error::TooComplex`].
    pub(crate) fn too_complex(reason: impl Into<String>) -> Self {
        Self::TooComplex { reason: reason.into() }
    }

    /// Shorthand for [`Error::StatusList`].
    pub(crate) fn status_list(reason: impl Into<String>) -> Self {
        Self::StatusList { reason: reason.into() }
    }

    /// Stable machine-readable code for this error, used by the CLI and HTTP API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformed",
            Self::UnknownContext { .. } => "unknown_context",
            Self::Schema { .. } => "schema_invalid",
            Self::Resolution { .. } => "unresolvable",
            Self::Key { .. } => "invalid_key",
            Self::Signing { .. } => "signing_failed",
            Self::StatusList { .. } => "status_list",
            Self::TooComplex { .. } => "too_complex",
        }
    }
}
