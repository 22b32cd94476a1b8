//! Showing badges to the world: which badges and portfolio pages are public, and the links a
//! public badge travels by (its page, LinkedIn's "Add to profile", an embeddable snippet).
//!
//! A public page is served by the earner's own node under an id of its own, never the
//! credential's, so that a link says nothing about the store and can be turned off. The id is
//! given once and kept: a badge made private and public again has its old link (and its
//! printed card's QR code) back.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Error, Result,
    item::{Item, State, Summary},
};

/// Longest portfolio title, in characters.
pub const MAX_TITLE: usize = 120;
/// Longest portfolio text, in characters.
pub const MAX_TEXT: usize = 4000;
/// Most badges on one portfolio page.
pub const MAX_PAGE_BADGES: usize = 50;
/// Most portfolio pages in one wallet.
pub const MAX_PAGES: usize = 100;

/// Where public badge pages live, under the node's public base.
pub const BADGE_PATH: &str = "/b";
/// Where public portfolio pages live.
pub const PAGE_PATH: &str = "/p";

/// A portfolio page: a title, a text and chosen badges in the earner's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Portfolio {
    /// Its id (also its public address).
    pub id: String,
    /// The title.
    pub title: String,
    /// The text under the title (plain text; paragraphs by blank lines).
    #[serde(default)]
    pub text: String,
    /// Wallet item ids, in order.
    pub badges: Vec<String>,
    /// Whether it is served.
    pub public: bool,
    /// When it was last changed.
    pub updated: DateTime<Utc>,
}

/// What the earner writes to make or change a portfolio page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortfolioInput {
    /// The title.
    pub title: String,
    /// The text.
    #[serde(default)]
    pub text: String,
    /// Wallet item ids, in order.
    pub badges: Vec<String>,
    /// Whether to serve it now.
    #[serde(default)]
    pub public: bool,
}

