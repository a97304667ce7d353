//! Composite types, matched by id: created after the enums and domains
//! their attributes use, renamed, attributes added, dropped and renamed in
//! place (ALTER TYPE), an attribute retyped in place while nothing holds
//! the type, and otherwise rebuilt (PostgreSQL cannot retype or reorder
//! the attributes of a type in use): the old type renamed away, the new
//! one created, every column converted attribute by attribute name, the
//! old type dropped before the enums and domains it used.

use std::collections::HashSet;

use super::*;
use crate::model::CompositeModel;

impl Differ<'_> {
    pub(super) fn composites(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        for o in &old.composites {
            if self.new_ix.composite(&o.id).is_none() {
                let id = o.id.clone();
                let name = self.type_out_of_the_way("composite type", &o.name, |from, to| {
                    ChangeKind::RenameComposite { composite_id: id, from, to }
                });
                self.push_safe(
                    Stage::DropComposites,
                    ChangeKind::DropComposite { composite_id: o.id.clone(), name },
                    o.name.as_str(),
                    format!("drop composite type {}", o.name),
                );
            }
        }
        for n in &new.composites {
            match self.old_ix.composite(&n.id) {
                Some(o) => self.changed_composite(o, n),
                None => {
                    self.push_safe(
                        Stage::Enums,
                        ChangeKind::CreateComposite { composite_id: n.id.clone() },
                        n.name.as_str(),
                        format!("create composite type {}", n.name),
                    );
                    if n.comment.is_some() {
                        self.composite_comment(n);
                    }
                }
            }
        }
        // Old types go in reverse document order (a later one may hold an
        // earlier one), those that go away and the old ones of rebuilds.
        let position = |c: &Change| match &c.kind {
            ChangeKind::DropComposite { composite_id, .. } => {
                old.composites.iter().position(|o| &o.id == composite_id).unwrap_or(usize::MAX)
            }
            _ => usize::MAX,
        };
        self.stages[Stage::DropComposites as usize].sort_by_key(|c| std::cmp::Reverse(position(c)));
    }

    /// Whether a column of a surviving table, or an attribute of a
    /// surviving composite type, holds values of composite type `id`.
    fn composite_in_use(&self, id: &str) -> bool {
        let holds = |ty: &ColumnType| matches!(&ty.base, BaseType::Composite { id: c, .. } if c == id);
        let old = self.old_ix.model();
        old.tables.iter().filter(|t| self.new_ix.table(&t.id).is_some()).any(|t| t.columns.iter().any(|c| holds(&c.ty)))
            || old
                .composites
                .iter()
                .filter(|c| self.new_ix.composite(&c.id).is_some())
                .any(|c| c.attributes.iter().any(|a| holds(&a.ty)))
    }

    fn changed_composite(&mut self, o: &CompositeModel, n: &CompositeModel) {
        if o.name != n.name {
            let id = n.id.clone();
            self.relation_renames.push(PendingRename::new(
                "composite type",
                n.name.to_string(),
                o.name.to_string(),
                n.name.to_string(),
                move |from, to| ChangeKind::RenameComposite { composite_id: id.clone(), from, to },
            ));
        }
        self.attribute_renames(o, n);
        // The attribute order once the drops and adds ran in place: the
        // survivors in their old order, the new ones after them.
        let kept: Vec<&str> =
            o.attributes.iter().filter(|a| n.attribute(&a.id).is_some()).map(|a| a.id.as_str()).collect();
        let added: Vec<&str> =
            n.attributes.iter().filter(|a| o.attribute(&a.id).is_none()).map(|a| a.id.as_str()).collect();
        let in_place: Vec<&str> = kept.iter().chain(&added).copied().collect();
        let new_order: Vec<&str> = n.attributes.iter().map(|a| a.id.as_str()).collect();
        let retyped: Vec<&str> = n
            .attributes
            .iter()
            .filter(|a| o.attribute(&a.id).is_some_and(|oa| !same_type(&oa.ty, &a.ty) || oa.collation != a.collation))
            .map(|a| a.id.as_str())
            .collect();
        // A type an attribute uses that is rebuilt (or replaced) leaves the
        // attribute on the old one, which is dropped: rebuilt too.
        let uses_rebuilt = n.attributes.iter().any(|a| type_id(&a.ty).is_some_and(|id| self.rebuilt.contains(id)));
        let dropped = o.attributes.iter().any(|a| n.attribute(&a.id).is_none());
        // Only a retype or a drop asks whether the type is held (the walk
        // over every column stays off the common path).
        let in_use = (dropped || !retyped.is_empty()) && self.composite_in_use(&o.id);
        if in_place != new_order || uses_rebuilt || (in_use && !retyped.is_empty()) {
            let held = in_use || self.composite_in_use(&o.id);
            self.rebuild_composite(n, held);
            return;
        }
        for a in &o.attributes {
            if n.attribute(&a.id).is_none() {
                let mut change = Change::new(
                    ChangeKind::DropAttribute {
                        composite_id: o.id.clone(),
                        composite: o.name.to_string(),
                        name: a.name.to_string(),
                    },
                    Safety::Safe,
                    o.name.as_str(),
                    format!("drop attribute {} of composite type {}", a.name, o.name),
                );
                if in_use {
                    change = change.risk(
                        Safety::DataLoss,
                        "the attribute's value in every row that holds the type is lost",
                        "copy the values out first (an UPDATE into a new column), then drop the attribute",
                    );
                }
                self.push(Stage::DropColumnsAndTables, change);
            }
        }
        for id in added {
            if let Some(a) = n.attribute(id) {
                self.push_safe(
                    Stage::Enums,
                    ChangeKind::AddAttribute { composite_id: n.id.clone(), attribute_id: a.id.clone() },
                    n.name.as_str(),
                    format!("add attribute {} {} to composite type {}", a.name, a.ty.describe(), n.name),
                );
            }
        }
        for id in retyped {
            if let Some(a) = n.attribute(id) {
                self.push_safe(
                    Stage::Enums,
                    ChangeKind::AlterAttributeType { composite_id: n.id.clone(), attribute_id: a.id.clone() },
                    n.name.as_str(),
                    format!("change type of attribute {} of composite type {} to {}", a.name, n.name, a.ty.describe()),
                );
            }
        }
        if o.comment != n.comment {
            self.composite_comment(n);
        }
    }

    /// Renames of attributes by id, in place (also before a rebuild: the
    /// columns are converted by attribute name). A swap goes through
    /// temporary names.
    fn attribute_renames(&mut self, o: &CompositeModel, n: &CompositeModel) {
        let renames: Vec<(String, String)> = o
            .attributes
            .iter()
            .filter_map(|a| {
                let na = n.attribute(&a.id)?;
                (na.name != a.name).then(|| (a.name.to_string(), na.name.to_string()))
            })
            .collect();
        let old_names: HashSet<&str> = o.attributes.iter().map(|a| a.name.as_str()).collect();
        let swap = renames.iter().any(|(_, to)| old_names.contains(to.as_str()));
        let mut second = Vec::new();
        for (from, to) in renames {
            let via = if swap { self.temp.fresh() } else { to.clone() };
            self.push_safe(
                Stage::RenameColumns,
                ChangeKind::RenameAttribute { composite_id: n.id.clone(), from: from.clone(), to: via.clone() },
                n.name.as_str(),
                format!("rename attribute {from} of composite type {} to {via}", n.name),
            );
            if swap {
                second.push((via, to));
            }
        }
        for (from, to) in second {
            self.push_safe(
                Stage::RenameColumns,
                ChangeKind::RenameAttribute { composite_id: n.id.clone(), from: from.clone(), to: to.clone() },
                n.name.as_str(),
                format!("rename attribute {from} of composite type {} to {to}", n.name),
            );
        }
    }

    fn rebuild_composite(&mut self, n: &CompositeModel, in_use: bool) {
        let old_name = self.temp.fresh();
        self.rebuilt.insert(n.id.clone());
        let why = if in_use {
            "PostgreSQL cannot retype or reorder the attributes of a type in use: the type is made again and \
             every column of it converted below"
        } else {
            "PostgreSQL cannot reorder a type's attributes: the type is made again"
        };
        self.push(
            Stage::Enums,
            Change::new(
                ChangeKind::RebuildComposite { composite_id: n.id.clone(), old_name: old_name.clone() },
                Safety::Safe,
                n.name.as_str(),
                format!("rebuild composite type {}", n.name),
            )
            .why(why),
        );
        self.push_safe(
            Stage::DropComposites,
            ChangeKind::DropComposite { composite_id: n.id.clone(), name: old_name },
            n.name.as_str(),
            format!("drop the old type of composite type {}", n.name),
        );
        if n.comment.is_some() {
            self.composite_comment(n);
        }
    }

    /// What converting a column of rebuilt composite type `id` does: each
    /// attribute's value goes to the attribute of the same id (by name,
    /// after the renames), converted as its type changes.
    pub(super) fn composite_conversion(&self, id: &str) -> TypeChange {
        let (o, n) = (self.old_ix.composite(id), self.new_ix.composite(id));
        let dropped: Vec<String> = o
            .map(|o| o.attributes.iter().filter(|a| n.and_then(|n| n.attribute(&a.id)).is_none()))
            .into_iter()
            .flatten()
            .map(|a| a.name.to_string())
            .collect();
        let mut retyped = Vec::new();
        if let (Some(o), Some(n)) = (o, n) {
            for a in &n.attributes {
                let rebuilt = type_id(&a.ty).is_some_and(|id| self.rebuilt.contains(id));
                let Some(oa) = o.attribute(&a.id).filter(|oa| !same_type(&oa.ty, &a.ty) || rebuilt) else { continue };
                retyped.push(match (&a.ty.base, same_type(&oa.ty, &a.ty)) {
                    // A rebuilt composite inside: converted by name too.
                    (BaseType::Composite { id, .. }, true) => self.composite_conversion(id),
                    _ => type_change(&oa.ty, &a.ty),
                });
            }
        }
        let worst = retyped.iter().map(|c| c.safety).max().unwrap_or(Safety::Safe);
        let (safety, why) = if !dropped.is_empty() {
            (Safety::DataLoss, format!("the values of the dropped attribute(s) {} are lost", dropped.join(", ")))
        } else {
            (
                worst.max(Safety::LocksTable),
                "each value is rebuilt attribute by attribute, converted as its type changes, rewriting the table"
                    .to_string(),
            )
        };
        TypeChange {
            safety,
            conversion: Conversion { cast: Cast::ByAttributeName, shape: Shape::Same },
            rewrites: true,
            keeps_dependents: false,
            explanation: why,
            alternative: Some(
                "add a column of the new type, fill it in batches, then swap the columns in a short transaction"
                    .to_string(),
            ),
        }
    }

    fn composite_comment(&mut self, n: &CompositeModel) {
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetCompositeComment { composite_id: n.id.clone() },
            n.name.as_str(),
            format!("{} comment on composite type {}", if n.comment.is_some() { "set" } else { "remove" }, n.name),
        );
    }
}
