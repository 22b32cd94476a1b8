//! RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, with processed contexts
//! reused across calls.
//!
//! Why this is ours rather than ssi's `CanonicalizeClaimsAndConfiguration`:
//! - **Correctness.** ssi 0.16 turns the expanded document into RDF through `linked_data`,
//!   which drops the `rdf:first` triples of JSON-LD lists (`@container: @list`, e.g. OB
//!   `allowedValue`: list values were not signed), writes non-integral numbers and coerced
//!   booleans in non-standard forms, and its URDNA2015 labels tied blank nodes differently from
//!   the specification. Here RDF comes from the `json-ld` crate's toRdf (JSON-LD 1.1 §8) or from
//!   the fast path (`canon/fast.rs`), and labelling and N-Quads from `rdf-canon` (`canon/rdfc.rs`); the output
//!   equals rdf-canonize's, which the widely deployed JavaScript cryptosuite uses
//!   (`scripts/interop`, `tests/interop_js.rs`).
//! - **Speed.** Processing the `@context` set dominates the cost of a proof (~2.7 ms of ~5 ms
//!   per expansion, `research/FAST_DI_NOTES.md`): the general path does it once per distinct
//!   set of embedded context URLs; the fast path compiles that set into term tables and skips
//!   the expanded document altogether.
//!
//! Differential tests hold the paths to each other, to ssi where ssi follows the specification,
//! and to the W3C and 1EdTech canonical forms.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, RwLock},
};

use serde_json::Value;
use ssi_json_ld::{
    self as json_ld, Expand, Process, RdfQuads,
    expansion::{Action, Options, Policy},
    rdf_types::{Quad, generator},
    syntax::{TryFromJson, context::Context as ContextSyntax},
};
use ssi_rdf::LexicalQuad;

use crate::{Error, Result, context};

mod compiled;
mod fast;
mod rdfc;

use compiled::Ctx;

/// Most distinct context sets kept: each is a list of embedded URLs, so the space is small, but
/// the bound keeps an attacker who varies the order from growing memory.
const MAX_CACHED_CONTEXTS: usize = 64;

type ActiveContext = json_ld::Context<json_ld::IriBuf, json_ld::BlankIdBuf>;

/// Canonicalizes JSON-LD documents; holds the processed-context cache.
#[derive(Default)]
pub struct Canonicalizer {
    contexts: RwLock<HashMap<String, Arc<ActiveContext>>>,
    /// Compiled term tables for the fast path (`None`: the context set is outside its subset).
    compiled: RwLock<HashMap<String, Option<Arc<Ctx>>>>,
}

impl std::fmt::Debug for Canonicalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.contexts.read().map(|c| c.len()).unwrap_or_default();
        write!(f, "Canonicalizer({n} cached contexts)")
    }
}

/// ssi's expansion policy: undefined terms and invalid values are errors, never dropped.
fn options() -> Options {
    Options {
        policy: Policy { invalid: Action::Reject, allow_undefined: false, ..Default::default() },
        ..Default::default()
    }
}

