//! Listing credentials: filters, pages in issue order, and which index range drives them.

use chrono::{DateTime, Utc};
use redb::ReadTransaction;
use serde::Deserialize;

use super::{CredentialRecord, State, index, read};
use crate::{
    Error, Result,
    store::tables::{CREDENTIAL_ORDER, CREDENTIAL_TERMS, CREDENTIALS},
};

/// Which credentials a listing returns.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Achievement uuid.
    pub achievement: Option<String>,
    /// Recipient DID or e-mail (exact, case-insensitive).
    pub recipient: Option<String>,
    /// `active`, `suspended` or `revoked`.
    pub status: Option<State>,
    /// Issued at or after.
    pub since: Option<DateTime<Utc>>,
    /// Issued before.
    pub until: Option<DateTime<Utc>>,
    /// Words in the recipient or the achievement name: each word of `q` must begin a word of
    /// either (case-insensitive; `weld ada` finds "Welding" awarded to ada@example.org).
    pub q: Option<String>,
    /// Start after this sequence number (the `next` of the previous page).
    pub cursor: Option<u64>,
    /// Page size (default 50, at most 500).
    pub limit: Option<usize>,
}

impl Filter {
    fn query_words(&self) -> Vec<String> {
        self.q.as_deref().map(|q| index::words(q).collect()).unwrap_or_default()
    }

    fn accepts(&self, r: &CredentialRecord, query: &[String]) -> bool {
        self.achievement.as_ref().is_none_or(|a| &r.achievement == a)
            && self.recipient.as_ref().is_none_or(|p| r.recipient.value().eq_ignore_ascii_case(p))
            && self.status.is_none_or(|s| r.state == s)
            && self.since.is_none_or(|t| r.issued_at >= t)
            && self.until.is_none_or(|t| r.issued_at < t)
            && (query.is_empty() || {
                let words = index::record_words(r);
                query.iter().all(|q| words.iter().any(|w| w.starts_with(q.as_str())))
            })
    }
}

/// One page of credentials in issue order, and the cursor of the next page.
///
/// The most selective condition the index holds picks the entries read (one recipient, one
/// achievement, the longest query word, a non-active state); the others are checked on the
/// records those entries name. Only a filter with none of them (everything, only active, a
/// date range) walks the issue order, and those match nearly every record they read.
pub fn list(
    txn: &ReadTransaction,
    filter: &Filter,
) -> Result<(Vec<CredentialRecord>, Option<u64>)> {
    let limit = filter.limit.unwrap_or(50).clamp(1, 500);
    let query = filter.query_words();
    let table = txn.open_table(CREDENTIALS).map_err(Error::store)?;
    let start = filter.cursor.map_or(0, |c| c.saturating_add(1));
    let mut page = Vec::new();
    let mut take = |seq: u64, uuid: &str| -> Result<Option<u64>> {
        let Some(record) = read(&table, uuid)? else { return Ok(None) };
        if filter.accepts(&record, &query) {
            if page.len() == limit {
                return Ok(Some(seq - 1));
            }
            page.push(record);
        }
        Ok(None)
    };
    let terms = txn.open_table(CREDENTIAL_TERMS).map_err(Error::store)?;
    let next = match driving_terms(&terms, filter, &query)? {
        Some(driving) => index::walk(&terms, &driving, start, &mut take)?,
        None => {
            let order = txn.open_table(CREDENTIAL_ORDER).map_err(Error::store)?;
            let mut next = None;
            for row in order.range(start..).map_err(Error::store)? {
                let (seq, uuid) = row.map_err(Error::store)?;
                next = take(seq.value(), uuid.value())?;
                if next.is_some() {
                    break;
                }
            }
            next
        }
    };
    Ok((page, next))
}

