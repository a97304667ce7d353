//! Validation: one pass that finds every problem in a document and, when
//! there are no errors, builds the resolved [`Model`].

use std::collections::{HashMap, HashSet};

use crate::catalog;
use crate::document::{ColumnDefault, EnumValue, IndexMethod, Literal, ReferentialAction, SchemaDocument};
use crate::expr::{self, Expr, ExprColumn, ExprContext};
use crate::ident::{Ident, MAX_IDENTIFIER_BYTES};
use crate::model::{
    BaseType, CheckModel, ColumnModel, ColumnType, DefaultFunction, DefaultValue, Deferral, EnumModel, ExclusionModel,
    ExtensionModel, ForeignKeyModel, Identity, IndexColumnModel, IndexModel, KeyConstraint, Model, SequenceOptions,
    TableModel,
};
use crate::naming::{Namespace, choose_name};
use crate::problem::{Code, Problem, Severity};
use crate::summary::{Summary, summarize};
use crate::types::{is_serial, resolve_column_type};
use crate::values;

/// Above this many columns a table gets a warning.
pub const MANY_COLUMNS_WARNING: usize = 100;
/// PostgreSQL's hard limit of columns per table.
pub const MAX_COLUMNS: usize = 1600;
/// Longest document name accepted, in characters.
pub const MAX_DOCUMENT_NAME_CHARS: usize = 255;

/// Everything validation found, plus the complexity summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    /// True when there is no error (warnings allowed).
    pub valid: bool,
    /// Every problem, errors and warnings, in document order.
    pub problems: Vec<Problem>,
    /// Size and shape of the schema.
    pub summary: Summary,
}

impl ValidationReport {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }

    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_error())
    }
}

/// Check a document and report every problem.
///
/// ```
/// let doc = schemaforge_domain::parse_document(r#"{"name": "x", "tables": [
///     {"id": "t1", "name": "users", "columns": [{"id": "c1", "name": "email", "dataType": "text"}]}
/// ]}"#).unwrap();
/// let report = schemaforge_domain::validate(&doc);
/// assert!(!report.valid);
/// assert_eq!(report.problems[0].code.as_str(), "MISSING_PRIMARY_KEY");
/// assert_eq!(report.problems[0].path, "/tables/0");
/// ```
pub fn validate(doc: &SchemaDocument) -> ValidationReport {
    let (problems, summary, _) = analyze(doc);
    ValidationReport { valid: !problems.iter().any(Problem::is_error), problems, summary }
}

/// A document that passed validation, with its resolved model.
///
/// This is the only way to obtain a [`Model`], so anything that takes a
/// `ValidSchema` (SQL generation, diffing) can rely on it.
///
/// ```
/// use schemaforge_domain::{parse_document, ValidSchema};
///
/// let doc = parse_document(r#"{"name": "x", "tables": [{"id": "t1", "name": "users", "columns": [
///     {"id": "c1", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true}
/// ]}]}"#).unwrap();
/// let schema = ValidSchema::parse(doc).unwrap();
/// assert_eq!(schema.model().tables[0].primary_key.as_ref().map(|k| k.name.as_str()), Some("users_pkey"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSchema {
    document: SchemaDocument,
    model: Model,
    warnings: Vec<Problem>,
    summary: Summary,
}

/// Validation found errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the schema document is invalid ({} error(s))", self.report.errors().count())]
pub struct InvalidSchema {
    /// The full report, errors and warnings (boxed: it is large and errors
    /// should be cheap to move).
    pub report: Box<ValidationReport>,
}

impl ValidSchema {
    /// Validate `document`; succeed when it has no errors.
    pub fn parse(document: SchemaDocument) -> Result<Self, InvalidSchema> {
        let (problems, summary, model) = analyze(&document);
        match model {
            Some(model) if !problems.iter().any(Problem::is_error) => {
                Ok(Self { document, model, warnings: problems, summary })
            }
            _ => Err(InvalidSchema { report: Box::new(ValidationReport { valid: false, problems, summary }) }),
        }
    }

    /// The document as given.
    pub fn document(&self) -> &SchemaDocument {
        &self.document
    }

    /// The resolved model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Warnings found during validation.
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The complexity summary.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The validation report of this (valid) document: its warnings and summary.
    pub fn report(&self) -> ValidationReport {
        ValidationReport { valid: true, problems: self.warnings.clone(), summary: self.summary.clone() }
    }

