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
//! one did not verify in the other. `rdf-canon` runs the W3C RDFC-1.0 test suite.
//!
//! # Work budget
//! Hash N-Degree Quads (HNDQ) is exponential: for each group of related blank nodes that share
//! a hash it walks every permutation of the group. rdf-canon can only cap the *number* of HNDQ
//! calls, and one call on a crafted clique of 31 look-alike nodes would walk 31! permutations.
//! So before calling it we bound the work of one call from the graph itself (see
//! [`hndq_step_bound`]: the groups rdf-canon can meet are never larger than the groups by
//! first-degree hash, since issued identifiers only split them), refuse graphs whose single
//! call exceeds the budget, and hand rdf-canon the number of calls the budget leaves. Work is
//! then at most calls × the bound per call, in counted steps, whatever the graph.

use std::collections::{HashMap, HashSet};

use oxrdf::{BlankNode, Literal, NamedNode, Quad, Subject, Term};
use rdf_canon::{CanonicalizationOptions, canonicalize_quads_with};
use sha2::{Digest, Sha256};
use ssi_json_ld::rdf_types::{Id, LiteralType, Term as RdfTerm};
use ssi_rdf::LexicalQuad;

use crate::{Error, Result};

/// Hash N-Degree Quads calls allowed per document whatever the budget: ordinary credentials
/// need a handful.
const HNDQ_CALL_LIMIT: usize = 4_000;

/// Steps of Hash N-Degree Quads work allowed per document (a step: one quad hashed or one
/// path element of one permutation). Measured: ~40 ms of one core on the worst graphs the
/// budget admits (`docs/SECURITY.md`); ordinary credentials with tied nodes use a few hundred.
pub(crate) const HNDQ_STEP_BUDGET: u64 = 1_000_000;

/// Most quads a document may have (a full Open Badge has a few hundred): bounds the linear work
/// of hashing and sorting before any budget applies.
pub(crate) const MAX_QUADS: usize = 50_000;

/// The canonical N-Quads lines (sorted, each ending in `\n`) of a set of quads.
pub(super) fn canonical_lines(quads: &[LexicalQuad]) -> Result<Vec<String>> {
    let quads = dataset(quads)?;
    let first = FirstDegree::of(&quads);
    match first.distinct_labels(&quads) {
        Some(lines) => Ok(lines),
        None => reference(&quads, &first),
    }
}

/// The same, always through `rdf-canon` (for differential tests and benchmarks).
pub(super) fn canonical_lines_reference(quads: &[LexicalQuad]) -> Result<Vec<String>> {
    let quads = dataset(quads)?;
    reference(&quads, &FirstDegree::of(&quads))
}

/// The quads as an RDF dataset: converted, duplicates removed (a dataset is a set).
fn dataset(quads: &[LexicalQuad]) -> Result<Vec<Quad>> {
    if quads.len() > MAX_QUADS {
        return Err(Error::too_complex(format!(
            "{} RDF statements, over the limit of {MAX_QUADS}",
            quads.len()
        )));
    }
    let mut seen = HashSet::with_capacity(quads.len());
    Ok(quads.iter().map(to_oxrdf).filter(|q| seen.insert(q.clone())).collect())
}

/// Labels through `rdf-canon`, with as many HNDQ calls as the step budget allows.
fn reference(quads: &[Quad], first: &FirstDegree<'_>) -> Result<Vec<String>> {
    let per_call = first.hndq_step_bound();
    let calls = usize::try_from(HNDQ_STEP_BUDGET / per_call.max(1)).unwrap_or(usize::MAX);
    if calls < first.tied() {
        return Err(Error::too_complex(format!(
            "its blank nodes would take more than {HNDQ_STEP_BUDGET} steps to label \
             (one Hash N-Degree Quads call may take {per_call})"
        )));
    }
    let options = CanonicalizationOptions { hndq_call_limit: Some(calls.min(HNDQ_CALL_LIMIT)) };
    let text = canonicalize_quads_with::<Sha256>(quads, &options).map_err(|e| match e {
        rdf_canon::CanonicalizationError::HndqCallLimitExceeded(_) => Error::too_complex(format!(
            "its blank nodes take more than {HNDQ_STEP_BUDGET} steps to label"
        )),
        e => Error::malformed(format!("RDF canonicalization: {e}")),
    })?;
    Ok(text.split_inclusive('\n').map(str::to_owned).collect())
}

