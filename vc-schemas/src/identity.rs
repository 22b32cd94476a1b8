//! Recipient identities: salted, hashed `IdentityObject`s (OB 3.0 `IdentityHash`), so a badge
//! awarded to an e-mail address does not publish the address.

use sha2::{Digest, Sha256};

use crate::model::IdentityObject;

/// `sha256$` + hex(SHA-256(identity + salt)).
pub fn identity_hash(identity: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{identity}{salt}").as_bytes());
    format!("sha256${}", hex::encode(digest))
}

/// A hashed IdentityObject for `identity` of `identity_type` (`emailAddress`, `url`, …). E-mail
/// addresses are lower-cased first, as issuers and verifiers must agree on one form.
pub fn hashed(identity_type: &str, identity: &str, salt: &str) -> IdentityObject {
    IdentityObject {
        types: "IdentityObject".into(),
        hashed: true,
        identity_hash: identity_hash(&normalize(identity_type, identity), salt),
        identity_type: identity_type.to_owned(),
        salt: Some(salt.to_owned()),
        extra: Default::default(),
    }
}

/// Whether `candidate` (an e-mail, URL, …) is the identity `object` names.
pub fn matches(object: &IdentityObject, identity_type: &str, candidate: &str) -> bool {
    if object.identity_type != identity_type {
        return false;
    }
    let candidate = normalize(identity_type, candidate);
    if !object.hashed {
        return object.identity_hash == candidate;
    }
    let salt = object.salt.as_deref().unwrap_or_default();
    // Issuers differ on case; accept the exact form too.
    object.identity_hash.eq_ignore_ascii_case(&identity_hash(&candidate, salt))
}

fn normalize(identity_type: &str, identity: &str) -> String {
    let trimmed = identity.trim();
    if identity_type == "emailAddress" { trimmed.to_lowercase() } else { trimmed.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_email_matches_case_insensitively() {
        let obj = hashed("emailAddress", "Alice@Example.org", "pepper");
        assert!(obj.identity_hash.starts_with("sha256$"));
        assert!(matches(&obj, "emailAddress", "alice@example.org"));
        assert!(!matches(&obj, "emailAddress", "bob@example.org"));
        assert!(!matches(&obj, "url", "alice@example.org"));
    }

    #[test]
    fn known_hash() {
        // sha256("a@b.cs1") computed independently with coreutils' sha256sum.
        assert_eq!(
            identity_hash("a@b.c", "s1"),
            "sha256$f48ab752a79cbb63484baa84df35a6863c01c7a564bff42ac29633c2c1099a42"
        );
    }
}
