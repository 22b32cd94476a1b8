//! `badgemesh credentials` (list and search) and `revoke`, `suspend`, `unsuspend`.

use std::{path::Path, process::ExitCode};

use clap::Args;
use serde_json::json;

use super::{Failure, print_json};
use crate::client::Client;

/// Arguments of `credentials`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this achievement.
    #[arg(long)]
    pub achievement: Option<String>,
    /// Only this recipient (DID or e-mail).
    #[arg(long)]
    pub recipient: Option<String>,
    /// Only this state (active, suspended, revoked).
    #[arg(long)]
    pub status: Option<String>,
    /// Issued at or after (RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
    /// Issued before (RFC 3339).
    #[arg(long)]
    pub until: Option<String>,
    /// Words that begin words of the recipient or the achievement name (`weld ada`).
    #[arg(long = "search")]
    pub q: Option<String>,
    /// Page size.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Continue after this cursor (printed at the end of a page).
    #[arg(long)]
    pub cursor: Option<u64>,
    /// Print the full JSON page.
    #[arg(long)]
    pub json: bool,
}

/// Lists one page.
pub async fn list(dir: &Path, args: &ListArgs) -> Result<ExitCode, Failure> {
    let client = Client::for_node(dir)?;
    let mut query = vec![("limit", args.limit.to_string())];
    for (k, v) in [
        ("achievement", &args.achievement),
        ("recipient", &args.recipient),
        ("status", &args.status),
        ("since", &args.since),
        ("until", &args.until),
        ("q", &args.q),
    ] {
        if let Some(v) = v {
            query.push((k, v.clone()));
        }
    }
    if let Some(c) = args.cursor {
        query.push(("cursor", c.to_string()));
    }
    let page = client.get("/api/v1/credentials", &query).await?;
    if args.json {
        print_json(&page)?;
        return Ok(ExitCode::SUCCESS);
    }
    for c in page["items"].as_array().into_iter().flatten() {
        println!(
            "urn:uuid:{}  {:9}  {}  {}  {}",
            c["uuid"].as_str().unwrap_or(""),
            c["state"].as_str().unwrap_or(""),
            c["issuedAt"].as_str().unwrap_or(""),
            c["recipient"]["value"].as_str().unwrap_or("-"),
            c["credential"]["credentialSubject"]["achievement"]["name"].as_str().unwrap_or(""),
        );
    }
    if let Some(next) = page["next"].as_u64() {
        eprintln!("badgemesh: more with --cursor {next}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `revoke`, `suspend` and `unsuspend`.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Credential id (`urn:uuid:…` or the bare uuid).
    pub id: String,
    /// Why (kept with the credential record).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Revokes, suspends or unsuspends (`verb` is the API's word).
pub async fn change(dir: &Path, verb: &str, args: &ChangeArgs) -> Result<ExitCode, Failure> {
    let client = Client::for_node(dir)?;
    let path = format!("/api/v1/credentials/{}/{verb}", args.id);
    let record = client.post(&path, &json!({"reason": args.reason})).await?;
    println!("{} {}", args.id, record["state"].as_str().unwrap_or(""));
    Ok(ExitCode::SUCCESS)
}