/// The index terms whose entries a listing reads, or `None` to walk the issue order.
fn driving_terms<T>(terms: &T, filter: &Filter, query: &[String]) -> Result<Option<Vec<String>>>
where
    T: redb::ReadableTable<(&'static str, u64), &'static str>,
{
    if let Some(recipient) = &filter.recipient {
        return Ok(Some(vec![index::recipient(recipient)]));
    }
    if let Some(achievement) = &filter.achievement {
        return Ok(Some(vec![index::achievement(achievement)]));
    }
    if let Some(longest) = query.iter().max_by_key(|w| w.chars().count()) {
        let mut words = index::terms_with_prefix(terms, &index::word(longest))?;
        if words.len() > index::MAX_PREFIX_TERMS {
            words = vec![index::word(longest)];
        }
        return Ok(Some(words));
    }
    Ok(filter.status.and_then(index::state).map(|term| vec![term]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{
        STORE_FILE, Store,
        credentials::{Change, Recipient, insert},
    };

    fn record(uuid: &str, to: &str, name: &str) -> CredentialRecord {
        CredentialRecord {
            uuid: uuid.into(),
            seq: 0,
            achievement: format!("ach-{name}"),
            achievement_version: 1,
            recipient: Recipient::Email(to.into()),
            issued_at: Utc::now(),
            state: State::Active,
            reason: None,
            state_changed: None,
            status: vec![super::super::StatusRef {
                list: "l".into(),
                purpose: "suspension".into(),
                index: 0,
            }],
            claim: None,
            public: false,
            credential: serde_json::json!({"credentialSubject": {"achievement": {"name": name}}}),
        }
    }

    /// A store with `awards` as (recipient, achievement name), each with its own status slot.
    async fn store(awards: &[(&str, &str)]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(STORE_FILE), Box::new(|_| Ok(()))).unwrap();
        let awards: Vec<(String, String)> =
            awards.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        store
            .write(move |b| {
                for (i, (to, name)) in awards.iter().enumerate() {
                    let mut r = record(&format!("u{i}"), to, name);
                    r.status[0].index = i as u64;
                    insert(b, r, &|n| n.to_owned())?;
                }
                Ok(())
            })
            .await
            .unwrap();
        (dir, store)
    }

    fn uuids(store: &Store, filter: &Filter) -> Vec<String> {
        let mut all = Vec::new();
        let mut filter = filter.clone();
        loop {
            let (page, next) = list(&store.read().unwrap(), &filter).unwrap();
            all.extend(page.into_iter().map(|r| r.uuid));
            match next {
                Some(n) => filter.cursor = Some(n),
                None => return all,
            }
        }
    }

    fn q(text: &str) -> Filter {
        Filter { q: Some(text.into()), limit: Some(2), ..Filter::default() }
    }

    #[tokio::test]
    async fn every_query_word_begins_a_word_of_the_recipient_or_the_achievement() {
        let (_dir, store) = store(&[
            ("ada@example.org", "Welding"),
            ("bob@example.org", "Welder safety"),
            ("ada@example.org", "Plumbing"),
            ("cy@welders.org", "Plumbing"),
        ])
        .await;
        assert_eq!(uuids(&store, &q("weld")), ["u0", "u1", "u3"]);
        assert_eq!(uuids(&store, &q("WELD ada")), ["u0"]);
        assert_eq!(uuids(&store, &q("elding")), Vec::<String>::new(), "a prefix, not a substring");
        assert_eq!(uuids(&store, &q("plumbing")), ["u2", "u3"]);
        assert_eq!(uuids(&store, &q("  ")).len(), 4, "no words: no condition");
    }

    #[tokio::test]
    async fn a_credential_under_two_words_of_a_prefix_is_listed_once() {
        let (_dir, store) =
            store(&[("welder@example.org", "Welding"), ("x@example.org", "Welding")]).await;
        assert_eq!(uuids(&store, &q("weld")), ["u0", "u1"]);
    }

    #[tokio::test]
    async fn a_prefix_of_too_many_words_matches_whole_words() {
        let many: Vec<(String, &str)> =
            (0..=index::MAX_PREFIX_TERMS).map(|i| (format!("a{i}@example.org"), "Art")).collect();
        let mut awards: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), *b)).collect();
        awards.push(("a@example.org", "Music"));
        let (_dir, store) = store(&awards).await;
        let last = format!("u{}", awards.len() - 1);
        assert_eq!(uuids(&store, &q("a music")), [last.as_str()]);
        let whole = uuids(&store, &Filter { q: Some("a".into()), ..Filter::default() });
        assert_eq!(whole, [last.as_str()], "`a` stands for the word a only");
        assert_eq!(uuids(&store, &q("art")).len(), many.len(), "a whole word finds them all");
    }

    #[tokio::test]
    async fn state_and_achievement_filters_follow_changes() {
        let (_dir, store) =
            store(&[("a@x.org", "One"), ("b@x.org", "Two"), ("c@x.org", "One")]).await;
        store
            .write(|b| {
                super::super::change_state(b, "u2", Change::Suspend, None, Utc::now())?;
                super::super::change_state(b, "u1", Change::Revoke, None, Utc::now())
            })
            .await
            .unwrap();
        let status = |s| Filter { status: Some(s), ..Filter::default() };
        assert_eq!(uuids(&store, &status(State::Revoked)), ["u1"]);
        assert_eq!(uuids(&store, &status(State::Suspended)), ["u2"]);
        assert_eq!(uuids(&store, &status(State::Active)), ["u0"]);
        store
            .write(|b| super::super::change_state(b, "u2", Change::Unsuspend, None, Utc::now()))
            .await
            .unwrap();
        assert_eq!(uuids(&store, &status(State::Suspended)), Vec::<String>::new());
        let one = Filter { achievement: Some("ach-One".into()), ..Filter::default() };
        assert_eq!(uuids(&store, &one), ["u0", "u2"]);
        let both = Filter { status: Some(State::Active), ..one };
        assert_eq!(uuids(&store, &both), ["u0", "u2"]);
    }
}
