//! Public routes, no token: health, the OpenAPI document, status lists, achievement
//! images, credentials their holder made public, and the claim pages of e-mailed awards.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};

use super::{AppState, OPENAPI, error::ApiError};
use crate::store::credentials::{ClaimState, CredentialRecord};

const CLAIM_PAGE: &str = include_str!("templates/claim.html");

/// The public routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/status/{name}", get(status_list))
        .route("/achievements/{id}/image", get(image))
        .route("/credentials/{id}", get(public_credential))
        .route("/claim/{token}", get(claim_page))
        .route("/claim/{token}/accept", post(accept))
        .route("/claim/{token}/refuse", post(refuse))
        .route("/claim/{token}/credential.json", get(claim_download))
        .route("/claim/{token}/badge.png", get(claim_png))
        .route("/claim/{token}/badge.svg", get(claim_svg))
}

async fn healthz(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    s.node.check_health()?;
    Ok(Json(json!({"status": "ok", "did": s.node.issuer().did()})))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// The signed list credential; `ETag` carries the list version so caches and peers can tell
/// versions apart without parsing.
async fn status_list(
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let record = s.node.issuer().status_list(&name)?;
    let etag = format!("\"v{}\"", record.version);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let mut response = Json(record.credential.unwrap_or_default()).into_response();
    let h = response.headers_mut();
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"v0\"")),
    );
    h.insert("x-badgemesh-list-version", HeaderValue::from(record.version));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

async fn image(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (content_type, bytes) = s.node.issuer().image(&id)?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // Sanitized at upload; the image policy of `headers` sandboxes it as well.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    Ok(response)
}

async fn public_credential(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match s.node.issuer().credential(&id) {
        Ok(record) if record.public => Ok(Json(record.credential)),
        // Private and unknown look the same from outside.
        _ => Err(crate::Error::NotFound(format!("credential {id}")).into()),
    }
}

fn page(s: &AppState, token: &str) -> Result<Html<String>, ApiError> {
    let (claim, record) = s.node.issuer().claim(token)?;
    let achievement = &record.credential["credentialSubject"]["achievement"];
    let issuer =
        record.credential["issuer"]["name"].as_str().unwrap_or_else(|| s.node.issuer().did());
    let state = match claim.state {
        ClaimState::Pending => "pending",
        ClaimState::Accepted => "accepted",
        ClaimState::Refused => "refused",
    };
    super::html_page(
        CLAIM_PAGE,
        minijinja::context! {
            badge => achievement["name"].as_str().unwrap_or("A badge"),
            description => achievement["description"].as_str(),
            criteria => achievement["criteria"]["narrative"].as_str(),
            image => achievement["image"]["id"].as_str(),
            issuer => issuer,
            state => state,
            base => format!("/claim/{token}"),
        },
    )
}

async fn claim_page(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Html<String>, ApiError> {
    page(&s, &token)
}

async fn accept(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Html<String>, ApiError> {
    s.node.issuer().decide(&token, true).await?;
    page(&s, &token)
}

async fn refuse(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Html<String>, ApiError> {
    s.node.issuer().decide(&token, false).await?;
    page(&s, &token)
}

/// The credential of an accepted claim.
fn accepted(s: &AppState, token: &str) -> Result<CredentialRecord, ApiError> {
    let (claim, record) = s.node.issuer().claim(token)?;
    if claim.state != ClaimState::Accepted {
        return Err(crate::Error::Conflict("accept the badge first".into()).into());
    }
    Ok(record)
}

fn attachment(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

async fn claim_download(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let record = accepted(&s, &token)?;
    let body =
        serde_json::to_vec_pretty(&record.credential).map_err(|e| ApiError::serialization(&e))?;
    Ok(attachment("application/vc+ld+json", format!("{}.json", record.uuid), body))
}

async fn claim_png(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let record = accepted(&s, &token)?;
    let png = crate::bakery::png(s.node.issuer(), &record)?;
    Ok(attachment("image/png", format!("{}.png", record.uuid), png))
}

async fn claim_svg(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let record = accepted(&s, &token)?;
    let svg = crate::bakery::svg(s.node.issuer(), &record)?;
    Ok(attachment("image/svg+xml", format!("{}.svg", record.uuid), svg))
}
