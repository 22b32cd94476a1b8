//! Achievements as operators write them, turned into OB 3.0 `Achievement` objects.

use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use vc_schemas::issue;

use super::{
    Issuer,
    award::uuid_of,
    fields::{Link, require_link, require_visible},
    images::image_type,
};
use crate::{
    Error, Result,
    store::achievements::{self, AchievementRecord},
};

/// What an operator sends to create or update an achievement (an update replaces every field).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AchievementInput {
    /// Name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// How it is earned.
    pub criteria: Criteria,
    /// Keywords.
    #[serde(default)]
    pub tags: Vec<String>,
    /// OB `Alignment` objects (`targetName`, `targetUrl`, …).
    #[serde(default)]
    pub alignments: Vec<Value>,
    /// OB achievement type (`Badge`, `Certificate`, `ext:…`, …).
    #[serde(default)]
    pub achievement_type: Option<String>,
    /// OB `ResultDescription` objects.
    #[serde(default)]
    pub result_descriptions: Vec<Value>,
    /// Default validity of awards, in days.
    #[serde(default)]
    pub validity_days: Option<u32>,
}

/// OB `Criteria`: a narrative, a URL, or both.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    /// Markdown narrative.
    #[serde(default)]
    pub narrative: Option<String>,
    /// URL of the criteria page.
    #[serde(default)]
    pub id: Option<String>,
}

impl AchievementInput {
    /// The OB `Achievement` for `uuid`; `image_url` when the achievement has an image. Checked
    /// against the official schema, so a bad alignment is refused here, not at award time.
    pub fn to_ob(&self, uuid: &str, image_url: Option<&str>) -> Result<Value> {
        require_visible("achievement name", &self.name)?;
        require_visible("achievement description", &self.description)?;
        for alignment in &self.alignments {
            if let Some(url) = alignment.get("targetUrl") {
                require_link("alignment targetUrl", url.as_str().unwrap_or_default(), Link::Page)?;
            }
        }
        let criteria = match (&self.criteria.narrative, &self.criteria.id) {
            (None, None) => {
                return Err(Error::Invalid(
                    "criteria needs a narrative, an id (URL) or both".into(),
                ));
            }
            (n, id) => {
                if let Some(id) = id {
                    require_link("criteria id", id, Link::Page)?;
                }
                let mut c = Map::new();
                if let Some(id) = id {
                    c.insert("id".into(), json!(id));
                }
                if let Some(n) = n {
                    c.insert("narrative".into(), json!(n));
                }
                Value::Object(c)
            }
        };
        let mut a = Map::new();
        a.insert("id".into(), json!(format!("urn:uuid:{uuid}")));
        a.insert("type".into(), json!(["Achievement"]));
        a.insert("name".into(), json!(self.name));
        a.insert("description".into(), json!(self.description));
        a.insert("criteria".into(), criteria);
        if let Some(t) = &self.achievement_type {
            a.insert("achievementType".into(), json!(t));
        }
        if !self.tags.is_empty() {
            a.insert("tag".into(), json!(self.tags));
        }
        if !self.alignments.is_empty() {
            a.insert("alignment".into(), with_type(&self.alignments, "Alignment"));
        }
        if !self.result_descriptions.is_empty() {
            a.insert(
                "resultDescription".into(),
                with_type(&self.result_descriptions, "ResultDescription"),
            );
        }
        if let Some(url) = image_url {
            a.insert("image".into(), json!({"id": url, "type": "Image"}));
        }
        let achievement = Value::Object(a);
        check(&achievement)?;
        Ok(achievement)
    }
}

/// Adds the OB class name as `type` to objects that do not say it.
pub(crate) fn with_type(items: &[Value], class: &str) -> Value {
    Value::Array(
        items
            .iter()
            .map(|item| {
                let mut item = item.clone();
                if let Value::Object(m) = &mut item {
                    m.entry("type").or_insert_with(|| json!([class]));
                }
                item
            })
            .collect(),
    )
}

/// Validates `achievement` by preparing a credential around it against the 1EdTech schema.
fn check(achievement: &Value) -> Result<()> {
    let sample = json!({
        "@context": [vc_schemas::context::CREDENTIALS_V2, vc_schemas::context::OB_V3P0],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "check",
        "credentialSubject": {"id": "did:example:check", "type": ["AchievementSubject"], "achievement": achievement},
    });
    issue::prepare(&sample, "did:example:issuer", "urn:uuid:check", Utc::now())
        .map(drop)
        .map_err(|e| Error::Invalid(format!("achievement does not fit Open Badges 3.0: {e}")))
}

impl Issuer {
    /// Every achievement (archived ones too).
    pub fn achievements(&self) -> Result<Vec<AchievementRecord>> {
        achievements::list(&self.inner.store.read()?)
    }

    /// One achievement.
    pub fn achievement(&self, id: &str) -> Result<AchievementRecord> {
        achievements::get(&self.inner.store.read()?, uuid_of(id))?
            .ok_or_else(|| Error::NotFound(format!("achievement {id}")))
    }

    /// Creates an achievement.
    pub async fn create_achievement(&self, input: AchievementInput) -> Result<AchievementRecord> {
        let uuid = uuid::Uuid::new_v4().to_string();
        let now = Utc::now();
        let record = AchievementRecord {
            achievement: input.to_ob(&uuid, None)?,
            uuid,
            version: 1,
            archived: false,
            image_type: None,
            validity_days: input.validity_days,
            created: now,
            updated: now,
        };
        let stored = record.clone();
        self.inner.store.write(move |b| achievements::put(b, &stored)).await?;
        Ok(record)
    }

