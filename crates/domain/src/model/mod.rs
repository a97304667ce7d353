//! The resolved model: what a valid document means, with every reference
//! followed, every name checked and every generated constraint name chosen.
//!
//! Only [`crate::ValidSchema::parse`] builds one, so code that receives a
//! [`Model`] (SQL generation, diffing) never has to re-check anything.

use std::collections::HashMap;

use crate::document::{IndexMethod, NullsOrder, ReferentialAction, SortOrder};
use crate::expr::Expr;
use crate::ident::Ident;

mod carried;
mod column_type;
mod partitions;
mod views;
pub use carried::{CarriedKind, CarriedModel};
pub use column_type::{BaseType, ColumnType, TypeFamily};
pub use partitions::{BoundModel, BoundValue, PartitionByModel, PartitionModel};
pub use views::{ViewIndexModel, ViewModel};

/// A fully resolved, valid schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Enumerated types, in document order.
    pub enums: Vec<EnumModel>,
    /// Tables, in document order.
    pub tables: Vec<TableModel>,
    /// Foreign keys, in document order.
    pub foreign_keys: Vec<ForeignKeyModel>,
    /// Extensions, in document order.
    pub extensions: Vec<ExtensionModel>,
    /// Standalone sequences, in document order.
    pub sequences: Vec<SequenceModel>,
    /// Domains, in document order.
    pub domains: Vec<DomainModel>,
    /// Composite types, in document order (an attribute only uses an
    /// earlier one).
    pub composites: Vec<CompositeModel>,
    /// Namespaces besides `public`, in document order.
    pub namespaces: Vec<NamespaceModel>,
    /// Collations, in document order.
    pub collations: Vec<CollationModel>,
    /// Text search configurations, in document order.
    pub text_search: Vec<TextSearchConfigModel>,
    /// Views and materialized views, in creation order (a view after the
    /// views it reads; otherwise document order).
    pub views: Vec<ViewModel>,
    /// Functions and procedures, then triggers, then policies, each in
    /// document order.
    pub carried: Vec<CarriedModel>,
}

/// A checked collation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollationModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// The namespace it lives in; `None` is `public`.
    pub namespace: Option<NamespaceRef>,
    /// Its provider.
    pub provider: crate::document::CollationProvider,
    /// `LOCALE`, when given.
    pub locale: Option<String>,
    /// libc's `LC_COLLATE`, when given apart.
    pub lc_collate: Option<String>,
    /// libc's `LC_CTYPE`, when given apart.
    pub lc_ctype: Option<String>,
    /// `DETERMINISTIC`.
    pub deterministic: bool,
    /// Comment, if any.
    pub comment: Option<String>,
}

impl CollationModel {
    /// Everything `CREATE COLLATION` says but the name and namespace:
    /// equal definitions need no new collation.
    pub fn same_definition(&self, other: &Self) -> bool {
        (self.provider, &self.locale, &self.lc_collate, &self.lc_ctype, self.deterministic)
            == (other.provider, &other.locale, &other.lc_collate, &other.lc_ctype, other.deterministic)
    }
}

/// A name that may be schema-qualified (`simple`, `public.unaccent`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QualifiedName {
    /// The schema, when given.
    pub schema: Option<Ident>,
    /// The name.
    pub name: Ident,
}

impl QualifiedName {
    /// One of PostgreSQL's own objects, in `pg_catalog` (`None` when
    /// `name` is no identifier).
    pub fn pg_catalog(name: &str) -> Option<Self> {
        Some(Self { schema: Some(Ident::parse("pg_catalog").ok()?), name: Ident::parse(name).ok()? })
    }
}

impl std::fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => write!(f, "{}", self.name),
        }
    }
}

/// A checked text search configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSearchConfigModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// The namespace it lives in; `None` is `public`.
    pub namespace: Option<NamespaceRef>,
    /// Its parser.
    pub parser: QualifiedName,
    /// Its mappings, in document order.
    pub mappings: Vec<TextSearchMappingModel>,
    /// Comment, if any.
    pub comment: Option<String>,
}

impl TextSearchConfigModel {
    /// Each token type's dictionaries, by token type.
    pub fn dictionaries_by_token(&self) -> std::collections::BTreeMap<&str, &[QualifiedName]> {
        self.mappings
            .iter()
            .flat_map(|m| m.token_types.iter().map(move |t| (t.as_str(), m.dictionaries.as_slice())))
            .collect()
    }
}

