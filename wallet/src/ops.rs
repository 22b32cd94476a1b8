//! The wallet's operations, shared by its pages and the CLI: each a few steps over the
//! backend, the judgment in the pure modules beside this one.

use chrono::Utc;
use serde_json::Value;

use crate::{
    Error, Result,
    backend::{Checked, WalletBackend},
    import,
    item::{Item, Origin, State},
    present,
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

/// The items of `items` in `state` matching `query` (word prefixes; empty matches all), newest
/// first.
pub fn select(items: &[Item], state: State, query: &str) -> Vec<Item> {
    let mut chosen: Vec<Item> =
        items.iter().filter(|i| i.state == state && i.matches(query)).cloned().collect();
    chosen.sort_by(|a, b| b.received.cmp(&a.received).then_with(|| a.id.cmp(&b.id)));
    chosen
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
        Ok(select(&self.backend.items().await?, state, query))
    }

    /// Imports one file: every credential in it becomes a pending item, unless held already or
    /// forged. A credential whose signature or shape fails is refused (it was altered, or is no
    /// credential); one that is expired, revoked or could not be checked fully is kept, and its
    /// page says so: the earner's record of it is theirs to keep.
    pub async fn import(&self, file: &str, bytes: &[u8]) -> ImportOutcome {
        let mut outcome = ImportOutcome {
            file: file.to_owned(),
            added: Vec::new(),
            held: Vec::new(),
            errors: Vec::new(),
        };
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

    async fn import_one(&self, credential: Value) -> Result<(String, bool)> {
        let item = import::item(credential, Origin::Imported, Utc::now())?;
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
        let items = self.backend.items().await?;
        let unsigned = present::unsigned(&self.backend.holder(), request, &items)?;
        self.backend.sign_presentation(unsigned, binding).await
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
