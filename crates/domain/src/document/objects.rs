//! The schema-level objects beside tables: extensions, standalone
//! sequences, domains, composite types, collations, namespaces.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A namespace: a PostgreSQL schema (`CREATE SCHEMA`) besides `public`,
/// which is always there and never declared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Namespace {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the schema (not `public`, not `pg_...`).
    pub name: String,
    /// Rendered as `COMMENT ON SCHEMA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A standalone sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sequence {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the sequence (a relation, like tables and indexes).
    pub name: String,
    /// The namespace (PostgreSQL schema) it lives in; absent, `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// `smallint`, `integer` or `bigint` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// START WITH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// INCREMENT BY (not 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    /// MINVALUE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    /// MAXVALUE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    /// CACHE (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    /// CYCLE.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
    /// The column that owns it (`OWNED BY`): dropped with that column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<SequenceOwner>,
    /// Rendered as `COMMENT ON SEQUENCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The column a sequence belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SequenceOwner {
    /// The table's id.
    pub table_id: String,
    /// The column's id.
    pub column_id: String,
}

/// A PostgreSQL extension (`CREATE EXTENSION`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Extension {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// The extension's name, as in `pg_available_extensions` (e.g. `citext`).
    pub name: String,
    /// The namespace (PostgreSQL schema) it lives in (for an extension: where `CREATE EXTENSION ... SCHEMA` puts its objects); absent, `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// A pinned version (`CREATE EXTENSION ... VERSION`); absent, the
    /// server's default version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Rendered as `COMMENT ON EXTENSION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A domain (`CREATE DOMAIN`): a named type over a base type, with its own
/// NOT NULL, default and checks, which every column of the domain obeys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Domain {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the type (it shares the type namespace with tables and
    /// enums).
    pub name: String,
    /// The namespace (PostgreSQL schema) it lives in; absent, `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// The base type, written as a column's `dataType` (`integer`,
    /// `varchar(20)`, `numeric(10,2)`, `citext`, ...); not an enum, another
    /// domain, an array or a serial.
    pub data_type: String,
    /// Length for `varchar`, `char`, `bit` and `varbit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Precision for `numeric` or fractional-second precision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    /// Scale for `numeric`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// The domain's collation (`COLLATE`), for the string types and `citext`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// A collation of the document, by id, instead of `collation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation_id: Option<String>,
    /// NOT NULL: no column of the domain holds NULL.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_null: bool,
    /// The default of columns of the domain that have none of their own
    /// (a literal, `{"function": ...}` or `{"expression": ...}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<super::ColumnDefault>,
    /// CHECK constraints over `VALUE`, the value being checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<DomainCheck>,
    /// Rendered as `COMMENT ON DOMAIN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A check constraint of a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DomainCheck {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// Constraint name (unique within the domain); generated as
    /// PostgreSQL would (`year_check`, `year_check1`, ...) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A boolean expression over `VALUE` (either grammar of
    /// docs/schema-format.md section 5), e.g. `VALUE >= 1901 AND VALUE <= 2155`.
    pub expression: String,
}

/// A composite type (`CREATE TYPE name AS (...)`): a row of named,
/// typed attributes that a column can hold as one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Composite {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the type (it shares the type namespace with tables,
    /// enums and domains).
    pub name: String,
    /// The namespace (PostgreSQL schema) it lives in; absent, `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// The attributes, in order (at least one).
    pub attributes: Vec<CompositeAttribute>,
    /// Rendered as `COMMENT ON TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One attribute of a composite type: typed as a column is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompositeAttribute {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the attribute (unique within the type).
    pub name: String,
    /// A column's `dataType`: any type but a serial; `enum`, `domain` and
    /// `composite` (one that comes earlier in `composites`) with their ids.
    pub data_type: String,
    /// Length for `varchar`, `char`, `bit` and `varbit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Precision for `numeric` or fractional-second precision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    /// Scale for `numeric`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// The enum, when `dataType` is `enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_id: Option<String>,
    /// The domain, when `dataType` is `domain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_id: Option<String>,
    /// The composite type, when `dataType` is `composite`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composite_id: Option<String>,
    /// An array of `dataType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_array: Option<bool>,
    /// The attribute's collation, for the string types and `citext`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// A collation of the document, by id, instead of `collation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation_id: Option<String>,
}

impl Domain {
    /// A domain over `data_type` with no constraint, default or comment.
    ///
    /// ```
    /// let d = schemaforge_domain::Domain::new("d1", "year", "integer");
    /// assert!(d.checks.is_empty() && !d.not_null);
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>, data_type: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            namespace_id: None,
            data_type: data_type.into(),
            length: None,
            precision: None,
            scale: None,
            collation: None,
            collation_id: None,
            not_null: false,
            default: None,
            checks: Vec::new(),
            comment: None,
        }
    }
}

impl CompositeAttribute {
    /// An attribute of `data_type` with every option at its default.
    ///
    /// ```
    /// let a = schemaforge_domain::CompositeAttribute::new("a1", "street", "text");
    /// assert!(a.collation.is_none() && a.is_array.is_none());
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>, data_type: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            data_type: data_type.into(),
            length: None,
            precision: None,
            scale: None,
            enum_id: None,
            domain_id: None,
            composite_id: None,
            is_array: None,
            collation: None,
            collation_id: None,
        }
    }
}

/// A collation (`CREATE COLLATION`): how text of the columns, domains,
/// attributes and index elements that name it (`collationId`) sorts and
/// compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Collation {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the collation.
    pub name: String,
    /// The namespace (PostgreSQL schema) it lives in; absent, `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// `icu` or `libc` (PostgreSQL's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<CollationProvider>,
    /// The locale: an ICU locale or language tag (`und-u-ks-level2`), or a
    /// libc locale for both `lcCollate` and `lcCtype` (`de_DE.utf8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// libc only: `LC_COLLATE`, when it differs from `LC_CTYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_collate: Option<String>,
    /// libc only: `LC_CTYPE`, when it differs from `LC_COLLATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_ctype: Option<String>,
    /// `false`: strings that differ may compare equal (a case- or
    /// accent-insensitive ICU collation). ICU only; default `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deterministic: Option<bool>,
    /// Rendered as `COMMENT ON COLLATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Who implements a collation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CollationProvider {
    /// The ICU library.
    Icu,
    /// The operating system's C library.
    Libc,
}

impl CollationProvider {
    /// `icu` or `libc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Icu => "icu",
            Self::Libc => "libc",
        }
    }
}

/// A text search configuration (`CREATE TEXT SEARCH CONFIGURATION`): a
/// parser, and for each of its token types the dictionaries that turn
/// tokens into lexemes (what `to_tsvector('app.mine', ...)` uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TextSearchConfiguration {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the configuration.
    pub name: String,
    /// The namespace (PostgreSQL schema) it lives in; absent, `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// The parser, `name` or `schema.name`; absent, `pg_catalog.default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parser: Option<String>,
    /// Which dictionaries read which token types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<TextSearchMapping>,
    /// Rendered as `COMMENT ON TEXT SEARCH CONFIGURATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Token types of the parser and the dictionaries that read them, tried
/// in order (`ADD MAPPING FOR word, asciiword WITH unaccent, simple`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TextSearchMapping {
    /// The parser's token types (`word`, `asciiword`, `numword`, ...).
    pub token_types: Vec<String>,
    /// The dictionaries, `name` or `schema.name` (`simple`,
    /// `public.unaccent`), in the order they are tried.
    pub dictionaries: Vec<String>,
}
