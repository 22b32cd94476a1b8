//! Issued credentials: lists and filters, revoke, suspend, unsuspend, public or not; this issuer's status lists.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) async fn list_credentials(
    State(s): State<AppState>,
    QueryArgs(filter): QueryArgs<Filter>,
) -> ApiResult<Json<Value>> {
    let (items, next) = s.node.issuer().credentials(&filter)?;
    Ok(Json(json!({ "items": items, "next": next })))
}

pub(super) async fn get_credential(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<CredentialRecord>> {
    Ok(Json(s.node.issuer().credential(&id)?))
}

/// Body of revoke/suspend/unsuspend (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Reason {
    #[serde(default)]
    reason: Option<String>,
}

pub(super) async fn change(
    s: &AppState,
    id: &str,
    change: Change,
    body: &[u8],
) -> ApiResult<Json<CredentialRecord>> {
    let reason: Reason = if body.iter().all(u8::is_ascii_whitespace) {
        Reason::default()
    } else {
        crate::api::extract::parse_json(body)?
    };
    Ok(Json(s.node.issuer().change(id, change, reason.reason).await?))
}

pub(super) async fn revoke(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<CredentialRecord>> {
    change(&s, &id, Change::Revoke, &body).await
}

pub(super) async fn suspend(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<CredentialRecord>> {
    change(&s, &id, Change::Suspend, &body).await
}

pub(super) async fn unsuspend(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<CredentialRecord>> {
    change(&s, &id, Change::Unsuspend, &body).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Public {
    public: bool,
}

pub(super) async fn set_public(
    State(s): State<AppState>,
    Path(id): Path<String>,
    JsonBody(p): JsonBody<Public>,
) -> ApiResult<Json<CredentialRecord>> {
    Ok(Json(s.node.issuer().set_public(&id, p.public).await?))
}

pub(super) async fn status_lists(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let lists: Vec<Value> = s
        .node
        .issuer()
        .status_lists()?
        .into_iter()
        .map(|l| json!({"name": l.name, "purpose": l.purpose, "url": l.url, "version": l.version, "updated": l.updated}))
        .collect();
    Ok(Json(json!({ "items": lists })))
}
