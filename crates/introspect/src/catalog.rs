//! The catalog as the repository reads it: one list of rows per query of
//! `crates/repository/src/pg/catalog/`, deserialized from the JSON each
//! query returns. Driver-free, so the mapping is unit-tested without a
//! server. Oids identify rows within one read; nothing here is kept.

use serde::Deserialize;

/// Everything one introspection read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Catalog {
    /// The server and database.
    pub server: ServerRow,
    /// The namespaces read (`public` among them when it was read).
    pub namespaces: Vec<NamespaceRow>,
    /// Every extension of the database (but `plpgsql`).
    pub extensions: Vec<ExtensionRow>,
    /// Collations in the namespaces read.
    #[serde(default)]
    pub collations: Vec<CollationRow>,
    /// Text search configurations in the namespaces read.
    #[serde(default)]
    pub text_search: Vec<TextSearchRow>,
    /// User-defined types in the namespaces read.
    pub types: Vec<TypeRow>,
    /// Standalone sequences (not identity sequences).
    pub sequences: Vec<SequenceRow>,
    /// Tables, partitions, views, materialized views, foreign tables.
    pub relations: Vec<RelationRow>,
    /// Their columns.
    pub columns: Vec<ColumnRow>,
    /// Their constraints.
    pub constraints: Vec<ConstraintRow>,
    /// Their indexes.
    pub indexes: Vec<IndexRow>,
    /// The elements of every index, by index oid and position, as one
    /// query reads them (see [`Catalog::attach_index_elements`]).
    #[serde(default)]
    pub index_elements: Vec<IndexElementRow>,
    /// Functions, procedures, aggregates and window functions.
    pub routines: Vec<RoutineRow>,
    /// Triggers.
    pub triggers: Vec<TriggerRow>,
    /// Row-level security policies.
    pub policies: Vec<PolicyRow>,
    /// Rules.
    pub rules: Vec<RuleRow>,
    /// Objects the document has no place for.
    pub others: Vec<OtherRow>,
}

/// A collation (`pg_collation`).
#[derive(Debug, Clone, Deserialize)]
pub struct CollationRow {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// `c` (libc), `i` (ICU), `b` (builtin, PostgreSQL 17), `d` (default).
    pub provider: String,
    /// libc's LC_COLLATE.
    pub lc_collate: Option<String>,
    /// libc's LC_CTYPE.
    pub lc_ctype: Option<String>,
    /// An ICU collation's locale.
    pub icu_locale: Option<String>,
    /// `collisdeterministic`.
    pub deterministic: bool,
    /// `COMMENT ON COLLATION`.
    pub comment: Option<String>,
}

/// A text search configuration (`pg_ts_config`).
#[derive(Debug, Clone, Deserialize)]
pub struct TextSearchRow {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its parser's namespace.
    pub parser_namespace: String,
    /// Its parser.
    pub parser: String,
    /// Per token type, in token order.
    pub mappings: Vec<TextSearchMapRow>,
    /// `COMMENT ON TEXT SEARCH CONFIGURATION`.
    pub comment: Option<String>,
}

/// A token type's dictionaries.
#[derive(Debug, Clone, Deserialize)]
pub struct TextSearchMapRow {
    /// The token type's alias (`word`).
    pub token: String,
    /// The dictionaries, in order.
    pub dictionaries: Vec<QualifiedRow>,
}

/// A schema-qualified name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct QualifiedRow {
    /// The schema.
    pub namespace: String,
    /// The name.
    pub name: String,
}

/// The server that was read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServerRow {
    /// `server_version_num`, e.g. 150004.
    pub version_num: i64,
    /// `server_version`.
    pub version: String,
    /// The database's name.
    pub database: String,
    /// The database's oid (`pg_database.oid`): a record of catalog
    /// identities holds only for the database it was made in.
    #[serde(default)]
    pub database_oid: i64,
}

/// One privilege of an access control list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PrivilegeRow {
    /// The role; `None` is `PUBLIC`.
    pub grantee: Option<String>,
    /// `SELECT`, `INSERT`, `USAGE`, `EXECUTE`, ...
    pub privilege: String,
    /// `WITH GRANT OPTION`.
    pub grantable: bool,
}

