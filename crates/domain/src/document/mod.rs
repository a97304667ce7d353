//! The schema document: the JSON format a visual designer edits.
//!
//! These types mirror the wire format exactly (camelCase, unknown fields
//! rejected) and hold whatever the client sent, valid or not. Turn a document
//! into something you can rely on with [`crate::ValidSchema::parse`], which
//! reports every problem at once.
//!
//! ```
//! use schemaforge_domain::SchemaDocument;
//!
//! let doc: SchemaDocument = serde_json::from_str(r#"{
//!     "name": "tiny",
//!     "tables": [{
//!         "id": "t1", "name": "users",
//!         "columns": [{ "id": "c1", "name": "id", "dataType": "bigint", "primaryKey": true }]
//!     }]
//! }"#).unwrap();
//! assert_eq!(doc.tables[0].columns[0].name, "id");
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod carried;
mod objects;
mod parse;
mod partitions;
mod views;

pub use carried::SqlObject;
pub use objects::*;
pub use parse::{DocumentParseError, parse_document};
pub use partitions::{Partition, PartitionBound, PartitionBy, PartitionStrategy};
pub use views::{View, ViewIndex};

/// A whole relational schema as the designer describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "Schemaforge schema document")]
pub struct SchemaDocument {
    /// Optional URI of the JSON Schema this file follows; ignored by Schemaforge.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub json_schema: Option<String>,
    /// Display name of the schema (not an SQL identifier).
    pub name: String,
    /// Free text shown to people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tables, in the order the designer keeps them (the generated SQL keeps it too).
    #[serde(default)]
    pub tables: Vec<Table>,
    /// Foreign keys between (or within) tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// Enumerated types that columns may use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    /// PostgreSQL extensions the database needs (created first, dropped
    /// last); their types (`citext`, `hstore`, ...) are usable once declared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    /// Standalone sequences (`CREATE SEQUENCE`), used by `{"sequence": id}`
    /// defaults; with `ownedBy`, what PostgreSQL's `serial` is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<Sequence>,
    /// Domains: named types over a base type with their own checks, used
    /// by columns with `"dataType": "domain"` and `domainId`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<Domain>,
    /// Composite types: rows of typed attributes, used by columns with
    /// `"dataType": "composite"` and `compositeId`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composites: Vec<Composite>,
    /// Collations (`CREATE COLLATION`) that columns, domains, attributes
    /// and index elements name by `collationId`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collations: Vec<Collation>,
    /// Text search configurations (`CREATE TEXT SEARCH CONFIGURATION`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_search_configurations: Vec<TextSearchConfiguration>,
    /// PostgreSQL schemas besides `public` (`CREATE SCHEMA`), which tables,
    /// types, sequences and extensions name by `namespaceId`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<Namespace>,
    /// Views and materialized views over the tables (and other views);
    /// created after the tables in the order their queries need.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
    /// Functions and procedures (`CREATE FUNCTION`, `CREATE PROCEDURE`),
    /// carried as PostgreSQL's statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<SqlObject>,
    /// Triggers (`CREATE TRIGGER`) on the document's tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<SqlObject>,
    /// Row-level security policies (`CREATE POLICY`) on the document's
    /// tables (see a table's `rowLevelSecurity`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<SqlObject>,
    /// Rules (`CREATE RULE`) on the document's tables and views.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<SqlObject>,
    /// Privileges (`GRANT ... ON one table, view or sequence TO ...`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<SqlObject>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Table {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the table.
    pub name: String,
    /// The namespace (PostgreSQL schema) it lives in; absent, `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// Rendered as `COMMENT ON TABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Where the designer draws the table; ignored by SQL generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// Columns in order.
    #[serde(default)]
    pub columns: Vec<Column>,
    /// Secondary indexes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Check constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// UNIQUE constraints over one or more columns (`unique: true` on a
    /// column is the one-column shorthand).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<UniqueConstraint>,
    /// EXCLUDE constraints: no two rows whose elements all match by their
    /// operators (`room WITH =, during WITH &&`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<ExclusionConstraint>,
    /// Column ids of a composite primary key; use either this or
    /// `primaryKey: true` on columns, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<Vec<String>>,
    /// Row-level security is on (`ALTER TABLE ... ENABLE ROW LEVEL
    /// SECURITY`): the table's policies decide which rows a role sees.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub row_level_security: bool,
    /// A partitioned table: how its rows are divided among `partitions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<PartitionBy>,
    /// The partitions of a partitioned table, each a table of its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<Partition>,
    /// The table has no primary key, on purpose (a log, a staging table, a
    /// table imported as it is). Without it, a missing key is an error.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_primary_key: bool,
    /// The primary key constraint's name (and its index's); absent,
    /// generated as PostgreSQL does (`<table>_pkey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key_name: Option<String>,
}

