//! Security headers on every response, HTML, JSON and images alike.
//!
//! - `Content-Security-Policy`: no script from anywhere, no framing (`frame-ancestors 'none'`,
//!   so the claim page's one-time Accept button cannot be clickjacked), forms post only here,
//!   images from here or `data:`; inline style is allowed because pages carry their own CSS.
//!   Images get a policy of their own that also sandboxes them, so an SVG opened directly runs
//!   nothing even if something slipped past upload checks.
//! - `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`.
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (claim links are secrets
//!   in the path), `Cross-Origin-Opener-Policy: same-origin`.
//! - `Cache-Control: no-store` unless a handler chose a policy (status lists revalidate with
//!   their `ETag`).
//!
//! A handler's own value wins: the middleware only fills what is missing.

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// The policy for pages and JSON.
pub const PAGE_POLICY: &str = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy for images (SVG included).
pub const IMAGE_POLICY: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; \
     frame-ancestors 'none'; sandbox";

/// Middleware: fills in the security headers.
pub async fn secure(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    fill(response.headers_mut());
    response
}

fn fill(h: &mut HeaderMap) {
    let is_image = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("image/"));
    let policy = if is_image { IMAGE_POLICY } else { PAGE_POLICY };
    let defaults: [(HeaderName, &'static str); 6] = [
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in defaults {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_headers_are_filled_and_a_handlers_choice_is_kept() {
        let mut h = HeaderMap::new();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        fill(&mut h);
        assert_eq!(h[header::CACHE_CONTROL], "no-cache");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert!(
            h[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("frame-ancestors 'none'")
        );
    }

    #[test]
    fn images_are_sandboxed() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
        fill(&mut h);
        assert!(h[header::CONTENT_SECURITY_POLICY].to_str().unwrap().ends_with("sandbox"));
    }
}
