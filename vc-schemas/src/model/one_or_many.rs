//! A list that accepts a single value or an array on input and always emits an array.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One or many `T`: JSON-LD compacted form allows `"type": "Image"` where the canonical form has
/// `["Image"]`. Emitting arrays keeps us valid against the strict 1EdTech schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> OneOrMany<T> {
    /// Whether the list holds nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(v: Vec<T>) -> Self {
        Self(v)
    }
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Serialize> Serialize for OneOrMany<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr<T> {
            Many(Vec<T>),
            One(T),
        }
        Ok(match Repr::deserialize(d)? {
            Repr::Many(v) => Self(v),
            Repr::One(x) => Self(vec![x]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_in_array_out() {
        let v: OneOrMany<String> = serde_json::from_str("\"Image\"").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "[\"Image\"]");
        let v: OneOrMany<String> = serde_json::from_str("[\"a\",\"b\"]").unwrap();
        assert_eq!(v.0.len(), 2);
    }
}
