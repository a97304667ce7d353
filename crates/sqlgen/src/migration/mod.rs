//! Migration scripts: a [`ChangeSet`] rendered as PostgreSQL statements.
//!
//! Everything here runs inside one transaction (no `CONCURRENTLY`, no
//! `VACUUM`), touches only the objects the documents describe (never the
//! provisioning bookkeeping schema), and renders names, literals, types,
//! defaults and expressions with the same code as the create script.

use std::collections::HashMap;

use schemaforge_domain::diff::{Cast, Conversion, Shape, diff_prepared, prepare};
use schemaforge_domain::{
    Change, ChangeKind, ChangeSet, ColumnModel, ColumnType, Model, ModelIndex, NamespaceRef, Safety, SequenceOptions,
    TableModel, ValidSchema,
};

use crate::Dialect;
use crate::postgres::{Postgres, plural};
use crate::script::{Script, Statement, StatementKind};

mod carried;
mod objects;
mod partitions;
mod tables;
mod types;
mod views;

/// The session's own temporary type through which an array column of a
/// rebuilt composite type is converted: `pg_temp` belongs to the session,
/// so the name can never be one of the document's.
pub(super) const ROW_ARRAY_WRAPPER: &str = "pg_temp.\"sf_row_array\"";

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
    // A partition detached as a table (or a table attached) is a table on
    // both sides: the scripts render against the prepared models.
    let (old, new) = prepare(old.model(), new.model());
    let (old, new) = (old.as_ref(), new.as_ref());
    let changes = diff_prepared(old, new);
    let back = diff_prepared(new, old);
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
        let cx = Cx { change, target: change.target.clone(), from, to, places };
        let statements = self
            .objects_statements(&cx)
            .or_else(|| self.types_statements(&cx))
            .or_else(|| self.tables_statements(&cx))
            .or_else(|| self.constraints_statements(&cx))
            .or_else(|| self.views_statements(&cx))
            .or_else(|| self.partitions_statements(&cx))
            .or_else(|| self.carried_statements(&cx))
            .flatten();
        // Every id in a change set comes from these models, so lookups
        // cannot miss; an empty list would only hide a diff bug.
        statements.unwrap_or_default()
    }

    fn drop_constraint(&self, t: &TableModel, name: &str) -> String {
        self.alter_table(t, format!("DROP CONSTRAINT {}", self.qi(name)))
    }
}

/// One change being rendered, with the two models and where objects are.
pub(super) struct Cx<'a> {
    pub(super) change: &'a Change,
    pub(super) target: String,
    pub(super) from: &'a ModelIndex<'a>,
    pub(super) to: &'a ModelIndex<'a>,
    places: &'a Places<'a>,
}

impl Cx<'_> {
    /// One statement of `kind` for this change's target.
    pub(super) fn st(&self, kind: StatementKind, sql: String) -> Vec<Statement> {
        vec![Statement { kind, target: self.target.clone(), sql }]
    }

    /// `what` `a` renamed in `schema` (a rename runs where the object is at
    /// that point: see [`Places::during_renames`]).
    pub(super) fn rename(&self, what: &str, schema: Option<String>, a: &str, b: &str) -> Vec<Statement> {
        self.st(
            StatementKind::Rename,
            format!("ALTER {what} {} RENAME TO {}", Postgres.qualified(schema.as_deref(), a), Postgres.qi(b)),
        )
    }

    /// The schema object `id` is in while the renames run.
    pub(super) fn during(
        &self,
        id: &str,
        new: Option<&Option<NamespaceRef>>,
        old: Option<&Option<NamespaceRef>>,
    ) -> Option<String> {
        self.places.during_renames(id, new, old)
    }

    /// The schema table `table_id` (and its indexes, keys and sequences) is
    /// in while the renames run.
    pub(super) fn table_during(&self, table_id: &str) -> Option<String> {
        let (to, from) = (self.to.table(table_id), self.from.table(table_id));
        self.during(table_id, to.map(|t| &t.namespace), from.map(|t| &t.namespace))
    }

    /// Where a type or sequence is dropped after the namespace renames: a
    /// rebuilt type's old one where the new one is, else where it was.
    pub(super) fn dropped_at(
        &self,
        new: Option<&Option<NamespaceRef>>,
        old: Option<&Option<NamespaceRef>>,
    ) -> Option<String> {
        match new {
            Some(ns) => ns.as_ref().map(|n| n.name.to_string()),
            None => old.and_then(|ns| self.places.now(ns)),
        }
    }

    /// `DROP <what> <name>` of a type or sequence dropped after the
    /// namespace renames, where [`Cx::dropped_at`] says it is.
    pub(super) fn drop_type(
        &self,
        kind: StatementKind,
        what: &str,
        name: &str,
        new: Option<&Option<NamespaceRef>>,
        old: Option<&Option<NamespaceRef>>,
    ) -> Vec<Statement> {
        let schema = self.dropped_at(new, old);
        self.st(kind, format!("DROP {what} {}", Postgres.qualified(schema.as_deref(), name)))
    }

    /// A rebuilt type's rename out of the way, in its (new) namespace.
    pub(super) fn rename_aside(
        &self,
        what: &str,
        namespace: &Option<NamespaceRef>,
        name: &str,
        old_name: &str,
    ) -> Vec<Statement> {
        self.rename(what, namespace.as_ref().map(|n| n.name.to_string()), name, old_name)
    }

    /// The schema name of old namespace `id` after the namespace renames.
    pub(super) fn renamed(&self, id: &str) -> Option<&str> {
        self.places.renamed.get(id).copied()
    }
}

/// A table and one of its columns, by ids.
pub(super) fn column<'m>(
    m: &ModelIndex<'m>,
    table_id: &str,
    column_id: &str,
) -> Option<(&'m TableModel, &'m ColumnModel)> {
    let t = m.table(table_id)?;
    Some((t, t.column(column_id)?))
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
pub(super) fn sequence_changes(old: &SequenceOptions, new: &SequenceOptions) -> Vec<String> {
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
