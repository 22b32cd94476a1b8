//! The two credential classes of OB 3.0 and the VCDM parts they share.

use serde::{Deserialize, Serialize};

use super::{
    AchievementSubject, EndorsementSubject, Evidence, Extra, ImageRef, OneOrMany, ProfileRef,
    is_empty,
};

/// `AchievementCredential` (alias `OpenBadgeCredential`): the badge award.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementCredential {
    /// Contexts: VCDM 2.0 first, then the OB context.
    #[serde(rename = "@context")]
    pub context: OneOrMany<serde_json::Value>,
    /// Credential URI (Badgemesh uses `urn:uuid:`).
    pub id: String,
    /// `VerifiableCredential` and `OpenBadgeCredential` or `AchievementCredential`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// The issuer's Profile (or its URI).
    pub issuer: ProfileRef,
    /// When the credential becomes valid (and its version, per OB "equality and comparison").
    pub valid_from: String,
    /// When it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// When the achievement was awarded (3.0.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awarded_date: Option<String>,
    /// Name of the credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// The earner and the achievement.
    pub credential_subject: AchievementSubject,
    /// Evidence.
    #[serde(skip_serializing_if = "is_empty")]
    pub evidence: Option<OneOrMany<Evidence>>,
    /// Endorsements (kept as JSON so their proofs stay byte-exact).
    #[serde(skip_serializing_if = "is_empty")]
    pub endorsement: Option<OneOrMany<serde_json::Value>>,
    /// Endorsements as compact JWS.
    #[serde(skip_serializing_if = "is_empty")]
    pub endorsement_jwt: Option<OneOrMany<String>>,
    /// Schemas the credential claims to follow.
    #[serde(skip_serializing_if = "is_empty")]
    pub credential_schema: Option<OneOrMany<CredentialSchema>>,
    /// Status list entry (revocation/suspension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_status: Option<CredentialStatus>,
    /// Refresh service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_service: Option<RefreshService>,
    /// Terms of use.
    #[serde(skip_serializing_if = "is_empty")]
    pub terms_of_use: Option<OneOrMany<serde_json::Value>>,
    /// Proofs, kept as JSON.
    #[serde(skip_serializing_if = "is_empty")]
    pub proof: Option<OneOrMany<serde_json::Value>>,
    /// Anything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `EndorsementCredential`: a third party vouches for a profile, achievement or credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementCredential {
    /// Contexts.
    #[serde(rename = "@context")]
    pub context: OneOrMany<serde_json::Value>,
    /// Credential URI.
    pub id: String,
    /// `VerifiableCredential`, `EndorsementCredential`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// Name (required for endorsements).
    pub name: String,
    /// The endorser.
    pub issuer: ProfileRef,
    /// Valid from.
    pub valid_from: String,
    /// Valid until.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The endorsed entity.
    pub credential_subject: EndorsementSubject,
    /// Schemas.
    #[serde(skip_serializing_if = "is_empty")]
    pub credential_schema: Option<OneOrMany<CredentialSchema>>,
    /// Status list entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_status: Option<CredentialStatus>,
    /// Proofs, kept as JSON.
    #[serde(skip_serializing_if = "is_empty")]
    pub proof: Option<OneOrMany<serde_json::Value>>,
    /// Anything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `credentialSchema` entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CredentialSchema {
    /// URL of the schema.
    pub id: String,
    /// `1EdTechJsonSchemaValidator2019` or `JsonSchema`.
    #[serde(rename = "type")]
    pub schema_type: String,
    /// Anything else (kept so a round trip loses nothing; the schema judges it).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `credentialStatus`: for Badgemesh a `BitstringStatusListEntry`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialStatus {
    /// Optional id of the entry (must differ from the list URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `BitstringStatusListEntry`, `1EdTechRevocationList`, …
    #[serde(rename = "type")]
    pub status_type: String,
    /// statusPurpose, statusListIndex, statusListCredential, …
    #[serde(flatten)]
    pub extra: Extra,
}

/// `refreshService`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RefreshService {
    /// Endpoint.
    pub id: String,
    /// `1EdTechCredentialRefresh`.
    #[serde(rename = "type")]
    pub service_type: String,
    /// Anything else.
    #[serde(flatten)]
    pub extra: Extra,
}
