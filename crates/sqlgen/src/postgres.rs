//! The PostgreSQL dialect.

use schemaforge_domain::expr::BinaryOp;
use schemaforge_domain::{
    AttributeModel, BaseType, CheckModel, CollationModel, ColumnModel, ColumnType, CompositeModel, DOMAIN_VALUE_ID,
    DefaultFunction, DefaultValue, Deferral, DomainCheckModel, DomainModel, EnumModel, ExclusionModel, Expr,
    ExtensionModel, ForeignKeyModel, IndexColumnModel, IndexKey, IndexMethod, IndexModel, KeyConstraint, ModelIndex,
    NamespaceModel, NamespaceRef, NullsOrder, ReferentialAction, SequenceModel, SequenceOptions, SortOrder, TableModel,
    TextSearchConfigModel, ValidSchema,
};

use crate::Dialect;
use crate::script::{Script, Statement, StatementKind};

/// PostgreSQL (13 or newer; `gen_random_uuid()` needs 13).
///
/// ```
/// use schemaforge_sqlgen::{Dialect, Postgres};
///
/// assert_eq!(Postgres.quote_ident(r#"my "table""#), r#""my ""table""""#);
/// assert_eq!(Postgres.quote_literal("it's"), "'it''s'");
/// assert_eq!(Postgres.quote_literal(r"C:\dir"), r"E'C:\\dir'");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Postgres {
    pub(crate) fn qi(&self, s: &str) -> String {
        self.quote_ident(s)
    }

    /// `"name"` of an object in `public`, `"namespace"."name"` elsewhere.
    pub(crate) fn qn(&self, namespace: &Option<NamespaceRef>, name: &str) -> String {
        self.qualified(namespace.as_ref().map(|n| n.name.as_str()), name)
    }

    /// A collation as `COLLATE` names it: one of the document's with its
    /// namespace, one of the server's by its name alone (PostgreSQL finds
    /// `C` or `en-US-x-icu` in pg_catalog).
    pub(crate) fn collate_sql(&self, c: &schemaforge_domain::Collate) -> String {
        self.qualified(c.namespace().map(|n| n.name.as_str()), c.as_str())
    }

    /// `"name"`, or `"schema"."name"` when a schema is given.
    pub(crate) fn qualified(&self, schema: Option<&str>, name: &str) -> String {
        match schema {
            Some(schema) => format!("{}.{}", self.qi(schema), self.qi(name)),
            None => self.qi(name),
        }
    }

    /// A table's (qualified) name.
    pub(crate) fn table_name(&self, t: &TableModel) -> String {
        self.qn(&t.namespace, t.name.as_str())
    }

    pub(crate) fn column_list<'a>(&self, table: &TableModel, ids: impl IntoIterator<Item = &'a String>) -> String {
        ids.into_iter()
            .filter_map(|id| table.column(id))
            .map(|c| self.qi(c.name.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn default_sql(&self, col: &ColumnModel) -> Option<String> {
        Some(self.default_value_sql(col.default.as_ref()?, &col.ty))
    }

    /// A default of a value of type `ty`: literals cast to it.
    pub(crate) fn default_value_sql(&self, default: &DefaultValue, ty: &ColumnType) -> String {
        let base = ColumnType { base: ty.base.clone(), array: false };
        let base_sql = self.render_type(&base);
        match default {
            DefaultValue::Literal(text) => format!("{}::{base_sql}", self.quote_literal(text)),
            DefaultValue::Array(items) if items.is_empty() => format!("'{{}}'::{}", self.render_type(ty)),
            DefaultValue::Array(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|item| match item {
                        Some(text) => format!("{}::{base_sql}", self.quote_literal(text)),
                        None => format!("NULL::{base_sql}"),
                    })
                    .collect();
                format!("ARRAY[{}]", items.join(", "))
            }
            DefaultValue::Function(f) => function_sql(*f).to_string(),
            DefaultValue::Expression(e) => self.render_expr(e),
            DefaultValue::NextVal { name, schema, .. } => format!(
                "nextval({}::regclass)",
                self.quote_literal(&self.qualified(schema.as_ref().map(|s| s.as_str()), name.as_str()))
            ),
        }
    }

    /// The column's type, with its collation if it has one.
    pub(crate) fn column_type_sql(&self, col: &ColumnModel) -> String {
        match &col.collation {
            Some(c) => format!("{} COLLATE {}", self.render_type(&col.ty), self.collate_sql(c)),
            None => self.render_type(&col.ty),
        }
    }

    pub(crate) fn column_sql(&self, t: &TableModel, col: &ColumnModel) -> String {
        let mut line = format!("{} {}", self.qi(col.name.as_str()), self.column_type_sql(col));
        if let Some(expr) = &col.generated {
            line.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", self.render_expr(expr)));
        }
        if let Some(default) = self.default_sql(col) {
            line.push_str(" DEFAULT ");
            line.push_str(&default);
        }
        if let Some(identity) = self.identity_sql(t, col) {
            line.push(' ');
            line.push_str(&identity);
        }
        if !col.nullable {
            line.push_str(" NOT NULL");
        }
        line
    }

    /// `GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME ...)` of an identity column.
    /// The sequence is named in the table's namespace (PostgreSQL would put
    /// an unqualified one in the first schema of the search path).
    pub(crate) fn identity_sql(&self, t: &TableModel, col: &ColumnModel) -> Option<String> {
        let identity = col.identity.as_ref()?;
        Some(format!(
            "GENERATED {} AS IDENTITY (SEQUENCE NAME {}{})",
            if identity.always { "ALWAYS" } else { "BY DEFAULT" },
            self.qn(&t.namespace, identity.sequence.as_str()),
            sequence_options_sql(&identity.options)
        ))
    }

    /// `CONSTRAINT "name" PRIMARY KEY (...)` / `UNIQUE (...)`.
    pub(crate) fn key_clause(&self, t: &TableModel, key: &KeyConstraint, primary: bool) -> String {
        format!(
            "CONSTRAINT {} {}{} ({}){}",
            self.qi(key.name.as_str()),
            if primary { "PRIMARY KEY" } else { "UNIQUE" },
            if key.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" },
            self.column_list(t, &key.column_ids),
            deferral_sql(key.deferral)
        )
    }

    /// `CONSTRAINT "name" CHECK (...)`.
    pub(crate) fn check_clause(&self, k: &CheckModel) -> String {
        format!("CONSTRAINT {} CHECK ({})", self.qi(k.name.as_str()), self.render_expr(&k.expr))
    }

    pub(crate) fn create_table(&self, t: &TableModel) -> String {
        let mut lines: Vec<String> = t.columns.iter().map(|c| self.column_sql(t, c)).collect();
        if let Some(pk) = &t.primary_key {
            lines.push(self.key_clause(t, pk, true));
        }
        for u in &t.uniques {
            lines.push(self.key_clause(t, u, false));
        }
        for k in &t.checks {
            lines.push(self.check_clause(k));
        }
        for x in &t.exclusions {
            lines.push(self.exclusion_clause(t, x));
        }
        format!(
            "CREATE TABLE {} (\n    {}\n){}",
            self.table_name(t),
            lines.join(",\n    "),
            self.partition_by_clause(t)
        )
    }

    pub(crate) fn create_schema(&self, n: &NamespaceModel) -> Statement {
        Statement {
            kind: StatementKind::CreateSchema,
            target: format!("namespace \"{}\"", n.name),
            sql: format!("CREATE SCHEMA {}", self.qi(n.name.as_str())),
        }
    }

    pub(crate) fn schema_comment(&self, n: &NamespaceModel) -> Statement {
        self.comment("SCHEMA", self.qi(n.name.as_str()), format!("namespace \"{}\"", n.name), n.comment.as_deref())
    }

    pub(crate) fn create_extension(&self, e: &ExtensionModel) -> Statement {
        let version = e.version.as_deref().map(|v| format!(" VERSION {}", self.quote_literal(v))).unwrap_or_default();
        let schema = e.namespace.as_ref().map(|n| format!(" SCHEMA {}", self.qi(n.name.as_str()))).unwrap_or_default();
        Statement {
            kind: StatementKind::CreateExtension,
            target: format!("extension \"{}\"", e.name),
            sql: format!("CREATE EXTENSION {}{schema}{version}", self.qi(e.name.as_str())),
        }
    }

    pub(crate) fn create_sequence(&self, s: &SequenceModel) -> Statement {
        let ty = self.render_type(&ColumnType { base: s.ty.clone(), array: false });
        Statement {
            kind: StatementKind::CreateSequence,
            target: format!("sequence \"{}\"", s.name),
            sql: format!(
                "CREATE SEQUENCE {} AS {ty}{}",
                self.qn(&s.namespace, s.name.as_str()),
                sequence_options_sql(&s.options)
            ),
        }
    }

    /// `ALTER SEQUENCE ... OWNED BY "table"."column"` (or `NONE`).
    pub(crate) fn sequence_owner(&self, model: &ModelIndex<'_>, s: &SequenceModel) -> Statement {
        let owner = s
            .owned_by
            .as_ref()
            .and_then(|(t, c)| {
                let t = model.table(t)?;
                Some(format!("{}.{}", self.table_name(t), self.qi(t.column(c)?.name.as_str())))
            })
            .unwrap_or_else(|| "NONE".to_string());
        Statement {
            kind: StatementKind::SetSequence,
            target: format!("sequence \"{}\"", s.name),
            sql: format!("ALTER SEQUENCE {} OWNED BY {owner}", self.qn(&s.namespace, s.name.as_str())),
        }
    }

    pub(crate) fn sequence_comment(&self, s: &SequenceModel) -> Statement {
        self.comment(
            "SEQUENCE",
            self.qn(&s.namespace, s.name.as_str()),
            format!("sequence \"{}\"", s.name),
            s.comment.as_deref(),
        )
    }

    pub(crate) fn extension_comment(&self, e: &ExtensionModel) -> Statement {
        self.comment("EXTENSION", self.qi(e.name.as_str()), format!("extension \"{}\"", e.name), e.comment.as_deref())
    }

    pub(crate) fn create_enum(&self, e: &EnumModel) -> Statement {
        let values: Vec<String> = e.values.iter().map(|v| self.quote_literal(v)).collect();
        Statement {
            kind: StatementKind::CreateEnum,
            target: format!("enum \"{}\"", e.name),
            sql: format!("CREATE TYPE {} AS ENUM ({})", self.qn(&e.namespace, e.name.as_str()), values.join(", ")),
        }
    }

    /// `CREATE COLLATION name (provider = ..., locale = ..., deterministic = ...)`.
    pub(crate) fn create_collation(&self, c: &CollationModel) -> Statement {
        let mut options = vec![format!("provider = {}", c.provider.as_str())];
        for (key, value) in [("locale", &c.locale), ("lc_collate", &c.lc_collate), ("lc_ctype", &c.lc_ctype)] {
            if let Some(v) = value {
                options.push(format!("{key} = {}", self.quote_literal(v)));
            }
        }
        if !c.deterministic {
            options.push("deterministic = false".into());
        }
        Statement {
            kind: StatementKind::CreateCollation,
            target: format!("collation \"{}\"", c.name),
            sql: format!("CREATE COLLATION {} ({})", self.qn(&c.namespace, c.name.as_str()), options.join(", ")),
        }
    }

    /// `DROP COLLATION name`.
    pub(crate) fn drop_collation(&self, c: &CollationModel) -> Statement {
        Statement {
            kind: StatementKind::DropCollation,
            target: format!("collation \"{}\"", c.name),
            sql: format!("DROP COLLATION {}", self.qn(&c.namespace, c.name.as_str())),
        }
    }

    /// `COMMENT ON COLLATION`.
    pub(crate) fn collation_comment(&self, c: &CollationModel) -> Statement {
        self.comment(
            "COLLATION",
            self.qn(&c.namespace, c.name.as_str()),
            format!("collation \"{}\"", c.name),
            c.comment.as_deref(),
        )
    }

    /// `schema.name` of a parser or dictionary, each part quoted.
    fn qualified_name(&self, q: &schemaforge_domain::QualifiedName) -> String {
        self.qualified(q.schema.as_ref().map(|s| s.as_str()), q.name.as_str())
    }

    /// The configuration's name, qualified.
    fn text_search_name(&self, c: &TextSearchConfigModel) -> String {
        self.qn(&c.namespace, c.name.as_str())
    }

    /// `ALTER TEXT SEARCH CONFIGURATION c ADD MAPPING FOR tokens WITH dictionaries` (or `ALTER MAPPING`).
    pub(crate) fn text_search_mapping(
        &self,
        c: &TextSearchConfigModel,
        verb: &str,
        tokens: &[&str],
        dictionaries: &[schemaforge_domain::QualifiedName],
    ) -> Statement {
        let tokens: Vec<String> = tokens.iter().map(|t| self.qi(t)).collect();
        let dictionaries: Vec<String> = dictionaries.iter().map(|d| self.qualified_name(d)).collect();
        Statement {
            kind: StatementKind::AlterTextSearch,
            target: format!("text search configuration \"{}\"", c.name),
            sql: format!(
                "ALTER TEXT SEARCH CONFIGURATION {} {verb} MAPPING FOR {} WITH {}",
                self.text_search_name(c),
                tokens.join(", "),
                dictionaries.join(", ")
            ),
        }
    }

    /// `CREATE TEXT SEARCH CONFIGURATION c (PARSER = p)` and one `ADD MAPPING` per mapping.
    pub(crate) fn create_text_search(&self, c: &TextSearchConfigModel) -> Vec<Statement> {
        let mut out = vec![Statement {
            kind: StatementKind::CreateTextSearch,
            target: format!("text search configuration \"{}\"", c.name),
            sql: format!(
                "CREATE TEXT SEARCH CONFIGURATION {} (PARSER = {})",
                self.text_search_name(c),
                self.qualified_name(&c.parser)
            ),
        }];
        for m in &c.mappings {
            let tokens: Vec<&str> = m.token_types.iter().map(|t| t.as_str()).collect();
            out.push(self.text_search_mapping(c, "ADD", &tokens, &m.dictionaries));
        }
        out
    }

    /// `DROP TEXT SEARCH CONFIGURATION c`.
    pub(crate) fn drop_text_search(&self, c: &TextSearchConfigModel) -> Statement {
        Statement {
            kind: StatementKind::DropTextSearch,
            target: format!("text search configuration \"{}\"", c.name),
            sql: format!("DROP TEXT SEARCH CONFIGURATION {}", self.text_search_name(c)),
        }
    }

    /// `COMMENT ON TEXT SEARCH CONFIGURATION`.
    pub(crate) fn text_search_comment(&self, c: &TextSearchConfigModel) -> Statement {
        self.comment(
            "TEXT SEARCH CONFIGURATION",
            self.text_search_name(c),
            format!("text search configuration \"{}\"", c.name),
            c.comment.as_deref(),
        )
    }

    /// `CREATE DOMAIN name AS base [COLLATE c] [DEFAULT d] [NOT NULL]
    /// [CONSTRAINT k CHECK (e)]...`.
    pub(crate) fn create_domain(&self, d: &DomainModel) -> Statement {
        let base = ColumnType { base: d.base.clone(), array: false };
        let mut sql =
            format!("CREATE DOMAIN {} AS {}", self.qn(&d.namespace, d.name.as_str()), self.render_type(&base));
        if let Some(c) = &d.collation {
            sql.push_str(&format!(" COLLATE {}", self.collate_sql(c)));
        }
        if let Some(default) = &d.default {
            sql.push_str(&format!(" DEFAULT {}", self.default_value_sql(default, &base)));
        }
        if d.not_null {
            sql.push_str(" NOT NULL");
        }
        for k in &d.checks {
            sql.push_str(&format!("\n    {}", self.domain_check_clause(k)));
        }
        Statement { kind: StatementKind::CreateDomain, target: format!("domain \"{}\"", d.name), sql }
    }

    /// `CREATE TYPE name AS (attribute type [COLLATE c], ...)`.
    pub(crate) fn create_composite(&self, c: &CompositeModel) -> Statement {
        let attributes: Vec<String> = c.attributes.iter().map(|a| format!("\n    {}", self.attribute_sql(a))).collect();
        Statement {
            kind: StatementKind::CreateComposite,
            target: format!("composite type \"{}\"", c.name),
            sql: format!("CREATE TYPE {} AS ({}\n)", self.qn(&c.namespace, c.name.as_str()), attributes.join(",")),
        }
    }

    /// `"name" type [COLLATE "c"]` of an attribute.
    pub(crate) fn attribute_sql(&self, a: &AttributeModel) -> String {
        let collation = a.collation.as_ref().map(|k| format!(" COLLATE {}", self.collate_sql(k))).unwrap_or_default();
        format!("{} {}{collation}", self.qi(a.name.as_str()), self.render_type(&a.ty))
    }

    pub(crate) fn composite_comment(&self, c: &CompositeModel) -> Statement {
        self.comment(
            "TYPE",
            self.qn(&c.namespace, c.name.as_str()),
            format!("composite type \"{}\"", c.name),
            c.comment.as_deref(),
        )
    }

    /// `CONSTRAINT name CHECK (expression over VALUE)`.
    pub(crate) fn domain_check_clause(&self, k: &DomainCheckModel) -> String {
        format!("CONSTRAINT {} CHECK ({})", self.qi(k.name.as_str()), self.render_expr(&k.expr))
    }

    pub(crate) fn domain_comment(&self, d: &DomainModel) -> Statement {
        self.comment(
            "DOMAIN",
            self.qn(&d.namespace, d.name.as_str()),
            format!("domain \"{}\"", d.name),
            d.comment.as_deref(),
        )
    }

    /// One index element: the column or parenthesized expression, with its
    /// collation, operator class and order.
    pub(crate) fn index_element_sql(
        &self,
        t: &TableModel,
        method: IndexMethod,
        ic: &IndexColumnModel,
    ) -> Option<String> {
        let mut s = match &ic.key {
            IndexKey::Column(id) => self.qi(t.column(id)?.name.as_str()),
            // PostgreSQL wants an expression element in parentheses.
            IndexKey::Expression(e) => format!("({})", self.render_expr(e)),
        };
        if let Some(c) = &ic.collation {
            s.push_str(&format!(" COLLATE {}", self.collate_sql(c)));
        }
        // inet and cidr have no default gist operator class.
        let network = |id: &str| {
            t.column(id).is_some_and(|c| !c.ty.array && matches!(c.ty.base, BaseType::Inet | BaseType::Cidr))
        };
        match &ic.opclass {
            Some(o) => s.push_str(&format!(" {}", self.qi(o.as_str()))),
            None if method == IndexMethod::Gist && ic.column_id().is_some_and(network) => s.push_str(" inet_ops"),
            None => {}
        }
        if ic.order == Some(SortOrder::Desc) {
            s.push_str(" DESC");
        }
        match ic.nulls {
            Some(NullsOrder::First) => s.push_str(" NULLS FIRST"),
            Some(NullsOrder::Last) => s.push_str(" NULLS LAST"),
            None => {}
        }
        Some(s)
    }

    /// ` INCLUDE ("a", "b")` of an index or exclusion, or nothing.
    fn include_sql(&self, t: &TableModel, ids: &[String]) -> String {
        if ids.is_empty() { String::new() } else { format!(" INCLUDE ({})", self.column_list(t, ids)) }
    }

    /// `CONSTRAINT "name" EXCLUDE USING method (element WITH op, ...) ...`.
    pub(crate) fn exclusion_clause(&self, t: &TableModel, x: &ExclusionModel) -> String {
        let elements: Vec<String> = x
            .elements
            .iter()
            .filter_map(|(ic, op)| Some(format!("{} WITH {op}", self.index_element_sql(t, x.method, ic)?)))
            .collect();
        let include = self.include_sql(t, &x.include);
        let predicate = x.predicate.as_ref().map(|p| format!(" WHERE ({})", self.render_expr(p))).unwrap_or_default();
        format!(
            "CONSTRAINT {} EXCLUDE USING {} ({}){include}{predicate}{}",
            self.qi(x.name.as_str()),
            x.method.sql(),
            elements.join(", "),
            deferral_sql(x.deferral)
        )
    }

    pub(crate) fn create_index(&self, t: &TableModel, ix: &IndexModel) -> Statement {
        let cols: Vec<String> = ix.columns.iter().filter_map(|ic| self.index_element_sql(t, ix.method, ic)).collect();
        let using = match ix.method {
            IndexMethod::Btree => String::new(),
            other => format!(" USING {}", other.sql()),
        };
        let include = self.include_sql(t, &ix.include);
        let nulls = if ix.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" };
        let with = if ix.storage.is_empty() { String::new() } else { format!(" WITH ({})", storage_sql(&ix.storage)) };
        let predicate = ix.predicate.as_ref().map(|p| format!(" WHERE {}", self.render_expr(p))).unwrap_or_default();
        Statement {
            kind: StatementKind::CreateIndex,
            target: format!("index \"{}\" on table \"{}\"", ix.name, t.name),
            sql: format!(
                "CREATE {}INDEX {} ON {}{using} ({}){include}{nulls}{with}{predicate}",
                if ix.unique { "UNIQUE " } else { "" },
                self.qi(ix.name.as_str()),
                self.table_name(t),
                cols.join(", ")
            ),
        }
    }

    pub(crate) fn add_foreign_key(&self, model: &ModelIndex<'_>, fk: &ForeignKeyModel) -> Option<Statement> {
        let (src, dst) = (model.table(&fk.source_table_id)?, model.table(&fk.target_table_id)?);
        Some(Statement {
            kind: StatementKind::AddForeignKey,
            target: format!("foreign key \"{}\" on table \"{}\"", fk.name, src.name),
            sql: format!(
                "ALTER TABLE {}\n    ADD CONSTRAINT {} FOREIGN KEY ({})\n    REFERENCES {} ({}){}{}{}{}",
                self.table_name(src),
                self.qi(fk.name.as_str()),
                self.column_list(src, &fk.source_column_ids),
                self.table_name(dst),
                self.column_list(dst, &fk.target_column_ids),
                if fk.match_full { " MATCH FULL" } else { "" },
                action_sql("ON DELETE", fk.on_delete),
                action_sql("ON UPDATE", fk.on_update),
                deferral_sql(fk.deferral),
            ),
        })
    }

    /// `COMMENT ON <what> <object> IS '...'` (or `IS NULL` to remove it).
    pub(crate) fn comment(&self, what: &str, object: String, target: String, text: Option<&str>) -> Statement {
        let text = text.map_or_else(|| "NULL".to_string(), |c| self.quote_literal(c));
        Statement { kind: StatementKind::Comment, target, sql: format!("COMMENT ON {what} {object} IS {text}") }
    }

    pub(crate) fn table_comment(&self, t: &TableModel) -> Statement {
        self.comment("TABLE", self.table_name(t), format!("table \"{}\"", t.name), t.comment.as_deref())
    }

    pub(crate) fn column_comment(&self, t: &TableModel, col: &ColumnModel) -> Statement {
        self.comment(
            "COLUMN",
            format!("{}.{}", self.table_name(t), self.qi(col.name.as_str())),
            format!("column \"{}\".\"{}\"", t.name, col.name),
            col.comment.as_deref(),
        )
    }

    /// `COMMENT ON CONSTRAINT "name" ON "table"`.
    pub(crate) fn constraint_comment(&self, t: &TableModel, name: &str, text: Option<&str>) -> Statement {
        let object = format!("{} ON {}", self.qi(name), self.table_name(t));
        self.comment("CONSTRAINT", object, format!("constraint \"{name}\" on table \"{}\"", t.name), text)
    }

    /// `COMMENT ON INDEX "name"` (an index is in its table's namespace).
    pub(crate) fn index_comment(&self, t: &TableModel, ix: &IndexModel) -> Statement {
        self.comment(
            "INDEX",
            self.qn(&t.namespace, ix.name.as_str()),
            format!("index \"{}\"", ix.name),
            ix.comment.as_deref(),
        )
    }

    pub(crate) fn enum_comment(&self, e: &EnumModel) -> Statement {
        self.comment(
            "TYPE",
            self.qn(&e.namespace, e.name.as_str()),
            format!("enum \"{}\"", e.name),
            e.comment.as_deref(),
        )
    }

    fn render_operand(&self, e: &Expr) -> String {
        let atomic = matches!(
            e,
            Expr::Column { .. } | Expr::Number(_) | Expr::String(_) | Expr::Bool(_) | Expr::Null | Expr::Call { .. }
        );
        let sql = self.render_expr(e);
        if atomic { sql } else { format!("({sql})") }
    }
}

/// The counts a script's header names only when there are some, so that
/// older documents' scripts keep their bytes.
fn optional_counts(model: &schemaforge_domain::Model) -> String {
    let mut out = String::new();
    let counts = [
        (model.extensions.len(), "extension", "extensions"),
        (model.domains.len(), "domain", "domains"),
        (model.composites.len(), "composite type", "composite types"),
        (model.namespaces.len(), "namespace", "namespaces"),
        (model.collations.len(), "collation", "collations"),
        (model.text_search.len(), "text search configuration", "text search configurations"),
        (model.tables.iter().map(|t| t.partitions.len()).sum(), "partition", "partitions"),
        (model.views.iter().filter(|v| !v.materialized).count(), "view", "views"),
        (model.views.iter().filter(|v| v.materialized).count(), "materialized view", "materialized views"),
        (model.carried.iter().filter(|c| c.kind.is_routine()).count(), "routine", "routines"),
        (
            model.carried.iter().filter(|c| c.kind == schemaforge_domain::CarriedKind::Trigger).count(),
            "trigger",
            "triggers",
        ),
        (
            model.carried.iter().filter(|c| c.kind == schemaforge_domain::CarriedKind::Policy).count(),
            "policy",
            "policies",
        ),
    ];
    for (n, one, many) in counts {
        if n > 0 {
            out.push_str(&format!(", {}", plural(n, one, many)));
        }
    }
    out
}

fn function_sql(f: DefaultFunction) -> &'static str {
    match f {
        DefaultFunction::Now => "now()",
        DefaultFunction::CurrentTimestamp => "CURRENT_TIMESTAMP",
        DefaultFunction::CurrentDate => "CURRENT_DATE",
        DefaultFunction::LocalTimestamp => "LOCALTIMESTAMP",
        DefaultFunction::LocalTime => "LOCALTIME",
        DefaultFunction::ClockTimestamp => "clock_timestamp()",
        DefaultFunction::StatementTimestamp => "statement_timestamp()",
        DefaultFunction::TransactionTimestamp => "transaction_timestamp()",
        DefaultFunction::GenRandomUuid => "gen_random_uuid()",
        DefaultFunction::CurrentUser => "CURRENT_USER",
        DefaultFunction::SessionUser => "SESSION_USER",
    }
}

