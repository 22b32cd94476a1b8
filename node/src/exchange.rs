//! The wallet protocols, apart from the routes: wire types and flow state ([`oid4vci`],
//! [`oid4vp`]), the
//! short-lived nonces they hand out ([`nonces`]), and this node's wallet as a client of other
//! issuers ([`client`]).

pub mod client;
pub mod nonces;
pub mod oid4vci;
pub mod oid4vp;
