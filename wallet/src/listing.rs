//! The wallet's lists: a small entry per item, enough to choose, search, count and page
//! through badges without reading the credentials themselves. The node keeps one entry beside
//! each item, so a wallet of ten thousand badges lists in a few milliseconds; a page then reads
//! only the items it shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::item::{Item, State};

/// Badges on one page of the gallery.
pub const PER_PAGE: usize = 48;

/// What a list knows of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The item's id.
    pub id: String,
    /// The earner's answer.
    pub state: State,
    /// When it arrived.
    pub received: DateTime<Utc>,
    /// The badge's name.
    pub name: String,
    /// Its issuer's name.
    pub issuer_name: String,
    /// The achievement's description (searched, not shown).
    #[serde(default)]
    pub description: String,
    /// The earner's tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `validUntil`, when there is one.
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
    /// Whether its public page is served.
    #[serde(default)]
    pub public: bool,
}

impl Entry {
    /// The entry of `item`.
    pub fn of(item: &Item) -> Self {
        let s = item.summary();
        Self {
            id: item.id.clone(),
            state: item.state,
            received: item.received,
            name: s.name,
            issuer_name: s.issuer_name,
            description: s.description,
            tags: item.tags.clone(),
            valid_until: DateTime::parse_from_rfc3339(&s.valid_until)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            public: item.public,
        }
    }

    /// Whether every word of `query` begins a word of the name, issuer, description or tags.
    pub fn matches(&self, query: &str) -> bool {
        let text = format!(
            "{} {} {} {}",
            self.name,
            self.issuer_name,
            self.description,
            self.tags.join(" ")
        )
        .to_lowercase();
        let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
        query
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|q| !q.is_empty())
            .all(|q| words.iter().any(|w| w.starts_with(q)))
    }
}

/// The entries of `entries` in `state` matching `query` (word prefixes; empty matches all),
/// newest first.
pub fn select<'a>(entries: &'a [Entry], state: State, query: &str) -> Vec<&'a Entry> {
    let mut chosen: Vec<&Entry> =
        entries.iter().filter(|e| e.state == state && e.matches(query)).collect();
    chosen.sort_by(|a, b| b.received.cmp(&a.received).then_with(|| a.id.cmp(&b.id)));
    chosen
}

/// Accepted badges that expire within `days` of `now` (and have not expired yet), soonest
/// first, with the days left.
pub fn expiring(entries: &[Entry], now: DateTime<Utc>, days: i64) -> Vec<(&Entry, i64)> {
    let mut soon: Vec<(&Entry, i64)> = entries
        .iter()
        .filter(|e| e.state == State::Accepted)
        .filter_map(|e| {
            let until = e.valid_until?;
            (until > now).then(|| (e, (until - now).num_days()))
        })
        .filter(|(_, left)| *left <= days)
        .collect();
    soon.sort_by_key(|(e, _)| e.valid_until);
    soon
}

/// One page of a selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Window<'a> {
    /// Its entries.
    pub entries: &'a [&'a Entry],
    /// The page number, from 1 (a number past the end shows the last page).
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
    /// How many entries the selection has.
    pub total: usize,
}

/// Page `page` (from 1) of `selected`, [`PER_PAGE`] a page.
pub fn window<'a>(selected: &'a [&'a Entry], page: usize) -> Window<'a> {
    let pages = selected.len().div_ceil(PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let start = (page - 1) * PER_PAGE;
    let end = (start + PER_PAGE).min(selected.len());
    Window { entries: &selected[start.min(end)..end], page, pages, total: selected.len() }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn entry(n: usize, state: State) -> Entry {
        Entry {
            id: format!("urn:uuid:{n:04}"),
            state,
            received: DateTime::UNIX_EPOCH + Duration::seconds(n as i64),
            name: format!("Badge {n}"),
            issuer_name: "Example University".into(),
            description: "Arc welding".into(),
            tags: vec!["metal".into()],
            valid_until: None,
            public: false,
        }
    }

    #[test]
    fn search_matches_word_prefixes_of_name_issuer_description_and_tags() {
        let e = entry(1, State::Accepted);
        assert!(e.matches("weld"));
        assert!(e.matches("EXAMPLE arc"));
        assert!(e.matches("met"));
        assert!(!e.matches("elding"));
        assert!(e.matches(""));
    }

    #[test]
    fn a_selection_is_newest_first_and_pages_cover_it_once() {
        let entries: Vec<Entry> = (0..100)
            .map(|n| entry(n, if n % 10 == 0 { State::Pending } else { State::Accepted }))
            .collect();
        let chosen = select(&entries, State::Accepted, "");
        assert_eq!(chosen.len(), 90);
        assert_eq!(chosen[0].id, "urn:uuid:0099");
        let first = window(&chosen, 1);
        let second = window(&chosen, 2);
        assert_eq!((first.pages, first.total, first.entries.len()), (2, 90, PER_PAGE));
        assert_eq!(second.entries.len(), 90 - PER_PAGE);
        assert_eq!(window(&chosen, 99).page, 2, "past the end shows the last page");
        assert_eq!(window(&chosen, 0).page, 1);
        assert_eq!(window(&[], 1).pages, 1);
    }

    #[test]
    fn expiry_notices_name_accepted_badges_within_the_window_soonest_first() {
        let now = DateTime::UNIX_EPOCH + Duration::days(1000);
        let mut soon = entry(1, State::Accepted);
        soon.valid_until = Some(now + Duration::days(3));
        let mut later = entry(2, State::Accepted);
        later.valid_until = Some(now + Duration::days(20));
        let mut far = entry(3, State::Accepted);
        far.valid_until = Some(now + Duration::days(90));
        let mut gone = entry(4, State::Accepted);
        gone.valid_until = Some(now - Duration::days(1));
        let mut pending = entry(5, State::Pending);
        pending.valid_until = Some(now + Duration::days(1));
        let entries = [later, far, gone, pending, soon];
        let ids: Vec<(&str, i64)> =
            expiring(&entries, now, 30).iter().map(|(e, d)| (e.id.as_str(), *d)).collect();
        assert_eq!(ids, [("urn:uuid:0001", 3), ("urn:uuid:0002", 20)]);
    }
}
