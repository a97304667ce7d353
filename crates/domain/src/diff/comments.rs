//! Comments on checks, unique constraints, foreign keys and indexes: set
//! when they change, and set again on an object this migration creates or
//! re-creates (PostgreSQL drops a comment with its object).

use super::*;
use crate::ident::Ident;

impl Differ<'_> {
    /// Runs after every other part of the diff, so that it sees which
    /// objects the migration (re-)creates.
    pub(super) fn object_comments(&mut self) {
        // What the migration (re-)creates, looked up once (the diff stays
        // linear in the number of objects).
        let (mut checks, mut uniques, mut indexes_made, mut fks) =
            (HashSet::new(), HashSet::new(), HashSet::new(), HashSet::new());
        let mut exclusions = HashSet::new();
        for c in self.stages.iter().flatten() {
            match &c.kind {
                ChangeKind::AddCheck { check_id, .. } => {
                    checks.insert(check_id.as_str());
                }
                ChangeKind::AddUnique { table_id, column_ids } => {
                    uniques.insert((table_id.as_str(), column_ids.as_slice()));
                }
                ChangeKind::AddIndex { index_id, .. } => {
                    indexes_made.insert(index_id.as_str());
                }
                ChangeKind::AddForeignKey { foreign_key_id } => {
                    fks.insert(foreign_key_id.as_str());
                }
                ChangeKind::AddExclusion { exclusion_id, .. } => {
                    exclusions.insert(exclusion_id.as_str());
                }
                _ => {}
            }
        }
        let (old, new) = (&self.old_ix, &self.new_ix);
        let mut out = Vec::new();
        let mut indexes = Vec::new();
        for n in &new.model().tables {
            let o = old.table(&n.id);
            // A table dropped and created again is new, with its comments.
            let table_new = o.is_none() || self.replaced.contains(&n.id);
            let target = |name: &Ident| format!("{}.{}", n.shown(), name);
            for k in &n.checks {
                let before = o.and_then(|o| o.checks.iter().find(|x| x.id == k.id));
                let made = table_new || checks.contains(k.id.as_str());
                if wants(before.map(|b| &b.comment), &k.comment, made) {
                    out.push((ConstraintKind::Check, n.id.clone(), k.id.clone(), target(&k.name), k.comment.is_some()));
                }
            }
            for u in n.uniques.iter().filter(|u| u.id.is_some()) {
                let id = u.id.clone().unwrap_or_default();
                let before = o.and_then(|o| o.uniques.iter().find(|x| x.id == u.id));
                let made = table_new || uniques.contains(&(n.id.as_str(), u.column_ids.as_slice()));
                if wants(before.map(|b| &b.comment), &u.comment, made) {
                    out.push((ConstraintKind::Unique, n.id.clone(), id, target(&u.name), u.comment.is_some()));
                }
            }
            for x in &n.exclusions {
                let before = o.and_then(|o| o.exclusions.iter().find(|y| y.id == x.id));
                let made = table_new || exclusions.contains(x.id.as_str());
                if wants(before.map(|b| &b.comment), &x.comment, made) {
                    out.push((
                        ConstraintKind::Exclusion,
                        n.id.clone(),
                        x.id.clone(),
                        target(&x.name),
                        x.comment.is_some(),
                    ));
                }
            }
            for x in &n.indexes {
                let before = o.and_then(|o| o.indexes.iter().find(|y| y.id == x.id));
                let made = indexes_made.contains(x.id.as_str());
                if wants(before.map(|b| &b.comment), &x.comment, made) {
                    let kind = ChangeKind::SetIndexComment { table_id: n.id.clone(), index_id: x.id.clone() };
                    let verb = if x.comment.is_some() { "set" } else { "remove" };
                    indexes.push((kind, target(&x.name), format!("{verb} comment on index {}", x.name)));
                }
            }
        }
        for fk in &new.model().foreign_keys {
            let before = old.foreign_key(&fk.id);
            let made = fks.contains(fk.id.as_str());
            if wants(before.map(|b| &b.comment), &fk.comment, made) {
                let table = new.table(&fk.source_table_id).map(TableModel::shown).unwrap_or_default();
                out.push((
                    ConstraintKind::ForeignKey,
                    fk.source_table_id.clone(),
                    fk.id.clone(),
                    format!("{table}.{}", fk.name),
                    fk.comment.is_some(),
                ));
            }
        }
        for (kind, target, description) in indexes {
            self.push_safe(Stage::Comments, kind, target, description);
        }
        for (constraint, table_id, constraint_id, target, set) in out {
            let description = format!("{} comment on constraint {target}", if set { "set" } else { "remove" });
            self.push_safe(
                Stage::Comments,
                ChangeKind::SetConstraintComment { table_id, constraint, constraint_id },
                target,
                description,
            );
        }
    }
}

/// Whether a comment must be written: it changed on a kept object, or the
/// object is (re-)created with one.
fn wants(before: Option<&Option<String>>, after: &Option<String>, made: bool) -> bool {
    match before {
        _ if made => after.is_some(),
        Some(b) => b != after,
        None => after.is_some(),
    }
}
