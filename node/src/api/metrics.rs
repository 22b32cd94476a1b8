//! Prometheus metrics: requests by route and status, latency by route, awards, verifications
//! by outcome, errors by code. Served as text at `/metrics`.

use std::{sync::Mutex, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use prometheus_client::{
    encoding::text::encode,
    metrics::{counter::Counter, family::Family, histogram::Histogram},
    registry::Registry,
};

use super::{AppState, error::ErrorCode};

type Labels = Vec<(&'static str, String)>;

/// Every metric of the node.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<Labels, Counter>,
    latency: Family<Labels, Histogram>,
    errors: Family<Labels, Counter>,
    /// Credentials awarded (single and bulk).
    pub awards: Counter,
    verifications: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<Labels, Counter>::default();
        let latency = Family::<Labels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0])
        });
        let errors = Family::<Labels, Counter>::default();
        let awards = Counter::default();
        let verifications = Family::<Labels, Counter>::default();
        let mut registry = Registry::with_prefix("badgemesh");
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP latency by route",
            latency.clone(),
        );
        registry.register("http_errors", "Error answers by code", errors.clone());
        registry.register("awards", "Credentials awarded", awards.clone());
        registry.register("verifications", "Verifications by outcome", verifications.clone());
        Self { registry: Mutex::new(registry), requests, latency, errors, awards, verifications }
    }
}

impl Metrics {
    /// Counts one verification.
    pub fn verified(&self, outcome: &str) {
        self.verifications.get_or_create(&vec![("outcome", outcome.to_owned())]).inc();
    }

    /// The OpenMetrics text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &registry);
        out
    }
}

/// `GET /metrics` (behind the token).
pub async fn serve(State(s): State<AppState>) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.metrics.render(),
    )
}

/// Middleware: counts and times every request under its route template (never the raw path,
/// which would make one series per credential id).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let m = &state.metrics;
    let status = response.status().as_u16().to_string();
    m.requests
        .get_or_create(&vec![("method", method), ("route", route.clone()), ("status", status)])
        .inc();
    m.latency.get_or_create(&vec![("route", route)]).observe(started.elapsed().as_secs_f64());
    if let Some(ErrorCode(code)) = response.extensions().get::<ErrorCode>() {
        m.errors.get_or_create(&vec![("code", (*code).to_owned())]).inc();
    }
    response
}
