//! The wallet's operations, shared by its pages and the CLI: each a few steps over the
//! backend, the judgment in the pure modules beside this one.

use chrono::Utc;
use serde_json::Value;

use crate::{
    Error, Result,
    backend::{Checked, WalletBackend},
    card::Card,
    import,
    item::{Item, Origin, State},
    listing::{self, Entry},
    present,
    share::{self, Portfolio},
};

/// Days ahead the gallery warns about expiring badges.
pub const EXPIRY_NOTICE_DAYS: i64 = 30;

/// What importing one file did.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    /// The file's name, as given.
    pub file: String,
    /// Ids of the credentials new to the wallet (pending in the inbox).
    pub added: Vec<String>,
    /// Ids already held (nothing changed for them).
    pub held: Vec<String>,
    /// Why the file, or an entry in it, could not be imported.
    pub errors: Vec<String>,
}

/// One page of a list, with what every page shows beside it.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The page's items.
    pub items: Vec<Item>,
    /// The page number (from 1).
    pub page: usize,
    /// How many pages.
    pub pages: usize,
    /// How many items matched.
    pub total: usize,
    /// Accepted badges expiring within [`EXPIRY_NOTICE_DAYS`], soonest first, with days left.
    pub expiring: Vec<(Entry, i64)>,
    /// How many items wait in the inbox.
    pub pending: usize,
}

/// A printable card's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFormat {
    /// One-page PDF.
    Pdf,
    /// SVG.
    Svg,
}

/// The claim link pasted, if the bytes are one: a single `http(s)://` URL whose path has a
/// `/claim/` segment (a Badgemesh award e-mail's), or an `openid-credential-offer://` URL (any
/// OpenID4VCI issuer's).
fn claim_link(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    let link =
        (text.starts_with("https://") || text.starts_with("http://")) && text.contains("/claim/");
    let ok = (link || text.starts_with("openid-credential-offer://"))
        && !text.contains(char::is_whitespace)
        && text.len() <= 4096;
    ok.then(|| text.trim_end_matches('/').to_owned())
}

/// Why a verification shows the document was altered or is no credential (a failed parse,
/// type, schema-independent proof or issuer check), if it does.
fn forged(checked: &Checked) -> Option<String> {
    use vc_schemas::verify::Status;
    ["parse", "type", "proof", "issuer"].iter().find_map(|name| {
        let check = checked.report.check(name)?;
        (check.status == Status::Failed)
            .then(|| format!("its {name} check failed: {}", check.reason))
    })
}

/// The wallet over a backend.
#[derive(Debug, Clone)]
pub struct Wallet<B> {
    backend: B,
}

