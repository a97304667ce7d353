//! Validation: one pass that finds every problem in a document and, when
//! there are no errors, builds the resolved [`Model`].

use std::collections::{HashMap, HashSet};

use crate::catalog;
use crate::document::{ColumnDefault, EnumValue, IndexMethod, Literal, ReferentialAction, SchemaDocument};
use crate::expr::{self, Expr, ExprColumn, ExprContext};
use crate::ident::{Ident, MAX_IDENTIFIER_BYTES};
use crate::model::{
    BaseType, CheckModel, ColumnModel, ColumnType, DefaultFunction, DefaultValue, Deferral, EnumModel, ForeignKeyModel,
    Identity, IndexColumnModel, IndexModel, KeyConstraint, Model, SequenceOptions, TableModel,
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
}

impl Ctx {
    fn push(&mut self, code: Code, severity: Severity, path: String, message: impl Into<String>) {
        self.problems.push(Problem { code, severity, path, message: message.into() });
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

/// Names in one scope, for duplicate and case-collision checks.
struct Scope<'a> {
    what: &'static str,
    seen: HashMap<&'a str, String>,
    folded: HashMap<String, (&'a str, String)>,
}

impl<'a> Scope<'a> {
    fn new(what: &'static str) -> Self {
        Self { what, seen: HashMap::new(), folded: HashMap::new() }
    }

    fn add(&mut self, ctx: &mut Ctx, name: &'a str, path: String) {
        if let Some(first) = self.seen.get(name) {
            ctx.error(Code::DuplicateName, path, format!("{} name \"{name}\" is already used at {first}", self.what));
            return;
        }
        let folded = name.to_lowercase();
        if let Some((other, other_path)) = self.folded.get(&folded) {
            ctx.warn(
                Code::CaseCollision,
                path.clone(),
                format!(
                    "{} name \"{name}\" differs from \"{other}\" ({other_path}) only in letter case; unquoted SQL cannot tell them apart",
                    self.what
                ),
            );
        } else {
            self.folded.insert(folded, (name, path.clone()));
        }
        self.seen.insert(name, path);
    }

    /// Record a name without reporting anything about it.
    fn add_quiet(&mut self, name: &'a str, path: String) {
        self.folded.entry(name.to_lowercase()).or_insert((name, path.clone()));
        self.seen.entry(name).or_insert(path);
    }
}

#[derive(Debug, Clone)]
struct ColInfo {
    id: String,
    name: Option<Ident>,
    ty: Option<ColumnType>,
    nullable: bool,
    identity: bool,
    /// `identity`'s settings: (always, options).
    identity_settings: Option<(bool, SequenceOptions)>,
    has_default: bool,
    default: Option<DefaultValue>,
    primary_key: bool,
    unique: bool,
    comment: Option<String>,
}

#[derive(Debug, Clone)]
struct TableInfo {
    id: String,
    name: Option<Ident>,
    comment: Option<String>,
    columns: Vec<ColInfo>,
    /// Column ids of the primary key, if one was declared properly.
    primary_key: Option<Vec<String>>,
    /// No primary key, as the table says.
    without_primary_key: bool,
    checks: Vec<CheckInfo>,
    indexes: Vec<IndexInfo>,
    uniques: Vec<keys::UniqueInfo>,
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
    comment: Option<String>,
}

impl TableInfo {
    fn column(&self, id: &str) -> Option<&ColInfo> {
        self.columns.iter().find(|c| c.id == id)
    }

    fn label(&self) -> String {
        self.name.as_ref().map_or_else(|| format!("table {}", self.id), |n| format!("table \"{n}\""))
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
    let mut ctx = Ctx { problems: Vec::new() };

    // The document's own name and description.
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

    check_ids(&mut ctx, doc);

    // Enums.
    let mut type_names = Scope::new("type or table");
    let mut enum_models: Vec<Option<EnumModel>> = Vec::new();
    for (ei, e) in doc.enums.iter().enumerate() {
        let name = ctx.ident(&e.name, ptr(&[&"enums", &ei, &"name"]), "enum");
        if name.is_some() && catalog::shadowed_type(&e.name) {
            ctx.error(
                Code::ReservedName,
                ptr(&[&"enums", &ei, &"name"]),
                format!("enum name \"{}\" is a PostgreSQL system type name, which would be found instead of the enum; choose another name", e.name),
            );
        }
        if name.is_some() {
            type_names.add(&mut ctx, &e.name, ptr(&[&"enums", &ei, &"name"]));
        }
        let mut ok = true;
        if e.values.is_empty() {
            ctx.error(
                Code::InvalidEnum,
                ptr(&[&"enums", &ei, &"values"]),
                format!("enum \"{}\" has no values", e.name),
            );
            ok = false;
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (vi, v) in e.values.iter().map(EnumValue::label).enumerate() {
            let path = ptr(&[&"enums", &ei, &"values", &vi]);
            if v.is_empty() || v.len() > MAX_IDENTIFIER_BYTES {
                ctx.error(
                    Code::InvalidEnum,
                    path,
                    format!("enum value \"{}\" must be 1 to {MAX_IDENTIFIER_BYTES} bytes long", v.escape_debug()),
                );
                ok = false;
            } else if v.contains('\0') {
                ctx.error(Code::InvalidEnum, path, "enum values must not contain NUL characters");
                ok = false;
            } else if let Some(first) = seen.insert(v, vi) {
                ctx.error(Code::InvalidEnum, path, format!("enum value \"{v}\" repeats value {first}"));
                ok = false;
            }
        }
        ctx.text(e.comment.as_deref(), ptr(&[&"enums", &ei, &"comment"]), "the comment");
        enum_models.push(match (name, ok) {
            (Some(name), true) => Some(EnumModel {
                id: e.id.clone(),
                name,
                values: e.values.iter().map(|v| v.label().to_string()).collect(),
                value_ids: e.values.iter().map(|v| v.id().map(str::to_string)).collect(),
                comment: e.comment.clone(),
            }),
            _ => None,
        });
    }
    let enum_name_by_id: HashMap<&str, &Ident> =
        doc.enums.iter().zip(&enum_models).filter_map(|(e, m)| m.as_ref().map(|m| (e.id.as_str(), &m.name))).collect();
    let labels: Vec<Vec<String>> =
        doc.enums.iter().map(|e| e.values.iter().map(|v| v.label().to_string()).collect()).collect();
    let enum_values_by_id: HashMap<&str, &[String]> =
        doc.enums.iter().zip(&labels).map(|(e, l)| (e.id.as_str(), l.as_slice())).collect();
    let enum_id_by_name_or_id =
        |s: &str| -> Option<&str> { doc.enums.iter().find(|e| e.name == s || e.id == s).map(|e| e.id.as_str()) };

    // Tables and their columns.
    let mut relation_names = Scope::new("table or index");
    // Every table's name first, so that an index or key named like a table
    // that comes later in the document is a clash too.
    for (ti, t) in doc.tables.iter().enumerate() {
        if Ident::parse(&t.name).is_ok() {
            relation_names.add_quiet(&t.name, ptr(&[&"tables", &ti, &"name"]));
        }
    }
    let mut tables: Vec<TableInfo> = Vec::new();
    for (ti, t) in doc.tables.iter().enumerate() {
        let tpath = ptr(&[&"tables", &ti]);
        let name = ctx.ident(&t.name, format!("{tpath}/name"), "table");
        if name.is_some() && catalog::shadowed_relation(&t.name) {
            ctx.error(
                Code::ReservedName,
                format!("{tpath}/name"),
                format!("table name \"{}\" starts with pg_, the prefix of PostgreSQL's system catalogs, which would be found instead of the table", t.name),
            );
        }
        if name.is_some() {
            type_names.add(&mut ctx, &t.name, format!("{tpath}/name"));
            // Table names share both namespaces; a clash between two tables
            // is reported once, by the type namespace above.
            relation_names.add_quiet(&t.name, format!("{tpath}/name"));
        }
        ctx.text(t.comment.as_deref(), format!("{tpath}/comment"), "the comment");
        if t.columns.len() > MAX_COLUMNS {
            ctx.error(
                Code::TooManyColumns,
                format!("{tpath}/columns"),
                format!(
                    "table \"{}\" has {} columns; PostgreSQL allows at most {MAX_COLUMNS}",
                    t.name,
                    t.columns.len()
                ),
            );
        } else if t.columns.len() > MANY_COLUMNS_WARNING {
            ctx.warn(
                Code::TooManyColumns,
                format!("{tpath}/columns"),
                format!("table \"{}\" has {} columns; consider splitting it", t.name, t.columns.len()),
            );
        }

        let mut col_names = Scope::new("column");
        let mut columns = Vec::new();
        for (ci, c) in t.columns.iter().enumerate() {
            let cpath = format!("{tpath}/columns/{ci}");
            let cname = ctx.ident(&c.name, format!("{cpath}/name"), "column");
            if cname.is_some() && catalog::SYSTEM_COLUMNS.contains(&c.name.as_str()) {
                ctx.error(
                    Code::ReservedName,
                    format!("{cpath}/name"),
                    format!("column name \"{}\" is a PostgreSQL system column of every table", c.name),
                );
            }
            if cname.is_some() {
                col_names.add(&mut ctx, &c.name, format!("{cpath}/name"));
            }
            let ty = match resolve_column_type(c, |id| enum_name_by_id.get(id).copied(), enum_id_by_name_or_id) {
                Ok(ty) => Some(ty),
                Err(ps) => {
                    for p in ps {
                        ctx.error(p.code, format!("{cpath}/{}", p.field), p.message);
                    }
                    None
                }
            };
            ctx.text(c.comment.as_deref(), format!("{cpath}/comment"), "the comment");
            let identity = c.auto_increment || c.identity.is_some() || is_serial(&c.data_type);
            let identity_settings =
                c.identity.as_ref().map(|spec| identity::settings(&mut ctx, spec, ty.as_ref(), &cpath));
            if identity && c.nullable == Some(true) && !c.primary_key {
                ctx.warn(
                    Code::IgnoredSetting,
                    format!("{cpath}/nullable"),
                    format!("column \"{}\" auto-increments, so it is NOT NULL whatever nullable says", c.name),
                );
            }
            if identity {
                if let Some(ty) = &ty {
                    if !ty.base.is_integer() || ty.array {
                        ctx.error(
                            Code::InvalidAutoIncrement,
                            format!("{cpath}/autoIncrement"),
                            format!("auto-increment needs smallint, integer or bigint, not {}", ty.describe()),
                        );
                    }
                }
                if c.default.is_some() {
                    ctx.error(
                        Code::InvalidAutoIncrement,
                        format!("{cpath}/default"),
                        "an auto-increment (autoIncrement or serial) column cannot also have a default",
                    );
                }
            }
            let mut default = None;
            if let (Some(d), Some(ty)) = (&c.default, &ty) {
                let labels = match &ty.base {
                    BaseType::Enum { id, .. } => enum_values_by_id.get(id.as_str()).copied(),
                    _ => None,
                };
                match check_default(d, ty, labels) {
                    Ok((value, warning)) => {
                        if let Some(w) = warning {
                            ctx.warn(Code::FrozenDefault, format!("{cpath}/default"), w);
                        }
                        default = Some(value);
                    }
                    Err((code, message)) => ctx.error(code, format!("{cpath}/default"), message),
                }
            }
            columns.push(ColInfo {
                id: c.id.clone(),
                name: cname,
                ty,
                nullable: c.nullable.unwrap_or(true) && !c.primary_key && !identity,
                identity,
                identity_settings,
                has_default: c.default.is_some(),
                default,
                primary_key: false,
                unique: c.unique,
                comment: c.comment.clone(),
            });
        }

        // Primary key.
        let flagged: Vec<String> = t.columns.iter().filter(|c| c.primary_key).map(|c| c.id.clone()).collect();
        let primary_key = match (&t.primary_key, flagged.is_empty()) {
            (Some(_), false) => {
                ctx.error(Code::InvalidPrimaryKey, format!("{tpath}/primaryKey"), format!("table \"{}\" declares its primary key both with primaryKey: true on columns and with a primaryKey list; use one", t.name));
                None
            }
            (None, true) if t.without_primary_key => {
                ctx.warn(Code::NoPrimaryKey, format!("{tpath}/withoutPrimaryKey"), format!("table \"{}\" has no primary key, as it says: rows can be told apart only by their values, other tables cannot reference it without a unique key, and logical replication cannot replicate its updates and deletes", t.name));
                None
            }
            (None, true) => {
                ctx.error(Code::MissingPrimaryKey, tpath.clone(), format!("table \"{}\" has no primary key; mark a column with \"primaryKey\": true, list the key's column ids in \"primaryKey\", or say \"withoutPrimaryKey\": true", t.name));
                None
            }
            (_, _) if t.without_primary_key => {
                ctx.error(
                    Code::InvalidPrimaryKey,
                    format!("{tpath}/withoutPrimaryKey"),
                    format!("table \"{}\" says withoutPrimaryKey but declares a primary key; use one", t.name),
                );
                None
            }
            (None, false) => Some(flagged),
            (Some(list), true) => {
                let mut ok = !list.is_empty();
                if list.is_empty() {
                    ctx.error(
                        Code::MissingPrimaryKey,
                        format!("{tpath}/primaryKey"),
                        format!("the primary key of table \"{}\" lists no columns", t.name),
                    );
                }
                let mut seen = HashSet::new();
                for (ki, id) in list.iter().enumerate() {
                    let kpath = format!("{tpath}/primaryKey/{ki}");
                    if !columns.iter().any(|c| &c.id == id) {
                        ctx.error(
                            Code::UnknownReference,
                            kpath,
                            format!("table \"{}\" has no column with id `{id}`", t.name),
                        );
                        ok = false;
                    } else if !seen.insert(id) {
                        ctx.error(
                            Code::InvalidPrimaryKey,
                            kpath,
                            format!("column `{id}` appears twice in the primary key"),
                        );
                        ok = false;
                    }
                }
                ok.then(|| list.clone())
            }
        };
        if let Some(pk) = &primary_key {
            for col in columns.iter_mut().filter(|c| pk.contains(&c.id)) {
                col.primary_key = true;
                col.nullable = false;
            }
            for (ci, c) in t.columns.iter().enumerate() {
                if pk.contains(&c.id) && c.nullable == Some(true) {
                    ctx.warn(
                        Code::IgnoredSetting,
                        format!("{tpath}/columns/{ci}/nullable"),
                        format!(
                            "column \"{}\" is part of the primary key, so it is NOT NULL whatever nullable says",
                            c.name
                        ),
                    );
                }
                if pk.contains(&c.id) {
                    if let Some(ty) = columns[ci].ty.as_ref().filter(|ty| ty.base == BaseType::Json) {
                        ctx.error(Code::InvalidPrimaryKey, format!("{tpath}/columns/{ci}"), format!("column \"{}\" is {}, which has no equality operator and cannot be in a primary key; use jsonb", c.name, ty.describe()));
                    }
                }
                if c.unique && pk.len() == 1 && pk[0] == c.id {
                    ctx.warn(
                        Code::IgnoredSetting,
                        format!("{tpath}/columns/{ci}/unique"),
                        format!("column \"{}\" is the primary key, which is already unique", c.name),
                    );
                    columns[ci].unique = false;
                }
            }
        }
        for (ci, c) in columns.iter().enumerate() {
            if c.unique && c.ty.as_ref().is_some_and(|ty| ty.base == BaseType::Json) {
                ctx.error(
                    Code::InvalidIndex,
                    format!("{tpath}/columns/{ci}/unique"),
                    "json has no equality operator and cannot be unique; use jsonb",
                );
            }
        }

        let uniques = keys::uniques(&mut ctx, &t.name, &t.uniques, &columns, primary_key.as_deref(), &tpath);
        for (u, doc_u) in uniques.iter().zip(&t.uniques) {
            if let (Some(_), Some(n)) = (&u.name, &doc_u.name) {
                let ui = t.uniques.iter().position(|x| x.id == u.id).unwrap_or_default();
                relation_names.add(&mut ctx, n, format!("{tpath}/uniques/{ui}/name"));
            }
        }

        let expr_columns: Vec<ExprColumn<'_>> = columns
            .iter()
            .filter_map(|c| {
                Some(ExprColumn {
                    id: &c.id,
                    name: c.name.as_ref()?,
                    ty: c.ty.as_ref(),
                    enum_values: match c.ty.as_ref().map(|t| &t.base) {
                        Some(BaseType::Enum { id, .. }) => enum_values_by_id.get(id.as_str()).copied(),
                        _ => None,
                    },
                })
            })
            .collect();

        // Checks.
        let mut checks = Vec::new();
        for (ki, k) in t.checks.iter().enumerate() {
            let kpath = format!("{tpath}/checks/{ki}");
            let kname = k.name.as_ref().and_then(|n| ctx.ident(n, format!("{kpath}/name"), "check constraint"));
            let expr = ctx.expression(&k.expression, &expr_columns, ExprContext::Check, format!("{kpath}/expression"));
            ctx.text(k.comment.as_deref(), format!("{kpath}/comment"), "the comment");
            checks.push(CheckInfo { id: k.id.clone(), name: kname, expr, comment: k.comment.clone() });
        }

        // Indexes.
        let mut indexes = Vec::new();
        for (xi, ix) in t.indexes.iter().enumerate() {
            let xpath = format!("{tpath}/indexes/{xi}");
            let xname = indexes::name(&mut ctx, ix, &xpath);
            if let (Some(_), Some(n)) = (&xname, &ix.name) {
                relation_names.add(&mut ctx, n, format!("{xpath}/name"));
            }
            let table = IndexTable { name: &t.name, columns: &columns, expr_columns: &expr_columns };
            indexes.push(indexes::analyze(&mut ctx, &table, ix, &xpath, xname));
        }
        tables.push(TableInfo {
            id: t.id.clone(),
            name,
            comment: t.comment.clone(),
            columns,
            primary_key,
            without_primary_key: t.without_primary_key,
            checks,
            indexes,
            uniques,
        });
    }

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

    // Names of constraints and indexes: user-chosen ones must be unique in
    // their namespaces; the rest are generated around them.
    let mut relations = Namespace::default();
    for t in &tables {
        if let Some(n) = &t.name {
            relations.insert(n.as_str());
        }
        for ix in &t.indexes {
            if let Some(n) = &ix.name {
                relations.insert(n.as_str());
            }
        }
        for u in &t.uniques {
            if let Some(n) = &u.name {
                relations.insert(n.as_str());
            }
        }
    }
    // Generated constraint names avoid every constraint name in the schema,
    // as PostgreSQL's ChooseConstraintName does; user-chosen names need only
    // be unique per table.
    let mut all_constraints = Namespace::default();
    let mut constraint_scopes: HashMap<&str, Scope<'_>> = HashMap::new();
    for (ti, (t, doc_t)) in tables.iter().zip(&doc.tables).enumerate() {
        let scope = constraint_scopes.entry(t.id.as_str()).or_insert_with(|| Scope::new("constraint"));
        for (CheckInfo { name, .. }, (ki, k)) in t.checks.iter().zip(doc_t.checks.iter().enumerate()) {
            if let (Some(n), Some(raw)) = (name, &k.name) {
                all_constraints.insert(n.as_str());
                scope.add(&mut ctx, raw, ptr(&[&"tables", &ti, &"checks", &ki, &"name"]));
            }
        }
        for u in &t.uniques {
            let ui = doc_t.uniques.iter().position(|x| x.id == u.id).unwrap_or_default();
            if let (Some(n), Some(raw)) = (&u.name, &doc_t.uniques[ui].name) {
                all_constraints.insert(n.as_str());
                scope.add(&mut ctx, raw, ptr(&[&"tables", &ti, &"uniques", &ui, &"name"]));
            }
        }
    }
    for (fi, (fk, name)) in doc.foreign_keys.iter().zip(&fk_names).enumerate() {
        if let (Some(n), Some(raw)) = (name, &fk.name) {
            if table_by_id.contains_key(fk.source_table_id.as_str()) {
                all_constraints.insert(n.as_str());
                constraint_scopes.entry(fk.source_table_id.as_str()).or_insert_with(|| Scope::new("constraint")).add(
                    &mut ctx,
                    raw,
                    ptr(&[&"foreignKeys", &fi, &"name"]),
                );
            }
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
    let model =
        if has_errors { None } else { build_model(&tables, enum_models, fks, &mut relations, &mut all_constraints) };
    (ctx.problems, summary, model)
}

fn check_ids(ctx: &mut Ctx, doc: &SchemaDocument) {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut add = |ctx: &mut Ctx, id: &str, path: String| {
        if id.trim().is_empty() {
            ctx.error(Code::InvalidId, path, "ids must not be empty");
        } else if id.chars().any(char::is_control) || id.len() > 200 {
            ctx.error(Code::InvalidId, path, "ids must be at most 200 bytes without control characters");
        } else if let Some(first) = seen.get(id) {
            ctx.error(Code::DuplicateId, path, format!("id `{id}` is already used at {first}"));
        } else {
            seen.insert(id.to_string(), path);
        }
    };
    for (ti, t) in doc.tables.iter().enumerate() {
        add(ctx, &t.id, ptr(&[&"tables", &ti, &"id"]));
        for (ci, c) in t.columns.iter().enumerate() {
            add(ctx, &c.id, ptr(&[&"tables", &ti, &"columns", &ci, &"id"]));
        }
        for (xi, x) in t.indexes.iter().enumerate() {
            add(ctx, &x.id, ptr(&[&"tables", &ti, &"indexes", &xi, &"id"]));
        }
        for (ki, k) in t.checks.iter().enumerate() {
            add(ctx, &k.id, ptr(&[&"tables", &ti, &"checks", &ki, &"id"]));
        }
        for (ui, u) in t.uniques.iter().enumerate() {
            add(ctx, &u.id, ptr(&[&"tables", &ti, &"uniques", &ui, &"id"]));
        }
    }
    for (fi, f) in doc.foreign_keys.iter().enumerate() {
        add(ctx, &f.id, ptr(&[&"foreignKeys", &fi, &"id"]));
    }
    for (ei, e) in doc.enums.iter().enumerate() {
        add(ctx, &e.id, ptr(&[&"enums", &ei, &"id"]));
        for (vi, v) in e.values.iter().enumerate() {
            if let Some(id) = v.id() {
                add(ctx, id, ptr(&[&"enums", &ei, &"values", &vi, &"id"]));
            }
        }
    }
}

/// Check a default against the column type. Returns the normalized value and
/// an optional FROZEN_DEFAULT warning.
fn check_default(
    default: &ColumnDefault,
    ty: &ColumnType,
    labels: Option<&[String]>,
) -> Result<(DefaultValue, Option<String>), (Code, String)> {
    match default {
        ColumnDefault::Function(f) => {
            let Some(func) = DefaultFunction::from_name(&f.function) else {
                let allowed: Vec<&str> = DefaultFunction::ALL.iter().map(|f| f.name()).collect();
                return Err((
                    Code::InvalidDefault,
                    format!(
                        "function `{}` is not an allowed default; allowed: {}",
                        f.function.escape_debug(),
                        allowed.join(", ")
                    ),
                ));
            };
            if func.fits(ty) {
                Ok((DefaultValue::Function(func), None))
            } else {
                Err((
                    Code::TypeMismatch,
                    format!("{}() does not produce a value for a {} column", func.name(), ty.describe()),
                ))
            }
        }
        ColumnDefault::Literal(Literal::Array(items)) => {
            if !ty.array {
                return Err((Code::TypeMismatch, format!("an array default does not fit a {} column", ty.describe())));
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Literal::Null => out.push(None),
                    Literal::Array(_) => {
                        return Err((Code::InvalidDefault, "nested arrays are not supported in defaults".to_string()));
                    }
                    scalar => {
                        let v = scalar_literal(scalar, &ty.base, labels)
                            .map_err(|(c, m)| (c, format!("element {i}: {m}")))?;
                        out.push(Some(v));
                    }
                }
            }
            Ok((DefaultValue::Array(out), None))
        }
        ColumnDefault::Literal(Literal::Null) => {
            Err((Code::InvalidDefault, "a null default is the same as no default; omit it".to_string()))
        }
        ColumnDefault::Literal(lit) => {
            if ty.array {
                return Err((
                    Code::TypeMismatch,
                    format!("a {} column needs a JSON array as its default", ty.describe()),
                ));
            }
            let value = scalar_literal(lit, &ty.base, labels)?;
            let frozen = matches!(
                ty.base,
                BaseType::Date | BaseType::Time(_) | BaseType::Timestamp(_) | BaseType::Timestamptz(_)
            ) && values::is_frozen_time_literal(&value);
            let warning = frozen.then(|| {
                format!(
                    "'{value}' is evaluated once, when the table is created, so every row would get that same moment; use {{\"function\": \"now\"}} or {{\"function\": \"current_date\"}}"
                )
            });
            Ok((DefaultValue::Literal(value), warning))
        }
    }
}

/// Validate one scalar literal against a base type; returns PostgreSQL's text input form.
fn scalar_literal(lit: &Literal, base: &BaseType, labels: Option<&[String]>) -> Result<String, (Code, String)> {
    let mismatch = |what: &str| Err((Code::TypeMismatch, format!("{what} does not fit a {} column", base.describe())));
    let invalid = |v: &str, expect: &str| {
        Err((Code::InvalidDefault, format!("'{}' is not a valid {}: {expect}", v.escape_debug(), base.describe())))
    };
    let text = match lit {
        Literal::Null | Literal::Array(_) => return mismatch("this value"),
        Literal::Bool(b) => {
            return if matches!(base, BaseType::Boolean) { Ok(b.to_string()) } else { mismatch("a boolean") };
        }
        Literal::Number(n) => {
            if !matches!(
                base,
                BaseType::SmallInt
                    | BaseType::Integer
                    | BaseType::BigInt
                    | BaseType::Numeric { .. }
                    | BaseType::Real
                    | BaseType::DoublePrecision
            ) {
                return mismatch("a number");
            }
            n.to_string()
        }
        Literal::String(s) => s.clone(),
    };
    if text.contains('\0') {
        return Err((Code::InvalidDefault, "defaults must not contain NUL characters".to_string()));
    }
    let ok = match base {
        BaseType::SmallInt | BaseType::Integer | BaseType::BigInt => {
            let (lo, hi): (i128, i128) = match base {
                BaseType::SmallInt => (i16::MIN.into(), i16::MAX.into()),
                BaseType::Integer => (i32::MIN.into(), i32::MAX.into()),
                _ => (i64::MIN.into(), i64::MAX.into()),
            };
            match values::parse_integer(&text) {
                Some(v) if (lo..=hi).contains(&v) => return Ok(v.to_string()),
                Some(_) => return invalid(&text, &format!("out of range {lo} to {hi}")),
                None => return invalid(&text, "expected a whole number"),
            }
        }
        BaseType::Numeric { precision, scale } => match values::parse_decimal(&text) {
            None if values::is_special_float(&text) && text.trim().eq_ignore_ascii_case("nan") => true,
            None => return invalid(&text, "expected a decimal number"),
            Some(_) => {
                if let Some(p) = precision {
                    let scale = scale.unwrap_or(0);
                    // PostgreSQL rounds to the scale first: 9999.995 becomes 10000.00.
                    let int_digits = values::integer_digits_after_rounding(&text, scale as usize).unwrap_or(usize::MAX);
                    let max_int = p.saturating_sub(scale) as usize;
                    if int_digits > max_int {
                        return invalid(
                            &text,
                            &format!("it has {int_digits} digit(s) before the point, the type allows {max_int}"),
                        );
                    }
                }
                true
            }
        },
        BaseType::Real => values::is_special_float(&text) || values::float_in_range(&text, false),
        BaseType::DoublePrecision => values::is_special_float(&text) || values::float_in_range(&text, true),
        BaseType::Boolean => match values::parse_bool(&text) {
            Some(b) => return Ok(b.to_string()),
            None => return invalid(&text, "expected true or false"),
        },
        BaseType::Char(n) | BaseType::Varchar(Some(n)) => {
            let len = text.chars().count();
            if len > *n as usize {
                return invalid(&text, &format!("it is {len} characters long, the column holds {n}"));
            }
            true
        }
        BaseType::Varchar(None) | BaseType::Text => true,
        BaseType::Bytea => values::is_bytea(&text),
        BaseType::Date => values::is_date(&text) || values::is_frozen_time_literal(&text),
        BaseType::Time(_) => values::is_time(&text) || text.trim().eq_ignore_ascii_case("now"),
        BaseType::Timestamp(_) => values::is_timestamp(&text, false) || values::is_frozen_time_literal(&text),
        BaseType::Timestamptz(_) => values::is_timestamp(&text, true) || values::is_frozen_time_literal(&text),
        BaseType::Interval(_) => values::is_interval(&text),
        BaseType::Uuid => values::is_uuid(&text),
        BaseType::Json => serde_json::from_str::<serde_json::Value>(&text).is_ok(),
        // jsonb cannot store \u0000.
        BaseType::Jsonb => serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| !values::json_has_nul(&v)),
        BaseType::Inet => values::is_network(&text, false),
        BaseType::Cidr => values::is_network(&text, true),
        BaseType::Macaddr => values::is_macaddr(&text),
        BaseType::Enum { name, .. } => {
            let labels = labels.unwrap_or_default();
            if !labels.contains(&text) {
                return Err((
                    Code::InvalidDefault,
                    format!(
                        "'{}' is not a value of enum \"{name}\" (values: {})",
                        text.escape_debug(),
                        labels.join(", ")
                    ),
                ));
            }
            true
        }
    };
    if ok { Ok(text) } else { invalid(&text, expected_form(base)) }
}

fn expected_form(base: &BaseType) -> &'static str {
    match base {
        BaseType::Real | BaseType::DoublePrecision => "expected a number within the type's range, NaN or Infinity",
        BaseType::Bytea => "expected hex format like \\x0a1b, or text without backslashes",
        BaseType::Date => "expected YYYY-MM-DD",
        BaseType::Time(_) => "expected HH:MM[:SS[.ffffff]]",
        BaseType::Timestamp(_) => "expected YYYY-MM-DD[ HH:MM[:SS]] without a time zone",
        BaseType::Timestamptz(_) => "expected YYYY-MM-DD[ HH:MM[:SS]][+HH:MM|Z]",
        BaseType::Interval(_) => "expected e.g. '1 day 02:00:00' or ISO 8601 'P1DT2H'",
        BaseType::Uuid => "expected 8-4-4-4-12 hexadecimal digits",
        BaseType::Json | BaseType::Jsonb => "expected JSON text, e.g. \"{}\"",
        BaseType::Inet => "expected an IPv4 or IPv6 address, optionally with /prefix",
        BaseType::Cidr => "expected a network address with no bits set right of the /prefix",
        BaseType::Macaddr => "expected six hex pairs, e.g. 08:00:2b:01:02:03",
        _ => "not accepted",
    }
}

/// Whether an index method can index a column of this type with a default
/// operator class (checked against PostgreSQL's `pg_opclass`).
fn check_foreign_key(
    ctx: &mut Ctx,
    fk: &crate::document::ForeignKey,
    fpath: &str,
    tables: &HashMap<&str, &TableInfo>,
    name: Option<Ident>,
) -> Option<FkInfo> {
    let src = tables.get(fk.source_table_id.as_str());
    let dst = tables.get(fk.target_table_id.as_str());
    if src.is_none() {
        ctx.error(
            Code::UnknownReference,
            format!("{fpath}/sourceTableId"),
            format!("no table has the id `{}`", fk.source_table_id),
        );
    }
    if dst.is_none() {
        ctx.error(
            Code::UnknownReference,
            format!("{fpath}/targetTableId"),
            format!("no table has the id `{}`", fk.target_table_id),
        );
    }
    let side = |ctx: &mut Ctx,
                list: &Option<Vec<String>>,
                single: &Option<String>,
                which: &str|
     -> Option<(Vec<String>, &'static str)> {
        let (list_field, single_field) = if which == "source" {
            ("sourceColumnIds", "sourceColumnId")
        } else {
            ("targetColumnIds", "targetColumnId")
        };
        match (list, single) {
            (Some(l), Some(s)) if l.as_slice() != std::slice::from_ref(s) => {
                ctx.error(
                    Code::InvalidForeignKey,
                    format!("{fpath}/{single_field}"),
                    format!("{single_field} contradicts {list_field}; give one of them"),
                );
                None
            }
            (Some(l), _) if !l.is_empty() => Some((l.clone(), list_field)),
            (_, Some(s)) => Some((vec![s.clone()], single_field)),
            _ => {
                ctx.error(
                    Code::InvalidForeignKey,
                    fpath.to_string(),
                    format!("the foreign key names no {which} columns; give {list_field} or {single_field}"),
                );
                None
            }
        }
    };
    let source = side(ctx, &fk.source_column_ids, &fk.source_column_id, "source");
    let target = side(ctx, &fk.target_column_ids, &fk.target_column_id, "target");
    let (Some(src), Some(dst), Some((scols, sfield)), Some((tcols, tfield))) = (src, dst, source, target) else {
        return None;
    };
    let mut ok = true;
    let resolve = |ctx: &mut Ctx, table: &TableInfo, cols: &[String], field: &str| -> Vec<Option<ColInfo>> {
        let mut seen = HashSet::new();
        cols.iter()
            .enumerate()
            .map(|(i, id)| {
                let path =
                    if field.ends_with('s') { format!("{fpath}/{field}/{i}") } else { format!("{fpath}/{field}") };
                match table.column(id) {
                    None => {
                        ctx.error(
                            Code::UnknownReference,
                            path,
                            format!("{} has no column with id `{id}`", table.label()),
                        );
                        None
                    }
                    Some(_) if !seen.insert(id) => {
                        ctx.error(
                            Code::InvalidForeignKey,
                            path,
                            format!("column `{id}` appears twice in the foreign key"),
                        );
                        None
                    }
                    Some(c) => Some(c.clone()),
                }
            })
            .collect()
    };
    let s_resolved = resolve(ctx, src, &scols, sfield);
    let t_resolved = resolve(ctx, dst, &tcols, tfield);
    if s_resolved.iter().chain(&t_resolved).any(Option::is_none) {
        ok = false;
    }
    if scols.len() != tcols.len() {
        ctx.error(
            Code::InvalidForeignKey,
            fpath.to_string(),
            format!("the foreign key has {} source column(s) but {} target column(s)", scols.len(), tcols.len()),
        );
        return None;
    }
    if ok {
        let want: HashSet<&str> = tcols.iter().map(String::as_str).collect();
        let keys = dst.unique_keys();
        if !keys.iter().any(|k| k.len() == want.len() && k.iter().copied().collect::<HashSet<_>>() == want) {
            ctx.error(
                Code::InvalidForeignKey,
                format!("{fpath}/{tfield}"),
                format!(
                    "the referenced columns of {} are not its primary key or a unique key; PostgreSQL requires one",
                    dst.label()
                ),
            );
            ok = false;
        }
        for (i, (s, t)) in s_resolved.iter().zip(&t_resolved).enumerate() {
            let (Some(s), Some(t)) = (s, t) else { continue };
            let (Some(sty), Some(tty)) = (&s.ty, &t.ty) else { continue };
            let path =
                if sfield.ends_with('s') { format!("{fpath}/{sfield}/{i}") } else { format!("{fpath}/{sfield}") };
            if !foreign_key_compatible(sty, tty) {
                ctx.error(
                    Code::TypeMismatch,
                    path,
                    format!(
                        "column \"{}\" ({}) cannot reference \"{}\" ({}); the types must be comparable",
                        s.name.as_ref().map_or("?", Ident::as_str),
                        sty.describe(),
                        t.name.as_ref().map_or("?", Ident::as_str),
                        tty.describe()
                    ),
                );
                ok = false;
            }
        }
        let fields = [(fk.on_delete, "onDelete"), (fk.on_update, "onUpdate")];
        for (action, field) in fields {
            if action == ReferentialAction::SetNull {
                if let Some(c) = s_resolved.iter().flatten().find(|c| !c.nullable) {
                    ctx.error(
                        Code::InvalidForeignKey,
                        format!("{fpath}/{field}"),
                        format!(
                            "SET NULL cannot work: column \"{}\" is NOT NULL",
                            c.name.as_ref().map_or("?", Ident::as_str)
                        ),
                    );
                    ok = false;
                }
            }
            if action == ReferentialAction::SetDefault {
                if let Some(c) = s_resolved.iter().flatten().find(|c| !c.nullable && !c.has_default && !c.identity) {
                    ctx.warn(
                        Code::IgnoredSetting,
                        format!("{fpath}/{field}"),
                        format!(
                            "SET DEFAULT will fail: column \"{}\" is NOT NULL and has no default",
                            c.name.as_ref().map_or("?", Ident::as_str)
                        ),
                    );
                }
            }
        }
    }
    let name_ok = fk.name.is_none() || name.is_some();
    match ok && name_ok {
        true => Some(FkInfo {
            id: fk.id.clone(),
            name,
            source_table_id: src.id.clone(),
            source_column_ids: scols,
            target_table_id: dst.id.clone(),
            target_column_ids: tcols,
            on_delete: fk.on_delete,
            on_update: fk.on_update,
            match_full: fk.match_type == crate::document::MatchType::Full,
            deferral: keys::deferral(ctx, fk.deferrable, fk.initially_deferred, fpath),
            comment: {
                ctx.text(fk.comment.as_deref(), format!("{fpath}/comment"), "the comment");
                fk.comment.clone()
            },
        }),
        _ => None,
    }
}

/// Whether PostgreSQL can build a foreign key from `src` to `dst`: it needs
/// an equality operator between them and an implicit cast of the source type
/// to the key type (`real -> numeric`, for one, has none). Checked against
/// PostgreSQL 15 for every pair of supported scalar types.
fn foreign_key_compatible(src: &ColumnType, dst: &ColumnType) -> bool {
    use crate::model::TypeFamily as F;
    if src.array != dst.array || matches!(src.base, BaseType::Json) || matches!(dst.base, BaseType::Json) {
        return false;
    }
    if src.array {
        // PostgreSQL 15 builds array foreign keys only between identical
        // element types without a type modifier (varchar(5)[] fails).
        let no_typmod = !matches!(
            src.base,
            BaseType::Numeric { precision: Some(_), .. }
                | BaseType::Char(_)
                | BaseType::Varchar(Some(_))
                | BaseType::Time(Some(_))
                | BaseType::Timestamp(Some(_))
                | BaseType::Timestamptz(Some(_))
                | BaseType::Interval(Some(_))
        );
        return src.base == dst.base && no_typmod;
    }
    match (src.base.family(), dst.base.family()) {
        (F::Integer, F::Integer | F::Numeric) => true,
        (F::Numeric, F::Numeric) => {
            !(matches!(src.base, BaseType::Real | BaseType::DoublePrecision)
                && matches!(dst.base, BaseType::Numeric { .. }))
        }
        (a, b) => a == b,
    }
}

fn report_uninsertable_cycles(ctx: &mut Ctx, doc: &SchemaDocument, tables: &[TableInfo]) {
    let index: HashMap<&str, usize> = tables.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    let mut edges: Vec<(usize, usize, usize)> = Vec::new();
    for (fi, fk) in doc.foreign_keys.iter().enumerate() {
        let (Some(&s), Some(&t)) = (index.get(fk.source_table_id.as_str()), index.get(fk.target_table_id.as_str()))
        else {
            continue;
        };
        let cols: Vec<String> = match (&fk.source_column_ids, &fk.source_column_id) {
            (Some(l), _) if !l.is_empty() => l.clone(),
            (_, Some(c)) => vec![c.clone()],
            _ => continue,
        };
        let all_not_null = cols.iter().all(|c| tables[s].column(c).is_some_and(|c| !c.nullable));
        if all_not_null && s != t {
            edges.push((s, t, fi));
        }
    }
    let adjacency: Vec<Vec<usize>> =
        (0..tables.len()).map(|i| edges.iter().filter(|(s, _, _)| *s == i).map(|(_, t, _)| *t).collect()).collect();
    for component in crate::summary::strongly_connected(&adjacency) {
        if component.len() < 2 {
            continue;
        }
        let members: HashSet<usize> = component.iter().copied().collect();
        let Some(&(_, _, fi)) = edges.iter().find(|(s, t, _)| members.contains(s) && members.contains(t)) else {
            continue;
        };
        let mut names: Vec<String> = component.iter().map(|&i| tables[i].label()).collect();
        names.sort();
        ctx.warn(
            Code::UninsertableCycle,
            ptr(&[&"foreignKeys", &fi]),
            format!(
                "NOT NULL foreign keys form a cycle through {}: no first row can be inserted into any of them; make one of the columns nullable",
                names.join(", ")
            ),
        );
    }
}

/// Build the model of an error-free document, choosing generated names.
fn build_model(
    tables: &[TableInfo],
    enums: Vec<Option<EnumModel>>,
    fks: Vec<Option<FkInfo>>,
    relations: &mut Namespace,
    all_constraints: &mut Namespace,
) -> Option<Model> {
    let enums: Vec<EnumModel> = enums.into_iter().collect::<Option<_>>()?;
    let fk_infos: Vec<FkInfo> = fks.into_iter().collect::<Option<_>>()?;
    let mut out = Vec::new();
    // Generated names per table, chosen in a fixed order: primary key,
    // unique constraints, checks, then (below) foreign keys and indexes.
    for t in tables {
        let tname = t.name.clone()?;
        let space = &mut *all_constraints;
        let col_name = |id: &str| t.column(id).and_then(|c| c.name.as_ref()).map(Ident::as_str);
        let mut pick = |name2: Option<&str>, label: &str, relation: bool| -> Option<Ident> {
            let name = if relation {
                choose_name(tname.as_str(), name2, label, &[relations, space])
            } else {
                choose_name(tname.as_str(), name2, label, &[space])
            };
            space.insert(&name);
            if relation {
                relations.insert(&name);
            }
            Ident::parse(&name).ok()
        };
        // A table without a key has none only when it says so; otherwise a
        // missing key was reported and there is no model.
        let primary_key = match t.primary_key.clone() {
            Some(column_ids) => Some(KeyConstraint::new(pick(None, "pkey", true)?, column_ids)),
            None if t.without_primary_key => None,
            None => return None,
        };
        let mut uniques = Vec::new();
        for c in t.columns.iter().filter(|c| c.unique) {
            uniques.push(KeyConstraint::new(pick(col_name(&c.id), "key", true)?, vec![c.id.clone()]));
        }
        for u in &t.uniques {
            let name = match &u.name {
                Some(n) => n.clone(),
                None => {
                    let cols: Vec<&str> = u.column_ids.iter().filter_map(|id| col_name(id)).collect();
                    pick(Some(&cols.join("_")), "key", true)?
                }
            };
            uniques.push(KeyConstraint {
                id: Some(u.id.clone()),
                name,
                column_ids: u.column_ids.clone(),
                nulls_not_distinct: u.nulls_not_distinct,
                deferral: u.deferral,
                comment: u.comment.clone(),
            });
        }
        // Identity sequences are relations too; naming them explicitly keeps
        // a later table or index of the same name from colliding.
        let mut sequences = HashMap::new();
        for c in t.columns.iter().filter(|c| c.identity) {
            sequences.insert(c.id.clone(), pick(col_name(&c.id), "seq", true)?);
        }
        let mut checks = Vec::new();
        for CheckInfo { id, name, expr, comment } in &t.checks {
            let expr = expr.clone()?;
            let name = match name {
                Some(n) => n.clone(),
                None => {
                    let cols = expr.column_ids();
                    let single =
                        cols.first().filter(|first| cols.iter().all(|c| c == *first)).and_then(|c| col_name(c));
                    pick(single, "check", false)?
                }
            };
            checks.push(CheckModel { id: id.clone(), name, expr, comment: comment.clone() });
        }
        let columns = t
            .columns
            .iter()
            .map(|c| {
                Some(ColumnModel {
                    id: c.id.clone(),
                    name: c.name.clone()?,
                    ty: c.ty.clone()?,
                    nullable: c.nullable,
                    identity: sequences.get(&c.id).cloned().map(|sequence| {
                        let (always, options) = c.identity_settings.unwrap_or_default();
                        Identity { sequence, always, options }
                    }),
                    default: c.default.clone(),
                    comment: c.comment.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        out.push(TableModel {
            id: t.id.clone(),
            name: tname,
            comment: t.comment.clone(),
            columns,
            primary_key,
            uniques,
            checks,
            indexes: Vec::new(),
        });
    }
    // Foreign keys without a name.
    let mut fks = Vec::new();
    for fk in fk_infos {
        let table = out.iter().find(|t| t.id == fk.source_table_id)?;
        let name = match fk.name {
            Some(name) => name,
            None => {
                let cols: Vec<&str> =
                    fk.source_column_ids.iter().filter_map(|id| table.column(id)).map(|c| c.name.as_str()).collect();
                let space = &mut *all_constraints;
                let name = choose_name(table.name.as_str(), Some(&cols.join("_")), "fkey", &[space]);
                space.insert(&name);
                Ident::parse(&name).ok()?
            }
        };
        fks.push(ForeignKeyModel {
            id: fk.id,
            name,
            source_table_id: fk.source_table_id,
            source_column_ids: fk.source_column_ids,
            target_table_id: fk.target_table_id,
            target_column_ids: fk.target_column_ids,
            on_delete: fk.on_delete,
            on_update: fk.on_update,
            match_full: fk.match_full,
            deferral: fk.deferral,
            comment: fk.comment,
        });
    }
    // Indexes.
    for (t, info) in out.iter_mut().zip(tables) {
        for ix in &info.indexes {
            let name = match &ix.name {
                Some(n) => n.clone(),
                None => {
                    let cols: Vec<&str> = ix
                        .columns
                        .iter()
                        .flat_map(IndexColumnModel::column_ids)
                        .filter_map(|id| t.column(id))
                        .map(|c| c.name.as_str())
                        .collect();
                    let name = choose_name(t.name.as_str(), Some(&cols.join("_")), "idx", &[relations]);
                    relations.insert(&name);
                    Ident::parse(&name).ok()?
                }
            };
            t.indexes.push(IndexModel {
                id: ix.id.clone(),
                name,
                unique: ix.unique,
                method: ix.method,
                columns: ix.columns.clone(),
                predicate: ix.predicate.clone(),
                include: ix.include.clone(),
                nulls_not_distinct: ix.nulls_not_distinct,
                comment: ix.comment.clone(),
            });
        }
    }
    Some(Model { enums, tables: out, foreign_keys: fks })
}

/// A checked foreign key whose name may still have to be generated.
#[derive(Debug, Clone)]
struct FkInfo {
    id: String,
    name: Option<Ident>,
    source_table_id: String,
    source_column_ids: Vec<String>,
    target_table_id: String,
    target_column_ids: Vec<String>,
    on_delete: ReferentialAction,
    on_update: ReferentialAction,
    match_full: bool,
    deferral: Deferral,
    comment: Option<String>,
}

mod identity;
mod indexes;
mod keys;
use indexes::IndexTable;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_document;
    use serde_json::{Value, json};

    fn doc(v: Value) -> SchemaDocument {
        parse_document(&v.to_string()).unwrap()
    }

    /// A users table (id pk, email) and an orders table (id pk, user_id), plus `extra` merged in.
    fn base() -> Value {
        json!({
            "name": "test",
            "tables": [
                {"id": "tu", "name": "users", "columns": [
                    {"id": "u_id", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
                    {"id": "u_email", "name": "email", "dataType": "varchar(255)", "nullable": false, "unique": true}
                ]},
                {"id": "to", "name": "orders", "columns": [
                    {"id": "o_id", "name": "id", "dataType": "bigint", "primaryKey": true},
                    {"id": "o_user", "name": "user_id", "dataType": "bigint", "nullable": false}
                ], "indexes": [{"id": "o_user_ix", "columnIds": ["o_user"]}]}
            ],
            "foreignKeys": [
                {"id": "fk1", "sourceTableId": "to", "sourceColumnId": "o_user", "targetTableId": "tu", "targetColumnId": "u_id", "onDelete": "cascade"}
            ]
        })
    }

    fn problems(v: Value) -> Vec<(String, &'static str, Severity)> {
        validate(&doc(v)).problems.into_iter().map(|p| (p.path, p.code.as_str(), p.severity)).collect()
    }

    fn codes(v: Value) -> Vec<&'static str> {
        problems(v).into_iter().map(|(_, c, _)| c).collect()
    }

    fn with_column(col: Value) -> Value {
        let mut v = base();
        v["tables"][0]["columns"].as_array_mut().unwrap().push(col);
        v
    }

    #[test]
    fn the_base_document_is_clean() {
        assert_eq!(problems(base()), vec![]);
        let schema = ValidSchema::parse(doc(base())).unwrap();
        let m = schema.model();
        assert_eq!(m.tables[0].uniques[0].name.as_str(), "users_email_key");
        assert_eq!(m.foreign_keys[0].name.as_str(), "orders_user_id_fkey");
        assert_eq!(m.tables[1].indexes[0].name.as_str(), "orders_user_id_idx");
        assert!(!m.tables[0].columns[0].nullable);
        assert_eq!(m.tables[0].columns[0].identity.as_ref().map(|i| i.sequence.as_str()), Some("users_id_seq"));
    }

    #[test]
    fn reports_every_problem_at_once() {
        let v = json!({"name": "", "tables": [
            {"id": "t", "name": "", "columns": [{"id": "t", "name": "x\u{1}", "dataType": "money"}]},
            {"id": "t2", "name": "select", "columns": [{"id": "c", "name": "id", "dataType": "int", "primaryKey": true}]}
        ]});
        let got = problems(v);
        let expected = [
            ("/name", "INVALID_TEXT", Severity::Error),
            ("/tables/0/columns/0/id", "DUPLICATE_ID", Severity::Error),
            ("/tables/0/name", "INVALID_IDENTIFIER", Severity::Error),
            ("/tables/0/columns/0/name", "INVALID_IDENTIFIER", Severity::Error),
            ("/tables/0/columns/0/dataType", "UNSUPPORTED_DATA_TYPE", Severity::Error),
            ("/tables/0", "MISSING_PRIMARY_KEY", Severity::Error),
            ("/tables/1/name", "RESERVED_WORD", Severity::Warning),
        ];
        let got: Vec<(&str, &str, Severity)> = got.iter().map(|(p, c, s)| (p.as_str(), *c, *s)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn names_are_unique_per_scope_and_case_collisions_warn() {
        let mut v = base();
        v["tables"][1]["name"] = json!("users");
        assert_eq!(codes(v), vec!["DUPLICATE_NAME"]);
        let mut v = base();
        v["tables"][1]["name"] = json!("Users");
        assert_eq!(codes(v), vec!["CASE_COLLISION"]);
        let v = with_column(json!({"id": "dup", "name": "email", "dataType": "text"}));
        assert_eq!(problems(v)[0], ("/tables/0/columns/2/name".to_string(), "DUPLICATE_NAME", Severity::Error));
        // an enum shares the type namespace with tables
        let mut v = base();
        v["enums"] = json!([{"id": "e", "name": "orders", "values": ["a"]}]);
        assert_eq!(codes(v), vec!["DUPLICATE_NAME"]);
        // a user-named index must not reuse a table name
        let mut v = base();
        v["tables"][1]["indexes"][0]["name"] = json!("users");
        assert_eq!(codes(v), vec!["DUPLICATE_NAME"]);
    }

    #[test]
    fn sixty_three_bytes_is_the_limit() {
        let mut v = base();
        v["tables"][0]["name"] = json!("é".repeat(32));
        let p = &problems(v)[0];
        assert_eq!((p.0.as_str(), p.1), ("/tables/0/name", "INVALID_IDENTIFIER"));
        let mut v = base();
        v["tables"][0]["name"] = json!(format!("{}x", "é".repeat(31)));
        assert_eq!(codes(v), Vec::<&str>::new());
    }

    #[test]
    fn a_table_without_a_primary_key_must_say_so() {
        let mut v = base();
        v["tables"][1]["columns"][0]["primaryKey"] = json!(false);
        v["tables"][1]["withoutPrimaryKey"] = json!(true);
        let expected = vec![("/tables/1/withoutPrimaryKey".to_string(), "NO_PRIMARY_KEY", Severity::Warning)];
        assert_eq!(problems(v.clone()), expected, "a warning, not an error");
        let schema = ValidSchema::parse(doc(v)).unwrap();
        assert!(schema.model().tables[1].primary_key.is_none());
        assert!(schema.model().tables[0].primary_key.is_some());
        // Saying so while declaring a key is a contradiction.
        let mut v = base();
        v["tables"][1]["withoutPrimaryKey"] = json!(true);
        assert_eq!(problems(v)[0].0, "/tables/1/withoutPrimaryKey");
        let mut v = base();
        v["tables"][1]["withoutPrimaryKey"] = json!(true);
        v["tables"][1]["columns"][0]["primaryKey"] = json!(false);
        v["tables"][1]["primaryKey"] = json!(["o_id"]);
        assert_eq!(codes(v), vec!["INVALID_PRIMARY_KEY"]);
    }

    #[test]
    fn primary_key_rules() {
        let mut v = base();
        v["tables"][1]["primaryKey"] = json!(["o_id"]);
        assert_eq!(codes(v), vec!["INVALID_PRIMARY_KEY"]);
        let mut v = base();
        v["tables"][1]["columns"][0]["primaryKey"] = json!(false);
        v["tables"][1]["primaryKey"] = json!(["o_id", "o_user", "o_id", "nope"]);
        assert_eq!(codes(v), vec!["INVALID_PRIMARY_KEY", "UNKNOWN_REFERENCE"]);
        let mut v = base();
        v["tables"][1]["columns"][0]["primaryKey"] = json!(false);
        v["tables"][1]["primaryKey"] = json!([]);
        assert_eq!(codes(v), vec!["MISSING_PRIMARY_KEY"]);
        let mut v = base();
        v["tables"][1]["columns"][0]["nullable"] = json!(true);
        assert_eq!(problems(v)[0].1, "IGNORED_SETTING");
        let mut v = base();
        v["tables"][1]["columns"][0]["dataType"] = json!("json");
        v["tables"][0]["columns"][0]["dataType"] = json!("json");
        v["tables"][0]["columns"][0]["autoIncrement"] = json!(false);
        assert!(codes(v).contains(&"INVALID_PRIMARY_KEY"));
    }

    #[test]
    fn auto_increment_rules() {
        let v = with_column(json!({"id": "x", "name": "x", "dataType": "text", "autoIncrement": true}));
        assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
        let v =
            with_column(json!({"id": "x", "name": "x", "dataType": "integer", "autoIncrement": true, "default": 1}));
        assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
        let v = with_column(json!({"id": "x", "name": "x", "dataType": "integer[]", "autoIncrement": true}));
        assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
        let v = with_column(json!({"id": "x", "name": "x", "dataType": "serial[]"}));
        assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
        let v = with_column(json!({"id": "x", "name": "x", "dataType": "bigserial", "default": 1}));
        assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
        let v = with_column(json!({"id": "x", "name": "x", "dataType": "serial", "nullable": true}));
        assert_eq!(codes(v), vec!["IGNORED_SETTING"]);
        let v = with_column(json!({"id": "x", "name": "x", "dataType": "SERIAL"}));
        let s = ValidSchema::parse(doc(v)).unwrap();
        let col = &s.model().tables[0].columns[2];
        assert!(col.identity.is_some() && !col.nullable && col.ty.base == BaseType::Integer);
    }

    fn default_codes(data_type: &str, default: Value) -> Vec<&'static str> {
        let mut v = with_column(json!({"id": "x", "name": "x", "dataType": data_type, "default": default}));
        v["enums"] = json!([{"id": "e1", "name": "mood", "values": ["happy", "sad"]}]);
        if data_type == "enum" {
            v["tables"][0]["columns"][2]["enumId"] = json!("e1");
        }
        codes(v)
    }

    #[test]
    fn defaults_are_type_checked() {
        let ok: &[(&str, Value)] = &[
            ("smallint", json!(-32768)),
            ("integer", json!("42")),
            ("bigint", json!("9223372036854775807")),
            ("numeric(5,2)", json!(123.45)),
            ("numeric(5,2)", json!("-999.994")),
            ("real", json!("Infinity")),
            ("boolean", json!(false)),
            ("boolean", json!("yes")),
            ("varchar(3)", json!("abc")),
            ("char(2)", json!("é!")),
            ("text", json!("anything ' \\ goes")),
            ("bytea", json!("\\x00ff")),
            ("date", json!("2000-02-29")),
            ("timestamptz", json!("2024-01-01T00:00:00Z")),
            ("timestamptz", json!({"function": "CURRENT_TIMESTAMP"})),
            ("date", json!({"function": "current_date"})),
            ("interval", json!("P1D")),
            ("uuid", json!({"function": "gen_random_uuid()"})),
            ("uuid", json!("00000000-0000-0000-0000-000000000000")),
            ("jsonb", json!("{\"a\": 1}")),
            ("inet", json!("::1")),
            ("macaddr", json!("08-00-2b-01-02-03")),
            ("enum", json!("sad")),
            ("text[]", json!(["a", null])),
            ("varchar", json!({"function": "current_user"})),
            ("varchar(63)", json!({"function": "session_user"})),
        ];
        for (ty, d) in ok {
            assert_eq!(default_codes(ty, d.clone()), Vec::<&str>::new(), "{ty} {d}");
        }
        let bad: &[(&str, Value, &str)] = &[
            ("smallint", json!(32768), "INVALID_DEFAULT"),
            ("integer", json!(1.5), "INVALID_DEFAULT"),
            ("integer", json!("1; DROP TABLE x"), "INVALID_DEFAULT"),
            ("numeric(5,2)", json!(1000), "INVALID_DEFAULT"),
            ("numeric(5,2)", json!("999.995"), "INVALID_DEFAULT"),
            ("boolean", json!(1), "TYPE_MISMATCH"),
            ("integer", json!(true), "TYPE_MISMATCH"),
            ("varchar(3)", json!("abcd"), "INVALID_DEFAULT"),
            ("date", json!("2001-02-29"), "INVALID_DEFAULT"),
            ("timestamp", json!("2024-01-01 00:00:00+02"), "INVALID_DEFAULT"),
            ("uuid", json!("not-a-uuid"), "INVALID_DEFAULT"),
            ("jsonb", json!("{oops"), "INVALID_DEFAULT"),
            ("cidr", json!("10.0.0.1/8"), "INVALID_DEFAULT"),
            ("enum", json!("angry"), "INVALID_DEFAULT"),
            ("text", json!(["a"]), "TYPE_MISMATCH"),
            ("text[]", json!("a"), "TYPE_MISMATCH"),
            ("text[]", json!([["nested"]]), "INVALID_DEFAULT"),
            ("uuid", json!({"function": "now"}), "TYPE_MISMATCH"),
            ("varchar(5)", json!({"function": "current_user"}), "TYPE_MISMATCH"),
            ("real", json!("1e39"), "INVALID_DEFAULT"),
            ("double precision", json!("1e-400"), "INVALID_DEFAULT"),
            ("time", json!("today"), "INVALID_DEFAULT"),
            ("timestamptz", json!({"function": "pg_sleep"}), "INVALID_DEFAULT"),
            ("text", json!("nul\u{0}byte"), "INVALID_DEFAULT"),
        ];
        for (ty, d, code) in bad {
            assert_eq!(default_codes(ty, d.clone()), vec![*code], "{ty} {d}");
        }
        assert_eq!(default_codes("timestamptz", json!("now")), vec!["FROZEN_DEFAULT"]);
        assert_eq!(default_codes("date", json!("TODAY")), vec!["FROZEN_DEFAULT"]);
    }

    #[test]
    fn foreign_key_rules() {
        let fk = |f: Value| {
            let mut v = base();
            v["foreignKeys"] = json!([f]);
            codes(v)
        };
        let good = json!({"id": "f", "sourceTableId": "to", "sourceColumnIds": ["o_user"], "targetTableId": "tu", "targetColumnIds": ["u_id"]});
        assert_eq!(fk(good.clone()), Vec::<&str>::new());
        let mut f = good.clone();
        f["targetTableId"] = json!("nope");
        assert_eq!(fk(f), vec!["UNKNOWN_REFERENCE"]);
        let mut f = good.clone();
        f["targetColumnIds"] = json!(["u_id", "u_email"]);
        assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
        let mut f = good.clone();
        f["targetColumnIds"] = json!(["nope"]);
        assert_eq!(fk(f), vec!["UNKNOWN_REFERENCE"]);
        // the referenced column must be a key
        let mut f = good.clone();
        f["targetTableId"] = json!("to");
        f["targetColumnIds"] = json!(["o_user"]);
        assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
        // types must be comparable
        let mut f = good.clone();
        f["targetColumnIds"] = json!(["u_email"]);
        assert_eq!(fk(f), vec!["TYPE_MISMATCH"]);
        // SET NULL on a NOT NULL column
        let mut f = good.clone();
        f["onDelete"] = json!("SET NULL");
        assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
        // forms that contradict each other
        let mut f = good.clone();
        f["sourceColumnId"] = json!("o_id");
        assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
        let mut f = good;
        f.as_object_mut().unwrap().remove("sourceColumnIds");
        assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
    }

    #[test]
    fn designer_warnings() {
        let mut v = base();
        v["tables"][1]["indexes"] = json!([]);
        assert_eq!(problems(v), vec![("/foreignKeys/0".into(), "UNINDEXED_FOREIGN_KEY", Severity::Warning)]);
        // users.best_order_id NOT NULL -> orders and orders.user_id NOT NULL -> users
        let mut v =
            with_column(json!({"id": "u_best", "name": "best_order_id", "dataType": "bigint", "nullable": false}));
        v["tables"][0]["indexes"] = json!([{"id": "ix_best", "columnIds": ["u_best"]}]);
        v["foreignKeys"].as_array_mut().unwrap().push(json!({"id": "fk2", "sourceTableId": "tu", "sourceColumnId": "u_best", "targetTableId": "to", "targetColumnId": "o_id"}));
        assert_eq!(codes(v.clone()), vec!["UNINSERTABLE_CYCLE"]);
        let summary = validate(&doc(v.clone())).summary;
        assert_eq!(
            (summary.cycles, summary.cycle_groups.clone()),
            (1, vec![vec!["table \"orders\"".to_string(), "table \"users\"".to_string()]]).clone().into_summary_check()
        );
        v["tables"][0]["columns"][2]["nullable"] = json!(true);
        assert_eq!(codes(v), Vec::<&str>::new());
        let many: Vec<Value> = (0..=MANY_COLUMNS_WARNING)
            .map(|i| json!({"id": format!("m{i}"), "name": format!("m{i}"), "dataType": "text"}))
            .collect();
        let mut v = base();
        v["tables"][0]["columns"].as_array_mut().unwrap().extend(many);
        assert_eq!(codes(v), vec!["TOO_MANY_COLUMNS"]);
    }

    trait IntoSummaryCheck {
        fn into_summary_check(self) -> (usize, Vec<Vec<String>>);
    }

    impl IntoSummaryCheck for (usize, Vec<Vec<String>>) {
        fn into_summary_check(self) -> (usize, Vec<Vec<String>>) {
            (
                self.0,
                self.1
                    .into_iter()
                    .map(|g| {
                        g.into_iter()
                            .map(|n| n.trim_start_matches("table \"").trim_end_matches('"').to_string())
                            .collect()
                    })
                    .collect(),
            )
        }
    }

    #[test]
    fn index_rules() {
        let ix = |i: Value, extra_col: Option<Value>| {
            let mut v = base();
            if let Some(c) = extra_col {
                v["tables"][1]["columns"].as_array_mut().unwrap().push(c);
            }
            v["tables"][1]["indexes"].as_array_mut().unwrap().push(i);
            codes(v)
        };
        assert_eq!(ix(json!({"id": "i", "columnIds": []}), None), vec!["INVALID_INDEX"]);
        assert_eq!(ix(json!({"id": "i", "columnIds": ["nope"]}), None), vec!["UNKNOWN_REFERENCE"]);
        assert_eq!(ix(json!({"id": "i", "columnIds": ["o_id", "o_id"]}), None), vec!["INVALID_INDEX"]);
        assert_eq!(
            ix(json!({"id": "i", "columnIds": ["o_id"], "method": "hash", "unique": true}), None),
            vec!["INVALID_INDEX"]
        );
        assert_eq!(
            ix(json!({"id": "i", "columnIds": ["o_id", "o_user"], "method": "hash"}), None),
            vec!["INVALID_INDEX"]
        );
        assert_eq!(ix(json!({"id": "i", "columnIds": ["o_id"], "method": "gin"}), None), vec!["INVALID_INDEX"]);
        let tags = json!({"id": "tags", "name": "tags", "dataType": "text[]"});
        assert_eq!(ix(json!({"id": "i", "columnIds": ["tags"], "method": "GIN"}), Some(tags)), Vec::<&str>::new());
        let ip = json!({"id": "ip", "name": "ip", "dataType": "inet"});
        assert_eq!(ix(json!({"id": "i", "columnIds": ["ip"], "method": "gist"}), Some(ip)), Vec::<&str>::new());
        assert_eq!(
            ix(json!({"id": "i", "columnIds": [{"columnId": "o_id", "order": "desc"}], "method": "brin"}), None),
            vec!["INVALID_INDEX"]
        );
        assert_eq!(ix(json!({"id": "i", "columnIds": ["o_id"], "where": "user_id > 0"}), None), Vec::<&str>::new());
        assert_eq!(
            ix(json!({"id": "i", "columnIds": ["o_id"], "where": "now() > 0"}), None),
            vec!["INVALID_EXPRESSION"]
        );
    }

    #[test]
    fn generated_names_avoid_collisions_deterministically() {
        let mut v = base();
        // A user index already called like the generated primary key name.
        v["tables"][1]["indexes"][0]["name"] = json!("orders_pkey");
        v["tables"][1]["checks"] = json!([
            {"id": "k1", "expression": "id > 0"},
            {"id": "k2", "expression": "id > 0 AND user_id > 0"},
            {"id": "k3", "expression": "user_id > 0 OR user_id < 0"},
            {"id": "k4", "name": "orders_check", "expression": "TRUE"}
        ]);
        let s = ValidSchema::parse(doc(v)).unwrap();
        let t = &s.model().tables[1];
        assert_eq!(t.primary_key.as_ref().unwrap().name.as_str(), "orders_pkey1");
        let names: Vec<&str> = t.checks.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["orders_id_check", "orders_check1", "orders_user_id_check", "orders_check"]);
    }

    #[test]
    fn generated_constraint_names_are_unique_in_the_schema() {
        let v = json!({"name": "x", "tables": [
            {"id": "t1", "name": "a_b", "columns": [{"id": "c1", "name": "c", "dataType": "int", "primaryKey": true}],
             "checks": [{"id": "k1", "expression": "c > 0"}]},
            {"id": "t2", "name": "a", "columns": [{"id": "c2", "name": "b_c", "dataType": "int", "primaryKey": true}],
             "checks": [{"id": "k2", "expression": "b_c > 0"}]}
        ]});
        let s = ValidSchema::parse(doc(v)).unwrap();
        let names: Vec<&str> = s.model().tables.iter().map(|t| t.checks[0].name.as_str()).collect();
        assert_eq!(names, ["a_b_c_check", "a_b_c_check1"]);
    }

    #[test]
    fn foreign_key_type_compatibility_matches_postgres() {
        let fk = |src: &str, dst: &str| {
            let v = json!({"name": "x", "tables": [
                {"id": "p", "name": "p", "columns": [{"id": "pk", "name": "k", "dataType": dst, "primaryKey": true}]},
                {"id": "c", "name": "c", "columns": [
                    {"id": "ck", "name": "k", "dataType": "int", "primaryKey": true},
                    {"id": "cf", "name": "f", "dataType": src}], "indexes": [{"id": "ix", "columnIds": ["cf"]}]}
            ], "foreignKeys": [{"id": "f", "sourceTableId": "c", "sourceColumnId": "cf", "targetTableId": "p", "targetColumnId": "pk"}]});
            codes(v).is_empty()
        };
        // pairs PostgreSQL 15 accepts
        for (s, d) in [
            ("smallint", "bigint"),
            ("bigint", "integer"),
            ("integer", "numeric"),
            ("integer", "real"),
            ("numeric", "double precision"),
            ("real", "double precision"),
            ("double precision", "real"),
            ("char(2)", "text"),
            ("text", "varchar(5)"),
            ("date", "timestamptz"),
            ("timestamp", "date"),
            ("inet", "cidr"),
            ("text[]", "text[]"),
        ] {
            assert!(fk(s, d), "{s} -> {d}");
        }
        // pairs it refuses
        for (s, d) in [
            ("varchar(5)[]", "varchar(5)[]"),
            ("timestamp[]", "timestamp(3)[]"),
            ("numeric(5,2)[]", "numeric(5,2)[]"),
            ("real", "numeric"),
            ("double precision", "numeric"),
            ("numeric", "integer"),
            ("text", "integer"),
            ("time", "interval"),
            ("uuid", "text"),
            ("text[]", "text"),
            ("integer[]", "bigint[]"),
        ] {
            assert!(!fk(s, d), "{s} -> {d}");
        }
    }

    #[test]
    fn names_postgres_would_shadow_are_refused() {
        let mut v = base();
        v["tables"][0]["name"] = json!("pg_class");
        assert_eq!(codes(v), vec!["RESERVED_NAME"]);
        let mut v = base();
        v["enums"] = json!([{"id": "e", "name": "uuid", "values": ["a"]}, {"id": "e2", "name": "_int4", "values": ["a"]},
                            {"id": "e3", "name": "UUID", "values": ["a"]}]);
        assert_eq!(codes(v), vec!["RESERVED_NAME", "RESERVED_NAME", "CASE_COLLISION"]);
        let v = with_column(json!({"id": "x", "name": "ctid", "dataType": "text"}));
        assert_eq!(codes(v), vec!["RESERVED_NAME"]);
        let v = with_column(json!({"id": "x", "name": "oid", "dataType": "text"}));
        assert_eq!(codes(v), Vec::<&str>::new());
    }

    #[test]
    fn json_pointer_escapes() {
        assert_eq!(ptr(&[&"a/b", &"c~d", &3]), "/a~1b/c~0d/3");
    }

    #[test]
    fn enums_are_checked() {
        let mut v = base();
        v["enums"] = json!([
            {"id": "e1", "name": "empty", "values": []},
            {"id": "e2", "name": "bad", "values": ["a", "a", "", "x".repeat(64)]}
        ]);
        let got = problems(v);
        let paths: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(paths, ["/enums/0/values", "/enums/1/values/1", "/enums/1/values/2", "/enums/1/values/3"]);
        assert!(got.iter().all(|(_, c, _)| *c == "INVALID_ENUM"));
    }
}
