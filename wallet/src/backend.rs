//! What the wallet needs from the node it runs in. The wallet holds no store, key or socket:
//! the node implements this trait over its store, its holder key and its network, and the
//! wallet's pages and the CLI run the same operations ([`crate::Wallet`]) over it.

use std::future::Future;

use serde::Serialize;
use serde_json::Value;
use vc_schemas::{presentation::Binding, verify::Report};

use crate::{
    Result,
    backup::Restored,
    item::Item,
    listing::Entry,
    share::{Portfolio, PortfolioInput},
};

/// A verification and what it rested on.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    /// The report.
    pub report: Report,
    /// The status lists used and their age, in seconds since their signed `validFrom`.
    pub lists: Vec<ListAge>,
    /// What the verifier could not use (a list too old, none held).
    pub warnings: Vec<String>,
}

/// A status list a verification used.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAge {
    /// Its URL.
    pub url: String,
    /// Seconds since its `validFrom`.
    pub age_seconds: Option<i64>,
}

/// A badge the earner issues to themself ("selfie badge").
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SelfIssue {
    /// The achievement's name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// What the earner did to earn it.
    pub criteria: String,
    /// A link to evidence (`https:`), if any.
    #[serde(default)]
    pub evidence: String,
}

/// The node's side of the wallet.
pub trait WalletBackend: Clone + Send + Sync + 'static {
    /// The holder's DID (presentations are signed for it).
    fn holder(&self) -> String;

    /// The node's public base URL, where public pages are served (`https://node.example`).
    fn public_base(&self) -> String;

    /// Every item's list entry, in any order (cheap: no credential is read).
    fn entries(&self) -> impl Future<Output = Result<Vec<Entry>>> + Send;

    /// Every item, in any order.
    fn items(&self) -> impl Future<Output = Result<Vec<Item>>> + Send;

    /// One item.
    fn item(&self, id: &str) -> impl Future<Output = Result<Item>> + Send;

    /// Stores `item` as [`crate::inbox::judge_offer`] judges it against what is held, in one
    /// write; `Ok(false)` when the credential was held already and nothing changed.
    fn offer(&self, item: Item) -> impl Future<Output = Result<bool>> + Send;

    /// Records the earner's answer as [`crate::inbox::decide`] makes it, in one write, then
    /// sends its reply; returns the item and whether the issuer was told.
    fn decide(&self, id: &str, accept: bool) -> impl Future<Output = Result<(Item, bool)>> + Send;

    /// Issues a badge to the holder, signed by the holder's own key, and keeps it (accepted,
    /// marked self-issued).
    fn self_issue(&self, request: SelfIssue) -> impl Future<Output = Result<Item>> + Send;

    /// Replaces an item's tags.
    fn set_tags(&self, id: &str, tags: Vec<String>) -> impl Future<Output = Result<Item>> + Send;

    /// Verifies a credential (JSON object or VC-JWT string) with the lists the node holds.
    fn verify(&self, credential: Value) -> impl Future<Output = Result<Checked>> + Send;

    /// Verifies a presentation bound to `challenge` and `domain`.
    fn verify_presentation(
        &self,
        presentation: Value,
        challenge: Option<String>,
        domain: Option<String>,
    ) -> impl Future<Output = Result<Checked>> + Send;

    /// Signs `presentation` with the holder's key for `authentication`, bound as `binding`
    /// says: a JSON presentation with a Data Integrity proof (`eddsa-rdfc-2022`), or a VP-JWT
    /// as a string.
    fn sign_presentation(
        &self,
        presentation: Value,
        binding: Binding,
        format: crate::present::Format,
    ) -> impl Future<Output = Result<Value>> + Send;

    /// Makes an item public or private as [`crate::share::publish`] decides, in one write (the
    /// node gives the share id).
    fn publish(&self, id: &str, public: bool) -> impl Future<Output = Result<Item>> + Send;

    /// The public badge under `share`; `None` when there is none or it is private.
    fn shared(&self, share: &str) -> impl Future<Output = Result<Option<Item>>> + Send;

    /// Every portfolio page, in any order.
    fn portfolios(&self) -> impl Future<Output = Result<Vec<Portfolio>>> + Send;

    /// One portfolio page; `None` when there is none.
    fn portfolio(&self, id: &str) -> impl Future<Output = Result<Option<Portfolio>>> + Send;

    /// Stores a portfolio page as [`PortfolioInput::into_page`] checks it against the items:
    /// a new one when `id` is `None` (the node gives its id), else a replacement. A public
    /// page makes its badges public in the same write.
    fn save_portfolio(
        &self,
        id: Option<String>,
        input: PortfolioInput,
    ) -> impl Future<Output = Result<Portfolio>> + Send;

    /// Deletes a portfolio page.
    fn delete_portfolio(&self, id: &str) -> impl Future<Output = Result<()>> + Send;

    /// The whole wallet and the holder's key, sealed with `passphrase` by
    /// [`crate::backup::seal`] (on the node's CPU pool: scrypt takes a second).
    fn backup(&self, passphrase: String) -> impl Future<Output = Result<Vec<u8>>> + Send;

    /// Opens a backup with `passphrase` ([`crate::backup::open`]) and adds what this wallet
    /// does not hold, in one write; what it holds is left as it is.
    fn restore(
        &self,
        bytes: Vec<u8>,
        passphrase: String,
    ) -> impl Future<Output = Result<Restored>> + Send;

    /// Claims the award behind an issuer's claim link (`https://…/claim/{token}`): tells the
    /// issuer's node the earner accepts it and fetches the signed credential, which the
    /// wallet then verifies and keeps. Links of other shapes are refused, nothing fetched.
    /// An `openid-credential-offer://` offer may need the transaction code the issuer sent
    /// apart from it (`tx_code`).
    fn claim(
        &self,
        link: &str,
        tx_code: Option<&str>,
    ) -> impl Future<Output = Result<Value>> + Send;
}
