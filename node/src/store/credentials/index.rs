//! The credential index: (term, sequence number) → credential uuid, kept in the transaction
//! that writes the record, so that every filtered listing reads the records it returns and
//! few others, whatever the size of the store.
//!
//! A record's terms are its recipient (`r:`), its achievement (`a:`), its state when it is not
//! active (`s:`: few credentials are suspended or revoked, so "the revoked ones" is a short
//! range while "the active ones" is nearly the whole store and gains nothing from an index), and
//! the words of its recipient and achievement name (`w:`), which free-text search matches by
//! prefix. Entries of one term sort by sequence number, that is in issue order, so a page of
//! one term is a range read from the cursor on.

use std::{cmp::Reverse, collections::BinaryHeap};

use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};

use super::{CredentialRecord, State};
use crate::{
    Error, Result,
    store::tables::{CREDENTIAL_TERMS, CREDENTIALS, decode},
};

/// Longest word indexed (characters): longer ones are cut, and so are query words.
const MAX_WORD: usize = 40;

/// Most words indexed per record: a hostile achievement name cannot write thousands of rows.
const MAX_WORDS: usize = 24;

/// Most distinct indexed words one query word may stand for as a prefix. A query word that
/// begins more words than this (`a`, `l`) matches whole words only, so a one-letter search
/// costs a bounded number of range reads instead of one per word in the store.
pub(crate) const MAX_PREFIX_TERMS: usize = 256;

/// The recipient term.
pub(crate) fn recipient(value: &str) -> String {
    format!("r:{}", value.to_lowercase())
}

/// The achievement term.
pub(crate) fn achievement(uuid: &str) -> String {
    format!("a:{uuid}")
}

/// The state term; `None` for active (not indexed).
pub(crate) fn state(state: State) -> Option<String> {
    (state != State::Active).then(|| format!("s:{}", state.as_str()))
}

/// The word term.
pub(crate) fn word(word: &str) -> String {
    format!("w:{word}")
}

/// Lower-cased words: runs of letters and digits, each cut to [`MAX_WORD`] characters.
/// `Ada.Lovelace@Example.org` → `ada`, `lovelace`, `example`, `org`.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(MAX_WORD).flat_map(char::to_lowercase).collect())
}

/// The achievement name signed into a credential (empty for a VC-JWT or a foreign shape).
pub(crate) fn achievement_name(record: &CredentialRecord) -> &str {
    record.credential["credentialSubject"]["achievement"]["name"].as_str().unwrap_or_default()
}

/// The searchable words of a record: its recipient's and its achievement name's.
pub(crate) fn record_words(record: &CredentialRecord) -> Vec<String> {
    let mut all: Vec<String> =
        words(record.recipient.value()).chain(words(achievement_name(record))).collect();
    all.sort();
    all.dedup();
    all.truncate(MAX_WORDS);
    all
}

/// Every term of a record.
fn terms(record: &CredentialRecord) -> Vec<String> {
    let mut terms = Vec::new();
    if !record.recipient.value().is_empty() {
        terms.push(recipient(record.recipient.value()));
    }
    if !record.achievement.is_empty() {
        terms.push(achievement(&record.achievement));
    }
    terms.extend(state(record.state));
    terms.extend(record_words(record).iter().map(|w| word(w)));
    terms
}

/// Brings the index from `old`'s terms to `new`'s (the same credential; `old` is `None` for a
/// new one): removes what `new` no longer has and adds what it gained.
pub(crate) fn update(
    txn: &WriteTransaction,
    old: Option<&CredentialRecord>,
    new: &CredentialRecord,
) -> Result<()> {
    let before = old.map(terms).unwrap_or_default();
    let after = terms(new);
    let mut index = txn.open_table(CREDENTIAL_TERMS).map_err(Error::store)?;
    for term in before.iter().filter(|t| !after.contains(t)) {
        index.remove((term.as_str(), new.seq)).map_err(Error::store)?;
    }
    for term in after.iter().filter(|t| !before.contains(t)) {
        index.insert((term.as_str(), new.seq), new.uuid.as_str()).map_err(Error::store)?;
    }
    Ok(())
}

