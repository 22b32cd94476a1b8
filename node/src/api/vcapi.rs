//! The W3C VC-API: issue, verify (credentials and presentations), status.
//!
//! Verify endpoints answer 200 when verified and 422 with the report when not, so a client
//! (or a test suite) can go by the status code alone. Which status lists are used (this node's
//! own and the gossiped ones, within the age limit) is the node's policy
//! ([`crate::node::NodeHandle::verify`]); nothing is fetched. `/credentials/verify` also takes
//! a baked badge image as its body.

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    routing::post,
};
use serde::Deserialize;
use serde_json::{Value, json};
use vc_schemas::{
    issue::Format,
    verify::{Outcome, Status},
};

use super::{
    AppState,
    error::ApiError,
    extract::{JsonBody, RawBody, parse_json},
};
use crate::node::{Verifiable, Verification};

/// `/credentials/issue` and `/credentials/status` (token).
pub fn guarded_routes() -> Router<AppState> {
    Router::new()
        .route("/credentials/issue", post(issue))
        .route("/credentials/status", post(update_status))
}

/// `/credentials/verify` and `/presentations/verify` (open).
pub fn open_routes() -> Router<AppState> {
    Router::new()
        .route("/credentials/verify", post(verify_credential))
        .route("/presentations/verify", post(verify_presentation))
}

#[derive(Debug, Deserialize)]
struct IssueRequest {
    credential: Value,
    #[serde(default)]
    options: Option<IssueOptions>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IssueOptions {
    /// `jwt` for an enveloped VC-JWT; default Data Integrity.
    #[serde(default)]
    format: Option<String>,
}

async fn issue(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<IssueRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let format = match req.options.unwrap_or_default().format.as_deref() {
        None | Some("di" | "ldp_vc") => Format::DataIntegrity,
        Some("jwt" | "vc+jwt") => Format::Jwt,
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_format",
                format!("unknown format {other:?}: use \"di\" or \"jwt\""),
            ));
        }
    };
    let signed = s.node.issuer().issue_direct(&req.credential, format).await?;
    let vc = match signed {
        Value::String(token) => json!({
            "@context": [vc_schemas::context::CREDENTIALS_V2],
            "id": format!("data:application/vc+jwt,{token}"),
            "type": "EnvelopedVerifiableCredential",
        }),
        doc => doc,
    };
    s.metrics.awards.inc();
    Ok((StatusCode::CREATED, Json(json!({ "verifiableCredential": vc }))))
}

