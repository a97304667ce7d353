//! Names that PostgreSQL's own catalog shadows.
//!
//! Unqualified names are looked up in `pg_catalog` before the schema that
//! holds the user's objects, so a table called `pg_class` or an enum called
//! `uuid` would be created but every later reference (COMMENT ON, CREATE
//! INDEX, a column's type, DROP) would reach the system object instead.

/// Base type names in PostgreSQL 15's `pg_catalog` that do not start with
/// `pg_` (those are all shadowed anyway). Array types are these with a
/// leading underscore.
const BUILTIN_TYPES: &[&str] = &[
    "aclitem",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "bit",
    "bool",
    "box",
    "bpchar",
    "bytea",
    "char",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "event_trigger",
    "fdw_handler",
    "float4",
    "float8",
    "gtsvector",
    "index_am_handler",
    "inet",
    "int2",
    "int2vector",
    "int4",
    "int4multirange",
    "int4range",
    "int8",
    "int8multirange",
    "int8range",
    "internal",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "point",
    "polygon",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "table_am_handler",
    "text",
    "tid",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "trigger",
    "tsm_handler",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "unknown",
    "uuid",
    "varbit",
    "varchar",
    "void",
    "xid",
    "xid8",
    "xml",
];

/// Columns every table has implicitly.
pub(crate) const SYSTEM_COLUMNS: &[&str] = &["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"];

/// Whether a relation (table, index, sequence) of this name would be
/// shadowed by a system catalog relation.
pub(crate) fn shadowed_relation(name: &str) -> bool {
    name.starts_with("pg_")
}

/// Whether a type of this name would be shadowed by a built-in type.
pub(crate) fn shadowed_type(name: &str) -> bool {
    name.starts_with("pg_")
        || BUILTIN_TYPES.binary_search(&name).is_ok()
        || name.strip_prefix('_').is_some_and(shadowed_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted() {
        let mut sorted = BUILTIN_TYPES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, BUILTIN_TYPES);
    }

    #[test]
    fn shadowing() {
        assert!(shadowed_type("uuid") && shadowed_type("_int4") && shadowed_type("record") && shadowed_type("pg_lsn"));
        assert!(!shadowed_type("Uuid") && !shadowed_type("integer") && !shadowed_type("status"));
        assert!(shadowed_relation("pg_class") && !shadowed_relation("Pg_class"));
    }
}
