//! OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow: the wire types,
//! the issuer's metadata, an offer's life (offered, token given, credential issued) and the
//! judgment of a wallet's proof of possession. No I/O: the routes (`api::oid4vci`) read and
//! write the store and sign; this module decides.
//!
//! Secrets are `{offer id}.{random}`: the id finds the offer, and only the SHA-256 of the
//! random part is stored, compared in constant time.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The grant type of the pre-authorized code flow.
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// An Open Badge secured with Data Integrity (`eddsa-rdfc-2022`).
pub const LDP_VC: &str = "OpenBadgeCredential_ldp_vc";
/// The same Open Badge as a VC-JWT (EdDSA).
pub const JWT_VC_JSON: &str = "OpenBadgeCredential_jwt_vc_json";

/// How the credential is secured, as the wallet asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Securing {
    /// `ldp_vc`: the credential with its Data Integrity proof.
    DataIntegrity,
    /// `jwt_vc_json`: the credential as a compact VC-JWT.
    Jwt,
}

impl Securing {
    /// The format's name on the wire.
    pub fn format(self) -> &'static str {
        match self {
            Self::DataIntegrity => "ldp_vc",
            Self::Jwt => "jwt_vc_json",
        }
    }
}
/// The `typ` of a proof-of-possession JWT.
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";
/// How long an offer's code can be exchanged for a token.
pub const OFFER_LIFETIME: Duration = Duration::minutes(15);
/// How long an access token lasts.
pub const TOKEN_LIFETIME: Duration = Duration::minutes(5);
/// How far a proof's `iat` may be from now.
pub const PROOF_SKEW: Duration = Duration::minutes(5);
/// Digits in a transaction code.
pub const TX_CODE_LENGTH: usize = 6;
/// Wrong transaction codes an offer takes before it closes: with six digits, five guesses
/// win one time in 200,000, and whoever guesses must hold the pre-authorized code already.
pub const TX_CODE_ATTEMPTS: u32 = 5;

/// An offer and where it is in the flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    /// Its id (public: in the offer's URL).
    pub id: String,
    /// SHA-256 (hex) of the pre-authorized code's secret part.
    pub code_hash: String,
    /// The achievement to award.
    pub achievement: String,
    /// The DID the award is for, when it was made to one: only a proof by that DID's key
    /// claims it. `None`: whoever holds the code.
    #[serde(default)]
    pub recipient: Option<String>,
    /// Until when the code can be exchanged.
    pub expires: DateTime<Utc>,
    /// SHA-256 (hex) of the transaction code the token request must carry, when the offer
    /// was made with one (sent to the earner apart from the offer, as for an e-mail award).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_code_hash: Option<String>,
    /// Wrong transaction codes tried so far (at [`TX_CODE_ATTEMPTS`] the offer closes).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tx_code_failures: u32,
    /// Where it is.
    pub state: OfferState,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An offer's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum OfferState {
    /// Waiting for the wallet's token request.
    Offered,
    /// The code was exchanged (once) for an access token.
    #[serde(rename_all = "camelCase")]
    Tokened {
        /// SHA-256 (hex) of the token's secret part.
        token_hash: String,
        /// Until when it is good.
        token_expires: DateTime<Utc>,
    },
    /// A VC-API exchange took the offer for `holder`, whose key signed its presentation; the
    /// credential is being issued. (Kept through a crash, so the same holder can finish.)
    #[serde(rename_all = "camelCase")]
    Exchanging {
        /// The DID that authenticated.
        holder: String,
    },
    /// The credential was issued (to `holder`).
    #[serde(rename_all = "camelCase")]
    Issued {
        /// The DID it was issued to.
        holder: String,
        /// The credential's id.
        credential: String,
        /// The access token it was issued for (OpenID4VCI; none for a VC-API exchange): the
        /// wallet's notifications carry it until it expires.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<IssuedToken>,
    },
}

/// The access token an OpenID4VCI credential was issued for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedToken {
    /// SHA-256 (hex) of its secret part.
    pub hash: String,
    /// Until when it is good.
    pub expires: DateTime<Utc>,
}

