//! OpenID for Verifiable Presentations 1.0, the verifier's routes: making a request (admin),
//! the wallet's `direct_post` answer and the request's page (public). The protocol's judgment
//! is `exchange::oid4vp`; each handler reads, verifies, asks it and writes.
//!
//! Work per anonymous request: an answer is one store read before anything else; its
//! presentation is verified on the CPU pool (refused when the pool is full), and only with
//! the state of a live request, which only the verifier's QR code carries. The page is one
//! store read.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{AppState, error::ApiError};
use crate::{
    exchange::{
        oid4vci::id_of,
        oid4vp::{self, Answer, Verification, Wanted},
        vcalm,
    },
    node::Verifiable,
    store::verifications,
};

/// Making requests and reading their results (admin, token).
pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/verifications", post(create))
        .route("/api/v1/verifications/{id}", get(result))
}

/// The open routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oid4vp/response", post(response))
        .route("/verifications/{page}", get(page))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    /// `OpenBadgeCredential` (or `AchievementCredential`, `EndorsementCredential`).
    #[serde(rename = "type", default = "default_type")]
    type_name: String,
    /// Only this issuer's badges will do.
    #[serde(default)]
    issuer: Option<String>,
}

fn default_type() -> String {
    "OpenBadgeCredential".into()
}

/// A new presentation request: its `openid4vp://` URL (for the QR code) and the page that
/// shows the code and, once a wallet answered, the result.
async fn create(
    State(s): State<AppState>,
    super::extract::JsonBody(r): super::extract::JsonBody<CreateRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let wanted = Wanted::new(&r.type_name, r.issuer).map_err(crate::Error::Invalid)?;
    let now = Utc::now();
    let (verification, page_key) = Verification::new(wanted, now, |bytes| {
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, bytes);
    });
    let base = s.node.issuer().base().to_owned();
    let url = verification.openid4vp_url(&base);
    let body = json!({
        "id": verification.id,
        "openid4vpUrl": url,
        "pageUrl": format!("{base}/verifications/{page_key}"),
        "vcapi": vcalm::verify_exchange_url(&base, &verification.state),
        "lcwUrl": vcalm::lcw_link(&base, &vcalm::verify_exchange_url(&base, &verification.state)),
        "expires": verification.expires,
        "request": verification.request_parameters(&base)
            .into_iter().map(|(k, v)| (k.to_owned(), Value::from(v))).collect::<serde_json::Map<_, _>>(),
    });
    s.node.issuer().store().write(move |b| verifications::put(b, &verification)).await?;
    Ok((StatusCode::CREATED, Json(body)))
}

async fn result(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let found = verifications::get(&s.node.issuer().store().read()?, &id)?
        .ok_or_else(|| crate::Error::NotFound(format!("verification {id}")))?;
    Ok(Json(found.to_json(Utc::now())))
}

/// An OAuth-style error for the wallet, with the node's `code` and `message` beside it.
fn refuse(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({"error": error, "error_description": description,
                      "code": error, "message": description});
    (status, Json(body)).into_response()
}

/// The wallet's answer (`direct_post`): parsed, matched to a live request, verified with the
/// request's nonce and client id, judged, written. A refused answer leaves the request open
/// (up to `oid4vp::MAX_ATTEMPTS`); a final one closes it.
async fn response(State(s): State<AppState>, body: Bytes) -> Response {
    let now = Utc::now();
    let parsed = match oid4vp::Response::parse(&body) {
        Ok(p) => p,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, "invalid_request", &why),
    };
    let record = match open_request(&s, parsed.state(), now) {
        Ok(Ok(record)) => record,
        Ok(Err(why)) => return refuse(StatusCode::BAD_REQUEST, "invalid_request", why),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let verdict = match parsed {
        oid4vp::Response::Error { error, description, .. } => {
            Ok(Answer::declined(&error, description.as_deref(), now))
        }
        oid4vp::Response::Presentation { query, presentation, .. } => {
            let audience = Verification::client_id(s.node.issuer().base());
            match judge(&s, &record, query, presentation, audience).await {
                Ok(verdict) => verdict,
                Err(e) => return ApiError::from(e).into_response(),
            }
        }
    };
    match settle(&s, record.id, verdict, now).await {
        Ok(Ok(())) => Json(json!({})).into_response(),
        Ok(Err(why)) => refuse(StatusCode::BAD_REQUEST, "invalid_request", &why),
        Err(e) => e.into_response(),
    }
}