/// How an identity column generates values, and its sequence's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentitySpec {
    /// `byDefault` (an INSERT may supply a value) or `always`.
    #[serde(default)]
    pub generated: IdentityGeneration,
    /// START WITH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// INCREMENT BY (not 0; negative counts down).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    /// MINVALUE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    /// MAXVALUE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    /// CACHE: values handed out per session at once (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    /// CYCLE: wrap around at the end instead of failing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
}

/// `GENERATED BY DEFAULT` or `GENERATED ALWAYS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum IdentityGeneration {
    /// `BY DEFAULT`: a value given in an INSERT wins.
    #[default]
    #[serde(alias = "BY DEFAULT", alias = "by default")]
    ByDefault,
    /// `ALWAYS`: the sequence always wins unless the INSERT says
    /// `OVERRIDING SYSTEM VALUE`.
    #[serde(alias = "ALWAYS")]
    Always,
}

/// A UNIQUE constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UniqueConstraint {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// Constraint name (also its index's name); generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The key's column ids, in order.
    pub column_ids: Vec<String>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15+): NULLs count as equal.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    /// `DEFERRABLE`: may be checked at commit instead of per statement.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (needs `deferrable`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    /// Rendered as `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An EXCLUDE constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExclusionConstraint {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// Constraint name (also its index's name); generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The index method; gist when absent (btree and hash work for `=`).
    #[serde(default = "gist", skip_serializing_if = "is_gist")]
    pub method: IndexMethod,
    /// The elements, each with the operator two rows are compared by.
    pub elements: Vec<ExclusionElement>,
    /// Columns stored in the index but not compared (`INCLUDE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Only rows matching this predicate are compared (`WHERE (...)`).
    #[serde(rename = "where", default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// `DEFERRABLE`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (needs `deferrable`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    /// Rendered as `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

fn gist() -> IndexMethod {
    IndexMethod::Gist
}

fn is_gist(m: &IndexMethod) -> bool {
    *m == IndexMethod::Gist
}

/// One element of an EXCLUDE constraint: an index element and an operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExclusionElement {
    /// The column id (exactly one of `columnId` and `expression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_id: Option<String>,
    /// An immutable expression over the table's columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Collation of the element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// A collation of the document, by id, instead of `collation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation_id: Option<String>,
    /// Operator class of the element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    /// The commutative operator two rows are compared by, e.g. `=` or `&&`.
    pub operator: String,
}

/// How a multi-column foreign key treats NULLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MatchType {
    /// `MATCH SIMPLE` (the default): a row with any NULL in the key is not checked.
    #[default]
    #[serde(alias = "SIMPLE")]
    Simple,
    /// `MATCH FULL`: the key is all NULL or all set, and then checked.
    #[serde(alias = "FULL")]
    Full,
}

impl MatchType {
    fn is_simple(&self) -> bool {
        *self == Self::Simple
    }
}

