//! `badgemesh achievement create|list|show|update|archive`.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::{Failure, parse_json, print_json, read_input};
use crate::client::Client;

/// Achievement verbs.
#[derive(Debug, Subcommand)]
pub enum AchievementCommand {
    /// Create an achievement (badge class); prints it with its id.
    Create(Fields),
    /// List achievements.
    List {
        /// Include archived ones.
        #[arg(long)]
        archived: bool,
    },
    /// Show one achievement.
    Show {
        /// Achievement id.
        id: String,
    },
    /// Replace an achievement's fields (a new version; issued credentials keep theirs).
    Update {
        /// Achievement id.
        id: String,
        /// The new fields.
        #[command(flatten)]
        fields: Fields,
    },
    /// Archive an achievement: kept, no longer awarded.
    Archive {
        /// Achievement id.
        id: String,
    },
}

/// The fields of an achievement, as flags or as a JSON file.
#[derive(Debug, Args)]
pub struct Fields {
    /// All fields as JSON (the API's body); flags given too override it.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Name.
    #[arg(long)]
    pub name: Option<String>,
    /// Description.
    #[arg(long)]
    pub description: Option<String>,
    /// Criteria narrative.
    #[arg(long)]
    pub criteria: Option<String>,
    /// Criteria page URL.
    #[arg(long)]
    pub criteria_url: Option<String>,
    /// A tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// OB achievement type (Badge, Certificate, Course, …).
    #[arg(long = "type")]
    pub achievement_type: Option<String>,
    /// Default validity of awards, in days.
    #[arg(long)]
    pub validity_days: Option<u32>,
    /// An alignment as JSON, e.g. '{"targetName":"…","targetUrl":"…"}' (repeatable).
    #[arg(long = "alignment", value_name = "JSON")]
    pub alignments: Vec<String>,
    /// A PNG or SVG image to upload.
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,
}

impl Fields {
    fn body(&self) -> Result<Value, Failure> {
        let mut body = match &self.file {
            Some(path) => parse_json(&read_input(path)?, path)?,
            None => Value::Object(Map::new()),
        };
        let set = |body: &mut Value, k: &str, v: Value| body[k] = v;
        if let Some(n) = &self.name {
            set(&mut body, "name", json!(n));
        }
        if let Some(d) = &self.description {
            set(&mut body, "description", json!(d));
        }
        if self.criteria.is_some() || self.criteria_url.is_some() {
            let mut c = Map::new();
            if let Some(n) = &self.criteria {
                c.insert("narrative".into(), json!(n));
            }
            if let Some(u) = &self.criteria_url {
                c.insert("id".into(), json!(u));
            }
            set(&mut body, "criteria", Value::Object(c));
        }
        if !self.tags.is_empty() {
            set(&mut body, "tags", json!(self.tags));
        }
        if let Some(t) = &self.achievement_type {
            set(&mut body, "achievementType", json!(t));
        }
        if let Some(d) = self.validity_days {
            set(&mut body, "validityDays", json!(d));
        }
        if !self.alignments.is_empty() {
            let parsed = self
                .alignments
                .iter()
                .map(|a| serde_json::from_str::<Value>(a))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Failure::input(format!("--alignment is not JSON: {e}")))?;
            set(&mut body, "alignments", Value::Array(parsed));
        }
        Ok(body)
    }
}

/// Runs an achievement verb through the running node.
pub async fn run(dir: &Path, command: &AchievementCommand) -> Result<ExitCode, Failure> {
    let client = Client::for_node(dir)?;
    let out = match command {
        AchievementCommand::Create(fields) => {
            let created = client.post("/api/v1/achievements", &fields.body()?).await?;
            upload_image(&client, &created, fields).await?.unwrap_or(created)
        }
        AchievementCommand::List { archived } => {
            let list =
                client.get("/api/v1/achievements", &[("archived", archived.to_string())]).await?;
            for a in list["items"].as_array().into_iter().flatten() {
                let flag = if a["archived"] == true { "  (archived)" } else { "" };
                println!(
                    "{}  v{}  {}{flag}",
                    a["uuid"].as_str().unwrap_or(""),
                    a["version"],
                    a["achievement"]["name"].as_str().unwrap_or("")
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        AchievementCommand::Show { id } => {
            client.get(&format!("/api/v1/achievements/{id}"), &[]).await?
        }
        AchievementCommand::Update { id, fields } => {
            let mut body = fields.body()?;
            if fields.file.is_none() {
                // Flags change only what they name: start from the current fields.
                let current = client.get(&format!("/api/v1/achievements/{id}"), &[]).await?;
                body = merge(input_of(&current), body);
            }
            let updated = client.put(&format!("/api/v1/achievements/{id}"), &body).await?;
            upload_image(&client, &updated, fields).await?.unwrap_or(updated)
        }
        AchievementCommand::Archive { id } => {
            client.post(&format!("/api/v1/achievements/{id}/archive"), &json!({})).await?
        }
    };
    print_json(&out)?;
    Ok(ExitCode::SUCCESS)
}

async fn upload_image(
    client: &Client,
    record: &Value,
    fields: &Fields,
) -> Result<Option<Value>, Failure> {
    let Some(path) = &fields.image else { return Ok(None) };
    let bytes =
        std::fs::read(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    let content_type = if bytes.starts_with(b"\x89PNG") { "image/png" } else { "image/svg+xml" };
    let uuid = record["uuid"].as_str().unwrap_or_default();
    let path = format!("/api/v1/achievements/{uuid}/image");
    Ok(Some(client.send_bytes(reqwest::Method::PUT, &path, &[], content_type, bytes).await?))
}

/// The API input that reproduces a stored achievement.
fn input_of(record: &Value) -> Value {
    let a = &record["achievement"];
    let mut input = json!({
        "name": a["name"], "description": a["description"], "criteria": a["criteria"],
    });
    for (from, to) in [
        ("tag", "tags"),
        ("alignment", "alignments"),
        ("achievementType", "achievementType"),
        ("resultDescription", "resultDescriptions"),
    ] {
        if let Some(v) = a.get(from) {
            input[to] = v.clone();
        }
    }
    if let Some(d) = record.get("validityDays") {
        input["validityDays"] = d.clone();
    }
    input
}

fn merge(mut base: Value, changes: Value) -> Value {
    if let (Some(b), Value::Object(c)) = (base.as_object_mut(), changes) {
        b.extend(c);
    }
    base
}
