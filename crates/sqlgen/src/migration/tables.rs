//! Statements for tables, columns and identities; keys, checks, exclusions,
//! indexes, foreign keys and comments.

use schemaforge_domain::ChangeKind;
use schemaforge_domain::diff::{Cast, ConstraintKind};

use super::{Cx, ROW_ARRAY_WRAPPER, column, sequence_changes};
use crate::Dialect;
use crate::postgres::Postgres;
use crate::script::{Statement, StatementKind};

impl Postgres {
    /// The statements of a change to tables, columns, identities and their comments; `None` for another kind
    /// of change.
    pub(super) fn tables_statements(&self, cx: &Cx<'_>) -> Option<Option<Vec<Statement>>> {
        let (from, to) = (cx.from, cx.to);
        Some(match &cx.change.kind {
            ChangeKind::AddTable { table_id } => {
                to.table(table_id).map(|t| cx.st(StatementKind::CreateTable, self.create_table(t)))
            }
            ChangeKind::DropTable { table_id } => from
                .table(table_id)
                .map(|t| cx.st(StatementKind::DropTable, format!("DROP TABLE {}", self.table_name(t)))),
            ChangeKind::RenameTable { table_id, from: a, to: b } => {
                Some(cx.rename("TABLE", cx.table_during(table_id), a, b))
            }
            ChangeKind::AddColumn { table_id, column_id } => column(to, table_id, column_id).map(|(t, c)| {
                cx.st(StatementKind::AddColumn, self.alter_table(t, format!("ADD COLUMN {}", self.column_sql(t, c))))
            }),
            ChangeKind::DropColumn { table_id, column_id } => column(from, table_id, column_id).map(|(t, c)| {
                cx.st(
                    StatementKind::DropColumn,
                    self.alter_table(t, format!("DROP COLUMN {}", self.qi(c.name.as_str()))),
                )
            }),
            ChangeKind::RenameColumn { table_id, from: a, to: b, .. } => to.table(table_id).map(|t| {
                let table = self.qualified(cx.table_during(table_id).as_deref(), t.name.as_str());
                cx.st(
                    StatementKind::Rename,
                    format!("ALTER TABLE {table} RENAME COLUMN {} TO {}", self.qi(a), self.qi(b)),
                )
            }),
            ChangeKind::AlterColumnType { table_id, column_id, conversion, drop_default, .. } => {
                column(to, table_id, column_id).map(|(t, c)| {
                    let name = self.qi(c.name.as_str());
                    let mut actions = Vec::new();
                    if *drop_default {
                        actions.push(format!("ALTER COLUMN {name} DROP DEFAULT"));
                    }
                    let using = self.using(&name, conversion, &c.ty).map(|u| format!(" USING {u}")).unwrap_or_default();
                    actions.push(format!("ALTER COLUMN {name} TYPE {}{using}", self.column_type_sql(c)));
                    let alter = cx.st(StatementKind::AlterColumn, self.alter_table(t, actions.join(",\n    ")));
                    if conversion.cast == Cast::ByAttributeName && c.ty.array {
                        // A session's own type, never a name of the document.
                        let wrapper = cx.st(
                            StatementKind::CreateComposite,
                            format!("CREATE TYPE {ROW_ARRAY_WRAPPER} AS (v {})", self.render_type(&c.ty)),
                        );
                        let drop = cx.st(StatementKind::DropComposite, format!("DROP TYPE {ROW_ARRAY_WRAPPER}"));
                        [wrapper, alter, drop].concat()
                    } else {
                        alter
                    }
                })
            }
            ChangeKind::DropExpression { table_id, column_id } => column(from, table_id, column_id)
                .map(|(t, c)| cx.st(StatementKind::AlterColumn, self.alter_column(t, c, "DROP EXPRESSION"))),
            ChangeKind::SetNotNull { table_id, column_id } => column(to, table_id, column_id)
                .map(|(t, c)| cx.st(StatementKind::AlterColumn, self.alter_column(t, c, "SET NOT NULL"))),
            ChangeKind::DropNotNull { table_id, column_id } => column(to, table_id, column_id)
                .map(|(t, c)| cx.st(StatementKind::AlterColumn, self.alter_column(t, c, "DROP NOT NULL"))),
            ChangeKind::SetDefault { table_id, column_id } => column(to, table_id, column_id).and_then(|(t, c)| {
                let default = self.default_sql(c)?;
                Some(cx.st(StatementKind::AlterColumn, self.alter_column(t, c, &format!("SET DEFAULT {default}"))))
            }),
            ChangeKind::DropDefault { table_id, column_id } => column(to, table_id, column_id)
                .map(|(t, c)| cx.st(StatementKind::AlterColumn, self.alter_column(t, c, "DROP DEFAULT"))),
            ChangeKind::AddIdentity { table_id, column_id } => column(to, table_id, column_id).and_then(|(t, c)| {
                let identity = c.identity.as_ref()?;
                let mut out = cx.st(
                    StatementKind::AlterColumn,
                    self.alter_column(t, c, &format!("ADD {}", self.identity_sql(t, c)?)),
                );
                // Existing rows keep their values: an ascending sequence
                // starts after the largest (or at its start, if later). A
                // descending one counts down from its start, as declared.
                let next = match identity.options.start {
                    None => "GREATEST(COALESCE(MAX({col})::bigint, 0), 0) + 1".to_string(),
                    Some(s) => format!("GREATEST(COALESCE(MAX({{col}})::bigint + 1, {s}), {s})"),
                };
                if identity.options.increment.is_none_or(|i| i > 0) {
                    out.push(Statement {
                        kind: StatementKind::SetSequence,
                        target: cx.target.clone(),
                        sql: format!(
                            "SELECT setval({}, {}, false) FROM {}",
                            self.quote_literal(&self.qn(&t.namespace, identity.sequence.as_str())),
                            next.replace("{col}", &self.qi(c.name.as_str())),
                            self.table_name(t)
                        ),
                    });
                }
                Some(out)
            }),
            ChangeKind::DropIdentity { table_id, column_id } => column(from, table_id, column_id)
                .map(|(t, c)| cx.st(StatementKind::AlterColumn, self.alter_column(t, c, "DROP IDENTITY"))),
            ChangeKind::SetIdentityGeneration { table_id, column_id, always } => {
                column(to, table_id, column_id).map(|(t, c)| {
                    let how = if *always { "SET GENERATED ALWAYS" } else { "SET GENERATED BY DEFAULT" };
                    cx.st(StatementKind::AlterColumn, self.alter_column(t, c, how))
                })
            }
            ChangeKind::AlterSequenceOptions { table_id, column_id } => {
                let old = column(from, table_id, column_id).and_then(|(_, c)| c.identity.as_ref());
                column(to, table_id, column_id).and_then(|(t, c)| {
                    let (old, new) = (old?, c.identity.as_ref()?);
                    let set: Vec<String> =
                        sequence_changes(&old.options, &new.options).iter().map(|c| format!("SET {c}")).collect();
                    let set = set.join(" ");
                    Some(cx.st(StatementKind::AlterColumn, self.alter_column(t, c, &set)))
                })
            }
            ChangeKind::RenameSequence { table_id, from: a, to: b, .. } => {
                Some(cx.rename("SEQUENCE", cx.table_during(table_id), a, b))
            }
            ChangeKind::SetTableComment { table_id } => to.table(table_id).map(|t| vec![self.table_comment(t)]),
            ChangeKind::SetColumnComment { table_id, column_id } => {
                column(to, table_id, column_id).map(|(t, c)| vec![self.column_comment(t, c)])
            }
            _ => return None,
        })
    }

