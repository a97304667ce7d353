//! Domains, matched by id: created before the tables that use them,
//! renamed, their checks, NOT NULL and default altered in place (ALTER
//! DOMAIN), rebuilt when the base type or collation changes (which ALTER
//! DOMAIN cannot do), dropped after the columns that used them.

use std::collections::HashSet;

use super::*;
use crate::model::DomainModel;

impl Differ<'_> {
    pub(super) fn domains(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        for o in &old.domains {
            match self.new_ix.domain(&o.id) {
                Some(n) => self.changed_domain(o, n),
                None => {
                    let id = o.id.clone();
                    let name = self.type_out_of_the_way("domain", &o.name, |from, to| ChangeKind::RenameDomain {
                        domain_id: id,
                        from,
                        to,
                    });
                    self.push_safe(
                        Stage::DropEnums,
                        ChangeKind::DropDomain { domain_id: o.id.clone(), name },
                        o.name.as_str(),
                        format!("drop domain {}", o.name),
                    );
                }
            }
        }
        for n in &new.domains {
            if self.old_ix.domain(&n.id).is_none() {
                self.push_safe(
                    Stage::Enums,
                    ChangeKind::CreateDomain { domain_id: n.id.clone() },
                    n.name.as_str(),
                    format!("create domain {}", n.name),
                );
                if n.comment.is_some() {
                    self.domain_comment(n);
                }
            }
        }
    }

    /// Columns of surviving tables that hold values of domain `id` now.
    fn domain_columns(&self, id: &str) -> Vec<String> {
        let old = self.old_ix.model();
        old.tables
            .iter()
            .filter(|t| self.new_ix.table(&t.id).is_some())
            .flat_map(|t| t.columns.iter().map(move |c| (t, c)))
            .filter(|(_, c)| matches!(&c.ty.base, BaseType::Domain { id: d, .. } if d == id))
            .map(|(t, c)| col_target(t, c))
            .collect()
    }

    fn changed_domain(&mut self, o: &DomainModel, n: &DomainModel) {
        if o.name != n.name {
            let id = n.id.clone();
            self.relation_renames.push(PendingRename::new(
                "domain",
                n.name.to_string(),
                o.name.to_string(),
                n.name.to_string(),
                move |from, to| ChangeKind::RenameDomain { domain_id: id.clone(), from, to },
            ));
        }
        // Checks by id: renamed in place unless a new name is one another
        // check of the domain still has (then dropped and added again).
        let renames: Vec<(String, String)> = o
            .checks
            .iter()
            .filter_map(|k| {
                let nk = n.check(&k.id).filter(|nk| nk.expr.same_modulo_names(&k.expr))?;
                (nk.name != k.name).then(|| (k.name.to_string(), nk.name.to_string()))
            })
            .collect();
        let old_names: HashSet<&str> = o.checks.iter().map(|k| k.name.as_str()).collect();
        let clash = renames.iter().any(|(_, to)| old_names.contains(to.as_str()));
        let tightens = clash
            || (n.not_null && !o.not_null)
            || n.checks.iter().any(|k| !o.check(&k.id).is_some_and(|ok| ok.expr.same_modulo_names(&k.expr)));
        if o.base.unqualified() != n.base.unqualified() || o.collation != n.collation {
            self.rebuild_domain(o, n, None);
            return;
        }
        // PostgreSQL refuses to check new constraints of a domain that an
        // array column or a composite type holds ("cannot alter type ...
        // because column ... uses it"): the domain is made again and the
        // columns converted (a composite type over it is rebuilt with it).
        if let Some(inside) = tightens.then(|| self.domain_held_inside(&n.id)).flatten() {
            self.rebuild_domain(o, n, Some(inside));
            return;
        }
        // Only a tightening asks which columns it checks (the walk over
        // every column stays off the common path).
        let used = if tightens { self.domain_columns(&n.id) } else { Vec::new() };
        let checked = |what: &str| {
            if used.is_empty() {
                (Safety::Safe, None)
            } else {
                let why = format!(
                    "PostgreSQL checks every value of {} against {what}, holding a SHARE lock (writes wait), and a \
                     value it refuses fails the migration",
                    used.join(", ")
                );
                (Safety::MayFail, Some(why))
            }
        };
        // Dropped first (before any conversion runs into them), added last
        // (after the conversions, over the final data).
        for k in &o.checks {
            match n.check(&k.id) {
                Some(nk) if nk.expr.same_modulo_names(&k.expr) => {}
                _ => self.push_safe(
                    Stage::DropConstraints,
                    ChangeKind::DropDomainCheck {
                        domain_id: o.id.clone(),
                        domain: o.name.to_string(),
                        name: k.name.to_string(),
                    },
                    o.name.as_str(),
                    format!("drop check {} of domain {}", k.name, o.name),
                ),
            }
        }
        for (from, to) in &renames {
            if !clash {
                self.push_safe(
                    Stage::RenameConstraints,
                    ChangeKind::RenameDomainCheck { domain_id: n.id.clone(), from: from.clone(), to: to.clone() },
                    n.name.as_str(),
                    format!("rename check {from} of domain {} to {to}", n.name),
                );
            } else {
                self.push_safe(
                    Stage::DropConstraints,
                    ChangeKind::DropDomainCheck {
                        domain_id: o.id.clone(),
                        domain: o.name.to_string(),
                        name: from.clone(),
                    },
                    o.name.as_str(),
                    format!("drop check {from} of domain {} (its name is swapped with another's)", o.name),
                );
            }
        }
        for k in &n.checks {
            let kept = o.check(&k.id).is_some_and(|ok| ok.expr.same_modulo_names(&k.expr));
            let renamed_in_place = o.check(&k.id).is_some_and(|ok| ok.name == k.name) || !clash;
            if kept && renamed_in_place {
                continue;
            }
            let (safety, why) = checked(&format!("the check {}", k.name));
            let mut change = Change::new(
                ChangeKind::AddDomainCheck { domain_id: n.id.clone(), check_id: k.id.clone() },
                safety,
                n.name.as_str(),
                format!("add check {} to domain {}", k.name, n.name),
            );
            if let Some(why) = why {
                change = change.why(why).instead(
                    "ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID (instant; new values are checked), then VALIDATE \
                     CONSTRAINT in a later transaction",
                );
            }
            self.push(Stage::AddConstraints, change);
        }
        if o.not_null != n.not_null {
            if n.not_null {
                let (safety, why) = checked("NOT NULL");
                let mut change = Change::new(
                    ChangeKind::SetDomainNotNull { domain_id: n.id.clone(), not_null: true },
                    safety,
                    n.name.as_str(),
                    format!("set NOT NULL on domain {}", n.name),
                );
                if let Some(why) = why {
                    change = change.why(why).instead("UPDATE the NULL values first, in a migration of their own");
                }
                self.push(Stage::AddConstraints, change);
            } else {
                self.push_safe(
                    Stage::DropConstraints,
                    ChangeKind::SetDomainNotNull { domain_id: o.id.clone(), not_null: false },
                    o.name.as_str(),
                    format!("drop NOT NULL from domain {}", o.name),
                );
            }
        }
        if o.default != n.default {
            self.push_safe(
                Stage::AlterColumns,
                ChangeKind::SetDomainDefault { domain_id: n.id.clone() },
                n.name.as_str(),
                format!("{} default of domain {}", if n.default.is_some() { "set" } else { "drop" }, n.name),
            );
        }
        if o.comment != n.comment {
            self.domain_comment(n);
        }
    }

    /// Where domain `id`'s values sit inside other values once the migration
    /// has run, which PostgreSQL cannot check new constraints on: the
    /// arrays of a column ("the arrays of t.c"), or an attribute of a
    /// composite type ("composite type k").
    fn domain_held_inside(&self, id: &str) -> Option<String> {
        let holds = |ty: &ColumnType| matches!(&ty.base, BaseType::Domain { id: d, .. } if d == id);
        let new = self.new_ix.model();
        new.tables
            .iter()
            .find_map(|t| {
                let c = t.columns.iter().find(|c| c.ty.array && holds(&c.ty))?;
                Some(format!("the arrays of {}", col_target(t, c)))
            })
            .or_else(|| {
                let k = new.composites.iter().find(|k| k.attributes.iter().any(|a| holds(&a.ty)))?;
                Some(format!("composite type {}", k.name))
            })
    }

    /// A new base type or collation, or new constraints over values held
    /// inside others (`inside`: where): the domain is made again under its name
    /// (the old one renamed out of the way and dropped once its columns are
    /// converted by `AlterColumnType` changes).
    fn rebuild_domain(&mut self, o: &DomainModel, n: &DomainModel, inside: Option<String>) {
        let old_name = self.temp.fresh();
        self.rebuilt.insert(n.id.clone());
        let base = |d: &DomainModel| match &d.collation {
            Some(k) => format!("{} COLLATE \"{k}\"", d.base.describe()),
            None => d.base.describe(),
        };
        self.push_safe(
            Stage::Enums,
            ChangeKind::RebuildDomain { domain_id: n.id.clone(), old_name: old_name.clone() },
            n.name.as_str(),
            match inside {
                None => format!(
                    "rebuild domain {} over {} (was {}); its columns are converted below",
                    n.name,
                    base(n),
                    base(o)
                ),
                Some(inside) => format!(
                    "rebuild domain {} with its new constraints (PostgreSQL cannot check them in place on the values \
                     inside {inside}); its columns are converted below",
                    n.name
                ),
            },
        );
        self.push_safe(
            Stage::DropEnums,
            ChangeKind::DropDomain { domain_id: n.id.clone(), name: old_name },
            n.name.as_str(),
            format!("drop the old type of domain {}", n.name),
        );
        if n.comment.is_some() {
            self.domain_comment(n);
        }
    }

    fn domain_comment(&mut self, n: &DomainModel) {
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetDomainComment { domain_id: n.id.clone() },
            n.name.as_str(),
            format!("{} comment on domain {}", if n.comment.is_some() { "set" } else { "remove" }, n.name),
        );
    }
}