/// The live request whose `state` (`{id}.{random}`, which only its QR code carries) this is;
/// the inner `Err` says why there is none to answer. One store read.
pub(super) fn open_request(
    s: &AppState,
    state: &str,
    now: DateTime<Utc>,
) -> crate::Result<Result<Verification, &'static str>> {
    let Some(id) = id_of(state) else { return Ok(Err("unknown request")) };
    let record = verifications::get(&s.node.issuer().store().read()?, id)?;
    Ok(match record.filter(|v| v.state_matches(state)) {
        None => Err("unknown request"),
        Some(v) => v.closed(now).map_or(Ok(v), Err),
    })
}

/// Writes a judged answer: a final one closes the request, a refused one is counted. The inner
/// `Err` is the reason to give the wallet (refused, or the request closed meanwhile: it is
/// judged again inside the write, so one answer lands).
pub(super) async fn settle(
    s: &AppState,
    id: String,
    verdict: Result<Answer, String>,
    now: DateTime<Utc>,
) -> Result<Result<(), String>, ApiError> {
    let step = move |v: &Verification| match (v.closed(now), verdict) {
        (Some(why), _) => Err(why.to_owned()),
        (None, Ok(answer)) => Ok((Verification { answer: Some(answer), ..v.clone() }, None)),
        (None, Err(reason)) => Ok((v.refuse(&reason, now), Some(reason))),
    };
    match s.node.issuer().store().write(move |b| verifications::update(b, &id, step)).await? {
        Ok(None) => Ok(Ok(())),
        Ok(Some(reason)) | Err(reason) => Ok(Err(reason)),
    }
}

/// Verifies the presentation (the node's pipeline: signatures, holder, the request's nonce as
/// challenge, `audience` as domain, every credential, status from the lists this node holds)
/// and judges it against the request's credential query `query`.
pub(super) async fn judge(
    s: &AppState,
    record: &Verification,
    query: &'static str,
    presentation: Value,
    audience: String,
) -> crate::Result<Result<Answer, String>> {
    let document = vc_schemas::verify::presentation_document(&presentation).unwrap_or_default();
    let checked = s
        .node
        .verify(Verifiable::Presentation(presentation), Some(record.nonce.clone()), Some(audience))
        .await?;
    Ok(oid4vp::judge(&record.wanted, query, &document, &checked.report, Utc::now()))
}

/// The request's page: its QR code while it waits (the page reloads itself, no script), the
/// result once a wallet answered.
async fn page(State(s): State<AppState>, Path(page): Path<String>) -> Response {
    let not_found =
        || ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such request").into_response();
    let Some(id) = id_of(&page) else { return not_found() };
    let record = match s.node.issuer().store().read().and_then(|t| verifications::get(&t, id)) {
        Ok(Some(v)) if v.page_matches(&page) => v,
        Ok(_) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let now = Utc::now();
    let status = record.status(now);
    let url = record.openid4vp_url(s.node.issuer().base());
    let pending = status == "pending";
    let qr = if pending { badgemesh_wallet::card::qr_svg(&url).ok() } else { None };
    let base = s.node.issuer().base();
    let lcw = vcalm::lcw_link(base, &vcalm::verify_exchange_url(base, &record.state));
    let lcw_qr = if pending { badgemesh_wallet::card::qr_svg(&lcw).ok() } else { None };
    let answer = record.answer.clone();
    let rendered = super::html_page(
        include_str!("templates/verification.html"),
        minijinja::context! {
            status, type_name => record.wanted.type_name, issuer => record.wanted.issuer,
            expires => record.expires.format("%-d %B %Y, %H:%M UTC").to_string(),
            answer, refused => record.refused, url => (status == "pending").then_some(url),
            qr => qr.map(minijinja::Value::from_safe_string),
            lcw => pending.then_some(lcw),
            lcw_qr => lcw_qr.map(minijinja::Value::from_safe_string),
        },
    );
    let mut response = rendered.into_response();
    if pending && response.status().is_success() {
        response.headers_mut().insert("refresh", HeaderValue::from_static("3"));
    }
    response
}
