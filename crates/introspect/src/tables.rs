//! Tables: columns, keys, checks, exclusion constraints, indexes and
//! foreign keys.

use std::collections::BTreeMap;

use schemaforge_domain::{
    Check, Column, ExclusionConstraint, ExclusionElement, ForeignKey, GeneratedSpec, IdentityGeneration, IdentitySpec,
    Index, IndexColumn, IndexColumnSpec, IndexMethod, MatchType, NullsOrder, ReferentialAction, SortOrder,
    StorageValue, Table, UniqueConstraint,
};

use crate::catalog::{ColumnRow, ConstraintRow, IdentitySequenceRow, IndexElementRow, IndexRow, RelationRow};
use crate::ids::CatalogKey;
use crate::printed::restore_array_casts;
use crate::sql::{add_constraint, comment_on, create_table, qi, qn};
use crate::{Importer, Named, Origin, Outcome, display};

/// The document's index methods.
pub(crate) fn index_method(name: &str) -> Option<IndexMethod> {
    Some(match name {
        "btree" => IndexMethod::Btree,
        "hash" => IndexMethod::Hash,
        "gin" => IndexMethod::Gin,
        "gist" => IndexMethod::Gist,
        "brin" => IndexMethod::Brin,
        _ => return None,
    })
}

fn action(code: &str) -> ReferentialAction {
    match code {
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// Storage parameters (`fillfactor=70`) as the document holds them.
pub(crate) fn storage_options(options: &[String]) -> BTreeMap<String, StorageValue> {
    options
        .iter()
        .filter_map(|o| o.split_once('='))
        .map(|(k, v)| {
            let value = match (v.parse::<i64>(), v) {
                (Ok(n), _) => StorageValue::Integer(n),
                (_, "true" | "on") => StorageValue::Bool(true),
                (_, "false" | "off") => StorageValue::Bool(false),
                _ => StorageValue::Word(v.to_string()),
            };
            (k.to_string(), value)
        })
        .collect()
}

/// An identity column's settings where they differ from PostgreSQL's.
fn identity_spec(generated: &str, s: Option<&IdentitySequenceRow>) -> IdentitySpec {
    let mut spec = IdentitySpec {
        generated: if generated == "a" { IdentityGeneration::Always } else { IdentityGeneration::ByDefault },
        ..Default::default()
    };
    if let Some(s) = s.map(|s| &s.options) {
        (spec.start, spec.min_value, spec.max_value) = crate::objects::sequence_options(s);
        spec.increment = (s.increment != 1).then_some(s.increment);
        spec.cache = (s.cache != 1).then_some(s.cache);
        spec.cycle = s.cycle;
    }
    spec
}

impl<'a> Importer<'a> {
    /// The constraints declared on relation `oid`, in oid order.
    pub(crate) fn constraints_of(&self, oid: i64) -> Vec<&'a ConstraintRow> {
        self.constraints_by_rel.get(&oid).cloned().unwrap_or_default()
    }

    /// The indexes of relation `oid`, in oid order.
    pub(crate) fn indexes_of(&self, oid: i64) -> Vec<&'a IndexRow> {
        self.indexes_by_rel.get(&oid).cloned().unwrap_or_default()
    }

    /// Report a table the document cannot hold, with everything that goes
    /// with it: its `CREATE TABLE` and comments, then its own indexes.
    fn omit_table(
        &mut self,
        rel: &'a RelationRow,
        columns: &[&ColumnRow],
        constraints: &[&ConstraintRow],
        why: String,
    ) {
        let name = display(&rel.namespace, &rel.name);
        let table = qn(&rel.namespace, &rel.name);
        let mut statement = create_table(rel, columns, constraints);
        if let Some(c) = &rel.comment {
            statement.push_str(&format!(";\n{}", comment_on(&format!("TABLE {table}"), c)));
        }
        for col in columns {
            if let Some(c) = &col.comment {
                statement.push_str(&format!(";\n{}", comment_on(&format!("COLUMN {table}.{}", qi(&col.name)), c)));
            }
        }
        self.note("table", &name, Outcome::Omitted, why, Some(statement));
        for index in self.indexes_of(rel.oid).into_iter().filter(|i| !i.constraint_backed && !i.inherited) {
            let mut statement = index.definition.clone();
            if let Some(c) = &index.comment {
                let what = format!("INDEX {}", qn(&rel.namespace, &index.name));
                statement.push_str(&format!(";\n{}", comment_on(&what, c)));
            }
            self.note(
                "index",
                display(&rel.namespace, &index.name),
                Outcome::Omitted,
                format!("its table {name} is not in the document"),
                Some(statement),
            );
        }
    }

    /// A table (or a partitioned one, without its partitions), or `None`
    /// when one of its columns has a type the document cannot hold.
    pub(crate) fn table(&mut self, rel: &'a RelationRow) -> Option<Table> {
        let name = display(&rel.namespace, &rel.name);
        let columns = self.columns_of.get(&rel.oid).cloned().unwrap_or_default();
        let constraints = self.constraints_of(rel.oid);
        for c in &columns {
            if let Err(why) = self.doc_type(&c.ty) {
                self.omit_table(rel, &columns, &constraints, format!("column {}: {why}", c.name));
                return None;
            }
        }
        let id = self.ids.make_keyed("t", &[&rel.namespace, &rel.name], Some(CatalogKey::Relation { oid: rel.oid }));
        self.rels.insert(rel.oid, id.clone());
        self.origins.insert(
            id.clone(),
            Origin { kind: "table", name: name.clone(), statement: Some(create_table(rel, &columns, &constraints)) },
        );
        let mut table = Table {
            id,
            name: rel.name.clone(),
            namespace_id: self.namespace_id(&rel.namespace),
            comment: rel.comment.clone(),
            position: None,
            columns: Vec::new(),
            indexes: Vec::new(),
            checks: Vec::new(),
            uniques: Vec::new(),
            exclusions: Vec::new(),
            primary_key: None,
            row_level_security: rel.row_security,
            partition_by: None,
            partitions: Vec::new(),
            without_primary_key: false,
            primary_key_name: None,
        };
        for c in &columns {
            let column = self.column(rel, &table.id, c);
            table.columns.push(column);
        }
        self.table_notes(rel);
        self.keys(rel, &mut table, &constraints);
        table.without_primary_key = table.primary_key.is_none() && !table.columns.iter().any(|c| c.primary_key);
        table.indexes = self.table_indexes(rel);
        Some(table)
    }

    /// What the document holds no field for on a table.
    fn table_notes(&mut self, rel: &RelationRow) {
        let name = display(&rel.namespace, &rel.name);
        let q = qn(&rel.namespace, &rel.name);
        if rel.persistence == "u" {
            let s = Some(format!("ALTER TABLE {q} SET UNLOGGED"));
            self.note("table", &name, Outcome::Adjusted, "UNLOGGED is not in the document format", s);
        }
        if rel.force_row_security {
            let s = Some(format!("ALTER TABLE {q} FORCE ROW LEVEL SECURITY"));
            self.note("table", &name, Outcome::Adjusted, "FORCE ROW LEVEL SECURITY is not in the document format", s);
        }
        if let Some(options) = rel.options.as_ref().filter(|o| !o.is_empty()) {
            let s = Some(format!("ALTER TABLE {q} SET ({})", options.join(", ")));
            self.note("table", &name, Outcome::Adjusted, "table storage parameters are not in the document format", s);
        }
        let identity = match rel.replica_identity.as_str() {
            "f" => Some("FULL"),
            "n" => Some("NOTHING"),
            "i" => Some("USING INDEX"),
            _ => None,
        };
        if let Some(identity) = identity {
            let s = (identity != "USING INDEX").then(|| format!("ALTER TABLE {q} REPLICA IDENTITY {identity}"));
            self.note(
                "table",
                &name,
                Outcome::Adjusted,
                format!("REPLICA IDENTITY {identity} is not in the document format"),
                s,
            );
        }
        if rel.typed {
            self.note(
                "table",
                &name,
                Outcome::Adjusted,
                "a typed table (OF type) is imported as a table of its own",
                None,
            );
        }
        if !rel.is_partition && !rel.parents.is_empty() {
            let parents: Vec<String> = rel
                .parents
                .iter()
                .filter_map(|p| self.rel_rows.get(p))
                .map(|p| format!("ALTER TABLE {q} INHERIT {}", qn(&p.namespace, &p.name)))
                .collect();
            self.note(
                "table",
                &name,
                Outcome::Adjusted,
                "table inheritance (INHERITS) is not in the document format: imported as a table with all its columns",
                Some(parents.join(";\n")).filter(|s| !s.is_empty()),
            );
        }
    }

    fn column(&mut self, rel: &RelationRow, table_id: &str, c: &ColumnRow) -> Column {
        let id = self.ids.make_keyed(
            "c",
            &[&rel.namespace, &rel.name, &c.name],
            Some(CatalogKey::Column { relation: rel.oid, attnum: c.num }),
        );
        self.column_ids.insert((rel.oid, c.num), id.clone());
        let ty = self.doc_type(&c.ty).unwrap_or_default();
        let mut column = Column::new(&id, &c.name, ty.data_type);
        column.enum_id = ty.enum_id;
        column.domain_id = ty.domain_id;
        column.composite_id = ty.composite_id;
        column.is_array = ty.is_array;
        column.nullable = c.not_null.then_some(false);
        (column.collation, column.collation_id) = self.collate(&c.collation, &c.collation_namespace);
        column.comment = c.comment.clone();
        let q = qn(&rel.namespace, &rel.name);
        let cname = format!("{}.{}", display(&rel.namespace, &rel.name), c.name);
        match (c.generated.as_str(), &c.default) {
            ("s", Some(expr)) => column.generated = Some(GeneratedSpec { expression: restore_array_casts(expr) }),
            (_, Some(printed)) => {
                column.default = Some(self.default_of(printed, &c.ty));
                self.printed_defaults.insert(id.clone(), printed.clone());
            }
            _ => {}
        }
        if !c.identity.is_empty() {
            column.identity = Some(identity_spec(&c.identity, c.identity_sequence.as_ref()));
            if let Some(seq) = &c.identity_sequence {
                self.names.push(Named::Sequence {
                    table: table_id.to_string(),
                    column: id.clone(),
                    name: seq.name.clone(),
                    at: rel.namespace.clone(),
                    display: cname.clone(),
                });
            }
        }
        let column_privileges: Vec<_> = c
            .privileges
            .iter()
            .map(|p| crate::catalog::PrivilegeRow {
                privilege: format!("{} ({})", p.privilege, qi(&c.name)),
                ..p.clone()
            })
            .collect();
        for (_, s) in crate::sql::grants(&format!("TABLE {q}"), &column_privileges) {
            self.note(
                "privilege",
                &cname,
                Outcome::Omitted,
                "column privileges are not in the document format",
                Some(s),
            );
        }
        if let Some(n) = c.statistics {
            let s = Some(format!("ALTER TABLE {q} ALTER COLUMN {} SET STATISTICS {n}", qi(&c.name)));
            self.note(
                "column",
                &cname,
                Outcome::Adjusted,
                "per-column statistics targets are not in the document format",
                s,
            );
        }
        // Options named `pg_...` are the server's own bookkeeping, which
        // pg_dump does not dump either.
        let options: Vec<&String> = c.options.iter().flatten().filter(|o| !o.starts_with("pg_")).collect();
        if !options.is_empty() {
            let options: Vec<&str> = options.iter().map(|o| o.as_str()).collect();
            let s = Some(format!("ALTER TABLE {q} ALTER COLUMN {} SET ({})", qi(&c.name), options.join(", ")));
            self.note("column", &cname, Outcome::Adjusted, "per-column options are not in the document format", s);
        }
        if c.storage != c.type_storage {
            let storage = match c.storage.as_str() {
                "p" => "PLAIN",
                "e" => "EXTERNAL",
                "m" => "MAIN",
                _ => "EXTENDED",
            };
            let s = Some(format!("ALTER TABLE {q} ALTER COLUMN {} SET STORAGE {storage}", qi(&c.name)));
            self.note("column", &cname, Outcome::Adjusted, "per-column storage is not in the document format", s);
        }
        column
    }

    /// Primary key, unique, check and exclusion constraints.
    fn keys(&mut self, rel: &RelationRow, table: &mut Table, constraints: &[&ConstraintRow]) {
        let tname = display(&rel.namespace, &rel.name);
        for con in constraints {
            let cols: Vec<String> =
                con.columns.iter().flatten().filter_map(|n| self.column_ids.get(&(rel.oid, *n)).cloned()).collect();
            let cname = format!("{tname}.{}", con.name);
            if !con.validated {
                let s = Some(format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}; {} NOT VALID",
                    qn(&rel.namespace, &rel.name),
                    qi(&con.name),
                    add_constraint(rel, con)
                ));
                self.note(
                    "constraint",
                    &cname,
                    Outcome::Adjusted,
                    "NOT VALID: a database built from the document validates it",
                    s,
                );
            }
            match con.kind.as_str() {
                "p" => {
                    if cols.len() == 1 {
                        if let Some(c) = table.columns.iter_mut().find(|c| c.id == cols[0]) {
                            c.primary_key = true;
                        }
                    } else {
                        table.primary_key = Some(cols);
                    }
                    // A name other than PostgreSQL's own default is kept in
                    // the document; the default is left to be generated, so
                    // that renaming the table in the designer renames it too.
                    if con.name != schemaforge_domain::naming::make_object_name(&rel.name, None, "pkey") {
                        table.primary_key_name = Some(con.name.clone());
                    }
                    self.names.push(Named::PrimaryKey {
                        table: table.id.clone(),
                        name: con.name.clone(),
                        display: cname.clone(),
                        sql_table: qn(&rel.namespace, &rel.name),
                    });
                    if con.deferrable {
                        self.note(
                            "primary key",
                            &cname,
                            Outcome::Adjusted,
                            "a deferrable primary key is not in the document format",
                            None,
                        );
                    }
                }
                "u" => {
                    let id = self.ids.make_keyed(
                        "u",
                        &[&rel.namespace, &rel.name, &con.name],
                        Some(CatalogKey::Constraint { oid: con.oid }),
                    );
                    let nnd = self.index_rows.get(&con.index).and_then(|i| i.nulls_not_distinct);
                    self.origins.insert(
                        id.clone(),
                        Origin {
                            kind: "unique constraint",
                            name: cname.clone(),
                            statement: Some(add_constraint(rel, con)),
                        },
                    );
                    table.uniques.push(UniqueConstraint {
                        id,
                        name: Some(con.name.clone()),
                        column_ids: cols,
                        nulls_not_distinct: nnd.unwrap_or(false),
                        deferrable: con.deferrable,
                        initially_deferred: con.deferred,
                        comment: con.comment.clone(),
                    });
                    continue;
                }
                "c" => {
                    let id = self.ids.make_keyed(
                        "k",
                        &[&rel.namespace, &rel.name, &con.name],
                        Some(CatalogKey::Constraint { oid: con.oid }),
                    );
                    self.origins.insert(
                        id.clone(),
                        Origin { kind: "check", name: cname.clone(), statement: Some(add_constraint(rel, con)) },
                    );
                    if con.no_inherit {
                        self.note("check", &cname, Outcome::Adjusted, "NO INHERIT is not in the document format", None);
                    }
                    let expression = restore_array_casts(con.expression.as_deref().unwrap_or_default());
                    table.checks.push(Check {
                        id,
                        name: Some(con.name.clone()),
                        expression,
                        comment: con.comment.clone(),
                    });
                    continue;
                }
                "x" => {
                    if let Some(x) = self.exclusion(rel, con) {
                        table.exclusions.push(x);
                    }
                    continue;
                }
                _ => continue,
            }
            if let Some(comment) = &con.comment {
                let what = format!("CONSTRAINT {} ON {}", qi(&con.name), qn(&rel.namespace, &rel.name));
                self.note(
                    "comment",
                    &cname,
                    Outcome::Omitted,
                    "comments on primary keys are not in the document format",
                    Some(comment_on(&what, comment)),
                );
            }
        }
    }

    fn exclusion(&mut self, rel: &RelationRow, con: &ConstraintRow) -> Option<ExclusionConstraint> {
        let cname = format!("{}.{}", display(&rel.namespace, &rel.name), con.name);
        let index = *self.index_rows.get(&con.index)?;
        let Some(method) = index_method(&index.method) else {
            self.note(
                "exclusion constraint",
                &cname,
                Outcome::Omitted,
                format!("index method {} is not in the document format", index.method),
                Some(add_constraint(rel, con)),
            );
            return None;
        };
        let key_count = usize::try_from(index.key_count).unwrap_or(0);
        let operators = con.operators.clone().unwrap_or_default();
        let mut elements = Vec::new();
        for (e, operator) in index.elements.iter().take(key_count).zip(operators) {
            let spec = self.element(rel, e);
            elements.push(ExclusionElement {
                column_id: spec.column_id,
                expression: spec.expression,
                collation: spec.collation,
                collation_id: spec.collation_id,
                opclass: spec.opclass,
                operator,
            });
        }
        let id = self.ids.make_keyed(
            "ex",
            &[&rel.namespace, &rel.name, &con.name],
            Some(CatalogKey::Constraint { oid: con.oid }),
        );
        self.origins.insert(
            id.clone(),
            Origin { kind: "exclusion constraint", name: cname, statement: Some(add_constraint(rel, con)) },
        );
        Some(ExclusionConstraint {
            id,
            name: Some(con.name.clone()),
            method,
            elements,
            include: self.include(rel, index),
            predicate: index.predicate.as_deref().map(restore_array_casts),
            deferrable: con.deferrable,
            initially_deferred: con.deferred,
            comment: con.comment.clone(),
        })
    }

    /// One key element of an index.
    fn element(&self, rel: &RelationRow, e: &IndexElementRow) -> IndexColumnSpec {
        let option = e.option.unwrap_or(0);
        let desc = option & 1 != 0;
        let nulls_first = option & 2 != 0;
        let (collation, collation_id) = self.collate(&e.collation, &e.collation_namespace);
        IndexColumnSpec {
            column_id: (e.column > 0).then(|| self.column_ids.get(&(rel.oid, e.column)).cloned()).flatten(),
            expression: (e.column == 0).then(|| e.expression.as_deref().map(restore_array_casts)).flatten(),
            collation,
            collation_id,
            opclass: e.opclass.clone().filter(|_| e.opclass_default == Some(false)),
            order: desc.then_some(SortOrder::Desc),
            nulls: match (desc, nulls_first) {
                (true, false) => Some(NullsOrder::Last),
                (false, true) => Some(NullsOrder::First),
                _ => None,
            },
        }
    }

    fn include(&self, rel: &RelationRow, index: &IndexRow) -> Vec<String> {
        let key_count = usize::try_from(index.key_count).unwrap_or(0);
        index
            .elements
            .iter()
            .skip(key_count)
            .filter_map(|e| self.column_ids.get(&(rel.oid, e.column)).cloned())
            .collect()
    }

    /// The indexes of a table or partition that are its own: not a key's,
    /// not a partition's copy of its parent's.
    pub(crate) fn table_indexes(&mut self, rel: &RelationRow) -> Vec<Index> {
        let mut out = Vec::new();
        let rname = display(&rel.namespace, &rel.name);
        for index in self.indexes_of(rel.oid) {
            let iname = display(&rel.namespace, &index.name);
            if index.clustered {
                let s = Some(format!("ALTER TABLE {} CLUSTER ON {}", qn(&rel.namespace, &rel.name), qi(&index.name)));
                self.note(
                    "index",
                    &iname,
                    Outcome::Adjusted,
                    format!("CLUSTER ON is not in the document format ({rname} is clustered on it)"),
                    s,
                );
            }
            if index.constraint_backed || index.inherited {
                // The constraint is in the document with its own comment
                // (`COMMENT ON CONSTRAINT`); a comment on the index behind
                // it has no place there.
                if let Some(comment) = index.comment.as_deref().filter(|_| index.constraint_backed) {
                    let what = format!("INDEX {}", qn(&rel.namespace, &index.name));
                    self.note(
                        "index",
                        &iname,
                        Outcome::Adjusted,
                        "a comment on the index behind a constraint is not in the document format",
                        Some(comment_on(&what, comment)),
                    );
                }
                continue;
            }
            if !index.valid {
                self.note(
                    "index",
                    &iname,
                    Outcome::Omitted,
                    "the index is invalid (a failed CREATE INDEX CONCURRENTLY)",
                    Some(index.definition.clone()),
                );
                continue;
            }
            let Some(method) = index_method(&index.method) else {
                self.note(
                    "index",
                    &iname,
                    Outcome::Omitted,
                    format!("index method {} is not in the document format", index.method),
                    Some(index.definition.clone()),
                );
                continue;
            };
            let key_count = usize::try_from(index.key_count).unwrap_or(0);
            let column_ids = index
                .elements
                .iter()
                .take(key_count)
                .map(|e| {
                    let spec = self.element(rel, e);
                    let plain = spec.expression.is_none()
                        && spec.collation.is_none()
                        && spec.collation_id.is_none()
                        && spec.opclass.is_none()
                        && spec.order.is_none()
                        && spec.nulls.is_none();
                    match (plain, &spec.column_id) {
                        (true, Some(id)) => IndexColumn::Id(id.clone()),
                        _ => IndexColumn::Spec(spec),
                    }
                })
                .collect();
            let id =
                self.ids.make_keyed("i", &[&rel.namespace, &index.name], Some(CatalogKey::Index { oid: index.oid }));
            self.origins
                .insert(id.clone(), Origin { kind: "index", name: iname, statement: Some(index.definition.clone()) });
            out.push(Index {
                id,
                name: Some(index.name.clone()),
                column_ids,
                unique: index.unique,
                method,
                predicate: index.predicate.as_deref().map(restore_array_casts),
                include: self.include(rel, index),
                nulls_not_distinct: index.nulls_not_distinct.unwrap_or(false),
                with: storage_options(index.options.as_deref().unwrap_or_default()),
                comment: index.comment.clone(),
            });
        }
        out
    }

    /// The foreign keys, once every table has its ids.
    pub(crate) fn foreign_keys(&mut self) {
        let cat = self.cat;
        for con in cat.constraints.iter().filter(|c| c.kind == "f") {
            let Some(rel) = self.rel_rows.get(&con.rel).copied() else { continue };
            let cname = format!("{}.{}", display(&rel.namespace, &rel.name), con.name);
            let source = self.rels.get(&con.rel).filter(|_| !rel.is_partition).cloned();
            let target = self.rels.get(&con.ref_rel).cloned();
            let (Some(source), Some(target)) = (source, target) else {
                let why = if rel.is_partition {
                    "a foreign key declared on a partition alone is not in the document format"
                } else {
                    "it references a table that is not imported"
                };
                self.note("foreign key", &cname, Outcome::Omitted, why, Some(add_constraint(rel, con)));
                continue;
            };
            if con.r#match == "p" || con.definition.contains("SET NULL (") || con.definition.contains("SET DEFAULT (") {
                self.note(
                    "foreign key",
                    &cname,
                    Outcome::Omitted,
                    "MATCH PARTIAL and column lists of SET NULL/SET DEFAULT are not in the document format",
                    Some(add_constraint(rel, con)),
                );
                continue;
            }
            let cols = |rel: i64, nums: &Option<Vec<i64>>| -> Vec<String> {
                nums.iter().flatten().filter_map(|n| self.column_ids.get(&(rel, *n)).cloned()).collect()
            };
            let source_columns = cols(con.rel, &con.columns);
            let target_columns = cols(con.ref_rel, &con.ref_columns);
            let id = self.ids.make_keyed(
                "f",
                &[&rel.namespace, &rel.name, &con.name],
                Some(CatalogKey::Constraint { oid: con.oid }),
            );
            self.origins.insert(
                id.clone(),
                Origin { kind: "foreign key", name: cname, statement: Some(add_constraint(rel, con)) },
            );
            self.doc.foreign_keys.push(ForeignKey {
                id,
                name: Some(con.name.clone()),
                source_table_id: source,
                source_column_ids: Some(source_columns),
                source_column_id: None,
                target_table_id: target,
                target_column_ids: Some(target_columns),
                target_column_id: None,
                on_delete: action(&con.on_delete),
                on_update: action(&con.on_update),
                match_type: if con.r#match == "f" { MatchType::Full } else { MatchType::Simple },
                deferrable: con.deferrable,
                initially_deferred: con.deferred,
                comment: con.comment.clone(),
            });
        }
    }
}
