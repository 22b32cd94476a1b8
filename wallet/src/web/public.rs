//! What the world sees of a wallet: the public page of each badge the earner made public (its
//! verification now, the credential to download, Open Graph tags so a shared link previews)
//! and the earner's public portfolio pages. No session; a private or unknown address is a
//! plain `404`, the same for both, so that an address says nothing about what is held.
//!
//! Each view costs a few store reads, and a badge page one verification on the node's bounded
//! CPU pool (a full pool answers `503`).

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use minijinja::context;

use super::{
    Shared,
    pages::{attachment, file_stem, pretty},
    render::{Page, Problem},
};
use crate::{Error, Item, WalletBackend, bake, share};

/// A share or page id as the node makes them (base64url, at most 64 characters); anything
/// else is not looked up.
fn well_formed(id: &str) -> Result<(), Problem> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(Error::NotFound("no public page at this address".into()).into()) }
}

/// Where a public badge's picture is served.
fn picture(url: &str) -> String {
    format!("{url}/badge.png")
}

pub(super) async fn badge<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Path(share_id): Path<String>,
) -> Result<Page, Problem> {
    well_formed(&share_id)?;
    let (item, checked) = s.wallet.shared(&share_id).await?;
    let summary = item.summary();
    let url = share::badge_url(&s.wallet.backend().public_base(), &share_id);
    let (outcome, verdict) = super::verify::verdict(&checked.report);
    let lists: Vec<_> = checked
        .lists
        .iter()
        .map(|l| context! { url => l.url, age => super::pages::age(l.age_seconds) })
        .collect();
    let description = if summary.description.is_empty() {
        format!("An Open Badge issued by {}", summary.issuer_name)
    } else {
        summary.description.clone()
    };
    Page::render(
        "public_badge.html",
        context! { base => "", signed_in => false, page => "public", s => summary,
        outcome, verdict, checks => checked.report.checks, lists, warnings => checked.warnings,
        og => context! { title => summary.name, description, url, image => picture(&url) },
        image => picture(&url), url, issued => item.document().and_then(|d| d["validFrom"].as_str().map(str::to_owned)) },
    )
}

/// The public badge under `share_id`, or 404.
async fn shared<B: WalletBackend>(s: &Shared<B>, share_id: &str) -> Result<Item, Problem> {
    well_formed(share_id)?;
    s.wallet
        .backend()
        .shared(share_id)
        .await?
        .ok_or_else(|| Error::NotFound("no public badge at this address".into()).into())
}

pub(super) async fn badge_png<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Path(share_id): Path<String>,
) -> Result<Response, Problem> {
    let item = shared(&s, &share_id).await?;
    let png = bake::png(&item)?;
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=300")], png)
        .into_response())
}

pub(super) async fn credential<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Path(share_id): Path<String>,
) -> Result<Response, Problem> {
    let item = shared(&s, &share_id).await?;
    let stem = file_stem(&item.summary().name);
    Ok(match &item.credential {
        serde_json::Value::String(jwt) => {
            attachment("application/vc+jwt", &format!("{stem}.jwt"), jwt.clone().into_bytes())
        }
        doc => attachment("application/vc+ld+json", &format!("{stem}.json"), pretty(doc)),
    })
}

pub(super) async fn portfolio<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Path(id): Path<String>,
) -> Result<Page, Problem> {
    well_formed(&id)?;
    let (page, items) = s.wallet.public_page(&id).await?;
    let base = s.wallet.backend().public_base();
    let badges: Vec<_> = items
        .iter()
        .map(|i| {
            let summary = i.summary();
            let url = share::badge_url(&base, &i.share);
            context! { name => summary.name, issuer => summary.issuer_name,
            self_issued => summary.self_issued, date => summary.valid_from.get(..10).unwrap_or(""),
            image => picture(&url), url }
        })
        .collect();
    let paragraphs: Vec<&str> =
        page.text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect();
    let url = share::page_url(&base, &page.id);
    let description: String = page.text.chars().take(200).collect();
    let first_image = items.first().map(|i| picture(&share::badge_url(&base, &i.share)));
    Page::render(
        "portfolio.html",
        context! { base => "", signed_in => false, page => "public", title => page.title,
        paragraphs, badges, og => context! { title => page.title, description, url,
        image => first_image } },
    )
}
