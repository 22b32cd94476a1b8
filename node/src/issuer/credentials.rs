//! Issued credentials and their status: lookups, listings, revocation and suspension, the
//! public flag, and the recipient's answer to a claim link.

use chrono::Utc;

use super::{Issuer, award::uuid_of};
use crate::{
    Error, Result,
    store::{
        claims::{self, ClaimRecord},
        credentials::{self, Change, CredentialRecord, Filter},
        status::{self, StatusListRecord},
    },
};

impl Issuer {
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
