//! Forms: the CSRF token the node's sign-in layer hands each request, and form bodies checked
//! against it before a handler sees them.

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::request::Parts,
};
use serde::de::DeserializeOwned;

use super::render::Problem;

/// The session's CSRF token, put in the request's extensions by the node's sign-in layer.
/// Without one the request did not come through that layer: every page refuses it.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Csrf {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Csrf>().cloned().ok_or_else(Problem::not_signed_in)
    }
}

/// Whether a submitted token is the session's, compared in constant time.
pub(crate) fn same(expected: &Csrf, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    !expected.0.is_empty() && bool::from(expected.0.as_bytes().ct_eq(given.as_bytes()))
}

/// A URL-encoded form whose `csrf` field is the session's; repeated fields (`id=a&id=b`)
/// become lists where `T` asks for them.
#[derive(Debug)]
pub(crate) struct Form<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let csrf = Csrf::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, super::MAX_UPLOAD_BYTES)
            .await
            .map_err(|_| Problem::invalid("the form is too large"))?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
        let given = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
        if !given.is_some_and(|g| same(&csrf, g)) {
            return Err(Problem::csrf());
        }
        let mut map = serde_json::Map::new();
        for (k, v) in pairs.into_iter().filter(|(k, _)| k != "csrf") {
            match map.get_mut(&k) {
                None => {
                    map.insert(k, serde_json::Value::String(v));
                }
                Some(serde_json::Value::Array(list)) => list.push(v.into()),
                Some(one) => *one = serde_json::Value::Array(vec![one.take(), v.into()]),
            }
        }
        serde_json::from_value(serde_json::Value::Object(map))
            .map(Form)
            .map_err(|e| Problem::invalid(&format!("the form is incomplete: {e}")))
    }
}