/// A namespace.
#[derive(Debug, Clone, Deserialize)]
pub struct NamespaceRow {
    /// Its name.
    pub name: String,
    /// `COMMENT ON SCHEMA`.
    pub comment: Option<String>,
    /// The reading role has USAGE on it.
    pub usable: bool,
    /// Privileges granted on it to roles other than its owner.
    #[serde(default)]
    pub privileges: Vec<PrivilegeRow>,
}

/// An extension.
#[derive(Debug, Clone, Deserialize)]
pub struct ExtensionRow {
    /// Its name.
    pub name: String,
    /// The namespace its objects are in.
    pub namespace: String,
    /// The installed version.
    pub version: String,
    /// The version `CREATE EXTENSION` installs without `VERSION`.
    pub default_version: Option<String>,
    /// `COMMENT ON EXTENSION`.
    pub comment: Option<String>,
    /// The comment the extension gives itself.
    #[serde(default)]
    pub default_comment: Option<String>,
}

/// A type as a column, attribute or domain uses it (arrays by element).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TypeRef {
    /// `format_type` of the element type with the typmod: `character varying(20)`.
    pub sql: String,
    /// The element type's oid.
    pub oid: i64,
    /// `typtype` of the element: `b` base, `e` enum, `d` domain, `c` composite, `r` range, `m` multirange, `p` pseudo.
    pub kind: String,
    /// The element type's namespace.
    pub namespace: String,
    /// The element type's name.
    pub name: String,
    /// An array of the element type.
    pub array: bool,
}

/// A domain's check.
#[derive(Debug, Clone, Deserialize)]
pub struct DomainCheckRow {
    /// Constraint name.
    pub name: String,
    /// `CHECK (...)` as PostgreSQL prints it.
    pub definition: String,
    /// Not `NOT VALID`.
    pub validated: bool,
}

/// An attribute of a composite type.
#[derive(Debug, Clone, Deserialize)]
pub struct AttributeRow {
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// A collation other than the type's.
    pub collation: Option<String>,
    /// The namespace of `collation`.
    #[serde(default)]
    pub collation_namespace: Option<String>,
}

/// A user-defined type.
#[derive(Debug, Clone, Deserialize)]
pub struct TypeRow {
    /// Oid.
    pub oid: i64,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `e` enum, `d` domain, `c` composite, `b` base, `r` range, `m` multirange.
    pub kind: String,
    /// `COMMENT ON TYPE`.
    pub comment: Option<String>,
    /// An enum's labels in order.
    pub labels: Option<Vec<String>>,
    /// A domain's base type.
    pub base: Option<TypeRef>,
    /// A domain's NOT NULL.
    #[serde(default)]
    pub not_null: bool,
    /// A domain's default, as PostgreSQL prints it.
    pub default: Option<String>,
    /// A domain's collation, when not its base type's.
    pub collation: Option<String>,
    /// The namespace of `collation`.
    #[serde(default)]
    pub collation_namespace: Option<String>,
    /// A domain's checks.
    pub checks: Option<Vec<DomainCheckRow>>,
    /// A composite type's attributes.
    pub attributes: Option<Vec<AttributeRow>>,
    /// Privileges to roles other than its owner (`USAGE` for `PUBLIC` is the default).
    #[serde(default)]
    pub privileges: Vec<PrivilegeRow>,
}

/// The column that owns a sequence.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct OwnerRow {
    /// The table's oid.
    pub table: i64,
    /// The column's number.
    pub column: i64,
}

/// A standalone sequence.
#[derive(Debug, Clone, Deserialize)]
pub struct SequenceRow {
    /// Oid.
    pub oid: i64,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Its options.
    #[serde(flatten)]
    pub options: SequenceOptionsRow,
    /// `COMMENT ON SEQUENCE`.
    pub comment: Option<String>,
    /// `OWNED BY`.
    pub owned_by: Option<OwnerRow>,
    /// Privileges to roles other than its owner.
    #[serde(default)]
    pub privileges: Vec<PrivilegeRow>,
}

