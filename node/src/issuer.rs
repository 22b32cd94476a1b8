//! The issuer: profile, achievements, awards, status changes and claim links, over the store.
//!
//! [`Issuer`] is a cheap handle the HTTP layer and the CLI share. Credential building is pure
//! (in [`award`], [`achievement`], [`profile`]); this module orders the steps so that an award
//! is signed outside the store's writer (signing runs on every core) and recorded, with its
//! status index, claim link and mail, in one durable transaction.

pub mod achievement;
pub mod announce;
pub mod award;
pub mod bulk;
pub mod direct;
pub mod fields;
pub mod lists;
pub mod profile;

use std::sync::Arc;

use chrono::Utc;
use futures::{StreamExt, stream};
use serde::Serialize;
use serde_json::Value;
use vc_schemas::{
    issue::{self, Format},
    key::Ed25519Key,
    status_list::StatusEntry,
};

use crate::{
    Error, Result,
    cpu::CpuPool,
    mail::Mailer,
    store::{
        Store,
        achievements::{self, AchievementRecord},
        claims::{self, ClaimRecord},
        credentials::{
            self, Change, ClaimState, CredentialRecord, Filter, Inserted, Recipient, State,
            StatusRef,
        },
        outbox::{self, Mail},
        status::{self, StatusListRecord},
        tables::{META, decode, encode},
    },
};
use achievement::AchievementInput;
use award::{AwardRequest, Parts, uuid_of};
use profile::Profile;

/// Awards in flight at once during a bulk run: enough to fill a group commit and both cores.
const BULK_CONCURRENCY: usize = 64;

/// The issuer service.
#[derive(Debug, Clone)]
pub struct Issuer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    key: Arc<Ed25519Key>,
    base: String,
    mailer: Option<Mailer>,
    cpu: CpuPool,
}

/// Jobs that may wait for a CPU worker beyond those running (signing for bulk runs, verifying for
/// anyone): past it, open routes answer 503.
const CPU_QUEUE: usize = 256;

/// A stored award and, for an e-mail recipient, its claim link.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Awarded {
    /// The stored record (with the signed credential).
    #[serde(flatten)]
    pub record: CredentialRecord,
    /// The single-use claim link sent to the recipient (only when this call made the award:
    /// the link's secret is kept only as a hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_url: Option<String>,
    /// The request's key had produced this award before; nothing new was issued or sent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub existing: bool,
}

/// Outcome of a bulk run.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkReport {
    /// Rows awarded by this run: line and credential id.
    pub awarded: Vec<BulkAwarded>,
    /// Rows an earlier run of the same file (or an identical row) awarded already.
    pub already_awarded: Vec<BulkAwarded>,
    /// Rows refused, by line.
    pub errors: Vec<bulk::RowError>,
}

/// One awarded CSV row.
#[derive(Debug, Clone, Serialize)]
pub struct BulkAwarded {
    /// 1-based line.
    pub line: u64,
    /// 0-based record index.
    pub row: u64,
    /// Credential id (`urn:uuid:…`).
    pub id: String,
    /// Claim link, for e-mail recipients.
    #[serde(rename = "claimUrl", skip_serializing_if = "Option::is_none")]
    pub claim_url: Option<String>,
}

impl Issuer {
    /// An issuer over `store`, signing with `key`, publishing URLs under `base`.
    pub fn new(store: Store, key: Arc<Ed25519Key>, base: String, mailer: Option<Mailer>) -> Self {
        Self::with_cpu(store, key, base, mailer, CpuPool::for_this_machine(CPU_QUEUE))
    }

    /// The same, with CPU-heavy work on `cpu`.
    pub fn with_cpu(
        store: Store,
        key: Arc<Ed25519Key>,
        base: String,
        mailer: Option<Mailer>,
        cpu: CpuPool,
    ) -> Self {
        Self { inner: Arc::new(Inner { store, key, base, mailer, cpu }) }
    }

    /// The pool CPU-heavy work runs on.
    pub fn cpu(&self) -> &CpuPool {
        &self.inner.cpu
    }

