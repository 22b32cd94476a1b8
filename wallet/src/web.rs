//! The wallet's pages: server-rendered HTML over [`crate::Wallet`], working without
//! JavaScript. The node nests [`router`] under its wallet prefix behind its own sign-in, which
//! puts the session's CSRF token in each request ([`Csrf`]); every form carries it back and a
//! form without it changes nothing.

mod forms;
mod pages;
mod render;
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
        .route("/import", get(pages::import_form::<B>).post(pages::import::<B>))
        .route("/present", get(pages::present_form::<B>).post(pages::present::<B>))
        .route("/present/download", post(pages::present_download::<B>))
        .route("/selfie", get(pages::selfie_form::<B>).post(pages::selfie::<B>));
    finish(routes, wallet, base, MAX_UPLOAD_BYTES)
}