/// A partitioned table's key, as `pg_partitioned_table` holds it.
#[derive(Debug, Clone, Deserialize)]
pub struct PartitioningRow {
    /// `r` range, `l` list, `h` hash.
    pub strategy: String,
    /// Column numbers, 0 for an expression element.
    pub columns: Vec<i64>,
    /// The operator class of each element.
    #[serde(default)]
    pub opclasses: Option<Vec<OpclassRow>>,
}

/// An operator class and whether it is its type's default.
#[derive(Debug, Clone, Deserialize)]
pub struct OpclassRow {
    /// Name.
    pub name: String,
    /// The default for its type.
    pub default: bool,
}

/// A table, partition, view, materialized view or foreign table.
#[derive(Debug, Clone, Deserialize)]
pub struct RelationRow {
    /// Oid.
    pub oid: i64,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `r` table, `p` partitioned table, `v` view, `m` materialized view, `f` foreign table.
    pub kind: String,
    /// `p` permanent, `u` unlogged.
    pub persistence: String,
    /// Row-level security enabled.
    pub row_security: bool,
    /// Row-level security forced on the owner too.
    pub force_row_security: bool,
    /// `d` default, `n` nothing, `f` full, `i` index.
    pub replica_identity: String,
    /// Storage parameters (`fillfactor=70`).
    pub options: Option<Vec<String>>,
    /// A typed table (`OF type`).
    pub typed: bool,
    /// `COMMENT ON TABLE` / `VIEW`.
    pub comment: Option<String>,
    /// `pg_get_partkeydef`: `RANGE (created_at)`.
    pub partition_key: Option<String>,
    /// The key's structure.
    pub partitioning: Option<PartitioningRow>,
    /// A partition's bound: `FOR VALUES FROM (...) TO (...)`.
    pub bound: Option<String>,
    /// Parents (`pg_inherits`), in order.
    #[serde(default)]
    pub parents: Vec<i64>,
    /// A partition of its (one) parent.
    pub is_partition: bool,
    /// A view's query, as `pg_get_viewdef(oid, true)` prints it.
    pub query: Option<String>,
    /// Privileges to roles other than its owner.
    #[serde(default)]
    pub privileges: Vec<PrivilegeRow>,
}

/// An identity column's sequence.
#[derive(Debug, Clone, Deserialize)]
pub struct IdentitySequenceRow {
    /// The sequence's name.
    pub name: String,
    /// Its options.
    #[serde(flatten)]
    pub options: SequenceOptionsRow,
}

/// A sequence's type and options, as `pg_sequence` holds them (standalone
/// and identity sequences alike).
#[derive(Debug, Clone, Deserialize)]
pub struct SequenceOptionsRow {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    /// START WITH.
    pub start: i64,
    /// INCREMENT BY.
    pub increment: i64,
    /// MINVALUE.
    pub min_value: i64,
    /// MAXVALUE.
    pub max_value: i64,
    /// CACHE.
    pub cache: i64,
    /// CYCLE.
    pub cycle: bool,
}

/// A column.
#[derive(Debug, Clone, Deserialize)]
pub struct ColumnRow {
    /// The relation's oid.
    pub rel: i64,
    /// `attnum`.
    pub num: i64,
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// NOT NULL.
    pub not_null: bool,
    /// Declared on this relation (not only inherited).
    pub local: bool,
    /// The default (or a generated column's expression), as PostgreSQL prints it.
    pub default: Option<String>,
    /// `a` always, `d` by default, empty: not an identity column.
    pub identity: String,
    /// `s` stored generated column, empty otherwise.
    pub generated: String,
    /// A collation other than the type's.
    pub collation: Option<String>,
    /// The namespace of `collation`.
    #[serde(default)]
    pub collation_namespace: Option<String>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
    /// An identity column's sequence.
    pub identity_sequence: Option<IdentitySequenceRow>,
    /// Column privileges to roles other than the table's owner.
    #[serde(default)]
    pub privileges: Vec<PrivilegeRow>,
    /// `SET STATISTICS`, when set.
    pub statistics: Option<i64>,
    /// Attribute options (`n_distinct=-0.02`).
    #[serde(default)]
    pub options: Option<Vec<String>>,
    /// `attstorage`.
    pub storage: String,
    /// The type's default storage.
    pub type_storage: String,
}

