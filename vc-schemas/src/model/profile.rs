//! Profile (issuers, creators, endorsers, sources) and its parts.

use serde::{Deserialize, Serialize};

use super::{Extra, ImageRef, OneOrMany, is_empty};

/// A Profile given by reference (its URI) or embedded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProfileRef {
    /// Just the `id`.
    Id(String),
    /// The whole profile.
    Profile(Box<Profile>),
}

impl ProfileRef {
    /// The profile's `id`.
    pub fn id(&self) -> &str {
        match self {
            Self::Id(id) => id,
            Self::Profile(p) => &p.id,
        }
    }
}

/// OB 3.0 `Profile`: a person or organization.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// URI of the profile (for Badgemesh issuers: their DID).
    pub id: String,
    /// Must contain `Profile`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Home page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Logo or portrait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// Contact e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Postal address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Other identifiers (e.g. national registry numbers).
    #[serde(skip_serializing_if = "is_empty")]
    pub other_identifier: Option<OneOrMany<IdentifierEntry>>,
    /// Parent organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_org: Option<Box<ProfileRef>>,
    /// Endorsements of this profile (signed EndorsementCredentials, kept as JSON so proofs stay
    /// byte-exact).
    #[serde(skip_serializing_if = "is_empty")]
    pub endorsement: Option<OneOrMany<serde_json::Value>>,
    /// Endorsements as compact JWS.
    #[serde(skip_serializing_if = "is_empty")]
    pub endorsement_jwt: Option<OneOrMany<String>>,
    /// Person name parts and the other optional Profile properties.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `Address`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Must contain `Address`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// Coordinates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geo: Option<GeoCoordinates>,
    /// Country, locality, street and the rest.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `GeoCoordinates`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GeoCoordinates {
    /// `GeoCoordinates`.
    #[serde(rename = "type")]
    pub types: String,
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Anything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `IdentifierEntry`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentifierEntry {
    /// `IdentifierEntry`.
    #[serde(rename = "type")]
    pub types: String,
    /// The identifier.
    pub identifier: String,
    /// Its kind (`sourcedId`, `ext:…`).
    pub identifier_type: String,
    /// Anything else.
    #[serde(flatten)]
    pub extra: Extra,
}
