//! Migration scripts: a [`ChangeSet`] rendered as PostgreSQL statements.
//!
//! Everything here runs inside one transaction (no `CONCURRENTLY`, no
//! `VACUUM`), touches only the objects the documents describe (never the
//! provisioning bookkeeping schema), and renders names, literals, types,
//! defaults and expressions with the same code as the create script.

use std::collections::HashMap;

use schemaforge_domain::diff::{Cast, ConstraintKind, Conversion, MovedObject, Shape, diff_models};
use schemaforge_domain::{
    Change, ChangeKind, ChangeSet, ColumnModel, ColumnType, Model, ModelIndex, NamespaceRef, Safety, SequenceOptions,
    TableModel, ValidSchema,
};

use crate::Dialect;
use crate::postgres::{Postgres, plural};
use crate::script::{Script, Statement, StatementKind};

/// The session's own temporary type through which an array column of a
/// rebuilt composite type is converted: `pg_temp` belongs to the session,
/// so the name can never be one of the document's.
const ROW_ARRAY_WRAPPER: &str = "pg_temp.\"sf_row_array\"";

/// A migration between two documents: the changes, the script that applies
/// them, and the script that takes the database back.
///
/// ```
/// use schemaforge_domain::{parse_document, ValidSchema, Safety};
/// use schemaforge_sqlgen::migration;
///
/// let doc = |ty: &str| ValidSchema::parse(parse_document(&format!(r#"{{"name": "x", "tables": [
///     {{"id": "t1", "name": "orders", "columns": [
///       {{"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true}},
///       {{"id": "c2", "name": "code", "dataType": "{ty}"}}]}}]}}"#)).unwrap()).unwrap();
/// let m = migration(&doc("varchar(10)"), &doc("integer"));
/// assert_eq!(m.changes.worst(), Some(Safety::MayFail));
/// assert!(m.up.to_sql().contains(r#"ALTER COLUMN "code" TYPE integer USING "code"::integer"#));
/// assert!(m.down.to_sql().contains(r#"ALTER COLUMN "code" TYPE varchar(10)"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// What changes, in order, with safety classes.
    pub changes: ChangeSet,
    /// Statements from the old document's database to the new one's.
    pub up: Script,
    /// Statements back to the old structure; its notes say which data the
    /// up script destroyed for good.
    pub down: Script,
}

/// The migration from `old` to `new` (up) and back (down).
pub fn migration(old: &ValidSchema, new: &ValidSchema) -> Migration {
    let (old, new) = (old.model(), new.model());
    let changes = diff_models(old, new);
    let back = diff_models(new, old);
    let up = Postgres.migration_script("up", &changes, old, new);
    let down = Postgres.migration_script("down", &back, new, old);
    let lost: Vec<String> = changes
        .changes()
        .iter()
        .filter(|c| c.safety == Safety::DataLoss)
        .map(|c| {
            format!("cannot be undone: the up script's \"{}\" destroyed data this script cannot restore", c.description)
        })
        .collect();
    let down = down.with_notes(lost);
    Migration { changes, up, down }
}

impl Postgres {
    /// Render `changes` (which turn `from` into `to`) as one script.
    fn migration_script(&self, direction: &str, changes: &ChangeSet, from: &Model, to: &Model) -> Script {
        // Lookups by id, built once: a script over many tables stays linear.
        let (from, to) = (ModelIndex::new(from), ModelIndex::new(to));
        let places = Places::new(changes, &from);
        let statements: Vec<Statement> =
            changes.changes().iter().flat_map(|c| self.change_statements(c, &from, &to, &places)).collect();
        let counts: Vec<String> =
            changes.counts().iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{n} {s}")).collect();
        let header = if changes.is_empty() {
            format!("Schemaforge migration ({direction}) for PostgreSQL: no changes")
        } else {
            format!(
                "Schemaforge migration ({direction}) for PostgreSQL: {} ({}); run it in one transaction",
                plural(changes.changes().len(), "change", "changes"),
                counts.join(", ")
            )
        };
        let notes = changes
            .changes()
            .iter()
            .filter(|c| c.safety != Safety::Safe)
            .map(|c| format!("{}: {}", c.safety, c.description))
            .collect();
        Script::new(header, statements).with_notes(notes)
    }

    fn alter_table(&self, t: &TableModel, action: String) -> String {
        format!("ALTER TABLE {} {action}", self.table_name(t))
    }

    fn alter_column(&self, t: &TableModel, c: &ColumnModel, action: &str) -> String {
        self.alter_table(t, format!("ALTER COLUMN {} {action}", self.qi(c.name.as_str())))
    }

