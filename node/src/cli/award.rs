//! `badgemesh award`: one award, or a CSV of them sent in chunks with a progress bar.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::Args;
use serde_json::{Value, json};

use super::{Failure, print_json};
use crate::client::Client;

/// Rows per bulk request: big enough to fill group commits, small enough for a live progress bar
/// and for a crash to cost little.
const CHUNK: usize = 250;

/// Arguments of `award`.
#[derive(Debug, Args)]
pub struct AwardArgs {
    /// Achievement id (for a CSV: the default for rows without an achievement column).
    #[arg(required_unless_present = "csv")]
    pub achievement: Option<String>,
    /// Recipient: a DID or an e-mail address.
    #[arg(required_unless_present = "csv", conflicts_with = "csv")]
    pub recipient: Option<String>,
    /// Why this recipient earned it.
    #[arg(long)]
    pub narrative: Option<String>,
    /// Evidence URL.
    #[arg(long)]
    pub evidence_url: Option<String>,
    /// Expiry (RFC 3339).
    #[arg(long)]
    pub valid_until: Option<String>,
    /// Give the credential a suspension entry (can be suspended and lifted) instead of a
    /// revocation entry.
    #[arg(long)]
    pub suspendable: bool,
    /// Award every row of this CSV (columns: recipient, achievement, narrative, evidence_url,
    /// evidence_narrative, valid_until, status_purpose).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// Awards through the running node.
pub async fn run(dir: &Path, args: &AwardArgs) -> Result<ExitCode, Failure> {
    let client = Client::for_node(dir)?;
    if let Some(csv) = &args.csv {
        return bulk(&client, csv, args.achievement.as_deref()).await;
    }
    let mut body = json!({
        "achievement": args.achievement,
        "recipient": args.recipient,
    });
    if let Some(n) = &args.narrative {
        body["narrative"] = json!(n);
    }
    if let Some(u) = &args.evidence_url {
        body["evidence"] = json!([{"id": u}]);
    }
    if let Some(v) = &args.valid_until {
        body["validUntil"] = json!(v);
    }
    if args.suspendable {
        body["statusPurpose"] = json!("suspension");
    }
    let awarded = client.post("/api/v1/awards", &body).await?;
    print_json(&awarded)?;
    Ok(ExitCode::SUCCESS)
}

/// The file's records with their first line numbers, re-serialized in chunks.
struct Chunks {
    header: csv::StringRecord,
    records: Vec<(u64, csv::StringRecord)>,
}

fn read_csv(path: &Path) -> Result<Chunks, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    let header =
        reader.headers().map_err(|e| Failure::input(format!("{}: {e}", path.display())))?.clone();
    let mut records = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        records.push((r.position().map_or(0, csv::Position::line), r));
    }
    Ok(Chunks { header, records })
}

fn chunk_text(
    header: &csv::StringRecord,
    rows: &[(u64, csv::StringRecord)],
) -> Result<Vec<u8>, Failure> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    w.write_record(header).map_err(|e| Failure::input(e.to_string()))?;
    for (_, r) in rows {
        w.write_record(r).map_err(|e| Failure::input(e.to_string()))?;
    }
    w.into_inner().map_err(|e| Failure::input(e.to_string()))
}

async fn bulk(
    client: &Client,
    path: &Path,
    achievement: Option<&str>,
) -> Result<ExitCode, Failure> {
    let Chunks { header, records } = read_csv(path)?;
    let bar = indicatif::ProgressBar::new(records.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} awards  {per_sec}  eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let query: Vec<(&str, String)> =
        achievement.map(|a| ("achievement", a.to_owned())).into_iter().collect();
    let (mut awarded, mut already, mut refused) = (0usize, 0usize, Vec::new());
    for rows in records.chunks(CHUNK) {
        let body = chunk_text(&header, rows)?;
        let report = client
            .send_bytes(reqwest::Method::POST, "/api/v1/awards/bulk", &query, "text/csv", body)
            .await
            .map_err(|e| {
                bar.abandon();
                Failure::from(e)
            })?;
        let line_of = |v: &Value| {
            let row = v["row"].as_u64().unwrap_or(0) as usize;
            rows.get(row).map_or(0, |(line, _)| *line)
        };
        for a in report["awarded"].as_array().into_iter().flatten() {
            awarded += 1;
            bar.suspend(|| println!("{}\t{}", line_of(a), a["id"].as_str().unwrap_or("")));
        }
        for a in report["alreadyAwarded"].as_array().into_iter().flatten() {
            already += 1;
            bar.suspend(|| {
                println!("{}\t{}\talready awarded", line_of(a), a["id"].as_str().unwrap_or(""));
            });
        }
        for e in report["errors"].as_array().into_iter().flatten() {
            refused.push(format!("line {}: {}", line_of(e), e["message"].as_str().unwrap_or("")));
        }
        bar.inc(rows.len() as u64);
    }
    bar.finish_and_clear();
    match already {
        0 => eprintln!("badgemesh: awarded {awarded} of {} rows", records.len()),
        n => eprintln!(
            "badgemesh: awarded {awarded} of {} rows; {n} were awarded by an earlier run",
            records.len()
        ),
    }
    for r in &refused {
        eprintln!("  {r}");
    }
    Ok(if refused.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
