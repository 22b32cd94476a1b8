//! The public verification page (the 1EdTech "Displayer" role): anyone pastes or uploads a
//! credential, a presentation or a baked badge and reads the result in plain words. It changes
//! nothing, so it takes no session; its work runs on the node's bounded CPU pool, and a full
//! pool answers `503` like every open route.

use axum::extract::{Multipart, State};
use minijinja::context;
use serde::Serialize;
use serde_json::Value;
use vc_schemas::{
    model::types_of,
    verify::{Outcome, Report, Status},
};

use super::{
    Shared,
    render::{Page, Problem},
};
use crate::{Checked, WalletBackend, import, item::summary_of};

/// One verified document as the page shows it.
#[derive(Debug, Serialize)]
struct Shown {
    /// What it is about.
    summary: crate::Summary,
    /// `valid`, `invalid` or `indeterminate` (for colour).
    outcome: &'static str,
    /// The verdict in plain words.
    verdict: String,
    /// Every check, in order.
    checks: Vec<vc_schemas::verify::Check>,
}

/// The verdict in words: what a person needs first is whether to believe it, and why not.
pub(super) fn verdict(report: &Report) -> (&'static str, String) {
    let reasons = |status: Status| -> String {
        report
            .checks
            .iter()
            .filter(|c| c.status == status && (status == Status::Failed || c.unknown))
            .map(|c| {
                if c.reason.is_empty() {
                    c.name.to_owned()
                } else {
                    format!("{}: {}", c.name, c.reason)
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    match report.outcome {
        Outcome::Valid => ("valid", "Valid: every check passed.".into()),
        Outcome::Invalid => ("invalid", format!("Not valid. {}", reasons(Status::Failed))),
        Outcome::Indeterminate => {
            ("indeterminate", format!("Could not be checked fully. {}", reasons(Status::Skipped)))
        }
    }
}

fn shown(credential: &Value, report: &Report) -> Shown {
    let (outcome, verdict) = verdict(report);
    Shown { summary: summary_of(credential), outcome, verdict, checks: report.checks.clone() }
}

pub(super) async fn form<B: WalletBackend>(State(s): State<Shared<B>>) -> Result<Page, Problem> {
    Page::render("verify.html", context! { base => s.base, signed_in => false, page => "verify" })
}

/// Reads the form (a file or pasted text, and an optional challenge and domain), verifies what
/// it holds and shows the result.
pub(super) async fn verify<B: WalletBackend>(
    State(s): State<Shared<B>>,
    mut form: Multipart,
) -> Result<Page, Problem> {
    let (mut bytes, mut challenge, mut domain) = (Vec::new(), String::new(), String::new());
    while let Some(field) =
        form.next_field().await.map_err(|e| Problem::invalid(&format!("the upload: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let data =
            field.bytes().await.map_err(|e| Problem::invalid(&format!("the upload: {e}")))?;
        match name.as_str() {
            "file" if !data.is_empty() => bytes = data.to_vec(),
            "text" if bytes.is_empty() && !data.iter().all(u8::is_ascii_whitespace) => {
                bytes = data.to_vec();
            }
            "challenge" => challenge = String::from_utf8_lossy(&data).trim().to_owned(),
            "domain" => domain = String::from_utf8_lossy(&data).trim().to_owned(),
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Err(Problem::invalid("Choose a file or paste a credential or a presentation."));
    }
    let (document, checked) = check(&s, &bytes, challenge.clone(), domain.clone()).await?;
    let inner: Vec<Shown> = match document.get("verifiableCredential") {
        Some(Value::Array(items)) => {
            items.iter().zip(&checked.report.credentials).map(|(c, r)| shown(c, r)).collect()
        }
        _ => Vec::new(),
    };
    let is_presentation = types_of(&document).iter().any(|t| t == "VerifiablePresentation");
    let main = shown(&document, &checked.report);
    let holder = document["holder"].as_str().map(str::to_owned).unwrap_or_default();
    let lists: Vec<_> =
        checked.lists.iter().map(|l| context! { url => l.url, age => l.age_seconds }).collect();
    Page::render(
        "verify.html",
        context! { base => s.base, signed_in => false, page => "verify", result => main,
        is_presentation, holder, inner, lists, warnings => checked.warnings, challenge, domain },
    )
}

/// Verifies the uploaded bytes: a presentation (with its binding), or the one credential the
/// file holds (JSON, VC-JWT or a baked image).
async fn check<B: WalletBackend>(
    s: &Shared<B>,
    bytes: &[u8],
    challenge: String,
    domain: String,
) -> Result<(Value, Checked), Problem> {
    let backend = s.wallet.backend();
    let opt = |v: String| (!v.is_empty()).then_some(v);
    if let Some((given, doc)) = presentation(bytes) {
        let checked = backend.verify_presentation(given, opt(challenge), opt(domain)).await?;
        return Ok((doc, checked));
    }
    let mut found = import::credentials(bytes)?;
    if found.len() != 1 {
        return Err(Problem::invalid(&format!(
            "the file holds {} credentials; verify them one at a time, or as a presentation",
            found.len()
        )));
    }
    let credential = found.remove(0);
    let checked = backend.verify(credential.clone()).await?;
    Ok((credential, checked))
}

/// The presentation in `bytes`, if they hold one: as given (JSON, a VP-JWT, an enveloped one)
/// and as the JSON document the page describes.
fn presentation(bytes: &[u8]) -> Option<(Value, Value)> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    let given = if vc_schemas::proof::jwt::looks_like_jwt(text) {
        Value::String(text.to_owned())
    } else {
        serde_json::from_str::<Value>(text).ok()?
    };
    let doc = vc_schemas::verify::presentation_document(&given)?;
    types_of(&doc).iter().any(|t| t == "VerifiablePresentation").then_some((given, doc))
}