impl PortfolioInput {
    /// The page this input makes, with `id` (given by the node), checked against the wallet's
    /// items: every badge held and accepted, named once.
    pub fn into_page(self, id: String, held: &[Item], now: DateTime<Utc>) -> Result<Portfolio> {
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            return Err(Error::Invalid("the page needs a title".into()));
        }
        if title.chars().count() > MAX_TITLE {
            return Err(Error::Invalid(format!("a title is {MAX_TITLE} characters at most")));
        }
        if self.text.chars().count() > MAX_TEXT {
            return Err(Error::Invalid(format!("the text is {MAX_TEXT} characters at most")));
        }
        if self.badges.is_empty() {
            return Err(Error::Invalid("choose at least one badge for the page".into()));
        }
        if self.badges.len() > MAX_PAGE_BADGES {
            return Err(Error::Invalid(format!("{MAX_PAGE_BADGES} badges a page at most")));
        }
        for (n, id) in self.badges.iter().enumerate() {
            if self.badges[..n].contains(id) {
                return Err(Error::Invalid(format!("{id} is on the page twice")));
            }
            match held.iter().find(|i| &i.id == id) {
                None => return Err(Error::NotFound(format!("wallet item {id}"))),
                Some(i) if i.state != State::Accepted => {
                    return Err(Error::Conflict(format!(
                        "{id} is {}: only accepted badges go on a page",
                        i.state.as_str()
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(Portfolio {
            id,
            title,
            text: self.text.trim().to_owned(),
            badges: self.badges,
            public: self.public,
            updated: now,
        })
    }
}

/// `item` made public or private. Only an accepted badge is shown; its share id is `fresh`
/// the first time and kept after.
pub fn publish(item: &Item, public: bool, fresh: impl FnOnce() -> String) -> Result<Item> {
    if public && item.state != State::Accepted {
        return Err(Error::Conflict(format!(
            "{} is {}: accept it before making it public",
            item.id,
            item.state.as_str()
        )));
    }
    let mut changed = item.clone();
    changed.public = public;
    if public && changed.share.is_empty() {
        changed.share = fresh();
    }
    Ok(changed)
}

/// The public address of a badge page.
pub fn badge_url(public_base: &str, share: &str) -> String {
    format!("{}{BADGE_PATH}/{share}", public_base.trim_end_matches('/'))
}

/// The public address of a portfolio page.
pub fn page_url(public_base: &str, id: &str) -> String {
    format!("{}{PAGE_PATH}/{id}", public_base.trim_end_matches('/'))
}

/// LinkedIn's "Add to profile" link for a certification, every parameter URL-encoded.
pub fn linkedin_url(summary: &Summary, url: &str, credential_id: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("startTask", "CERTIFICATION_NAME")
        .append_pair("name", &summary.name)
        .append_pair("organizationName", &summary.issuer_name);
    if let Ok(issued) = DateTime::parse_from_rfc3339(&summary.valid_from) {
        query
            .append_pair("issueYear", &issued.year().to_string())
            .append_pair("issueMonth", &issued.month().to_string());
    }
    if let Ok(until) = DateTime::parse_from_rfc3339(&summary.valid_until) {
        query
            .append_pair("expirationYear", &until.year().to_string())
            .append_pair("expirationMonth", &until.month().to_string());
    }
    query.append_pair("certUrl", url).append_pair("certId", credential_id);
    format!("https://www.linkedin.com/profile/add?{}", query.finish())
}

/// An HTML snippet that shows the badge on another site and links to its public page: plain
/// markup, no script, every value escaped.
pub fn embed_snippet(summary: &Summary, url: &str) -> String {
    let e = escape;
    format!(
        "<a href=\"{url}\" style=\"display:inline-flex;align-items:center;gap:.6em;\
         padding:.5em .8em;border:1px solid #d6dbe4;border-radius:10px;text-decoration:none;\
         color:#1b2230;font-family:system-ui,sans-serif\">\
         <img src=\"{url}/badge.png\" alt=\"\" width=\"56\" height=\"56\">\
         <span><strong>{name}</strong><br><small>Issued by {issuer} · verify</small></span></a>",
        url = e(url),
        name = e(&summary.name),
        issuer = e(&summary.issuer_name),
    )
}

/// `text` safe in HTML and XML text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {

    use super::*;

    fn item(id: &str, state: State) -> Item {
        Item::sample(id, state)
    }

    #[test]
    fn a_share_id_is_given_once_and_kept() {
        let accepted = item("urn:a", State::Accepted);
        let public = publish(&accepted, true, || "s1".into()).unwrap();
        assert_eq!((public.public, public.share.as_str()), (true, "s1"));
        let private = publish(&public, false, || unreachable!()).unwrap();
        assert_eq!((private.public, private.share.as_str()), (false, "s1"));
        let again = publish(&private, true, || "s2".into()).unwrap();
        assert_eq!(again.share, "s1", "the old link works again");
        let pending = item("urn:p", State::Pending);
        assert!(matches!(publish(&pending, true, || "x".into()), Err(Error::Conflict(_))));
    }

    #[test]
    fn a_page_takes_held_accepted_badges_once_each() {
        let held = [item("urn:a", State::Accepted), item("urn:p", State::Pending)];
        let input = |badges: &[&str]| PortfolioInput {
            title: " Welding ".into(),
            text: String::new(),
            badges: badges.iter().map(|b| b.to_string()).collect(),
            public: true,
        };
        let page = input(&["urn:a"]).into_page("id".into(), &held, Utc::now()).unwrap();
        assert_eq!(page.title, "Welding");
        for (badges, why) in [
            (&["urn:a", "urn:a"][..], "twice"),
            (&["urn:p"][..], "pending"),
            (&["urn:x"][..], "not found"),
            (&[][..], "at least one"),
        ] {
            let err = input(badges).into_page("id".into(), &held, Utc::now()).unwrap_err();
            assert!(err.to_string().contains(why), "{err}");
        }
        let untitled = PortfolioInput { title: "  ".into(), ..input(&["urn:a"]) };
        assert!(untitled.into_page("id".into(), &held, Utc::now()).is_err());
    }

    #[test]
    fn the_linkedin_link_encodes_every_parameter() {
        let summary = Summary {
            name: "Arc & Gas Welding".into(),
            issuer_name: "École #1".into(),
            valid_from: "2026-03-05T00:00:00Z".into(),
            ..Summary::default()
        };
        let url = linkedin_url(&summary, "https://node.example/b/abc", "urn:uuid:1");
        assert!(
            url.starts_with("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
        );
        assert!(url.contains("name=Arc+%26+Gas+Welding"), "{url}");
        assert!(url.contains("organizationName=%C3%89cole+%231"), "{url}");
        assert!(url.contains("issueYear=2026&issueMonth=3"), "{url}");
        assert!(url.contains("certUrl=https%3A%2F%2Fnode.example%2Fb%2Fabc"), "{url}");
        assert!(!url.contains("expirationYear"));
    }

    #[test]
    fn the_embed_snippet_escapes_what_the_issuer_wrote() {
        let summary = Summary {
            name: "<script>alert(1)</script>".into(),
            issuer_name: "\"Evil\" Inc".into(),
            ..Summary::default()
        };
        let html = embed_snippet(&summary, "https://node.example/b/abc");
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;script&gt;") && html.contains("&quot;Evil&quot;"));
        assert!(html.contains("href=\"https://node.example/b/abc\""));
    }
}