/// Canvas position of a table in the designer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Column {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the column.
    pub name: String,
    /// One of the supported type names (see docs/schema-format.md), e.g.
    /// `integer`, `varchar`, `numeric`, `timestamptz`, or `enum` together with
    /// `enumId`. Parameters may also be written inline: `varchar(255)`,
    /// `numeric(10,2)`, and a trailing `[]` makes an array.
    pub data_type: String,
    /// Length for `varchar` and `char`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Precision for `numeric` (total digits) or fractional-second precision
    /// for `time`, `timestamp`, `timestamptz` and `interval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    /// Scale for `numeric` (digits after the point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// Id of the enum this column uses when `dataType` is `enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_id: Option<String>,
    /// Id of the domain this column uses when `dataType` is `domain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_id: Option<String>,
    /// Id of the composite type this column uses when `dataType` is `composite`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composite_id: Option<String>,
    /// Whether NULL is allowed; defaults to true. Primary key and
    /// auto-increment columns are always NOT NULL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
    /// Part of the primary key (several columns make a composite key, in column order).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub primary_key: bool,
    /// A single-column UNIQUE constraint.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// Rendered as `GENERATED BY DEFAULT AS IDENTITY`; integer types only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_increment: bool,
    /// An identity column with its settings (implies `autoIncrement`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentitySpec>,
    /// Default value: a JSON literal, or `{"function": "now"}` from the closed list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<ColumnDefault>,
    /// Rendered as `COMMENT ON COLUMN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// An array of `dataType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_array: Option<bool>,
    /// The column's collation (`COLLATE`), for the string types and `citext`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// A collation of the document, by id, instead of `collation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation_id: Option<String>,
    /// A generated column: `GENERATED ALWAYS AS (expression) STORED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<GeneratedSpec>,
}

/// How a generated column computes its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratedSpec {
    /// The expression (either grammar of docs/schema-format.md section 5),
    /// over the table's other, non-generated columns; immutable. PostgreSQL
    /// stores its value (`STORED`) and computes it again on every update.
    pub expression: String,
}

impl Column {
    /// A column with the given id, name and type and every option at its default.
    ///
    /// ```
    /// let c = schemaforge_domain::Column::new("c1", "email", "text");
    /// assert!(c.nullable.is_none() && !c.primary_key);
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
            nullable: None,
            primary_key: false,
            unique: false,
            auto_increment: false,
            identity: None,
            default: None,
            comment: None,
            is_array: None,
            collation: None,
            collation_id: None,
            generated: None,
        }
    }
}

/// A column default. Literals are always rendered quoted and cast to the
/// column type; functions come from a closed list.
///
/// Only a JSON *object* is read as a function default, so a one-element
/// array such as `["now"]` stays an array literal.
///
/// ```
/// use schemaforge_domain::{ColumnDefault, Literal};
/// let d: ColumnDefault = serde_json::from_str(r#"["now"]"#).unwrap();
/// assert!(matches!(d, ColumnDefault::Literal(Literal::Array(_))));
/// let d: ColumnDefault = serde_json::from_str(r#"{"function": "now"}"#).unwrap();
/// assert!(matches!(d, ColumnDefault::Function(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ColumnDefault {
    /// `{"function": "now"}`: one of the allowed functions (see docs/schema-format.md).
    Function(FunctionDefault),
    /// `{"expression": "now() + interval '1 day'"}`: an expression in
    /// either grammar, without columns.
    Expression(ExpressionDefault),
    /// `{"sequence": "<sequence id>"}`: the sequence's next value.
    Sequence(SequenceDefault),
    /// A JSON string, number, boolean or (for array columns) array.
    Literal(Literal),
}