/// What a wallet's notification (§11) tells the issuer about the credential it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// `credential_accepted`: the earner kept it.
    Accepted,
    /// `credential_deleted`: the earner declined or deleted it.
    Deleted,
    /// `credential_failure`: the wallet could not keep it (nothing changes).
    Failure,
}

impl Notice {
    /// The event named on the wire.
    pub fn parse(event: &str) -> Result<Self, OAuthError> {
        match event {
            "credential_accepted" => Ok(Self::Accepted),
            "credential_deleted" => Ok(Self::Deleted),
            "credential_failure" => Ok(Self::Failure),
            other => Err(OAuthError::new(
                "invalid_notification_request",
                format!(
                    "unknown event {other:?}: credential_accepted, credential_deleted or credential_failure"
                ),
            )),
        }
    }
}

/// An OAuth error (RFC 6749 §5.2, OID4VCI §8.3.1.2) as the wallet reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// `invalid_grant`, `invalid_request`, `invalid_token`, `invalid_proof`, `invalid_nonce`…
    pub error: &'static str,
    /// What was wrong, for people.
    pub description: String,
}

impl OAuthError {
    /// An error with its reason.
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self { error, description: description.into() }
    }

    /// A pre-authorized code this issuer does not know (or not this offer's).
    pub fn unknown_code() -> Self {
        Self::new("invalid_grant", "unknown pre-authorized code")
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        json!({"error": self.error, "error_description": self.description})
    }
}

