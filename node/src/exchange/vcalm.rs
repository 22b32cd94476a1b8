//! VC-API (VCALM) exchanges, as the Learner Credential Wallet claims a badge with them:
//! 1. the wallet `POST`s `{}` to the exchange and gets a Verifiable Presentation Request for
//!    DID authentication (a challenge, this node's domain);
//! 2. it `POST`s a presentation signed for that challenge and domain (LCW signs with
//!    `Ed25519Signature2020`; `eddsa-rdfc-2022` does as well), wrapped in
//!    `{"verifiablePresentation": …}` or bare;
//! 3. the answer is a presentation holding the badge, issued to the DID whose key signed.
//!
//! An exchange is an offer's (`oid4vci::Offer`): the same code claims it by OpenID4VCI or here,
//! and whichever comes first wins.
//!
//! A verifier's request (`oid4vp::Verification`) is an exchange too: `{}` gets a
//! `QueryByExample` for the badge asked for, with DID authentication bound to the request's
//! nonce, and the wallet's presentation is judged as an OpenID4VP answer would be.
//!
//! No I/O: `api::exchanges` verifies, writes and awards.

use serde_json::{Value, json};

use super::oid4vp::Wanted;

/// The exchange of the offer whose code is `code`, on the node at `base`. The code is in the
/// path: holding the address is holding the offer, as with `credential_offer_uri`.
pub fn exchange_url(base: &str, code: &str) -> String {
    format!("{base}/workflows/claim/exchanges/{code}")
}

/// The exchange of the verifier's request whose state is `state` (which only its QR code and
/// page carry), on the node at `base`.
pub fn verify_exchange_url(base: &str, state: &str) -> String {
    format!("{base}/workflows/verify/exchanges/{state}")
}

/// The Learner Credential Wallet's own deep link for the exchange (what its camera and the
/// phone's open): `https://lcw.app/request?request=` and the interaction, URL-encoded.
pub fn lcw_link(base: &str, exchange: &str) -> String {
    let request = json!({"credentialRequestOrigin": base, "protocols": {"vcapi": exchange}});
    let encoded: String = form_urlencoded::byte_serialize(request.to_string().as_bytes()).collect();
    format!("https://lcw.app/request?request={encoded}")
}

/// What a wallet posted to the exchange.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// `{}`: the wallet starts the exchange.
    Start,
    /// The wallet's presentation, as sent (enveloped or bare).
    Presentation(Value),
}

impl Message {
    /// Reads a posted body. A presentation comes as `{"verifiablePresentation": {…}}` (VCALM)
    /// or bare (some wallets). Anything else is refused, so an ambiguous body starts nothing.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| format!("the body is not a JSON object: {e}"))?;
        let Value::Object(mut members) = value else {
            return Err("the body is not a JSON object".into());
        };
        if members.is_empty() {
            return Ok(Self::Start);
        }
        if let Some(vp) = members.remove("verifiablePresentation") {
            if !vp.is_object() {
                return Err("verifiablePresentation is not an object".into());
            }
            if !members.is_empty() {
                let extra: Vec<&str> = members.keys().map(String::as_str).collect();
                return Err(format!("this exchange takes a presentation alone, not {extra:?}"));
            }
            return Ok(Self::Presentation(vp));
        }
        if names_type(members.get("type"), "VerifiablePresentation") {
            return Ok(Self::Presentation(Value::Object(members)));
        }
        Err("post {} to start the exchange, then {\"verifiablePresentation\": …}".into())
    }
}

fn names_type(types: Option<&Value>, name: &str) -> bool {
    match types {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(items)) => items.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}

/// The Verifiable Presentation Request that opens the exchange: DID authentication bound to
/// `challenge` and `domain`, answered at `exchange`.
pub fn presentation_request(exchange: &str, domain: &str, challenge: &str) -> Value {
    json!({
        "verifiablePresentationRequest": {
            "query": [{"type": "DIDAuthentication",
                       "acceptedMethods": [{"method": "key"}, {"method": "jwk"}]}],
            "challenge": challenge,
            "domain": domain,
            "acceptedCryptosuites": [
                {"cryptosuite": "eddsa-rdfc-2022"},
                {"cryptosuite": "Ed25519Signature2020"},
            ],
            "interact": {"service": [
                {"type": "VerifiableCredentialApiExchangeService", "serviceEndpoint": exchange},
            ]},
        },
    })
}