impl<B: WalletBackend> Wallet<B> {
    /// The wallet over `backend`.
    pub fn new(backend: B) -> Self {
        Self { backend }
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Items in `state`, newest first, matching `query` (word prefixes; empty matches all).
    pub async fn list(&self, state: State, query: &str) -> Result<Vec<Item>> {
        let mut items: Vec<Item> = self.backend.items().await?;
        items.retain(|i| i.state == state && Entry::of(i).matches(query));
        items.sort_by(|a, b| b.received.cmp(&a.received).then_with(|| a.id.cmp(&b.id)));
        Ok(items)
    }

    /// Page `page` of the items in `state` matching `query`, newest first: chosen from the
    /// list entries, so that only the page's items are read.
    pub async fn browse(&self, state: State, query: &str, page: usize) -> Result<Listing> {
        let entries = self.backend.entries().await?;
        let selected = listing::select(&entries, state, query);
        let window = listing::window(&selected, page);
        let mut items = Vec::with_capacity(window.entries.len());
        for entry in window.entries {
            items.push(self.backend.item(&entry.id).await?);
        }
        let expiring = listing::expiring(&entries, Utc::now(), EXPIRY_NOTICE_DAYS)
            .into_iter()
            .map(|(e, days)| (e.clone(), days))
            .collect();
        let pending = entries.iter().filter(|e| e.state == State::Pending).count();
        Ok(Listing {
            items,
            page: window.page,
            pages: window.pages,
            total: window.total,
            expiring,
            pending,
        })
    }

    /// How many items wait in the inbox.
    pub async fn pending(&self) -> Result<usize> {
        Ok(self.backend.entries().await?.iter().filter(|e| e.state == State::Pending).count())
    }

    /// Makes an accepted badge public (its page, its card's QR code) or private again.
    pub async fn publish(&self, id: &str, public: bool) -> Result<Item> {
        self.backend.publish(id, public).await
    }

    /// The public address of a public item.
    pub fn public_url(&self, item: &Item) -> Option<String> {
        (item.public && !item.share.is_empty())
            .then(|| share::badge_url(&self.backend.public_base(), &item.share))
    }

    /// The printable card of a public badge, printed for `earner` (empty: the name in the
    /// credential): its QR code opens the badge's public page, so a private badge has none.
    pub async fn card(&self, id: &str, earner: &str, format: CardFormat) -> Result<Vec<u8>> {
        let item = self.backend.item(id).await?;
        let url = self.public_url(&item).ok_or_else(|| {
            Error::Conflict(format!(
                "{id} is private: make it public first, so that the card's QR code opens its page"
            ))
        })?;
        let card = Card::of(&item, earner, &url);
        match format {
            CardFormat::Pdf => card.pdf(),
            CardFormat::Svg => card.svg().map(String::into_bytes),
        }
    }

    /// The public badge under `share` and its verification now; not found when private.
    pub async fn shared(&self, share: &str) -> Result<(Item, Checked)> {
        let item = self
            .backend
            .shared(share)
            .await?
            .ok_or_else(|| Error::NotFound("no public badge at this address".into()))?;
        let checked = self.backend.verify(item.credential.clone()).await?;
        Ok((item, checked))
    }

    /// A public portfolio page and its badges that are still public, in the page's order;
    /// not found when the page is private.
    pub async fn public_page(&self, id: &str) -> Result<(Portfolio, Vec<Item>)> {
        let page = self
            .backend
            .portfolio(id)
            .await?
            .filter(|p| p.public)
            .ok_or_else(|| Error::NotFound("no public page at this address".into()))?;
        let mut items = Vec::with_capacity(page.badges.len());
        for id in &page.badges {
            match self.backend.item(id).await {
                Ok(item) if item.public && item.state == State::Accepted => items.push(item),
                Ok(_) | Err(Error::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok((page, items))
    }

    /// Imports one file: every credential in it becomes a pending item, unless held already or
    /// forged. A credential whose signature or shape fails is refused (it was altered, or is no
    /// credential); one that is expired, revoked or could not be checked fully is kept, and its
    /// page says so: the earner's record of it is theirs to keep.
    pub async fn import(&self, file: &str, bytes: &[u8]) -> ImportOutcome {
        self.import_with_code(file, bytes, None).await
    }

    /// [`Self::import`], where a pasted offer link is claimed with the transaction code the
    /// issuer sent apart from it (ignored for anything else).
    pub async fn import_with_code(
        &self,
        file: &str,
        bytes: &[u8],
        tx_code: Option<&str>,
    ) -> ImportOutcome {
        let mut outcome = ImportOutcome {
            file: file.to_owned(),
            added: Vec::new(),
            held: Vec::new(),
            errors: Vec::new(),
        };
        if let Some(link) = claim_link(bytes) {
            match self.claim(&link, tx_code).await {
                Ok((id, added)) => {
                    if added {
                        outcome.added.push(id)
                    } else {
                        outcome.held.push(id)
                    }
                }
                Err(e) => outcome.errors.push(e.to_string()),
            }
            return outcome;
        }
        let credentials = match import::credentials(bytes) {
            Ok(c) => c,
            Err(e) => {
                outcome.errors.push(e.to_string());
                return outcome;
            }
        };
        for credential in credentials {
            match self.import_one(credential).await {
                Ok((id, true)) => outcome.added.push(id),
                Ok((id, false)) => outcome.held.push(id),
                Err(e) => outcome.errors.push(e.to_string()),
            }
        }
        outcome
    }

    /// Claims the award behind an issuer's claim link: the issuer is told, and the badge is
    /// kept accepted (claiming it was the earner's answer).
    pub async fn claim(&self, link: &str, tx_code: Option<&str>) -> Result<(String, bool)> {
        let credential = self.backend.claim(link, tx_code).await?;
        self.import_as(credential, Origin::Claimed).await
    }

    async fn import_one(&self, credential: Value) -> Result<(String, bool)> {
        self.import_as(credential, Origin::Imported).await
    }

    async fn import_as(&self, credential: Value, origin: Origin) -> Result<(String, bool)> {
        let item = import::item(credential, origin, Utc::now())?;
        let checked = self.backend.verify(item.credential.clone()).await?;
        if let Some(failed) = forged(&checked) {
            return Err(Error::Invalid(format!("{} was not imported: {failed}", item.id)));
        }
        let id = item.id.clone();
        Ok((id, self.backend.offer(item).await?))
    }

    /// Accepts or refuses a pending item; returns it and whether the issuer was told.
    pub async fn decide(&self, id: &str, accept: bool) -> Result<(Item, bool)> {
        self.backend.decide(id, accept).await
    }

    /// One item and its verification.
    pub async fn inspect(&self, id: &str) -> Result<(Item, Checked)> {
        let item = self.backend.item(id).await?;
        let checked = self.backend.verify(item.credential.clone()).await?;
        Ok((item, checked))
    }

    /// A signed presentation of the chosen accepted badges.
    pub async fn present(&self, request: &present::Request) -> Result<Value> {
        let binding = request.binding(Utc::now())?;
        if request.ids.len() > present::MAX_BADGES {
            return Err(Error::Invalid(format!(
                "a presentation holds {} badges at most",
                present::MAX_BADGES
            )));
        }
        // Only the chosen items are read, so a large wallet presents as fast as a small one.
        let mut items = Vec::with_capacity(request.ids.len());
        for id in &request.ids {
            match self.backend.item(id).await {
                Ok(item) => items.push(item),
                Err(Error::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let unsigned = present::unsigned(&self.backend.holder(), request, &items)?;
        self.backend.sign_presentation(unsigned, binding, request.format).await
    }

    /// Issues a badge to the earner themself; it is kept accepted and marked self-issued.
    pub async fn self_issue(&self, request: crate::SelfIssue) -> Result<Item> {
        for (field, value) in [
            ("name", &request.name),
            ("description", &request.description),
            ("criteria", &request.criteria),
        ] {
            if value.trim().is_empty() {
                return Err(Error::Invalid(format!("the badge needs a {field}")));
            }
        }
        self.backend.self_issue(request).await
    }

    /// Sets an item's tags from a comma-separated list (trimmed, deduplicated, at most 20).
    pub async fn tag(&self, id: &str, tags: &str) -> Result<Item> {
        let mut list: Vec<String> = Vec::new();
        for tag in tags.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if tag.chars().count() > 40 {
                return Err(Error::Invalid("a tag is 40 characters at most".into()));
            }
            if !list.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                list.push(tag.to_owned());
            }
        }
        if list.len() > 20 {
            return Err(Error::Invalid("20 tags at most".into()));
        }
        self.backend.set_tags(id, list).await
    }
}
