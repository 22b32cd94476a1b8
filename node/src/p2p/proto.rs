//! The Badgemesh gossip protocol, as plain functions and one small state machine: no I/O, no
//! swarm, no store. The caller (the swarm task and the validator, in [`super`]) feeds in bytes,
//! the held version of a key as plain values, and the time; it gets back typed decisions and
//! acts on them: report a verdict to gossipsub, store a document, send a request. The split is
//! iroh-gossip's `proto` module's: what to do is decided here, doing it is the caller's job.
//!
//! # Topics and kinds
//! Every message carries one credential signed by its issuer and nothing else: anyone may relay
//! it, nobody can alter it. Three [`Kind`]s, one versioned topic each ([`Kind::topic`]):
//! status lists (`/badgemesh/1/status`, keyed by list id), node announcements
//! (`/badgemesh/1/issuers`, a DID says where its node can be reached; keyed by the DID, which
//! must be both issuer and subject) and endorsements (`/badgemesh/1/endorsements`, keyed by
//! credential id). The wire form is JSON `{"kind", "credential"}` ([`wire::Message`]), at most
//! [`wire::MAX_MESSAGE_BYTES`].
//!
//! # Ordering
//! A document's version is its signed `validFrom`. A key belongs to the issuer of the first
//! version held; later versions must come from the same issuer and be strictly newer. A replayed
//! old version never rolls a list back, and nobody takes over another issuer's list id or DID.
//!
//! # Reject or ignore
//! [`judge`] decides, and [`verdict`] says why as a value. A document is *rejected* (the sender
//! is penalised by gossipsub's peer score) when it is oversize, not JSON of a known kind,
//! malformed for its kind, dated too far in the future, not validly signed by its issuer's DID,
//! or claims a key held for another issuer: no honest node sends that. It is *ignored* (dropped
//! without blame) when the same or a newer version is already held: honest nodes relay
//! duplicates all the time. Only accepted documents are stored and forwarded. The signature
//! check itself (CPU work, async in `vc-schemas`) is run by the caller between
//! [`judge::screen`] and [`judge::Candidate::decide`].
//!
//! # Catch-up
//! Gossip reaches only the peers online at the time. On every new connection and on a timer, a
//! node asks its peers for their heads (kind and key → `validFrom`) over
//! `/badgemesh/sync/1` ([`wire::Request`], [`wire::Response`]) and pulls what is newer than its
//! own ([`sync::wanted`]), at most [`sync::MAX_GET`] per round. Pulled documents are judged
//! exactly like gossip. A peer that asks for our heads is asked back ([`sync::SyncPolicy`]), so
//! one connection converges both ways.
//!
//! # Modules
//! - [`kind`]: the three kinds and their topics;
//! - [`wire`]: gossip and catch-up wire types, and the gossip decoder;
//! - [`judge`]: the judgment on one document, around the signature check;
//! - [`verdict`]: the typed verdict and its reasons;
//! - [`sync`]: catch-up limits and [`sync::SyncPolicy`].

pub mod judge;
pub mod kind;
pub mod sync;
pub mod verdict;
pub mod wire;

pub use judge::{Candidate, HeldVersion, Screening, screen};
pub use kind::Kind;
pub use sync::SyncPolicy;
pub use verdict::{Accepted, FailedCheck, Ignored, Malformed, Rejected, Verdict};
pub use wire::{ANNOUNCEMENT_TYPE, Head, MAX_MESSAGE_BYTES, Message, Request, Response, WireError};
