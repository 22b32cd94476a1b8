//! The node as the wallet's backend: [`badgemesh_wallet::WalletBackend`] over the
//! [`NodeHandle`], so that the wallet's pages and `badgemesh wallet` run the same operations on
//! this node's store, holder key and network.

use badgemesh_wallet::{
    Checked, Item, ListAge, SelfIssue, WalletBackend,
    backup::{self, Backup, Holder, Restored},
    listing::Entry,
    share::{Portfolio, PortfolioInput},
};
use serde_json::Value;
use vc_schemas::presentation::Binding;

use crate::{
    Error,
    node::{NodeHandle, Verifiable, Verification, list_age},
    store::{Store, inbox},
};

/// The wallet's backend.
#[derive(Debug, Clone)]
pub struct NodeWallet {
    node: NodeHandle,
}

impl NodeWallet {
    /// The backend over `node`.
    pub fn new(node: NodeHandle) -> Self {
        Self { node }
    }
}

/// The wallet's error for a node error: the wallet tells input, absence, conflict and load
/// apart; anything else is the backend's.
fn to_wallet(e: Error) -> badgemesh_wallet::Error {
    use badgemesh_wallet::Error as W;
    match e {
        Error::Invalid(m) => W::Invalid(m),
        Error::Credential(e) => W::Invalid(e.to_string()),
        Error::NotFound(m) => W::NotFound(m),
        Error::Conflict(m) => W::Conflict(m),
        Error::Busy => W::Busy(e.to_string()),
        other => W::Backend(other.to_string()),
    }
}

fn checked(v: Verification) -> Checked {
    let lists = v
        .lists
        .iter()
        .map(|(url, list)| ListAge {
            url: url.clone(),
            age_seconds: list_age(list).map(|a| a.num_seconds()),
        })
        .collect();
    Checked { report: v.report, lists, warnings: v.warnings }
}

impl NodeWallet {
    fn store(&self) -> &Store {
        self.node.issuer().store()
    }
}

impl WalletBackend for NodeWallet {
    fn holder(&self) -> String {
        self.node.issuer().did().to_owned()
    }

    fn public_base(&self) -> String {
        self.node.issuer().base().to_owned()
    }

    async fn entries(&self) -> badgemesh_wallet::Result<Vec<Entry>> {
        self.store().read().and_then(|t| inbox::entries(&t)).map_err(to_wallet)
    }

    async fn items(&self) -> badgemesh_wallet::Result<Vec<Item>> {
        self.node.inbox().map_err(to_wallet)
    }

    async fn item(&self, id: &str) -> badgemesh_wallet::Result<Item> {
        self.node.wallet_item(id).map_err(to_wallet)
    }

    async fn offer(&self, item: Item) -> badgemesh_wallet::Result<bool> {
        self.node.offer(item).await.map_err(to_wallet)
    }

    async fn decide(&self, id: &str, accept: bool) -> badgemesh_wallet::Result<(Item, bool)> {
        self.node.decide(id.to_owned(), accept).await.map_err(to_wallet)
    }

    async fn self_issue(&self, request: SelfIssue) -> badgemesh_wallet::Result<Item> {
        self.node.self_issue(request).await.map_err(to_wallet)
    }

    async fn set_tags(&self, id: &str, tags: Vec<String>) -> badgemesh_wallet::Result<Item> {
        self.node.set_tags(id.to_owned(), tags).await.map_err(to_wallet)
    }

    async fn verify(&self, credential: Value) -> badgemesh_wallet::Result<Checked> {
        let v = self.node.verify(Verifiable::Credential(credential), None, None).await;
        v.map(checked).map_err(to_wallet)
    }

    async fn verify_presentation(
        &self,
        presentation: Value,
        challenge: Option<String>,
        domain: Option<String>,
    ) -> badgemesh_wallet::Result<Checked> {
        let v = self.node.verify(Verifiable::Presentation(presentation), challenge, domain).await;
        v.map(checked).map_err(to_wallet)
    }

    async fn sign_presentation(
        &self,
        presentation: Value,
        binding: Binding,
        format: badgemesh_wallet::present::Format,
    ) -> badgemesh_wallet::Result<Value> {
        let issuer = self.node.issuer();
        let signed = match format {
            badgemesh_wallet::present::Format::Di => {
                issuer.sign_presentation(presentation, binding).await
            }
            badgemesh_wallet::present::Format::Jwt => {
                issuer.sign_presentation_jwt(presentation, binding).await.map(Value::String)
            }
        };
        signed.map_err(to_wallet)
    }

    async fn publish(&self, id: &str, public: bool) -> badgemesh_wallet::Result<Item> {
        let id = id.to_owned();
        self.store().write(move |b| inbox::publish(b, &id, public)).await.map_err(to_wallet)
    }

    async fn shared(&self, share: &str) -> badgemesh_wallet::Result<Option<Item>> {
        self.store().read().and_then(|t| inbox::shared(&t, share)).map_err(to_wallet)
    }

    async fn portfolios(&self) -> badgemesh_wallet::Result<Vec<Portfolio>> {
        self.store().read().and_then(|t| inbox::portfolios(&t)).map_err(to_wallet)
    }

    async fn portfolio(&self, id: &str) -> badgemesh_wallet::Result<Option<Portfolio>> {
        self.store().read().and_then(|t| inbox::portfolio(&t, id)).map_err(to_wallet)
    }

    async fn save_portfolio(
        &self,
        id: Option<String>,
        input: PortfolioInput,
    ) -> badgemesh_wallet::Result<Portfolio> {
        self.store().write(move |b| inbox::save_portfolio(b, id, input)).await.map_err(to_wallet)
    }

    async fn delete_portfolio(&self, id: &str) -> badgemesh_wallet::Result<()> {
        let id = id.to_owned();
        self.store().write(move |b| inbox::delete_portfolio(b, &id)).await.map_err(to_wallet)
    }

    async fn backup(&self, passphrase: String) -> badgemesh_wallet::Result<Vec<u8>> {
        let (items, pages) = self
            .store()
            .read()
            .and_then(|t| Ok((inbox::all(&t)?, inbox::portfolios(&t)?)))
            .map_err(to_wallet)?;
        let holder = Holder {
            did: self.holder(),
            secret_key_hex: hex::encode(self.node.issuer().holder_seed()),
        };
        let backup = Backup::new(holder, items, pages, chrono::Utc::now());
        let sealed =
            self.node.issuer().cpu().try_run(move || backup::seal(&backup, &passphrase, None));
        sealed.await.map_err(to_wallet)?
    }

    async fn restore(
        &self,
        bytes: Vec<u8>,
        passphrase: String,
    ) -> badgemesh_wallet::Result<Restored> {
        let opened = self.node.issuer().cpu().try_run(move || backup::open(&bytes, &passphrase));
        let backup = opened.await.map_err(to_wallet)??;
        let holder = backup.holder.did.clone();
        let (items_added, items_held, pages_added) = self
            .store()
            .write(move |b| inbox::restore(b, &backup.items, &backup.pages))
            .await
            .map_err(to_wallet)?;
        let same_holder = holder == self.holder();
        Ok(Restored { items_added, items_held, pages_added, holder, same_holder })
    }

    async fn claim(&self, link: &str, tx_code: Option<&str>) -> badgemesh_wallet::Result<Value> {
        use crate::exchange::client;
        let claimed = if client::is_offer(link) {
            client::claim(self.node.issuer(), link, tx_code).await
        } else {
            client::claim_link(link).await
        };
        claimed.map_err(to_wallet)
    }
}
