//! Credential subjects and what they carry: results, recipient identity, evidence.

use serde::{Deserialize, Serialize};

use super::{Achievement, Alignment, Extra, ImageRef, OneOrMany, ProfileRef, is_empty};

/// OB 3.0 `AchievementSubject`: who earned what.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementSubject {
    /// The earner's DID or URI. Either this or an `identifier` must be present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Must contain `AchievementSubject`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// The achievement earned.
    pub achievement: Achievement,
    /// Hashed or plain identities of the earner (e-mail, student id, …).
    #[serde(skip_serializing_if = "is_empty")]
    pub identifier: Option<OneOrMany<IdentityObject>>,
    /// Results (grades, rubric levels).
    #[serde(skip_serializing_if = "is_empty")]
    pub result: Option<OneOrMany<ResultEntry>>,
    /// Narrative of what the earner did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Baked image of the assertion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// The organization that assessed the earner, when not the issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<ProfileRef>,
    /// activityStartDate, activityEndDate, creditsEarned, licenseNumber, role, term.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `IdentityObject`: a (usually hashed) identity of the recipient.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    /// `IdentityObject`.
    #[serde(rename = "type")]
    pub types: String,
    /// Whether `identity_hash` is a hash.
    pub hashed: bool,
    /// `sha256$<hex>` when hashed, else the plain identity.
    pub identity_hash: String,
    /// emailAddress, url, sourcedId, … or `ext:…`.
    pub identity_type: String,
    /// Salt appended to the identity before hashing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Anything else (kept so a round trip loses nothing; the schema judges it).
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `Result` (named `ResultEntry` to keep `Result` for errors).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultEntry {
    /// Must contain `Result`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// The `id` of the ResultDescription this result is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_description: Option<String>,
    /// The value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The achieved RubricCriterionLevel `id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achieved_level: Option<String>,
    /// Completed, Enrolled, Failed, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Alignments.
    #[serde(skip_serializing_if = "is_empty")]
    pub alignment: Option<OneOrMany<Alignment>>,
    /// Anything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `Evidence`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// URL or `data:` URI of the evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Must contain `Evidence`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// Narrative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// genre, audience.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `EndorsementSubject`: the entity endorsed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementSubject {
    /// The endorsed Profile, Achievement or credential `id`.
    pub id: String,
    /// Must contain `EndorsementSubject`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// Markdown comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endorsement_comment: Option<String>,
    /// Anything else.
    #[serde(flatten)]
    pub extra: Extra,
}