    /// Give the document back.
    pub fn into_document(self) -> SchemaDocument {
        self.document
    }
}

// ------------------------------------------------------------------ analysis

struct Ctx {
    problems: Vec<Problem>,
    /// How many of `problems` are errors.
    error_count: usize,
    /// The document's readable collations by id, for `collationId`.
    collations: HashMap<String, crate::model::Collate>,
    /// Every id of the document's `collations` (readable or not).
    declared_collations: HashSet<String>,
}

impl Ctx {
    fn push(&mut self, code: Code, severity: Severity, path: String, message: impl Into<String>) {
        if severity == Severity::Error {
            self.error_count += 1;
        }
        self.problems.push(Problem { code, severity, path, message: message.into() });
    }

    /// How many errors have been reported so far.
    fn errors(&self) -> usize {
        self.error_count
    }

    fn error(&mut self, code: Code, path: String, message: impl Into<String>) {
        self.push(code, Severity::Error, path, message);
    }

    fn warn(&mut self, code: Code, path: String, message: impl Into<String>) {
        self.push(code, Severity::Warning, path, message);
    }

    /// Check an expression, reporting its errors and warnings at `path`.
    fn expression(
        &mut self,
        source: &str,
        columns: &[ExprColumn<'_>],
        context: ExprContext,
        path: String,
    ) -> Option<Expr> {
        match expr::check_expression(source, columns, context) {
            Ok(checked) => {
                for w in checked.warnings {
                    self.warn(w.code, path.clone(), w.message);
                }
                Some(checked.expr)
            }
            Err(problems) => {
                for p in problems {
                    self.error(p.code, path.clone(), p.message);
                }
                None
            }
        }
    }

    /// Check an identifier; warn on reserved words.
    fn ident(&mut self, name: &str, path: String, what: &str) -> Option<Ident> {
        match Ident::parse(name) {
            Ok(ident) => {
                if ident.is_reserved_word() {
                    self.warn(
                        Code::ReservedWord,
                        path,
                        format!("{what} name \"{name}\" is a PostgreSQL reserved word; it works because Schemaforge quotes it, but every hand-written query must quote it too"),
                    );
                }
                Some(ident)
            }
            Err(e) => {
                self.error(Code::InvalidIdentifier, path, format!("{what} name \"{}\" {e}", name.escape_debug()));
                None
            }
        }
    }

    fn text(&mut self, text: Option<&str>, path: String, what: &str) {
        if text.is_some_and(|t| t.contains('\0')) {
            self.error(
                Code::InvalidText,
                path,
                format!("{what} contains a NUL character, which PostgreSQL text cannot hold"),
            );
        }
    }
}

/// Names in one scope, for duplicate and case-collision checks; a scope
/// of tables, types or relations is divided by namespace (the key `""` is
/// `public`).
struct Scope<'a> {
    what: &'static str,
    seen: HashMap<(&'a str, &'a str), String>,
    folded: HashMap<(&'a str, String), (&'a str, String)>,
}

impl<'a> Scope<'a> {
    fn new(what: &'static str) -> Self {
        Self { what, seen: HashMap::new(), folded: HashMap::new() }
    }

    fn add(&mut self, ctx: &mut Ctx, name: &'a str, path: String) {
        self.add_in(ctx, "", name, path);
    }

    /// Record `name` in namespace `ns`, reporting a duplicate or a
    /// case collision there.
    fn add_in(&mut self, ctx: &mut Ctx, ns: &'a str, name: &'a str, path: String) {
        if let Some(first) = self.seen.get(&(ns, name)) {
            ctx.error(Code::DuplicateName, path, format!("{} name \"{name}\" is already used at {first}", self.what));
            return;
        }
        let folded = name.to_lowercase();
        if let Some((other, other_path)) = self.folded.get(&(ns, folded.clone())) {
            ctx.warn(
                Code::CaseCollision,
                path.clone(),
                format!(
                    "{} name \"{name}\" differs from \"{other}\" ({other_path}) only in letter case; unquoted SQL cannot tell them apart",
                    self.what
                ),
            );
        } else {
            self.folded.insert((ns, folded), (name, path.clone()));
        }
        self.seen.insert((ns, name), path);
    }

