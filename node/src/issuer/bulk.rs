//! Bulk awards from CSV: one award per row, each row judged alone.
//!
//! Columns (header row required, any order): `recipient` (required), `achievement` (unless
//! the whole file is for one achievement), `id` (the operator's own row identifier),
//! `narrative`, `evidence_url`, `evidence_narrative`, `valid_until` (RFC 3339),
//! `status_purpose`. A row that does not parse is reported with its line number and the rest go
//! on; an unknown column refuses the file, since it is probably a typo that would silently drop
//! data from every row.
//!
//! Every row has a key ([`row_key`]): its `id` if it has one, else a digest of its achievement,
//! recipient and content. An award is stored with its key in one transaction, so running the
//! same file again (after a crash, a timeout, a lost answer) awards exactly the rows that are
//! missing and reports the others as already awarded.

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use futures::{StreamExt, stream};

use super::{Issuer, award::AwardRequest};
use crate::{Error, Result};

const COLUMNS: [&str; 8] = [
    "recipient",
    "achievement",
    "id",
    "narrative",
    "evidence_url",
    "evidence_narrative",
    "valid_until",
    "status_purpose",
];

/// A row that could not become an award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line in the file.
    pub line: u64,
    /// 0-based index of the record (rows can span lines).
    pub row: u64,
    /// Why.
    pub message: String,
}

/// One parsed row: its line, its record index and the request, or why it is unusable.
pub type Row = (u64, u64, std::result::Result<AwardRequest, RowError>);

/// Parses `text`. `achievement` applies to rows without an `achievement` column value.
pub fn parse(text: &str, achievement: Option<&str>) -> Result<Vec<Row>> {
    let mut reader =
        csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::Invalid(format!("CSV header: {e}")))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>();
    if let Some(bad) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(Error::Invalid(format!(
            "CSV header: unknown column {bad:?} (known: {})",
            COLUMNS.join(", ")
        )));
    }
    if !headers.iter().any(|h| h == "recipient") {
        return Err(Error::Invalid("CSV header: a recipient column is required".into()));
    }
    let mut rows = Vec::new();
    for (row_index, record) in (0u64..).zip(reader.records()) {
        let (line, parsed) = match record {
            Ok(r) => {
                let line = r.position().map_or(0, csv::Position::line);
                let fields: Vec<(&str, &str)> =
                    headers.iter().map(String::as_str).zip(r.iter()).collect();
                let parsed = row(&fields, achievement).map_err(|message| RowError {
                    line,
                    row: row_index,
                    message,
                });
                (line, parsed)
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                (line, Err(RowError { line, row: row_index, message: e.to_string() }))
            }
        };
        rows.push((line, row_index, parsed));
    }
    Ok(rows)
}

fn row(
    fields: &[(&str, &str)],
    default_achievement: Option<&str>,
) -> std::result::Result<AwardRequest, String> {
    let get = |name: &str| {
        fields.iter().find(|(h, _)| *h == name).map(|(_, v)| *v).filter(|v| !v.is_empty())
    };
    let achievement = get("achievement")
        .or(default_achievement)
        .ok_or("no achievement: add an achievement column or choose one for the file")?;
    let mut evidence = Vec::new();
    if get("evidence_url").is_some() || get("evidence_narrative").is_some() {
        let mut e = serde_json::Map::new();
        if let Some(url) = get("evidence_url") {
            e.insert("id".into(), json!(url));
        }
        if let Some(n) = get("evidence_narrative") {
            e.insert("narrative".into(), json!(n));
        }
        evidence.push(Value::Object(e));
    }
    let valid_until = get("valid_until")
        .map(|t| t.parse().map_err(|e| format!("valid_until {t:?}: {e}")))
        .transpose()?;
    let request = AwardRequest {
        achievement: achievement.to_owned(),
        recipient: get("recipient").ok_or("recipient is empty")?.to_owned(),
        evidence,
        narrative: get("narrative").map(str::to_owned),
        results: Vec::new(),
        valid_until,
        status_purpose: get("status_purpose").map(str::to_owned),
        notify: None,
        key: None,
    };
    let recipient = request.recipient().map_err(|e| e.to_string())?;
    request.purpose().map_err(|e| e.to_string())?;
    // The recipient enters the key normalized (addresses are case-insensitive), so not raw.
    let content: Vec<&str> =
        COLUMNS.iter().filter(|c| **c != "recipient").map(|c| get(c).unwrap_or("")).collect();
    let key = row_key(request.achievement_uuid(), get("id"), recipient.value(), &content);
    Ok(AwardRequest { key: Some(key), ..request })
}

/// A row's idempotency key: `row-id:` and a digest of (achievement, `id`) when the row has an
/// `id`, else `row:` and a digest of (achievement, recipient, every column in order). Fields
/// are length-prefixed so that no two different rows share a digest input.
pub fn row_key(achievement: &str, id: Option<&str>, recipient: &str, content: &[&str]) -> String {
    let mut h = Sha256::new();
    let mut field = |v: &str| {
        h.update((v.len() as u64).to_be_bytes());
        h.update(v.as_bytes());
    };
    field(achievement);
    match id {
        Some(id) => {
            field(id);
            format!("row-id:{}", hex::encode(h.finalize()))
        }
        None => {
            field(recipient);
            content.iter().for_each(|c| field(c));
            format!("row:{}", hex::encode(h.finalize()))
        }
    }
}