impl<'de> Deserialize<'de> for ColumnDefault {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        if value.get("sequence").is_some() {
            serde_json::from_value(value).map(Self::Sequence).map_err(D::Error::custom)
        } else if value.get("expression").is_some() {
            serde_json::from_value(value).map(Self::Expression).map_err(D::Error::custom)
        } else if value.is_object() {
            serde_json::from_value(value).map(Self::Function).map_err(D::Error::custom)
        } else {
            serde_json::from_value(value).map(Self::Literal).map_err(|_| {
                D::Error::custom(
                    "a default must be a string, number, boolean, array, {\"function\": \"...\"} or {\"expression\": \"...\"}",
                )
            })
        }
    }
}

/// `{"sequence": "s_order_no"}`: `nextval` of one of the document's sequences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SequenceDefault {
    /// The sequence's id (a rename of the sequence is no change).
    pub sequence: String,
}

/// An expression default such as `{"expression": "now() + interval '30 days'"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpressionDefault {
    /// The expression: constants, operators and functions (volatile ones
    /// too), no column of the row.
    pub expression: String,
}

/// A function default such as `{"function": "gen_random_uuid"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionDefault {
    /// Function name, case-insensitive, with or without `()`.
    pub function: String,
}

/// A literal value in the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Literal {
    /// JSON `null` (only meaningful inside arrays).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A JSON number.
    Number(serde_json::Number),
    /// A string; for non-text types it must be a valid value of that type.
    String(String),
    /// An array value for array columns.
    Array(Vec<Literal>),
}

/// A check constraint over the table's own columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Check {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// Constraint name; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A single boolean expression in the restricted grammar of
    /// docs/schema-format.md, e.g. `price >= 0 AND price < 1000000`.
    pub expression: String,
    /// Rendered as `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A foreign key. Either the list form (`sourceColumnIds`/`targetColumnIds`)
/// or the single-column form (`sourceColumnId`/`targetColumnId`) is accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForeignKey {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// Constraint name; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Id of the referencing table.
    pub source_table_id: String,
    /// Ids of the referencing columns, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_column_ids: Option<Vec<String>>,
    /// Single-column form of `sourceColumnIds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_column_id: Option<String>,
    /// Id of the referenced table.
    pub target_table_id: String,
    /// Ids of the referenced columns, matching `sourceColumnIds` position by position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_column_ids: Option<Vec<String>>,
    /// Single-column form of `targetColumnIds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_column_id: Option<String>,
    /// What happens to referencing rows when the referenced row is deleted.
    #[serde(default)]
    pub on_delete: ReferentialAction,
    /// What happens to referencing rows when the referenced key is updated.
    #[serde(default)]
    pub on_update: ReferentialAction,
    /// `simple` (default) or `full`.
    #[serde(rename = "match", default, skip_serializing_if = "MatchType::is_simple")]
    pub match_type: MatchType,
    /// `DEFERRABLE`: may be checked at commit instead of per statement.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (needs `deferrable`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    /// Rendered as `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Referential action of a foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub enum ReferentialAction {
    /// `NO ACTION` (the default): fail at the end of the statement.
    #[default]
    #[serde(rename = "NO ACTION", alias = "no action", alias = "NO_ACTION", alias = "no_action", alias = "noAction")]
    NoAction,
    /// `RESTRICT`: fail immediately.
    #[serde(rename = "RESTRICT", alias = "restrict")]
    Restrict,
    /// `CASCADE`: delete or update the referencing rows too.
    #[serde(rename = "CASCADE", alias = "cascade")]
    Cascade,
    /// `SET NULL`: set the referencing columns to NULL.
    #[serde(rename = "SET NULL", alias = "set null", alias = "SET_NULL", alias = "set_null", alias = "setNull")]
    SetNull,
    /// `SET DEFAULT`: set the referencing columns to their defaults.
    #[serde(
        rename = "SET DEFAULT",
        alias = "set default",
        alias = "SET_DEFAULT",
        alias = "set_default",
        alias = "setDefault"
    )]
    SetDefault,
}

