//! The wallet protocols, apart from the routes: wire types and flow state ([`oid4vci`],
//! [`oid4vp`], [`vcalm`]), what a wallet's presentation proves about it ([`holder`]), the
//! short-lived nonces they hand out ([`nonces`]), and this node's wallet as a client of other
//! issuers ([`client`]).

pub mod client;
pub mod holder;
pub mod nonces;
pub mod oid4vci;
pub mod oid4vp;
pub mod vcalm;
