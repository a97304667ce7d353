//! # schemaforge-domain
//!
//! The schema document that Schemaforge's designer edits, its validation, and
//! the resolved [`Model`] that SQL generation and diffing ([`diff()`]) work on.
//!
//! This crate does no I/O and knows nothing about SQL text, databases or HTTP.
//!
//! ```
//! use schemaforge_domain::{parse_document, validate, ValidSchema};
//!
//! let json = r#"{
//!   "name": "shop",
//!   "enums": [{"id": "e1", "name": "status", "values": ["new", "paid"]}],
//!   "tables": [{
//!     "id": "t1", "name": "orders",
//!     "columns": [
//!       {"id": "c1", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
//!       {"id": "c2", "name": "status", "dataType": "enum", "enumId": "e1", "nullable": false, "default": "new"},
//!       {"id": "c3", "name": "total", "dataType": "numeric(12,2)", "nullable": false, "default": 0}
//!     ],
//!     "checks": [{"id": "k1", "expression": "total >= 0"}]
//!   }]
//! }"#;
//! let doc = parse_document(json).unwrap();
//! assert!(validate(&doc).valid);
//! let schema = ValidSchema::parse(doc).unwrap();
//! assert_eq!(schema.model().tables[0].checks[0].name.as_str(), "orders_total_check");
//! ```

mod catalog;
pub mod diff;
pub mod document;
pub mod expr;
mod ident;
pub mod model;
pub mod named_type;
pub mod naming;
mod problem;
mod summary;
mod types;
mod validate;
mod values;

pub use diff::{Change, ChangeKind, ChangeSet, Safety, diff};
pub use document::{
    Check, Collation, CollationProvider, Column, ColumnDefault, Composite, CompositeAttribute, DocumentParseError,
    Domain, DomainCheck, EnumType, EnumValue, EnumValueSpec, ExclusionConstraint, ExclusionElement, ExpressionDefault,
    Extension, ForeignKey, FunctionDefault, GeneratedSpec, IdentityGeneration, IdentitySpec, Index, IndexColumn,
    IndexColumnSpec, IndexMethod, Literal, MatchType, Namespace, NullsOrder, Partition, PartitionBound, PartitionBy,
    PartitionStrategy, Position, ReferentialAction, SchemaDocument, Sequence, SequenceDefault, SequenceOwner,
    SortOrder, SqlObject, StorageValue, Table, TextSearchConfiguration, TextSearchMapping, UniqueConstraint, View,
    ViewIndex, parse_document,
};
pub use expr::Expr;
pub use ident::{Ident, IdentError, MAX_IDENTIFIER_BYTES};
pub use model::{
    AttributeModel, BaseType, BoundModel, BoundValue, CarriedKind, CarriedModel, CheckModel, Collate, CollationModel,
    ColumnModel, ColumnType, CompositeModel, DOMAIN_VALUE_ID, DefaultFunction, DefaultValue, Deferral,
    DomainCheckModel, DomainModel, EnumModel, ExclusionModel, ExtensionModel, ForeignKeyModel, Identity,
    IndexColumnModel, IndexKey, IndexModel, KeyConstraint, Model, ModelIndex, NamespaceModel, NamespaceRef,
    PartitionByModel, PartitionModel, QualifiedName, SequenceModel, SequenceOptions, TableModel, TextSearchConfigModel,
    TextSearchMappingModel, TypeFamily, ViewIndexModel, ViewModel, namespace_id,
};
pub use named_type::{NamedInfo, NamedType};
pub use problem::{Code, Problem, Severity};
pub use summary::Summary;
pub use types::{MAX_BIT_LENGTH, MAX_CHAR_LENGTH, MAX_NUMERIC_PRECISION, MAX_TIME_PRECISION, SUPPORTED_TYPES};
pub use validate::{InvalidSchema, MANY_COLUMNS_WARNING, MAX_COLUMNS, ValidSchema, ValidationReport, validate};

/// The JSON Schema of [`SchemaDocument`], for editors and clients.
///
/// ```
/// let schema = schemaforge_domain::json_schema();
/// assert_eq!(schema["title"], "Schemaforge schema document");
/// ```
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(SchemaDocument)).unwrap_or_default()
}

/// JSON Schemas (draft 2020-12) of the domain types that travel in API
/// bodies, for an API description to embed: the document (as it is read,
/// so the same schema as [`json_schema`]), and the validation [`Problem`],
/// [`Summary`] and migration [`Change`] and [`Safety`] (as they are
/// written). Every named type appears once; references point at
/// `definitions_path` followed by the name (e.g. `#/components/schemas/`).
///
/// ```
/// let schemas = schemaforge_domain::api_json_schemas("#/components/schemas/");
/// assert!(schemas.contains_key("SchemaDocument"));
/// assert!(schemas.contains_key("Change"));
/// ```
pub fn api_json_schemas(definitions_path: &str) -> serde_json::Map<String, serde_json::Value> {
    use schemars::generate::SchemaSettings;
    let settings = |s: SchemaSettings| {
        let mut s = s;
        s.definitions_path = definitions_path.trim_start_matches('#').to_string().into();
        s
    };
    let mut out = serde_json::Map::new();
    let mut read = settings(SchemaSettings::draft2020_12()).into_generator();
    // A named type's subschema is a reference; its body lands in the
    // definitions.
    read.subschema_for::<SchemaDocument>();
    let mut written = settings(SchemaSettings::draft2020_12().for_serialize()).into_generator();
    for (name, schema) in [
        ("Problem", written.subschema_for::<Problem>()),
        ("Summary", written.subschema_for::<Summary>()),
        ("Change", written.subschema_for::<Change>()),
        ("Safety", written.subschema_for::<Safety>()),
    ] {
        if schema.get("$ref").is_none() {
            out.insert(name.to_string(), schema.to_value());
        }
    }
    out.extend(written.take_definitions(true));
    out.extend(read.take_definitions(true));
    out
}
