//! The running node: [`Node`] owns its long-lived tasks under one cancellation token, and
//! [`NodeHandle`] is what the HTTP layer (and next the wallet) calls: operations, not tables.
//!
//! The handle holds the policy that used to live in the HTTP handlers: which status lists a
//! verification may use (this node's own, then the gossiped ones, never older than
//! `[verify] max_list_age_secs`), that CPU-heavy work runs on the bounded pool, and that an
//! award to a DID whose node announced itself is offered to that node.

use std::{path::Path, sync::Arc, time::Duration};

use futures::future::BoxFuture;
use serde_json::Value;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use vc_schemas::{
    did::OfflineResolver,
    status_list::StatusEntry,
    verify::{self, Options, Report},
};

use crate::{
    Error, Result,
    config::Config,
    issuer::{Awarded, BulkReport, Issuer, lists},
    keys,
    mail::Mailer,
    p2p::{self, P2p, proto, validator},
    store::{
        STORE_FILE, Store,
        credentials::Recipient,
        held::{self, Held, Kind},
        inbox::{self, InboxItem},
    },
};

/// What verification may rely on.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyPolicy {
    /// Oldest status list verification will use; `None`: no limit.
    pub max_list_age: Option<chrono::Duration>,
}

impl VerifyPolicy {
    /// From `[verify]`.
    pub fn from_config(config: &Config) -> Self {
        let max_list_age = match config.verify.max_list_age_secs {
            0 => None,
            s => Some(chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX))),
        };
        Self { max_list_age }
    }
}

/// What to verify.
#[derive(Debug, Clone)]
pub enum Verifiable {
    /// A credential: JSON, a compact VC-JWT string, or an enveloped VC-JWT.
    Credential(Value),
    /// A presentation.
    Presentation(Value),
}

/// A verification's answer.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The report, check by check.
    pub report: Report,
    /// The status lists it used: (URL, signed list credential).
    pub lists: Vec<(String, Value)>,
    /// Lists left out and why (too old).
    pub warnings: Vec<String>,
}

/// Whether an award was offered to the recipient's node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Offered over `/badgemesh/deliver/1`.
    Offered,
    /// Not offered (no announced node, or not a DID): the holder fetches it or got an e-mail.
    None,
}

impl Delivery {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offered => "offered",
            Self::None => "none",
        }
    }
}

/// The cloneable handle on a running node.
#[derive(Debug, Clone)]
pub struct NodeHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    issuer: Issuer,
    p2p: Option<P2p>,
    policy: VerifyPolicy,
}

impl NodeHandle {
    /// A handle over parts already running (in-process tests build one without tasks).
    pub fn new(issuer: Issuer, p2p: Option<P2p>, policy: VerifyPolicy) -> Self {
        Self { inner: Arc::new(Inner { issuer, p2p, policy }) }
    }

    /// The issuer service.
    pub fn issuer(&self) -> &Issuer {
        &self.inner.issuer
    }

    /// The p2p network, when it runs.
    pub fn p2p(&self) -> Option<&P2p> {
        self.inner.p2p.as_ref()
    }

    /// The network, or a "not running" error for operations that need it.
    pub fn network(&self) -> Result<&P2p> {
        self.p2p().ok_or_else(|| Error::P2p("the p2p network is not running on this node".into()))
    }

    /// Whether the store answers.
    pub fn check_health(&self) -> Result<()> {
        self.issuer().store().read().map(|_| ())
    }

    /// Awards, then offers the credential to the recipient DID's node when it announced one.
    pub async fn award_and_deliver(
        &self,
        request: crate::issuer::award::AwardRequest,
    ) -> Result<(Awarded, Delivery)> {
        let awarded = self.issuer().award(request).await?;
        let delivery = match (self.p2p(), &awarded.record.recipient, awarded.existing) {
            (Some(p2p), Recipient::Did(did), false) => {
                match p2p.deliver(did, awarded.record.credential.clone()).await {
                    Ok(()) => Delivery::Offered,
                    Err(Error::NotFound(_)) => Delivery::None,
                    Err(e) => {
                        tracing::warn!(error = %e, "direct delivery failed");
                        Delivery::None
                    }
                }
            }
            _ => Delivery::None,
        };
        Ok((awarded, delivery))
    }

