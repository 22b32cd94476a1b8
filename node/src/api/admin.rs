//! The operator's API under `/api/v1/` (bearer token; the router adds the guard).

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Path, State},
    http::StatusCode,
    routing::{get, post, put},
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    AppState, Limits,
    error::{ApiError, to_json},
    extract::{JsonBody, QueryArgs, RawBody},
};
use crate::{
    issuer::{BulkReport, achievement::AchievementInput, award::AwardRequest, profile::Profile},
    store::{
        achievements::AchievementRecord,
        credentials::{Change, CredentialRecord, Filter},
        held::Kind,
    },
};

type ApiResult<T> = Result<T, ApiError>;

/// The admin routes; image and CSV uploads get their own body limits.
pub fn routes(limits: &Limits) -> Router<AppState> {
    Router::new()
        .route("/api/v1/node", get(node))
        .route("/api/v1/profile", get(get_profile).put(put_profile))
        .route("/api/v1/achievements", get(list_achievements).post(create_achievement))
        .route("/api/v1/achievements/{id}", get(get_achievement).put(update_achievement))
        .route("/api/v1/achievements/{id}/archive", post(archive_achievement))
        .route(
            "/api/v1/achievements/{id}/image",
            put(put_image).layer(DefaultBodyLimit::max(limits.image)),
        )
        .route("/api/v1/awards", post(award))
        .route("/api/v1/awards/bulk", post(bulk).layer(DefaultBodyLimit::max(limits.csv)))
        .route("/api/v1/credentials", get(list_credentials))
        .route("/api/v1/credentials/{id}", get(get_credential))
        .route("/api/v1/credentials/{id}/revoke", post(revoke))
        .route("/api/v1/credentials/{id}/suspend", post(suspend))
        .route("/api/v1/credentials/{id}/unsuspend", post(unsuspend))
        .route("/api/v1/credentials/{id}/public", put(set_public))
        .route("/api/v1/status-lists", get(status_lists))
        .route("/api/v1/peers", get(peers))
        .route("/api/v1/peers/block", post(block_peer))
        .route("/api/v1/peers/unblock", post(unblock_peer))
        .route("/api/v1/peers/dial", post(dial_peer))
        .route("/api/v1/held-lists", get(held_lists))
        .route("/api/v1/announcements", get(announcements))
        .route("/api/v1/inbox", get(inbox))
        .route("/api/v1/inbox/accept", post(inbox_accept))
        .route("/api/v1/inbox/refuse", post(inbox_refuse))
        .route("/api/v1/endorsements", get(endorsements).post(endorse))
}

