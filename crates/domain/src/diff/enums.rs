//! Enums: created, renamed, labels added or renamed in place, or rebuilt.

use std::collections::HashSet;

use super::*;

impl<'m> Differ<'m> {
    /// Labels of the new model written as literals: a label added with ADD
    /// VALUE cannot be used in the transaction that adds it.
    fn literals_used(&self, e: &EnumModel) -> HashSet<&'m str> {
        let mut used = HashSet::new();
        for t in &self.new_ix.model().tables {
            for c in &t.columns {
                if enum_id(&c.ty) != Some(e.id.as_str()) {
                    continue;
                }
                match &c.default {
                    Some(DefaultValue::Literal(s)) => {
                        used.insert(s.as_str());
                    }
                    Some(DefaultValue::Array(items)) => used.extend(items.iter().flatten().map(String::as_str)),
                    Some(DefaultValue::Expression(e)) => used.extend(e.string_literals()),
                    _ => {}
                }
            }
            for k in &t.checks {
                used.extend(k.expr.string_literals());
            }
            for x in &t.indexes {
                used.extend(x.predicate.iter().flat_map(Expr::string_literals));
            }
        }
        used
    }

    pub(super) fn enums(&mut self) {
        let (old, new) = (self.old_ix.model(), self.new_ix.model());
        for o in &old.enums {
            let Some(n) = self.new_ix.enum_type(&o.id) else {
                // Dropped after the columns that use it; out of the way
                // first if a new type takes its name.
                let id = o.id.clone();
                let name = self.type_out_of_the_way("enum", &o.name, |from, to| ChangeKind::RenameEnum {
                    enum_id: id,
                    from,
                    to,
                });
                self.push_safe(
                    Stage::DropEnums,
                    ChangeKind::DropEnum { enum_id: o.id.clone(), name: name.clone() },
                    o.name.as_str(),
                    format!("drop enum {}", o.name),
                );
                continue;
            };
            if o.name != n.name {
                let id = o.id.clone();
                self.relation_renames.push(PendingRename::new(
                    "enum",
                    n.name.to_string(),
                    o.name.to_string(),
                    n.name.to_string(),
                    move |from, to| ChangeKind::RenameEnum { enum_id: id.clone(), from, to },
                ));
            }
            self.enum_values(o, n);
            // A rebuilt type is a new type: its comment is set again.
            if o.comment != n.comment || (self.rebuilt.contains(&n.id) && n.comment.is_some()) {
                self.push_safe(
                    Stage::Comments,
                    ChangeKind::SetEnumComment { enum_id: n.id.clone() },
                    n.name.as_str(),
                    format!("{} comment on enum {}", if n.comment.is_some() { "set" } else { "remove" }, n.name),
                );
            }
        }
        for n in &new.enums {
            if self.old_ix.enum_type(&n.id).is_none() {
                self.push_safe(
                    Stage::Enums,
                    ChangeKind::CreateEnum { enum_id: n.id.clone() },
                    n.name.as_str(),
                    format!("create enum {}", n.name),
                );
                if n.comment.is_some() {
                    self.push_safe(
                        Stage::Comments,
                        ChangeKind::SetEnumComment { enum_id: n.id.clone() },
                        n.name.as_str(),
                        format!("set comment on enum {}", n.name),
                    );
                }
            }
        }
    }

    fn enum_values(&mut self, o: &EnumModel, n: &EnumModel) {
        if o.values == n.values {
            return;
        }
        // Labels with ids are matched by id: a new text is a rename.
        let renames: Vec<(String, String)> = o
            .value_ids
            .iter()
            .zip(&o.values)
            .filter_map(|(id, a)| {
                let id = id.as_ref()?;
                let j = n.value_ids.iter().position(|x| x.as_ref() == Some(id))?;
                (*a != n.values[j]).then(|| (a.clone(), n.values[j].clone()))
            })
            .collect();
        if renames.is_empty() {
            return self.enum_labels(o, n);
        }
        // An old label that is not renamed but whose text a renamed label
        // takes (it goes away, or is another label) moves out of the way
        // first: RENAME VALUE refuses a text the type already has.
        let sources: HashSet<&str> = renames.iter().map(|(a, _)| a.as_str()).collect();
        let targets: HashSet<&str> = renames.iter().map(|(_, b)| b.as_str()).collect();
        let mut values = o.values.clone();
        for v in values.iter_mut().filter(|v| !sources.contains(v.as_str()) && targets.contains(v.as_str())) {
            let tmp = self.temp.fresh();
            self.push(
                Stage::RenameEnumValues,
                Change::new(
                    ChangeKind::RenameEnumValue { enum_id: n.id.clone(), from: v.clone(), to: tmp.clone() },
                    Safety::Safe,
                    n.name.to_string(),
                    format!(
                        "rename label {} of enum {} to {} (its text goes to another label)",
                        quoted(v),
                        n.name,
                        quoted(&tmp)
                    ),
                )
                .why("a label that keeps its id takes this text; this one is handled under the temporary text"),
            );
            *v = tmp;
        }
        let o = EnumModel { values, ..o.clone() };
        self.rename_labels(&o, n, &renames);
        let renamed = o
            .values
            .iter()
            .map(|v| renames.iter().find(|(a, _)| a == v).map_or_else(|| v.clone(), |(_, b)| b.clone()))
            .collect();
        self.enum_labels(&EnumModel { values: renamed, ..o.clone() }, n);
    }

    /// RENAME VALUE for labels matched by id; through temporary labels when
    /// a new text is an old one (a swap), which RENAME VALUE refuses.
    fn rename_labels(&mut self, o: &EnumModel, n: &EnumModel, renames: &[(String, String)]) {
        let collides = renames.iter().any(|(_, b)| o.values.contains(b));
        let steps: Vec<(String, String)> = if collides {
            let temps: Vec<String> = renames.iter().map(|_| self.temp.fresh()).collect();
            let to_temp = renames.iter().zip(&temps).map(|((a, _), t)| (a.clone(), t.clone()));
            let from_temp = renames.iter().zip(&temps).map(|((_, b), t)| (t.clone(), b.clone()));
            to_temp.chain(from_temp).collect()
        } else {
            renames.to_vec()
        };
        for (a, b) in steps {
            self.push(
                Stage::RenameEnumValues,
                Change::new(
                    ChangeKind::RenameEnumValue { enum_id: n.id.clone(), from: a.clone(), to: b.clone() },
                    Safety::Safe,
                    n.name.to_string(),
                    format!("rename label {} of enum {} to {}", quoted(&a), n.name, quoted(&b)),
                )
                .why("the label keeps its id, so rows keep their value under the new text"),
            );
        }
    }

    /// Labels matched by their text (after renames by id).
    fn enum_labels(&mut self, o: &EnumModel, n: &EnumModel) {
        if o.values == n.values {
            return;
        }
        let target = n.name.to_string();
        let in_old: HashSet<&str> = o.values.iter().map(String::as_str).collect();
        let in_new: HashSet<&str> = n.values.iter().map(String::as_str).collect();
        // A label replaced in place by one that is new: a rename, which keeps
        // the rows that hold it.
        // Two labels with different ids are different labels, wherever
        // they stand.
        let other_ids = |i: usize| match (o.value_ids.get(i), n.value_ids.get(i)) {
            (Some(Some(a)), Some(Some(b))) => a != b,
            _ => false,
        };
        let replaced_in_place = o.values.len() == n.values.len()
            && o.values.iter().zip(&n.values).enumerate().all(|(i, (a, b))| {
                a == b || (!in_new.contains(a.as_str()) && !in_old.contains(b.as_str()) && !other_ids(i))
            });
        if replaced_in_place {
            for (a, b) in o.values.iter().zip(&n.values).filter(|(a, b)| a != b) {
                self.push(
                    Stage::RenameEnumValues,
                    Change::new(
                        ChangeKind::RenameEnumValue { enum_id: n.id.clone(), from: a.clone(), to: b.clone() },
                        Safety::Safe,
                        target.clone(),
                        format!("rename label {} of enum {} to {}", quoted(a), n.name, quoted(b)),
                    )
                    .why(format!(
                        "{} is replaced by {} at the same position, so rows keep their value under the new label",
                        quoted(a),
                        quoted(b)
                    ))
                    .instead("to drop one label and add another instead, make the two edits in separate migrations"),
                );
            }
            return;
        }
        let removed: Vec<&String> = o.values.iter().filter(|v| !in_new.contains(v.as_str())).collect();
        let kept_old: Vec<&String> = o.values.iter().filter(|v| in_new.contains(v.as_str())).collect();
        let kept_new: Vec<&String> = n.values.iter().filter(|v| in_old.contains(v.as_str())).collect();
        let used = self.literals_used(n);
        let added_used: Vec<&String> =
            n.values.iter().filter(|v| !in_old.contains(v.as_str()) && used.contains(v.as_str())).collect();
        if removed.is_empty() && kept_old == kept_new && added_used.is_empty() {
            for (i, v) in n.values.iter().enumerate() {
                if in_old.contains(v.as_str()) {
                    continue;
                }
                // Every earlier label exists by now; the first one goes
                // before the first kept label.
                let (before, after) = match i {
                    0 => (kept_new.first().map(|s| (*s).clone()), None),
                    _ => (None, Some(n.values[i - 1].clone())),
                };
                self.push_safe(
                    Stage::Enums,
                    ChangeKind::AddEnumValue { enum_id: n.id.clone(), value: v.clone(), before, after },
                    target.clone(),
                    format!("add label {} to enum {}", quoted(v), n.name),
                );
            }
            return;
        }
        let (safety, why) = if !removed.is_empty() {
            let labels: Vec<String> = removed.iter().map(|v| quoted(v)).collect();
            (
                Safety::MayFail,
                format!(
                    "label(s) {} go away: the type is rebuilt and its columns converted (rewriting every table that \
                     uses it), and rows that still hold them make the migration fail",
                    labels.join(", ")
                ),
            )
        } else if kept_old != kept_new {
            (Safety::LocksTable, "labels are reordered: the type is rebuilt, rewriting every table that uses it".into())
        } else {
            let labels: Vec<String> = added_used.iter().map(|v| quoted(v)).collect();
            (
                Safety::LocksTable,
                format!(
                    "new label(s) {} are used by a default, check or index in the same migration, which PostgreSQL \
                     forbids for labels added with ADD VALUE; the type is rebuilt instead, rewriting every table \
                     that uses it",
                    labels.join(", ")
                ),
            )
        };
        let alternative = if removed.is_empty() {
            "add new labels in a migration of their own (ADD VALUE, instant), and use them in a later one"
        } else {
            "UPDATE the rows that hold the removed labels first, in a migration of their own"
        };
        let old_name = self.temp.fresh();
        self.rebuilt.insert(n.id.clone());
        self.push(
            Stage::Enums,
            Change::new(
                ChangeKind::RebuildEnum { enum_id: n.id.clone(), old_name: old_name.clone() },
                safety,
                target.clone(),
                format!(
                    "rebuild enum {} with labels ({})",
                    n.name,
                    n.values.iter().map(|v| quoted(v)).collect::<Vec<_>>().join(", ")
                ),
            )
            .why(why)
            .instead(alternative),
        );
        self.push_safe(
            Stage::DropEnums,
            ChangeKind::DropEnum { enum_id: n.id.clone(), name: old_name },
            target,
            format!("drop the old type of enum {}", n.name),
        );
    }
}
