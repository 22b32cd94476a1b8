//! The HTTP surfaces of a node, as one axum [`Router`]:
//! - [`admin`]: `/api/v1/…`, the operator's API (bearer token);
//! - [`vcapi`]: the W3C VC-API (`/credentials/issue` and `/credentials/status` need the token;
//!   the verify endpoints are open, as verifying needs no secret);
//! - [`public`]: status lists, achievement images, claim pages, shared credentials, health and
//!   metrics.
//!
//! Every error is JSON `{"code", "message"}` ([`error::ApiError`]). The router is built without
//! a socket, so tests drive it in-process; [`crate::daemon`] serves it.

pub mod admin;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod public;
pub mod vcapi;

use std::sync::Arc;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request, State},
    http::header,
    middleware::{self, Next},
    response::Response,
};

use crate::{config::Http, issuer::Issuer};
use error::ApiError;

/// The OpenAPI description of every route, served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("api/openapi.json");

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The issuer service.
    pub issuer: Issuer,
    /// The p2p network, when it runs.
    pub p2p: Option<crate::p2p::P2p>,
    /// The bearer token.
    pub token: Arc<str>,
    /// Request and domain metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// Body limits.
    pub limits: Limits,
    /// Oldest status list verification will use; `None`: no limit.
    pub max_list_age: Option<chrono::Duration>,
}

/// Body size limits per kind of route.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// JSON bodies.
    pub json: usize,
    /// Achievement images.
    pub image: usize,
    /// Bulk CSV.
    pub csv: usize,
}

impl From<&Http> for Limits {
    fn from(h: &Http) -> Self {
        Self { json: h.max_body_bytes, image: h.max_image_bytes, csv: h.max_csv_bytes }
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let guarded = admin::routes(&state.limits)
        .merge(vcapi::guarded_routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .merge(guarded)
        .merge(vcapi::open_routes())
        .merge(public::routes())
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(state.limits.json))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Refuses requests without the node's bearer token.
async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(t) if crate::token::matches(&state.token, t) => Ok(next.run(request).await),
        _ => Err(ApiError::unauthorized()),
    }
}
