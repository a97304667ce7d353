//! Collations: the document's own (`collations`), and what columns,
//! domains, attributes and index elements name: one of the server's by
//! `collation`, or one of the document's by `collationId`.

use super::*;
use crate::document::CollationProvider;
use crate::model::{Collate, CollationModel};

/// Check the document's collations; `None` in place of one with errors.
/// Fills `ctx.collations` with the readable ones, for the references.
pub(super) fn check_collations(
    ctx: &mut Ctx,
    doc: &SchemaDocument,
    namespaces: &Namespaces<'_>,
) -> Vec<Option<CollationModel>> {
    let mut names = Scope::new("collation");
    let mut out = Vec::new();
    for (i, c) in doc.collations.iter().enumerate() {
        let path = |field: &str| ptr(&[&"collations", &i, &field]);
        let before = ctx.errors();
        let name = ctx.ident(&c.name, path("name"), "collation");
        if name.is_some() {
            names.add_in(ctx, scope_key(&c.namespace_id), &c.name, path("name"));
        }
        let namespace = namespaces.resolve(ctx, c.namespace_id.as_deref(), path("namespaceId"));
        let provider = c.provider.unwrap_or(CollationProvider::Libc);
        for (field, text) in [("locale", &c.locale), ("lcCollate", &c.lc_collate), ("lcCtype", &c.lc_ctype)] {
            if text.as_deref().is_some_and(|t| t.trim().is_empty()) {
                ctx.error(Code::InvalidTypeParameter, path(field), format!("{field} must not be empty"));
            }
            ctx.text(text.as_deref(), path(field), field);
        }
        let split = c.lc_collate.is_some() || c.lc_ctype.is_some();
        match provider {
            CollationProvider::Icu if c.locale.is_none() => {
                ctx.error(Code::InvalidTypeParameter, path("locale"), "an ICU collation needs a locale");
            }
            CollationProvider::Icu if split => ctx.error(
                Code::InvalidTypeParameter,
                path(if c.lc_collate.is_some() { "lcCollate" } else { "lcCtype" }),
                "lcCollate and lcCtype are libc's; an ICU collation has only a locale",
            ),
            CollationProvider::Libc if c.locale.is_some() && split => ctx.error(
                Code::InvalidTypeParameter,
                path("locale"),
                "give a libc collation either a locale or lcCollate and lcCtype, not both",
            ),
            CollationProvider::Libc if c.locale.is_none() && !(c.lc_collate.is_some() && c.lc_ctype.is_some()) => {
                ctx.error(
                    Code::InvalidTypeParameter,
                    path("locale"),
                    "a libc collation needs a locale, or both lcCollate and lcCtype",
                );
            }
            _ => {}
        }
        if c.deterministic == Some(false) && provider != CollationProvider::Icu {
            ctx.error(
                Code::InvalidTypeParameter,
                path("deterministic"),
                "only an ICU collation can be nondeterministic (PostgreSQL refuses it for libc)",
            );
        }
        ctx.text(c.comment.as_deref(), path("comment"), "the comment");
        let model = name.filter(|_| ctx.errors() == before).map(|name| CollationModel {
            id: c.id.clone(),
            name,
            namespace,
            provider,
            locale: c.locale.clone(),
            lc_collate: c.lc_collate.clone(),
            lc_ctype: c.lc_ctype.clone(),
            deterministic: c.deterministic.unwrap_or(true),
            comment: c.comment.clone(),
        });
        if let Some(m) = &model {
            let collate = Collate { name: m.name.clone(), document: Some((m.id.clone(), m.namespace.clone())) };
            ctx.collations.insert(m.id.clone(), collate);
        }
        out.push(model);
    }
    out
}

/// What `collation` (one of the server's, by name) or `collationId` (one of
/// the document's) names, and which of the two fields did; giving both is
/// `conflict` at `{path}/collationId`.
pub(super) fn reference(
    ctx: &mut Ctx,
    name: Option<&str>,
    id: Option<&str>,
    path: &str,
    conflict: Code,
) -> Option<(&'static str, Collate)> {
    match (name, id) {
        (None, None) => None,
        (Some(_), Some(_)) => {
            ctx.error(
                conflict,
                format!("{path}/collationId"),
                "give collation (one of the server's) or collationId (one of the document's), not both",
            );
            None
        }
        (Some(n), None) => Some(("collation", Collate::named(ctx.ident(n, format!("{path}/collation"), "collation")?))),
        (None, Some(id)) => {
            let found = ctx.collations.get(id).cloned();
            // A collation with errors was reported where it is declared.
            if found.is_none() && !ctx.declared_collations.contains(id) {
                ctx.error(
                    Code::UnknownReference,
                    format!("{path}/collationId"),
                    format!("no collation has the id `{id}`"),
                );
            }
            Some(("collationId", found?))
        }
    }
}