    /// The `USING` expression converting `col` (an already quoted column, or
    /// any SQL expression of the old type) to `new`, if one is needed.
    ///
    /// ```
    /// use schemaforge_domain::{BaseType, ColumnType, diff::type_change};
    /// use schemaforge_sqlgen::Postgres;
    ///
    /// let (old, new) = (ColumnType { base: BaseType::Date, array: false }, ColumnType { base: BaseType::Uuid, array: false });
    /// let conversion = type_change(&old, &new).conversion;
    /// assert_eq!(Postgres.using(r#""c""#, &conversion, &new).as_deref(), Some(r#""c"::text::uuid"#));
    /// ```
    pub fn using(&self, col: &str, conversion: &Conversion, new: &ColumnType) -> Option<String> {
        if !conversion.needs_using() {
            return None;
        }
        let base = self.render_type(&ColumnType { base: new.base.clone(), array: false });
        let element = |e: String| match &conversion.cast {
            Cast::Automatic => e,
            Cast::ByAttributeName => format!("jsonb_populate_record(NULL::{base}, to_jsonb({e}))"),
            Cast::Explicit => format!("{e}::{base}"),
            Cast::Via(via) => {
                format!("{e}::{}::{base}", self.render_type(&ColumnType { base: via.clone(), array: false }))
            }
        };
        Some(match conversion.shape {
            Shape::Same if !new.array => element(col.to_string()),
            Shape::Same => match &conversion.cast {
                // An array of rows goes through a temporary type whose one
                // attribute `v` is of the new array type (see
                // `ROW_ARRAY_WRAPPER`).
                Cast::ByAttributeName => format!(
                    "(jsonb_populate_record(NULL::{ROW_ARRAY_WRAPPER}, jsonb_build_object('v', to_jsonb({col})))).v"
                ),
                Cast::Via(via) => format!(
                    "{col}::{}::{}",
                    self.render_type(&ColumnType { base: via.clone(), array: true }),
                    self.render_type(new)
                ),
                _ => format!("{col}::{}", self.render_type(new)),
            },
            Shape::WrapInArray => format!("CASE WHEN {col} IS NULL THEN NULL ELSE ARRAY[{}] END", element(col.into())),
            Shape::FirstElement => element(format!("{col}[1]")),
        })
    }

