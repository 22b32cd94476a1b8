//! Catch-up policy: which documents to pull from a peer's heads, what one answer may carry, and
//! a small state machine ([`SyncPolicy`]) for the decisions that depend on what happened before:
//! whether to ask a peer back for its heads, whether a publish should be followed by an early
//! catch-up round, and which of our own lists need publishing. Time comes in as an argument, so
//! the rules are tested without sleeping.

use std::{
    collections::HashMap,
    hash::Hash,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};

use super::{
    Kind,
    wire::{Head, Message, Request, Response},
};

/// Most documents asked for in one request, and taken from one answer (the rest come with the
/// next round): bounds the validator work one peer can cause per exchange.
pub const MAX_GET: usize = 64;

/// Most heads one answer carries (about 1 MB of JSON).
pub const MAX_HEADS: usize = 10_000;

/// A peer that asks for our heads is asked for its own unless we asked it within this long:
/// catch-up is mutual, and the window ends the exchange after one round each way instead of
/// two nodes asking each other forever.
pub const RECIPROCATE_WINDOW: Duration = Duration::from_secs(1);

/// What we hold: (kind, key) → signed `validFrom`.
pub type Heads = HashMap<(Kind, String), DateTime<Utc>>;

/// The keys among `theirs` that are newer than what `ours` holds (or unknown), at most
/// [`MAX_GET`].
pub fn wanted(theirs: &[Head], ours: &Heads) -> Vec<(Kind, String)> {
    theirs
        .iter()
        .filter(|h| ours.get(&(h.kind, h.id.clone())).is_none_or(|mine| h.valid_from > *mine))
        .take(MAX_GET)
        .map(|h| (h.kind, h.id.clone()))
        .collect()
}

/// What to ask a peer that answered with `theirs`: the documents newer than `ours`, or nothing.
pub fn on_heads(theirs: &[Head], ours: &Heads) -> Option<Request> {
    let items = wanted(theirs, ours);
    (!items.is_empty()).then_some(Request::Get { items })
}

/// The answer to a heads request, from what is held (cut at [`MAX_HEADS`]).
pub fn heads_answer(held: impl IntoIterator<Item = (Kind, String, DateTime<Utc>)>) -> Response {
    let heads = held
        .into_iter()
        .take(MAX_HEADS)
        .map(|(kind, id, valid_from)| Head { kind, id, valid_from })
        .collect();
    Response::Heads { heads }
}

/// The answer to a get request: the first [`MAX_GET`] `items` that `held` finds.
pub fn docs_answer(
    items: &[(Kind, String)],
    mut held: impl FnMut(Kind, &str) -> Option<Message>,
) -> Response {
    let messages = items.iter().take(MAX_GET).filter_map(|(kind, id)| held(*kind, id)).collect();
    Response::Docs { messages }
}

/// The documents of an answer worth judging: the first [`MAX_GET`]; a peer that sends more than
/// was asked for gets no more work done.
pub fn pulled(messages: Vec<Message>) -> impl Iterator<Item = Message> {
    messages.into_iter().take(MAX_GET)
}

/// The catch-up and publish decisions that depend on history, for peers identified by `P` (the
/// swarm's peer id; anything hashable in tests).
#[derive(Debug)]
pub struct SyncPolicy<P> {
    /// When each peer was last asked for its heads: the reciprocation window's memory.
    asked: HashMap<P, Instant>,
    /// `validFrom` of our own lists as last published, so a list is published once per version.
    published: HashMap<String, DateTime<Utc>>,
    /// A publish found no peers: run a catch-up round soon, which offers the document to the
    /// first peers that connect instead of waiting for the timer.
    resync_soon: bool,
}

impl<P> Default for SyncPolicy<P> {
    fn default() -> Self {
        Self { asked: HashMap::new(), published: HashMap::new(), resync_soon: false }
    }
}

impl<P: Eq + Hash> SyncPolicy<P> {
    /// A policy with no history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `peer` is being asked for its heads at `now` (on connect, each round, or
    /// back after [`SyncPolicy::on_heads_request`]).
    pub fn asking(&mut self, peer: P, now: Instant) {
        self.asked.insert(peer, now);
    }

    /// `peer` asked for our heads at `now`: whether to ask it for its own. True unless it was
    /// asked within [`RECIPROCATE_WINDOW`]; when true the ask is recorded, so the caller sends
    /// it without calling [`SyncPolicy::asking`].
    pub fn on_heads_request(&mut self, peer: P, now: Instant) -> bool {
        let recent = self
            .asked
            .get(&peer)
            .is_some_and(|t| now.saturating_duration_since(*t) <= RECIPROCATE_WINDOW);
        if !recent {
            self.asking(peer, now);
        }
        !recent
    }

    /// A publish reached no peer: ask for an early catch-up round.
    pub fn on_publish_failed(&mut self) {
        self.resync_soon = true;
    }

