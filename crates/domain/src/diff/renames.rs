//! Renames, with temporary names where two objects swap names.

use std::collections::HashSet;
use std::fmt;

use super::{Change, ChangeKind, Safety};
use crate::model::Model;

/// A rename waiting for swap detection.
pub(super) struct PendingRename {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) what: &'static str,
    pub(super) target: String,
    pub(super) make: Box<dyn Fn(String, String) -> ChangeKind>,
    /// A primary key or unique constraint: its index can be renamed at any
    /// time, so when a check or foreign key of the same name is renamed
    /// later, its last step waits until after those.
    pub(super) key: bool,
    /// Written before `from` in descriptions (a column's table).
    pub(super) prefix: String,
}

impl PendingRename {
    pub(super) fn new(
        what: &'static str,
        target: impl Into<String>,
        from: impl fmt::Display,
        to: impl fmt::Display,
        make: impl Fn(String, String) -> ChangeKind + 'static,
    ) -> Self {
        Self {
            from: from.to_string(),
            to: to.to_string(),
            what,
            target: target.into(),
            make: Box::new(make),
            key: false,
            prefix: String::new(),
        }
    }

    pub(super) fn key(mut self) -> Self {
        self.key = true;
        self
    }

    pub(super) fn prefix(mut self, prefix: String) -> Self {
        self.prefix = prefix;
        self
    }
}

/// Names for the middle step of swaps and rebuilds: `sf_tmp_N`, unused by
/// either document.
pub(super) struct TempNames {
    taken: HashSet<String>,
    next: usize,
}

impl TempNames {
    pub(super) fn new(models: [&Model; 2]) -> Self {
        let mut taken = HashSet::new();
        for m in models {
            taken.extend(m.namespaces.iter().map(|n| n.name.to_string()));
            for s in &m.sequences {
                taken.insert(s.name.to_string());
            }
            for c in &m.composites {
                taken.insert(c.name.to_string());
                taken.extend(c.attributes.iter().map(|a| a.name.to_string()));
            }
            for e in &m.enums {
                taken.insert(e.name.to_string());
            }
            for d in &m.domains {
                taken.insert(d.name.to_string());
                taken.extend(d.checks.iter().map(|k| k.name.to_string()));
            }
            for fk in &m.foreign_keys {
                taken.insert(fk.name.to_string());
            }
            for v in &m.views {
                taken.insert(v.name.to_string());
                taken.extend(v.columns.iter().flatten().cloned());
                taken.extend(v.indexes.iter().map(|x| x.name.to_string()));
            }
            for t in &m.tables {
                taken.insert(t.name.to_string());
                taken.extend(t.primary_key.iter().map(|k| k.name.to_string()));
                taken.extend(t.uniques.iter().map(|u| u.name.to_string()));
                taken.extend(t.checks.iter().map(|k| k.name.to_string()));
                taken.extend(t.indexes.iter().map(|x| x.name.to_string()));
                taken.extend(t.exclusions.iter().map(|x| x.name.to_string()));
                for c in &t.columns {
                    taken.insert(c.name.to_string());
                    taken.extend(c.identity.iter().map(|s| s.sequence.to_string()));
                }
            }
        }
        Self { taken, next: 1 }
    }

    pub(super) fn fresh(&mut self) -> String {
        loop {
            let name = format!("sf_tmp_{}", self.next);
            self.next += 1;
            if self.taken.insert(name.clone()) {
                return name;
            }
        }
    }
}

pub(super) const RENAME_NOTE: &str = "queries, views and application code that use the old name must change with it";

/// Turn pending renames into changes; a rename whose new name another
/// renamed object still holds goes through a temporary name first. Returns
/// the changes, and the last steps of key renames whose new name a check or
/// foreign key (in `held_later`) holds until the constraint renames ran.
pub(super) fn resolve_renames(
    renames: Vec<PendingRename>,
    temp: &mut TempNames,
    held_later: &HashSet<String>,
) -> (Vec<Change>, Vec<Change>) {
    let taken: HashSet<String> = renames.iter().map(|r| r.from.clone()).collect();
    let mut first = Vec::new();
    let mut direct = Vec::new();
    let mut last = Vec::new();
    let mut deferred = Vec::new();
    for r in renames {
        let change = |from: String, to: String, description: String| {
            Change::new((r.make)(from, to), Safety::Safe, r.target.clone(), description)
                .why(RENAME_NOTE)
                .instead("keep the old name, or create a view under it, until every client uses the new one")
        };
        let later = r.key && held_later.contains(&r.to);
        if taken.contains(&r.to) || later {
            let tmp = temp.fresh();
            first.push(change(
                r.from.clone(),
                tmp.clone(),
                format!("rename {} {}{} to {tmp} (its new name is still taken)", r.what, r.prefix, r.from),
            ));
            let step = change(tmp, r.to.clone(), format!("rename {} {}{} to {}", r.what, r.prefix, r.from, r.to));
            if later { deferred.push(step) } else { last.push(step) }
        } else {
            direct.push(change(
                r.from.clone(),
                r.to.clone(),
                format!("rename {} {}{} to {}", r.what, r.prefix, r.from, r.to),
            ));
        }
    }
    first.extend(direct);
    first.extend(last);
    (first, deferred)
}