    /// Awards every valid row of a CSV, then offers each new award to its recipient's node.
    pub async fn bulk_and_deliver(
        &self,
        csv: &str,
        achievement: Option<&str>,
    ) -> Result<BulkReport> {
        let report = self.issuer().bulk(csv, achievement).await?;
        if let Some(p2p) = self.p2p() {
            for row in report.awarded.iter().filter(|r| r.claim_url.is_none()) {
                let Ok(record) = self.issuer().credential(&row.id) else { continue };
                let Recipient::Did(did) = &record.recipient else { continue };
                match p2p.deliver(did, record.credential.clone()).await {
                    Ok(()) | Err(Error::NotFound(_)) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, credential = %row.id, "direct delivery failed")
                    }
                }
            }
        }
        Ok(report)
    }

    /// Signs an endorsement, holds it and gossips it; without the network the same judgment as
    /// gossip decides what is held.
    pub async fn endorse(&self, unsigned: &Value) -> Result<Value> {
        let signed = self.issuer().endorsement(unsigned).await?;
        let message = proto::Message { kind: Kind::Endorsement, credential: signed.clone() };
        match self.p2p() {
            Some(p2p) => p2p.publish(message).await?,
            None => {
                let now = chrono::Utc::now();
                let doc = match validator::judge(&message, None, now).await {
                    proto::Verdict::Accept(doc) => Held::accepted(*doc, now),
                    proto::Verdict::Ignore(why) => return Err(Error::Invalid(why.to_string())),
                    proto::Verdict::Reject(why) => return Err(Error::Invalid(why.to_string())),
                };
                let stored =
                    self.issuer().store().write(move |b| held::put_if_newer(b, &doc)).await?;
                if let held::Stored::OtherIssuer { held_by } = stored {
                    return Err(Error::Invalid(format!(
                        "endorsement {} belongs to {held_by}",
                        signed["id"].as_str().unwrap_or_default()
                    )));
                }
            }
        }
        Ok(signed)
    }

    /// Documents of `kind` held from the network (and this node's own).
    pub fn held(&self, kind: Kind) -> Result<Vec<Held>> {
        held::all(&self.issuer().store().read()?, kind)
    }

    /// The inbox, newest first.
    pub fn inbox(&self) -> Result<Vec<InboxItem>> {
        let mut items = inbox::all(&self.issuer().store().read()?)?;
        items.sort_by_key(|i| std::cmp::Reverse(i.received));
        Ok(items)
    }

    /// Records the earner's answer once; returns the item and whether the issuer's node was told.
    pub async fn decide(&self, id: String, accept: bool) -> Result<(InboxItem, bool)> {
        let (item, reply) =
            self.issuer().store().write(move |b| inbox::decide(b, &id, accept)).await?;
        let told = match (reply, self.p2p()) {
            (badgemesh_wallet::inbox::Reply::TellIssuer { .. }, Some(p2p)) => {
                p2p.answer(&item, accept).await.is_ok()
            }
            _ => false,
        };
        Ok((item, told))
    }

    /// One wallet item.
    pub fn wallet_item(&self, id: &str) -> Result<InboxItem> {
        inbox::get(&self.issuer().store().read()?, id)?
            .ok_or_else(|| Error::NotFound(format!("wallet item {id}")))
    }

    /// Offers `item` to the wallet (as the wallet judges it); `false` when held already.
    pub async fn offer(&self, item: InboxItem) -> Result<bool> {
        self.issuer().store().write(move |b| inbox::offer(b, &item)).await
    }

    /// A badge this node's holder issues to themself: an achievement of its own, awarded to
    /// the node's DID with the evidence given, kept in the wallet as accepted and self-issued.
    pub async fn self_issue(&self, request: badgemesh_wallet::SelfIssue) -> Result<InboxItem> {
        use crate::issuer::{
            achievement::{AchievementInput, Criteria},
            award::AwardRequest,
        };
        let achievement = self
            .issuer()
            .create_achievement(AchievementInput {
                name: request.name,
                description: request.description,
                criteria: Criteria { id: None, narrative: Some(request.criteria) },
                tags: Vec::new(),
                alignments: Vec::new(),
                achievement_type: Some("ext:SelfIssued".into()),
                result_descriptions: Vec::new(),
                validity_days: None,
            })
            .await?;
        let evidence = match request.evidence.trim() {
            "" => Vec::new(),
            url => vec![serde_json::json!({"id": url, "name": "Evidence"})],
        };
        let awarded = self
            .issuer()
            .award(AwardRequest {
                evidence,
                ..AwardRequest::plain(achievement.uuid, self.issuer().did().to_owned())
            })
            .await?;
        let item = badgemesh_wallet::import::item(
            awarded.record.credential,
            badgemesh_wallet::Origin::SelfIssued,
            chrono::Utc::now(),
        )
        .map_err(inbox::wallet_error)?;
        let id = item.id.clone();
        self.offer(item).await?;
        self.wallet_item(&id)
    }

    /// Replaces a wallet item's tags.
    pub async fn set_tags(&self, id: String, tags: Vec<String>) -> Result<InboxItem> {
        self.issuer().store().write(move |b| inbox::set_tags(b, &id, tags)).await
    }

    /// The credential baked into a PNG or SVG badge (a JSON object, or a VC-JWT as a string),
    /// read on the CPU pool: an image's chunks or markup are parsed before anything is known
    /// about them. An image with no credential or with several, and bytes that are no image,
    /// are [`Error::Invalid`].
    pub async fn unbake(&self, image: Vec<u8>) -> Result<Value> {
        let text = self
            .issuer()
            .cpu()
            .try_run(move || vc_schemas::bake::unbake(&image))
            .await?
            .map_err(|e| Error::Invalid(e.to_string()))?
            .ok_or_else(|| Error::Invalid("not a PNG or SVG image".into()))?;
        if vc_schemas::proof::jwt::looks_like_jwt(&text) {
            return Ok(Value::String(text.trim().to_owned()));
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(doc @ Value::Object(_)) => Ok(doc),
            Ok(_) => Err(Error::Invalid("the baked credential is not a JSON object".into())),
            Err(e) => Err(Error::Invalid(format!("the baked credential is not JSON: {e}"))),
        }
    }

    /// Verifies on the CPU pool (refused with [`Error::Busy`] when its queue is full), checking
    /// status against the lists this node holds: nothing is fetched.
    pub async fn verify(
        &self,
        what: Verifiable,
        challenge: Option<String>,
        domain: Option<String>,
    ) -> Result<Verification> {
        let (lists, warnings) = match &what {
            Verifiable::Credential(vc) => self.status_lists_for(&[vc]),
            Verifiable::Presentation(given) => {
                let vp = verify::presentation_document(given).unwrap_or_default();
                let inner: Vec<&Value> = match vp.get("verifiableCredential") {
                    Some(Value::Array(items)) => items.iter().collect(),
                    Some(one) => vec![one],
                    None => Vec::new(),
                };
                self.status_lists_for(&inner)
            }
        };
        let used = lists.clone();
        let report = self
            .issuer()
            .cpu()
            .try_compute(async move {
                let resolver = OfflineResolver::default();
                let o = Options {
                    now: chrono::Utc::now(),
                    resolver: &resolver,
                    status_lists: &used,
                    challenge: challenge.as_deref(),
                    domain: domain.as_deref(),
                };
                match &what {
                    Verifiable::Presentation(Value::String(token)) => {
                        verify::verify_presentation_jwt(token, &o).await
                    }
                    Verifiable::Presentation(vp) => match verify::enveloped_presentation(vp) {
                        Some(token) => verify::verify_presentation_jwt(token, &o).await,
                        None => verify::verify_presentation(vp, &o).await,
                    },
                    Verifiable::Credential(Value::String(token)) => {
                        verify::verify_jwt(token, &o).await
                    }
                    Verifiable::Credential(doc) => match verify::enveloped_jwt(doc) {
                        Some(token) => verify::verify_jwt(token, &o).await,
                        None => verify::verify_credential(doc, &o).await,
                    },
                }
            })
            .await?;
        Ok(Verification { report, lists, warnings })
    }

    /// The lists this node holds for the status entries of `docs`: its own (from its status
    /// tables) and everyone else's (received by gossip or catch-up). Lists older than the
    /// policy allows are left out (the status check then says "unknown") and named in the
    /// warnings.
    pub fn status_lists_for(&self, docs: &[&Value]) -> (Vec<(String, Value)>, Vec<String>) {
        let prefix = format!("{}/status/", self.issuer().base());
        let mut out: Vec<(String, Value)> = Vec::new();
        let mut warnings = Vec::new();
        for &doc in docs {
            let payload = jwt_payload(doc);
            let doc = payload.as_ref().unwrap_or(doc);
            let entries: Vec<&Value> = match doc.get("credentialStatus") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(one) => vec![one],
                None => Vec::new(),
            };
            for e in entries {
                let Ok(entry) = StatusEntry::from_json(e) else { continue };
                let url = entry.list_credential;
                if out.iter().any(|(u, _)| *u == url) {
                    continue;
                }
                let Some(credential) = self.held_list(&prefix, &url) else { continue };
                if let Some(limit) = self.inner.policy.max_list_age
                    && let Some(age) = list_age(&credential)
                    && age > limit
                {
                    warnings.push(format!(
                        "status list {url} was signed {}s ago, over the {}s limit: not used",
                        age.num_seconds(),
                        limit.num_seconds()
                    ));
                    continue;
                }
                out.push((url, credential));
            }
        }
        (out, warnings)
    }

    fn held_list(&self, own_prefix: &str, url: &str) -> Option<Value> {
        let own = url
            .strip_prefix(own_prefix)
            .and_then(|name| self.issuer().status_list(name).ok())
            .and_then(|r| r.credential);
        own.or_else(|| {
            let r = self.issuer().store().read().ok()?;
            held::get(&r, Kind::StatusList, url).ok().flatten().map(|h| h.credential)
        })
    }
}

