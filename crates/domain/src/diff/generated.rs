//! Generated columns. PostgreSQL (before 17) cannot change a generation
//! expression in place, and refuses to change the type of a column that a
//! generation expression reads: such a generated column is dropped and
//! added again (its values are computed again from the other columns, so
//! nothing is lost), with every index, key, check and foreign key over it
//! re-created around it. A generated column that becomes plain keeps its
//! values (`DROP EXPRESSION`); a plain one that becomes generated loses
//! them to the computed ones.

use super::*;

impl Differ<'_> {
    /// Fill `recreated`, after `retyped` (a generated column whose
    /// expression reads a retyped column is recreated, and is itself no
    /// longer retyped: the add gives it its new type).
    pub(super) fn find_recreated(&mut self) {
        let old = self.old_ix.model();
        for o in &old.tables {
            let Some(n) = self.new_ix.table(&o.id) else { continue };
            for oc in &o.columns {
                let Some(nc) = n.column(&oc.id) else { continue };
                let key = (o.id.clone(), oc.id.clone());
                let again = match (&oc.generated, &nc.generated) {
                    (Some(a), Some(b)) => {
                        !a.same_modulo_names(b)
                            || self.retyped.contains_key(&key)
                            || b.column_ids().iter().any(|c| self.retyped.contains_key(&(o.id.clone(), c.to_string())))
                    }
                    (None, Some(_)) => true,
                    _ => false,
                };
                if again {
                    self.recreated.insert(key);
                }
            }
        }
        for key in &self.recreated {
            self.retyped.remove(key);
        }
    }

    pub(super) fn is_recreated(&self, table_id: &str, column_id: &str) -> bool {
        self.recreated.contains(&(table_id.to_string(), column_id.to_string()))
    }

    /// Whether a key has a recreated column (it goes with the column).
    pub(super) fn touches_recreated(&self, table_id: &str, column_ids: &[String]) -> bool {
        column_ids.iter().any(|c| self.is_recreated(table_id, c))
    }

    /// The changes of a surviving column's generation; true when the column
    /// is recreated (and so needs nothing else).
    pub(super) fn generation(&mut self, o: &TableModel, oc: &ColumnModel, n: &TableModel, nc: &ColumnModel) -> bool {
        if self.is_recreated(&o.id, &oc.id) {
            if oc.generated.is_some() {
                self.drop_generated(o, oc);
            } else {
                self.push(
                    Stage::DropGeneratedColumns,
                    Change::new(
                        ChangeKind::DropColumn { table_id: o.id.clone(), column_id: oc.id.clone() },
                        Safety::DataLoss,
                        col_target(o, oc),
                        format!("drop column {} to add it again as a generated column", col_target(o, oc)),
                    )
                    .why("PostgreSQL cannot make a column generated: its stored values give way to computed ones")
                    .instead("add the generated column under another name, compare, then drop the old one"),
                );
            }
            self.add_generated(n, nc, true);
            return true;
        }
        if oc.generated.is_some() && nc.generated.is_none() {
            // Before any column it reads is dropped (PostgreSQL refuses to
            // drop a column a generation expression uses), so with the old
            // names.
            self.push(
                Stage::DropGeneratedColumns,
                Change::new(
                    ChangeKind::DropExpression { table_id: n.id.clone(), column_id: nc.id.clone() },
                    Safety::Safe,
                    col_target(n, nc),
                    format!("make {} a plain column", col_target(n, nc)),
                )
                .why("the computed values stay as stored values; the catalog alone changes"),
            );
        }
        false
    }

    /// Drop a generated column, before the plain columns that its
    /// expression may read.
    pub(super) fn drop_generated(&mut self, o: &TableModel, oc: &ColumnModel) {
        self.push(
            Stage::DropGeneratedColumns,
            Change::new(
                ChangeKind::DropColumn { table_id: o.id.clone(), column_id: oc.id.clone() },
                Safety::Safe,
                col_target(o, oc),
                format!("drop generated column {}", col_target(o, oc)),
            )
            .why("its values are computed from the other columns: the down script computes them again"),
        );
    }

    /// Add a generated column, after every type change (its expression
    /// may read a retyped column).
    pub(super) fn add_generated(&mut self, n: &TableModel, c: &ColumnModel, again: bool) {
        let change = Change::new(
            ChangeKind::AddColumn { table_id: n.id.clone(), column_id: c.id.clone() },
            Safety::LocksTable,
            col_target(n, c),
            format!(
                "{} generated column {} {}",
                if again { "add again the" } else { "add" },
                col_target(n, c),
                c.ty.describe()
            ),
        )
        .why(
            "PostgreSQL computes the value of every existing row, rewriting the table under an exclusive lock; \
             a row on which the expression fails (a division by zero) stops the migration",
        )
        .instead("add a plain column, backfill it in batches, and keep it up to date with a trigger");
        self.push(Stage::AddGeneratedColumns, change);
        if c.comment.is_some() {
            self.column_comment(n, c);
        }
    }
}
