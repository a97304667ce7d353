//! Extensions: names, versions, and the types they bring.

use super::*;
use crate::model::ExtensionModel;

/// Extensions of PostgreSQL's contrib set (13 through 17), which every
/// packaged server can install; others get an UNVERIFIED_REFERENCE warning.
const CONTRIB: &[&str] = &[
    "adminpack",
    "amcheck",
    "autoinc",
    "bloom",
    "btree_gin",
    "btree_gist",
    "citext",
    "cube",
    "dblink",
    "dict_int",
    "dict_xsyn",
    "earthdistance",
    "file_fdw",
    "fuzzystrmatch",
    "hstore",
    "insert_username",
    "intagg",
    "intarray",
    "isn",
    "lo",
    "ltree",
    "moddatetime",
    "pageinspect",
    "pg_buffercache",
    "pg_freespacemap",
    "pg_prewarm",
    "pg_stat_statements",
    "pg_surgery",
    "pg_trgm",
    "pg_visibility",
    "pg_walinspect",
    "pgcrypto",
    "pgrowlocks",
    "pgstattuple",
    "postgres_fdw",
    "refint",
    "seg",
    "sslinfo",
    "tablefunc",
    "tcn",
    "tsm_system_rows",
    "tsm_system_time",
    "unaccent",
    "uuid-ossp",
    "xml2",
];

/// The longest version string accepted.
const MAX_VERSION_CHARS: usize = 64;

/// Check the document's extensions; `None` in place of one with errors.
pub(super) fn check_extensions(
    ctx: &mut Ctx,
    doc: &SchemaDocument,
    namespaces: &namespaces::Namespaces<'_>,
) -> Vec<Option<ExtensionModel>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, e) in doc.extensions.iter().enumerate() {
        let path = |field: &str| ptr(&[&"extensions", &i, &field]);
        let name = ctx.ident(&e.name, path("name"), "extension");
        let mut ok = name.is_some();
        if name.is_some() {
            if let Some(first) = seen.insert(e.name.as_str(), i) {
                ctx.error(
                    Code::DuplicateName,
                    path("name"),
                    format!("extension \"{}\" is already declared at /extensions/{first}", e.name),
                );
                ok = false;
            } else if e.name == "plpgsql" {
                ctx.error(
                    Code::InvalidExtension,
                    path("name"),
                    "plpgsql is installed in every database; leave it out of the document",
                );
                ok = false;
            } else if !CONTRIB.contains(&e.name.as_str()) {
                ctx.warn(
                    Code::UnverifiedReference,
                    path("name"),
                    format!(
                        "extension \"{}\" is not one of PostgreSQL's contrib extensions; the server must have it installed",
                        e.name
                    ),
                );
            }
        }
        if let Some(v) = &e.version {
            let bad = v.trim().is_empty() || v.chars().count() > MAX_VERSION_CHARS || v.chars().any(char::is_control);
            if bad {
                ctx.error(
                    Code::InvalidExtension,
                    path("version"),
                    format!("a version must be 1 to {MAX_VERSION_CHARS} characters without control characters"),
                );
                ok = false;
            }
        }
        ctx.text(e.comment.as_deref(), path("comment"), "the comment");
        let namespace = namespaces.resolve(ctx, e.namespace_id.as_deref(), path("namespaceId"));
        out.push(match (name, ok) {
            (Some(name), true) => Some(ExtensionModel {
                id: e.id.clone(),
                name,
                namespace,
                version: e.version.clone(),
                comment: e.comment.clone(),
            }),
            _ => None,
        });
    }
    out
}

/// An error when `ty` comes with an extension the document does not declare.
pub(super) fn check_type_extension(ctx: &mut Ctx, doc: &SchemaDocument, ty: &ColumnType, path: String) {
    let BaseType::Named(named, _) = ty.base else { return };
    let Some(extension) = named.info().extension else { return };
    if !doc.extensions.iter().any(|e| e.name == extension) {
        ctx.error(
            Code::MissingExtension,
            path,
            format!(
                "{} comes with the extension {extension}; declare it: \"extensions\": [{{\"id\": \"...\", \"name\": \"{extension}\"}}]",
                named.sql_name()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::tests::codes_at;

    #[test]
    fn extensions_are_checked() {
        let doc = |extensions: serde_json::Value, ty: &str| {
            json!({"name": "x", "extensions": extensions, "tables": [{"id": "t", "name": "t", "columns": [
                {"id": "c", "name": "c", "dataType": ty, "primaryKey": true}]}]})
        };
        assert!(codes_at(doc(json!([{"id": "x", "name": "citext"}]), "citext")).is_empty());
        assert_eq!(
            codes_at(doc(json!([]), "citext")),
            vec![("/tables/0/columns/0/dataType".to_string(), "MISSING_EXTENSION")]
        );
        assert_eq!(
            codes_at(doc(json!([{"id": "x", "name": "plpgsql"}]), "text")),
            vec![("/extensions/0/name".to_string(), "INVALID_EXTENSION")]
        );
        assert_eq!(
            codes_at(doc(json!([{"id": "x", "name": "postgis"}]), "text")),
            vec![("/extensions/0/name".to_string(), "UNVERIFIED_REFERENCE")]
        );
        assert_eq!(
            codes_at(doc(json!([{"id": "x", "name": "hstore"}, {"id": "y", "name": "hstore"}]), "text")),
            vec![("/extensions/1/name".to_string(), "DUPLICATE_NAME")]
        );
        assert_eq!(
            codes_at(doc(json!([{"id": "x", "name": "hstore", "version": ""}]), "text")),
            vec![("/extensions/0/version".to_string(), "INVALID_EXTENSION")]
        );
        assert_eq!(
            codes_at(doc(json!([{"id": "c", "name": "hstore"}]), "text")),
            vec![("/extensions/0/id".to_string(), "DUPLICATE_ID")]
        );
    }

    #[test]
    fn collations_apply_to_strings() {
        let doc = |ty: &str, collation: &str| {
            json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
                {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "c", "name": "c", "dataType": ty, "collation": collation}]}]})
        };
        assert!(codes_at(doc("text", "C")).is_empty());
        assert!(codes_at(doc("varchar(10)[]", "POSIX")).is_empty());
        assert_eq!(
            codes_at(doc("integer", "C")),
            vec![("/tables/0/columns/1/collation".to_string(), "INVALID_TYPE_PARAMETER")]
        );
        assert_eq!(
            codes_at(doc("text", "de-DE-x-icu")),
            vec![("/tables/0/columns/1/collation".to_string(), "UNVERIFIED_REFERENCE")]
        );
    }
}