    /// The statements of one change. Drops read names from `from`, renames
    /// carry theirs, everything else reads `to` (it runs after the renames).
    fn change_statements(
        &self,
        change: &Change,
        from: &ModelIndex<'_>,
        to: &ModelIndex<'_>,
        places: &Places<'_>,
    ) -> Vec<Statement> {
        let target = change.target.clone();
        let st = |kind: StatementKind, sql: String| vec![Statement { kind, target: target.clone(), sql }];
        // `what` `a` renamed in `schema` (a rename runs where the object is
        // at that point: see `Places::during_renames`).
        let rename = |what: &str, schema: Option<String>, a: &str, b: &str| {
            st(
                StatementKind::Rename,
                format!("ALTER {what} {} RENAME TO {}", self.qualified(schema.as_deref(), a), self.qi(b)),
            )
        };
        let during = |id: &str, new: Option<&Option<NamespaceRef>>, old: Option<&Option<NamespaceRef>>| {
            places.during_renames(id, new, old)
        };
        let table_during = |table_id: &str| {
            during(table_id, to.table(table_id).map(|t| &t.namespace), from.table(table_id).map(|t| &t.namespace))
        };
        // Where a type or sequence is dropped after the namespace renames:
        // a rebuilt type's old one where the new one is, else where it was.
        let dropped_at = |new: Option<&Option<NamespaceRef>>, old: Option<&Option<NamespaceRef>>| match new {
            Some(ns) => ns.as_ref().map(|n| n.name.to_string()),
            None => old.and_then(|ns| places.now(ns)),
        };
        fn column<'m>(
            m: &ModelIndex<'m>,
            table_id: &str,
            column_id: &str,
        ) -> Option<(&'m TableModel, &'m ColumnModel)> {
            let t = m.table(table_id)?;
            Some((t, t.column(column_id)?))
        }
        let statements = match &change.kind {
            ChangeKind::CreateNamespace { namespace_id } => {
                to.namespace(namespace_id).map(|n| vec![self.create_schema(n)])
            }
            ChangeKind::DropNamespace { name, .. } => {
                Some(st(StatementKind::DropSchema, format!("DROP SCHEMA {}", self.qi(name))))
            }
            ChangeKind::RenameNamespace { from: a, to: b, .. } => {
                Some(st(StatementKind::Rename, format!("ALTER SCHEMA {} RENAME TO {}", self.qi(a), self.qi(b))))
            }
            ChangeKind::SetNamespaceComment { namespace_id } => {
                to.namespace(namespace_id).map(|n| vec![self.schema_comment(n)])
            }
            ChangeKind::MoveObject { object, object_id: _, name, from_namespace_id, to_namespace_id, staging } => {
                let schema_to = to_namespace_id
                    .as_deref()
                    .and_then(|id| to.namespace(id))
                    .map_or_else(|| self.qi("public"), |n| self.qi(n.name.as_str()));
                let kw = object.keyword();
                if *object == MovedObject::Extension {
                    return st(
                        StatementKind::SetSchema,
                        format!("ALTER EXTENSION {} SET SCHEMA {schema_to}", self.qi(name)),
                    );
                }
                let old = from_namespace_id.as_deref().and_then(|id| from.namespace(id));
                let here = self.qualified(
                    old.map(|n| places.renamed.get(n.id.as_str()).copied().unwrap_or(n.name.as_str())),
                    name,
                );
                Some(match staging {
                    Some(staging) => {
                        let mut out = st(StatementKind::CreateSchema, format!("CREATE SCHEMA {}", self.qi(staging)));
                        out.extend(st(
                            StatementKind::SetSchema,
                            format!("ALTER {kw} {here} SET SCHEMA {}", self.qi(staging)),
                        ));
                        out
                    }
                    None => st(StatementKind::SetSchema, format!("ALTER {kw} {here} SET SCHEMA {schema_to}")),
                })
            }
            ChangeKind::FinishMove { object, object_id, staging } => {
                let placed = match object {
                    MovedObject::Table => to.table(object_id).map(|t| (&t.namespace, t.name.as_str())),
                    MovedObject::Enum => to.enum_type(object_id).map(|e| (&e.namespace, e.name.as_str())),
                    MovedObject::Domain => to.domain(object_id).map(|d| (&d.namespace, d.name.as_str())),
                    MovedObject::Composite => to.composite(object_id).map(|c| (&c.namespace, c.name.as_str())),
                    MovedObject::Sequence => to.sequence(object_id).map(|s| (&s.namespace, s.name.as_str())),
                    MovedObject::Extension => None,
                };
                placed.map(|(ns, name)| {
                    let schema_to = ns.as_ref().map_or_else(|| self.qi("public"), |n| self.qi(n.name.as_str()));
                    let mut out = st(
                        StatementKind::SetSchema,
                        format!(
                            "ALTER {} {} SET SCHEMA {schema_to}",
                            object.keyword(),
                            self.qualified(Some(staging), name)
                        ),
                    );
                    out.extend(st(StatementKind::DropSchema, format!("DROP SCHEMA {}", self.qi(staging))));
                    out
                })
            }
            ChangeKind::ReleaseSequence { sequence_id } => from.sequence(sequence_id).map(|s| {
                st(
                    StatementKind::SetSequence,
                    format!("ALTER SEQUENCE {} OWNED BY NONE", self.qn(&s.namespace, s.name.as_str())),
                )
            }),
            ChangeKind::CreateExtension { extension_id } => {
                to.extension(extension_id).map(|e| vec![self.create_extension(e)])
            }
            ChangeKind::DropExtension { name, .. } => {
                Some(st(StatementKind::DropExtension, format!("DROP EXTENSION {}", self.qi(name))))
            }
            ChangeKind::UpdateExtension { extension_id, to: version, .. } => to.extension(extension_id).map(|e| {
                let version = version.as_deref().map(|v| format!(" TO {}", self.quote_literal(v))).unwrap_or_default();
                st(
                    StatementKind::AlterExtension,
                    format!("ALTER EXTENSION {} UPDATE{version}", self.qi(e.name.as_str())),
                )
            }),
            ChangeKind::SetExtensionComment { extension_id } => {
                to.extension(extension_id).map(|e| vec![self.extension_comment(e)])
            }
            ChangeKind::CreateSequence { sequence_id } => {
                to.sequence(sequence_id).map(|s| vec![self.create_sequence(s)])
            }
            ChangeKind::DropSequence { sequence_id, name } => {
                let schema = dropped_at(None, from.sequence(sequence_id).map(|s| &s.namespace));
                Some(st(
                    StatementKind::DropSequence,
                    format!("DROP SEQUENCE IF EXISTS {}", self.qualified(schema.as_deref(), name)),
                ))
            }
            ChangeKind::RenameStandaloneSequence { sequence_id, from: a, to: b } => {
                let schema = during(
                    sequence_id,
                    to.sequence(sequence_id).map(|s| &s.namespace),
                    from.sequence(sequence_id).map(|s| &s.namespace),
                );
                Some(rename("SEQUENCE", schema, a, b))
            }
            ChangeKind::AlterStandaloneSequence { sequence_id } => {
                let old = from.sequence(sequence_id);
                to.sequence(sequence_id).and_then(|n| {
                    let o = old?;
                    let mut clauses = Vec::new();
                    if o.ty != n.ty {
                        clauses
                            .push(format!("AS {}", self.render_type(&ColumnType { base: n.ty.clone(), array: false })));
                    }
                    clauses.extend(sequence_changes(&o.options, &n.options));
                    Some(st(
                        StatementKind::SetSequence,
                        format!("ALTER SEQUENCE {} {}", self.qn(&n.namespace, n.name.as_str()), clauses.join(" ")),
                    ))
                })
            }
            ChangeKind::SetSequenceOwner { sequence_id } => {
                to.sequence(sequence_id).map(|s| vec![self.sequence_owner(to, s)])
            }
            ChangeKind::SetSequenceComment { sequence_id } => {
                to.sequence(sequence_id).map(|s| vec![self.sequence_comment(s)])
            }
            ChangeKind::CreateEnum { enum_id } => to.enum_type(enum_id).map(|e| vec![self.create_enum(e)]),
            ChangeKind::DropEnum { enum_id, name } => {
                let schema = dropped_at(
                    to.enum_type(enum_id).map(|e| &e.namespace),
                    from.enum_type(enum_id).map(|e| &e.namespace),
                );
                Some(st(StatementKind::DropEnum, format!("DROP TYPE {}", self.qualified(schema.as_deref(), name))))
            }
            ChangeKind::RenameEnum { enum_id, from: a, to: b } => {
                let schema = during(
                    enum_id,
                    to.enum_type(enum_id).map(|e| &e.namespace),
                    from.enum_type(enum_id).map(|e| &e.namespace),
                );
                Some(rename("TYPE", schema, a, b))
            }
            ChangeKind::AddEnumValue { enum_id, value, before, after } => to.enum_type(enum_id).map(|e| {
                let place = match (before, after) {
                    (Some(b), _) => format!(" BEFORE {}", self.quote_literal(b)),
                    (None, Some(a)) => format!(" AFTER {}", self.quote_literal(a)),
                    (None, None) => String::new(),
                };
                st(
                    StatementKind::AlterEnum,
                    format!(
                        "ALTER TYPE {} ADD VALUE {}{place}",
                        self.qn(&e.namespace, e.name.as_str()),
                        self.quote_literal(value)
                    ),
                )
            }),
            ChangeKind::RenameEnumValue { enum_id, from: a, to: b } => to.enum_type(enum_id).map(|e| {
                let schema = during(enum_id, Some(&e.namespace), None);
                st(
                    StatementKind::AlterEnum,
                    format!(
                        "ALTER TYPE {} RENAME VALUE {} TO {}",
                        self.qualified(schema.as_deref(), e.name.as_str()),
                        self.quote_literal(a),
                        self.quote_literal(b)
                    ),
                )
            }),
            ChangeKind::RebuildEnum { enum_id, old_name } => to.enum_type(enum_id).map(|e| {
                let mut out =
                    rename("TYPE", e.namespace.as_ref().map(|n| n.name.to_string()), e.name.as_str(), old_name);
                out.push(self.create_enum(e));
                out
            }),
            ChangeKind::CreateDomain { domain_id } => to.domain(domain_id).map(|d| vec![self.create_domain(d)]),
            ChangeKind::DropDomain { domain_id, name } => {
                let schema = dropped_at(
                    to.domain(domain_id).map(|d| &d.namespace),
                    from.domain(domain_id).map(|d| &d.namespace),
                );
                Some(st(StatementKind::DropDomain, format!("DROP DOMAIN {}", self.qualified(schema.as_deref(), name))))
            }
            ChangeKind::RenameDomain { domain_id, from: a, to: b } => {
                let schema = during(
                    domain_id,
                    to.domain(domain_id).map(|d| &d.namespace),
                    from.domain(domain_id).map(|d| &d.namespace),
                );
                Some(rename("DOMAIN", schema, a, b))
            }
            ChangeKind::RebuildDomain { domain_id, old_name } => to.domain(domain_id).map(|d| {
                let mut out =
                    rename("DOMAIN", d.namespace.as_ref().map(|n| n.name.to_string()), d.name.as_str(), old_name);
                out.push(self.create_domain(d));
                out
            }),
            ChangeKind::AddDomainCheck { domain_id, check_id } => to.domain(domain_id).and_then(|d| {
                let k = d.check(check_id)?;
                Some(st(
                    StatementKind::AlterDomain,
                    format!(
                        "ALTER DOMAIN {} ADD {}",
                        self.qn(&d.namespace, d.name.as_str()),
                        self.domain_check_clause(k)
                    ),
                ))
            }),
            ChangeKind::DropDomainCheck { domain_id, domain, name } => {
                // Before the renames: the domain is where it was.
                let schema = from.domain(domain_id).and_then(|d| d.namespace.as_ref()).map(|n| n.name.as_str());
                Some(st(
                    StatementKind::AlterDomain,
                    format!("ALTER DOMAIN {} DROP CONSTRAINT {}", self.qualified(schema, domain), self.qi(name)),
                ))
            }
            ChangeKind::RenameDomainCheck { domain_id, from: a, to: b } => to.domain(domain_id).map(|d| {
                let schema = during(domain_id, Some(&d.namespace), None);
                st(
                    StatementKind::Rename,
                    format!(
                        "ALTER DOMAIN {} RENAME CONSTRAINT {} TO {}",
                        self.qualified(schema.as_deref(), d.name.as_str()),
                        self.qi(a),
                        self.qi(b)
                    ),
                )
            }),
            ChangeKind::SetDomainNotNull { domain_id, not_null } => {
                // Dropped before the renames (the old name), set after.
                let model = if *not_null { to } else { from };
                model.domain(domain_id).map(|d| {
                    let what = if *not_null { "SET" } else { "DROP" };
                    st(
                        StatementKind::AlterDomain,
                        format!("ALTER DOMAIN {} {what} NOT NULL", self.qn(&d.namespace, d.name.as_str())),
                    )
                })
            }
            ChangeKind::SetDomainDefault { domain_id } => to.domain(domain_id).map(|d| {
                let action = match &d.default {
                    Some(default) => {
                        let base = ColumnType { base: d.base.clone(), array: false };
                        format!("SET DEFAULT {}", self.default_value_sql(default, &base))
                    }
                    None => "DROP DEFAULT".to_string(),
                };
                st(
                    StatementKind::AlterDomain,
                    format!("ALTER DOMAIN {} {action}", self.qn(&d.namespace, d.name.as_str())),
                )
            }),
            ChangeKind::SetDomainComment { domain_id } => to.domain(domain_id).map(|d| vec![self.domain_comment(d)]),
            ChangeKind::CreateComposite { composite_id } => {
                to.composite(composite_id).map(|c| vec![self.create_composite(c)])
            }
            ChangeKind::DropComposite { composite_id, name } => {
                let schema = dropped_at(
                    to.composite(composite_id).map(|c| &c.namespace),
                    from.composite(composite_id).map(|c| &c.namespace),
                );
                Some(st(StatementKind::DropComposite, format!("DROP TYPE {}", self.qualified(schema.as_deref(), name))))
            }
            ChangeKind::RenameComposite { composite_id, from: a, to: b } => {
                let schema = during(
                    composite_id,
                    to.composite(composite_id).map(|c| &c.namespace),
                    from.composite(composite_id).map(|c| &c.namespace),
                );
                Some(rename("TYPE", schema, a, b))
            }
            ChangeKind::RebuildComposite { composite_id, old_name } => to.composite(composite_id).map(|c| {
                let mut out =
                    rename("TYPE", c.namespace.as_ref().map(|n| n.name.to_string()), c.name.as_str(), old_name);
                out.push(self.create_composite(c));
                out
            }),
            ChangeKind::AddAttribute { composite_id, attribute_id } => to.composite(composite_id).and_then(|c| {
                let a = c.attribute(attribute_id)?;
                Some(st(
                    StatementKind::AlterComposite,
                    format!(
                        "ALTER TYPE {} ADD ATTRIBUTE {}",
                        self.qn(&c.namespace, c.name.as_str()),
                        self.attribute_sql(a)
                    ),
                ))
            }),
            ChangeKind::DropAttribute { composite_id, composite, name } => {
                // Before the renames: the type is where it was.
                let schema = from.composite(composite_id).and_then(|c| c.namespace.as_ref()).map(|n| n.name.as_str());
                Some(st(
                    StatementKind::AlterComposite,
                    format!("ALTER TYPE {} DROP ATTRIBUTE {}", self.qualified(schema, composite), self.qi(name)),
                ))
            }
            ChangeKind::RenameAttribute { composite_id, from: a, to: b } => to.composite(composite_id).map(|c| {
                let schema = during(composite_id, Some(&c.namespace), None);
                st(
                    StatementKind::Rename,
                    format!(
                        "ALTER TYPE {} RENAME ATTRIBUTE {} TO {}",
                        self.qualified(schema.as_deref(), c.name.as_str()),
                        self.qi(a),
                        self.qi(b)
                    ),
                )
            }),
            ChangeKind::AlterAttributeType { composite_id, attribute_id } => to.composite(composite_id).and_then(|c| {
                let a = c.attribute(attribute_id)?;
                let collation =
                    a.collation.as_ref().map(|k| format!(" COLLATE {}", self.qi(k.as_str()))).unwrap_or_default();
                Some(st(
                    StatementKind::AlterComposite,
                    format!(
                        "ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {}{collation}",
                        self.qn(&c.namespace, c.name.as_str()),
                        self.qi(a.name.as_str()),
                        self.render_type(&a.ty)
                    ),
                ))
            }),
            ChangeKind::SetCompositeComment { composite_id } => {
                to.composite(composite_id).map(|c| vec![self.composite_comment(c)])
            }
            ChangeKind::AddTable { table_id } => {
                to.table(table_id).map(|t| st(StatementKind::CreateTable, self.create_table(t)))
            }
            ChangeKind::DropTable { table_id } => {
                from.table(table_id).map(|t| st(StatementKind::DropTable, format!("DROP TABLE {}", self.table_name(t))))
            }
            ChangeKind::RenameTable { table_id, from: a, to: b } => Some(rename("TABLE", table_during(table_id), a, b)),
            ChangeKind::AddColumn { table_id, column_id } => column(to, table_id, column_id).map(|(t, c)| {
                st(StatementKind::AddColumn, self.alter_table(t, format!("ADD COLUMN {}", self.column_sql(t, c))))
            }),
            ChangeKind::DropColumn { table_id, column_id } => column(from, table_id, column_id).map(|(t, c)| {
                st(StatementKind::DropColumn, self.alter_table(t, format!("DROP COLUMN {}", self.qi(c.name.as_str()))))
            }),
            ChangeKind::RenameColumn { table_id, from: a, to: b, .. } => to.table(table_id).map(|t| {
                let table = self.qualified(table_during(table_id).as_deref(), t.name.as_str());
                st(StatementKind::Rename, format!("ALTER TABLE {table} RENAME COLUMN {} TO {}", self.qi(a), self.qi(b)))
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
                    let alter = st(StatementKind::AlterColumn, self.alter_table(t, actions.join(",\n    ")));
                    if conversion.cast == Cast::ByAttributeName && c.ty.array {
                        // A session's own type, never a name of the document.
                        let wrapper = st(
                            StatementKind::CreateComposite,
                            format!("CREATE TYPE {ROW_ARRAY_WRAPPER} AS (v {})", self.render_type(&c.ty)),
                        );
                        let drop = st(StatementKind::DropComposite, format!("DROP TYPE {ROW_ARRAY_WRAPPER}"));
                        [wrapper, alter, drop].concat()
                    } else {
                        alter
                    }
                })
            }
            ChangeKind::DropExpression { table_id, column_id } => column(from, table_id, column_id)
                .map(|(t, c)| st(StatementKind::AlterColumn, self.alter_column(t, c, "DROP EXPRESSION"))),
            ChangeKind::SetNotNull { table_id, column_id } => column(to, table_id, column_id)
                .map(|(t, c)| st(StatementKind::AlterColumn, self.alter_column(t, c, "SET NOT NULL"))),
            ChangeKind::DropNotNull { table_id, column_id } => column(to, table_id, column_id)
                .map(|(t, c)| st(StatementKind::AlterColumn, self.alter_column(t, c, "DROP NOT NULL"))),
            ChangeKind::SetDefault { table_id, column_id } => column(to, table_id, column_id).and_then(|(t, c)| {
                let default = self.default_sql(c)?;
                Some(st(StatementKind::AlterColumn, self.alter_column(t, c, &format!("SET DEFAULT {default}"))))
            }),
            ChangeKind::DropDefault { table_id, column_id } => column(to, table_id, column_id)
                .map(|(t, c)| st(StatementKind::AlterColumn, self.alter_column(t, c, "DROP DEFAULT"))),
            ChangeKind::AddIdentity { table_id, column_id } => column(to, table_id, column_id).and_then(|(t, c)| {
                let identity = c.identity.as_ref()?;
                let mut out = st(
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
                        target: target.clone(),
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
                .map(|(t, c)| st(StatementKind::AlterColumn, self.alter_column(t, c, "DROP IDENTITY"))),
            ChangeKind::SetIdentityGeneration { table_id, column_id, always } => {
                column(to, table_id, column_id).map(|(t, c)| {
                    let how = if *always { "SET GENERATED ALWAYS" } else { "SET GENERATED BY DEFAULT" };
                    st(StatementKind::AlterColumn, self.alter_column(t, c, how))
                })
            }
            ChangeKind::AlterSequenceOptions { table_id, column_id } => {
                let old = column(from, table_id, column_id).and_then(|(_, c)| c.identity.as_ref());
                column(to, table_id, column_id).and_then(|(t, c)| {
                    let (old, new) = (old?, c.identity.as_ref()?);
                    let set: Vec<String> =
                        sequence_changes(&old.options, &new.options).iter().map(|c| format!("SET {c}")).collect();
                    let set = set.join(" ");
                    Some(st(StatementKind::AlterColumn, self.alter_column(t, c, &set)))
                })
            }
            ChangeKind::RenameSequence { table_id, from: a, to: b, .. } => {
                Some(rename("SEQUENCE", table_during(table_id), a, b))
            }
            ChangeKind::AddPrimaryKey { table_id } => to.table(table_id).and_then(|t| {
                let clause = self.key_clause(t, t.primary_key.as_ref()?, true);
                Some(st(StatementKind::AddConstraint, self.alter_table(t, format!("ADD {clause}"))))
            }),
            ChangeKind::DropPrimaryKey { table_id } => from.table(table_id).and_then(|t| {
                let pk = t.primary_key.as_ref()?;
                Some(st(StatementKind::DropConstraint, self.drop_constraint(t, pk.name.as_str())))
            }),
            ChangeKind::AddUnique { table_id, column_ids } => to.table(table_id).and_then(|t| {
                let key = t.uniques.iter().find(|u| &u.column_ids == column_ids)?;
                let clause = self.key_clause(t, key, false);
                Some(st(StatementKind::AddConstraint, self.alter_table(t, format!("ADD {clause}"))))
            }),
            ChangeKind::DropUnique { table_id, column_ids } => from.table(table_id).and_then(|t| {
                let key = t.uniques.iter().find(|u| &u.column_ids == column_ids)?;
                Some(st(StatementKind::DropConstraint, self.drop_constraint(t, key.name.as_str())))
            }),
            ChangeKind::AddCheck { table_id, check_id } => to.table(table_id).and_then(|t| {
                let k = t.checks.iter().find(|k| &k.id == check_id)?;
                let clause = self.check_clause(k);
                Some(st(StatementKind::AddConstraint, self.alter_table(t, format!("ADD {clause}"))))
            }),
            ChangeKind::DropCheck { table_id, check_id } => from.table(table_id).and_then(|t| {
                let k = t.checks.iter().find(|k| &k.id == check_id)?;
                Some(st(StatementKind::DropConstraint, self.drop_constraint(t, k.name.as_str())))
            }),
            ChangeKind::AddIndex { table_id, index_id } => to.table(table_id).and_then(|t| {
                let x = t.indexes.iter().find(|x| &x.id == index_id)?;
                Some(vec![self.create_index(t, x)])
            }),
            ChangeKind::DropIndex { table_id, index_id } => from.table(table_id).and_then(|t| {
                let x = t.indexes.iter().find(|x| &x.id == index_id)?;
                Some(st(StatementKind::DropIndex, format!("DROP INDEX {}", self.qn(&t.namespace, x.name.as_str()))))
            }),
            ChangeKind::RenameIndex { table_id, from: a, to: b, .. } => {
                Some(rename("INDEX", table_during(table_id), a, b))
            }
            ChangeKind::SetIndexStorage { table_id, index_id, reset } => to.table(table_id).and_then(|t| {
                let x = t.indexes.iter().find(|x| x.id == *index_id)?;
                let name = self.qn(&t.namespace, x.name.as_str());
                let mut out = Vec::new();
                if !x.storage.is_empty() {
                    out.extend(st(
                        StatementKind::AlterIndex,
                        format!("ALTER INDEX {name} SET ({})", crate::postgres::storage_sql(&x.storage)),
                    ));
                }
                if !reset.is_empty() {
                    out.extend(st(
                        StatementKind::AlterIndex,
                        format!("ALTER INDEX {name} RESET ({})", reset.join(", ")),
                    ));
                }
                Some(out)
            }),
            ChangeKind::RenameConstraint { table_id, constraint, from: a, to: b } => match constraint {
                // Renaming a key's index renames the key, and needs no table
                // name (which may be mid-swap at this point).
                ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclusion => {
                    Some(rename("INDEX", table_during(table_id), a, b))
                }
                ConstraintKind::Check | ConstraintKind::ForeignKey => to.table(table_id).map(|t| {
                    let table = self.qualified(table_during(table_id).as_deref(), t.name.as_str());
                    st(
                        StatementKind::Rename,
                        format!("ALTER TABLE {table} RENAME CONSTRAINT {} TO {}", self.qi(a), self.qi(b)),
                    )
                }),
            },
            ChangeKind::AddExclusion { table_id, exclusion_id } => to.table(table_id).and_then(|t| {
                let x = t.exclusions.iter().find(|x| x.id == *exclusion_id)?;
                Some(st(
                    StatementKind::AddConstraint,
                    self.alter_table(t, format!("ADD {}", self.exclusion_clause(t, x))),
                ))
            }),
            ChangeKind::DropExclusion { table_id, name, .. } => {
                from.table(table_id).map(|t| st(StatementKind::DropConstraint, self.drop_constraint(t, name)))
            }
            ChangeKind::AddForeignKey { foreign_key_id } => to
                .foreign_key(foreign_key_id)
                .and_then(|fk| self.add_foreign_key(to, fk))
                .map(|s| vec![Statement { target: target.clone(), ..s }]),
            ChangeKind::DropForeignKey { foreign_key_id } => from.foreign_key(foreign_key_id).and_then(|fk| {
                let t = from.table(&fk.source_table_id)?;
                Some(st(StatementKind::DropForeignKey, self.drop_constraint(t, fk.name.as_str())))
            }),
            ChangeKind::SetTableComment { table_id } => to.table(table_id).map(|t| vec![self.table_comment(t)]),
            ChangeKind::SetColumnComment { table_id, column_id } => {
                column(to, table_id, column_id).map(|(t, c)| vec![self.column_comment(t, c)])
            }
            ChangeKind::SetEnumComment { enum_id } => to.enum_type(enum_id).map(|e| vec![self.enum_comment(e)]),
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
        };
        // Every id in a change set comes from these models, so lookups
        // cannot miss; an empty list would only hide a diff bug.
        statements.unwrap_or_default()
    }

    fn drop_constraint(&self, t: &TableModel, name: &str) -> String {
        self.alter_table(t, format!("DROP CONSTRAINT {}", self.qi(name)))
    }
}

/// Where objects are while the script runs, beyond what either model says.
struct Places<'m> {
    /// Old namespaces by id, with their names after the namespace renames
    /// (a new name, or a temporary one until they are dropped).
    renamed: HashMap<&'m str, &'m str>,
    /// Objects that move through a schema of their own, by id, with that
    /// schema: their renames run there (a table's owned sequences go with it).
    staged: HashMap<&'m str, &'m str>,
}

