//! The operator's API under `/api/v1/` (bearer token; the router adds the guard), one module
//! per resource: `issuer` (profile, achievements), `awards`, `credentials`, `network`,
//! `inbox`, `wallet`.

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

mod awards;
mod credentials;
mod inbox;
mod issuer;
mod network;
mod wallet;

use awards::{award, bulk};
use credentials::{
    get_credential, list_credentials, revoke, set_public, status_lists, suspend, unsuspend,
};
use inbox::{inbox, inbox_accept, inbox_refuse};
use issuer::{
    archive_achievement, create_achievement, get_achievement, get_profile, list_achievements,
    put_image, put_profile, update_achievement,
};
use network::{
    announcements, block_peer, dial_peer, endorse, endorsements, held_lists, peers, unblock_peer,
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
        .route("/api/v1/wallet", get(wallet::list))
        .route("/api/v1/wallet/item", get(wallet::show))
        .route(
            "/api/v1/wallet/import",
            post(wallet::import)
                .layer(DefaultBodyLimit::max(badgemesh_wallet::import::MAX_FILE_BYTES)),
        )
        .route("/api/v1/wallet/present", post(wallet::present))
        .route("/api/v1/wallet/respond", post(wallet::respond))
        .route("/api/v1/wallet/bake", get(wallet::baked))
        .route("/api/v1/wallet/selfie", post(wallet::selfie))
        .route("/api/v1/wallet/publish", post(wallet::publish))
        .route("/api/v1/wallet/card", get(wallet::card))
        .route("/api/v1/wallet/pages", get(wallet::pages).post(wallet::create_page))
        .route("/api/v1/wallet/backup", post(wallet::backup))
        .route(
            "/api/v1/wallet/restore",
            post(wallet::restore)
                .layer(DefaultBodyLimit::max(badgemesh_wallet::backup::MAX_BACKUP_BYTES)),
        )
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