    /// Replaces an achievement's fields as a new version; credentials keep the version they
    /// were awarded with.
    pub async fn update_achievement(
        &self,
        id: &str,
        input: AchievementInput,
    ) -> Result<AchievementRecord> {
        let uuid = uuid_of(id).to_owned();
        let image_url = self.image_url(&uuid);
        self.inner
            .store
            .write(move |b| {
                let mut record = editable(b, &uuid)?;
                let image = record.image_type.is_some().then_some(image_url.as_str());
                record.achievement = input.to_ob(&uuid, image)?;
                record.validity_days = input.validity_days;
                record.version += 1;
                record.updated = Utc::now();
                achievements::put(b, &record)?;
                Ok(record)
            })
            .await
    }

    /// Archives an achievement: kept, no longer awarded.
    pub async fn archive_achievement(&self, id: &str) -> Result<AchievementRecord> {
        let uuid = uuid_of(id).to_owned();
        self.inner
            .store
            .write(move |b| {
                let mut record = achievements::get_for_write(b, &uuid)?
                    .ok_or_else(|| Error::NotFound(format!("achievement {uuid}")))?;
                if !record.archived {
                    record.archived = true;
                    record.updated = Utc::now();
                    achievements::put(b, &record)?;
                }
                Ok(record)
            })
            .await
    }

    fn image_url(&self, uuid: &str) -> String {
        format!("{}/achievements/{uuid}/image", self.inner.base)
    }

    /// Sets an achievement's image (PNG or SVG, checked by content), as a new version.
    pub async fn set_image(&self, id: &str, bytes: Vec<u8>) -> Result<AchievementRecord> {
        let (content_type, bytes) =
            self.inner.cpu.run(move || image_type(&bytes).map(|t| (t, bytes))).await??;
        let uuid = uuid_of(id).to_owned();
        let url = self.image_url(&uuid);
        self.inner
            .store
            .write(move |b| {
                let mut record = editable(b, &uuid)?;
                record.achievement["image"] = serde_json::json!({"id": url, "type": "Image"});
                record.image_type = Some(content_type.to_owned());
                record.version += 1;
                record.updated = Utc::now();
                achievements::put(b, &record)?;
                achievements::put_image(b, &uuid, &bytes)?;
                Ok(record)
            })
            .await
    }

    /// An achievement's image and content type.
    pub fn image(&self, id: &str) -> Result<(String, Vec<u8>)> {
        let record = self.achievement(id)?;
        let bytes = achievements::image(&self.inner.store.read()?, &record.uuid)?;
        match (record.image_type, bytes) {
            (Some(t), Some(b)) => Ok((t, b)),
            _ => Err(Error::NotFound(format!("image of achievement {id}"))),
        }
    }
}

/// An achievement about to get a new version: it must exist and not be archived.
fn editable(b: &crate::store::Batch<'_>, uuid: &str) -> Result<AchievementRecord> {
    let record = achievements::get_for_write(b, uuid)?
        .ok_or_else(|| Error::NotFound(format!("achievement {uuid}")))?;
    if record.archived {
        return Err(Error::Conflict(format!("achievement {uuid} is archived")));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AchievementInput {
        serde_json::from_value(json!({
            "name": "Rust I", "description": "Writes safe Rust", "criteria": {"narrative": "Pass the exam"},
            "tags": ["rust"], "achievementType": "Course",
            "alignments": [{"targetName": "Systems programming", "targetUrl": "https://example.edu/sp"}],
            "resultDescriptions": [{"id": "urn:uuid:r1", "name": "Grade", "resultType": "LetterGrade"}]
        }))
        .unwrap()
    }

    #[test]
    fn input_becomes_a_schema_valid_achievement() {
        let a =
            input().to_ob("1234", Some("https://node.example/achievements/1234/image")).unwrap();
        assert_eq!(a["id"], "urn:uuid:1234");
        assert_eq!(a["alignment"][0]["type"], json!(["Alignment"]));
        assert_eq!(a["image"]["type"], "Image");
    }

    #[test]
    fn bad_achievements_are_refused_with_the_reason() {
        let mut i = input();
        i.criteria = Criteria { narrative: None, id: None };
        assert!(i.to_ob("1", None).unwrap_err().to_string().contains("criteria"));
        let mut i = input();
        i.alignments = vec![json!({"targetUrl": "https://x.example"})];
        assert!(i.to_ob("1", None).unwrap_err().to_string().contains("Open Badges"));
        let mut i = input();
        i.achievement_type = Some("NotAType".into());
        assert!(i.to_ob("1", None).is_err());
        let mut i = input();
        i.criteria.id = Some("javascript:alert(1)".into());
        assert!(i.to_ob("1", None).unwrap_err().to_string().contains("criteria id"));
        let mut i = input();
        i.alignments = vec![
            json!({"targetName": "x", "targetUrl": "javascript:alert(1)", "targetType": "CFItem"}),
        ];
        assert!(i.to_ob("1", None).unwrap_err().to_string().contains("targetUrl"));
        let mut i = input();
        i.name = "\u{200B}".into();
        assert!(i.to_ob("1", None).unwrap_err().to_string().contains("name"));
        let unknown = serde_json::from_value::<AchievementInput>(
            json!({"name": "n", "description": "d", "criteria": {}, "colour": "red"}),
        );
        assert!(unknown.unwrap_err().to_string().contains("colour"));
    }
}
