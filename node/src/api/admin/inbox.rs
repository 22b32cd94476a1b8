//! Credentials other nodes delivered to this node's DID, and the earner's answers.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Credentials other nodes delivered to this node's DID.
pub(super) async fn inbox(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "items": s.node.inbox()? })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InboxDecision {
    /// The credential's id.
    id: String,
}

pub(super) async fn inbox_accept(
    State(s): State<AppState>,
    JsonBody(d): JsonBody<InboxDecision>,
) -> ApiResult<Json<Value>> {
    inbox_decide(&s, d.id, true).await
}

pub(super) async fn inbox_refuse(
    State(s): State<AppState>,
    JsonBody(d): JsonBody<InboxDecision>,
) -> ApiResult<Json<Value>> {
    inbox_decide(&s, d.id, false).await
}

/// Records the earner's answer once and sends it back to the issuer's node.
pub(super) async fn inbox_decide(s: &AppState, id: String, accept: bool) -> ApiResult<Json<Value>> {
    let (item, told) = s.node.decide(id, accept).await?;
    Ok(Json(json!({"id": item.id, "state": item.state, "issuerTold": told})))
}