impl ReferentialAction {
    /// The SQL words of the action.
    ///
    /// ```
    /// assert_eq!(schemaforge_domain::ReferentialAction::SetNull.sql(), "SET NULL");
    /// ```
    pub fn sql(self) -> &'static str {
        match self {
            Self::NoAction => "NO ACTION",
            Self::Restrict => "RESTRICT",
            Self::Cascade => "CASCADE",
            Self::SetNull => "SET NULL",
            Self::SetDefault => "SET DEFAULT",
        }
    }
}

/// An index on a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Index {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// Index name; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Indexed columns in order: a column id, or an object with a sort order.
    pub column_ids: Vec<IndexColumn>,
    /// A UNIQUE index (btree only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// Access method; btree when absent.
    #[serde(default)]
    pub method: IndexMethod,
    /// Partial-index predicate, same grammar as check expressions.
    #[serde(rename = "where", default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// Column ids stored in the index but not part of its key (`INCLUDE`;
    /// btree, gist and spgist).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// A unique index that treats NULLs as equal (`NULLS NOT DISTINCT`,
    /// PostgreSQL 15+): at most one row may hold NULL in its columns.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    /// Storage parameters (`WITH (...)`), by name: `fillfactor` and
    /// `deduplicate_items` (btree), `fillfactor` (hash), `fillfactor` and
    /// `buffering` (gist), `fastupdate` and `gin_pending_list_limit` (gin),
    /// `pages_per_range` and `autosummarize` (brin).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub with: std::collections::BTreeMap<String, StorageValue>,
    /// Rendered as `COMMENT ON INDEX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The value of a storage parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StorageValue {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A word (`buffering`: `on`, `off` or `auto`).
    Word(String),
}

/// One index element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum IndexColumn {
    /// Just the column id: ascending, PostgreSQL's default NULLS placement.
    Id(String),
    /// The column id with explicit ordering.
    Spec(IndexColumnSpec),
}

/// A string or an object, nothing else: serde's derived untagged form would
/// also read a struct from an array (`[null, null]`).
impl<'de> Deserialize<'de> for IndexColumn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        string_or_object(d, "a column id, or an object with columnId or expression", IndexColumn::Id, IndexColumn::Spec)
    }
}

/// Deserialize a value that is a string or an object (`S`) into `T`.
fn string_or_object<'de, D, S, T>(
    d: D,
    expecting: &'static str,
    from_string: fn(String) -> T,
    from_object: fn(S) -> T,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    S: Deserialize<'de>,
{
    struct Either<S, T> {
        expecting: &'static str,
        from_string: fn(String) -> T,
        from_object: fn(S) -> T,
    }
    impl<'de, S: Deserialize<'de>, T> serde::de::Visitor<'de> for Either<S, T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            Ok((self.from_string)(v.to_string()))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            S::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(self.from_object)
        }
    }
    d.deserialize_any(Either { expecting, from_string, from_object })
}

impl IndexColumn {
    /// The referenced column id; `None` for an expression element.
    pub fn column_id(&self) -> Option<&str> {
        match self {
            Self::Id(id) => Some(id),
            Self::Spec(spec) => spec.column_id.as_deref(),
        }
    }

    /// The expression of an expression element.
    pub fn expression(&self) -> Option<&str> {
        match self {
            Self::Id(_) => None,
            Self::Spec(spec) => spec.expression.as_deref(),
        }
    }

    /// The collation, if one is given.
    pub fn collation(&self) -> Option<&str> {
        match self {
            Self::Id(_) => None,
            Self::Spec(spec) => spec.collation.as_deref(),
        }
    }

    /// The document's collation, by id, if one is given.
    pub fn collation_id(&self) -> Option<&str> {
        match self {
            Self::Id(_) => None,
            Self::Spec(spec) => spec.collation_id.as_deref(),
        }
    }

    /// The operator class, if one is given.
    pub fn opclass(&self) -> Option<&str> {
        match self {
            Self::Id(_) => None,
            Self::Spec(spec) => spec.opclass.as_deref(),
        }
    }

