//! Where each statement of a create script comes from in the document, so
//! that a server's refusal can be reported at the element's JSON pointer.

use schemaforge_domain::{Code, ModelIndex, Problem, Severity, ValidSchema};

use crate::postgres::Postgres;
use crate::script::{Statement, StatementKind};

impl Postgres {
    /// The create script's statements, each with the JSON pointer of the
    /// document element it creates. The one place their order is decided.
    pub(crate) fn create_statements(&self, schema: &ValidSchema) -> Vec<(Statement, String)> {
        let model = schema.model();
        let mut out = Vec::new();
        for (i, n) in model.namespaces.iter().enumerate() {
            out.push((self.create_schema(n), format!("/namespaces/{i}")));
        }
        for (i, e) in model.extensions.iter().enumerate() {
            out.push((self.create_extension(e), format!("/extensions/{i}")));
        }
        // Collations before every type and table that may use them.
        for (i, c) in model.collations.iter().enumerate() {
            out.push((self.create_collation(c), format!("/collations/{i}")));
        }
        // Text search configurations after the extensions whose dictionaries
        // they use, before the routines and indexes that name them.
        for (i, c) in model.text_search.iter().enumerate() {
            for statement in self.create_text_search(c) {
                out.push((statement, format!("/textSearchConfigurations/{i}")));
            }
        }
        for (i, s) in model.sequences.iter().enumerate() {
            out.push((self.create_sequence(s), format!("/sequences/{i}")));
        }
        for (i, e) in model.enums.iter().enumerate() {
            out.push((self.create_enum(e), format!("/enums/{i}")));
        }
        for (i, d) in model.domains.iter().enumerate() {
            out.push((self.create_domain(d), format!("/domains/{i}")));
        }
        for (i, c) in model.composites.iter().enumerate() {
            out.push((self.create_composite(c), format!("/composites/{i}")));
        }
        // Routines may call each other in any order (even in a cycle), so
        // their bodies are checked when they run, as pg_dump's scripts do.
        // Those whose signatures name no table come before the tables, whose
        // defaults and checks may call them; the others after the tables.
        let doc = schema.document();
        let pointers: std::collections::HashMap<&str, String> = [
            ("functions", &doc.functions),
            ("triggers", &doc.triggers),
            ("policies", &doc.policies),
            ("rules", &doc.rules),
            ("grants", &doc.grants),
        ]
        .into_iter()
        .flat_map(|(list, objects)| {
            objects.iter().enumerate().map(move |(i, o)| (o.id.as_str(), format!("/{list}/{i}/definition")))
        })
        .collect();
        let carried_at =
            |c: &schemaforge_domain::CarriedModel| pointers.get(c.id.as_str()).cloned().unwrap_or_default();
        let routines: Vec<_> = model.carried.iter().filter(|c| c.kind.is_routine()).collect();
        if !routines.is_empty() {
            out.push((self.setting("SET check_function_bodies = off"), "/functions".to_string()));
        }
        for c in routines.iter().filter(|c| c.before_tables) {
            out.push((self.create_carried(c), carried_at(c)));
        }
        for (i, t) in model.tables.iter().enumerate() {
            let statement = Statement {
                kind: StatementKind::CreateTable,
                target: format!("table \"{}\"", t.name),
                sql: self.create_table(t),
            };
            out.push((statement, format!("/tables/{i}")));
            for (k, p) in t.partitions.iter().enumerate() {
                out.push((self.create_partition(t, p), format!("/tables/{i}/partitions/{k}")));
            }
        }
        // Indexes before foreign keys: a unique index can be a foreign key's
        // target, and the keys' checks use the indexes.
        for (i, t) in model.tables.iter().enumerate() {
            for (k, ix) in t.indexes.iter().enumerate() {
                out.push((self.create_index(t, ix), format!("/tables/{i}/indexes/{k}")));
            }
            for (k, p) in t.partitions.iter().enumerate() {
                let pt = self.partition_table(t, p);
                for (x, ix) in p.indexes.iter().enumerate() {
                    out.push((self.create_index(&pt, ix), format!("/tables/{i}/partitions/{k}/indexes/{x}")));
                }
            }
        }
        let index = ModelIndex::new(model);
        for (i, s) in model.sequences.iter().enumerate().filter(|(_, s)| s.owned_by.is_some()) {
            out.push((self.sequence_owner(&index, s), format!("/sequences/{i}/ownedBy")));
        }
        for (f, fk) in model.foreign_keys.iter().enumerate() {
            if let Some(s) = self.add_foreign_key(&index, fk) {
                out.push((s, format!("/foreignKeys/{f}")));
            }
        }
        // Row-level security, then the routines (after the tables a SQL
        // function's body may read; before the views that may call them).
        for (i, t) in model.tables.iter().enumerate().filter(|(_, t)| t.row_level_security) {
            out.push((self.row_security(t), format!("/tables/{i}/rowLevelSecurity")));
        }
        for c in routines.iter().filter(|c| !c.before_tables && !c.after_views) {
            out.push((self.create_carried(c), carried_at(c)));
        }
        if !routines.is_empty() {
            out.push((self.setting("RESET check_function_bodies"), "/functions".to_string()));
        }
        // Views after everything they may read; each after the views it
        // reads (the model's order), a materialized view's indexes with it.
        let view_at: std::collections::HashMap<&str, usize> =
            schema.document().views.iter().enumerate().map(|(i, v)| (v.id.as_str(), i)).collect();
        for v in &model.views {
            let i = view_at.get(v.id.as_str()).copied().unwrap_or_default();
            out.push((self.create_view(v), format!("/views/{i}")));
            for (k, x) in v.indexes.iter().enumerate() {
                out.push((self.create_view_index(v, x), format!("/views/{i}/indexes/{k}")));
            }
        }
        // Routines that take or return a view's rows: after the views.
        let after_views: Vec<_> = routines.iter().filter(|c| !c.before_tables && c.after_views).collect();
        if !after_views.is_empty() {
            out.push((self.setting("SET check_function_bodies = off"), "/functions".to_string()));
            for c in after_views {
                out.push((self.create_carried(c), carried_at(c)));
            }
            out.push((self.setting("RESET check_function_bodies"), "/functions".to_string()));
        }
        // Triggers and policies last: they call the routines.
        for c in model.carried.iter().filter(|c| !c.kind.is_routine()) {
            out.push((self.create_carried(c), carried_at(c)));
        }
        for (i, n) in model.namespaces.iter().enumerate().filter(|(_, n)| n.comment.is_some()) {
            out.push((self.schema_comment(n), format!("/namespaces/{i}/comment")));
        }
        for (i, s) in model.sequences.iter().enumerate().filter(|(_, s)| s.comment.is_some()) {
            out.push((self.sequence_comment(s), format!("/sequences/{i}/comment")));
        }
        for (i, e) in model.extensions.iter().enumerate().filter(|(_, e)| e.comment.is_some()) {
            out.push((self.extension_comment(e), format!("/extensions/{i}/comment")));
        }
        for (i, c) in model.collations.iter().enumerate().filter(|(_, c)| c.comment.is_some()) {
            out.push((self.collation_comment(c), format!("/collations/{i}/comment")));
        }
        for (i, c) in model.text_search.iter().enumerate().filter(|(_, c)| c.comment.is_some()) {
            out.push((self.text_search_comment(c), format!("/textSearchConfigurations/{i}/comment")));
        }
        for (i, e) in model.enums.iter().enumerate().filter(|(_, e)| e.comment.is_some()) {
            out.push((self.enum_comment(e), format!("/enums/{i}/comment")));
        }
        for (i, d) in model.domains.iter().enumerate().filter(|(_, d)| d.comment.is_some()) {
            out.push((self.domain_comment(d), format!("/domains/{i}/comment")));
        }
        for (i, c) in model.composites.iter().enumerate().filter(|(_, c)| c.comment.is_some()) {
            out.push((self.composite_comment(c), format!("/composites/{i}/comment")));
        }
        for (i, t) in model.tables.iter().enumerate() {
            if t.comment.is_some() {
                out.push((self.table_comment(t), format!("/tables/{i}/comment")));
            }
            for (j, c) in t.columns.iter().enumerate().filter(|(_, c)| c.comment.is_some()) {
                out.push((self.column_comment(t, c), format!("/tables/{i}/columns/{j}/comment")));
            }
            for (k, c) in t.checks.iter().enumerate().filter(|(_, c)| c.comment.is_some()) {
                let statement = self.constraint_comment(t, c.name.as_str(), c.comment.as_deref());
                out.push((statement, format!("/tables/{i}/checks/{k}/comment")));
            }
            let table_level = t.uniques.iter().filter(|u| u.id.is_some());
            for (u, key) in table_level.enumerate().filter(|(_, u)| u.comment.is_some()) {
                let statement = self.constraint_comment(t, key.name.as_str(), key.comment.as_deref());
                out.push((statement, format!("/tables/{i}/uniques/{u}/comment")));
            }
            for (k, x) in t.exclusions.iter().enumerate().filter(|(_, x)| x.comment.is_some()) {
                let statement = self.constraint_comment(t, x.name.as_str(), x.comment.as_deref());
                out.push((statement, format!("/tables/{i}/exclusions/{k}/comment")));
            }
            for (k, x) in t.indexes.iter().enumerate().filter(|(_, x)| x.comment.is_some()) {
                out.push((self.index_comment(t, x), format!("/tables/{i}/indexes/{k}/comment")));
            }
            for (k, p) in t.partitions.iter().enumerate() {
                let pt = self.partition_table(t, p);
                if p.comment.is_some() {
                    out.push((self.table_comment(&pt), format!("/tables/{i}/partitions/{k}/comment")));
                }
                for (x, ix) in p.indexes.iter().enumerate().filter(|(_, x)| x.comment.is_some()) {
                    out.push((self.index_comment(&pt, ix), format!("/tables/{i}/partitions/{k}/indexes/{x}/comment")));
                }
            }
        }
        for (f, fk) in model.foreign_keys.iter().enumerate().filter(|(_, fk)| fk.comment.is_some()) {
            if let Some(t) = index.table(&fk.source_table_id) {
                out.push((
                    self.constraint_comment(t, fk.name.as_str(), fk.comment.as_deref()),
                    format!("/foreignKeys/{f}/comment"),
                ));
            }
        }
        for v in &model.views {
            let i = view_at.get(v.id.as_str()).copied().unwrap_or_default();
            if v.comment.is_some() {
                out.push((self.view_comment(v), format!("/views/{i}/comment")));
            }
            for (k, x) in v.indexes.iter().enumerate().filter(|(_, x)| x.comment.is_some()) {
                out.push((self.view_index_comment(v, x), format!("/views/{i}/indexes/{k}/comment")));
            }
        }
        out
    }
}

