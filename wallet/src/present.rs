//! Presentations: the earner chooses badges, a verifier gives a challenge and a domain, and
//! the holder's key signs a Verifiable Presentation bound to both.

use chrono::{DateTime, Utc};
use serde_json::Value;
use vc_schemas::presentation::{self, Binding};

use crate::{
    Error, Result,
    item::{Item, State},
};

/// Most badges in one presentation: enough for a portfolio, bounded for the verifier.
pub const MAX_BADGES: usize = 50;

/// How the presentation is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// An embedded Data Integrity proof (`eddsa-rdfc-2022`): the presentation is JSON.
    #[default]
    Di,
    /// A compact VP-JWT (VC-JOSE-COSE, `typ: vp+jwt`): the challenge is its `nonce`, the
    /// domain its `aud`.
    Jwt,
}

/// What the earner asks for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Item ids, in the order chosen.
    pub ids: Vec<String>,
    /// The verifier's challenge (nonce).
    pub challenge: String,
    /// The verifier's domain.
    pub domain: String,
    /// How to secure it.
    pub format: Format,
}

impl Request {
    /// The binding, checked: a presentation without a challenge could be replayed by anyone who
    /// saw it, so one is required; the domain is optional (some verifiers give none).
    pub fn binding(&self, now: DateTime<Utc>) -> Result<Binding> {
        let challenge = self.challenge.trim();
        if challenge.is_empty() {
            return Err(Error::Invalid("enter the verifier's challenge".into()));
        }
        if challenge.len() > 512 || self.domain.len() > 512 {
            return Err(Error::Invalid(
                "the challenge and the domain are 512 bytes at most".into(),
            ));
        }
        let domain = self.domain.trim();
        Ok(Binding {
            challenge: Some(challenge.to_owned()),
            domains: if domain.is_empty() { Vec::new() } else { vec![domain.to_owned()] },
            created: now,
        })
    }
}

/// The unsigned presentation of the chosen `items` (each must be accepted) by `holder`, in the
/// order the request names them.
pub fn unsigned(holder: &str, request: &Request, items: &[Item]) -> Result<Value> {
    if request.ids.is_empty() {
        return Err(Error::Invalid("choose at least one badge".into()));
    }
    if request.ids.len() > MAX_BADGES {
        return Err(Error::Invalid(format!("a presentation holds {MAX_BADGES} badges at most")));
    }
    let mut chosen = Vec::with_capacity(request.ids.len());
    for id in &request.ids {
        let item = items
            .iter()
            .find(|i| &i.id == id)
            .ok_or_else(|| Error::NotFound(format!("badge {id}")))?;
        if item.state != State::Accepted {
            return Err(Error::Conflict(format!("{id} is not accepted; accept it first")));
        }
        chosen.push(item.credential.clone());
    }
    Ok(presentation::build(None, holder, &chosen))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(id: &str, state: State) -> Item {
        Item::sample(id, state)
    }

    #[test]
    fn a_presentation_holds_accepted_badges_in_the_order_chosen() {
        let items =
            [held("a", State::Accepted), held("b", State::Accepted), held("c", State::Pending)];
        let req = Request { ids: vec!["b".into(), "a".into()], ..Request::default() };
        let vp = unsigned("did:key:me", &req, &items).unwrap();
        assert_eq!(vp["holder"], "did:key:me");
        assert_eq!(vp["verifiableCredential"][0]["id"], "b");
        let pending = Request { ids: vec!["c".into()], ..Request::default() };
        assert!(matches!(unsigned("h", &pending, &items), Err(Error::Conflict(_))));
        assert!(matches!(unsigned("h", &Request::default(), &items), Err(Error::Invalid(_))));
    }

    #[test]
    fn a_challenge_is_required() {
        let now = Utc::now();
        assert!(Request::default().binding(now).is_err());
        let b = Request { challenge: " n-1 ".into(), domain: "".into(), ..Request::default() }
            .binding(now)
            .unwrap();
        assert_eq!((b.challenge.as_deref(), b.domains.len()), (Some("n-1"), 0));
    }
}