fn action_sql(prefix: &str, action: ReferentialAction) -> String {
    match action {
        ReferentialAction::NoAction => String::new(),
        other => format!(" {prefix} {}", other.sql()),
    }
}

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    fn quote_ident(&self, ident: &str) -> String {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }

    /// Standard `'...'` quoting; text containing a backslash uses an `E'...'`
    /// literal with doubled backslashes, which means the same thing whatever
    /// `standard_conforming_strings` is set to.
    fn quote_literal(&self, text: &str) -> String {
        let quoted = text.replace('\'', "''");
        if text.contains('\\') { format!("E'{}'", quoted.replace('\\', "\\\\")) } else { format!("'{quoted}'") }
    }

    fn render_type(&self, ty: &ColumnType) -> String {
        fn p(name: &str, n: Option<u32>) -> String {
            n.map_or_else(|| name.to_string(), |n| format!("{name}({n})"))
        }
        let base = match &ty.base {
            BaseType::SmallInt => "smallint".to_string(),
            BaseType::Integer => "integer".to_string(),
            BaseType::BigInt => "bigint".to_string(),
            BaseType::Numeric { precision: Some(pr), scale: Some(s) } => format!("numeric({pr},{s})"),
            BaseType::Numeric { precision, .. } => p("numeric", *precision),
            BaseType::Real => "real".to_string(),
            BaseType::DoublePrecision => "double precision".to_string(),
            BaseType::Boolean => "boolean".to_string(),
            BaseType::Char(n) => format!("char({n})"),
            BaseType::Varchar(n) => p("varchar", *n),
            BaseType::Text => "text".to_string(),
            BaseType::Bytea => "bytea".to_string(),
            BaseType::Date => "date".to_string(),
            BaseType::Time(n) => p("time", *n),
            BaseType::Timestamp(n) => p("timestamp", *n),
            BaseType::Timestamptz(n) => p("timestamptz", *n),
            BaseType::Interval(n) => p("interval", *n),
            BaseType::Uuid => "uuid".to_string(),
            BaseType::Json => "json".to_string(),
            BaseType::Jsonb => "jsonb".to_string(),
            BaseType::Inet => "inet".to_string(),
            BaseType::Cidr => "cidr".to_string(),
            BaseType::Macaddr => "macaddr".to_string(),
            BaseType::TimeTz(n) => p("timetz", *n),
            BaseType::Bit(n) => format!("bit({n})"),
            BaseType::VarBit(n) => p("varbit", *n),
            // An extension's type is named with the namespace the document
            // puts the extension in; in public, as the search path finds it.
            BaseType::Named(n, schema) => match schema {
                Some(schema) => format!("{}.{}", self.qi(schema.as_str()), n.sql_name()),
                None => n.sql_name().to_string(),
            },
            BaseType::Enum { name, schema, .. }
            | BaseType::Domain { name, schema, .. }
            | BaseType::Composite { name, schema, .. } => {
                self.qualified(schema.as_ref().map(|s| s.as_str()), name.as_str())
            }
        };
        if ty.array { format!("{base}[]") } else { base }
    }

    /// Children that are not atoms are parenthesized, so the output never
    /// depends on operator precedence and tokens never run together (a
    /// negation inside a negation is `-(-x)`, so `--` cannot start a comment).
    fn render_expr(&self, expr: &Expr) -> String {
        match expr {
            Expr::Column { id, .. } if id == DOMAIN_VALUE_ID => "VALUE".into(),
            Expr::Column { name, .. } => self.qi(name.as_str()),
            Expr::Number(n) => n.clone(),
            Expr::String(s) => self.quote_literal(s),
            Expr::Bool(true) => "TRUE".into(),
            Expr::Bool(false) => "FALSE".into(),
            Expr::Null => "NULL".into(),
            Expr::Not(e) => format!("NOT {}", self.render_operand(e)),
            Expr::Neg(e) => format!("-{}", self.render_operand(e)),
            Expr::Binary { op, left, right } => {
                // AND/OR chains read better without nested parentheses; on
                // the left only, as PostgreSQL's parser flattens them (a
                // right operand keeps its own node, as it was written).
                let left_side = match &**left {
                    Expr::Binary { op: inner, .. } if inner == op && matches!(op, BinaryOp::And | BinaryOp::Or) => {
                        self.render_expr(left)
                    }
                    _ => self.render_operand(left),
                };
                format!("{left_side} {} {}", op.sql(), self.render_operand(right))
            }
            Expr::IsNull { expr, negated } => {
                format!("{} IS {}NULL", self.render_operand(expr), if *negated { "NOT " } else { "" })
            }
            Expr::InList { expr, list, negated } => format!(
                "{} {}IN ({})",
                self.render_operand(expr),
                if *negated { "NOT " } else { "" },
                list.iter().map(|e| self.render_operand(e)).collect::<Vec<_>>().join(", ")
            ),
            Expr::Between { expr, low, high, negated } => format!(
                "{} {}BETWEEN {} AND {}",
                self.render_operand(expr),
                if *negated { "NOT " } else { "" },
                self.render_operand(low),
                self.render_operand(high)
            ),
            Expr::Call { func, args } => {
                format!("{}({})", func.sql(), args.iter().map(|e| self.render_expr(e)).collect::<Vec<_>>().join(", "))
            }
            // PostgreSQL's own printing of the checked tree (pgparse proved
            // that it parses back to the same tree); it only ever stands
            // alone, inside the caller's parentheses.
            Expr::Sql(e) => e.sql().to_string(),
        }
    }

    fn create_script(&self, schema: &ValidSchema) -> Script {
        let model = schema.model();
        let out = self.create_statements(schema).into_iter().map(|(s, _)| s).collect();
        let mut header = format!(
            "Schemaforge create script for PostgreSQL: {}, {}, {}, {}",
            plural(model.enums.len(), "enum", "enums"),
            plural(model.tables.len(), "table", "tables"),
            plural(model.foreign_keys.len(), "foreign key", "foreign keys"),
            plural(model.tables.iter().map(|t| t.indexes.len()).sum(), "index", "indexes"),
        );
        // Only documents with extensions say so: older scripts keep their bytes.
        header.push_str(&optional_counts(model));
        Script::new(header, out)
    }

    fn drop_script(&self, schema: &ValidSchema) -> Script {
        let model = schema.model();
        let index = ModelIndex::new(model);
        let mut out = Vec::new();
        // Routines that take or return a view's rows, then the views, each
        // before the views it reads.
        for c in model.carried.iter().rev().filter(|c| c.kind.is_routine() && c.after_views) {
            out.extend(self.drop_carried(&index, c, true));
        }
        for v in model.views.iter().rev() {
            out.push(self.drop_view(v, true));
        }
        for fk in model.foreign_keys.iter().rev() {
            let Some(src) = index.table(&fk.source_table_id) else { continue };
            out.push(Statement {
                kind: StatementKind::DropForeignKey,
                target: format!("foreign key \"{}\" on table \"{}\"", fk.name, src.name),
                sql: format!(
                    "ALTER TABLE IF EXISTS {} DROP CONSTRAINT IF EXISTS {}",
                    self.table_name(src),
                    self.qi(fk.name.as_str())
                ),
            });
        }
        for t in model.tables.iter().rev() {
            for p in t.partitions.iter().rev() {
                out.push(Statement {
                    kind: StatementKind::DropTable,
                    target: format!("partition \"{}\"", p.name),
                    sql: format!("DROP TABLE IF EXISTS {}", self.qn(&t.namespace, p.name.as_str())),
                });
            }
            out.push(Statement {
                kind: StatementKind::DropTable,
                target: format!("table \"{}\"", t.name),
                sql: format!("DROP TABLE IF EXISTS {}", self.table_name(t)),
            });
        }
        // The routines (their triggers and policies went with the tables).
        for c in model.carried.iter().rev().filter(|c| c.kind.is_routine() && !c.after_views) {
            out.extend(self.drop_carried(&index, c, true));
        }
        // The types, sequences, extensions and (last, without CASCADE, so
        // whatever else lives there stays) the namespaces.
        let mut drop = |kind, target: String, what: &str, name: String| {
            out.push(Statement { kind, target, sql: format!("DROP {what} IF EXISTS {name}") });
        };
        for c in model.composites.iter().rev() {
            let name = self.qn(&c.namespace, c.name.as_str());
            drop(StatementKind::DropComposite, format!("composite type \"{}\"", c.name), "TYPE", name);
        }
        for d in model.domains.iter().rev() {
            drop(
                StatementKind::DropDomain,
                format!("domain \"{}\"", d.name),
                "DOMAIN",
                self.qn(&d.namespace, d.name.as_str()),
            );
        }
        for e in model.enums.iter().rev() {
            drop(
                StatementKind::DropEnum,
                format!("enum \"{}\"", e.name),
                "TYPE",
                self.qn(&e.namespace, e.name.as_str()),
            );
        }
        for s in model.sequences.iter().rev() {
            let name = self.qn(&s.namespace, s.name.as_str());
            drop(StatementKind::DropSequence, format!("sequence \"{}\"", s.name), "SEQUENCE", name);
        }
        for c in model.collations.iter().rev() {
            let name = self.qn(&c.namespace, c.name.as_str());
            drop(StatementKind::DropCollation, format!("collation \"{}\"", c.name), "COLLATION", name);
        }
        for c in model.text_search.iter().rev() {
            let name = self.qn(&c.namespace, c.name.as_str());
            let target = format!("text search configuration \"{}\"", c.name);
            drop(StatementKind::DropTextSearch, target, "TEXT SEARCH CONFIGURATION", name);
        }
        for e in model.extensions.iter().rev() {
            drop(
                StatementKind::DropExtension,
                format!("extension \"{}\"", e.name),
                "EXTENSION",
                self.qi(e.name.as_str()),
            );
        }
        for n in model.namespaces.iter().rev() {
            drop(StatementKind::DropSchema, format!("namespace \"{}\"", n.name), "SCHEMA", self.qi(n.name.as_str()));
        }
        let mut header = format!(
            "Schemaforge drop script for PostgreSQL: {}, {}",
            plural(model.tables.len(), "table", "tables"),
            plural(model.enums.len(), "enum", "enums"),
        );
        header.push_str(&optional_counts(model));
        Script::new(header, out)
    }
}