    /// Explicit sort order, if any.
    pub fn order(&self) -> Option<SortOrder> {
        match self {
            Self::Id(_) => None,
            Self::Spec(spec) => spec.order,
        }
    }

    /// Explicit NULLS placement, if any.
    pub fn nulls(&self) -> Option<NullsOrder> {
        match self {
            Self::Id(_) => None,
            Self::Spec(spec) => spec.nulls,
        }
    }
}

/// An indexed column with ordering options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndexColumnSpec {
    /// The column id (exactly one of `columnId` and `expression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_id: Option<String>,
    /// An expression over the table's columns, in the grammar of checks
    /// (immutable, any type), e.g. `lower(email)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Collation of the element, e.g. `C` (rendered quoted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// A collation of the document, by id, instead of `collation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation_id: Option<String>,
    /// Operator class of the element, e.g. `text_pattern_ops`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    /// `asc` or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
    /// `first` or `last`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls: Option<NullsOrder>,
}

/// Sort direction of an index column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Ascending.
    #[serde(alias = "ASC")]
    Asc,
    /// Descending.
    #[serde(alias = "DESC")]
    Desc,
}

/// Placement of NULLs in an index column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NullsOrder {
    /// NULLS FIRST.
    #[serde(alias = "FIRST")]
    First,
    /// NULLS LAST.
    #[serde(alias = "LAST")]
    Last,
}

/// Index access method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IndexMethod {
    /// B-tree (default; the only method that supports UNIQUE).
    #[default]
    #[serde(alias = "BTREE")]
    Btree,
    /// Hash (single column, equality only).
    #[serde(alias = "HASH")]
    Hash,
    /// GIN (arrays and jsonb).
    #[serde(alias = "GIN")]
    Gin,
    /// GiST (inet and cidr, with `inet_ops`).
    #[serde(alias = "GIST")]
    Gist,
    /// BRIN (block-range summaries of scalar columns).
    #[serde(alias = "BRIN")]
    Brin,
}

impl IndexMethod {
    /// The access method's name in SQL.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Btree => "btree",
            Self::Hash => "hash",
            Self::Gin => "gin",
            Self::Gist => "gist",
            Self::Brin => "brin",
        }
    }
}

/// An enumerated type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnumType {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the type.
    pub name: String,
    /// The namespace (PostgreSQL schema) it lives in; absent, `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// Labels in order (1 to 63 bytes each, unique): a string, or
    /// `{"id", "value"}` so that a new label under the same id is a rename.
    pub values: Vec<EnumValue>,
    /// Rendered as `COMMENT ON TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One label of an enum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum EnumValue {
    /// Just the label: matched across versions by its text (and, when a
    /// label is replaced at the same position, by its position).
    Label(String),
    /// A label with a stable id: matched by the id, so a new text is a rename.
    WithId(EnumValueSpec),
}

/// A label with a stable id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnumValueSpec {
    /// Stable id, unique within the document.
    pub id: String,
    /// The label.
    pub value: String,
}

impl EnumValue {
    /// The label.
    pub fn label(&self) -> &str {
        match self {
            Self::Label(v) => v,
            Self::WithId(spec) => &spec.value,
        }
    }

    /// The stable id, if the label has one.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Label(_) => None,
            Self::WithId(spec) => Some(&spec.id),
        }
    }
}

impl From<&str> for EnumValue {
    fn from(label: &str) -> Self {
        Self::Label(label.to_string())
    }
}

impl From<String> for EnumValue {
    fn from(label: String) -> Self {
        Self::Label(label)
    }
}

/// A string or an object, nothing else (see [`IndexColumn`]'s impl).
impl<'de> Deserialize<'de> for EnumValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        string_or_object(d, "a label, or an object with id and value", EnumValue::Label, EnumValue::WithId)
    }
}