    /// Record a name in namespace `ns` without reporting anything about it.
    fn add_quiet_in(&mut self, ns: &'a str, name: &'a str, path: String) {
        self.folded.entry((ns, name.to_lowercase())).or_insert((name, path.clone()));
        self.seen.entry((ns, name)).or_insert(path);
    }
}

#[derive(Debug, Clone)]
struct ColInfo {
    id: String,
    name: Option<Ident>,
    /// The type of the column's values (a domain's base type).
    ty: Option<ColumnType>,
    /// The declared type when it is a domain (`ty` is then its base).
    declared: Option<ColumnType>,
    nullable: bool,
    identity: bool,
    /// `identity`'s settings: (always, options).
    identity_settings: Option<(bool, SequenceOptions)>,
    has_default: bool,
    default: Option<DefaultValue>,
    primary_key: bool,
    unique: bool,
    comment: Option<String>,
    collation: Option<crate::model::Collate>,
    /// The checked generation expression of a generated column.
    generated: Option<Expr>,
}

#[derive(Debug, Clone)]
struct TableInfo {
    id: String,
    name: Option<Ident>,
    namespace: Option<crate::model::NamespaceRef>,
    comment: Option<String>,
    columns: Vec<ColInfo>,
    /// Column ids of the primary key, if one was declared properly.
    primary_key: Option<Vec<String>>,
    /// Its name, when the document gives one.
    primary_key_name: Option<Ident>,
    /// No primary key, as the table says.
    without_primary_key: bool,
    checks: Vec<CheckInfo>,
    indexes: Vec<IndexInfo>,
    uniques: Vec<keys::UniqueInfo>,
    exclusions: Vec<Option<exclusions::ExclusionInfo>>,
    partition_by: Option<crate::model::PartitionByModel>,
    partitions: Vec<Option<partitions::PartitionInfo>>,
    row_level_security: bool,
}

/// A check whose name may still have to be generated (`expr` is `None`
/// when the expression was refused).
#[derive(Debug, Clone)]
struct CheckInfo {
    id: String,
    name: Option<Ident>,
    expr: Option<Expr>,
    comment: Option<String>,
}

#[derive(Debug, Clone)]
struct IndexInfo {
    id: String,
    name: Option<Ident>,
    unique: bool,
    method: IndexMethod,
    columns: Vec<IndexColumnModel>,
    predicate: Option<Expr>,
    has_predicate: bool,
    include: Vec<String>,
    nulls_not_distinct: bool,
    storage: Vec<(String, String)>,
    comment: Option<String>,
}

impl TableInfo {
    fn column(&self, id: &str) -> Option<&ColInfo> {
        self.columns.iter().find(|c| c.id == id)
    }

    fn label(&self) -> String {
        match (&self.name, &self.namespace) {
            (None, _) => format!("table {}", self.id),
            (Some(n), None) => format!("table \"{n}\""),
            (Some(n), Some(ns)) => format!("table \"{}\".\"{n}\"", ns.name),
        }
    }

    /// Column-id sets of the primary key, UNIQUE columns and full unique indexes.
    fn unique_keys(&self) -> Vec<Vec<&str>> {
        let mut keys = Vec::new();
        if let Some(pk) = &self.primary_key {
            keys.push(pk.iter().map(String::as_str).collect());
        }
        for c in self.columns.iter().filter(|c| c.unique) {
            keys.push(vec![c.id.as_str()]);
        }
        // PostgreSQL refuses a deferrable key as a foreign key's target.
        for u in self.uniques.iter().filter(|u| u.deferral == Deferral::Immediate) {
            keys.push(u.column_ids.iter().map(String::as_str).collect());
        }
        for ix in self.indexes.iter().filter(|ix| ix.unique && !ix.has_predicate) {
            // An index with an expression element is no key of columns.
            if let Some(cols) = ix.columns.iter().map(IndexColumnModel::column_id).collect() {
                keys.push(cols);
            }
        }
        keys
    }