/// Token types and the dictionaries that read them, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSearchMappingModel {
    /// The parser's token types (`word`, `asciiword`, ...).
    pub token_types: Vec<Ident>,
    /// The dictionaries, tried in order.
    pub dictionaries: Vec<QualifiedName>,
}

/// The collation a column, domain, attribute or index element is in: one
/// of the server's, by name (`C`, `en-US-x-icu`), or one of the
/// document's, by id. Two of the document's are equal when their ids are,
/// whatever they are called: a renamed collation is still the same one.
#[derive(Debug, Clone, Eq)]
pub struct Collate {
    /// Its SQL name (for one of the document's, its current name).
    pub name: Ident,
    /// For one of the document's: its id and namespace.
    pub document: Option<(String, Option<NamespaceRef>)>,
}

impl PartialEq for Collate {
    fn eq(&self, other: &Self) -> bool {
        match (&self.document, &other.document) {
            (Some((a, _)), Some((b, _))) => a == b,
            (None, None) => self.name == other.name,
            _ => false,
        }
    }
}

impl Collate {
    /// One of the server's collations.
    pub fn named(name: Ident) -> Self {
        Self { name, document: None }
    }

    /// Its SQL name.
    pub fn as_str(&self) -> &str {
        self.name.as_str()
    }

    /// The namespace of one of the document's collations (`None`: public,
    /// or one of the server's, which PostgreSQL finds itself).
    pub fn namespace(&self) -> Option<&NamespaceRef> {
        self.document.as_ref().and_then(|(_, ns)| ns.as_ref())
    }

    /// The document collation's id.
    pub fn collation_id(&self) -> Option<&str> {
        self.document.as_ref().map(|(id, _)| id.as_str())
    }
}

impl std::fmt::Display for Collate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.namespace() {
            Some(ns) => write!(f, "{}.{}", ns.name, self.name),
            None => f.write_str(self.name.as_str()),
        }
    }
}

/// A declared namespace (a PostgreSQL schema other than `public`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceModel {
    /// Stable id.
    pub id: String,
    /// SQL name (never `public`, never `pg_...`).
    pub name: Ident,
    /// Comment, if any.
    pub comment: Option<String>,
}

/// Where an object lives: the namespace's id and its SQL name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamespaceRef {
    /// The namespace's stable id.
    pub id: String,
    /// Its SQL name.
    pub name: Ident,
}

/// The id of an object's namespace (`None`: `public`).
pub fn namespace_id(namespace: &Option<NamespaceRef>) -> Option<&str> {
    namespace.as_ref().map(|n| n.id.as_str())
}

/// A checked composite type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositeModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// The namespace it lives in; `None` is `public`.
    pub namespace: Option<NamespaceRef>,
    /// The attributes, in order.
    pub attributes: Vec<AttributeModel>,
    /// Comment, if any.
    pub comment: Option<String>,
}

impl CompositeModel {
    /// The attribute with the given stable id.
    pub fn attribute(&self, id: &str) -> Option<&AttributeModel> {
        self.attributes.iter().find(|a| a.id == id)
    }
}

/// An attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// Its type.
    pub ty: ColumnType,
    /// Collation, if any.
    pub collation: Option<Collate>,
}

/// A checked domain.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// The namespace it lives in; `None` is `public`.
    pub namespace: Option<NamespaceRef>,
    /// The base type (never an enum, a domain or an array).
    pub base: BaseType,
    /// Collation, if any.
    pub collation: Option<Collate>,
    /// NOT NULL.
    pub not_null: bool,
    /// Default, if any.
    pub default: Option<DefaultValue>,
    /// CHECK constraints, in document order, each with its chosen name.
    pub checks: Vec<DomainCheckModel>,
    /// Comment, if any.
    pub comment: Option<String>,
}

impl DomainModel {
    /// Whether the domain constrains its values (NOT NULL or a check): a
    /// column converted to it then has every value checked, which
    /// PostgreSQL does by rewriting the table.
    pub fn constrained(&self) -> bool {
        self.not_null || !self.checks.is_empty()
    }

    /// The check with the given stable id.
    pub fn check(&self, id: &str) -> Option<&DomainCheckModel> {
        self.checks.iter().find(|k| k.id == id)
    }
}