    /// Signs `doc` as it is (Data Integrity) on the CPU pool, waiting for a worker.
    pub(crate) async fn sign_on_pool(
        &self,
        doc: Value,
        now: chrono::DateTime<Utc>,
    ) -> Result<Value> {
        let key = self.inner.key.clone();
        let job = async move { issue::sign(&doc, &*key, Format::DataIntegrity, now).await };
        Ok(self.inner.cpu.compute(job).await??)
    }

    /// Prepares `unsigned` (fills, schema check) and signs it on the CPU pool, waiting for a
    /// worker: returns the prepared and the signed document.
    pub(crate) async fn prepare_and_sign(
        &self,
        unsigned: Value,
        id: String,
        now: chrono::DateTime<Utc>,
        format: Format,
        any_vcdm: bool,
    ) -> Result<(Value, Value)> {
        let (key, did) = (self.inner.key.clone(), self.did().to_owned());
        let job = async move {
            let prepared = if any_vcdm {
                issue::prepare_any(&unsigned, &did, &id, now)?
            } else {
                issue::prepare(&unsigned, &did, &id, now)?
            };
            let signed = issue::sign(&prepared, &key, format, now).await?;
            Ok::<_, vc_schemas::Error>((prepared, signed))
        };
        Ok(self.inner.cpu.compute(job).await??)
    }

    /// The node's DID.
    pub fn did(&self) -> &str {
        self.inner.key.controller()
    }