/// A table constraint.
#[derive(Debug, Clone, Deserialize)]
pub struct ConstraintRow {
    /// Oid.
    pub oid: i64,
    /// The table's oid.
    pub rel: i64,
    /// Name.
    pub name: String,
    /// `p` primary key, `u` unique, `c` check, `f` foreign key, `x` exclusion, `t` constraint trigger.
    pub kind: String,
    /// DEFERRABLE.
    pub deferrable: bool,
    /// INITIALLY DEFERRED.
    pub deferred: bool,
    /// Not `NOT VALID`.
    pub validated: bool,
    /// Declared on this table (not only inherited).
    pub local: bool,
    /// `NO INHERIT`.
    pub no_inherit: bool,
    /// Column numbers.
    pub columns: Option<Vec<i64>>,
    /// A foreign key's referenced table.
    pub ref_rel: i64,
    /// Its referenced columns.
    pub ref_columns: Option<Vec<i64>>,
    /// `a` no action, `r` restrict, `c` cascade, `n` set null, `d` set default.
    pub on_update: String,
    /// As `on_update`.
    pub on_delete: String,
    /// `s` simple, `f` full, `p` partial.
    pub r#match: String,
    /// The index behind a key.
    pub index: i64,
    /// A check's expression.
    pub expression: Option<String>,
    /// `pg_get_constraintdef`.
    pub definition: String,
    /// An exclusion constraint's operators.
    pub operators: Option<Vec<String>>,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
}

impl Catalog {
    /// Move `index_elements` into their indexes' `elements`, in order.
    pub fn attach_index_elements(&mut self) {
        let mut by_index: std::collections::HashMap<i64, Vec<IndexElementRow>> = std::collections::HashMap::new();
        for e in std::mem::take(&mut self.index_elements) {
            by_index.entry(e.index).or_default().push(e);
        }
        for index in &mut self.indexes {
            if let Some(mut elements) = by_index.remove(&index.oid) {
                elements.sort_by_key(|e| e.n);
                index.elements = elements;
            }
        }
    }
}

/// One element of an index.
#[derive(Debug, Clone, Deserialize)]
pub struct IndexElementRow {
    /// The index's oid (when read as a list of its own).
    #[serde(default)]
    pub index: i64,
    /// 1-based position in the index.
    #[serde(default)]
    pub n: i64,
    /// The column's number; 0 for an expression.
    pub column: i64,
    /// The expression, as PostgreSQL prints it.
    pub expression: Option<String>,
    /// The operator class (key elements only).
    pub opclass: Option<String>,
    /// Whether that is the type's default one.
    pub opclass_default: Option<bool>,
    /// A collation other than the column's.
    pub collation: Option<String>,
    /// The namespace of `collation`.
    #[serde(default)]
    pub collation_namespace: Option<String>,
    /// `indoption`: 1 DESC, 2 NULLS FIRST.
    pub option: Option<i64>,
}

/// An index.
#[derive(Debug, Clone, Deserialize)]
pub struct IndexRow {
    /// Oid.
    pub oid: i64,
    /// The relation's oid.
    pub rel: i64,
    /// Name.
    pub name: String,
    /// `btree`, `hash`, `gin`, `gist`, `brin`, `spgist`, ...
    pub method: String,
    /// UNIQUE.
    pub unique: bool,
    /// The primary key's index.
    pub primary: bool,
    /// An exclusion constraint's index.
    pub exclusion: bool,
    /// Not left invalid by a failed `CREATE INDEX CONCURRENTLY`.
    pub valid: bool,
    /// `CLUSTER ON` it.
    pub clustered: bool,
    /// Key elements (the rest are `INCLUDE`).
    pub key_count: i64,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: Option<bool>,
    /// A partition's copy of a partitioned table's index.
    pub inherited: bool,
    /// Elements in order.
    #[serde(default)]
    pub elements: Vec<IndexElementRow>,
    /// A partial index's predicate.
    pub predicate: Option<String>,
    /// Storage parameters.
    pub options: Option<Vec<String>>,
    /// A primary key, unique or exclusion constraint's index.
    pub constraint_backed: bool,
    /// `pg_get_indexdef`.
    pub definition: String,
    /// `COMMENT ON INDEX`.
    pub comment: Option<String>,
}