/// A check constraint of a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheckModel {
    /// Stable id.
    pub id: String,
    /// Constraint name (given or generated), unique within the domain.
    pub name: Ident,
    /// The boolean expression over `VALUE` (a column reference named
    /// `value`, id [`DOMAIN_VALUE_ID`]).
    pub expr: Expr,
}

/// The column id that `VALUE` resolves to in a domain's checks.
pub const DOMAIN_VALUE_ID: &str = "VALUE";

/// A checked standalone sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// The namespace it lives in; `None` is `public`.
    pub namespace: Option<NamespaceRef>,
    /// smallint, integer or bigint.
    pub ty: BaseType,
    /// Its options (PostgreSQL's defaults where `None`).
    pub options: SequenceOptions,
    /// The owning (table id, column id).
    pub owned_by: Option<(String, String)>,
    /// Comment, if any.
    pub comment: Option<String>,
}

/// A checked extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionModel {
    /// Stable id.
    pub id: String,
    /// The extension's name.
    pub name: Ident,
    /// The namespace it lives in; `None` is `public`.
    pub namespace: Option<NamespaceRef>,
    /// The pinned version, if any.
    pub version: Option<String>,
    /// Comment, if any.
    pub comment: Option<String>,
}

impl Model {
    /// The table with the given stable id.
    pub fn table(&self, id: &str) -> Option<&TableModel> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// The enum with the given stable id.
    pub fn enum_type(&self, id: &str) -> Option<&EnumModel> {
        self.enums.iter().find(|e| e.id == id)
    }
}

/// Tables, enums and foreign keys of a [`Model`] by stable id, for code
/// that looks up many of them (a diff, a script): each lookup is a hash
/// lookup instead of the scan of [`Model::table`], so work over a whole
/// model stays linear in its size.
///
/// ```
/// use schemaforge_domain::{ModelIndex, ValidSchema, parse_document};
///
/// let schema = ValidSchema::parse(parse_document(r#"{"name": "x", "tables": [{"id": "t1", "name": "orders",
///   "columns": [{"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true}]}]}"#).unwrap()).unwrap();
/// let index = ModelIndex::new(schema.model());
/// assert_eq!(index.table("t1").map(|t| t.name.as_str()), Some("orders"));
/// assert!(index.table("t2").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct ModelIndex<'m> {
    model: &'m Model,
    tables: HashMap<&'m str, &'m TableModel>,
    enums: HashMap<&'m str, &'m EnumModel>,
    foreign_keys: HashMap<&'m str, &'m ForeignKeyModel>,
    sequences: HashMap<&'m str, &'m SequenceModel>,
    extensions: HashMap<&'m str, &'m ExtensionModel>,
    domains: HashMap<&'m str, &'m DomainModel>,
    composites: HashMap<&'m str, &'m CompositeModel>,
    namespaces: HashMap<&'m str, &'m NamespaceModel>,
    views: HashMap<&'m str, &'m ViewModel>,
    partitions: HashMap<&'m str, (&'m TableModel, &'m PartitionModel)>,
    carried: HashMap<&'m str, &'m CarriedModel>,
    collations: HashMap<&'m str, &'m CollationModel>,
    text_search: HashMap<&'m str, &'m TextSearchConfigModel>,
}

impl<'m> ModelIndex<'m> {
    /// Index `model` (linear in its size).
    pub fn new(model: &'m Model) -> Self {
        Self {
            model,
            tables: model.tables.iter().map(|t| (t.id.as_str(), t)).collect(),
            enums: model.enums.iter().map(|e| (e.id.as_str(), e)).collect(),
            foreign_keys: model.foreign_keys.iter().map(|f| (f.id.as_str(), f)).collect(),
            sequences: model.sequences.iter().map(|s| (s.id.as_str(), s)).collect(),
            extensions: model.extensions.iter().map(|e| (e.id.as_str(), e)).collect(),
            domains: model.domains.iter().map(|d| (d.id.as_str(), d)).collect(),
            composites: model.composites.iter().map(|c| (c.id.as_str(), c)).collect(),
            namespaces: model.namespaces.iter().map(|n| (n.id.as_str(), n)).collect(),
            views: model.views.iter().map(|v| (v.id.as_str(), v)).collect(),
            partitions: model
                .tables
                .iter()
                .flat_map(|t| t.partitions.iter().map(move |p| (p.id.as_str(), (t, p))))
                .collect(),
            carried: model.carried.iter().map(|c| (c.id.as_str(), c)).collect(),
            collations: model.collations.iter().map(|c| (c.id.as_str(), c)).collect(),
            text_search: model.text_search.iter().map(|c| (c.id.as_str(), c)).collect(),
        }
    }

