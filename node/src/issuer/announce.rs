//! What this node tells the network about itself and publishes for others: its signed node
//! announcement (the DID says where its node is reached) and the endorsements it issues.

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use vc_schemas::{context, issue::Format, schema::Kind as CredentialKind};

use super::Issuer;
use crate::{Error, Result, p2p::proto::ANNOUNCEMENT_TYPE};

/// The context that gives the announcement's own terms (`peerId`, `addresses`, …) an IRI.
const UNDEFINED_TERMS: &str = "https://www.w3.org/ns/credentials/undefined-terms/v2";

impl Issuer {
    /// A signed announcement: this DID's node is `peer_id`, reachable at `addresses`, with this
    /// public URL and profile. Its `validFrom` orders it against earlier announcements.
    pub async fn announcement(&self, peer_id: &str, addresses: &[String]) -> Result<Value> {
        let profile = self.profile()?;
        let now = Utc::now();
        let mut subject = json!({
            "id": self.did(),
            "peerId": peer_id,
            "addresses": addresses,
            "publicUrl": self.base(),
        });
        for (k, v) in [("url", &profile.url), ("email", &profile.email), ("image", &profile.image)]
        {
            if let Some(v) = v {
                subject[k] = json!(v);
            }
        }
        let mut issuer = json!({"id": self.did(), "name": profile.name});
        if let Some(d) = &profile.description {
            issuer["description"] = json!(d);
        }
        let unsigned = json!({
            "@context": [context::CREDENTIALS_V2, UNDEFINED_TERMS],
            "id": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
            "type": ["VerifiableCredential", ANNOUNCEMENT_TYPE],
            "issuer": issuer,
            "validFrom": now.to_rfc3339_opts(SecondsFormat::Millis, true),
            "credentialSubject": subject,
        });
        self.sign_on_pool(unsigned, now).await
    }

    /// Signs an OB 3.0 `EndorsementCredential` (checked against its 1EdTech schema) as this
    /// node's DID.
    pub async fn endorsement(&self, unsigned: &Value) -> Result<Value> {
        if CredentialKind::of_credential(unsigned) != Some(CredentialKind::EndorsementCredential) {
            return Err(Error::Invalid("type must include EndorsementCredential".into()));
        }
        let now = Utc::now();
        let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        let (_, signed) =
            self.prepare_and_sign(unsigned.clone(), id, now, Format::DataIntegrity, false).await?;
        Ok(signed)
    }
}