    /// The public base URL.
    pub fn base(&self) -> &str {
        &self.inner.base
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// URL of the status list `name`.
    pub fn list_url(&self, name: &str) -> String {
        format!("{}/status/{name}", self.inner.base)
    }

    /// URL of a claim link.
    pub fn claim_url(&self, token: &str) -> String {
        format!("{}/claim/{token}", self.inner.base)
    }

    // ---- profile ----

    /// The issuer profile.
    pub fn profile(&self) -> Result<Profile> {
        let txn = self.inner.store.read()?;
        let meta = txn.open_table(META).map_err(Error::store)?;
        let found = meta.get("profile").map_err(Error::store)?;
        found.map(|v| decode(v.value())).transpose().map(|p| p.unwrap_or_else(Profile::unnamed))
    }

    /// Replaces the issuer profile.
    pub async fn set_profile(&self, profile: Profile) -> Result<Profile> {
        profile.validate()?;
        let bytes = encode(&profile)?;
        self.inner
            .store
            .write(move |b| {
                let mut meta = b.txn.open_table(META).map_err(Error::store)?;
                meta.insert("profile", bytes.as_slice()).map_err(Error::store)?;
                Ok(())
            })
            .await?;
        Ok(profile)
    }

    // ---- achievements ----

    /// Every achievement (archived ones too).
    pub fn achievements(&self) -> Result<Vec<AchievementRecord>> {
        achievements::list(&self.inner.store.read()?)
    }

    /// One achievement.
    pub fn achievement(&self, id: &str) -> Result<AchievementRecord> {
        achievements::get(&self.inner.store.read()?, uuid_of(id))?
            .ok_or_else(|| Error::NotFound(format!("achievement {id}")))
    }

    /// Creates an achievement.
    pub async fn create_achievement(&self, input: AchievementInput) -> Result<AchievementRecord> {
        let uuid = uuid::Uuid::new_v4().to_string();
        let now = Utc::now();
        let record = AchievementRecord {
            achievement: input.to_ob(&uuid, None)?,
            uuid,
            version: 1,
            archived: false,
            image_type: None,
            validity_days: input.validity_days,
            created: now,
            updated: now,
        };
        let stored = record.clone();
        self.inner.store.write(move |b| achievements::put(b, &stored)).await?;
        Ok(record)
    }

    /// Replaces an achievement's fields as a new version; credentials keep the version they
    /// were awarded with.
    pub async fn update_achievement(
        &self,
        id: &str,
        input: AchievementInput,
    ) -> Result<AchievementRecord> {
        let uuid = uuid_of(id).to_owned();
        let image_url = self.image_url(&uuid);
        self.inner
            .store
            .write(move |b| {
                let mut record = editable(b, &uuid)?;
                let image = record.image_type.is_some().then_some(image_url.as_str());
                record.achievement = input.to_ob(&uuid, image)?;
                record.validity_days = input.validity_days;
                record.version += 1;
                record.updated = Utc::now();
                achievements::put(b, &record)?;
                Ok(record)
            })
            .await
    }

    /// Archives an achievement: kept, no longer awarded.
    pub async fn archive_achievement(&self, id: &str) -> Result<AchievementRecord> {
        let uuid = uuid_of(id).to_owned();
        self.inner
            .store
            .write(move |b| {
                let mut record = achievements::get_for_write(b, &uuid)?
                    .ok_or_else(|| Error::NotFound(format!("achievement {uuid}")))?;
                if !record.archived {
                    record.archived = true;
                    record.updated = Utc::now();
                    achievements::put(b, &record)?;
                }
                Ok(record)
            })
            .await
    }

    fn image_url(&self, uuid: &str) -> String {
        format!("{}/achievements/{uuid}/image", self.inner.base)
    }

    /// Sets an achievement's image (PNG or SVG, checked by content), as a new version.
    pub async fn set_image(&self, id: &str, bytes: Vec<u8>) -> Result<AchievementRecord> {
        let (content_type, bytes) =
            self.inner.cpu.run(move || image_type(&bytes).map(|t| (t, bytes))).await??;
        let uuid = uuid_of(id).to_owned();
        let url = self.image_url(&uuid);
        self.inner
            .store
            .write(move |b| {
                let mut record = editable(b, &uuid)?;
                record.achievement["image"] = serde_json::json!({"id": url, "type": "Image"});
                record.image_type = Some(content_type.to_owned());
                record.version += 1;
                record.updated = Utc::now();
                achievements::put(b, &record)?;
                achievements::put_image(b, &uuid, &bytes)?;
                Ok(record)
            })
            .await
    }

    /// An achievement's image and content type.
    pub fn image(&self, id: &str) -> Result<(String, Vec<u8>)> {
        let record = self.achievement(id)?;
        let bytes = achievements::image(&self.inner.store.read()?, &record.uuid)?;
        match (record.image_type, bytes) {
            (Some(t), Some(b)) => Ok((t, b)),
            _ => Err(Error::NotFound(format!("image of achievement {id}"))),
        }
    }

    // ---- awards ----

    /// Awards an achievement: builds, signs and stores the credential; queues the notice.
    pub async fn award(&self, request: AwardRequest) -> Result<Awarded> {
        if let Some(key) = &request.key
            && let Some(record) = credentials::by_key(&self.inner.store.read()?, key)?
        {
            return Ok(Awarded { record, claim_url: None, existing: true });
        }
        let recipient = request.recipient()?;
        let purpose = request.purpose()?;
        let achievement = self.achievement(request.achievement_uuid())?;
        if achievement.archived {
            return Err(Error::Conflict(format!("achievement {} is archived", achievement.uuid)));
        }
        let issuer = self.profile()?.to_ob(self.did());
        let slot = self.inner.store.allocator.reserve(purpose);
        // Time-ordered (v7): the store's key order follows issue order, so an award appends to
        // the credential table's last pages instead of writing into pages all over a store of
        // millions. The time it tells is the `validFrom` signed into the credential anyway.
        let uuid = uuid::Uuid::now_v7().to_string();
        let now = Utc::now();
        let salt = vc_schemas_salt();
        let status = StatusEntry {
            list_credential: self.list_url(&slot.list),
            index: slot.index,
            purpose: purpose.to_owned(),
        };
        let parts = Parts {
            request: &request,
            achievement: &achievement,
            issuer,
            uuid: &uuid,
            status,
            now,
            salt: &salt,
        };
        let unsigned = award::unsigned(&parts)?;
        let id = format!("urn:uuid:{uuid}");
        let (_, signed) =
            self.prepare_and_sign(unsigned, id, now, Format::DataIntegrity, false).await?;
        let token = matches!(recipient, Recipient::Email(_)).then(crate::token::random_token);
        let mail = match (&recipient, &token, &self.inner.mailer, request.notify) {
            (Recipient::Email(to), Some(token), Some(_), None | Some(true)) => {
                Some(self.notice(to, &achievement, token)?)
            }
            _ => None,
        };
        let record = CredentialRecord {
            uuid: uuid.clone(),
            seq: 0,
            achievement: achievement.uuid.clone(),
            achievement_version: achievement.version,
            recipient,
            issued_at: now,
            state: State::Active,
            reason: None,
            state_changed: None,
            status: vec![StatusRef::from(&slot)],
            claim: token.as_ref().map(|_| ClaimState::Pending),
            public: false,
            credential: signed,
        };
        let this = self.clone();
        let claim_token = token.clone();
        let key = request.key.clone();
        let inserted = self
            .inner
            .store
            .write(move |b| {
                let list_url = |name: &str| this.list_url(name);
                let record = match credentials::insert_keyed(b, record, key.as_deref(), &list_url)?
                {
                    // Another request with the same key was committed first.
                    Inserted::Existing(record) => return Ok(Inserted::Existing(record)),
                    Inserted::New(record) => record,
                };
                if let Some(t) = &claim_token {
                    claims::insert(b, t, &record.uuid, now)?;
                }
                if let Some(m) = &mail {
                    outbox::push(b, m)?;
                }
                Ok(Inserted::New(record))
            })
            .await?;
        let record = match inserted {
            Inserted::Existing(record) => {
                return Ok(Awarded { record, claim_url: None, existing: true });
            }
            Inserted::New(record) => record,
        };
        if let (Some(mailer), Some(_)) = (&self.inner.mailer, &token) {
            mailer.wake();
        }
        Ok(Awarded { record, claim_url: token.map(|t| self.claim_url(&t)), existing: false })
    }

    fn notice(&self, to: &str, achievement: &AchievementRecord, token: &str) -> Result<Mail> {
        let profile = self.profile()?;
        let name = achievement.achievement["name"].as_str().unwrap_or("a badge");
        Ok(Mail {
            to: to.to_owned(),
            subject: format!("{} awarded you \"{name}\"", profile.name),
            body: format!(
                "{} has awarded you the badge \"{name}\".\n\n\
                 Accept or refuse it here (the link works once):\n{}\n\n\
                 If you accept, you can download it as a verifiable credential or as a baked image.\n",
                profile.name,
                self.claim_url(token)
            ),
        })
    }

    /// Awards every valid row of a CSV; a bad row is reported by line and stops nothing else.
    pub async fn bulk(&self, csv: &str, achievement: Option<&str>) -> Result<BulkReport> {
        let rows = bulk::parse(csv, achievement)?;
        let results: Vec<_> = stream::iter(rows)
            .map(|(line, row_index, row)| async move {
                match row {
                    Err(e) => Err(e),
                    Ok(request) => self
                        .award(request)
                        .await
                        .map(|a| {
                            let row = BulkAwarded {
                                line,
                                row: row_index,
                                id: format!("urn:uuid:{}", a.record.uuid),
                                claim_url: a.claim_url,
                            };
                            (row, a.existing)
                        })
                        .map_err(|e| bulk::RowError {
                            line,
                            row: row_index,
                            message: e.to_string(),
                        }),
                }
            })
            .buffered(BULK_CONCURRENCY)
            .collect()
            .await;
        let mut report = BulkReport::default();
        for r in results {
            match r {
                Ok((a, false)) => report.awarded.push(a),
                Ok((a, true)) => report.already_awarded.push(a),
                Err(e) => report.errors.push(e),
            }
        }
        Ok(report)
    }

    // ---- credentials and status ----

    /// One credential record.
    pub fn credential(&self, id: &str) -> Result<CredentialRecord> {
        credentials::get(&self.inner.store.read()?, uuid_of(id))?
            .ok_or_else(|| Error::NotFound(format!("credential {id}")))
    }

    /// A page of credentials.
    pub fn credentials(&self, filter: &Filter) -> Result<(Vec<CredentialRecord>, Option<u64>)> {
        credentials::list(&self.inner.store.read()?, filter)
    }

    /// Revokes, suspends or unsuspends; the list is re-signed in the same commit.
    pub async fn change(
        &self,
        id: &str,
        change: Change,
        reason: Option<String>,
    ) -> Result<CredentialRecord> {
        let uuid = uuid_of(id).to_owned();
        self.inner
            .store
            .write(move |b| credentials::change_state(b, &uuid, change, reason, Utc::now()))
            .await
    }

    /// A status list record.
    pub fn status_list(&self, name: &str) -> Result<StatusListRecord> {
        status::get(&self.inner.store.read()?, name)?
            .filter(|r| r.credential.is_some())
            .ok_or_else(|| Error::NotFound(format!("status list {name}")))
    }

    /// Every status list.
    pub fn status_lists(&self) -> Result<Vec<StatusListRecord>> {
        status::all(&self.inner.store.read()?)
    }

    // ---- claims ----

    /// The claim behind a link, with its credential.
    pub fn claim(&self, token: &str) -> Result<(ClaimRecord, CredentialRecord)> {
        let txn = self.inner.store.read()?;
        let claim =
            claims::get(&txn, token)?.ok_or_else(|| Error::NotFound("claim link".into()))?;
        let record = credentials::get(&txn, &claim.credential)?
            .ok_or_else(|| Error::NotFound(format!("credential {}", claim.credential)))?;
        Ok((claim, record))
    }

    /// Accepts or refuses, once.
    pub async fn decide(&self, token: &str, accept: bool) -> Result<ClaimRecord> {
        let token = token.to_owned();
        self.inner.store.write(move |b| claims::decide(b, &token, accept, Utc::now())).await
    }

    /// Sets whether a credential is served publicly.
    pub async fn set_public(&self, id: &str, public: bool) -> Result<CredentialRecord> {
        let uuid = uuid_of(id).to_owned();
        self.inner
            .store
            .write(move |b| {
                let mut record = credentials::get_for_write(b, &uuid)?
                    .ok_or_else(|| Error::NotFound(format!("credential {uuid}")))?;
                record.public = public;
                credentials::put(b, &record)?;
                Ok(record)
            })
            .await
    }
}

/// An achievement about to get a new version: it must exist and not be archived.
fn editable(b: &crate::store::Batch<'_>, uuid: &str) -> Result<AchievementRecord> {
    let record = achievements::get_for_write(b, uuid)?
        .ok_or_else(|| Error::NotFound(format!("achievement {uuid}")))?;
    if record.archived {
        return Err(Error::Conflict(format!("achievement {uuid} is archived")));
    }
    Ok(record)
}

/// A fresh salt for a hashed identity: 16 random bytes, hex.
fn vc_schemas_salt() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

/// Largest badge image side, in pixels: a 256 KiB PNG can claim 65,535 × 65,535 pixels, and
/// baking decodes every pixel.
pub const MAX_IMAGE_SIDE: u32 = 4096;

/// `image/png` or `image/svg+xml`, judged from the bytes, never from a client's header. A PNG
/// must decode whole within [`MAX_IMAGE_SIDE`]; an SVG must be a plain picture
/// ([`vc_schemas::svg::check_safe`]: no script, no embedded documents, nothing fetched).
pub fn image_type(bytes: &[u8]) -> Result<&'static str> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(PNG) {
        check_png(bytes)?;
        return Ok("image/png");
    }
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if (head.starts_with("<svg") || head.starts_with("<?xml")) && text.contains("<svg") {
        vc_schemas::svg::check_safe(bytes).map_err(|e| Error::Invalid(e.to_string()))?;
        return Ok("image/svg+xml");
    }
    Err(Error::Invalid("the image must be a PNG or an SVG".into()))
}

/// The PNG decodes to the end (a truncated or forged file is refused at upload) and is no
/// larger than [`MAX_IMAGE_SIDE`] on either side.
fn check_png(bytes: &[u8]) -> Result<()> {
    let bad = |e: &dyn std::fmt::Display| Error::Invalid(format!("the PNG does not decode: {e}"));
    let mut reader =
        png::Decoder::new(std::io::Cursor::new(bytes)).read_info().map_err(|e| bad(&e))?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(Error::Invalid(format!(
            "the PNG is {width} × {height} pixels; the limit is {MAX_IMAGE_SIDE} on each side"
        )));
    }
    let size = reader.output_buffer_size().ok_or_else(|| bad(&"too large"))?;
    let mut pixels = vec![0; size];
    reader.next_frame(&mut pixels).map_err(|e| bad(&e))?;
    Ok(())
}
