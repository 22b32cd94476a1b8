//! Random status-list index allocation.
//!
//! Indexes are chosen at random (a list reveals nothing about issue order or volume) and never
//! reused. The allocator keeps, per list, a bitmap of indexes that are committed *or* reserved
//! by an award still being signed. A reservation that never commits (the award failed, or the
//! node died) is simply not reused in this run; after a restart only committed indexes count,
//! so an index is never handed to two acknowledged credentials.

use std::{collections::BTreeMap, sync::Mutex};

use rand::Rng;
use redb::{Database, ReadableDatabase, ReadableTable};

use super::tables::STATUS_ALLOCATED;
use crate::{Error, Result};

/// Entries per list: the spec's minimum (16 KiB), which hides any one index among 131,072.
pub const LIST_SIZE: usize = 131_072;

/// The purposes this node keeps lists for.
pub const PURPOSES: [&str; 2] = ["revocation", "suspension"];

/// A reserved position in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// List name, `{purpose}-{n}`.
    pub list: String,
    /// Purpose of the list.
    pub purpose: String,
    /// Index in the list.
    pub index: usize,
}

/// Allocation state of every list.
#[derive(Debug, Default)]
pub struct Allocator {
    lists: Mutex<BTreeMap<String, ListUse>>,
}

#[derive(Debug)]
struct ListUse {
    taken: Vec<u8>,
    count: usize,
}

impl ListUse {
    fn new() -> Self {
        Self { taken: vec![0; LIST_SIZE / 8], count: 0 }
    }

    fn is_taken(&self, i: usize) -> bool {
        self.taken[i / 8] & (0x80 >> (i % 8)) != 0
    }

    fn take(&mut self, i: usize) {
        if !self.is_taken(i) {
            self.taken[i / 8] |= 0x80 >> (i % 8);
            self.count += 1;
        }
    }

    /// A random free index: a random start, then the next free one (wrapping).
    fn pick(&self, rng: &mut impl Rng) -> Option<usize> {
        if self.count >= LIST_SIZE {
            return None;
        }
        let start = rng.gen_range(0..LIST_SIZE);
        (0..LIST_SIZE).map(|k| (start + k) % LIST_SIZE).find(|&i| !self.is_taken(i))
    }
}

/// `revocation-1`, `suspension-3`, …
pub fn list_name(purpose: &str, number: u64) -> String {
    format!("{purpose}-{number}")
}

/// The list number of a list name.
fn list_number(name: &str) -> Option<u64> {
    name.rsplit_once('-').and_then(|(_, n)| n.parse().ok())
}

impl Allocator {
    /// Loads every committed allocation.
    pub fn load(db: &Database) -> Result<Self> {
        let txn = db.begin_read().map_err(Error::store)?;
        let table = txn.open_table(STATUS_ALLOCATED).map_err(Error::store)?;
        let mut lists = BTreeMap::<String, ListUse>::new();
        for row in table.iter().map_err(Error::store)? {
            let (key, _) = row.map_err(Error::store)?;
            let (list, index) = key.value();
            let index = usize::try_from(index).unwrap_or(usize::MAX);
            if index < LIST_SIZE {
                lists.entry(list.to_owned()).or_insert_with(ListUse::new).take(index);
            }
        }
        Ok(Self { lists: Mutex::new(lists) })
    }

    /// Reserves a free index for `purpose` in its newest list with room, opening a new list
    /// when the newest is full.
    pub fn reserve(&self, purpose: &str) -> Slot {
        let mut lists = self.lists.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let newest = lists
            .keys()
            .filter(|name| name.rsplit_once('-').is_some_and(|(p, _)| p == purpose))
            .filter_map(|name| list_number(name))
            .max()
            .unwrap_or(1);
        let mut rng = rand::thread_rng();
        let mut number = newest;
        loop {
            let name = list_name(purpose, number);
            let list = lists.entry(name.clone()).or_insert_with(ListUse::new);
            if let Some(index) = list.pick(&mut rng) {
                list.take(index);
                return Slot { list: name, purpose: purpose.to_owned(), index };
            }
            number += 1;
        }
    }

    /// One slot per purpose.
    pub fn reserve_all(&self, purposes: &[&str]) -> Vec<Slot> {
        purposes.iter().map(|p| self.reserve(p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_random_distinct_and_roll_over_to_a_new_list() {
        let alloc = Allocator::default();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2000 {
            let slot = alloc.reserve("revocation");
            assert_eq!(slot.list, "revocation-1");
            assert!(seen.insert(slot.index));
        }
        // Not sequential: the first indexes are spread over the list.
        assert!(seen.iter().any(|&i| i > LIST_SIZE / 2));
        let mut full = ListUse::new();
        for i in 0..LIST_SIZE {
            full.take(i);
        }
        alloc.lists.lock().unwrap().insert("suspension-1".into(), full);
        assert_eq!(alloc.reserve("suspension").list, "suspension-2");
        assert_eq!(alloc.reserve("suspension").list, "suspension-2");
    }
}
