//! The earner's side of showing badges: making a badge public or private, its printable card,
//! and portfolio pages (made, changed, published, deleted). What the world then sees is
//! [`super::public`].

use axum::{
    extract::{Query, State},
    response::{Redirect, Response},
};
use minijinja::context;
use serde::Deserialize;
use vc_schemas::model::OneOrMany;

use super::{
    Shared,
    forms::{Csrf, Form},
    pages::{attachment, choices, encode, file_stem, pending},
    render::{Page, Problem},
};
use crate::{
    WalletBackend,
    ops::CardFormat,
    share::{self, PortfolioInput},
};

#[derive(Debug, Deserialize)]
pub(super) struct PublishForm {
    id: String,
    public: String,
}

/// Whether a form's `public` field says yes.
fn yes(value: &str) -> Result<bool, Problem> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(Problem::invalid(&format!("public is true or false, not {other:?}"))),
    }
}

pub(super) async fn publish<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Form(form): Form<PublishForm>,
) -> Result<Redirect, Problem> {
    let public = yes(&form.public)?;
    let item = s.wallet.publish(&form.id, public).await?;
    let done = if public { "public" } else { "private" };
    Ok(Redirect::to(&format!("{}/badge?id={}&done={done}", s.base, encode(&item.id))))
}

#[derive(Debug, Deserialize)]
pub(super) struct CardQuery {
    id: String,
    format: String,
    #[serde(default)]
    name: String,
}

pub(super) async fn card<B: WalletBackend>(
    State(s): State<Shared<B>>,
    _: Csrf,
    Query(q): Query<CardQuery>,
) -> Result<Response, Problem> {
    let format = match q.format.as_str() {
        "pdf" => CardFormat::Pdf,
        "svg" => CardFormat::Svg,
        other => return Err(Problem::invalid(&format!("unknown format {other:?}: pdf or svg"))),
    };
    if q.name.chars().count() > 120 {
        return Err(Problem::invalid("the name on the card is 120 characters at most"));
    }
    let bytes = s.wallet.card(&q.id, &q.name, format).await?;
    let name = s.wallet.backend().item(&q.id).await?.summary().name;
    let (content_type, extension) = match format {
        CardFormat::Pdf => ("application/pdf", "pdf"),
        CardFormat::Svg => ("image/svg+xml", "svg"),
    };
    Ok(attachment(content_type, &format!("{}-card.{extension}", file_stem(&name)), bytes))
}

pub(super) async fn pages<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Csrf(csrf): Csrf,
) -> Result<Page, Problem> {
    pages_page(&s, csrf, None, None).await
}

/// The portfolio list and the form that makes one, with `error` for a form that came back.
async fn pages_page<B: WalletBackend>(
    s: &Shared<B>,
    csrf: String,
    form: Option<&PageForm>,
    error: Option<String>,
) -> Result<Page, Problem> {
    let mut portfolios = s.wallet.backend().portfolios().await?;
    portfolios.sort_by_key(|p| std::cmp::Reverse(p.updated));
    let base = s.wallet.backend().public_base();
    let listed: Vec<_> = portfolios
        .iter()
        .map(|p| {
            context! { id => p.id, title => p.title, public => p.public,
            count => p.badges.len(), url => share::page_url(&base, &p.id) }
        })
        .collect();
    Page::render(
        "pages.html",
        context! { base => s.base, csrf, page => "pages", signed_in => true,
        pending => pending(s).await?, portfolios => listed, items => choices(s).await?,
        form => form.map(|f| context! { title => f.title, text => f.text, chosen => f.id.0 }),
        error },
    )
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PageForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    id: OneOrMany<String>,
    #[serde(default)]
    public: Option<String>,
}

pub(super) async fn create_page<B: WalletBackend>(
    State(s): State<Shared<B>>,
    csrf: Csrf,
    Form(form): Form<PageForm>,
) -> Result<Response, Problem> {
    use axum::response::IntoResponse;
    let input = PortfolioInput {
        title: form.title.clone(),
        text: form.text.clone(),
        badges: form.id.0.clone(),
        public: form.public.as_deref() == Some("true"),
    };
    match s.wallet.backend().save_portfolio(None, input).await {
        Ok(_) => Ok(Redirect::to(&format!("{}/pages", s.base)).into_response()),
        Err(
            e @ (crate::Error::Invalid(_) | crate::Error::Conflict(_) | crate::Error::NotFound(_)),
        ) => {
            let page = pages_page(&s, csrf.0, Some(&form), Some(e.to_string())).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn publish_page<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Form(form): Form<PublishForm>,
) -> Result<Redirect, Problem> {
    let public = yes(&form.public)?;
    let page = s
        .wallet
        .backend()
        .portfolio(&form.id)
        .await?
        .ok_or_else(|| Problem::from(crate::Error::NotFound(format!("page {}", form.id))))?;
    let input = PortfolioInput { title: page.title, text: page.text, badges: page.badges, public };
    s.wallet.backend().save_portfolio(Some(page.id), input).await?;
    Ok(Redirect::to(&format!("{}/pages", s.base)))
}

pub(super) async fn delete_page<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Form(form): Form<super::pages::IdForm>,
) -> Result<Redirect, Problem> {
    s.wallet.backend().delete_portfolio(&form.id).await?;
    Ok(Redirect::to(&format!("{}/pages", s.base)))
}