#[derive(Debug, Default, Deserialize)]
struct VerifyOptions {
    #[serde(default)]
    checks: Option<Vec<String>>,
    #[serde(default)]
    challenge: Option<String>,
    #[serde(default)]
    domain: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyCredentialRequest {
    verifiable_credential: Value,
    #[serde(default)]
    options: Option<VerifyOptions>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyPresentationRequest {
    verifiable_presentation: Value,
    #[serde(default)]
    options: Option<VerifyOptions>,
}

/// The VC-API request (`application/json`), or a baked badge as it was downloaded
/// (`image/png` or `image/svg+xml`, the body being the file): what holders actually have.
async fn verify_credential(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (credential, opts) = if is_image(&headers) {
        (s.node.unbake(body.to_vec()).await?, VerifyOptions::default())
    } else {
        let req: VerifyCredentialRequest = parse_json(&body)?;
        (req.verifiable_credential, req.options.unwrap_or_default())
    };
    let what = Verifiable::Credential(credential);
    let v = s.node.verify(what, opts.challenge.clone(), opts.domain.clone()).await?;
    Ok(answer(&s, &v, &opts))
}

/// Whether the body is declared a PNG or SVG image.
fn is_image(headers: &HeaderMap) -> bool {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let kind = kind.split(';').next().unwrap_or("").trim();
    kind.eq_ignore_ascii_case("image/png") || kind.eq_ignore_ascii_case("image/svg+xml")
}

async fn verify_presentation(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<VerifyPresentationRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let opts = req.options.unwrap_or_default();
    let what = Verifiable::Presentation(req.verifiable_presentation);
    let v = s.node.verify(what, opts.challenge.clone(), opts.domain.clone()).await?;
    Ok(answer(&s, &v, &opts))
}

/// Which list version each status check used and how old it is (its signed `validFrom`).
fn lists_used(lists: &[(String, Value)]) -> Vec<Value> {
    lists
        .iter()
        .map(|(url, list)| {
            let age = crate::node::list_age(list).map(|a| a.num_seconds());
            json!({"id": url, "validFrom": list["validFrom"], "ageSeconds": age})
        })
        .collect()
}

/// 200 when verified, 422 otherwise; the status check counts only when asked for (or when
/// the caller did not say which checks it wants).
fn answer(s: &AppState, v: &Verification, opts: &VerifyOptions) -> (StatusCode, Json<Value>) {
    let (report, lists, warnings) = (&v.report, &v.lists, &v.warnings);
    let wants_status = opts
        .checks
        .as_ref()
        .is_none_or(|c| c.iter().any(|n| n == "credentialStatus" || n == "status"));
    let ignored: &[&str] = if wants_status { &[] } else { &["status"] };
    let outcome = report.outcome_ignoring(ignored);
    let verified = outcome == Outcome::Valid;
    s.metrics.verified(match outcome {
        Outcome::Valid => "valid",
        Outcome::Invalid => "invalid",
        Outcome::Indeterminate => "indeterminate",
    });
    let counted = || report.checks.iter().filter(|c| !ignored.contains(&c.name));
    let checks: Vec<&str> = counted().filter(|c| c.status == Status::Ok).map(|c| c.name).collect();
    let errors: Vec<Value> = counted()
        .filter(|c| c.status == Status::Failed || c.unknown)
        .map(|c| json!({"check": c.name, "message": c.reason}))
        .collect();
    let status = if verified { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body = json!({
        "verified": verified,
        "checks": checks,
        "warnings": warnings,
        "errors": errors,
        "report": report,
        "statusLists": lists_used(lists),
    });
    (status, Json(body))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusRequest {
    credential_id: String,
    credential_status: Value,
}

/// One requested change. Only explicit input changes anything: `statusPurpose` must name the
/// list, and `status`, when present, must be a JSON boolean (absent means "set", the shape the
/// W3C test suite sends). Anything else is refused before the first change is made.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StatusChange {
    /// The entry type the caller has in mind (informative).
    #[serde(default, rename = "type")]
    _type: Option<Value>,
    /// `revocation` or `suspension`.
    status_purpose: Purpose,
    /// `true` sets the bit, `false` clears it (suspension only: a revocation is final).
    /// Absent means `true`; `null` is refused like any other non-boolean.
    #[serde(default, deserialize_with = "present_bool")]
    status: Option<bool>,
}

/// A field that, when present, must be a JSON boolean (serde reads `null` as absent otherwise).
fn present_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    <bool as Deserialize>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Purpose {
    Revocation,
    Suspension,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Revocation => "revocation",
            Self::Suspension => "suspension",
        }
    }
}

const STATUS_SHAPE: &str = "each credentialStatus entry is {\"statusPurpose\": \"revocation\" | \"suspension\", \"status\": true | false (optional, default true)}";

async fn update_status(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<StatusRequest>,
) -> Result<Json<Value>, ApiError> {
    let entries: Vec<Value> = match req.credential_status {
        Value::Array(a) => a,
        one => vec![one],
    };
    // Every entry is read before anything changes: a bad second entry must not leave the first
    // one applied.
    let changes = entries
        .into_iter()
        .map(|c| {
            serde_json::from_value::<StatusChange>(c).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_status_change",
                    format!("{STATUS_SHAPE}: {e}"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if changes.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_status_change",
            format!("credentialStatus names no change: {STATUS_SHAPE}"),
        ));
    }
    if changes
        .iter()
        .any(|c| matches!((c.status_purpose, c.status), (Purpose::Revocation, Some(false))))
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "revocation_final",
            "a revocation cannot be undone; nothing was changed",
        ));
    }
    let mut record = None;
    for c in changes {
        let value = c.status.unwrap_or(true);
        record = Some(
            s.node
                .issuer()
                .set_status(&req.credential_id, c.status_purpose.as_str(), value)
                .await?,
        );
    }
    let state = record.map(|r| r.state.as_str()).unwrap_or_default();
    Ok(Json(json!({"credentialId": req.credential_id, "state": state})))
}
