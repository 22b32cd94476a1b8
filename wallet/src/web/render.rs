//! Rendering: the templates, pages and problems (errors) as responses. A problem is an HTML
//! page for a browser and `{"code", "message"}` JSON for anything else, with the same status.

use std::sync::OnceLock;

use axum::{
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use minijinja::{Environment, Value};

use crate::Error;

/// The templates, compiled once.
fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        for (name, source) in [
            ("base.html", include_str!("../../templates/base.html")),
            ("gallery.html", include_str!("../../templates/gallery.html")),
            ("inbox.html", include_str!("../../templates/inbox.html")),
            ("badge.html", include_str!("../../templates/badge.html")),
            ("import.html", include_str!("../../templates/import.html")),
            ("present.html", include_str!("../../templates/present.html")),
            ("error.html", include_str!("../../templates/error.html")),
            ("verify.html", include_str!("../../templates/verify.html")),
            ("selfie.html", include_str!("../../templates/selfie.html")),
            ("pages.html", include_str!("../../templates/pages.html")),
            ("public_badge.html", include_str!("../../templates/public_badge.html")),
            ("portfolio.html", include_str!("../../templates/portfolio.html")),
            ("_checks.html", include_str!("../../templates/_checks.html")),
            ("_facts.html", include_str!("../../templates/_facts.html")),
            ("_og.html", include_str!("../../templates/_og.html")),
        ] {
            // The templates are part of the binary; one that does not parse fails every test.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "wallet template does not parse");
            }
        }
        env
    })
}

/// A rendered page, or the problem that stopped it.
#[derive(Debug)]
pub struct Page(pub Html<String>);

impl Page {
    /// Renders `template` with `context` (which carries `base`, `csrf`, `page`…).
    pub fn render(template: &str, context: Value) -> Result<Self, Problem> {
        let rendered = templates()
            .get_template(template)
            .and_then(|t| t.render(context))
            .map_err(|e| Problem::internal(&format!("page {template}: {e:#}")))?;
        Ok(Self(Html(rendered)))
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

/// An error as the wallet answers it.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Problem {
    fn new(status: StatusCode, code: &'static str, message: &str) -> Self {
        // Messages may quote input; a page shows a few hundred characters of it at most.
        let mut message = message.to_owned();
        if message.len() > 600 {
            let cut = (0..=600).rev().find(|i| message.is_char_boundary(*i)).unwrap_or(0);
            message.truncate(cut);
            message.push('…');
        }
        Self { status, code, message }
    }

    /// Bad input.
    pub fn invalid(message: &str) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    /// A form without the session's CSRF token.
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "This form is out of date or did not come from your wallet. Nothing was changed; reload the page and try again.",
        )
    }

    /// No session (the request did not pass the node's sign-in layer).
    pub fn not_signed_in() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "Sign in to your wallet first.")
    }

    /// A failure of ours.
    pub fn internal(message: &str) -> Self {
        tracing::error!(message, "wallet page failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on this node; nothing was changed.",
        )
    }
}

/// What a problem said, kept on its JSON response so that [`negotiate`] can show it as a page.
#[derive(Debug, Clone)]
struct Shown {
    status: StatusCode,
    message: String,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response =
            axum::Json(serde_json::json!({"code": self.code, "message": self.message}))
                .into_response();
        *response.status_mut() = self.status;
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response.extensions_mut().insert(Shown { status: self.status, message: self.message });
        response
    }
}

/// Middleware: a problem answered to a browser (`Accept: text/html`) becomes a page with the
/// same status and message; everything else passes as it is.
pub(crate) async fn negotiate(base: String, request: Request, next: Next) -> Response {
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let response = next.run(request).await;
    let Some(shown) = response.extensions().get::<Shown>().cloned().filter(|_| wants_html) else {
        return response;
    };
    let title = match shown.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::UNAUTHORIZED => "Sign in first",
        StatusCode::UNPROCESSABLE_ENTITY => "That did not work",
        StatusCode::CONFLICT => "Already done",
        StatusCode::SERVICE_UNAVAILABLE => "Busy",
        _ => "Something went wrong",
    };
    let context = minijinja::context! { title, message => shown.message, base, signed_in => false };
    let mut page = match Page::render("error.html", context) {
        Ok(page) => page.into_response(),
        Err(_) => shown.message.into_response(),
    };
    *page.status_mut() = shown.status;
    let retry = response.headers().get(header::RETRY_AFTER).cloned();
    if let Some(retry) = retry {
        page.headers_mut().insert(header::RETRY_AFTER, retry);
    }
    page
}

impl From<Error> for Problem {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        match e {
            Error::Invalid(_) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &message),
            Error::NotFound(_) => Self::new(StatusCode::NOT_FOUND, "not_found", &message),
            Error::Conflict(_) => Self::new(StatusCode::CONFLICT, "conflict", &message),
            Error::Busy(_) => Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", &message),
            Error::Backend(_) => Self::internal(&message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_renders_with_an_empty_wallet_and_with_a_badge() {
        let card = minijinja::context! { id => "urn:uuid:1", name => "Welding", issuer => "Example U",
        image => "/wallet/default-badge.svg", tags => vec!["metal"], self_issued => false,
        origin => "imported" };
        for items in [Vec::new(), vec![card]] {
            for name in [
                "gallery.html",
                "inbox.html",
                "import.html",
                "present.html",
                "selfie.html",
                "verify.html",
                "pages.html",
                "portfolio.html",
            ] {
                let context = minijinja::context! { base => "/wallet", csrf => "t", signed_in => true,
                page => name, items => items.clone(), q => "", done => "", outcomes => Vec::<String>::new(),
                expiring => Vec::<String>::new(), chosen => Vec::<String>::new(), challenge => "",
                domain => "", pending => 1, form => minijinja::context! {}, title => "Welding",
                og => minijinja::context! { title => "Welding", url => "https://n/p/x" },
                badges => Vec::<String>::new(), portfolios => Vec::<String>::new() };
                let page = Page::render(name, context);
                assert!(page.is_ok(), "{name}: {page:?}");
            }
        }
    }
}
