//! Validation against the official 1EdTech OB 3.0 JSON Schemas (Draft 2019-09), embedded.
//!
//! The schema is chosen from the credential's `type`; formats (`date-time`, `date`) are
//! asserted, as the 1EdTech validator does.

use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::Value;

use crate::{Error, Result};

/// Published URL of the AchievementCredential schema (what `credentialSchema.id` names).
pub const ACHIEVEMENT_CREDENTIAL_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
/// Published URL of the EndorsementCredential schema.
pub const ENDORSEMENT_CREDENTIAL_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json";
/// The `credentialSchema.type` 1EdTech uses.
pub const SCHEMA_VALIDATOR_TYPE: &str = "1EdTechJsonSchemaValidator2019";

/// Which official schema applies to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `OpenBadgeCredential` / `AchievementCredential`.
    AchievementCredential,
    /// `EndorsementCredential`.
    EndorsementCredential,
    /// A bare `Profile` (issuer document).
    Profile,
}

impl Kind {
    /// The kind named by a credential's `type` (string or array), if any.
    pub fn of_credential(doc: &Value) -> Option<Self> {
        let types = crate::model::types_of(doc);
        if types.iter().any(|t| t == "EndorsementCredential") {
            Some(Self::EndorsementCredential)
        } else if types.iter().any(|t| t == "OpenBadgeCredential" || t == "AchievementCredential") {
            Some(Self::AchievementCredential)
        } else {
            None
        }
    }

    /// The published schema URL for this kind (`None` for profiles, which are not credentials).
    pub fn schema_url(self) -> Option<&'static str> {
        match self {
            Self::AchievementCredential => Some(ACHIEVEMENT_CREDENTIAL_SCHEMA),
            Self::EndorsementCredential => Some(ENDORSEMENT_CREDENTIAL_SCHEMA),
            Self::Profile => None,
        }
    }

    fn validator(self) -> &'static Validator {
        static ACHIEVEMENT: LazyLock<Validator> =
            LazyLock::new(|| compile(include_str!("../schemas/achievementcredential.json")));
        static ENDORSEMENT: LazyLock<Validator> =
            LazyLock::new(|| compile(include_str!("../schemas/endorsementcredential.json")));
        static PROFILE: LazyLock<Validator> =
            LazyLock::new(|| compile(include_str!("../schemas/profile.json")));
        match self {
            Self::AchievementCredential => &ACHIEVEMENT,
            Self::EndorsementCredential => &ENDORSEMENT,
            Self::Profile => &PROFILE,
        }
    }
}

#[allow(clippy::expect_used)] // embedded official schemas; tested to compile
fn compile(text: &str) -> Validator {
    let schema: Value = serde_json::from_str(text).expect("embedded schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft201909)
        .should_validate_formats(true)
        .build(&schema)
        .expect("embedded schema compiles")
}

/// Validates `doc` against the schema of `kind`; every violation is listed.
pub fn validate(kind: Kind, doc: &Value) -> Result<()> {
    let errors: Vec<String> = kind
        .validator()
        .iter_errors(doc)
        .map(|e| {
            let path = e.instance_path.to_string();
            let path = if path.is_empty() { "/".to_owned() } else { path };
            format!("{path}: {e}")
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(Error::Schema { errors }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_compile() {
        for k in [Kind::AchievementCredential, Kind::EndorsementCredential, Kind::Profile] {
            let _ = k.validator();
        }
    }

    #[test]
    fn missing_issuer_is_reported_with_its_name() {
        let doc = serde_json::json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential", "OpenBadgeCredential"]});
        let Err(Error::Schema { errors }) = validate(Kind::AchievementCredential, &doc) else {
            panic!("expected schema errors")
        };
        assert!(errors.iter().any(|e| e.contains("issuer")), "{errors:?}");
    }
}