/// The problem to report when a server refused statement `index` (0-based)
/// of the create script with `message`, at `position` (PostgreSQL's
/// 1-based character offset, if it gave one): `REJECTED_BY_POSTGRESQL`
/// at the element that statement creates.
///
/// ```
/// use schemaforge_domain::{parse_document, ValidSchema};
/// let doc = parse_document(r#"{"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
///     {"id": "c", "name": "n", "dataType": "integer", "primaryKey": true}]}]}"#).unwrap();
/// let schema = ValidSchema::parse(doc).unwrap();
/// let p = schemaforge_sqlgen::refusal(&schema, 0, None, "permission denied");
/// assert_eq!((p.code.as_str(), p.path.as_str()), ("REJECTED_BY_POSTGRESQL", "/tables/0"));
/// assert!(p.message.contains("statement 1 (table \"t\"): permission denied"));
/// ```
pub fn refusal(schema: &ValidSchema, index: usize, position: Option<usize>, message: &str) -> Problem {
    let statements = Postgres.create_statements(schema);
    let target = statements.get(index).map(|(s, _)| s.target.clone()).unwrap_or_default();
    Problem {
        code: Code::RejectedByPostgresql,
        severity: Severity::Error,
        path: locate(schema, index, position).unwrap_or_default(),
        message: format!("PostgreSQL refused statement {} ({target}): {message}", index + 1),
    }
}

