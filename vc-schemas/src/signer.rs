//! Who signs: the [`Signer`] trait every proof and presentation is made through.
//!
//! The credential core never needs a secret key, only something that signs bytes as a
//! verification method. The node's key file implements it ([`crate::key::Ed25519Key`]); the
//! wallet signs presentations with the holder's key through it; a hardware module or a cloud
//! KMS can implement it without the core changing.

use crate::Result;

/// The signature algorithms the core's cryptosuites use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519: Data Integrity `eddsa-rdfc-2022` and JOSE `EdDSA`.
    Ed25519,
}

impl Algorithm {
    /// The JOSE `alg` name.
    pub fn jose(self) -> &'static str {
        match self {
            Self::Ed25519 => "EdDSA",
        }
    }
}

/// Signs as one verification method.
pub trait Signer: Send + Sync {
    /// The verification method (a DID URL) whose public key verifies the signatures.
    fn verification_method(&self) -> &str;

    /// The algorithm of the key.
    fn algorithm(&self) -> Algorithm;

    /// Signs `message`; a remote signer may fail, which is an error, never a bad signature.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;
}

impl Signer for crate::key::Ed25519Key {
    fn verification_method(&self) -> &str {
        crate::key::Ed25519Key::verification_method(self)
    }

    fn algorithm(&self) -> Algorithm {
        Algorithm::Ed25519
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        Ok(crate::key::Ed25519Key::sign(self, message).to_vec())
    }
}

impl<S: Signer + ?Sized> Signer for std::sync::Arc<S> {
    fn verification_method(&self) -> &str {
        (**self).verification_method()
    }

    fn algorithm(&self) -> Algorithm {
        (**self).algorithm()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        (**self).sign(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Ed25519Key;

    #[test]
    fn the_node_key_signs_through_the_trait_as_it_does_directly() {
        let key = Ed25519Key::did_key_from_seed(&[7; 32]);
        let signer: &dyn Signer = &key;
        assert_eq!(signer.verification_method(), key.verification_method());
        assert_eq!(signer.sign(b"m").unwrap(), key.sign(b"m").to_vec());
        assert_eq!(signer.algorithm().jose(), "EdDSA");
    }
}
