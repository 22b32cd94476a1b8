//! The fast path: JSON straight to RDF quads through a compiled context ([`compiled`]),
//! without building a `json-ld` expanded document.
//!
//! It follows the JSON-LD 1.1 expansion algorithm (§5.1: type-scoped contexts that do not
//! propagate, property-scoped contexts that do, reverting to the previous context at new node
//! objects) and toRdf (§8: literals, datatypes, lists) for the documents credentials are made
//! of. Whatever else it meets (value objects, `@graph` containers, blank node ids in the input,
//! non-integral numbers, relative IRIs, undefined terms, embedded contexts) is [`Unsupported`]
//! and the general path takes over, so the fast path never decides validity by itself.
//! `tests/fast_canon.rs` checks it against the general path line for line.

use std::sync::Arc;

use serde_json::{Map, Value};
use ssi_json_ld::{
    BlankIdBuf, IriBuf,
    rdf_types::{Id, Literal, LiteralType, Quad, Term},
};
use ssi_rdf::LexicalQuad;

use super::compiled::{Coerce, Container, Ctx, Fast, TermDef, Unsupported};

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const RDF_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// The RDF quads of `body` (a document without its `@context`) under the active context `ctx`.
pub(crate) fn quads(body: &Map<String, Value>, ctx: &Arc<Ctx>) -> Fast<Vec<LexicalQuad>> {
    let mut w = Writer { quads: Vec::with_capacity(64), blanks: 0, graph: None };
    w.node(body, ctx, None)?;
    Ok(w.quads)
}

struct Writer {
    quads: Vec<LexicalQuad>,
    blanks: usize,
    /// The graph being written: `None` for the default graph, else the blank node naming the
    /// graph a `@graph` container opened (a credential inside a presentation, a proof).
    graph: Option<Subject>,
}

type Subject = Id<IriBuf, BlankIdBuf>;

fn iri(s: &str) -> Fast<IriBuf> {
    IriBuf::new(s.to_owned()).map_err(|_| Unsupported("invalid IRI"))
}

fn literal(value: String, datatype: &str) -> Fast<Term> {
    Ok(Term::Literal(Literal::new(value, LiteralType::Any(iri(datatype)?))))
}

/// Whether a JSON key expands to `keyword` under `ctx` (keywords or their aliases).
fn is_keyword(ctx: &Ctx, key: &str, keyword: &str) -> bool {
    key == keyword || ctx.term(key).is_some_and(|d| d.iri == keyword)
}

impl Writer {
    fn blank(&mut self) -> Fast<Subject> {
        self.blanks += 1;
        BlankIdBuf::new(format!("_:f{}", self.blanks))
            .map(Id::Blank)
            .map_err(|_| Unsupported("blank id"))
    }

    fn emit(&mut self, s: &Subject, p: &str, o: Term) -> Fast<()> {
        self.quads.push(Quad(s.clone(), iri(p)?, o, self.graph.clone()));
        Ok(())
    }

    /// A node object: its subject, with every triple it makes emitted.
    fn node(
        &mut self,
        obj: &Map<String, Value>,
        active: &Arc<Ctx>,
        scoped: Option<&Arc<Value>>,
    ) -> Fast<Subject> {
        if obj.keys().any(|k| is_keyword(active, k, "@value") || is_keyword(active, k, "@graph")) {
            return Err(Unsupported("value or graph object"));
        }
        let only_id = obj.len() == 1 && obj.keys().all(|k| is_keyword(active, k, "@id"));
        let mut ctx = active.clone();
        if let (Some(previous), false) = (&active.previous, only_id) {
            ctx = previous.clone();
        }
        if let Some(scoped) = scoped {
            ctx = ctx.derive(scoped, false)?;
        }
        // Expansion step 9: the node's own context, supported where a null scoped context
        // made it a fresh start (the credentials of a VCDM 2.0 presentation).
        if let Some(local) = obj.get("@context") {
            if !ctx.initial {
                return Err(Unsupported("embedded context"));
            }
            ctx = Ctx::embedded(local)?;
        }
        let type_scoped = ctx.clone();
        let types = self.types(obj, &type_scoped)?;
        for t in &types {
            if let Some(local) = type_scoped.term(t).and_then(|d| d.scoped.clone()) {
                ctx = ctx.derive(&local, true)?;
            }
        }
        let subject = match obj.iter().find(|(k, _)| is_keyword(&ctx, k, "@id")) {
            Some((_, Value::String(id))) => Id::Iri(iri(&ctx.expand_iri(id, false)?)?),
            Some(_) => return Err(Unsupported("non-string @id")),
            None => self.blank()?,
        };
        for t in &types {
            let o = Term::Id(Id::Iri(iri(&type_scoped.expand_iri(t, true)?)?));
            self.emit(&subject, RDF_TYPE, o)?;
        }
        for (key, value) in obj {
            if key == "@context" || is_keyword(&ctx, key, "@id") || is_keyword(&ctx, key, "@type") {
                continue;
            }
            self.property(&subject, key, value, &ctx)?;
        }
        Ok(subject)
    }