    /// The indexed model.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// The table with the given stable id.
    pub fn table(&self, id: &str) -> Option<&'m TableModel> {
        self.tables.get(id).copied()
    }

    /// The partition with the given stable id, with its table.
    pub fn partition(&self, id: &str) -> Option<(&'m TableModel, &'m PartitionModel)> {
        self.partitions.get(id).copied()
    }

    /// The carried object (function, procedure, trigger, policy) with the
    /// given stable id.
    pub fn carried(&self, id: &str) -> Option<&'m CarriedModel> {
        self.carried.get(id).copied()
    }

    /// The view (or materialized view) with the given stable id.
    pub fn view(&self, id: &str) -> Option<&'m ViewModel> {
        self.views.get(id).copied()
    }

    /// The enum with the given stable id.
    pub fn enum_type(&self, id: &str) -> Option<&'m EnumModel> {
        self.enums.get(id).copied()
    }

    /// The foreign key with the given stable id.
    pub fn foreign_key(&self, id: &str) -> Option<&'m ForeignKeyModel> {
        self.foreign_keys.get(id).copied()
    }

    /// The collation with the given stable id.
    pub fn collation(&self, id: &str) -> Option<&'m CollationModel> {
        self.collations.get(id).copied()
    }

    /// The text search configuration with the given stable id.
    pub fn text_search(&self, id: &str) -> Option<&'m TextSearchConfigModel> {
        self.text_search.get(id).copied()
    }

    /// The standalone sequence with the given stable id.
    pub fn sequence(&self, id: &str) -> Option<&'m SequenceModel> {
        self.sequences.get(id).copied()
    }

    /// The extension with the given stable id.
    pub fn extension(&self, id: &str) -> Option<&'m ExtensionModel> {
        self.extensions.get(id).copied()
    }

    /// The domain with the given stable id.
    pub fn domain(&self, id: &str) -> Option<&'m DomainModel> {
        self.domains.get(id).copied()
    }

    /// The composite type with the given stable id.
    pub fn composite(&self, id: &str) -> Option<&'m CompositeModel> {
        self.composites.get(id).copied()
    }

    /// The namespace with the given stable id.
    pub fn namespace(&self, id: &str) -> Option<&'m NamespaceModel> {
        self.namespaces.get(id).copied()
    }
}

/// An enumerated type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// The namespace it lives in; `None` is `public`.
    pub namespace: Option<NamespaceRef>,
    /// Labels in order; non-empty, unique, each at most 63 bytes.
    pub values: Vec<String>,
    /// Each label's stable id, where the document gives one (parallel to
    /// `values`).
    pub value_ids: Vec<Option<String>>,
    /// Comment, if any.
    pub comment: Option<String>,
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// The namespace it lives in; `None` is `public`.
    pub namespace: Option<NamespaceRef>,
    /// Comment, if any.
    pub comment: Option<String>,
    /// Columns in order.
    pub columns: Vec<ColumnModel>,
    /// The primary key; `None` only for a table that says
    /// `withoutPrimaryKey`.
    pub primary_key: Option<KeyConstraint>,
    /// Single-column UNIQUE constraints, in column order.
    pub uniques: Vec<KeyConstraint>,
    /// Check constraints, in document order.
    pub checks: Vec<CheckModel>,
    /// Indexes, in document order.
    pub indexes: Vec<IndexModel>,
    /// EXCLUDE constraints, in document order.
    pub exclusions: Vec<ExclusionModel>,
    /// Row-level security is on.
    pub row_level_security: bool,
    /// A partitioned table's key.
    pub partition_by: Option<PartitionByModel>,
    /// A partitioned table's partitions, in document order.
    pub partitions: Vec<PartitionModel>,
}

/// A checked EXCLUDE constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct ExclusionModel {
    /// Stable id.
    pub id: String,
    /// Constraint (and index) name.
    pub name: Ident,
    /// Index method.
    pub method: IndexMethod,
    /// Elements with their operators (operator text from a checked set of
    /// operator characters).
    pub elements: Vec<(IndexColumnModel, String)>,
    /// `INCLUDE` columns, by id.
    pub include: Vec<String>,
    /// `WHERE` predicate.
    pub predicate: Option<Expr>,
    /// Deferral.
    pub deferral: Deferral,
    /// Comment, if any.
    pub comment: Option<String>,
}

