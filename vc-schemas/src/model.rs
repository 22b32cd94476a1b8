//! Typed Open Badges 3.0 / VCDM 2.0 model: one concrete struct per class the 1EdTech schemas
//! define.
//!
//! Output follows the 1EdTech serialization rules (arrays for every set, `null`s and empty
//! arrays omitted); input accepts every compacted form (single values for arrays, a string for a
//! Profile or Image) and the 3.0.0–3.0.3 contexts. Properties this model does not name are kept
//! in each struct's `extra` map, so a round trip never loses data.

mod achievement;
mod credential;
mod one_or_many;
mod profile;
mod subject;

pub use achievement::{
    Achievement, Alignment, Criteria, Image, ImageRef, Related, ResultDescription,
    RubricCriterionLevel,
};
pub use credential::{
    AchievementCredential, CredentialSchema, CredentialStatus, EndorsementCredential,
    RefreshService,
};
pub use one_or_many::OneOrMany;
pub use profile::{Address, GeoCoordinates, IdentifierEntry, Profile, ProfileRef};
pub use subject::{AchievementSubject, EndorsementSubject, Evidence, IdentityObject, ResultEntry};

/// Extra JSON properties a struct does not model, preserved verbatim.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// The `type` values of a JSON-LD node, whether given as a string or an array.
pub fn types_of(node: &serde_json::Value) -> Vec<String> {
    match node.get("type") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(items)) => {
            items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
        }
        _ => Vec::new(),
    }
}

/// The `id` of a node that may be given as a bare string or as an object with `id`.
pub fn id_of(node: &serde_json::Value) -> Option<&str> {
    match node {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Object(o) => o.get("id").and_then(serde_json::Value::as_str),
        _ => None,
    }
}

/// `skip_serializing_if` helper: omit empty one-or-many lists (serialization rule 3).
pub(crate) fn is_empty<T>(v: &Option<OneOrMany<T>>) -> bool {
    v.as_ref().is_none_or(|l| l.is_empty())
}

/// `doc` in the 1EdTech serialization (OB 3.0 §serialization): a round trip through the typed
/// model (arrays for every set, single values wrapped), then every `null` and every empty array
/// removed, at any depth. Fails when the document does not fit the model (a required member
/// missing, a wrong JSON type), with serde's description of where.
pub fn to_canonical_form(doc: &serde_json::Value) -> crate::Result<serde_json::Value> {
    let malformed = |e: serde_json::Error| crate::Error::Malformed { reason: e.to_string() };
    let typed = if types_of(doc).iter().any(|t| t == "EndorsementCredential") {
        let c: EndorsementCredential = serde_json::from_value(doc.clone()).map_err(malformed)?;
        serde_json::to_value(c)
    } else {
        let c: AchievementCredential = serde_json::from_value(doc.clone()).map_err(malformed)?;
        serde_json::to_value(c)
    };
    let mut out = typed.map_err(malformed)?;
    prune(&mut out);
    Ok(out)
}

fn prune(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.values_mut().for_each(prune);
            map.retain(|_, v| !v.is_null() && !v.as_array().is_some_and(Vec::is_empty));
        }
        serde_json::Value::Array(items) => {
            items.iter_mut().for_each(prune);
            items.retain(|v| !v.is_null());
        }
        _ => {}
    }
}