async fn node(State(s): State<AppState>) -> Json<Value> {
    Json(json!({
        "did": s.node.issuer().did(),
        "publicUrl": s.node.issuer().base(),
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

async fn get_profile(State(s): State<AppState>) -> ApiResult<Json<Profile>> {
    Ok(Json(s.node.issuer().profile()?))
}

async fn put_profile(
    State(s): State<AppState>,
    JsonBody(p): JsonBody<Profile>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(s.node.issuer().set_profile(p).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListAchievements {
    #[serde(default)]
    archived: bool,
}

async fn list_achievements(
    State(s): State<AppState>,
    QueryArgs(q): QueryArgs<ListAchievements>,
) -> ApiResult<Json<Value>> {
    let items: Vec<AchievementRecord> =
        s.node.issuer().achievements()?.into_iter().filter(|a| q.archived || !a.archived).collect();
    Ok(Json(json!({ "items": items })))
}

async fn create_achievement(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<AchievementInput>,
) -> ApiResult<(StatusCode, Json<AchievementRecord>)> {
    Ok((StatusCode::CREATED, Json(s.node.issuer().create_achievement(input).await?)))
}

async fn get_achievement(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<AchievementRecord>> {
    Ok(Json(s.node.issuer().achievement(&id)?))
}

async fn update_achievement(
    State(s): State<AppState>,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<AchievementInput>,
) -> ApiResult<Json<AchievementRecord>> {
    Ok(Json(s.node.issuer().update_achievement(&id, input).await?))
}

async fn archive_achievement(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<AchievementRecord>> {
    Ok(Json(s.node.issuer().archive_achievement(&id).await?))
}

async fn put_image(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawBody(bytes): RawBody,
) -> ApiResult<Json<AchievementRecord>> {
    Ok(Json(s.node.issuer().set_image(&id, bytes.to_vec()).await?))
}

/// Awards; when the recipient is a DID that announced a node, the credential is also offered to
/// that node's inbox (`"delivery": "offered"`), else it waits for the holder to fetch it.
async fn award(
    State(s): State<AppState>,
    JsonBody(request): JsonBody<AwardRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (awarded, delivery) = s.node.award_and_deliver(request).await?;
    if !awarded.existing {
        s.metrics.awards.inc();
    }
    let mut body = to_json(&awarded)?;
    body["delivery"] = json!(delivery.as_str());
    Ok((StatusCode::CREATED, Json(body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkArgs {
    achievement: Option<String>,
}

async fn bulk(
    State(s): State<AppState>,
    QueryArgs(q): QueryArgs<BulkArgs>,
    RawBody(bytes): RawBody,
) -> ApiResult<Json<BulkReport>> {
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("the CSV is not UTF-8: {e}"),
        )
    })?;
    let report = s.node.bulk_and_deliver(text, q.achievement.as_deref()).await?;
    s.metrics.awards.inc_by(report.awarded.len() as u64);
    Ok(Json(report))
}

async fn list_credentials(
    State(s): State<AppState>,
    QueryArgs(filter): QueryArgs<Filter>,
) -> ApiResult<Json<Value>> {
    let (items, next) = s.node.issuer().credentials(&filter)?;
    Ok(Json(json!({ "items": items, "next": next })))
}

async fn get_credential(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<CredentialRecord>> {
    Ok(Json(s.node.issuer().credential(&id)?))
}

/// Body of revoke/suspend/unsuspend (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Reason {
    #[serde(default)]
    reason: Option<String>,
}

async fn change(
    s: &AppState,
    id: &str,
    change: Change,
    body: &[u8],
) -> ApiResult<Json<CredentialRecord>> {
    let reason: Reason = if body.iter().all(u8::is_ascii_whitespace) {
        Reason::default()
    } else {
        super::extract::parse_json(body)?
    };
    Ok(Json(s.node.issuer().change(id, change, reason.reason).await?))
}

async fn revoke(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<CredentialRecord>> {
    change(&s, &id, Change::Revoke, &body).await
}

async fn suspend(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<CredentialRecord>> {
    change(&s, &id, Change::Suspend, &body).await
}

async fn unsuspend(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<CredentialRecord>> {
    change(&s, &id, Change::Unsuspend, &body).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Public {
    public: bool,
}

async fn set_public(
    State(s): State<AppState>,
    Path(id): Path<String>,
    JsonBody(p): JsonBody<Public>,
) -> ApiResult<Json<CredentialRecord>> {
    Ok(Json(s.node.issuer().set_public(&id, p.public).await?))
}

async fn status_lists(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let lists: Vec<Value> = s
        .node
        .issuer()
        .status_lists()?
        .into_iter()
        .map(|l| json!({"name": l.name, "purpose": l.purpose, "url": l.url, "version": l.version, "updated": l.updated}))
        .collect();
    Ok(Json(json!({ "items": lists })))
}

async fn peers(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let info = p2p_of(&s)?.info().await?;
    Ok(Json(to_json(&info)?))
}

/// Status lists held for verification (everyone's, as gossiped), without their bits.
async fn held_lists(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = s
        .node
        .held(Kind::StatusList)?
        .into_iter()
        .map(|h| json!({"id": h.id, "issuer": h.issuer, "validFrom": h.valid_from, "received": h.received}))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// Node announcements held (every DID whose node this one has heard of).
async fn announcements(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = s
        .node
        .held(Kind::Announcement)?
        .into_iter()
        .map(|h| json!({"did": h.id, "validFrom": h.valid_from, "received": h.received, "credential": h.credential}))
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndorsementQuery {
    /// Only endorsements of this subject (an achievement, issuer or credential id).
    subject: Option<String>,
}

/// Endorsements held (gossiped, and this node's own).
async fn endorsements(
    State(s): State<AppState>,
    QueryArgs(q): QueryArgs<EndorsementQuery>,
) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = s
        .node
        .held(Kind::Endorsement)?
        .into_iter()
        .filter(|h| {
            q.subject
                .as_ref()
                .is_none_or(|sub| h.credential["credentialSubject"]["id"] == sub.as_str())
        })
        .map(|h| h.credential)
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndorseRequest {
    /// An unsigned OB 3.0 `EndorsementCredential`.
    credential: Value,
}

/// Signs an endorsement as this node's DID, holds it and gossips it.
async fn endorse(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<EndorseRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let signed = s.node.endorse(&req.credential).await?;
    Ok((StatusCode::CREATED, Json(signed)))
}

/// Credentials other nodes delivered to this node's DID.
async fn inbox(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "items": s.node.inbox()? })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InboxDecision {
    /// The credential's id.
    id: String,
}

async fn inbox_accept(
    State(s): State<AppState>,
    JsonBody(d): JsonBody<InboxDecision>,
) -> ApiResult<Json<Value>> {
    inbox_decide(&s, d.id, true).await
}

async fn inbox_refuse(
    State(s): State<AppState>,
    JsonBody(d): JsonBody<InboxDecision>,
) -> ApiResult<Json<Value>> {
    inbox_decide(&s, d.id, false).await
}

/// Records the earner's answer once and sends it back to the issuer's node.
async fn inbox_decide(s: &AppState, id: String, accept: bool) -> ApiResult<Json<Value>> {
    let (item, told) = s.node.decide(id, accept).await?;
    Ok(Json(json!({"id": item.id, "state": item.state, "issuerTold": told})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PeerRef {
    peer_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DialRef {
    address: String,
}

fn p2p_of(s: &AppState) -> ApiResult<&crate::p2p::P2p> {
    s.node.p2p().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "p2p_disabled",
            "this node runs without the p2p network ([p2p] enabled = false or --no-p2p)",
        )
    })
}

/// Cuts a peer off (existing connections closed, new ones refused).
async fn block_peer(
    State(s): State<AppState>,
    JsonBody(p): JsonBody<PeerRef>,
) -> ApiResult<Json<Value>> {
    p2p_of(&s)?.block(&p.peer_id, true).await?;
    Ok(Json(json!({"peerId": p.peer_id, "blocked": true})))
}

/// Lifts a block.
async fn unblock_peer(
    State(s): State<AppState>,
    JsonBody(p): JsonBody<PeerRef>,
) -> ApiResult<Json<Value>> {
    p2p_of(&s)?.block(&p.peer_id, false).await?;
    Ok(Json(json!({"peerId": p.peer_id, "blocked": false})))
}

/// Dials a peer address now.
async fn dial_peer(
    State(s): State<AppState>,
    JsonBody(d): JsonBody<DialRef>,
) -> ApiResult<Json<Value>> {
    p2p_of(&s)?.dial(&d.address).await?;
    Ok(Json(json!({"address": d.address})))
}