/// Fills the index when it is empty and credentials exist (a store written before it); a
/// no-op otherwise.
pub(crate) fn build(txn: &WriteTransaction) -> Result<()> {
    let index = txn.open_table(CREDENTIAL_TERMS).map_err(Error::store)?;
    let table = txn.open_table(CREDENTIALS).map_err(Error::store)?;
    if !index.is_empty().map_err(Error::store)? || table.is_empty().map_err(Error::store)? {
        return Ok(());
    }
    drop(index);
    let mut built = 0_u64;
    for row in table.iter().map_err(Error::store)? {
        let (_, v) = row.map_err(Error::store)?;
        update(txn, None, &decode(v.value())?)?;
        built += 1;
    }
    tracing::info!(credentials = built, "built the credential index");
    Ok(())
}

/// The distinct indexed terms that begin with `prefix`, at most `MAX_PREFIX_TERMS + 1` of them
/// (one more than the bound, so the caller can tell "too many").
pub(crate) fn terms_with_prefix<T>(index: &T, prefix: &str) -> Result<Vec<String>>
where
    T: ReadableTable<(&'static str, u64), &'static str>,
{
    let mut found: Vec<String> = Vec::new();
    let mut from = prefix.to_owned();
    while found.len() <= MAX_PREFIX_TERMS {
        let mut range = index.range((from.as_str(), 0)..).map_err(Error::store)?;
        let Some(row) = range.next() else { break };
        let term = row.map_err(Error::store)?.0.value().0.to_owned();
        if !term.starts_with(prefix) {
            break;
        }
        // `term` + NUL is the least string above `term`, so the next read starts at the
        // next distinct term: one seek per term, however many entries each has.
        from = format!("{term}\0");
        found.push(term);
    }
    Ok(found)
}

/// Calls `visit` with (sequence number, uuid) of every entry of any of `terms` from `start` on,
/// in issue order and once per credential, until it returns `Some`, which is returned.
pub(crate) fn walk<T>(
    index: &T,
    terms: &[String],
    start: u64,
    visit: &mut dyn FnMut(u64, &str) -> Result<Option<u64>>,
) -> Result<Option<u64>>
where
    T: ReadableTable<(&'static str, u64), &'static str>,
{
    let mut ranges = Vec::with_capacity(terms.len());
    for term in terms {
        let range = (term.as_str(), start)..=(term.as_str(), u64::MAX);
        ranges.push(index.range(range).map_err(Error::store)?);
    }
    // A k-way merge on sequence numbers: the heap holds the next entry of each range.
    let mut heads = BinaryHeap::new();
    for (i, range) in ranges.iter_mut().enumerate() {
        push_next(&mut heads, i, range)?;
    }
    let mut last = None;
    while let Some(Reverse((seq, i, uuid))) = heads.pop() {
        push_next(&mut heads, i, &mut ranges[i])?;
        if last == Some(seq) {
            continue; // the same credential under two words of the prefix
        }
        last = Some(seq);
        if let Some(stop) = visit(seq, &uuid)? {
            return Ok(Some(stop));
        }
    }
    Ok(None)
}

type Heads = BinaryHeap<Reverse<(u64, usize, String)>>;

fn push_next(
    heads: &mut Heads,
    i: usize,
    range: &mut redb::Range<'_, (&'static str, u64), &'static str>,
) -> Result<()> {
    if let Some(row) = range.next() {
        let (key, uuid) = row.map_err(Error::store)?;
        heads.push(Reverse((key.value().1, i, uuid.value().to_owned())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_runs_of_letters_and_digits() {
        let w: Vec<String> = words("Ada.Lovelace@Example.org — Schweißen 2").collect();
        assert_eq!(w, ["ada", "lovelace", "example", "org", "schweißen", "2"]);
        assert_eq!(words("@@ -- ..").count(), 0);
        assert_eq!(words(&"x".repeat(500)).next().unwrap().len(), MAX_WORD);
    }

    #[test]
    fn active_is_not_an_indexed_state() {
        assert_eq!(state(State::Active), None);
        assert_eq!(state(State::Revoked).as_deref(), Some("s:revoked"));
    }
}