/// The request that opens a verifier's exchange: an example of the badge wanted (LCW matches
/// its type; the issuer when one is asked for) and DID authentication bound to `challenge` and
/// `domain`, so the presentation is signed by the badges' holder.
pub fn query_request(exchange: &str, domain: &str, challenge: &str, wanted: &Wanted) -> Value {
    let mut example = json!({
        "@context": [vc_schemas::context::CREDENTIALS_V2, vc_schemas::context::OB_V3P0],
        "type": ["VerifiableCredential", wanted.type_name],
    });
    if let Some(issuer) = &wanted.issuer {
        example["issuer"] = json!({"id": issuer});
    }
    let mut request = presentation_request(exchange, domain, challenge);
    request["verifiablePresentationRequest"]["query"] = json!([
        {"type": "QueryByExample", "credentialQuery": [{
            "reason": format!("Show your {}", wanted.type_name), "example": example,
        }]},
        {"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}, {"method": "jwk"}]},
    ]);
    request
}

/// The challenge the presentation's authentication proof was made for, if it names one.
pub fn challenge_of(vp: &Value) -> Option<&str> {
    let proofs = match vp.get("proof")? {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    proofs
        .into_iter()
        .filter(|p| p.get("proofPurpose").and_then(Value::as_str) == Some("authentication"))
        .find_map(|p| p.get("challenge").and_then(Value::as_str))
}

/// The exchange's last answer: a presentation holding the credential. The same presentation
/// is both the envelope's `verifiablePresentation` (VCALM) and the body itself, because LCW
/// releases before PR #945 read only the bare one.
pub fn delivery(credential: Value) -> Value {
    let vp = json!({
        "@context": [vc_schemas::context::CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [credential],
    });
    let mut body = vp.clone();
    body["verifiablePresentation"] = vp;
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_start_or_present_and_nothing_else() {
        assert_eq!(Message::parse(b"{}").unwrap(), Message::Start);
        let vp = json!({"type": ["VerifiablePresentation"], "holder": "did:key:z"});
        let wrapped = json!({"verifiablePresentation": vp}).to_string();
        assert_eq!(Message::parse(wrapped.as_bytes()).unwrap(), Message::Presentation(vp.clone()));
        let bare = vp.to_string();
        assert_eq!(Message::parse(bare.as_bytes()).unwrap(), Message::Presentation(vp.clone()));
        for bad in [
            "[]".to_owned(),
            "not json".into(),
            r#"{"verifiablePresentation": "x"}"#.into(),
            json!({"verifiablePresentation": vp, "zcap": []}).to_string(),
            r#"{"type": "VerifiableCredential"}"#.into(),
        ] {
            assert!(Message::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_request_asks_for_did_authentication_at_the_exchange() {
        let url = exchange_url("https://i.example", "o1.s");
        assert_eq!(url, "https://i.example/workflows/claim/exchanges/o1.s");
        let vpr = presentation_request(&url, "https://i.example", "c1");
        let r = &vpr["verifiablePresentationRequest"];
        assert_eq!(r["query"][0]["type"], "DIDAuthentication");
        assert_eq!(
            (r["challenge"].as_str(), r["domain"].as_str()),
            (Some("c1"), Some("https://i.example"))
        );
        assert_eq!(r["interact"]["service"][0]["serviceEndpoint"], url);
    }

    #[test]
    fn a_verifiers_exchange_asks_for_the_badge_by_example_and_for_its_holder() {
        let wanted = Wanted::new("OpenBadgeCredential", Some("did:key:z6MkIssuer".into())).unwrap();
        let url = verify_exchange_url("https://v.example", "r1.s");
        let vpr = query_request(&url, "https://v.example", "n1", &wanted);
        let r = &vpr["verifiablePresentationRequest"];
        let example = &r["query"][0]["credentialQuery"][0]["example"];
        assert_eq!(example["type"][1], "OpenBadgeCredential");
        assert_eq!(example["issuer"]["id"], "did:key:z6MkIssuer");
        assert_eq!(r["query"][1]["type"], "DIDAuthentication");
        assert_eq!(r["challenge"], "n1");
        assert_eq!(r["interact"]["service"][0]["serviceEndpoint"], url);
    }

    #[test]
    fn the_challenge_is_the_authentication_proofs() {
        let vp = json!({"proof": [
            {"proofPurpose": "assertionMethod", "challenge": "not this"},
            {"proofPurpose": "authentication", "challenge": "c1"},
        ]});
        assert_eq!(challenge_of(&vp), Some("c1"));
        assert_eq!(challenge_of(&json!({"proof": {"proofPurpose": "authentication"}})), None);
        assert_eq!(challenge_of(&json!({})), None);
    }

    #[test]
    fn the_credential_comes_back_enveloped_and_bare() {
        let body = delivery(json!({"id": "urn:uuid:1"}));
        assert_eq!(body["verifiableCredential"][0]["id"], "urn:uuid:1");
        assert_eq!(body["verifiablePresentation"]["verifiableCredential"][0]["id"], "urn:uuid:1");
        let link = lcw_link("https://i.example", "https://i.example/workflows/claim/exchanges/a.b");
        assert!(link.starts_with("https://lcw.app/request?request=%7B%22"), "{link}");
    }
}