    /// Whether some index (or key) starts with exactly these columns, in any order.
    fn has_leading_index(&self, cols: &[String]) -> bool {
        let want: HashSet<&str> = cols.iter().map(String::as_str).collect();
        let mut candidates: Vec<Vec<&str>> = self.unique_keys();
        candidates.extend(
            self.uniques
                .iter()
                .filter(|u| u.deferral != Deferral::Immediate)
                .map(|u| u.column_ids.iter().map(String::as_str).collect()),
        );
        candidates.extend(
            self.indexes
                .iter()
                .filter(|ix| ix.method == IndexMethod::Btree && !ix.has_predicate)
                .map(|ix| ix.columns.iter().map_while(IndexColumnModel::column_id).collect()),
        );
        candidates
            .iter()
            .any(|key| key.len() >= want.len() && key[..want.len()].iter().copied().collect::<HashSet<_>>() == want)
    }
}

/// A JSON pointer from static keys and indexes (escaping `~` and `/` as
/// RFC 6901 requires, without allocating when there is nothing to escape).
fn ptr(parts: &[&dyn std::fmt::Display]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for p in parts {
        out.push('/');
        let start = out.len();
        let _ = write!(out, "{p}");
        if out[start..].contains(['~', '/']) {
            let escaped = out[start..].replace('~', "~0").replace('/', "~1");
            out.truncate(start);
            out.push_str(&escaped);
        }
    }
    out
}

pub(crate) fn analyze(doc: &SchemaDocument) -> (Vec<Problem>, Summary, Option<Model>) {
    let mut ctx = Ctx {
        problems: Vec::new(),
        error_count: 0,
        collations: HashMap::new(),
        declared_collations: doc.collations.iter().map(|c| c.id.clone()).collect(),
    };

    check_document_name(&mut ctx, doc);
    check_ids(&mut ctx, doc);
    let (namespace_models, namespaces) = namespaces::check_namespaces(&mut ctx, doc);
    let extension_models = extensions::check_extensions(&mut ctx, doc, &namespaces);
    let collation_models = collations::check_collations(&mut ctx, doc, &namespaces);
    let text_search_models = text_search::check_text_search(&mut ctx, doc, &namespaces);

    // Enums.
    let mut type_names = Scope::new("type or table");
    let enum_models = enums::check_enums(&mut ctx, doc, &mut type_names, &namespaces);
    let domain_models = domains::check_domains(&mut ctx, doc, &mut type_names, &namespaces);
    let mut types = domains::DocTypes::new(doc, &enum_models, &domain_models);
    let composite_models = composites::check_composites(&mut ctx, doc, &mut type_names, &namespaces, &mut types);
    let labels: Vec<Vec<String>> =
        doc.enums.iter().map(|e| e.values.iter().map(|v| v.label().to_string()).collect()).collect();
    let enum_values_by_id: HashMap<&str, &[String]> =
        doc.enums.iter().zip(&labels).map(|(e, l)| (e.id.as_str(), l.as_slice())).collect();

    let btree_gist = doc.extensions.iter().any(|e| e.name == "btree_gist");

    // Tables and their columns.
    let mut relation_names = Scope::new("table or index");
    // Every table's name first, so that an index or key named like a table
    // that comes later in the document is a clash too.
    for (ti, t) in doc.tables.iter().enumerate() {
        if Ident::parse(&t.name).is_ok() {
            relation_names.add_quiet_in(scope_key(&t.namespace_id), &t.name, ptr(&[&"tables", &ti, &"name"]));
        }
    }
    let sequence_models = sequences::check_sequences(&mut ctx, doc, &mut relation_names, &namespaces);
    let sequence_names = sequences::sequence_names(doc);
    let composites: Vec<crate::model::CompositeModel> = composite_models.iter().flatten().cloned().collect();
    let mut tables: Vec<TableInfo> = Vec::new();
    {
        let lookups = tables::Lookups {
            doc,
            types: &types,
            enum_values: &enum_values_by_id,
            sequence_names: &sequence_names,
            namespaces: &namespaces,
            btree_gist,
            composites: &composites,
        };
        let mut names = tables::Names { types: &mut type_names, relations: &mut relation_names };
        for (ti, t) in doc.tables.iter().enumerate() {
            tables.push(tables::check_table(&mut ctx, &lookups, &mut names, t, ti));
        }
    }
    let (carried_models, routines) = carried::check_carried(&mut ctx, doc);
    let view_infos = {
        let mut names = tables::Names { types: &mut type_names, relations: &mut relation_names };
        views::check_views(&mut ctx, doc, &mut names, &namespaces, &tables)
    };

    // Foreign keys.
    let table_by_id: HashMap<&str, &TableInfo> = tables.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut fks: Vec<Option<FkInfo>> = Vec::new();
    let mut fk_names: Vec<Option<Ident>> = Vec::new();
    for (fi, fk) in doc.foreign_keys.iter().enumerate() {
        let fpath = ptr(&[&"foreignKeys", &fi]);
        let name = fk.name.as_ref().and_then(|n| ctx.ident(n, format!("{fpath}/name"), "foreign key"));
        fk_names.push(name.clone());
        fks.push(check_foreign_key(&mut ctx, fk, &fpath, &table_by_id, name));
    }

    let (mut relations, mut all_constraints) =
        build::name_spaces(&mut ctx, doc, &tables, &sequence_models, &fk_names, &table_by_id);
    for p in doc.tables.iter().flat_map(|t| &t.partitions) {
        relations.insert(&p.name);
        for n in p.indexes.iter().filter_map(|x| x.name.as_deref()) {
            relations.insert(n);
        }
    }
    for v in &doc.views {
        relations.insert(&v.name);
        for n in v.indexes.iter().filter_map(|x| x.name.as_deref()) {
            relations.insert(n);
        }
    }

    // Warnings that need the whole picture.
    for (fi, fk) in fks.iter().enumerate() {
        if let Some(fk) = fk {
            if let Some(src) = table_by_id.get(fk.source_table_id.as_str()) {
                if !src.has_leading_index(&fk.source_column_ids) {
                    ctx.warn(
                        Code::UnindexedForeignKey,
                        ptr(&[&"foreignKeys", &fi]),
                        format!(
                            "no index on {} starts with the foreign key's columns; deletes and updates in the referenced table will scan it",
                            src.label()
                        ),
                    );
                }
            }
        }
    }
    let summary = summarize(
        doc,
        &tables
            .iter()
            .map(|t| (t.id.clone(), t.name.as_ref().map_or_else(|| t.id.clone(), ToString::to_string)))
            .collect::<Vec<_>>(),
    );
    report_uninsertable_cycles(&mut ctx, doc, &tables);

    let has_errors = ctx.problems.iter().any(Problem::is_error);
    let model = if has_errors {
        None
    } else {
        build_model(&tables, enum_models, extension_models, sequence_models, fks, &mut relations, &mut all_constraints)
            .and_then(|mut model| {
                model.domains = domain_models.into_iter().collect::<Option<_>>()?;
                model.composites = composite_models.into_iter().collect::<Option<_>>()?;
                model.namespaces = namespace_models.into_iter().collect::<Option<_>>()?;
                model.collations = collation_models.into_iter().collect::<Option<_>>()?;
                model.text_search = text_search_models.into_iter().collect::<Option<_>>()?;
                model.views = views::build_views(doc, &tables, view_infos, &mut relations, &routines)?;
                model.carried = carried_models?;
                Some(model)
            })
    };
    (ctx.problems, summary, model)
}