impl Canonicalizer {
    /// The process-wide instance.
    pub fn global() -> &'static Self {
        static GLOBAL: LazyLock<Canonicalizer> = LazyLock::new(Canonicalizer::default);
        &GLOBAL
    }

    /// The canonical N-Quads lines (sorted, each ending in `\n`) of `doc`: through the fast
    /// path when it covers the document, else through the general path.
    pub async fn nquads(&self, doc: &Value) -> Result<Vec<String>> {
        within_size(doc)?;
        let (body, ctx) = split(doc)?;
        if let Some(table) = self.compiled_context(&ctx) {
            match fast::quads(&body, &table) {
                Ok(quads) => return normalize(&quads),
                // Outside the fast path's subset (presentations, legacy documents, value
                // objects): the general path decides.
                Err(_unsupported) => {}
            }
        }
        self.general(body, &ctx).await
    }

    /// The general path only: the `json-ld` crate's expansion and toRdf.
    pub async fn nquads_general(&self, doc: &Value) -> Result<Vec<String>> {
        within_size(doc)?;
        let (body, ctx) = split(doc)?;
        self.general(body, &ctx).await
    }

    /// Like [`Self::nquads`], with blank nodes always labelled by `rdf-canon` (for differential
    /// tests and benchmarks of the labelling shortcut).
    pub async fn nquads_reference_labelling(&self, doc: &Value) -> Result<Vec<String>> {
        let (body, ctx) = split(doc)?;
        if let Some(table) = self.compiled_context(&ctx)
            && let Ok(quads) = fast::quads(&body, &table)
        {
            return rdfc::canonical_lines_reference(&quads);
        }
        let active = self.active_context(&ctx).await?;
        rdfc::canonical_lines_reference(&self.general_quads(body, &active).await?)
    }

    /// The fast path only; `None` when it does not cover `doc` (for tests and benchmarks).
    pub fn nquads_fast(&self, doc: &Value) -> Option<Vec<String>> {
        let (body, ctx) = split(doc).ok()?;
        let table = self.compiled_context(&ctx)?;
        fast::quads(&body, &table).ok().and_then(|q| normalize(&q).ok())
    }

    /// Why the fast path does not cover `doc` (`Ok` when it does): for tests and profiling.
    pub fn fast_path_gap(&self, doc: &Value) -> std::result::Result<(), &'static str> {
        let (body, ctx) = split(doc).map_err(|_| "not an object")?;
        if !cacheable(&ctx) {
            return Err("context set is not a list of embedded URLs");
        }
        let table = Ctx::top_level(&ctx).map_err(|u| u.0)?;
        fast::quads(&body, &table).map(|_| ()).map_err(|u| u.0)
    }

    fn compiled_context(&self, ctx: &Value) -> Option<Arc<Ctx>> {
        if !cacheable(ctx) {
            return None;
        }
        let key = ctx.to_string();
        if let Some(hit) = self.compiled.read().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let table = Ctx::top_level(ctx).ok();
        if let Ok(mut cache) = self.compiled.write()
            && cache.len() < MAX_CACHED_CONTEXTS
        {
            cache.insert(key, table.clone());
        }
        table
    }

    async fn general(
        &self,
        body: serde_json::Map<String, Value>,
        ctx: &Value,
    ) -> Result<Vec<String>> {
        let active = self.active_context(ctx).await?;
        normalize(&self.general_quads(body, &active).await?)
    }

    /// The RDF of a document body under a processed context, by the `json-ld` crate.
    async fn general_quads(
        &self,
        body: serde_json::Map<String, Value>,
        active: &ActiveContext,
    ) -> Result<Vec<LexicalQuad>> {
        let json: json_ld::syntax::Value = serde_json::from_value(Value::Object(body))
            .map_err(|e| Error::malformed(e.to_string()))?;
        let mut expanded = json
            .expand_full(&mut (), active.clone(), None, context::loader(), options(), ())
            .await
            .map_err(|e| expansion_error(&e.to_string()))?;
        // RDF straight from the expanded tree (not the node map: json-ld-core 0.21.4's node
        // map keeps only the last node's types when two nodes share an id, as an issuer and
        // subject do in a self-issued badge). Duplicate triples are removed with the dataset.
        expanded.identify_all(&mut generator::Blank::new_with_prefix("bm-node-".into()));
        let mut lists = generator::Blank::new_with_prefix("bm-list-".into());
        Ok(expanded
            .rdf_quads_full(&mut (), &mut lists, None, false)
            .cloned()
            .filter_map(|Quad(s, p, o, g)| Some(Quad(s, p.into_iri()?, o, g)))
            .collect())
    }

    /// The active context after processing `ctx`, from the cache when possible.
    async fn active_context(&self, ctx: &Value) -> Result<Arc<ActiveContext>> {
        let key = ctx.to_string();
        if let Some(hit) = self.contexts.read().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(hit);
        }
        let processed = Arc::new(process(ctx).await?);
        if cacheable(ctx)
            && let Ok(mut cache) = self.contexts.write()
            && cache.len() < MAX_CACHED_CONTEXTS
        {
            cache.insert(key, processed.clone());
        }
        Ok(processed)
    }
}

/// Most JSON values (objects, arrays, strings, numbers…) a document may have. A full Open Badge
/// has a few hundred; the limit is checked in one cheap walk before JSON-LD expansion, whose
/// cost grows with every value (a 215 KB clique of 25,600 references took ~200 ms to expand
/// before the labelling budget could refuse it).
pub const MAX_JSON_VALUES: usize = 10_000;

/// Refuses a document with more than [`MAX_JSON_VALUES`] values, stopping as soon as it has.
fn within_size(doc: &Value) -> Result<()> {
    let mut stack = vec![doc];
    let mut seen = 0usize;
    while let Some(v) = stack.pop() {
        seen += 1;
        if seen > MAX_JSON_VALUES {
            return Err(Error::too_complex(format!(
                "more than {MAX_JSON_VALUES} JSON values to expand"
            )));
        }
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(members) => stack.extend(members.values()),
            _ => {}
        }
    }
    Ok(())
}

fn normalize(quads: &[LexicalQuad]) -> Result<Vec<String>> {
    rdfc::canonical_lines(quads)
}

/// A document's body and its `@context`.
fn split(doc: &Value) -> Result<(serde_json::Map<String, Value>, Value)> {
    let mut body = doc
        .as_object()
        .cloned()
        .ok_or_else(|| Error::malformed("a JSON-LD document is an object"))?;
    let ctx = unwrap_nested(body.remove("@context").unwrap_or(Value::Null));
    Ok((body, ctx))
}

