//! RDFC-1.0 itself: blank-node labelling and canonical N-Quads.
//!
//! The common case of a credential, where every blank node has a distinct first-degree hash
//! (RDFC-1.0 §4.4 steps 1–5: no Hash N-Degree Quads needed), is labelled here directly, using
//! `oxrdf`'s canonical N-Quads serializer exactly as `rdf-canon` does; every other graph goes
//! to `rdf-canon`. Tests hold the two to the same output on every document they see.
//!
//! Not ssi's `urdna2015`: on graphs whose blank nodes tie in the first-degree hashes (two
//! identical `Alignment` nodes under different parents, as in the 1EdTech "complete" example)
//! ssi labels them differently from the specification and from rdf-canonize, so proofs made by
//! one did not verify in the other. `rdf-canon` runs the W3C RDFC-1.0 test suite. A cap on
//! Hash N-Degree Quads calls keeps crafted "poison" graphs from tying up a verifier.

use std::collections::{HashMap, HashSet};

use oxrdf::{BlankNode, Literal, NamedNode, Quad, Subject, Term};
use rdf_canon::{CanonicalizationOptions, canonicalize_quads_with};
use sha2::{Digest, Sha256};
use ssi::{
    json_ld::rdf_types::{Id, LiteralType, Term as RdfTerm},
    rdf::LexicalQuad,
};

use crate::{Error, Result};

/// Hash N-Degree Quads calls allowed per document: ordinary credentials need a handful.
const HNDQ_CALL_LIMIT: usize = 4_000;

/// The canonical N-Quads lines (sorted, each ending in `\n`) of a set of quads.
pub(super) fn canonical_lines(quads: &[LexicalQuad]) -> Result<Vec<String>> {
    let quads = dataset(quads);
    match distinct_first_degree(&quads) {
        Some(lines) => Ok(lines),
        None => reference(&quads),
    }
}

/// The same, always through `rdf-canon` (for differential tests and benchmarks).
pub(super) fn canonical_lines_reference(quads: &[LexicalQuad]) -> Result<Vec<String>> {
    reference(&dataset(quads))
}

/// The quads as an RDF dataset: converted, duplicates removed (a dataset is a set).
fn dataset(quads: &[LexicalQuad]) -> Vec<Quad> {
    let mut seen = HashSet::with_capacity(quads.len());
    quads.iter().map(to_oxrdf).filter(|q| seen.insert(q.clone())).collect()
}

fn reference(quads: &[Quad]) -> Result<Vec<String>> {
    let options = CanonicalizationOptions { hndq_call_limit: Some(HNDQ_CALL_LIMIT) };
    let text = canonicalize_quads_with::<Sha256>(quads, &options)
        .map_err(|e| Error::malformed(format!("RDF canonicalization: {e}")))?;
    Ok(text.split_inclusive('\n').map(str::to_owned).collect())
}

/// Labels the blank nodes when their first-degree hashes are all distinct; `None` otherwise.
fn distinct_first_degree(quads: &[Quad]) -> Option<Vec<String>> {
    let mut mentions: HashMap<&str, Vec<&Quad>> = HashMap::new();
    for q in quads {
        let mut blanks = blanks_of(q);
        blanks.dedup();
        for b in blanks {
            mentions.entry(b).or_default().push(q);
        }
    }
    let mut hashed: Vec<(String, &str)> = mentions
        .iter()
        .map(|(&blank, quads)| {
            let mut lines: Vec<String> = quads
                .iter()
                .map(|q| line(&relabel(q, |b| if b == blank { "a" } else { "z" })))
                .collect();
            lines.sort();
            (hex::encode(Sha256::digest(lines.concat().as_bytes())), blank)
        })
        .collect();
    hashed.sort();
    if hashed.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    let labels: HashMap<&str, String> =
        hashed.iter().enumerate().map(|(i, (_, blank))| (*blank, format!("c14n{i}"))).collect();
    let mut out: Vec<(String, String)> = quads
        .iter()
        .map(|q| {
            let text = relabel(q, |b| labels[b].as_str()).to_string();
            let line = format!("{text} .\n");
            (text, line)
        })
        .collect();
    // Sorted by the quad text without its terminator, as rdf-canon's serializer does.
    out.sort();
    Some(out.into_iter().map(|(_, line)| line).collect())
}

fn blanks_of(q: &Quad) -> Vec<&str> {
    let mut out = Vec::with_capacity(3);
    if let Subject::BlankNode(b) = &q.subject {
        out.push(b.as_str());
    }
    if let Term::BlankNode(b) = &q.object {
        out.push(b.as_str());
    }
    if let oxrdf::GraphName::BlankNode(b) = &q.graph_name {
        out.push(b.as_str());
    }
    out.sort_unstable();
    out
}

fn line(q: &Quad) -> String {
    format!("{q} .\n")
}

/// `q` with every blank node renamed by `name`.
fn relabel<'a>(q: &'a Quad, name: impl Fn(&'a str) -> &'a str) -> Quad {
    let subject = match &q.subject {
        Subject::BlankNode(b) => Subject::BlankNode(BlankNode::new_unchecked(name(b.as_str()))),
        other @ Subject::NamedNode(_) => other.clone(),
    };
    let object = match &q.object {
        Term::BlankNode(b) => Term::BlankNode(BlankNode::new_unchecked(name(b.as_str()))),
        other => other.clone(),
    };
    let graph_name = match &q.graph_name {
        oxrdf::GraphName::BlankNode(b) => BlankNode::new_unchecked(name(b.as_str())).into(),
        other => other.clone(),
    };
    Quad::new(subject, q.predicate.clone(), object, graph_name)
}

fn to_oxrdf(q: &LexicalQuad) -> Quad {
    let subject: Subject = match &q.0 {
        Id::Iri(i) => NamedNode::new_unchecked(i.as_str()).into(),
        Id::Blank(b) => blank(b.as_str()).into(),
    };
    let predicate = NamedNode::new_unchecked(q.1.as_str());
    let object: Term = match &q.2 {
        RdfTerm::Id(Id::Iri(i)) => NamedNode::new_unchecked(i.as_str()).into(),
        RdfTerm::Id(Id::Blank(b)) => blank(b.as_str()).into(),
        RdfTerm::Literal(l) => match &l.type_ {
            LiteralType::Any(dt) => {
                Literal::new_typed_literal(l.value.as_str(), NamedNode::new_unchecked(dt.as_str()))
                    .into()
            }
            LiteralType::LangString(tag) => Literal::new_language_tagged_literal_unchecked(
                l.value.as_str(),
                tag.as_str().to_ascii_lowercase(),
            )
            .into(),
        },
    };
    let graph = match &q.3 {
        None => oxrdf::GraphName::DefaultGraph,
        Some(Id::Iri(i)) => NamedNode::new_unchecked(i.as_str()).into(),
        Some(Id::Blank(b)) => blank(b.as_str()).into(),
    };
    Quad::new(subject, predicate, object, graph)
}

/// A blank node from an `_:label` (labels are the generators' own, always valid).
fn blank(label: &str) -> BlankNode {
    BlankNode::new_unchecked(label.trim_start_matches("_:"))
}
