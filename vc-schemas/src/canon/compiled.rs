//! Contexts compiled into term tables, for the fast canonicalization path.
//!
//! Covers the subset of JSON-LD 1.1 context processing the embedded contexts use: term
//! definitions with `@id`, `@type` (`@id`, `@vocab`, a datatype), `@container` (`@set`,
//! `@list`, `@graph`), scoped `@context`s, `@protected`, `@prefix`, `@propagate`, `@vocab` and
//! the `id`/`type` keyword aliases. Anything else is [`Unsupported`]: the caller then uses the
//! general `json-ld` path, which either handles it or reports the error. Derived contexts (a
//! scoped context applied to a context) are computed once and memoized.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use serde_json::{Map, Value};

use crate::context;

/// The fast path does not handle this input; use the general path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsupported(pub(crate) &'static str);

pub(crate) type Fast<T> = Result<T, Unsupported>;

/// How a term's string values are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Coerce {
    /// Plain literal (string, number, boolean by their JSON type).
    None,
    /// `@type: @id`: an IRI relative to the document.
    Id,
    /// `@type: @vocab`: a term or IRI relative to the vocabulary.
    Vocab,
    /// A datatype IRI.
    Datatype(String),
    /// `@type: @json`: a JSON literal (left to the general path when used).
    Json,
}

/// `@container`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    /// None or `@set`: values are an unordered set.
    Set,
    /// `@list`: an ordered RDF list.
    List,
    /// `@graph`: each value is a named graph.
    Graph,
}

/// A compiled term definition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TermDef {
    /// Expanded IRI, or a keyword (`@id`, `@type`) for aliases.
    pub(crate) iri: String,
    pub(crate) coerce: Coerce,
    pub(crate) container: Container,
    /// Scoped context (type- or property-scoped, depending on use).
    pub(crate) scoped: Option<Arc<Value>>,
    /// Usable as the prefix of a compact IRI.
    pub(crate) prefix: bool,
    pub(crate) protected: bool,
}

impl TermDef {
    /// Equality ignoring `protected`, as the protected-term check requires.
    fn same_as(&self, other: &Self) -> bool {
        self.iri == other.iri
            && self.coerce == other.coerce
            && self.container == other.container
            && self.prefix == other.prefix
            && self.scoped.as_deref() == other.scoped.as_deref()
    }
}

/// An active context.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    terms: HashMap<String, Arc<TermDef>>,
    vocab: Option<String>,
    /// Set when this context came from a non-propagating (type-scoped) context: new node
    /// objects revert to it.
    pub(crate) previous: Option<Arc<Ctx>>,
    /// Set when a property-scoped `"@context": null` reset everything (a presentation's
    /// `verifiableCredential`): an embedded `@context` then compiles as a top-level one.
    pub(crate) initial: bool,
    derived: Mutex<HashMap<(usize, bool), Arc<Ctx>>>,
}

impl Ctx {
    /// The definition of `term`.
    pub(crate) fn term(&self, term: &str) -> Option<&TermDef> {
        self.terms.get(term).map(Arc::as_ref)
    }

    /// Compiles a top-level `@context` value (URLs of embedded contexts, or inline objects).
    pub(crate) fn top_level(ctx: &Value) -> Fast<Arc<Self>> {
        let base = Arc::new(Self::default());
        process(&base, ctx, Mode::TopLevel)
    }