impl ExclusionModel {
    /// Every column it reads, by id.
    pub fn column_ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.elements.iter().flat_map(|(e, _)| e.column_ids()).collect();
        out.extend(self.include.iter().map(String::as_str));
        out.extend(self.predicate.iter().flat_map(Expr::column_ids));
        out
    }

    /// The same constraint, whatever the column names.
    pub fn same_modulo_names(&self, other: &ExclusionModel) -> bool {
        self.method == other.method
            && self.elements.len() == other.elements.len()
            && self.elements.iter().zip(&other.elements).all(|((a, x), (b, y))| x == y && a.same_modulo_names(b))
            && self.include == other.include
            && self.deferral == other.deferral
            && match (&self.predicate, &other.predicate) {
                (None, None) => true,
                (Some(a), Some(b)) => a.same_modulo_names(b),
                _ => false,
            }
    }
}

impl TableModel {
    /// The name shown in changes and messages: `namespace.name`, or the
    /// name alone in `public`.
    pub fn shown(&self) -> String {
        match &self.namespace {
            Some(n) => format!("{}.{}", n.name, self.name),
            None => self.name.to_string(),
        }
    }

    /// The column with the given stable id.
    pub fn column(&self, id: &str) -> Option<&ColumnModel> {
        self.columns.iter().find(|c| c.id == id)
    }
}

/// A column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// Resolved type.
    pub ty: ColumnType,
    /// Whether NULL is allowed (false for key and identity columns).
    pub nullable: bool,
    /// An identity column: how values are generated, and its sequence.
    pub identity: Option<Identity>,
    /// Default value, already checked against the type.
    pub default: Option<DefaultValue>,
    /// Comment, if any.
    pub comment: Option<String>,
    /// Collation (`COLLATE`), if not the type's default.
    pub collation: Option<Collate>,
    /// The expression of a generated (`STORED`) column.
    pub generated: Option<Expr>,
}

/// An identity column's generation and sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The sequence's name.
    pub sequence: Ident,
    /// `GENERATED ALWAYS` (an INSERT may not supply a value without
    /// `OVERRIDING SYSTEM VALUE`) instead of `BY DEFAULT`.
    pub always: bool,
    /// The sequence's options; `None` leaves PostgreSQL's default.
    pub options: SequenceOptions,
}

impl Identity {
    /// `BY DEFAULT`, PostgreSQL's default options.
    pub fn by_default(sequence: Ident) -> Self {
        Self { sequence, always: false, options: SequenceOptions::default() }
    }
}

/// Options of a sequence, each `None` (or `false`) for PostgreSQL's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SequenceOptions {
    /// START WITH.
    pub start: Option<i64>,
    /// INCREMENT BY (never 0).
    pub increment: Option<i64>,
    /// MINVALUE.
    pub min_value: Option<i64>,
    /// MAXVALUE.
    pub max_value: Option<i64>,
    /// CACHE (at least 1).
    pub cache: Option<i64>,
    /// CYCLE.
    pub cycle: bool,
}

/// A checked default value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultValue {
    /// A literal, in PostgreSQL's text input form for the column type; the
    /// generator quotes it and casts it to the column type.
    Literal(String),
    /// An array literal (elements in text input form, `None` for NULL).
    Array(Vec<Option<String>>),
    /// One of the allowed functions.
    Function(DefaultFunction),
    /// An expression without columns (`{"expression": ...}`).
    Expression(Expr),
    /// `nextval` of a document's sequence.
    NextVal {
        /// The sequence's id.
        sequence_id: String,
        /// Its name.
        name: Ident,
        /// Its namespace's name (`None`: `public`).
        schema: Option<Ident>,
    },
}

/// The closed list of functions allowed as defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefaultFunction {
    /// `now()`: start of the current transaction (timestamptz).
    Now,
    /// `CURRENT_TIMESTAMP`, same as now().
    CurrentTimestamp,
    /// `CURRENT_DATE`.
    CurrentDate,
    /// `LOCALTIMESTAMP` (timestamp without time zone).
    LocalTimestamp,
    /// `LOCALTIME` (time without time zone).
    LocalTime,
    /// `clock_timestamp()`: the actual time, changing within a statement.
    ClockTimestamp,
    /// `statement_timestamp()`.
    StatementTimestamp,
    /// `transaction_timestamp()`, same as now().
    TransactionTimestamp,
    /// `gen_random_uuid()` (PostgreSQL 13+).
    GenRandomUuid,
    /// `CURRENT_USER`.
    CurrentUser,
    /// `SESSION_USER`.
    SessionUser,
}