/// An inline context written as `{"@context": {…}}` (the shape of a context *document*) is read
/// as the context it wraps. jsonld.js, which most issuers use, does this for every context, so
/// documents it signed this way (the W3C eddsa suite has some) only verify if we do the same;
/// strict JSON-LD 1.1 would reject them as invalid term definitions.
fn unwrap_nested(ctx: Value) -> Value {
    match ctx {
        Value::Array(items) => Value::Array(items.into_iter().map(unwrap_nested).collect()),
        Value::Object(mut m) if m.len() == 1 && m.contains_key("@context") => {
            unwrap_nested(m.remove("@context").unwrap_or(Value::Null))
        }
        other => other,
    }
}

/// Only sets of embedded context URLs are cached (inline contexts are processed every time).
fn cacheable(ctx: &Value) -> bool {
    match ctx {
        Value::String(url) => context::is_known(url),
        Value::Array(items) => items.iter().all(|i| i.as_str().is_some_and(context::is_known)),
        _ => false,
    }
}

async fn process(ctx: &Value) -> Result<ActiveContext> {
    let initial = ActiveContext::default();
    if ctx.is_null() {
        return Ok(initial);
    }
    let json: json_ld::syntax::Value =
        serde_json::from_value(ctx.clone()).map_err(|e| Error::malformed(e.to_string()))?;
    let syntax = ContextSyntax::try_from_json(json)
        .map_err(|e| Error::malformed(format!("invalid @context: {e}")))?;
    let processed = syntax
        .process_full(&mut (), &initial, context::loader(), None, options().into(), ())
        .await
        .map_err(|e| expansion_error(&e.to_string()))?
        .into_processed();
    // Stripping `@context` and starting from the processed context is the same as expanding
    // with it only when no top-level `@propagate: false` would revert it (expansion step 7).
    if processed.previous_context().is_some() {
        return Err(Error::malformed("top-level @propagate: false contexts are not supported"));
    }
    Ok(processed)
}

/// Sorts a `json-ld` error: an unknown context is [`Error::UnknownContext`] (could not check),
/// anything else a malformed document.
pub(crate) fn expansion_error(message: &str) -> Error {
    match message.split("loading document `").nth(1).and_then(|rest| rest.split('`').next()) {
        Some(url) if message.contains("Unknown context") => {
            Error::UnknownContext { url: url.to_owned() }
        }
        _ => Error::malformed(format!("JSON-LD expansion failed: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn canon(doc: &Value) -> Vec<String> {
        futures::executor::block_on(Canonicalizer::default().nquads(doc)).unwrap()
    }

    #[test]
    fn list_values_are_kept_in_order() {
        let doc = json!({
            "@context": [context::CREDENTIALS_V2, context::OB_V3P0],
            "id": "urn:x", "type": ["ResultDescription"], "allowedValue": ["D", "C"]
        });
        let lines = canon(&doc).concat();
        let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
        assert!(lines.contains(&format!("<{rdf}first> \"D\" .")), "{lines}");
        assert!(lines.contains(&format!("<{rdf}first> \"C\" .")), "{lines}");
        assert!(lines.contains(&format!("<{rdf}rest> <{rdf}nil> .")), "{lines}");
        let swapped = json!({
            "@context": [context::CREDENTIALS_V2, context::OB_V3P0],
            "id": "urn:x", "type": ["ResultDescription"], "allowedValue": ["C", "D"]
        });
        assert_ne!(canon(&swapped).concat(), lines, "list order is significant");
    }

    #[test]
    fn numbers_take_the_json_ld_canonical_forms() {
        // JSON-LD 1.1 §8.6: integral numbers keep integer form under a datatype other than
        // xsd:double; non-integral ones take the canonical xsd:double form (as jsonld.js does).
        let doc = json!({
            "@context": [context::CREDENTIALS_V2, context::OB_V3P0],
            "id": "urn:x", "type": ["AchievementSubject"], "creditsEarned": 32.25, "licenseNumber": "A"
        });
        let text = canon(&doc).concat();
        assert!(text.contains("\"3.225E1\"^^<https://www.w3.org/2001/XMLSchema#float>"), "{text}");
        let doc = json!({
            "@context": [context::CREDENTIALS_V2, context::OB_V3P0],
            "id": "urn:x", "type": ["AchievementSubject"], "creditsEarned": 42
        });
        assert!(canon(&doc).concat().contains("\"42\"^^<https://www.w3.org/2001/XMLSchema#float>"));
    }

    #[test]
    fn undefined_terms_and_unknown_contexts_are_errors() {
        let c = Canonicalizer::default();
        let undefined = json!({"@context": [context::CREDENTIALS_V2], "type": ["VerifiableCredential"], "madeUpTerm": 1});
        assert!(futures::executor::block_on(c.nquads(&undefined)).is_err());
        let unknown = json!({"@context": ["https://evil.example/ctx"], "id": "urn:x"});
        assert!(matches!(
            futures::executor::block_on(c.nquads(&unknown)),
            Err(Error::UnknownContext { .. })
        ));
    }
}
