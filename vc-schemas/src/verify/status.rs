//! The status check: a credential's `BitstringStatusListEntry` looked up in a status list the
//! verifier holds. A list that is missing, or not signed by the credential's issuer, never
//! passes silently.

use serde_json::Value;

use super::{Options, Outcome, Report, Status, verify_credential};
use crate::{
    did::ControllerResolver,
    model::id_of,
    status_list::{self, StatusEntry},
};

pub(super) async fn status_check<R: ControllerResolver>(
    r: &mut Report,
    doc: &Value,
    opts: &Options<'_, R>,
) {
    let entries: Vec<Value> = match doc.get("credentialStatus") {
        None => return r.skipped("status", "no credentialStatus"),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    };
    for entry in &entries {
        let kind = entry.get("type").and_then(Value::as_str).unwrap_or("(no type)");
        if kind != "BitstringStatusListEntry" {
            r.unknown("status", format!("status type {kind} cannot be checked offline"));
            continue;
        }
        match StatusEntry::from_json(entry) {
            Ok(e) => check_entry(r, doc, &e, opts).await,
            Err(err) => r.failed("status", err.to_string()),
        }
    }
}

async fn check_entry<R: ControllerResolver>(
    r: &mut Report,
    doc: &Value,
    entry: &StatusEntry,
    opts: &Options<'_, R>,
) {
    let Some((_, list)) = opts.status_lists.iter().find(|(url, _)| *url == entry.list_credential)
    else {
        return r.unknown(
            "status",
            format!("status list {} is not held locally", entry.list_credential),
        );
    };
    let list_report =
        Box::pin(verify_credential(list, &Options { status_lists: &[], ..*opts })).await;
    if list_report.outcome != Outcome::Valid {
        let why: Vec<String> = list_report
            .checks
            .iter()
            .filter(|c| c.status != Status::Ok)
            .map(|c| format!("{}: {}", c.name, c.reason))
            .collect();
        return r.failed(
            "status",
            format!("status list {} does not verify: {}", entry.list_credential, why.join("; ")),
        );
    }
    let issuer = doc.get("issuer").and_then(id_of);
    if list.get("issuer").and_then(id_of) != issuer {
        return r.failed("status", "status list was not issued by the credential's issuer");
    }
    let version = list.get("validFrom").and_then(Value::as_str).unwrap_or("(no validFrom)");
    match status_list::lookup(entry, list) {
        Ok(false) => r.ok(
            "status",
            format!("{} bit {} clear (list of {version})", entry.purpose, entry.index),
        ),
        Ok(true) => r.failed(
            "status",
            format!("{}: bit {} set (list of {version})", status_word(&entry.purpose), entry.index),
        ),
        Err(e) => r.failed("status", e.to_string()),
    }
}

fn status_word(purpose: &str) -> &str {
    match purpose {
        "revocation" => "revoked",
        "suspension" => "suspended",
        other => other,
    }
}
