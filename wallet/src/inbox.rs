//! Inbox transitions: a pure judgment of each offer and each answer, returning what the node
//! must do (store, tell the issuer) instead of doing it.

use crate::{
    Error, Result,
    item::{Item, Origin, State},
};

/// What to do with a credential offered to the wallet.
#[derive(Debug, Clone, PartialEq)]
pub enum Offer {
    /// Store it, pending the earner's answer.
    Store(Box<Item>),
    /// The wallet holds this credential already (answered or not): keep what is there, so a
    /// repeated delivery cannot reopen a refused badge or reset an accepted one.
    Held,
}

/// Judges an offer against what the wallet holds under the same id. A badge the earner
/// issued to themself is theirs already (accepted); anything else waits for an answer.
pub fn judge_offer(held: Option<&Item>, offered: Item) -> Offer {
    // A self-issued badge, and one claimed by its link, were answered by their making.
    let state = match offered.origin {
        Origin::SelfIssued | Origin::Claimed => State::Accepted,
        Origin::Delivered | Origin::Imported => State::Pending,
    };
    match held {
        Some(_) => Offer::Held,
        None => Offer::Store(Box::new(Item { state, ..offered })),
    }
}

/// What the node must send after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Tell the delivering peer (the issuer's node) the answer.
    TellIssuer {
        /// The peer that delivered the credential.
        peer: String,
        /// The credential's id.
        credential: String,
        /// Accepted or refused.
        accepted: bool,
    },
    /// Nobody to tell (imported, self-issued).
    Nothing,
}

/// The earner's answer to a pending item: the item as it becomes and the reply to send. An
/// item is answered once; a second answer is a conflict and changes nothing.
pub fn decide(item: &Item, accept: bool) -> Result<(Item, Reply)> {
    if item.state != State::Pending {
        return Err(Error::Conflict(format!(
            "{} was {} already; an answer is given once",
            item.id,
            item.state.as_str()
        )));
    }
    let state = if accept { State::Accepted } else { State::Refused };
    let answered = Item { state, ..item.clone() };
    let reply = match (item.origin, item.from_peer.is_empty()) {
        (Origin::Delivered, false) => Reply::TellIssuer {
            peer: item.from_peer.clone(),
            credential: item.id.clone(),
            accepted: accept,
        },
        _ => Reply::Nothing,
    };
    Ok((answered, reply))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delivered() -> Item {
        Item {
            id: "urn:uuid:1".into(),
            issuer: "did:key:i".into(),
            from_peer: "12D3KooW".into(),
            origin: Origin::Delivered,
            received: chrono::Utc::now(),
            state: State::Pending,
            tags: vec![],
            share: String::new(),
            public: false,
            credential: json!({}),
        }
    }

    #[test]
    fn an_answer_is_given_once_and_goes_back_to_the_delivering_peer() {
        let (accepted, reply) = decide(&delivered(), true).unwrap();
        assert_eq!(accepted.state, State::Accepted);
        assert_eq!(
            reply,
            Reply::TellIssuer {
                peer: "12D3KooW".into(),
                credential: "urn:uuid:1".into(),
                accepted: true
            }
        );
        assert!(matches!(decide(&accepted, false), Err(Error::Conflict(_))));
        let imported = Item { origin: Origin::Imported, from_peer: String::new(), ..delivered() };
        assert_eq!(decide(&imported, false).unwrap().1, Reply::Nothing);
    }

    #[test]
    fn a_second_delivery_changes_nothing() {
        let (refused, _) = decide(&delivered(), false).unwrap();
        assert_eq!(judge_offer(Some(&refused), delivered()), Offer::Held);
        let fresh = Item { state: State::Accepted, ..delivered() };
        assert_eq!(
            judge_offer(None, fresh.clone()),
            Offer::Store(Box::new(Item { state: State::Pending, ..fresh }))
        );
    }
}
