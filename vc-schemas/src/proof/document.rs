//! A JSON-LD document as ssi's Data Integrity suites need it: any JSON object (credential,
//! presentation, status list), expanded exactly as ssi expands its own VC types.

use std::{borrow::Cow, hash::Hash};

use ssi_json_ld::{
    CompactJsonLd, Expandable, JsonLdError, JsonLdNodeObject, JsonLdObject, JsonLdTypes, Loader,
    syntax,
};
use ssi_rdf::{
    Interpretation, LdEnvironment, LinkedDataResource, LinkedDataSubject, VocabularyMut,
};

/// A compacted JSON-LD document with its `type` values read once.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(transparent)]
pub(crate) struct LdDocument {
    value: syntax::Value,
    #[serde(skip)]
    types: Vec<String>,
}

impl LdDocument {
    pub(crate) fn new(value: syntax::Value, types: Vec<String>) -> Self {
        Self { value, types }
    }
}

impl JsonLdObject for LdDocument {
    fn json_ld_context(&'_ self) -> Option<Cow<'_, syntax::Context>> {
        CompactJsonLd::from_value_ref(&self.value)
            .json_ld_context()
            .map(|c| Cow::Owned(c.into_owned()))
    }
}

impl JsonLdNodeObject for LdDocument {
    fn json_ld_type(&'_ self) -> JsonLdTypes<'_> {
        JsonLdTypes::from(self.types.as_slice())
    }
}

impl Expandable for LdDocument {
    type Error = JsonLdError;
    type Expanded<I, V>
        = <CompactJsonLd as Expandable>::Expanded<I, V>
    where
        I: Interpretation,
        V: VocabularyMut,
        V::Iri: LinkedDataResource<I, V> + LinkedDataSubject<I, V>,
        V::BlankId: LinkedDataResource<I, V> + LinkedDataSubject<I, V>;

    async fn expand_with<I, V>(
        &self,
        ld: &mut LdEnvironment<V, I>,
        loader: &impl Loader,
    ) -> Result<Self::Expanded<I, V>, Self::Error>
    where
        I: Interpretation,
        V: VocabularyMut,
        V::Iri: Clone + Eq + Hash + LinkedDataResource<I, V> + LinkedDataSubject<I, V>,
        V::BlankId: Clone + Eq + Hash + LinkedDataResource<I, V> + LinkedDataSubject<I, V>,
    {
        CompactJsonLd::from_value_ref(&self.value).expand_with(ld, loader).await
    }
}
