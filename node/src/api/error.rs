//! HTTP errors: always a JSON body `{"code", "message"}`, with a stable machine code.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::Error;

/// Longest error message, in bytes.
pub const MAX_MESSAGE: usize = 600;

/// `message`, cut at a character boundary to [`MAX_MESSAGE`] bytes with an ellipsis.
fn cut(mut message: String) -> String {
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code (`unauthorized`, `malformed_json`, `not_found`, …).
    pub code: &'static str,
    /// For people.
    pub message: String,
}

impl ApiError {
    /// An error with the given parts.
    /// The message is cut to [`MAX_MESSAGE`] bytes: messages quote the input they refuse, and a
    /// 10 MB bad header must not come back whole.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: cut(message.into()) }
    }

    /// 401: missing or wrong bearer token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this endpoint needs the node's API token: Authorization: Bearer <token> (see `badgemesh token`)",
        )
    }

    /// 413.
    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body exceeds this endpoint's limit (config: http.max_*_bytes)",
        )
    }

    /// 400: the body is not JSON.
    pub fn malformed(e: &serde_json::Error) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not valid JSON: {e}"),
        )
    }

    /// 422: JSON of the wrong shape.
    pub fn invalid_body(e: &serde_json::Error) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("the body does not fit: {e}"),
        )
    }

    /// 500: a value of ours did not serialize (a bug; never answered as a 2xx with `null`).
    pub fn serialization(e: &serde_json::Error) -> Self {
        tracing::error!(error = %e, "response did not serialize");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the answer did not serialize: {e}"),
        )
    }

    /// 404 for a path no route serves.
    pub fn no_route() -> Self {
        Self::new(StatusCode::NOT_FOUND, "no_route", "no such endpoint (see /api/v1/openapi.json)")
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let (status, code) = match &e {
            Error::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Error::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Error::Credential(c) => (StatusCode::UNPROCESSABLE_ENTITY, c.code()),
            Error::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable"),
            Error::Mail(_) => (StatusCode::BAD_GATEWAY, "mail_failed"),
            Error::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
        }
        Self::new(status, code, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({"code": self.code, "message": self.message})))
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if self.code == "busy" {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response.extensions_mut().insert(ErrorCode(self.code));
        response
    }
}

/// The code of an error response, for the metrics layer.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub &'static str);

/// `value` as JSON, or a 500 naming the failure.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::serialization(&e))
}
