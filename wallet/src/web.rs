//! The wallet's pages: server-rendered HTML over [`crate::Wallet`], working without
//! JavaScript. The node nests [`router`] under its wallet prefix behind its own sign-in, which
//! puts the session's CSRF token in each request ([`Csrf`]); every form carries it back and a
//! form without it changes nothing.

mod forms;
mod pages;
mod public;
mod render;
mod show;
mod verify;

use axum::{
    Router,
    routing::{get, post},
};

pub use forms::Csrf;
pub use render::Page;

use crate::{WalletBackend, ops::Wallet};

/// Largest upload to the import form (files and pasted text together).
pub const MAX_UPLOAD_BYTES: usize = 8 << 20;

/// The public verification page, `GET` and `POST {base}/verify`: for anyone, no session.
pub fn verify_router<B: WalletBackend, S: Clone + Send + Sync + 'static>(
    wallet: Wallet<B>,
    base: &str,
) -> Router<S> {
    let path = format!("{}/verify", base.trim_end_matches('/'));
    let routes = Router::new().route(&path, get(verify::form::<B>).post(verify::verify::<B>));
    finish(routes, wallet, base, crate::import::MAX_FILE_BYTES + (64 << 10))
}

/// The public badge and portfolio pages (`{base}/b/{share}`, `{base}/p/{id}`): for anyone, no
/// session, read only.
pub fn public_router<B: WalletBackend, S: Clone + Send + Sync + 'static>(
    wallet: Wallet<B>,
    base: &str,
) -> Router<S> {
    let at = |path: &str| format!("{}{path}", base.trim_end_matches('/'));
    let badge = at(crate::share::BADGE_PATH);
    let routes = Router::new()
        .route(&format!("{badge}/{{share}}"), get(public::badge::<B>))
        .route(&format!("{badge}/{{share}}/badge.png"), get(public::badge_png::<B>))
        .route(&format!("{badge}/{{share}}/credential"), get(public::credential::<B>))
        .route(&format!("{}/{{id}}", at(crate::share::PAGE_PATH)), get(public::portfolio::<B>));
    finish(routes, wallet, base, 0)
}

/// Binds the wallet's state to `routes`, with the body limit and the problem pages.
fn finish<B: WalletBackend, S: Clone + Send + Sync + 'static>(
    routes: Router<Shared<B>>,
    wallet: Wallet<B>,
    base: &str,
    body_limit: usize,
) -> Router<S> {
    let shared = Shared { wallet, base: base.trim_end_matches('/').to_owned() };
    let prefix = shared.base.clone();
    routes
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(move |req, next| {
            render::negotiate(prefix.clone(), req, next)
        }))
        .with_state(shared)
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct Shared<B> {
    /// The wallet.
    pub wallet: Wallet<B>,
    /// Where the router is mounted (`/wallet`), for links and form actions.
    pub base: String,
}

/// The wallet's routes, to be nested at `base` behind the node's sign-in layer (in a router of
/// any state `S`: the wallet's own state is bound here).
pub fn router<B: WalletBackend, S: Clone + Send + Sync + 'static>(
    wallet: Wallet<B>,
    base: &str,
) -> Router<S> {
    let routes = Router::new()
        .route("/", get(pages::gallery::<B>))
        .route("/inbox", get(pages::inbox::<B>))
        .route("/badge", get(pages::badge::<B>))
        .route("/badge/accept", post(pages::accept::<B>))
        .route("/badge/refuse", post(pages::refuse::<B>))
        .route("/badge/tags", post(pages::tags::<B>))
        .route("/badge/download", get(pages::download::<B>))
        .route("/default-badge.svg", get(pages::default_badge))
        .route("/import.js", get(pages::import_script))
        .route("/import", get(pages::import_form::<B>).post(pages::import::<B>))
        .route("/present", get(pages::present_form::<B>).post(pages::present::<B>))
        .route("/present/download", post(pages::present_download::<B>))
        .route("/selfie", get(pages::selfie_form::<B>).post(pages::selfie::<B>))
        .route("/badge/publish", post(show::publish::<B>))
        .route("/badge/card", get(show::card::<B>))
        .route("/pages", get(show::pages::<B>).post(show::create_page::<B>))
        .route("/pages/publish", post(show::publish_page::<B>))
        .route("/pages/delete", post(show::delete_page::<B>));
    finish(routes, wallet, base, MAX_UPLOAD_BYTES)
}
