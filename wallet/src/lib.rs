//! The earner's wallet: what a person does with the badges they earned.
//!
//! The wallet keeps, presents and exports credentials on the earner's own node. This crate
//! holds the logic and the pages and nothing that touches the outside world: the node
//! implements [`WalletBackend`] (its store, the holder key, the network) and mounts
//! [`web::router`] behind its own sign-in. The judgment is pure and tested without a browser
//! or a socket: [`inbox`] (offers and answers), [`import`] (files as people have them),
//! [`present`] (presentations bound to a verifier's challenge), [`bake`] (baked images).

pub mod backend;
pub mod backup;
pub mod bake;
pub mod card;
mod error;
pub mod import;
pub mod inbox;
pub mod item;
pub mod listing;
pub mod ops;
pub mod present;
pub mod share;
pub mod web;

pub use backend::{Checked, ListAge, SelfIssue, WalletBackend};
pub use error::{Error, Result};
pub use item::{Item, Origin, State, Summary};
pub use ops::Wallet;