/// `{id}.{secret}` and the secret's hash.
pub fn secret_for(id: &str, random: &[u8; 32]) -> (String, String) {
    let secret = URL_SAFE_NO_PAD.encode(random);
    (format!("{id}.{secret}"), hash(&secret))
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh transaction code: [`TX_CODE_LENGTH`] uniform digits, and its hash.
pub fn tx_code(rng: &mut impl rand::Rng) -> (String, String) {
    let code = format!(
        "{:0width$}",
        rng.gen_range(0..10u32.pow(TX_CODE_LENGTH as u32)),
        width = TX_CODE_LENGTH
    );
    let hashed = hash(&code);
    (code, hashed)
}

/// The offer id of a `{id}.{secret}` value.
pub fn id_of(value: &str) -> Option<&str> {
    value.split_once('.').map(|(id, _)| id).filter(|id| !id.is_empty() && id.len() <= 64)
}

/// Whether `value` (`{id}.{secret}`) carries the secret whose hash is `expected_hash`
/// (compared in constant time).
pub fn secret_matches(value: &str, expected_hash: &str) -> bool {
    use subtle::ConstantTimeEq;
    let Some((_, secret)) = value.split_once('.') else { return false };
    bool::from(hash(secret).as_bytes().ct_eq(expected_hash.as_bytes()))
}

impl Offer {
    /// The credential offer (§4.1.1) of this offer for `issuer`, carrying the code (and
    /// saying a transaction code is needed, when one is).
    pub fn credential_offer(&self, issuer: &str, code: &str) -> Value {
        let mut grant = json!({"pre-authorized_code": code});
        if self.tx_code_hash.is_some() {
            grant["tx_code"] = json!({
                "input_mode": "numeric",
                "length": TX_CODE_LENGTH,
                "description": "The code the issuer sent you separately",
            });
        }
        json!({
            "credential_issuer": issuer,
            "credential_configuration_ids": [LDP_VC, JWT_VC_JSON],
            "grants": {PRE_AUTHORIZED_GRANT: grant},
        })
    }

    /// Whether the token request's transaction code (`given`) is the one this offer needs:
    /// `invalid_request` when one is missing or unasked for, `invalid_grant` when it is wrong
    /// (the caller then counts the failure with [`Self::tx_code_failed`]).
    pub fn check_tx_code(&self, given: Option<&str>) -> Result<(), OAuthError> {
        use subtle::ConstantTimeEq;
        match (&self.tx_code_hash, given) {
            (None, None) => Ok(()),
            (None, Some(_)) => {
                Err(OAuthError::new("invalid_request", "this offer takes no tx_code"))
            }
            (Some(_), None) => Err(OAuthError::new(
                "invalid_request",
                "this offer needs the transaction code (tx_code) the issuer sent separately",
            )),
            (Some(expected), Some(given)) => {
                if bool::from(hash(given).as_bytes().ct_eq(expected.as_bytes())) {
                    Ok(())
                } else {
                    Err(OAuthError::new("invalid_grant", "the transaction code is wrong"))
                }
            }
        }
    }

    /// The offer with one more wrong transaction code counted.
    pub fn tx_code_failed(&self) -> Self {
        Self { tx_code_failures: self.tx_code_failures.saturating_add(1), ..self.clone() }
    }

    /// The token request: the code must be this offer's, unexpired and unused, with the right
    /// transaction code when the offer has one. Returns the offer as it becomes with the
    /// token whose hash is `token_hash`.
    pub fn exchange(
        &self,
        code: &str,
        tx_code: Option<&str>,
        token_hash: String,
        now: DateTime<Utc>,
    ) -> Result<Self, OAuthError> {
        self.open(code, now)?;
        self.check_tx_code(tx_code)?;
        let state = OfferState::Tokened { token_hash, token_expires: now + TOKEN_LIFETIME };
        Ok(Self { state, ..self.clone() })
    }

    /// The offer once its credential `credential` is issued to `holder`; an OpenID4VCI
    /// offer keeps its access token's hash for the wallet's notifications.
    pub fn issued(&self, holder: String, credential: String) -> Self {
        let token = match &self.state {
            OfferState::Tokened { token_hash, token_expires } => {
                Some(IssuedToken { hash: token_hash.clone(), expires: *token_expires })
            }
            _ => None,
        };
        Self { state: OfferState::Issued { holder, credential, token }, ..self.clone() }
    }

    /// A wallet's notification about the issued credential: the access token it was issued
    /// for (unexpired) and the `notification_id` the credential response gave. Returns the
    /// credential's id.
    pub fn notified(
        &self,
        token: &str,
        notification_id: &str,
        now: DateTime<Utc>,
    ) -> Result<&str, OAuthError> {
        let OfferState::Issued { credential, token: Some(issued), .. } = &self.state else {
            return Err(OAuthError::new(
                "invalid_token",
                "no credential was issued for this token",
            ));
        };
        if !secret_matches(token, &issued.hash) {
            return Err(OAuthError::new("invalid_token", "unknown access token"));
        }
        if now > issued.expires {
            return Err(OAuthError::new("invalid_token", "the access token has expired"));
        }
        if notification_id != self.id {
            return Err(OAuthError::new(
                "invalid_notification_id",
                "the notification_id is not the one the credential response gave",
            ));
        }
        Ok(credential)
    }

    /// The `notification_id` of this offer's credential response.
    pub fn notification_id(&self) -> &str {
        &self.id
    }

    /// Whether `code` is this offer's and can still be exchanged (unused, unexpired).
    pub fn open(&self, code: &str, now: DateTime<Utc>) -> Result<(), OAuthError> {
        if !secret_matches(code, &self.code_hash) {
            return Err(OAuthError::unknown_code());
        }
        if self.state != OfferState::Offered {
            return Err(OAuthError::new("invalid_grant", "the pre-authorized code was used"));
        }
        if now > self.expires {
            return Err(OAuthError::new("invalid_grant", "the pre-authorized code has expired"));
        }
        if self.tx_code_failures >= TX_CODE_ATTEMPTS {
            return Err(OAuthError::new(
                "invalid_grant",
                "too many wrong transaction codes: ask the issuer for a new offer",
            ));
        }
        Ok(())
    }

    /// The credential request's access token: this offer's, unexpired, not spent.
    pub fn authorize(&self, token: &str, now: DateTime<Utc>) -> Result<(), OAuthError> {
        match &self.state {
            OfferState::Tokened { token_hash, token_expires }
                if secret_matches(token, token_hash) =>
            {
                if now > *token_expires {
                    Err(OAuthError::new("invalid_token", "the access token has expired"))
                } else {
                    Ok(())
                }
            }
            OfferState::Issued { .. } => {
                Err(OAuthError::new("invalid_token", "the credential was issued already"))
            }
            _ => Err(OAuthError::new("invalid_token", "unknown access token")),
        }
    }

    /// Whether a VC-API exchange may go on with `code`: the offer is open, or an exchange
    /// holds it or finished it (only its holder gets anything: see [`Self::exchange_for`]).
    /// An offer with a transaction code is OpenID4VCI's only: VC-API exchanges have no place
    /// for the code.
    pub fn exchangeable(&self, code: &str, now: DateTime<Utc>) -> Result<(), OAuthError> {
        self.exchanges_allowed(code)?;
        match self.state {
            OfferState::Exchanging { .. } | OfferState::Issued { .. }
                if secret_matches(code, &self.code_hash) =>
            {
                Ok(())
            }
            _ => self.open(code, now),
        }
    }

    /// The offer as it becomes when a VC-API exchange claims it for `holder` (already bound by
    /// [`Self::holder_for`]). The same holder may come back: after a crash mid-award, or when
    /// the answer was lost, it gets the same credential again (the award's key is the offer's).
    pub fn exchange_for(
        &self,
        code: &str,
        holder: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, OAuthError> {
        match &self.state {
            OfferState::Exchanging { holder: h } | OfferState::Issued { holder: h, .. }
                if h == holder && secret_matches(code, &self.code_hash) =>
            {
                Ok(self.clone())
            }
            OfferState::Exchanging { .. } | OfferState::Issued { .. } => {
                Err(OAuthError::new("invalid_grant", "the offer was claimed by someone else"))
            }
            _ => {
                self.exchanges_allowed(code)?;
                self.open(code, now)?;
                let state = OfferState::Exchanging { holder: holder.to_owned() };
                Ok(Self { state, ..self.clone() })
            }
        }
    }

    fn exchanges_allowed(&self, code: &str) -> Result<(), OAuthError> {
        if self.tx_code_hash.is_some() && secret_matches(code, &self.code_hash) {
            return Err(OAuthError::new(
                "invalid_grant",
                "this offer needs a transaction code: claim it with an OpenID4VCI wallet",
            ));
        }
        Ok(())
    }

    /// The idempotency key of the offer's award: one credential per offer, whichever protocol
    /// claims it. (Named before VC-API exchanges came; stored awards carry it.)
    pub fn award_key(&self) -> String {
        format!("oid4vci:{}", self.id)
    }

    /// The holder this offer may be issued to, given the proof's key: the recipient when the
    /// award named one (and the proof is theirs), else whoever proved.
    pub fn holder_for(&self, proved: &str) -> Result<String, OAuthError> {
        match &self.recipient {
            Some(recipient) if recipient != proved => Err(OAuthError::new(
                "invalid_proof",
                format!("this offer is for {recipient}; the proof is by {proved}"),
            )),
            _ => Ok(proved.to_owned()),
        }
    }
}

/// The issuer's metadata (§12.2) for the node at `base`.
pub fn issuer_metadata(base: &str, issuer_name: &str) -> Value {
    json!({
        "credential_issuer": base,
        "authorization_servers": [base],
        "credential_endpoint": format!("{base}/oid4vci/credential"),
        "nonce_endpoint": format!("{base}/oid4vci/nonce"),
        "notification_endpoint": format!("{base}/oid4vci/notification"),
        "display": [{"name": issuer_name, "locale": "en"}],
        "credential_configurations_supported": {
            LDP_VC: {
                "format": "ldp_vc",
                "credential_definition": {
                    "@context": [vc_schemas::context::CREDENTIALS_V2, vc_schemas::context::OB_V3P0],
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                },
                "cryptographic_binding_methods_supported": ["did:key", "did:jwk"],
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "proof_types_supported": {
                    "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]},
                },
                "credential_metadata": {"display": [{"name": "Open Badge", "locale": "en"}]},
            },
            JWT_VC_JSON: {
                "format": "jwt_vc_json",
                "credential_definition": {
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                },
                "cryptographic_binding_methods_supported": ["did:key", "did:jwk"],
                "credential_signing_alg_values_supported": ["EdDSA"],
                "proof_types_supported": {
                    "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]},
                },
                "credential_metadata": {"display": [{"name": "Open Badge (JWT)", "locale": "en"}]},
            },
        },
    })
}

/// The authorization server's metadata (RFC 8414) for the pre-authorized code flow.
pub fn authorization_server_metadata(base: &str) -> Value {
    json!({
        "issuer": base,
        "token_endpoint": format!("{base}/oid4vci/token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": true,
        "response_types_supported": [],
    })
}

/// What the credential request asks for, in 1.0's shape (`credential_configuration_id`,
/// `proofs.jwt`) or draft 13's (`format`, singular `proof`).
#[derive(Debug, Clone, Deserialize)]
pub struct CredentialRequest {
    #[serde(default)]
    credential_configuration_id: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    proofs: Option<Proofs>,
    #[serde(default)]
    proof: Option<SingleProof>,
}

#[derive(Debug, Clone, Deserialize)]
struct Proofs {
    #[serde(default)]
    jwt: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct SingleProof {
    proof_type: String,
    #[serde(default)]
    jwt: Option<String>,
}

impl CredentialRequest {
    /// How the credential is to be secured.
    pub fn securing(&self) -> Result<Securing, OAuthError> {
        match (&self.credential_configuration_id, &self.format) {
            (Some(id), _) if id == LDP_VC => Ok(Securing::DataIntegrity),
            (Some(id), _) if id == JWT_VC_JSON => Ok(Securing::Jwt),
            (Some(id), _) => Err(OAuthError::new(
                "unknown_credential_configuration",
                format!("this issuer offers {LDP_VC} and {JWT_VC_JSON}, not {id}"),
            )),
            (None, Some(f)) if f == "ldp_vc" => Ok(Securing::DataIntegrity),
            (None, Some(f)) if f == "jwt_vc_json" => Ok(Securing::Jwt),
            (None, Some(f)) => Err(OAuthError::new(
                "unsupported_credential_format",
                format!("this issuer offers ldp_vc and jwt_vc_json, not {f}"),
            )),
            (None, None) => Err(OAuthError::new(
                "invalid_credential_request",
                "name the credential_configuration_id",
            )),
        }
    }

    /// The one proof JWT; whether the request was in draft 13's shape.
    pub fn proof_jwt(&self) -> Result<(&str, bool), OAuthError> {
        self.securing()?;
        match (&self.proofs, &self.proof) {
            (Some(p), None) if p.jwt.len() == 1 => Ok((p.jwt[0].as_str(), false)),
            (Some(_), None) => {
                Err(OAuthError::new("invalid_proof", "send exactly one jwt proof (no batches)"))
            }
            (None, Some(SingleProof { proof_type, jwt: Some(jwt) })) if proof_type == "jwt" => {
                Ok((jwt.as_str(), true))
            }
            (None, Some(_)) => Err(OAuthError::new("invalid_proof", "the proof_type must be jwt")),
            _ => Err(OAuthError::new("invalid_proof", "the request carries no proof")),
        }
    }
}

/// The claims of a proof JWT checked against this issuer: `typ`, `aud`, `iat` and that a
/// `nonce` is there (whether it is one this issuer gave, and unused, the caller checks). The
/// signature is checked by the caller too; this judges only what the token says.
pub fn check_proof_claims(
    header: &Value,
    payload: &Value,
    issuer: &str,
    now: DateTime<Utc>,
) -> Result<String, OAuthError> {
    let bad = |why: String| OAuthError::new("invalid_proof", why);
    if header["typ"].as_str() != Some(PROOF_TYP) {
        return Err(bad(format!("the proof's typ must be {PROOF_TYP}")));
    }
    let audience_ok = match &payload["aud"] {
        Value::String(a) => a == issuer,
        Value::Array(items) => items.iter().any(|a| a.as_str() == Some(issuer)),
        _ => false,
    };
    if !audience_ok {
        return Err(bad(format!("the proof's aud must be {issuer}")));
    }
    let iat = payload["iat"].as_i64().ok_or_else(|| bad("the proof has no iat".into()))?;
    let issued =
        DateTime::from_timestamp(iat, 0).ok_or_else(|| bad("iat is out of range".into()))?;
    if (issued - now).abs() > PROOF_SKEW {
        return Err(bad(format!(
            "the proof's iat is more than {} minutes from now",
            PROOF_SKEW.num_minutes()
        )));
    }
    payload["nonce"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| OAuthError::new("invalid_nonce", "the proof has no nonce"))
}

/// The DID a proof's key stands for: the `kid`'s controller, or a `did:jwk` of the header's
/// `jwk`.
pub fn proof_holder(header: &Value) -> Result<String, OAuthError> {
    if let Some(kid) = header["kid"].as_str() {
        if !kid.starts_with("did:") {
            return Err(OAuthError::new("invalid_proof", "the proof's kid must be a DID URL"));
        }
        return Ok(kid.split('#').next().unwrap_or(kid).to_owned());
    }
    match &header["jwk"] {
        Value::Object(jwk) => {
            if jwk.contains_key("d") {
                return Err(OAuthError::new(
                    "invalid_proof",
                    "the proof's jwk holds a private key",
                ));
            }
            Ok(format!(
                "did:jwk:{}",
                URL_SAFE_NO_PAD.encode(Value::Object(jwk.clone()).to_string())
            ))
        }
        _ => Err(OAuthError::new("invalid_proof", "the proof names no key (kid or jwk)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(now: DateTime<Utc>, recipient: Option<&str>) -> (Offer, String) {
        let (code, code_hash) = secret_for("o1", &[7; 32]);
        let offer = Offer {
            id: "o1".into(),
            code_hash,
            achievement: "a1".into(),
            recipient: recipient.map(str::to_owned),
            expires: now + OFFER_LIFETIME,
            tx_code_hash: None,
            tx_code_failures: 0,
            state: OfferState::Offered,
        };
        (offer, code)
    }

    #[test]
    fn a_code_is_exchanged_once_before_it_expires_and_its_token_authorizes_once() {
        let now = Utc::now();
        let (o, code) = offer(now, None);
        assert_eq!(id_of(&code), Some("o1"));
        assert_eq!(
            o.exchange("o1.wrong", None, String::new(), now).unwrap_err().error,
            "invalid_grant"
        );
        assert_eq!(
            o.exchange(&code, None, String::new(), now + OFFER_LIFETIME + Duration::seconds(1))
                .unwrap_err()
                .description,
            "the pre-authorized code has expired"
        );
        let (token, token_hash) = secret_for("o1", &[9; 32]);
        let tokened = o.exchange(&code, None, token_hash, now).unwrap();
        assert_eq!(
            tokened.exchange(&code, None, String::new(), now).unwrap_err().error,
            "invalid_grant"
        );
        assert!(tokened.authorize(&token, now).is_ok());
        assert_eq!(tokened.authorize("o1.other", now).unwrap_err().error, "invalid_token");
        let late = now + TOKEN_LIFETIME + Duration::seconds(1);
        assert_eq!(tokened.authorize(&token, late).unwrap_err().error, "invalid_token");
        let issued = tokened.issued("did:key:z".into(), "urn:x".into());
        assert!(issued.authorize(&token, now).is_err(), "one credential per offer");
    }

    #[test]
    fn a_transaction_code_is_needed_when_asked_for_and_wrong_ones_close_the_offer() {
        let now = Utc::now();
        let (plain, code) = offer(now, None);
        assert_eq!(plain.check_tx_code(Some("123456")).unwrap_err().error, "invalid_request");
        let (tx, tx_hash) = tx_code(&mut rand::thread_rng());
        assert_eq!(tx.len(), TX_CODE_LENGTH);
        assert!(tx.bytes().all(|b| b.is_ascii_digit()));
        let mut o = Offer { tx_code_hash: Some(tx_hash), ..plain };
        let grant = &o.credential_offer("https://i", &code)["grants"][PRE_AUTHORIZED_GRANT];
        assert_eq!(grant["tx_code"]["length"], TX_CODE_LENGTH);
        assert_eq!(
            o.exchange(&code, None, String::new(), now).unwrap_err().error,
            "invalid_request"
        );
        let wrong = if tx == "000000" { "111111" } else { "000000" };
        assert_eq!(o.check_tx_code(Some(wrong)).unwrap_err().error, "invalid_grant");
        assert!(o.exchange(&code, Some(&tx), String::new(), now).is_ok());
        assert!(o.exchangeable(&code, now).is_err(), "no VC-API exchange for a tx_code offer");
        assert!(o.exchange_for(&code, "did:key:zA", now).is_err());
        for _ in 0..TX_CODE_ATTEMPTS {
            o = o.tx_code_failed();
        }
        let closed = o.exchange(&code, Some(&tx), String::new(), now).unwrap_err();
        assert!(closed.description.contains("too many"), "{closed:?}");
    }

    #[test]
    fn notifications_carry_the_credentials_token_and_notification_id() {
        let now = Utc::now();
        let (o, code) = offer(now, None);
        let (token, token_hash) = secret_for("o1", &[9; 32]);
        let tokened = o.exchange(&code, None, token_hash, now).unwrap();
        assert_eq!(tokened.notified(&token, "o1", now).unwrap_err().error, "invalid_token");
        let issued = tokened.issued("did:key:zA".into(), "urn:uuid:c".into());
        assert_eq!(issued.notified(&token, issued.notification_id(), now).unwrap(), "urn:uuid:c");
        assert_eq!(issued.notified("o1.other", "o1", now).unwrap_err().error, "invalid_token");
        assert_eq!(
            issued.notified(&token, "o2", now).unwrap_err().error,
            "invalid_notification_id"
        );
        let late = now + TOKEN_LIFETIME + Duration::seconds(1);
        assert_eq!(issued.notified(&token, "o1", late).unwrap_err().error, "invalid_token");
        // A VC-API exchange's credential has no token to notify with.
        let exchanged = o.exchange_for(&code, "did:key:zA", now).unwrap();
        let exchanged = exchanged.issued("did:key:zA".into(), "urn:uuid:c".into());
        assert!(exchanged.notified(&token, "o1", now).is_err());
        assert_eq!(Notice::parse("credential_deleted").unwrap(), Notice::Deleted);
        assert_eq!(Notice::parse("lost").unwrap_err().error, "invalid_notification_request");
    }

    #[test]
    fn an_exchange_takes_an_open_offer_for_one_holder_who_may_come_back() {
        let now = Utc::now();
        let (o, code) = offer(now, None);
        assert!(o.exchangeable(&code, now).is_ok());
        assert!(o.exchangeable("o1.wrong", now).is_err());
        let late = now + OFFER_LIFETIME + Duration::seconds(1);
        assert!(o.exchange_for(&code, "did:key:zA", late).is_err(), "expired");
        let taken = o.exchange_for(&code, "did:key:zA", now).unwrap();
        assert_eq!(taken.state, OfferState::Exchanging { holder: "did:key:zA".into() });
        assert_eq!(taken.exchange_for(&code, "did:key:zA", late).unwrap(), taken, "comes back");
        assert_eq!(
            taken.exchange_for(&code, "did:key:zB", now).unwrap_err().error,
            "invalid_grant"
        );
        assert_eq!(
            taken.exchange(&code, None, String::new(), now).unwrap_err().error,
            "invalid_grant"
        );
        // A code exchanged for an OpenID4VCI token is closed to exchanges, and the reverse.
        let tokened = o.exchange(&code, None, String::new(), now).unwrap();
        assert!(tokened.exchangeable(&code, now).is_err());
        assert!(tokened.exchange_for(&code, "did:key:zA", now).is_err());
        let issued = o.issued("did:key:zA".into(), "urn:x".into());
        assert!(issued.exchangeable(&code, now).is_ok());
        assert!(issued.exchange_for(&code, "did:key:zA", now).is_ok(), "the same credential again");
        assert!(issued.exchange_for(&code, "did:key:zB", now).is_err());
        assert!(issued.exchange_for("o1.wrong", "did:key:zA", now).is_err());
    }

    #[test]
    fn an_offer_to_a_did_is_claimed_only_by_that_did() {
        let (o, _) = offer(Utc::now(), Some("did:key:zA"));
        assert_eq!(o.holder_for("did:key:zA").unwrap(), "did:key:zA");
        assert_eq!(o.holder_for("did:key:zB").unwrap_err().error, "invalid_proof");
        let (open, _) = offer(Utc::now(), None);
        assert_eq!(open.holder_for("did:key:zB").unwrap(), "did:key:zB");
    }

    #[test]
    fn proof_claims_are_checked_for_typ_audience_time_and_nonce() {
        let now = Utc::now();
        let header = json!({"typ": PROOF_TYP, "alg": "EdDSA", "kid": "did:key:zA#zA"});
        let good = json!({"aud": "https://i", "iat": now.timestamp(), "nonce": "n"});
        assert_eq!(check_proof_claims(&header, &good, "https://i", now).unwrap(), "n");
        for (payload, why) in [
            (json!({"aud": "https://other", "iat": now.timestamp(), "nonce": "n"}), "aud"),
            (json!({"aud": "https://i", "iat": now.timestamp() - 3600, "nonce": "n"}), "iat"),
            (json!({"aud": "https://i", "iat": now.timestamp()}), "nonce"),
        ] {
            let err = check_proof_claims(&header, &payload, "https://i", now).unwrap_err();
            assert!(err.description.contains(why), "{err:?}");
        }
        let wrong_typ = json!({"typ": "JWT", "alg": "EdDSA"});
        assert!(check_proof_claims(&wrong_typ, &good, "https://i", now).is_err());
        assert_eq!(proof_holder(&header).unwrap(), "did:key:zA");
        let jwk = json!({"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "abc"}});
        assert!(proof_holder(&jwk).unwrap().starts_with("did:jwk:"));
        let private = json!({"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "abc", "d": "s"}});
        assert!(proof_holder(&private).is_err());
    }

    #[test]
    fn requests_in_both_shapes_name_their_one_proof() {
        let v1: CredentialRequest = serde_json::from_value(
            json!({"credential_configuration_id": LDP_VC, "proofs": {"jwt": ["a.b.c"]}}),
        )
        .unwrap();
        assert_eq!(v1.proof_jwt().unwrap(), ("a.b.c", false));
        let d13: CredentialRequest = serde_json::from_value(
            json!({"format": "ldp_vc", "proof": {"proof_type": "jwt", "jwt": "a.b.c"}}),
        )
        .unwrap();
        assert_eq!(d13.proof_jwt().unwrap(), ("a.b.c", true));
        let other: CredentialRequest = serde_json::from_value(
            json!({"credential_configuration_id": "Other", "proofs": {"jwt": ["a.b.c"]}}),
        )
        .unwrap();
        assert_eq!(other.proof_jwt().unwrap_err().error, "unknown_credential_configuration");
        let jwt: CredentialRequest = serde_json::from_value(
            json!({"credential_configuration_id": JWT_VC_JSON, "proofs": {"jwt": ["a.b.c"]}}),
        )
        .unwrap();
        assert_eq!(jwt.securing().unwrap(), Securing::Jwt);
        let batch: CredentialRequest = serde_json::from_value(
            json!({"credential_configuration_id": LDP_VC, "proofs": {"jwt": ["a", "b"]}}),
        )
        .unwrap();
        assert_eq!(batch.proof_jwt().unwrap_err().error, "invalid_proof");
    }
}