/// A function, procedure, aggregate or window function.
#[derive(Debug, Clone, Deserialize)]
pub struct RoutineRow {
    /// Oid.
    pub oid: i64,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `f` function, `p` procedure, `a` aggregate, `w` window function.
    pub kind: String,
    /// The arguments that identify it.
    pub arguments: String,
    /// `pg_get_functiondef` (functions and procedures).
    pub definition: Option<String>,
    /// `COMMENT ON FUNCTION`.
    pub comment: Option<String>,
    /// Privileges to roles other than its owner.
    #[serde(default)]
    pub privileges: Vec<PrivilegeRow>,
    /// `EXECUTE` was revoked from `PUBLIC`.
    #[serde(default)]
    pub public_revoked: bool,
    /// An aggregate's parts.
    #[serde(default)]
    pub aggregate: Option<AggregateRow>,
}

/// What `CREATE AGGREGATE` says, as `pg_aggregate` holds it.
#[derive(Debug, Clone, Deserialize)]
pub struct AggregateRow {
    /// SFUNC (a `regproc`, qualified where not on the search path).
    pub sfunc: String,
    /// STYPE.
    pub stype: String,
    /// FINALFUNC.
    pub finalfunc: Option<String>,
    /// COMBINEFUNC.
    pub combinefunc: Option<String>,
    /// INITCOND.
    pub initcond: Option<String>,
    /// SORTOP (a `regoperator`).
    pub sortop: Option<String>,
    /// `n` normal, `o` ordered-set, `h` hypothetical-set.
    pub kind: String,
}

/// A trigger.
#[derive(Debug, Clone, Deserialize)]
pub struct TriggerRow {
    /// Oid.
    pub oid: i64,
    /// The relation's oid.
    pub rel: i64,
    /// Name.
    pub name: String,
    /// `pg_get_triggerdef`.
    pub definition: String,
    /// A constraint trigger.
    pub constraint: bool,
    /// `O` enabled, `D` disabled, `R` replica, `A` always.
    pub enabled: String,
    /// `COMMENT ON TRIGGER`.
    pub comment: Option<String>,
}

/// A row-level security policy.
#[derive(Debug, Clone, Deserialize)]
pub struct PolicyRow {
    /// Oid.
    pub oid: i64,
    /// The table's oid.
    pub rel: i64,
    /// Name.
    pub name: String,
    /// `*` all, `r` select, `a` insert, `w` update, `d` delete.
    pub command: String,
    /// PERMISSIVE (else RESTRICTIVE).
    pub permissive: bool,
    /// Roles; `None` is `PUBLIC`.
    pub roles: Option<Vec<Option<String>>>,
    /// USING.
    pub using: Option<String>,
    /// WITH CHECK.
    pub check: Option<String>,
    /// `COMMENT ON POLICY`.
    pub comment: Option<String>,
}

/// A rule.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleRow {
    /// Oid.
    pub oid: i64,
    /// The relation's oid.
    pub rel: i64,
    /// Name.
    pub name: String,
    /// `pg_get_ruledef`.
    pub definition: String,
    /// `O` enabled, `D` disabled, `R` replica, `A` always.
    pub enabled: String,
    /// `COMMENT ON RULE`.
    pub comment: Option<String>,
}

/// An object the document has no place for.
#[derive(Debug, Clone, Deserialize)]
pub struct OtherRow {
    /// What it is (`collation`, `operator`, ...).
    pub kind: String,
    /// Its namespace.
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// Its statement, where PostgreSQL prints one.
    pub definition: Option<String>,
}