/// Awards in flight at once during a bulk run: enough to fill a group commit and both cores.
const BULK_CONCURRENCY: usize = 64;

/// Outcome of a bulk run.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkReport {
    /// Rows awarded by this run: line and credential id.
    pub awarded: Vec<BulkAwarded>,
    /// Rows an earlier run of the same file (or an identical row) awarded already.
    pub already_awarded: Vec<BulkAwarded>,
    /// Rows refused, by line.
    pub errors: Vec<RowError>,
}

/// One awarded CSV row.
#[derive(Debug, Clone, Serialize)]
pub struct BulkAwarded {
    /// 1-based line.
    pub line: u64,
    /// 0-based record index.
    pub row: u64,
    /// Credential id (`urn:uuid:…`).
    pub id: String,
    /// Claim link, for e-mail recipients.
    #[serde(rename = "claimUrl", skip_serializing_if = "Option::is_none")]
    pub claim_url: Option<String>,
}

impl Issuer {
    /// Awards every valid row of a CSV; a bad row is reported by line and stops nothing else.
    pub async fn bulk(&self, csv: &str, achievement: Option<&str>) -> Result<BulkReport> {
        let rows = parse(csv, achievement)?;
        let results: Vec<_> = stream::iter(rows)
            .map(|(line, row_index, row)| async move {
                match row {
                    Err(e) => Err(e),
                    Ok(request) => self
                        .award(request)
                        .await
                        .map(|a| {
                            let row = BulkAwarded {
                                line,
                                row: row_index,
                                id: format!("urn:uuid:{}", a.record.uuid),
                                claim_url: a.claim_url,
                            };
                            (row, a.existing)
                        })
                        .map_err(|e| RowError { line, row: row_index, message: e.to_string() }),
                }
            })
            .buffered(BULK_CONCURRENCY)
            .collect()
            .await;
        let mut report = BulkReport::default();
        for r in results {
            match r {
                Ok((a, false)) => report.awarded.push(a),
                Ok((a, true)) => report.already_awarded.push(a),
                Err(e) => report.errors.push(e),
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_reported_by_line_and_the_rest_parse() {
        let csv = "recipient,narrative,valid_until\n\
                   ada@uni.edu,Built a compiler,\n\
                   not-an-address,,\n\
                   did:key:z6Mkabc,,2099-01-01T00:00:00Z\n\
                   bob@uni.edu,,yesterday\n\
                   carol@uni.edu,too,many,fields\n";
        let rows = parse(csv, Some("ach")).unwrap();
        let lines: Vec<(u64, u64, bool)> =
            rows.iter().map(|(l, i, r)| (*l, *i, r.is_ok())).collect();
        assert_eq!(
            lines,
            vec![(2, 0, true), (3, 1, false), (4, 2, true), (5, 3, false), (6, 4, false)]
        );
        let (_, _, first) = &rows[0];
        assert_eq!(first.as_ref().unwrap().narrative.as_deref(), Some("Built a compiler"));
        assert!(rows[1].2.as_ref().unwrap_err().message.contains("neither a DID"));
        assert!(rows[3].2.as_ref().unwrap_err().message.contains("valid_until"));
    }

    #[test]
    fn rows_have_stable_keys_from_their_id_or_their_content() {
        let key = |csv: &str, line: usize| {
            parse(csv, Some("ach")).unwrap()[line].2.as_ref().unwrap().key.clone().unwrap()
        };
        let csv = "recipient,narrative\nAda@Uni.edu,x\nada@uni.edu,x\nada@uni.edu,y\n";
        // The same recipient (addresses are case-insensitive) and content: the same key.
        assert_eq!(key(csv, 0), key(csv, 1));
        assert_ne!(key(csv, 0), key(csv, 2));
        assert_eq!(key(csv, 0), key("narrative,recipient\nx,ada@uni.edu\n", 0));
        // With an id column the id decides, whatever else changes.
        let ids =
            "id,recipient,narrative\n7,ada@uni.edu,x\n7,ada@uni.edu,changed\n8,ada@uni.edu,x\n";
        assert_eq!(key(ids, 0), key(ids, 1));
        assert_ne!(key(ids, 0), key(ids, 2));
        assert!(key(ids, 0).starts_with("row-id:"));
        // Another achievement is another award.
        let other = parse(csv, Some("other")).unwrap()[0].2.as_ref().unwrap().key.clone();
        assert_ne!(other.unwrap(), key(csv, 0));
    }

    #[test]
    fn the_header_is_checked_once_for_the_file() {
        assert!(
            parse("recipent\nada@uni.edu\n", Some("a"))
                .unwrap_err()
                .to_string()
                .contains("recipent")
        );
        assert!(parse("narrative\nx\n", Some("a")).is_err());
        let rows = parse("recipient\nada@uni.edu\n", None).unwrap();
        assert!(rows[0].2.as_ref().unwrap_err().message.contains("no achievement"));
    }
}
