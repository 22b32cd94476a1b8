//! Wallet sign-in: the node's token once, then a session cookie (`HttpOnly`,
//! `SameSite=Strict`, scoped to the wallet's path) with a CSRF token the wallet's forms carry
//! back. The wallet crate never sees the token or the session: this layer hands each request
//! only the session's CSRF token ([`Csrf`]).
//!
//! Sessions live in memory and end with the process (signing in again costs one paste of the
//! token); at most [`MAX_SESSIONS`] exist at once, the oldest going first, so nobody can grow
//! the table by signing in over and over.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use badgemesh_wallet::web::Csrf;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{AppState, error::ApiError, extract::RawBody};

/// Where the wallet is mounted.
pub const WALLET: &str = "/wallet";

/// The session cookie's name.
pub const COOKIE: &str = "badgemesh_wallet";

/// Most sessions at once.
pub const MAX_SESSIONS: usize = 32;

/// How long a session lasts without use.
pub const IDLE: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug)]
struct Session {
    csrf: String,
    last_used: Instant,
}

/// The open sessions, keyed by the SHA-256 of the cookie's value (a memory dump holds no
/// usable cookie).
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    open: Arc<Mutex<HashMap<String, Session>>>,
    /// Whether cookies get `Secure` (the node serves TLS).
    secure: bool,
}

fn key(cookie: &str) -> String {
    hex::encode(Sha256::digest(cookie.as_bytes()))
}

impl Sessions {
    /// Sessions whose cookies are `Secure` when `secure` (the node serves HTTPS).
    pub fn new(secure: bool) -> Self {
        Self { open: Arc::default(), secure }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic while the lock was held leaves nothing half-written (inserts and removes
        // are single calls), so the table is still sound.
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new session: its cookie value.
    pub fn open(&self) -> String {
        let cookie = crate::token::random_token();
        let mut table = self.table();
        table.retain(|_, s| s.last_used.elapsed() < IDLE);
        while table.len() >= MAX_SESSIONS {
            let oldest = table.iter().min_by_key(|(_, s)| s.last_used).map(|(k, _)| k.clone());
            match oldest {
                Some(k) => table.remove(&k),
                None => break,
            };
        }
        let session = Session { csrf: crate::token::random_token(), last_used: Instant::now() };
        table.insert(key(&cookie), session);
        cookie
    }

    /// The CSRF token of the session `cookie` names, refreshing its idle time.
    pub fn csrf(&self, cookie: &str) -> Option<String> {
        let mut table = self.table();
        let session = table.get_mut(&key(cookie))?;
        if session.last_used.elapsed() >= IDLE {
            table.remove(&key(cookie));
            return None;
        }
        session.last_used = Instant::now();
        Some(session.csrf.clone())
    }

    /// Ends the session `cookie` names.
    pub fn close(&self, cookie: &str) {
        self.table().remove(&key(cookie));
    }

    fn set_cookie(&self, value: &str, max_age: Option<i64>) -> HeaderValue {
        let mut c = cookie::Cookie::new(COOKIE, value.to_owned());
        c.set_http_only(true);
        c.set_same_site(cookie::SameSite::Strict);
        c.set_path(WALLET);
        c.set_secure(self.secure);
        if let Some(seconds) = max_age {
            c.set_max_age(cookie::time::Duration::seconds(seconds));
        }
        HeaderValue::from_str(&c.encoded().to_string()).unwrap_or(HeaderValue::from_static(""))
    }
}

/// The session cookie a request carries.
fn cookie_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_owned())
}

/// Sign-in and sign-out (open: they are how a session starts).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/wallet/signin", get(signin_page).post(signin))
        .route("/wallet/signout", post(signout))
}

const SIGNIN_PAGE: &str = include_str!("templates/signin.html");

async fn signin_page() -> Html<String> {
    Html(SIGNIN_PAGE.replace("{{ error }}", ""))
}

/// The form's `token`, compared in constant time with the node's.
async fn signin(State(s): State<AppState>, RawBody(body): RawBody) -> Response {
    let given = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(s.token.as_bytes())) {
        tracing::warn!("wallet sign-in with a wrong token");
        let error = r#"<p class="error" role="alert">That is not this node's token. Run <code>badgemesh token</code> on the node's machine to see it.</p>"#;
        return (StatusCode::UNAUTHORIZED, Html(SIGNIN_PAGE.replace("{{ error }}", error)))
            .into_response();
    }
    let cookie = s.sessions.open();
    let mut response = Redirect::to(WALLET).into_response();
    response.headers_mut().insert(header::SET_COOKIE, s.sessions.set_cookie(&cookie, None));
    response
}

async fn signout(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Response {
    let given = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if let Some(cookie) = cookie_of(&headers) {
        match s.sessions.csrf(&cookie) {
            Some(csrf) if bool::from(csrf.as_bytes().ct_eq(given.as_bytes())) => {
                s.sessions.close(&cookie);
            }
            Some(_) => {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "the sign-out form did not come from your wallet",
                )
                .into_response();
            }
            None => {}
        }
    }
    let mut response = Redirect::to(&format!("{WALLET}/signin")).into_response();
    response.headers_mut().insert(header::SET_COOKIE, s.sessions.set_cookie("", Some(0)));
    response
}

/// Middleware on the wallet's pages: a request with a live session gets its CSRF token;
/// without one, a page request is sent to sign in and anything else is refused.
pub async fn require_session(
    State(s): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let csrf = cookie_of(request.headers()).and_then(|c| s.sessions.csrf(&c));
    match csrf {
        Some(csrf) => {
            request.extensions_mut().insert(Csrf(csrf));
            next.run(request).await
        }
        None if request.method() == Method::GET => {
            Redirect::to(&format!("{WALLET}/signin")).into_response()
        }
        None => {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in to the wallet first")
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_bounded_and_end_when_closed() {
        let sessions = Sessions::new(false);
        let first = sessions.open();
        assert!(sessions.csrf(&first).is_some());
        let later: Vec<String> = (0..MAX_SESSIONS).map(|_| sessions.open()).collect();
        assert!(sessions.csrf(&first).is_none(), "the oldest session made room");
        assert!(sessions.csrf(&later[0]).is_some());
        sessions.close(&later[0]);
        assert!(sessions.csrf(&later[0]).is_none());
        assert!(sessions.csrf("made-up").is_none());
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_scoped_to_the_wallet() {
        let value = Sessions::new(true).set_cookie("abc", None);
        let text = value.to_str().unwrap();
        for part in
            ["badgemesh_wallet=abc", "HttpOnly", "SameSite=Strict", "Path=/wallet", "Secure"]
        {
            assert!(text.contains(part), "{text}");
        }
    }
}
