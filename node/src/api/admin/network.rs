//! The p2p network: peers (block, unblock, dial), held status lists and announcements, endorsements.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) async fn peers(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let info = p2p_of(&s)?.info().await?;
    Ok(Json(to_json(&info)?))
}

/// Status lists held for verification (everyone's, as gossiped), without their bits.
pub(super) async fn held_lists(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = s
        .node
        .held(Kind::StatusList)?
        .into_iter()
        .map(|h| json!({"id": h.id, "issuer": h.issuer, "validFrom": h.valid_from, "received": h.received}))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// Node announcements held (every DID whose node this one has heard of).
pub(super) async fn announcements(State(s): State<AppState>) -> ApiResult<Json<Value>> {
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
pub(super) struct EndorsementQuery {
    /// Only endorsements of this subject (an achievement, issuer or credential id).
    subject: Option<String>,
}

/// Endorsements held (gossiped, and this node's own).
pub(super) async fn endorsements(
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
pub(super) struct EndorseRequest {
    /// An unsigned OB 3.0 `EndorsementCredential`.
    credential: Value,
}

/// Signs an endorsement as this node's DID, holds it and gossips it.
pub(super) async fn endorse(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<EndorseRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let signed = s.node.endorse(&req.credential).await?;
    Ok((StatusCode::CREATED, Json(signed)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct PeerRef {
    peer_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DialRef {
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
pub(super) async fn block_peer(
    State(s): State<AppState>,
    JsonBody(p): JsonBody<PeerRef>,
) -> ApiResult<Json<Value>> {
    p2p_of(&s)?.block(&p.peer_id, true).await?;
    Ok(Json(json!({"peerId": p.peer_id, "blocked": true})))
}

/// Lifts a block.
pub(super) async fn unblock_peer(
    State(s): State<AppState>,
    JsonBody(p): JsonBody<PeerRef>,
) -> ApiResult<Json<Value>> {
    p2p_of(&s)?.block(&p.peer_id, false).await?;
    Ok(Json(json!({"peerId": p.peer_id, "blocked": false})))
}

/// Dials a peer address now.
pub(super) async fn dial_peer(
    State(s): State<AppState>,
    JsonBody(d): JsonBody<DialRef>,
) -> ApiResult<Json<Value>> {
    p2p_of(&s)?.dial(&d.address).await?;
    Ok(Json(json!({"address": d.address})))
}
