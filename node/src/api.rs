//! The HTTP surfaces of a node, as one axum [`Router`]:
//! - [`admin`]: `/api/v1/…`, the operator's API (bearer token);
//! - [`vcapi`]: the W3C VC-API (`/credentials/issue` and `/credentials/status` need the token;
//!   the verify endpoints are open, as verifying needs no secret);
//! - [`public`]: status lists, achievement images, claim pages, shared credentials, health;
//! - `/metrics` (token: issuance volume is the operator's business);
//! - `/wallet/…`: the earner's wallet pages ([`badgemesh_wallet::web`]) behind the sign-in of
//!   [`session`].
//!
//! Every response carries the security headers of [`headers`]; every error is JSON
//! `{"code", "message"}` ([`error::ApiError`]), oversize targets and headers included. The router is built without
//! a socket, so tests drive it in-process; [`crate::daemon`] serves it.

pub mod admin;
pub mod error;
pub mod exchanges;
pub mod extract;
pub mod headers;
pub mod metrics;
pub mod oid4vci;
pub mod oid4vp;
pub mod public;
pub mod session;
pub mod vcapi;

use std::sync::Arc;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request, State},
    http::header,
    middleware::{self, Next},
    response::Response,
};

use crate::{config::Http, node::NodeHandle};
use error::ApiError;

/// The OpenAPI description of every route, served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("api/openapi.json");

/// What every handler can reach: the node's operations, and the HTTP layer's own settings.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The running node.
    pub node: NodeHandle,
    /// The bearer token.
    pub token: Arc<str>,
    /// Request and domain metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// Body limits.
    pub limits: Limits,
    /// Wallet sessions.
    pub sessions: session::Sessions,
    /// Nonces given to wallets for their proofs of possession (OID4VCI).
    pub nonces: Arc<crate::exchange::nonces::Nonces>,
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

/// Longest request target the router takes (`414` beyond, as JSON). Every route's path and
/// query fit in a small fraction of it.
pub const MAX_URI_BYTES: usize = 8 << 10;

/// Largest total of request header names and values (`431` beyond, as JSON).
pub const MAX_HEADER_BYTES: usize = 16 << 10;

/// Longest a client may take to send a request body.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Renders one of the node's own page templates, HTML-escaping every value.
fn html_page(
    template: &str,
    context: minijinja::Value,
) -> Result<axum::response::Html<String>, ApiError> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.render_str(template, context)
        .map(axum::response::Html)
        .map_err(|e| ApiError::from(crate::Error::Internal(e.to_string())))
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let guarded = admin::routes(&state.limits)
        .merge(vcapi::guarded_routes())
        .merge(oid4vci::admin_routes())
        .merge(oid4vp::admin_routes())
        .route("/metrics", axum::routing::get(metrics::serve))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    let wallet = badgemesh_wallet::Wallet::new(crate::wallet::NodeWallet::new(state.node.clone()));
    let wallet = badgemesh_wallet::web::router(wallet, session::WALLET)
        .route_layer(middleware::from_fn_with_state(state.clone(), session::require_session));
    Router::new()
        .merge(guarded)
        .nest(session::WALLET, wallet)
        .merge(badgemesh_wallet::web::verify_router(
            badgemesh_wallet::Wallet::new(crate::wallet::NodeWallet::new(state.node.clone())),
            "",
        ))
        .merge(badgemesh_wallet::web::public_router(
            badgemesh_wallet::Wallet::new(crate::wallet::NodeWallet::new(state.node.clone())),
            "",
        ))
        .merge(session::routes())
        .merge(vcapi::open_routes())
        .merge(public::routes())
        .merge(oid4vci::routes())
        .merge(exchanges::routes())
        .merge(oid4vp::routes())
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(state.limits.json))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(middleware::from_fn(request_size))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(middleware::from_fn(headers::secure))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(trace_span))
        .with_state(state)
}

/// The request's span: method and path, with the secret part of claim links masked and never
/// the query string.
fn trace_span(request: &Request) -> tracing::Span {
    let path = loggable_path(request.uri().path());
    tracing::debug_span!("request", method = %request.method(), %path)
}

/// `path` with a claim link's token replaced by `…`: the token is a bearer secret.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/claim/") {
        Some(rest) => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            format!("/claim/…{tail}").into()
        }
        None => path.into(),
    }
}

/// Refuses oversize request targets and headers with JSON errors, well below the point where
/// hyper would answer with an empty body ([`crate::server::Limits::max_head_bytes`]).
async fn request_size(request: Request, next: Next) -> Result<Response, ApiError> {
    let uri = request.uri().to_string().len();
    if uri > MAX_URI_BYTES {
        return Err(ApiError::new(
            axum::http::StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request target is {uri} bytes; the limit is {MAX_URI_BYTES}"),
        ));
    }
    let headers: usize = request.headers().iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if headers > MAX_HEADER_BYTES {
        return Err(ApiError::new(
            axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("the request headers are {headers} bytes; the limit is {MAX_HEADER_BYTES}"),
        ));
    }
    Ok(next.run(request).await)
}

/// Refuses requests without the node's bearer token.
async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented =
        request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(bearer);
    match presented {
        Some(t) if crate::token::matches(&state.token, t) => Ok(next.run(request).await),
        _ => Err(ApiError::unauthorized()),
    }
}

/// The token of an `Authorization: Bearer …` value; the scheme is case-insensitive (RFC 7235).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{bearer, loggable_path};

    #[test]
    fn claim_tokens_never_reach_the_log() {
        assert_eq!(loggable_path("/claim/s3cret/accept"), "/claim/…/accept");
        assert_eq!(loggable_path("/claim/s3cret"), "/claim/…");
        assert_eq!(loggable_path("/status/1"), "/status/1");
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("BEARER  abc "), Some("abc"));
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearerabc"), None);
    }
}
