//! Awards, one at a time or from a CSV, each offered to the recipient's node when it announced one.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Awards; when the recipient is a DID that announced a node, the credential is also offered to
/// that node's inbox (`"delivery": "offered"`), else it waits for the holder to fetch it.
pub(super) async fn award(
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
pub(super) struct BulkArgs {
    achievement: Option<String>,
}

pub(super) async fn bulk(
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