/// What an element's `collation` or `collationId` names, checked against
/// its type (`None` for a type whose collation cannot be checked here);
/// the problems go to `path`'s `collation` or `collationId`.
pub(super) fn collate(
    ctx: &mut Ctx,
    name: Option<&str>,
    id: Option<&str>,
    ty: Option<&ColumnType>,
    path: &str,
) -> Option<Collate> {
    let (field, found) = reference(ctx, name, id, path, Code::InvalidTypeParameter)?;
    if let Some(ty) = ty.filter(|ty| !indexes::collatable(ty)) {
        ctx.error(
            Code::InvalidTypeParameter,
            format!("{path}/{field}"),
            format!("a {} value has no collation; collations apply to char, varchar, text and citext", ty.describe()),
        );
        return None;
    }
    if found.document.is_none() {
        indexes::warn_unknown_collation(ctx, &found.name, format!("{path}/collation"));
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::validate::tests::codes_at;

    fn doc(collation: Value, column: Value) -> Value {
        let mut c = json!({"id": "c", "name": "c", "dataType": "text"});
        c.as_object_mut().unwrap().extend(column.as_object().unwrap().clone());
        json!({"name": "x", "collations": [collation], "tables": [{"id": "t", "name": "t", "columns": [
            {"id": "k", "name": "k", "dataType": "integer", "primaryKey": true}, c],
            "indexes": [{"id": "i", "columnIds": [{"columnId": "c", "collationId": "co"}]}]}]})
    }

    fn icu() -> Value {
        json!({"id": "co", "name": "ci", "provider": "icu", "locale": "und-u-ks-level2", "deterministic": false})
    }

    #[test]
    fn collations_are_checked_and_referenced_by_id() {
        assert_eq!(codes_at(doc(icu(), json!({"collationId": "co"}))), vec![]);
        let at = |field: &str| format!("/collations/0/{field}");
        for (collation, path, code) in [
            (json!({"id": "co", "name": "ci", "provider": "icu"}), at("locale"), "INVALID_TYPE_PARAMETER"),
            (json!({"id": "co", "name": "ci", "provider": "libc"}), at("locale"), "INVALID_TYPE_PARAMETER"),
            (
                json!({"id": "co", "name": "ci", "locale": "C", "deterministic": false}),
                at("deterministic"),
                "INVALID_TYPE_PARAMETER",
            ),
            (json!({"id": "co", "name": "ci", "locale": "C", "lcCtype": "C"}), at("locale"), "INVALID_TYPE_PARAMETER"),
            (
                json!({"id": "co", "name": "ci", "provider": "icu", "locale": "x", "lcCollate": "C"}),
                at("lcCollate"),
                "INVALID_TYPE_PARAMETER",
            ),
            (json!({"id": "co", "name": "ci", "locale": ""}), at("locale"), "INVALID_TYPE_PARAMETER"),
            (json!({"id": "co", "name": "", "locale": "C"}), at("name"), "INVALID_IDENTIFIER"),
            (
                json!({"id": "co", "name": "ci", "locale": "C", "namespaceId": "nope"}),
                at("namespaceId"),
                "UNKNOWN_REFERENCE",
            ),
        ] {
            assert_eq!(codes_at(doc(collation.clone(), json!({}))), vec![(path, code)], "{collation}");
        }
        // A libc collation with both parts is fine.
        assert_eq!(
            codes_at(doc(json!({"id": "co", "name": "p", "lcCollate": "C", "lcCtype": "POSIX"}), json!({}))),
            vec![]
        );
        let column = |c: &str| format!("/tables/0/columns/1/{c}");
        assert_eq!(
            codes_at(doc(icu(), json!({"collationId": "nope"}))),
            vec![(column("collationId"), "UNKNOWN_REFERENCE")]
        );
        assert_eq!(
            codes_at(doc(icu(), json!({"collationId": "co", "collation": "C"}))),
            vec![(column("collationId"), "INVALID_TYPE_PARAMETER")]
        );
        assert_eq!(
            codes_at(doc(icu(), json!({"collationId": "co", "dataType": "integer"}))),
            vec![
                (column("collationId"), "INVALID_TYPE_PARAMETER"),
                ("/tables/0/indexes/0/columnIds/0/collationId".into(), "INVALID_INDEX")
            ]
        );
        // Two of one name in one namespace.
        let mut twice = doc(icu(), json!({}));
        twice["collations"].as_array_mut().unwrap().push(json!({"id": "co2", "name": "ci", "locale": "C"}));
        assert_eq!(codes_at(twice), vec![("/collations/1/name".to_string(), "DUPLICATE_NAME")]);
    }
}