impl DefaultFunction {
    /// Every allowed function.
    pub const ALL: [Self; 11] = [
        Self::Now,
        Self::CurrentTimestamp,
        Self::CurrentDate,
        Self::LocalTimestamp,
        Self::LocalTime,
        Self::ClockTimestamp,
        Self::StatementTimestamp,
        Self::TransactionTimestamp,
        Self::GenRandomUuid,
        Self::CurrentUser,
        Self::SessionUser,
    ];

    /// The name used in documents (lower case, without parentheses).
    pub fn name(self) -> &'static str {
        match self {
            Self::Now => "now",
            Self::CurrentTimestamp => "current_timestamp",
            Self::CurrentDate => "current_date",
            Self::LocalTimestamp => "localtimestamp",
            Self::LocalTime => "localtime",
            Self::ClockTimestamp => "clock_timestamp",
            Self::StatementTimestamp => "statement_timestamp",
            Self::TransactionTimestamp => "transaction_timestamp",
            Self::GenRandomUuid => "gen_random_uuid",
            Self::CurrentUser => "current_user",
            Self::SessionUser => "session_user",
        }
    }

    /// Look a function up by name: case-insensitive, optional `()`.
    ///
    /// ```
    /// use schemaforge_domain::DefaultFunction;
    /// assert_eq!(DefaultFunction::from_name("NOW()"), Some(DefaultFunction::Now));
    /// assert_eq!(DefaultFunction::from_name("pg_sleep(10)"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        let name = name.strip_suffix("()").unwrap_or(&name).trim_end();
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the function's result can be stored in a column of this type.
    pub fn fits(self, ty: &ColumnType) -> bool {
        if ty.array {
            return false;
        }
        use BaseType as B;
        match self {
            Self::Now
            | Self::CurrentTimestamp
            | Self::LocalTimestamp
            | Self::ClockTimestamp
            | Self::StatementTimestamp
            | Self::TransactionTimestamp
            | Self::CurrentDate => matches!(ty.base, B::Timestamptz(_) | B::Timestamp(_) | B::Date),
            Self::LocalTime => matches!(ty.base, B::Time(_)),
            Self::GenRandomUuid => matches!(ty.base, B::Uuid),
            // role names are up to 63 characters long
            Self::CurrentUser | Self::SessionUser => {
                matches!(ty.base, B::Text | B::Varchar(None)) || matches!(ty.base, B::Varchar(Some(n)) if n >= 63)
            }
        }
    }
}

/// A primary key or UNIQUE constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyConstraint {
    /// Stable id of a table-level UNIQUE constraint; `None` for the
    /// primary key and for `unique: true` on a column (matched by columns).
    pub id: Option<String>,
    /// Constraint name (also the name of its index).
    pub name: Ident,
    /// Column ids in key order.
    pub column_ids: Vec<String>,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    /// When the constraint is checked.
    pub deferral: Deferral,
    /// Comment (table-level UNIQUE constraints), if any.
    pub comment: Option<String>,
}

impl KeyConstraint {
    /// A key over `column_ids` with PostgreSQL's defaults.
    pub fn new(name: Ident, column_ids: Vec<String>) -> Self {
        Self { id: None, name, column_ids, nulls_not_distinct: false, deferral: Deferral::Immediate, comment: None }
    }
}

/// When a key or foreign key is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Deferral {
    /// `NOT DEFERRABLE` (the default): after every statement.
    #[default]
    Immediate,
    /// `DEFERRABLE INITIALLY IMMEDIATE`: after every statement, unless a
    /// transaction says `SET CONSTRAINTS ... DEFERRED`.
    Deferrable,
    /// `DEFERRABLE INITIALLY DEFERRED`: at commit.
    InitiallyDeferred,
}

impl Deferral {
    /// From the document's two flags (validation has refused
    /// `initiallyDeferred` without `deferrable`).
    pub fn from_flags(deferrable: bool, initially_deferred: bool) -> Self {
        match (deferrable, initially_deferred) {
            (false, _) => Self::Immediate,
            (true, false) => Self::Deferrable,
            (true, true) => Self::InitiallyDeferred,
        }
    }
}