    /// The context a node's own `@context` makes on top of an [`Ctx::initial`] one: the same
    /// as a top-level context, compiled once per distinct value (credentials inside a
    /// presentation each carry theirs).
    pub(crate) fn embedded(local: &Value) -> Fast<Arc<Self>> {
        static CACHE: std::sync::LazyLock<Mutex<HashMap<String, Arc<Ctx>>>> =
            std::sync::LazyLock::new(Mutex::default);
        const MAX_CACHED: usize = 64;
        let key = local.to_string();
        if let Some(hit) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(hit);
        }
        let compiled = Self::top_level(local)?;
        if let Ok(mut cache) = CACHE.lock()
            && cache.len() < MAX_CACHED
        {
            cache.insert(key, compiled.clone());
        }
        Ok(compiled)
    }

    /// This context with the scoped context `scoped` applied; memoized by the scoped context's
    /// address (they live as long as the compiled table that holds them).
    pub(crate) fn derive(
        self: &Arc<Self>,
        scoped: &Arc<Value>,
        type_scoped: bool,
    ) -> Fast<Arc<Self>> {
        let key = (Arc::as_ptr(scoped) as usize, type_scoped);
        if let Some(hit) = self.derived.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(hit);
        }
        let mode = if type_scoped { Mode::TypeScoped } else { Mode::PropertyScoped };
        let derived = process(self, scoped, mode)?;
        if let Ok(mut memo) = self.derived.lock() {
            memo.insert(key, derived.clone());
        }
        Ok(derived)
    }

    /// IRI expansion (JSON-LD 1.1 §5.2) of a document value: `vocab` for keys, types and
    /// `@vocab`-coerced values; otherwise document-relative (no base: must be absolute).
    pub(crate) fn expand_iri(&self, value: &str, vocab: bool) -> Fast<String> {
        if value.starts_with('@') {
            return Ok(value.to_owned());
        }
        if vocab && let Some(def) = self.terms.get(value) {
            return Ok(def.iri.clone());
        }
        if let Some((prefix, suffix)) = value.split_once(':') {
            if prefix == "_" {
                return Err(Unsupported("blank node identifier"));
            }
            if !suffix.starts_with("//")
                && let Some(def) = self.terms.get(prefix).filter(|d| d.prefix)
            {
                return Ok(format!("{}{suffix}", def.iri));
            }
            if is_absolute(value) {
                return Ok(value.to_owned());
            }
        }
        match (&self.vocab, vocab) {
            (Some(v), true) => Ok(format!("{v}{value}")),
            _ => Err(Unsupported("relative IRI")),
        }
    }
}

/// `scheme:` per RFC 3987.
pub(crate) fn is_absolute(iri: &str) -> bool {
    let Some((scheme, _)) = iri.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    TopLevel,
    TypeScoped,
    PropertyScoped,
}