/// The JSON pointer of the document element that statement `index` (0-based)
/// of [`create_script`](crate::create_script) creates. With `position` (the
/// 1-based character offset into the statement that PostgreSQL reports with
/// an error), a CREATE TABLE narrows to the column or constraint clause
/// there, and a CREATE INDEX to its predicate.
///
/// ```
/// use schemaforge_domain::{parse_document, ValidSchema};
/// let doc = parse_document(r#"{"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
///     {"id": "c", "name": "n", "dataType": "integer", "primaryKey": true}],
///     "checks": [{"id": "k", "expression": "f(n) > 0"}]}]}"#).unwrap();
/// let schema = ValidSchema::parse(doc).unwrap();
/// let script = schemaforge_sqlgen::create_script(&schema);
/// let sql = &script.statements()[0].sql;
/// let at = sql.find("f(").unwrap() + 1;
/// assert_eq!(schemaforge_sqlgen::locate(&schema, 0, Some(at)).as_deref(), Some("/tables/0/checks/0/expression"));
/// assert_eq!(schemaforge_sqlgen::locate(&schema, 0, None).as_deref(), Some("/tables/0"));
/// ```
pub fn locate(schema: &ValidSchema, index: usize, position: Option<usize>) -> Option<String> {
    let dialect = Postgres;
    let statements = dialect.create_statements(schema);
    let (statement, path) = statements.get(index)?;
    let Some(offset) = position.and_then(|p| char_to_byte(&statement.sql, p.checked_sub(1)?)) else {
        return Some(path.clone());
    };
    let model = schema.model();
    let within = |clause: &str| {
        statement.sql.match_indices(clause).any(|(start, _)| (start..start + clause.len()).contains(&offset))
    };
    match statement.kind {
        StatementKind::CreateTable if path.contains("/partitions/") => Some(path.clone()),
        StatementKind::CreateTable => {
            let i: usize = path.rsplit('/').next()?.parse().ok()?;
            let t = model.tables.get(i)?;
            if let Some(j) = t.columns.iter().position(|c| within(&dialect.column_sql(t, c))) {
                return Some(format!("{path}/columns/{j}"));
            }
            if let Some(k) = t.checks.iter().position(|k| within(&dialect.check_clause(k))) {
                return Some(format!("{path}/checks/{k}/expression"));
            }
            if t.primary_key.as_ref().is_some_and(|pk| within(&dialect.key_clause(t, pk, true))) {
                return Some(format!("{path}/primaryKey"));
            }
            let tables_uniques = t.uniques.iter().filter(|u| u.id.is_some());
            if let Some(u) = tables_uniques.clone().position(|u| within(&dialect.key_clause(t, u, false))) {
                return Some(format!("{path}/uniques/{u}"));
            }
            if let Some(x) = t.exclusions.iter().position(|x| within(&dialect.exclusion_clause(t, x))) {
                return Some(format!("{path}/exclusions/{x}"));
            }
            Some(path.clone())
        }
        StatementKind::CreateIndex => {
            let at_predicate = statement.sql.rfind(" WHERE ").is_some_and(|w| offset > w);
            Some(if at_predicate { format!("{path}/where") } else { path.clone() })
        }
        _ => Some(path.clone()),
    }
}

/// The byte offset of character `chars` of `s` (PostgreSQL counts characters).
fn char_to_byte(s: &str, chars: usize) -> Option<usize> {
    s.char_indices().nth(chars).map(|(b, _)| b)
}
