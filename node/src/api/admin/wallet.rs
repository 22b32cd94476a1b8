//! The earner's wallet as JSON, for `badgemesh wallet` and scripts: the same operations as the
//! wallet's pages ([`badgemesh_wallet::Wallet`]) over this node. Answers go through the inbox
//! routes (`/api/v1/inbox/accept`, `/refuse`).

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use badgemesh_wallet::{
    State as ItemState, Wallet, WalletBackend,
    backup::PASSPHRASE_HEADER,
    bake,
    ops::CardFormat,
    present,
    share::{self, PortfolioInput},
};

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::{store::inbox::wallet_error, wallet::NodeWallet};

fn wallet(s: &AppState) -> Wallet<NodeWallet> {
    Wallet::new(NodeWallet::new(s.node.clone()))
}

fn failed(e: badgemesh_wallet::Error) -> ApiError {
    ApiError::from(wallet_error(e))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    #[serde(default)]
    state: Option<ItemState>,
    #[serde(default)]
    q: String,
}

/// Items in one state (default accepted), newest first, with what a list shows of each.
pub(super) async fn list(
    State(s): State<AppState>,
    QueryArgs(q): QueryArgs<ListQuery>,
) -> ApiResult<Json<Value>> {
    let state = q.state.unwrap_or(ItemState::Accepted);
    let items = wallet(&s).list(state, &q.q).await.map_err(failed)?;
    let items: Vec<Value> = items
        .iter()
        .map(|i| {
            let summary = i.summary();
            json!({"id": i.id, "name": summary.name, "issuer": summary.issuer_name,
                "state": i.state, "origin": i.origin, "received": i.received, "tags": i.tags})
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Which {
    id: String,
}

/// One item, its summary and its verification.
pub(super) async fn show(
    State(s): State<AppState>,
    QueryArgs(q): QueryArgs<Which>,
) -> ApiResult<Json<Value>> {
    let (item, checked) = wallet(&s).inspect(&q.id).await.map_err(failed)?;
    let summary = item.summary();
    Ok(Json(json!({"item": item, "summary": summary, "verification": checked})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ImportQuery {
    #[serde(default)]
    file: Option<String>,
    /// The transaction code an offer link needs (sent by its issuer apart from the link).
    #[serde(default, rename = "txCode")]
    tx_code: Option<String>,
}

/// One file as the body (JSON, a VC-JWT, a baked PNG or SVG, a presentation); what it added.
pub(super) async fn import(
    State(s): State<AppState>,
    QueryArgs(q): QueryArgs<ImportQuery>,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let name = q.file.unwrap_or_else(|| "upload".into());
    let outcome = wallet(&s).import_with_code(&name, &body, q.tx_code.as_deref()).await;
    if outcome.added.is_empty() && outcome.held.is_empty() {
        let message = outcome.errors.join("; ");
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message));
    }
    Ok(Json(to_json(&outcome)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PresentRequest {
    ids: Vec<String>,
    challenge: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    format: present::Format,
}

/// A signed presentation of accepted badges, bound to the verifier's challenge and domain.
pub(super) async fn present(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<PresentRequest>,
) -> ApiResult<Json<Value>> {
    let request =
        present::Request { ids: r.ids, challenge: r.challenge, domain: r.domain, format: r.format };
    Ok(Json(wallet(&s).present(&request).await.map_err(failed)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RespondRequest {
    /// The verifier's `openid4vp://` request URL.
    url: String,
    /// The wallet items to show.
    ids: Vec<String>,
}

/// Answers a verifier's OpenID4VP request with chosen badges.
pub(super) async fn respond(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<RespondRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(crate::exchange::client::respond(&wallet(&s), &r.url, &r.ids).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BakeQuery {
    id: String,
    format: String,
}

/// The badge baked into a PNG or an SVG.
pub(super) async fn baked(
    State(s): State<AppState>,
    QueryArgs(q): QueryArgs<BakeQuery>,
) -> Result<Response, ApiError> {
    let item = wallet(&s).backend().item(&q.id).await.map_err(failed)?;
    let (content_type, bytes) = match q.format.as_str() {
        "png" => ("image/png", bake::png(&item).map_err(failed)?),
        "svg" => ("image/svg+xml", bake::svg(&item).map_err(failed)?.into_bytes()),
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("unknown format {other:?}: png or svg"),
            ));
        }
    };
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}

/// A badge the earner issues to themself: kept accepted, marked self-issued.
pub(super) async fn selfie(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<badgemesh_wallet::SelfIssue>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let item = wallet(&s).self_issue(r).await.map_err(failed)?;
    Ok((StatusCode::CREATED, Json(to_json(&item)?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PublishRequest {
    id: String,
    public: bool,
}

/// Makes an accepted badge public (its page, its card's QR code) or private; answers its
/// public address.
pub(super) async fn publish(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<PublishRequest>,
) -> ApiResult<Json<Value>> {
    let wallet = wallet(&s);
    let item = wallet.publish(&r.id, r.public).await.map_err(failed)?;
    Ok(Json(json!({"id": item.id, "public": item.public, "url": wallet.public_url(&item)})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CardQuery {
    id: String,
    format: String,
    #[serde(default)]
    name: String,
}

/// The printable card of a public badge (PDF or SVG).
pub(super) async fn card(
    State(s): State<AppState>,
    QueryArgs(q): QueryArgs<CardQuery>,
) -> Result<Response, ApiError> {
    let (format, content_type) = match q.format.as_str() {
        "pdf" => (CardFormat::Pdf, "application/pdf"),
        "svg" => (CardFormat::Svg, "image/svg+xml"),
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("unknown format {other:?}: pdf or svg"),
            ));
        }
    };
    let bytes = wallet(&s).card(&q.id, &q.name, format).await.map_err(failed)?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}

/// The portfolio pages, newest change first, with their public addresses.
pub(super) async fn pages(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let wallet = wallet(&s);
    let mut pages = wallet.backend().portfolios().await.map_err(failed)?;
    pages.sort_by_key(|p| std::cmp::Reverse(p.updated));
    let base = wallet.backend().public_base();
    let pages: Vec<Value> = pages
        .iter()
        .map(|p| {
            json!({"id": p.id, "title": p.title, "badges": p.badges, "public": p.public,
            "url": share::page_url(&base, &p.id)})
        })
        .collect();
    Ok(Json(json!({ "pages": pages })))
}

/// Makes a portfolio page (public ones make their badges public too).
pub(super) async fn create_page(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<PortfolioInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let wallet = wallet(&s);
    let page = wallet.backend().save_portfolio(None, input).await.map_err(failed)?;
    let url = share::page_url(&wallet.backend().public_base(), &page.id);
    Ok((StatusCode::CREATED, Json(json!({"id": page.id, "public": page.public, "url": url}))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BackupRequest {
    passphrase: String,
}

/// The whole wallet and the holder's key, encrypted with the passphrase (age, scrypt).
pub(super) async fn backup(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<BackupRequest>,
) -> Result<Response, ApiError> {
    let sealed = wallet(&s).backend().backup(r.passphrase).await.map_err(failed)?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], sealed).into_response())
}

/// Restores a backup (the body) with the passphrase in [`PASSPHRASE_HEADER`]: what this
/// wallet does not hold is added.
pub(super) async fn restore(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let passphrase = headers
        .get(PASSPHRASE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("the passphrase goes in the {PASSPHRASE_HEADER} header"),
            )
        })?;
    let restored = wallet(&s).backend().restore(body.to_vec(), passphrase).await.map_err(failed)?;
    Ok(Json(to_json(&restored)?))
}

fn percent_decode(text: &str) -> String {
    form_urlencoded::parse(format!("p={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