/// The document's own name and description.
fn check_document_name(ctx: &mut Ctx, doc: &SchemaDocument) {
    let trimmed = doc.name.trim();
    if trimmed.is_empty() {
        ctx.error(Code::InvalidText, "/name".into(), "the schema name must not be empty");
    } else if doc.name.chars().count() > MAX_DOCUMENT_NAME_CHARS {
        ctx.error(
            Code::InvalidText,
            "/name".into(),
            format!("the schema name is longer than {MAX_DOCUMENT_NAME_CHARS} characters"),
        );
    } else if doc.name.chars().any(char::is_control) {
        ctx.error(Code::InvalidText, "/name".into(), "the schema name must not contain control characters");
    }
    ctx.text(doc.description.as_deref(), "/description".into(), "the description");
}

mod carried;
mod collations;
mod composites;
mod domains;
mod enums;
mod exclusions;
mod extensions;
mod generated;
mod identity;
mod ids;
mod indexes;
mod keys;
mod namespaces;
mod partitions;
mod sequences;
mod tables;
mod text_search;
mod views;
use ids::check_ids;
use indexes::IndexTable;
use namespaces::{Namespaces, scope_key};

mod build;
mod defaults;
mod foreign_keys;
use build::build_model;
use defaults::check_default;
use foreign_keys::{FkInfo, check_foreign_key, report_uninsertable_cycles};

#[cfg(test)]
mod tests;
