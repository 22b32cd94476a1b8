//! Endorsements embedded in a credential (OB 3.0 verification step 6).

use serde_json::Value;

use super::{Options, Report, verify_credential};
use crate::did::ControllerResolver;

/// Verifies the EndorsementCredentials embedded in a credential, its achievement and its
/// issuer (OB 3.0 verification step 6). Each gets its own report. Endorsements are third-party
/// claims: one that does not verify, or that endorses something other than what it is attached
/// to, is ignored (`skipped`, with the reason), never held against the credential.
pub(super) async fn endorsement_check<R: ControllerResolver>(
    r: &mut Report,
    doc: &Value,
    opts: &Options<'_, R>,
) {
    let holders = [
        Some(doc),
        doc.get("credentialSubject").and_then(|s| s.get("achievement")),
        doc.get("issuer").filter(|i| i.is_object()),
    ];
    let mut attached = Vec::new();
    for holder in holders.into_iter().flatten() {
        let list = match holder.get("endorsement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        };
        attached.extend(list.into_iter().map(|e| (holder.get("id").and_then(Value::as_str), e)));
    }
    if attached.is_empty() {
        return;
    }
    let mut ignored = Vec::new();
    for (holder, endorsement) in attached {
        let report = Box::pin(verify_credential(endorsement, opts)).await;
        let subject =
            endorsement.get("credentialSubject").and_then(|s| s.get("id")).and_then(Value::as_str);
        let name = report.id.clone().unwrap_or_else(|| "(no id)".into());
        if !report.is_valid() {
            ignored.push(format!("{name} does not verify"));
        } else if subject != holder {
            ignored.push(format!(
                "{name} endorses {} but is attached to {}",
                subject.unwrap_or("?"),
                holder.unwrap_or("?")
            ));
        }
        r.endorsements.push(report);
    }
    let total = r.endorsements.len();
    if ignored.is_empty() {
        r.ok("endorsements", format!("{total} embedded endorsements verify"));
    } else {
        r.skipped(
            "endorsements",
            format!("{} of {total} ignored: {}", ignored.len(), ignored.join("; ")),
        );
    }
}
