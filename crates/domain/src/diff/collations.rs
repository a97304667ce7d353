//! Collations, matched by id: created before the types and columns that use
//! them, renamed in place (whatever uses one follows it: PostgreSQL refers
//! to it by oid), moved with the other types, dropped after whatever used
//! them has moved on, and dropped and created again when their definition
//! changes (PostgreSQL alters none of it in place).

use super::*;
use crate::model::CollationModel;

impl Differ<'_> {
    pub(super) fn collations(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        for o in &old.collations {
            match self.new_ix.collation(&o.id) {
                Some(n) => self.changed_collation(o, n),
                None => {
                    let name = self.collation_out_of_the_way(o);
                    self.push(
                        Stage::DropExtensions,
                        Change::new(
                            ChangeKind::DropCollation { collation_id: o.id.clone(), name },
                            Safety::Safe,
                            o.name.as_str(),
                            format!("drop collation {}", o.name),
                        )
                        .why("no row is touched: what used the collation was moved to another one first"),
                    );
                }
            }
        }
        for n in &new.collations {
            if self.old_ix.collation(&n.id).is_none() {
                self.push_safe(
                    Stage::Enums,
                    ChangeKind::CreateCollation { collation_id: n.id.clone() },
                    n.name.as_str(),
                    format!("create collation {}", n.name),
                );
                if n.comment.is_some() {
                    self.collation_comment(n);
                }
            }
        }
    }

    fn changed_collation(&mut self, o: &CollationModel, n: &CollationModel) {
        if o.name != n.name {
            self.push_safe(
                Stage::RenameRelations,
                ChangeKind::RenameCollation {
                    collation_id: n.id.clone(),
                    from: o.name.to_string(),
                    to: n.name.to_string(),
                },
                n.name.as_str(),
                format!("rename collation {} to {}", o.name, n.name),
            );
        }
        if !o.same_definition(n) {
            self.push(
                Stage::Enums,
                Change::new(
                    ChangeKind::RecreateCollation { collation_id: n.id.clone() },
                    Safety::MayFail,
                    n.name.as_str(),
                    format!("drop collation {} and create it again with its new definition", n.name),
                )
                .why(
                    "PostgreSQL alters a collation's provider, locale and determinism in none of its users: the drop \
                     fails while a column, domain, attribute or index uses the collation",
                )
                .instead("add a new collation under another name, move the columns to it, then drop the old one"),
            );
        }
        if o.comment != n.comment {
            self.collation_comment(n);
        }
    }

    /// The name a dropped collation has when it is dropped: first renamed
    /// away when a new collation of the namespace takes its name (the new
    /// one is created before the columns move to it, the old one dropped
    /// after).
    fn collation_out_of_the_way(&mut self, o: &CollationModel) -> String {
        let place = |c: &CollationModel| c.namespace.as_ref().map(|n| n.id.clone());
        let taken = self.new_ix.model().collations.iter().any(|n| n.name == o.name && place(n) == place(o));
        let id = o.id.clone();
        self.out_of_the_way("collation", &o.name, taken, "a new collation takes its name", |from, to| {
            ChangeKind::RenameCollation { collation_id: id, from, to }
        })
    }

    fn collation_comment(&mut self, n: &CollationModel) {
        let verb = if n.comment.is_some() { "set" } else { "remove" };
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetCollationComment { collation_id: n.id.clone() },
            n.name.as_str(),
            format!("{verb} comment on collation {}", n.name),
        );
    }
}
