//! RDFC-1.0 itself: blank-node labelling and canonical N-Quads, by the `rdf-canon` crate.
//!
//! Not ssi's `urdna2015`: on graphs whose blank nodes tie in the first-degree hashes (two
//! identical `Alignment` nodes under different parents, as in the 1EdTech "complete" example)
//! ssi labels them differently from the specification and from rdf-canonize, so proofs made by
//! one did not verify in the other. `rdf-canon` runs the W3C RDFC-1.0 test suite. A cap on
//! Hash N-Degree Quads calls keeps crafted "poison" graphs from tying up a verifier.

use oxrdf::{BlankNode, Literal, NamedNode, Quad, Subject, Term};
use rdf_canon::{CanonicalizationOptions, canonicalize_quads_with};
use sha2::Sha256;
use ssi::{
    json_ld::rdf_types::{Id, LiteralType, Term as RdfTerm},
    rdf::LexicalQuad,
};

use crate::{Error, Result};

/// Hash N-Degree Quads calls allowed per document: ordinary credentials need a handful.
const HNDQ_CALL_LIMIT: usize = 4_000;

/// The canonical N-Quads lines (sorted, each ending in `\n`) of a set of quads.
pub(super) fn canonical_lines(quads: &[LexicalQuad]) -> Result<Vec<String>> {
    let quads: Vec<Quad> = quads.iter().map(to_oxrdf).collect();
    let options = CanonicalizationOptions { hndq_call_limit: Some(HNDQ_CALL_LIMIT) };
    let text = canonicalize_quads_with::<Sha256>(&quads, &options)
        .map_err(|e| Error::malformed(format!("RDF canonicalization: {e}")))?;
    Ok(text.split_inclusive('\n').map(str::to_owned).collect())
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
