//! Ids chosen from names, so that importing the same database twice gives
//! the same document: a prefix for the kind, then the qualified name with
//! `\` and `.` escaped (so `a.b` in `c` and `a` in `b.c` differ). An id
//! that would pass the document's 200-byte limit is the prefix and a hash
//! of the name instead.
//!
//! Drift and adoption import with [`IdHints`]: an element whose catalog
//! identity ([`CatalogKey`]) was recorded gets its recorded id, whatever its
//! name now (a rename done outside is a rename); else one whose name a
//! document gives an id gets that id; else an id from its name that is none
//! of the hinted ones.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// The longest id the document accepts.
const MAX_ID_BYTES: usize = 200;

/// What stays of an element in PostgreSQL's catalog when it is renamed: its
/// oid (a column's: its table's oid and its number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CatalogKey {
    /// A table, partition, view or sequence (`pg_class.oid`).
    Relation {
        /// `pg_class.oid`.
        oid: i64,
    },
    /// A column (`pg_attribute`).
    Column {
        /// Its table's `pg_class.oid`.
        relation: i64,
        /// `attnum`.
        attnum: i64,
    },
    /// A unique, check, exclusion or foreign key constraint (`pg_constraint.oid`).
    Constraint {
        /// `pg_constraint.oid`.
        oid: i64,
    },
    /// An index (the index's `pg_class.oid`).
    Index {
        /// The index's `pg_class.oid`.
        oid: i64,
    },
    /// An enum, domain or composite type (`pg_type.oid`).
    Type {
        /// `pg_type.oid`.
        oid: i64,
    },
}

/// An element as the importer names it: the kind's prefix and the
/// qualified name, outermost first (see [`crate::name_hints`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameKey {
    pub(crate) kind: &'static str,
    pub(crate) parts: Vec<String>,
}

/// Ids the import should give: by catalog identity first, then by name.
#[derive(Debug, Clone, Default)]
pub struct IdHints {
    /// Recorded ids by catalog identity (what a rename keeps).
    pub by_key: HashMap<CatalogKey, String>,
    /// Ids by name ([`crate::name_hints`] makes them from a document).
    pub by_name: HashMap<NameKey, String>,
}

impl IdHints {
    /// Whether no hint is given.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty() && self.by_name.is_empty()
    }
}

/// Hands out unique ids.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    taken: HashSet<String>,
    hints: IdHints,
    /// Hinted ids whose catalog identity is in the catalog read: no name
    /// hint may hand them to another element.
    claimed: HashSet<String>,
    /// Every hinted id: an id made from a name is none of them.
    reserved: HashSet<String>,
    /// The catalog identity of every element given one.
    pub(crate) keys: BTreeMap<String, CatalogKey>,
}

fn escape(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for ch in part.chars() {
        if ch == '\\' || ch == '.' {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// FNV-1a, 64 bits: stable across runs and platforms.
fn hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Ids {
    /// Ids following `hints`; `present` tells whether a catalog identity is
    /// in the catalog being read.
    pub(crate) fn with_hints(hints: IdHints, present: impl Fn(&CatalogKey) -> bool) -> Self {
        let claimed = hints.by_key.iter().filter(|(k, _)| present(k)).map(|(_, id)| id.clone()).collect();
        let reserved = hints.by_key.values().chain(hints.by_name.values()).cloned().collect();
        Ids { taken: HashSet::new(), hints, claimed, reserved, keys: BTreeMap::new() }
    }

    /// A new id of `kind` for the object named by `parts` (outermost first).
    pub(crate) fn make(&mut self, kind: &'static str, parts: &[&str]) -> String {
        self.make_keyed(kind, parts, None)
    }

    /// [`Ids::make`] for an element with a catalog identity.
    pub(crate) fn make_keyed(&mut self, kind: &'static str, parts: &[&str], key: Option<CatalogKey>) -> String {
        let id = self.hinted(kind, parts, key).unwrap_or_else(|| self.named(kind, parts));
        self.taken.insert(id.clone());
        if let Some(key) = key {
            self.keys.insert(id.clone(), key);
        }
        id
    }

    fn hinted(&self, kind: &'static str, parts: &[&str], key: Option<CatalogKey>) -> Option<String> {
        if let Some(id) = key.and_then(|k| self.hints.by_key.get(&k)).filter(|id| !self.taken.contains(*id)) {
            return Some(id.clone());
        }
        if self.hints.by_name.is_empty() {
            return None;
        }
        let name = NameKey { kind, parts: parts.iter().map(|p| (*p).to_string()).collect() };
        self.hints.by_name.get(&name).filter(|id| !self.taken.contains(*id) && !self.claimed.contains(*id)).cloned()
    }

    fn named(&self, kind: &str, parts: &[&str]) -> String {
        let name: Vec<String> = parts.iter().map(|p| escape(p)).collect();
        let mut id = format!("{kind}:{}", name.join("."));
        if id.len() > MAX_ID_BYTES || id.chars().any(char::is_control) {
            id = format!("{kind}:#{:016x}", hash(&name.join(".")));
        }
        let mut candidate = id.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) || self.reserved.contains(&candidate) {
            candidate = format!("{id}~{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_dots_do_not_collide() {
        let mut ids = Ids::default();
        let a = ids.make("t", &["a.b", "c"]);
        let b = ids.make("t", &["a", "b.c"]);
        assert_eq!(a, "t:a\\.b.c");
        assert_eq!(b, "t:a.b\\.c");
    }

    #[test]
    fn long_names_hash_and_repeats_are_numbered() {
        let mut ids = Ids::default();
        let long = "x".repeat(63);
        let id = ids.make("c", &[&long, &long, &long, &long]);
        assert!(id.len() <= MAX_ID_BYTES && id.starts_with("c:#"));
        assert_eq!(ids.make("t", &["a"]), "t:a");
        assert_eq!(ids.make("t", &["a"]), "t:a~2");
        assert!(!ids.make("t", &["new\nline"]).contains('\n'));
    }

    #[test]
    fn a_recorded_identity_wins_over_a_name_and_names_never_reuse_a_hinted_id() {
        // The design's column `full_name` (id c1) was renamed `name` outside
        // (same attnum); a new column took the old name.
        let renamed = CatalogKey::Column { relation: 10, attnum: 2 };
        let mut hints = IdHints::default();
        hints.by_key.insert(renamed, "c1".into());
        hints
            .by_name
            .insert(NameKey { kind: "c", parts: vec!["public".into(), "t".into(), "full_name".into()] }, "c1".into());
        hints.by_name.insert(NameKey { kind: "c", parts: vec!["public".into(), "t".into(), "id".into()] }, "c0".into());
        let mut ids = Ids::with_hints(hints, |k| *k == renamed);
        // Met first: the new column named like the old one gets no hinted id.
        let newcomer =
            ids.make_keyed("c", &["public", "t", "full_name"], Some(CatalogKey::Column { relation: 10, attnum: 3 }));
        assert_eq!(newcomer, "c:public.t.full_name");
        assert_eq!(ids.make_keyed("c", &["public", "t", "name"], Some(renamed)), "c1");
        assert_eq!(ids.make_keyed("c", &["public", "t", "id"], None), "c0");
        assert_eq!(ids.keys.get("c1"), Some(&renamed));
        // An id made from a name steps around every hinted id.
        let mut hints = IdHints::default();
        hints.by_name.insert(NameKey { kind: "t", parts: vec!["public".into(), "x".into()] }, "t:public.y".into());
        let mut ids = Ids::with_hints(hints, |_| false);
        assert_eq!(ids.make("t", &["public", "y"]), "t:public.y~2");
    }
}