/// The credential inside a VC-JWT (bare or enveloped), decoded but not verified: only used to
/// find which status lists to hand the verifier, which checks the signature itself.
fn jwt_payload(doc: &Value) -> Option<Value> {
    let token = match doc {
        Value::String(t) => t.as_str(),
        other => verify::enveloped_jwt(other)?,
    };
    let decoded = vc_schemas::proof::jwt::decode(token).ok()?;
    decoded.credential().ok().cloned()
}

/// How long ago a list was signed (its `validFrom`).
pub fn list_age(list: &Value) -> Option<chrono::Duration> {
    let from = chrono::DateTime::parse_from_rfc3339(list["validFrom"].as_str()?).ok()?;
    Some(chrono::Utc::now() - from.with_timezone(&chrono::Utc))
}

/// The node's tasks and the handle on them.
#[derive(Debug)]
pub struct Node {
    handle: NodeHandle,
    store: Store,
    tasks: JoinSet<()>,
    cancel: CancellationToken,
}

impl Node {
    /// Opens the store, starts the mail outbox and the network, and the periodic tasks
    /// (status-list refresh, node announcements). `base` is the public URL.
    pub fn start(dir: &Path, config: &Config, base: String) -> Result<Self> {
        let key = Arc::new(keys::load(dir)?);
        let store = Store::open(&dir.join(STORE_FILE), lists::finisher(key.clone()))?;
        let mut tasks: Vec<BoxFuture<'static, ()>> = Vec::new();
        let mailer = match config.smtp.relay.trim() {
            "" => None,
            relay => {
                let (mailer, task) = Mailer::new(store.clone(), relay, &config.smtp.from)?;
                tasks.push(Box::pin(task));
                Some(mailer)
            }
        };
        let p2p = if config.p2p.enabled {
            let (p2p, task) = P2p::start(dir, &config.p2p, store.clone(), key.controller())?;
            tasks.push(task);
            Some(p2p)
        } else {
            None
        };
        let issuer = Issuer::new(store.clone(), key, base, mailer);
        let handle = NodeHandle::new(issuer, p2p, VerifyPolicy::from_config(config));
        let mut node =
            Self { handle, store, tasks: JoinSet::new(), cancel: CancellationToken::new() };
        for task in tasks {
            node.spawn(task);
        }
        let refresh = Duration::from_secs(config.status.refresh_secs.max(10));
        node.spawn(refresh_lists(node.handle.clone(), refresh));
        if node.handle.p2p().is_some() {
            node.spawn(announce_periodically(node.handle.clone(), refresh));
        }
        Ok(node)
    }