/// Each blank node's quads and first-degree hash (RDFC-1.0 §4.6).
struct FirstDegree<'q> {
    mentions: HashMap<&'q str, Vec<&'q Quad>>,
    hashes: HashMap<&'q str, String>,
}

impl<'q> FirstDegree<'q> {
    fn of(quads: &'q [Quad]) -> Self {
        let mut mentions: HashMap<&str, Vec<&Quad>> = HashMap::new();
        for q in quads {
            // Once per component, as RDFC-1.0 §4.4.3 step 2 reads and rdf-canon and
            // rdf-canonize (JS) do: a quad naming a blank node twice (`_:b a _:b`) counts
            // twice in its first-degree hash. Counting it once gave other labels than theirs.
            for b in blanks_of(q) {
                mentions.entry(b).or_default().push(q);
            }
        }
        let hashes = mentions
            .iter()
            .map(|(&blank, quads)| {
                let mut lines: Vec<String> = quads
                    .iter()
                    .map(|q| line(&relabel(q, |b| if b == blank { "a" } else { "z" })))
                    .collect();
                lines.sort();
                (blank, hex::encode(Sha256::digest(lines.concat().as_bytes())))
            })
            .collect();
        Self { mentions, hashes }
    }

    /// How many blank nodes share their first-degree hash with another (each needs HNDQ).
    fn tied(&self) -> usize {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for h in self.hashes.values() {
            *count.entry(h).or_default() += 1;
        }
        self.hashes.values().filter(|h| count[h.as_str()] > 1).count()
    }

    /// Labels the blank nodes when their first-degree hashes are all distinct; `None` otherwise.
    fn distinct_labels(&self, quads: &[Quad]) -> Option<Vec<String>> {
        let mut hashed: Vec<(&str, &str)> =
            self.hashes.iter().map(|(&blank, hash)| (hash.as_str(), blank)).collect();
        hashed.sort_unstable();
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

    /// An upper bound on the steps of one HNDQ call, over every tied blank node: the quads it
    /// hashes, plus for each group of its related blank nodes that could share a related hash
    /// (same position, predicate and first-degree hash) every permutation of the group times
    /// the path built for it (group size squared, as the path is rebuilt per element).
    fn hndq_step_bound(&self) -> u64 {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for h in self.hashes.values() {
            *count.entry(h).or_default() += 1;
        }
        self.hashes
            .iter()
            .filter(|(_, h)| count[h.as_str()] > 1)
            .map(|(&blank, _)| self.call_bound(blank))
            .max()
            .unwrap_or(0)
    }

    fn call_bound(&self, blank: &str) -> u64 {
        let quads = self.mentions.get(blank).map_or(&[][..], Vec::as_slice);
        let mut groups: HashMap<(char, &str, &str), HashSet<&str>> = HashMap::new();
        for q in quads {
            for (position, related) in related_of(q, blank) {
                let hash = self.hashes.get(related).map_or("", String::as_str);
                groups.entry((position, q.predicate.as_str(), hash)).or_default().insert(related);
            }
        }
        let permutations = groups.values().fold(0u64, |sum, g| {
            let n = g.len() as u64;
            sum.saturating_add(factorial(n).saturating_mul(n * n))
        });
        (quads.len() as u64).saturating_add(permutations)
    }
}

/// The blank nodes of `q` other than `blank`, with their position (`s`, `o` or `g`).
fn related_of<'q>(q: &'q Quad, blank: &str) -> Vec<(char, &'q str)> {
    let mut out = Vec::with_capacity(2);
    if let Subject::BlankNode(b) = &q.subject
        && b.as_str() != blank
    {
        out.push(('s', b.as_str()));
    }
    if let Term::BlankNode(b) = &q.object
        && b.as_str() != blank
    {
        out.push(('o', b.as_str()));
    }
    if let oxrdf::GraphName::BlankNode(b) = &q.graph_name
        && b.as_str() != blank
    {
        out.push(('g', b.as_str()));
    }
    out
}

/// `n!`, saturating.
fn factorial(n: u64) -> u64 {
    (2..=n).fold(1u64, u64::saturating_mul)
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
