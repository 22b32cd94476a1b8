//! Direct delivery (`/badgemesh/deliver/1`): an issuer's node hands an award to the node of the
//! recipient DID (found through that DID's signed announcement); the earner accepts or refuses
//! it in their inbox, and the answer goes back to the issuer. Receipt is acknowledged at once;
//! the offer is judged afterwards (signature, issuer binding, addressed to this node's DID).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The protocol name.
pub const PROTOCOL: &str = "/badgemesh/deliver/1";

/// A delivery message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Request {
    /// "Here is a credential for you."
    Offer {
        /// The signed credential.
        credential: Value,
    },
    /// "I accept (or refuse) the credential you offered."
    Decision {
        /// The credential's id.
        credential_id: String,
        /// The earner's answer.
        accepted: bool,
    },
}

/// The acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Response {
    /// Received; it will be judged.
    Received,
}