    /// The statements of a change to keys, checks, exclusions, indexes, foreign keys and their comments; `None` for another kind
    /// of change.
    pub(super) fn constraints_statements(&self, cx: &Cx<'_>) -> Option<Option<Vec<Statement>>> {
        let (from, to) = (cx.from, cx.to);
        Some(match &cx.change.kind {
            ChangeKind::AddPrimaryKey { table_id } => to.table(table_id).and_then(|t| {
                let clause = self.key_clause(t, t.primary_key.as_ref()?, true);
                Some(cx.st(StatementKind::AddConstraint, self.alter_table(t, format!("ADD {clause}"))))
            }),
            ChangeKind::DropPrimaryKey { table_id } => from.table(table_id).and_then(|t| {
                let pk = t.primary_key.as_ref()?;
                Some(cx.st(StatementKind::DropConstraint, self.drop_constraint(t, pk.name.as_str())))
            }),
            ChangeKind::AddUnique { table_id, column_ids } => to.table(table_id).and_then(|t| {
                let key = t.uniques.iter().find(|u| &u.column_ids == column_ids)?;
                let clause = self.key_clause(t, key, false);
                Some(cx.st(StatementKind::AddConstraint, self.alter_table(t, format!("ADD {clause}"))))
            }),
            ChangeKind::DropUnique { table_id, column_ids } => from.table(table_id).and_then(|t| {
                let key = t.uniques.iter().find(|u| &u.column_ids == column_ids)?;
                Some(cx.st(StatementKind::DropConstraint, self.drop_constraint(t, key.name.as_str())))
            }),
            ChangeKind::AddCheck { table_id, check_id } => to.table(table_id).and_then(|t| {
                let k = t.checks.iter().find(|k| &k.id == check_id)?;
                let clause = self.check_clause(k);
                Some(cx.st(StatementKind::AddConstraint, self.alter_table(t, format!("ADD {clause}"))))
            }),
            ChangeKind::DropCheck { table_id, check_id } => from.table(table_id).and_then(|t| {
                let k = t.checks.iter().find(|k| &k.id == check_id)?;
                Some(cx.st(StatementKind::DropConstraint, self.drop_constraint(t, k.name.as_str())))
            }),
            ChangeKind::AddIndex { table_id, index_id } => to.table(table_id).and_then(|t| {
                let x = t.indexes.iter().find(|x| &x.id == index_id)?;
                Some(vec![self.create_index(t, x)])
            }),
            ChangeKind::DropIndex { table_id, index_id } => from.table(table_id).and_then(|t| {
                let x = t.indexes.iter().find(|x| &x.id == index_id)?;
                Some(cx.st(StatementKind::DropIndex, format!("DROP INDEX {}", self.qn(&t.namespace, x.name.as_str()))))
            }),
            ChangeKind::RenameIndex { table_id, from: a, to: b, .. } => {
                Some(cx.rename("INDEX", cx.table_during(table_id), a, b))
            }
            ChangeKind::SetIndexStorage { table_id, index_id, reset } => to.table(table_id).and_then(|t| {
                let x = t.indexes.iter().find(|x| x.id == *index_id)?;
                let name = self.qn(&t.namespace, x.name.as_str());
                let mut out = Vec::new();
                if !x.storage.is_empty() {
                    out.extend(cx.st(
                        StatementKind::AlterIndex,
                        format!("ALTER INDEX {name} SET ({})", crate::postgres::storage_sql(&x.storage)),
                    ));
                }
                if !reset.is_empty() {
                    out.extend(
                        cx.st(StatementKind::AlterIndex, format!("ALTER INDEX {name} RESET ({})", reset.join(", "))),
                    );
                }
                Some(out)
            }),
            ChangeKind::RenameConstraint { table_id, constraint, from: a, to: b } => match constraint {
                // Renaming a key's index renames the key, and needs no table
                // name (which may be mid-swap at this point).
                ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclusion => {
                    Some(cx.rename("INDEX", cx.table_during(table_id), a, b))
                }
                ConstraintKind::Check | ConstraintKind::ForeignKey => to.table(table_id).map(|t| {
                    let table = self.qualified(cx.table_during(table_id).as_deref(), t.name.as_str());
                    cx.st(
                        StatementKind::Rename,
                        format!("ALTER TABLE {table} RENAME CONSTRAINT {} TO {}", self.qi(a), self.qi(b)),
                    )
                }),
            },
            ChangeKind::AddExclusion { table_id, exclusion_id } => to.table(table_id).and_then(|t| {
                let x = t.exclusions.iter().find(|x| x.id == *exclusion_id)?;
                Some(cx.st(
                    StatementKind::AddConstraint,
                    self.alter_table(t, format!("ADD {}", self.exclusion_clause(t, x))),
                ))
            }),
            ChangeKind::DropExclusion { table_id, name, .. } => {
                from.table(table_id).map(|t| cx.st(StatementKind::DropConstraint, self.drop_constraint(t, name)))
            }
            ChangeKind::AddForeignKey { foreign_key_id } => to
                .foreign_key(foreign_key_id)
                .and_then(|fk| self.add_foreign_key(to, fk))
                .map(|s| vec![Statement { target: cx.target.clone(), ..s }]),
            ChangeKind::DropForeignKey { foreign_key_id } => from.foreign_key(foreign_key_id).and_then(|fk| {
                let t = from.table(&fk.source_table_id)?;
                Some(cx.st(StatementKind::DropForeignKey, self.drop_constraint(t, fk.name.as_str())))
            }),
            ChangeKind::SetIndexComment { table_id, index_id } => to
                .table(table_id)
                .and_then(|t| Some(vec![self.index_comment(t, t.indexes.iter().find(|x| &x.id == index_id)?)])),
            ChangeKind::SetConstraintComment { table_id, constraint, constraint_id } => {
                to.table(table_id).and_then(|t| {
                    let (name, comment) = match constraint {
                        ConstraintKind::Check => {
                            t.checks.iter().find(|k| &k.id == constraint_id).map(|k| (&k.name, &k.comment))?
                        }
                        ConstraintKind::Unique => t
                            .uniques
                            .iter()
                            .find(|u| u.id.as_ref() == Some(constraint_id))
                            .map(|u| (&u.name, &u.comment))?,
                        ConstraintKind::ForeignKey => {
                            to.foreign_key(constraint_id).map(|fk| (&fk.name, &fk.comment))?
                        }
                        ConstraintKind::Exclusion => {
                            t.exclusions.iter().find(|x| &x.id == constraint_id).map(|x| (&x.name, &x.comment))?
                        }
                        ConstraintKind::PrimaryKey => return None,
                    };
                    Some(vec![self.constraint_comment(t, name.as_str(), comment.as_deref())])
                })
            }
            _ => return None,
        })
    }
}