    /// The node's `@type` values, sorted (the order type-scoped contexts apply in).
    fn types(&self, obj: &Map<String, Value>, ctx: &Ctx) -> Fast<Vec<String>> {
        let mut types = Vec::new();
        for (key, value) in obj.iter().filter(|(k, _)| is_keyword(ctx, k, "@type")) {
            match value {
                Value::String(t) => types.push(t.clone()),
                Value::Array(ts) => {
                    for t in ts {
                        types.push(t.as_str().ok_or(Unsupported("non-string @type"))?.to_owned());
                    }
                }
                _ => return Err(Unsupported("@type value")),
            }
            let _ = key;
        }
        types.sort();
        Ok(types)
    }

    fn property(
        &mut self,
        subject: &Subject,
        key: &str,
        value: &Value,
        ctx: &Arc<Ctx>,
    ) -> Fast<()> {
        if key.starts_with('@') {
            return Err(Unsupported("keyword entry"));
        }
        let def = match ctx.term(key) {
            Some(d) if d.iri.starts_with('@') => return Err(Unsupported("keyword alias entry")),
            Some(d) => d.clone(),
            // A compact or absolute IRI, or a key under `@vocab`.
            None => TermDef {
                iri: ctx.expand_iri(key, true)?,
                coerce: Coerce::None,
                container: Container::Set,
                scoped: None,
                prefix: false,
                protected: false,
            },
        };
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        match def.container {
            Container::Graph => {
                // Each node object becomes a graph object named by a fresh blank node: the
                // property points at that name, and the node's triples go into that graph.
                for item in items {
                    let Value::Object(obj) = item else {
                        return Err(Unsupported("@graph container value"));
                    };
                    let name = self.blank()?;
                    let outer = self.graph.replace(name.clone());
                    let inner = self.node(obj, ctx, def.scoped.as_ref());
                    self.graph = outer;
                    inner?;
                    self.emit(subject, &def.iri, Term::Id(name))?;
                }
                Ok(())
            }
            Container::List => {
                let head = self.list(&items, &def, ctx)?;
                self.emit(subject, &def.iri, head)
            }
            Container::Set => {
                for item in items {
                    if item.is_array() {
                        return Err(Unsupported("nested array"));
                    }
                    if let Some(o) = self.value(item, &def, ctx)? {
                        self.emit(subject, &def.iri, o)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// An RDF list of `items`; returns its head (`rdf:nil` when empty).
    fn list(&mut self, items: &[&Value], def: &TermDef, ctx: &Arc<Ctx>) -> Fast<Term> {
        let mut objects = Vec::with_capacity(items.len());
        for item in items {
            if item.is_array() {
                return Err(Unsupported("list of lists"));
            }
            objects.extend(self.value(item, def, ctx)?);
        }
        let nodes: Vec<Subject> = (0..objects.len()).map(|_| self.blank()).collect::<Fast<_>>()?;
        for (i, object) in objects.into_iter().enumerate() {
            self.emit(&nodes[i], RDF_FIRST, object)?;
            let rest = match nodes.get(i + 1) {
                Some(next) => Term::Id(next.clone()),
                None => Term::Id(Id::Iri(iri(RDF_NIL)?)),
            };
            self.emit(&nodes[i], RDF_REST, rest)?;
        }
        Ok(match nodes.first() {
            Some(head) => Term::Id(head.clone()),
            None => Term::Id(Id::Iri(iri(RDF_NIL)?)),
        })
    }

    /// The RDF object for one value of a property (`None` for JSON null, which is dropped).
    fn value(&mut self, v: &Value, def: &TermDef, ctx: &Arc<Ctx>) -> Fast<Option<Term>> {
        if let Value::Object(obj) = v {
            return Ok(Some(Term::Id(self.node(obj, ctx, def.scoped.as_ref())?)));
        }
        // Scalars are expanded under the property-scoped context too (expansion step 4), so a
        // `@vocab` value such as `proofPurpose: "assertionMethod"` uses the property's terms.
        let scoped_ctx;
        let ctx = match &def.scoped {
            Some(scoped) => {
                scoped_ctx = ctx.derive(scoped, false)?;
                &scoped_ctx
            }
            None => ctx,
        };
        let term = match (v, &def.coerce) {
            (Value::Null, _) => return Ok(None),
            (Value::String(s), Coerce::Id) => Term::Id(Id::Iri(iri(&ctx.expand_iri(s, false)?)?)),
            (Value::String(s), Coerce::Vocab) => Term::Id(Id::Iri(iri(&ctx.expand_iri(s, true)?)?)),
            (Value::String(s), Coerce::Datatype(dt)) => literal(s.clone(), dt)?,
            (Value::String(s), Coerce::None) => literal(s.clone(), XSD_STRING)?,
            (Value::Bool(b), Coerce::None) => literal(b.to_string(), XSD_BOOLEAN)?,
            (Value::Bool(b), Coerce::Datatype(dt)) => literal(b.to_string(), dt)?,
            (Value::Number(n), Coerce::None) => literal(
                n.as_i64().ok_or(Unsupported("non-integral number"))?.to_string(),
                XSD_INTEGER,
            )?,
            (Value::Number(n), Coerce::Datatype(dt)) if dt != XSD_DOUBLE => {
                literal(n.as_i64().ok_or(Unsupported("non-integral number"))?.to_string(), dt)?
            }
            _ => return Err(Unsupported("value shape")),
        };
        Ok(Some(term))
    }
}
