//! The issuer's profile and achievements (with their images).

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) async fn get_profile(State(s): State<AppState>) -> ApiResult<Json<Profile>> {
    Ok(Json(s.node.issuer().profile()?))
}

pub(super) async fn put_profile(
    State(s): State<AppState>,
    JsonBody(p): JsonBody<Profile>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(s.node.issuer().set_profile(p).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListAchievements {
    #[serde(default)]
    archived: bool,
}

pub(super) async fn list_achievements(
    State(s): State<AppState>,
    QueryArgs(q): QueryArgs<ListAchievements>,
) -> ApiResult<Json<Value>> {
    let items: Vec<AchievementRecord> =
        s.node.issuer().achievements()?.into_iter().filter(|a| q.archived || !a.archived).collect();
    Ok(Json(json!({ "items": items })))
}

pub(super) async fn create_achievement(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<AchievementInput>,
) -> ApiResult<(StatusCode, Json<AchievementRecord>)> {
    Ok((StatusCode::CREATED, Json(s.node.issuer().create_achievement(input).await?)))
}

pub(super) async fn get_achievement(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<AchievementRecord>> {
    Ok(Json(s.node.issuer().achievement(&id)?))
}

pub(super) async fn update_achievement(
    State(s): State<AppState>,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<AchievementInput>,
) -> ApiResult<Json<AchievementRecord>> {
    Ok(Json(s.node.issuer().update_achievement(&id, input).await?))
}

pub(super) async fn archive_achievement(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<AchievementRecord>> {
    Ok(Json(s.node.issuer().archive_achievement(&id).await?))
}

pub(super) async fn put_image(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawBody(bytes): RawBody,
) -> ApiResult<Json<AchievementRecord>> {
    Ok(Json(s.node.issuer().set_image(&id, bytes.to_vec()).await?))
}