/// `name = value, ...` of storage parameters (names and values from closed
/// sets, checked by validation).
pub(crate) fn storage_sql(storage: &[(String, String)]) -> String {
    storage.iter().map(|(n, v)| format!("{n} = {v}")).collect::<Vec<_>>().join(", ")
}

/// ` DEFERRABLE [INITIALLY DEFERRED]`, or nothing.
pub(crate) fn deferral_sql(d: Deferral) -> &'static str {
    match d {
        Deferral::Immediate => "",
        Deferral::Deferrable => " DEFERRABLE",
        Deferral::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
    }
}

/// The options a sequence was given, each with a leading space, in
/// PostgreSQL's order; nothing for the defaults.
pub(crate) fn sequence_options_sql(o: &SequenceOptions) -> String {
    let mut out = String::new();
    let mut opt = |word: &str, v: Option<i64>| {
        if let Some(v) = v {
            out.push_str(&format!(" {word} {v}"));
        }
    };
    opt("START WITH", o.start);
    opt("INCREMENT BY", o.increment);
    opt("MINVALUE", o.min_value);
    opt("MAXVALUE", o.max_value);
    opt("CACHE", o.cache);
    if o.cycle {
        out.push_str(" CYCLE");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemaforge_domain::{ValidSchema, parse_document};

    fn schema(json: &str) -> ValidSchema {
        ValidSchema::parse(parse_document(json).unwrap()).unwrap()
    }

    fn table_sql(columns: &str) -> String {
        let s = schema(&format!(
            r#"{{"name": "x", "tables": [{{"id": "t", "name": "t", "columns": [
                {{"id": "pk", "name": "id", "dataType": "integer", "primaryKey": true}}, {columns}
            ]}}]}}"#
        ));
        Postgres.create_script(&s).statements()[0].sql.clone()
    }

    #[test]
    fn literals_are_quoted_and_cast() {
        let sql = table_sql(
            r#"{"id": "a", "name": "a", "dataType": "text", "default": "it's \\ here"},
               {"id": "b", "name": "b", "dataType": "integer", "default": -5},
               {"id": "c", "name": "c", "dataType": "boolean", "default": false},
               {"id": "d", "name": "d", "dataType": "text[]", "default": ["x", null]},
               {"id": "e", "name": "e", "dataType": "integer[]", "default": []},
               {"id": "f", "name": "f", "dataType": "timestamptz", "default": {"function": "NOW()"}},
               {"id": "g", "name": "g", "dataType": "numeric(10,2)", "default": "12.50"}"#,
        );
        assert!(sql.contains(r#""a" text DEFAULT E'it''s \\ here'::text"#), "{sql}");
        assert!(sql.contains(r#""b" integer DEFAULT '-5'::integer"#), "{sql}");
        assert!(sql.contains(r#""c" boolean DEFAULT 'false'::boolean"#), "{sql}");
        assert!(sql.contains(r#""d" text[] DEFAULT ARRAY['x'::text, NULL::text]"#), "{sql}");
        assert!(sql.contains(r#""e" integer[] DEFAULT '{}'::integer[]"#), "{sql}");
        assert!(sql.contains(r#""f" timestamptz DEFAULT now()"#), "{sql}");
        assert!(sql.contains(r#""g" numeric(10,2) DEFAULT '12.50'::numeric(10,2)"#), "{sql}");
    }

    #[test]
    fn identifiers_are_always_quoted() {
        let sql = table_sql(r#"{"id": "a", "name": "we\"ird; DROP", "dataType": "text"}"#);
        assert!(sql.contains(r#""we""ird; DROP" text"#), "{sql}");
    }

    #[test]
    fn negation_never_forms_a_comment() {
        let sql = table_sql(r#"{"id": "a", "name": "a", "dataType": "integer"}"#);
        assert!(!sql.contains("--"));
        let s = schema(
            r#"{"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
                {"id": "pk", "name": "id", "dataType": "integer", "primaryKey": true}],
                "checks": [{"id": "k", "expression": "- -id < 5 AND NOT NOT id > 0 AND id > 0"}]}]}"#,
        );
        let sql = Postgres.create_script(&s).to_sql();
        assert!(sql.contains(r#"CHECK (((-(-"id")) < 5) AND (NOT (NOT ("id" > 0))) AND ("id" > 0))"#), "{sql}");
    }
}