/// A check constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckModel {
    /// Stable id.
    pub id: String,
    /// Constraint name.
    pub name: Ident,
    /// The parsed, resolved expression.
    pub expr: Expr,
    /// Comment, if any.
    pub comment: Option<String>,
}

/// An index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexModel {
    /// Stable id.
    pub id: String,
    /// Index name.
    pub name: Ident,
    /// UNIQUE index.
    pub unique: bool,
    /// Access method.
    pub method: IndexMethod,
    /// Indexed columns in order.
    pub columns: Vec<IndexColumnModel>,
    /// Partial-index predicate.
    pub predicate: Option<Expr>,
    /// Columns stored but not keyed (`INCLUDE`), by id.
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT` (unique indexes only).
    pub nulls_not_distinct: bool,
    /// Storage parameters, sorted by name: (name, value as SQL), both from
    /// closed sets (a number, `on`/`off`, `auto`).
    pub storage: Vec<(String, String)>,
    /// Comment, if any.
    pub comment: Option<String>,
}

impl IndexModel {
    /// Every column the index reads: key columns, columns of expression
    /// elements, included columns and the predicate's columns, by id.
    pub fn column_ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.columns.iter().flat_map(IndexColumnModel::column_ids).collect();
        out.extend(self.include.iter().map(String::as_str));
        out.extend(self.predicate.iter().flat_map(Expr::column_ids));
        out
    }

    /// The key columns' ids when every element is a plain column (`None`
    /// when an element is an expression: such an index is no key to
    /// reference).
    pub fn plain_column_ids(&self) -> Option<Vec<&str>> {
        self.columns.iter().map(IndexColumnModel::column_id).collect()
    }
}

/// What an index element indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexKey {
    /// A column, by id.
    Column(String),
    /// An expression over the table's columns.
    Expression(Expr),
}

/// One element of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexColumnModel {
    /// What is indexed.
    pub key: IndexKey,
    /// Explicit sort order.
    pub order: Option<SortOrder>,
    /// Explicit NULLS placement.
    pub nulls: Option<NullsOrder>,
    /// Collation.
    pub collation: Option<Collate>,
    /// Operator class.
    pub opclass: Option<Ident>,
}

impl IndexColumnModel {
    /// A plain ascending element on a column.
    pub fn column(id: impl Into<String>) -> Self {
        Self { key: IndexKey::Column(id.into()), order: None, nulls: None, collation: None, opclass: None }
    }

    /// The column id of a column element.
    pub fn column_id(&self) -> Option<&str> {
        match &self.key {
            IndexKey::Column(id) => Some(id),
            IndexKey::Expression(_) => None,
        }
    }

    /// The columns the element reads, by id.
    pub fn column_ids(&self) -> Vec<&str> {
        match &self.key {
            IndexKey::Column(id) => vec![id.as_str()],
            IndexKey::Expression(e) => e.column_ids(),
        }
    }

    /// Whether two elements are the same once columns are matched by id.
    pub fn same_modulo_names(&self, other: &Self) -> bool {
        let key = match (&self.key, &other.key) {
            (IndexKey::Column(a), IndexKey::Column(b)) => a == b,
            (IndexKey::Expression(a), IndexKey::Expression(b)) => a.same_modulo_names(b),
            _ => false,
        };
        key && self.order == other.order
            && self.nulls == other.nulls
            && self.collation == other.collation
            && self.opclass == other.opclass
    }
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyModel {
    /// Stable id.
    pub id: String,
    /// Constraint name (unique within the source table).
    pub name: Ident,
    /// Referencing table id.
    pub source_table_id: String,
    /// Referencing column ids.
    pub source_column_ids: Vec<String>,
    /// Referenced table id.
    pub target_table_id: String,
    /// Referenced column ids (a primary key or unique key of the target).
    pub target_column_ids: Vec<String>,
    /// ON DELETE action.
    pub on_delete: ReferentialAction,
    /// ON UPDATE action.
    pub on_update: ReferentialAction,
    /// MATCH FULL instead of MATCH SIMPLE.
    pub match_full: bool,
    /// When the key is checked.
    pub deferral: Deferral,
    /// Comment, if any.
    pub comment: Option<String>,
}