impl<'m> Places<'m> {
    fn new(changes: &'m ChangeSet, from: &ModelIndex<'m>) -> Self {
        let mut renamed = HashMap::new();
        let mut staged = HashMap::new();
        let mut released = Vec::new();
        for c in changes.changes() {
            match &c.kind {
                ChangeKind::RenameNamespace { namespace_id, to, .. } => {
                    renamed.insert(namespace_id.as_str(), to.as_str());
                }
                ChangeKind::MoveObject { object_id, staging: Some(staging), .. } => {
                    staged.insert(object_id.as_str(), staging.as_str());
                }
                ChangeKind::ReleaseSequence { sequence_id } => released.push(sequence_id.as_str()),
                _ => {}
            }
        }
        for s in &from.model().sequences {
            let carrier = s.owned_by.as_ref().and_then(|(t, _)| staged.get(t.as_str()).copied());
            if let Some(staging) = carrier.filter(|_| !released.contains(&s.id.as_str())) {
                staged.insert(s.id.as_str(), staging);
            }
        }
        Self { renamed, staged }
    }

    /// The name, after the namespace renames, of the old namespace `ns`.
    fn now(&self, ns: &Option<NamespaceRef>) -> Option<String> {
        let n = ns.as_ref()?;
        Some(self.renamed.get(n.id.as_str()).map_or_else(|| n.name.to_string(), |s| s.to_string()))
    }

