//! The issuer profile: who the institution is, published in every credential's `issuer`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{
    Issuer,
    fields::{Link, require_link, require_visible},
};
use crate::{
    Error, Result,
    store::tables::{META, decode, encode},
};

/// The profile an operator sets. The `id` is always the node's DID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Institution name.
    pub name: String,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Contact address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// What the institution is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

impl Profile {
    /// The profile of a node nobody has named yet.
    pub fn unnamed() -> Self {
        Self { name: "Unnamed Badgemesh issuer".into(), ..Self::default() }
    }

    /// Refuses empty (or invisible) names, and links that are not web pages or images.
    pub fn validate(&self) -> Result<()> {
        require_visible("profile name", &self.name)?;
        if let Some(url) = &self.url {
            require_link("profile url", url, Link::Page)?;
        }
        if let Some(image) = &self.image {
            require_link("profile image", image, Link::Image)?;
        }
        if let Some(e) = &self.email
            && !looks_like_email(e)
        {
            return Err(Error::Invalid("profile email is not an e-mail address".into()));
        }
        Ok(())
    }

    /// The OB 3.0 `Profile` object for `did`.
    pub fn to_ob(&self, did: &str) -> Value {
        let mut p = Map::new();
        p.insert("id".into(), json!(did));
        p.insert("type".into(), json!(["Profile"]));
        p.insert("name".into(), json!(self.name));
        if let Some(u) = &self.url {
            p.insert("url".into(), json!(u));
        }
        if let Some(e) = &self.email {
            p.insert("email".into(), json!(e));
        }
        if let Some(d) = &self.description {
            p.insert("description".into(), json!(d));
        }
        if let Some(i) = &self.image {
            p.insert("image".into(), json!({"id": i, "type": "Image"}));
        }
        Value::Object(p)
    }
}

/// One `@` with something on each side and a dot in the domain: enough to catch a CSV column
/// mix-up without pretending to validate RFC 5322.
pub fn looks_like_email(s: &str) -> bool {
    s.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.contains('@')
            && !s.contains(char::is_whitespace)
    })
}

impl Issuer {
    /// The issuer profile.
    pub fn profile(&self) -> Result<Profile> {
        let txn = self.inner.store.read()?;
        let meta = txn.open_table(META).map_err(Error::store)?;
        let found = meta.get("profile").map_err(Error::store)?;
        found.map(|v| decode(v.value())).transpose().map(|p| p.unwrap_or_else(Profile::unnamed))
    }

    /// Replaces the issuer profile.
    pub async fn set_profile(&self, profile: Profile) -> Result<Profile> {
        profile.validate()?;
        let bytes = encode(&profile)?;
        self.inner
            .store
            .write(move |b| {
                let mut meta = b.txn.open_table(META).map_err(Error::store)?;
                meta.insert("profile", bytes.as_slice()).map_err(Error::store)?;
                Ok(())
            })
            .await?;
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_bad_field() {
        assert!(Profile::unnamed().validate().is_ok());
        let bad = Profile { url: Some("example.edu".into()), ..Profile::unnamed() };
        assert!(bad.validate().unwrap_err().to_string().contains("url"));
        let bad = Profile { url: Some("javascript:alert(1)".into()), ..Profile::unnamed() };
        assert!(bad.validate().unwrap_err().to_string().contains("url"));
        let bad = Profile { image: Some("javascript:alert(1)".into()), ..Profile::unnamed() };
        assert!(bad.validate().unwrap_err().to_string().contains("image"));
        let bad = Profile { name: "\u{200B}\u{200D}".into(), ..Profile::unnamed() };
        assert!(bad.validate().unwrap_err().to_string().contains("name"));
        let bad = Profile { email: Some("nobody".into()), ..Profile::unnamed() };
        assert!(bad.validate().unwrap_err().to_string().contains("email"));
        assert!(Profile::default().validate().is_err());
    }

    #[test]
    fn ob_profile_carries_every_field() {
        let p = Profile {
            name: "Uni".into(),
            url: Some("https://uni.example".into()),
            email: Some("registrar@uni.example".into()),
            description: Some("A university".into()),
            image: Some("https://uni.example/logo.png".into()),
        };
        let ob = p.to_ob("did:key:z6Mk");
        assert_eq!(ob["id"], "did:key:z6Mk");
        assert_eq!(ob["image"]["type"], "Image");
        assert_eq!(ob["email"], "registrar@uni.example");
    }
}