/// Context processing (JSON-LD 1.1 §4.1) for the supported subset.
fn process(base: &Arc<Ctx>, local: &Value, mode: Mode) -> Fast<Arc<Ctx>> {
    // JSON-LD 1.1 §4.1.2 step 5.1: null resets to the initial context; protected terms may be
    // overridden only by a property-scoped context, so that is the one case taken here.
    if local.is_null() {
        if mode != Mode::PropertyScoped {
            return Err(Unsupported("null context"));
        }
        return Ok(Arc::new(Ctx { initial: true, ..Ctx::default() }));
    }
    let mut result = Ctx {
        terms: base.terms.clone(),
        vocab: base.vocab.clone(),
        previous: base.previous.clone(),
        ..Ctx::default()
    };
    let items: Vec<&Value> = match local {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    let mut propagate = mode != Mode::TypeScoped;
    for item in items {
        match item {
            Value::String(url) => {
                let doc = context::EMBEDDED
                    .iter()
                    .find(|(u, _)| u == url)
                    .ok_or(Unsupported("unknown context"))?
                    .1;
                let parsed: Value =
                    serde_json::from_str(doc).map_err(|_| Unsupported("context JSON"))?;
                let inner =
                    parsed.get("@context").ok_or(Unsupported("context without @context"))?;
                let Value::Object(map) = inner else {
                    return Err(Unsupported("remote context is not an object"));
                };
                define_all(&mut result, map, mode)?;
            }
            Value::Object(map) => {
                if let Some(p) = map.get("@propagate") {
                    propagate = p.as_bool().ok_or(Unsupported("@propagate"))?;
                }
                define_all(&mut result, map, mode)?;
            }
            _ => return Err(Unsupported("null or invalid context")),
        }
    }
    if !propagate && result.previous.is_none() {
        result.previous = Some(base.clone());
    }
    Ok(Arc::new(result))
}

fn define_all(result: &mut Ctx, map: &Map<String, Value>, mode: Mode) -> Fast<()> {
    for key in map.keys() {
        match key.as_str() {
            "@version" | "@protected" | "@propagate" => {}
            "@vocab" => {
                let v = map[key].as_str().ok_or(Unsupported("@vocab"))?;
                let iri = result.expand_iri(v, true)?;
                if !is_absolute(&iri) {
                    return Err(Unsupported("relative @vocab"));
                }
                result.vocab = Some(iri);
            }
            k if k.starts_with('@') => return Err(Unsupported("context keyword")),
            _ => {}
        }
    }
    let protected = map.get("@protected").and_then(Value::as_bool).unwrap_or(false);
    let mut defined = HashSet::new();
    for term in map.keys().filter(|k| !k.starts_with('@')) {
        define(result, map, term, protected, mode, &mut defined)?;
    }
    Ok(())
}

/// Create Term Definition (JSON-LD 1.1 §4.2), for the supported subset.
fn define(
    ctx: &mut Ctx,
    local: &Map<String, Value>,
    term: &str,
    default_protected: bool,
    mode: Mode,
    defined: &mut HashSet<String>,
) -> Fast<()> {
    if !defined.insert(term.to_owned()) {
        return Ok(());
    }
    let value = &local[term];
    // A term's IRI may use terms of the same local context: define those first.
    let dependency = |s: &str| -> Option<String> {
        let head = s.split_once(':').map_or(s, |(p, _)| p);
        (local.contains_key(head) && head != term).then(|| head.to_owned())
    };
    let mut deps: Vec<String> = Vec::new();
    let mut collect = |v: Option<&Value>| {
        if let Some(d) = v.and_then(Value::as_str).and_then(&dependency) {
            deps.push(d);
        }
    };
    match value {
        Value::String(_) => collect(Some(value)),
        Value::Object(o) => {
            collect(o.get("@id"));
            collect(o.get("@type"));
        }
        _ => {}
    }
    if term.contains(':') {
        deps.extend(dependency(term));
    }
    for d in deps {
        define(ctx, local, &d, default_protected, mode, defined)?;
    }
    let def = compile(ctx, term, value, default_protected)?;
    if let Some(old) = ctx.terms.get(term)
        && old.protected
        && !old.same_as(&def)
        && mode != Mode::PropertyScoped
    {
        return Err(Unsupported("redefinition of a protected term"));
    }
    ctx.terms.insert(term.to_owned(), Arc::new(def));
    Ok(())
}

fn compile(ctx: &Ctx, term: &str, value: &Value, default_protected: bool) -> Fast<TermDef> {
    let simple = |iri: String| {
        let prefix = iri.ends_with(['/', '#', ':', '?', '@', '[', ']']);
        TermDef {
            iri,
            coerce: Coerce::None,
            container: Container::Set,
            scoped: None,
            prefix,
            protected: default_protected,
        }
    };
    let map = match value {
        Value::String(s) => return Ok(simple(ctx.expand_iri(s, true)?)),
        Value::Object(map) => map,
        _ => return Err(Unsupported("term definition")),
    };
    for key in map.keys() {
        if !matches!(
            key.as_str(),
            "@id" | "@type" | "@container" | "@context" | "@protected" | "@prefix"
        ) {
            return Err(Unsupported("term definition keyword"));
        }
    }
    let iri = match map.get("@id") {
        Some(Value::String(id)) if matches!(id.as_str(), "@id" | "@type") => id.clone(),
        Some(Value::String(id)) if id.starts_with('@') => return Err(Unsupported("keyword alias")),
        Some(Value::String(id)) => ctx.expand_iri(id, true)?,
        Some(_) => return Err(Unsupported("@id")),
        None if term.contains(':') => ctx.expand_iri(term, true)?,
        None => match &ctx.vocab {
            Some(v) => format!("{v}{term}"),
            None => return Err(Unsupported("term without @id")),
        },
    };
    let coerce =
        match map.get("@type").map(|t| t.as_str().ok_or(Unsupported("@type"))).transpose()? {
            None => Coerce::None,
            Some("@id") => Coerce::Id,
            Some("@vocab") => Coerce::Vocab,
            Some("@json") => Coerce::Json,
            Some(t) if t.starts_with('@') => return Err(Unsupported("@type keyword")),
            Some(t) => Coerce::Datatype(ctx.expand_iri(t, true)?),
        };
    let containers: Vec<&str> = match map.get("@container") {
        None => Vec::new(),
        Some(Value::String(c)) => vec![c.as_str()],
        Some(Value::Array(cs)) => {
            cs.iter().map(|c| c.as_str().ok_or(Unsupported("@container"))).collect::<Fast<_>>()?
        }
        Some(_) => return Err(Unsupported("@container")),
    };
    let container = match containers.as_slice() {
        [] | ["@set"] => Container::Set,
        ["@list"] => Container::List,
        ["@graph"] => Container::Graph,
        _ => return Err(Unsupported("@container")),
    };
    Ok(TermDef {
        iri,
        coerce,
        container,
        scoped: map.get("@context").map(|c| Arc::new(c.clone())),
        prefix: map.get("@prefix").and_then(Value::as_bool).unwrap_or(false),
        protected: map.get("@protected").and_then(Value::as_bool).unwrap_or(default_protected),
    })
}