    /// The schema that object `id` is in while the renames run: its staging
    /// schema, else its new namespace (moves ran before), else (an object
    /// that goes away) its old one.
    fn during_renames(
        &self,
        id: &str,
        new: Option<&Option<NamespaceRef>>,
        old: Option<&Option<NamespaceRef>>,
    ) -> Option<String> {
        if let Some(staging) = self.staged.get(id) {
            return Some(staging.to_string());
        }
        match new {
            Some(ns) => ns.as_ref().map(|n| n.name.to_string()),
            None => old.and_then(|ns| self.now(ns)),
        }
    }
}

/// The clauses (`INCREMENT BY 5`, `NO MAXVALUE`, ...) from one set of
/// sequence options to another; an option that goes back to PostgreSQL's
/// default is reset explicitly. `ALTER SEQUENCE` takes them as they are; an
/// identity column's `ALTER COLUMN` puts `SET` before each.
fn sequence_changes(old: &SequenceOptions, new: &SequenceOptions) -> Vec<String> {
    let ascending = new.increment.is_none_or(|i| i > 0);
    let mut out = Vec::new();
    if old.increment != new.increment {
        out.push(format!("INCREMENT BY {}", new.increment.unwrap_or(1)));
    }
    if old.min_value != new.min_value {
        out.push(new.min_value.map_or_else(|| "NO MINVALUE".to_string(), |v| format!("MINVALUE {v}")));
    }
    if old.max_value != new.max_value {
        out.push(new.max_value.map_or_else(|| "NO MAXVALUE".to_string(), |v| format!("MAXVALUE {v}")));
    }
    if old.start != new.start {
        // START only matters to a later RESTART; the default is the bound
        // the sequence counts from.
        let start = new.start.or(if ascending { new.min_value } else { new.max_value });
        out.push(format!("START WITH {}", start.unwrap_or(if ascending { 1 } else { -1 })));
    }
    if old.cache != new.cache {
        out.push(format!("CACHE {}", new.cache.unwrap_or(1)));
    }
    if old.cycle != new.cycle {
        out.push(if new.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemaforge_domain::parse_document;

    fn schema(json: &str) -> ValidSchema {
        ValidSchema::parse(parse_document(json).unwrap()).unwrap_or_else(|e| panic!("{:#?}", e.report.problems))
    }

    fn column_change(old: &str, new: &str) -> (String, String) {
        let doc = |col: &str| {
            schema(&format!(
                r#"{{"name": "x", "tables": [{{"id": "t", "name": "t", "columns": [
                {{"id": "pk", "name": "id", "dataType": "integer", "primaryKey": true}}, {col}]}}]}}"#
            ))
        };
        let m = migration(&doc(old), &doc(new));
        let sql = |s: &Script| s.statements().iter().map(|s| s.sql.clone()).collect::<Vec<_>>().join(";\n");
        (sql(&m.up), sql(&m.down))
    }

    #[test]
    fn using_clauses_follow_the_casts() {
        let (up, down) = column_change(
            r#"{"id": "a", "name": "a", "dataType": "text"}"#,
            r#"{"id": "a", "name": "a", "dataType": "uuid"}"#,
        );
        assert_eq!(up, r#"ALTER TABLE "t" ALTER COLUMN "a" TYPE uuid USING "a"::uuid"#);
        assert_eq!(down, r#"ALTER TABLE "t" ALTER COLUMN "a" TYPE text"#);
        let (up, _) = column_change(
            r#"{"id": "a", "name": "a", "dataType": "date"}"#,
            r#"{"id": "a", "name": "a", "dataType": "uuid"}"#,
        );
        assert_eq!(up, r#"ALTER TABLE "t" ALTER COLUMN "a" TYPE uuid USING "a"::text::uuid"#);
        let (up, down) = column_change(
            r#"{"id": "a", "name": "a", "dataType": "integer"}"#,
            r#"{"id": "a", "name": "a", "dataType": "text[]"}"#,
        );
        assert_eq!(
            up,
            r#"ALTER TABLE "t" ALTER COLUMN "a" TYPE text[] USING CASE WHEN "a" IS NULL THEN NULL ELSE ARRAY["a"] END"#
        );
        assert_eq!(down, r#"ALTER TABLE "t" ALTER COLUMN "a" TYPE integer USING "a"[1]::integer"#);
        let (up, _) = column_change(
            r#"{"id": "a", "name": "a", "dataType": "date[]"}"#,
            r#"{"id": "a", "name": "a", "dataType": "uuid[]"}"#,
        );
        assert_eq!(up, r#"ALTER TABLE "t" ALTER COLUMN "a" TYPE uuid[] USING "a"::text[]::uuid[]"#);
        let (up, _) = column_change(
            r#"{"id": "a", "name": "a", "dataType": "boolean", "default": true}"#,
            r#"{"id": "a", "name": "a", "dataType": "bigint", "default": 1}"#,
        );
        assert_eq!(
            up,
            "ALTER TABLE \"t\" ALTER COLUMN \"a\" DROP DEFAULT,\n    ALTER COLUMN \"a\" TYPE bigint USING \"a\"::integer::bigint;\n\
             ALTER TABLE \"t\" ALTER COLUMN \"a\" SET DEFAULT '1'::bigint"
        );
    }

    #[test]
    fn identity_starts_after_existing_values() {
        let (up, down) = column_change(
            r#"{"id": "a", "name": "n", "dataType": "bigint", "nullable": false}"#,
            r#"{"id": "a", "name": "n", "dataType": "bigint", "autoIncrement": true}"#,
        );
        assert_eq!(
            up,
            "ALTER TABLE \"t\" ALTER COLUMN \"n\" ADD GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME \"t_n_seq\");\n\
             SELECT setval('\"t_n_seq\"', GREATEST(COALESCE(MAX(\"n\")::bigint, 0), 0) + 1, false) FROM \"t\""
        );
        assert_eq!(down, r#"ALTER TABLE "t" ALTER COLUMN "n" DROP IDENTITY"#);
    }

    #[test]
    fn down_notes_say_what_cannot_come_back() {
        let (old, new) = (
            schema(
                r#"{"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
                {"id": "pk", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "a", "name": "gone", "dataType": "text"}]}]}"#,
            ),
            schema(
                r#"{"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
                {"id": "pk", "name": "id", "dataType": "integer", "primaryKey": true}]}]}"#,
            ),
        );
        let m = migration(&old, &new);
        assert_eq!(m.up.notes(), ["data_loss: drop column t.gone"]);
        assert!(m.down.to_sql().contains("-- cannot be undone: the up script's \"drop column t.gone\" destroyed data"));
        assert_eq!(m.down.statements()[0].sql, r#"ALTER TABLE "t" ADD COLUMN "gone" text"#);
        let same = migration(&old, &old);
        assert!(same.up.is_empty() && same.down.is_empty());
        assert_eq!(same.up.to_sql(), "-- Schemaforge migration (up) for PostgreSQL: no changes\n");
    }
}
