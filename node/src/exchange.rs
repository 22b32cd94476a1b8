//! The wallet protocols, apart from the routes: wire types and flow state ([`oid4vci`]) and the
//! short-lived nonces they hand out ([`nonces`]).

pub mod nonces;
pub mod oid4vci;