    /// Whether an early catch-up round is due.
    pub fn resync_due(&self) -> bool {
        self.resync_soon
    }

    /// Takes the early round: true once after [`SyncPolicy::on_publish_failed`].
    pub fn take_resync(&mut self) -> bool {
        std::mem::take(&mut self.resync_soon)
    }

    /// Whether our own list `list_id`, now at `valid_from`, should be published: only when its
    /// version moved since the last publish. True records it as published.
    pub fn should_publish(&mut self, list_id: &str, valid_from: DateTime<Utc>) -> bool {
        if self.published.get(list_id).is_some_and(|t| *t >= valid_from) {
            return false;
        }
        self.published.insert(list_id.to_owned(), valid_from);
        true
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration as Span;

    use super::*;

    #[test]
    fn only_newer_or_unknown_documents_are_wanted() {
        let t = Utc::now();
        let head =
            |id: &str, valid_from| Head { kind: Kind::StatusList, id: id.into(), valid_from };
        let theirs = vec![head("a", t), head("b", t), head("c", t + Span::seconds(1))];
        let l = |id: &str| (Kind::StatusList, id.to_owned());
        let ours = HashMap::from([(l("a"), t), (l("c"), t)]);
        assert_eq!(wanted(&theirs, &ours), vec![l("b"), l("c")]);
        assert_eq!(on_heads(&theirs, &ours), Some(Request::Get { items: vec![l("b"), l("c")] }));
        assert_eq!(on_heads(&theirs[..1], &ours), None);
        // The same key of another kind is another document.
        let other = Head { kind: Kind::Endorsement, id: "a".into(), valid_from: t };
        assert_eq!(wanted(&[other], &ours), vec![(Kind::Endorsement, "a".to_owned())]);
        let many: Vec<Head> = (0..200).map(|i| head(&format!("l{i}"), t)).collect();
        assert_eq!(wanted(&many, &HashMap::new()).len(), MAX_GET);
    }

    #[test]
    fn answers_are_cut_at_their_limits() {
        let t = Utc::now();
        let held = (0..MAX_HEADS + 5).map(|i| (Kind::StatusList, format!("l{i}"), t));
        let Response::Heads { heads } = heads_answer(held) else { panic!("heads") };
        assert_eq!(heads.len(), MAX_HEADS);
        let items: Vec<_> = (0..100).map(|i| (Kind::Endorsement, format!("e{i}"))).collect();
        let mut looked_up = 0;
        let Response::Docs { messages } = docs_answer(&items, |kind, id| {
            looked_up += 1;
            (id != "e3").then(|| Message { kind, credential: serde_json::json!({ "id": id }) })
        }) else {
            panic!("docs")
        };
        assert_eq!((looked_up, messages.len()), (MAX_GET, MAX_GET - 1));
        assert_eq!(pulled(vec![messages[0].clone(); 100]).count(), MAX_GET);
    }

    #[test]
    fn a_peer_is_asked_back_unless_it_was_asked_within_the_window() {
        let t0 = Instant::now();
        let mut p = SyncPolicy::new();
        // Never asked: ask back, and remember it.
        assert!(p.on_heads_request("a", t0));
        // Its answer to our ask comes with its own ask, inside the window: no third round.
        assert!(!p.on_heads_request("a", t0 + Duration::from_millis(10)));
        assert!(!p.on_heads_request("a", t0 + RECIPROCATE_WINDOW));
        // Later, it is a new exchange.
        assert!(p.on_heads_request("a", t0 + RECIPROCATE_WINDOW + Duration::from_millis(1)));
        // Our own ask (on connect, or a round) counts the same.
        p.asking("b", t0);
        assert!(!p.on_heads_request("b", t0 + Duration::from_millis(500)));
        assert!(p.on_heads_request("b", t0 + Duration::from_secs(2)));
        // A clock that seems to go back never reads as "long ago".
        p.asking("c", t0 + Duration::from_secs(5));
        assert!(!p.on_heads_request("c", t0));
    }

    #[test]
    fn an_unheard_publish_asks_for_one_early_round() {
        let mut p = SyncPolicy::<u8>::new();
        assert!(!p.resync_due() && !p.take_resync());
        p.on_publish_failed();
        p.on_publish_failed();
        assert!(p.resync_due());
        assert!(p.take_resync());
        assert!(!p.resync_due() && !p.take_resync());
    }

    #[test]
    fn an_own_list_is_published_once_per_version() {
        let t = Utc::now();
        let mut p = SyncPolicy::<u8>::new();
        assert!(p.should_publish("r1", t));
        assert!(!p.should_publish("r1", t));
        assert!(!p.should_publish("r1", t - Span::seconds(1)));
        assert!(p.should_publish("r2", t));
        assert!(p.should_publish("r1", t + Span::seconds(1)));
    }
}