    /// The handle.
    pub fn handle(&self) -> NodeHandle {
        self.handle.clone()
    }

    fn spawn(&mut self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        let cancel = self.cancel.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                () = cancel.cancelled() => {}
                () = task => {}
            }
        });
    }

    /// Stops the periodic tasks, then lets the store's writer commit what is queued and
    /// release the file. Handles still held elsewhere keep the store open until dropped.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
        let Self { handle, store, .. } = self;
        drop(handle);
        let _ = tokio::task::spawn_blocking(move || store.close()).await;
    }
}

/// Re-signs lists that have not changed for `refresh`, checking every tenth of that.
async fn refresh_lists(node: NodeHandle, refresh: Duration) {
    let max_age = chrono::Duration::from_std(refresh).unwrap_or(chrono::Duration::hours(1));
    let mut tick = tokio::time::interval(refresh / 10);
    loop {
        tick.tick().await;
        match node.issuer().refresh_lists(max_age).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(lists = n, "status lists re-signed (refresh)"),
            Err(e) => tracing::warn!(error = %e, "status list refresh failed"),
        }
    }
}

/// Announces this node (DID → peer id and addresses) once it listens, then every `every`.
async fn announce_periodically(node: NodeHandle, every: Duration) {
    let Some(p2p) = node.p2p().cloned() else { return };
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        // Listen addresses appear shortly after start; wait for them (bounded).
        let mut info = p2p.info().await;
        for _ in 0..100 {
            if info.as_ref().is_ok_and(|i| !i.listen.is_empty()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            info = p2p.info().await;
        }
        let Ok(info) = info else { return };
        if let Err(e) = announce(&node, &p2p, &info).await {
            tracing::warn!(error = %e, "node announcement failed");
        }
    }
}

/// Signs and publishes this node's announcement.
pub async fn announce(node: &NodeHandle, p2p: &P2p, info: &p2p::NetInfo) -> Result<()> {
    let credential = node.issuer().announcement(&info.peer_id, &info.listen).await?;
    p2p.publish(proto::Message { kind: Kind::Announcement, credential }).await
}
