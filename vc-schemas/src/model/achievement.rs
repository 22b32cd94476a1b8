//! Achievement (the badge class) and the classes it holds.

use serde::{Deserialize, Serialize};

use super::{Extra, OneOrMany, ProfileRef, is_empty};

/// OB 3.0 `Achievement`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Achievement {
    /// URI of the achievement.
    pub id: String,
    /// Must contain `Achievement`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// What the earner did to earn it.
    pub criteria: Criteria,
    /// Description.
    pub description: String,
    /// Name.
    pub name: String,
    /// Badge, Certificate, Course, … or `ext:…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement_type: Option<String>,
    /// Alignments to frameworks.
    #[serde(skip_serializing_if = "is_empty")]
    pub alignment: Option<OneOrMany<Alignment>>,
    /// Who created the achievement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator: Option<ProfileRef>,
    /// Image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// Result descriptions (grades, rubrics).
    #[serde(skip_serializing_if = "is_empty")]
    pub result_description: Option<OneOrMany<ResultDescription>>,
    /// Related achievements.
    #[serde(skip_serializing_if = "is_empty")]
    pub related: Option<OneOrMany<Related>>,
    /// Tags.
    #[serde(skip_serializing_if = "is_empty")]
    pub tag: Option<OneOrMany<String>>,
    /// Embedded endorsements (kept as JSON so their proofs stay byte-exact).
    #[serde(skip_serializing_if = "is_empty")]
    pub endorsement: Option<OneOrMany<serde_json::Value>>,
    /// Endorsements as compact JWS.
    #[serde(skip_serializing_if = "is_empty")]
    pub endorsement_jwt: Option<OneOrMany<String>>,
    /// creditsAvailable, fieldOfStudy, humanCode, inLanguage, version, …
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `Criteria`: a narrative (Markdown) and/or a URL.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Criteria {
    /// URL of a page describing the criteria.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Markdown narrative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Anything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An image given by URI or as an `Image` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ImageRef {
    /// Just the URI (compacted form; emitted as given).
    Uri(String),
    /// The `Image` object.
    Image(Image),
}

/// OB 3.0 `Image`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Image {
    /// URI or `data:` URI of the image.
    pub id: String,
    /// `Image`.
    #[serde(rename = "type")]
    pub types: String,
    /// Caption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Anything else (kept so a round trip loses nothing; the schema judges it).
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `Alignment`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alignment {
    /// Must contain `Alignment`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// Name of the target.
    pub target_name: String,
    /// URL of the target.
    pub target_url: String,
    /// targetCode, targetDescription, targetFramework, targetType.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `ResultDescription`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultDescription {
    /// URI, referenced by `Result.resultDescription`.
    pub id: String,
    /// Must contain `ResultDescription`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// Name.
    pub name: String,
    /// GradePointAverage, LetterGrade, Percent, … or `ext:…`.
    pub result_type: String,
    /// Rubric levels.
    #[serde(skip_serializing_if = "is_empty")]
    pub rubric_criterion_level: Option<OneOrMany<RubricCriterionLevel>>,
    /// Alignments.
    #[serde(skip_serializing_if = "is_empty")]
    pub alignment: Option<OneOrMany<Alignment>>,
    /// allowedValue, requiredLevel, requiredValue, valueMax, valueMin.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `RubricCriterionLevel`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RubricCriterionLevel {
    /// URI.
    pub id: String,
    /// Must contain `RubricCriterionLevel`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// Name.
    pub name: String,
    /// description, level, points, alignment.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OB 3.0 `Related`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Related {
    /// URI of the related achievement.
    pub id: String,
    /// Must contain `Related`.
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    /// inLanguage, version.
    #[serde(flatten)]
    pub extra: Extra,
}
