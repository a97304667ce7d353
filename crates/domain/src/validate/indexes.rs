//! Indexes: elements (columns or expressions, with collation, operator
//! class and ordering), `INCLUDE`, `NULLS NOT DISTINCT` and predicates.

use std::collections::HashSet;

use super::{ColInfo, Ctx, IndexInfo};
use crate::catalog;
use crate::document::{Index, IndexMethod};
use crate::expr::{ExprColumn, ExprContext};
use crate::ident::Ident;
use crate::model::{BaseType, ColumnType, IndexColumnModel, IndexKey};
use crate::problem::Code;

/// What an index of a table can see.
pub(super) struct IndexTable<'a, 'c> {
    /// The table's name, for messages.
    pub name: &'a str,
    /// Its columns.
    pub columns: &'a [ColInfo],
    /// Its columns as expressions see them.
    pub expr_columns: &'a [ExprColumn<'c>],
    /// The document declares `btree_gist`, which gives gist the scalar types.
    pub btree_gist: bool,
}

/// Collations every PostgreSQL server has, whatever its locales.
const BUILTIN_COLLATIONS: &[&str] = &["C", "POSIX", "default", "ucs_basic"];

/// Built-in operator classes this module can check against a column type:
/// name, the methods that have it, and whether a type fits it.
type Fits = fn(&ColumnType) -> bool;
const OPCLASSES: &[(&str, &[IndexMethod], Fits)] = &[
    ("text_pattern_ops", &[IndexMethod::Btree], |t| {
        !t.array && matches!(t.base, BaseType::Text | BaseType::Varchar(_))
    }),
    ("varchar_pattern_ops", &[IndexMethod::Btree], |t| {
        !t.array && matches!(t.base, BaseType::Text | BaseType::Varchar(_))
    }),
    ("bpchar_pattern_ops", &[IndexMethod::Btree], |t| !t.array && matches!(t.base, BaseType::Char(_))),
    ("jsonb_ops", &[IndexMethod::Gin], |t| !t.array && t.base == BaseType::Jsonb),
    ("jsonb_path_ops", &[IndexMethod::Gin], |t| !t.array && t.base == BaseType::Jsonb),
    ("array_ops", &[IndexMethod::Gin], |t| t.array),
    ("inet_ops", &[IndexMethod::Gist], |t| !t.array && matches!(t.base, BaseType::Inet | BaseType::Cidr)),
];

/// An UNVERIFIED_REFERENCE warning for a collation outside the built-in ones.
pub(super) fn warn_unknown_collation(ctx: &mut Ctx, c: &Ident, path: String) {
    if !BUILTIN_COLLATIONS.contains(&c.as_str()) {
        ctx.warn(
            Code::UnverifiedReference,
            path,
            format!("collation \"{c}\" is not one every server has (C, POSIX, default, ucs_basic); PostgreSQL resolves it when the script runs"),
        );
    }
}

pub(super) fn collatable(ty: &ColumnType) -> bool {
    match ty.base {
        BaseType::Text | BaseType::Varchar(_) | BaseType::Char(_) => true,
        BaseType::Named(n, _) => n.info().collatable,
        _ => false,
    }
}

/// The index's own name, checked (before it joins the table's relations).
pub(super) fn name(ctx: &mut Ctx, ix: &Index, xpath: &str) -> Option<Ident> {
    let xname = ix.name.as_ref().and_then(|n| ctx.ident(n, format!("{xpath}/name"), "index"));
    if let Some(n) = ix.name.as_deref().filter(|n| xname.is_some() && catalog::shadowed_relation(n)) {
        ctx.error(
            Code::ReservedName,
            format!("{xpath}/name"),
            format!("index name \"{n}\" starts with pg_, the prefix of PostgreSQL's system catalogs"),
        );
    }
    xname
}

/// Check one index of `table`.
pub(super) fn analyze(
    ctx: &mut Ctx,
    table: &IndexTable<'_, '_>,
    ix: &Index,
    xpath: &str,
    xname: Option<Ident>,
) -> IndexInfo {
    if ix.column_ids.is_empty() {
        ctx.error(Code::InvalidIndex, format!("{xpath}/columnIds"), "an index needs at least one column");
    }
    if ix.unique && ix.method != IndexMethod::Btree {
        ctx.error(
            Code::InvalidIndex,
            format!("{xpath}/unique"),
            format!("only btree indexes can be unique, not {}", ix.method.sql()),
        );
    }
    if ix.nulls_not_distinct && !ix.unique {
        ctx.error(
            Code::InvalidIndex,
            format!("{xpath}/nullsNotDistinct"),
            "nullsNotDistinct only means something on a unique index",
        );
    }
    if ix.method == IndexMethod::Hash && ix.column_ids.len() > 1 {
        ctx.error(Code::InvalidIndex, format!("{xpath}/columnIds"), "hash indexes cover a single column");
    }
    let mut seen = HashSet::new();
    let mut cols = Vec::new();
    for (k, ic) in ix.column_ids.iter().enumerate() {
        let path = format!("{xpath}/columnIds/{k}");
        if let Some(element) = element(ctx, table, ix.method, ic, &path, &mut seen) {
            cols.push(element);
        }
    }
    let include = include(ctx, table, ix.method, &ix.include, xpath);
    let predicate = ix
        .predicate
        .as_ref()
        .and_then(|src| ctx.expression(src, table.expr_columns, ExprContext::IndexPredicate, format!("{xpath}/where")));
    IndexInfo {
        id: ix.id.clone(),
        name: xname,
        unique: ix.unique,
        method: ix.method,
        columns: cols,
        predicate,
        has_predicate: ix.predicate.is_some(),
        include,
        nulls_not_distinct: ix.nulls_not_distinct,
        storage: storage(ctx, ix, xpath),
        comment: {
            ctx.text(ix.comment.as_deref(), format!("{xpath}/comment"), "the comment");
            ix.comment.clone()
        },
    }
}

/// The kind of value a storage parameter takes.
enum Param {
    /// A whole number in a range.
    Integer(i64, i64),
    /// A boolean, rendered `on`/`off`.
    Bool,
    /// `on`, `off` or `auto` (gist's `buffering`).
    Buffering,
}

/// The storage parameters of each method (PostgreSQL 13+).
fn params(method: IndexMethod) -> &'static [(&'static str, Param)] {
    match method {
        IndexMethod::Btree => &[("deduplicate_items", Param::Bool), ("fillfactor", Param::Integer(10, 100))],
        IndexMethod::Hash => &[("fillfactor", Param::Integer(10, 100))],
        IndexMethod::Gist => &[("buffering", Param::Buffering), ("fillfactor", Param::Integer(10, 100))],
        IndexMethod::Gin => {
            &[("fastupdate", Param::Bool), ("gin_pending_list_limit", Param::Integer(64, 2_147_483_647))]
        }
        IndexMethod::Brin => &[("autosummarize", Param::Bool), ("pages_per_range", Param::Integer(1, 131_072))],
    }
}

/// `with`: each parameter known to the method and its value in range;
/// rendered as SQL from the closed sets only.
fn storage(ctx: &mut Ctx, ix: &Index, xpath: &str) -> Vec<(String, String)> {
    use crate::document::StorageValue as V;
    let known = params(ix.method);
    let mut out = Vec::new();
    for (name, value) in &ix.with {
        let path = format!("{xpath}/with/{}", name.replace('~', "~0").replace('/', "~1"));
        let Some((_, kind)) = known.iter().find(|(n, _)| n == name) else {
            let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
            ctx.error(
                Code::InvalidIndex,
                path,
                format!(
                    "{} indexes have no storage parameter `{}`; they have {}",
                    ix.method.sql(),
                    name.escape_debug(),
                    names.join(", ")
                ),
            );
            continue;
        };
        let sql = match (kind, value) {
            (Param::Integer(lo, hi), V::Integer(n)) if (lo..=hi).contains(&n) => Some(n.to_string()),
            (Param::Bool, V::Bool(b)) => Some(if *b { "on" } else { "off" }.to_string()),
            (Param::Buffering, V::Word(w)) if matches!(w.as_str(), "on" | "off" | "auto") => Some(w.clone()),
            _ => None,
        };
        match sql {
            Some(sql) => out.push((name.clone(), sql)),
            None => {
                let expected = match kind {
                    Param::Integer(lo, hi) => format!("a whole number from {lo} to {hi}"),
                    Param::Bool => "true or false".to_string(),
                    Param::Buffering => "\"on\", \"off\" or \"auto\"".to_string(),
                };
                ctx.error(Code::InvalidIndex, path, format!("`{name}` takes {expected}"));
            }
        }
    }
    out
}

/// One element: a column or an expression, with its options.
pub(super) fn element(
    ctx: &mut Ctx,
    table: &IndexTable<'_, '_>,
    method: IndexMethod,
    ic: &crate::document::IndexColumn,
    path: &str,
    seen: &mut HashSet<String>,
) -> Option<IndexColumnModel> {
    let (collation_field, collation) =
        match super::collations::reference(ctx, ic.collation(), ic.collation_id(), path, Code::InvalidIndex) {
            Some((field, c)) => (field, Some(c)),
            None => ("collation", None),
        };
    let opclass = ic.opclass().and_then(|c| ctx.ident(c, format!("{path}/opclass"), "operator class"));
    if method != IndexMethod::Btree && (ic.order().is_some() || ic.nulls().is_some()) {
        ctx.error(
            Code::InvalidIndex,
            path.to_string(),
            format!("{} indexes do not support ordering options", method.sql()),
        );
    }
    let (key, ty) = match (ic.column_id(), ic.expression()) {
        (Some(_), Some(_)) | (None, None) => {
            ctx.error(
                Code::InvalidIndex,
                path.to_string(),
                "an index element has exactly one of columnId and expression",
            );
            return None;
        }
        (Some(id), None) => {
            let Some(c) = table.columns.iter().find(|c| c.id == id) else {
                ctx.error(
                    Code::UnknownReference,
                    path.to_string(),
                    format!("table \"{}\" has no column with id `{id}`", table.name),
                );
                return None;
            };
            if !seen.insert(id.to_string()) {
                ctx.error(Code::InvalidIndex, path.to_string(), format!("column `{id}` appears twice in the index"));
            }
            (IndexKey::Column(id.to_string()), c.ty.as_ref())
        }
        (None, Some(src)) => {
            let expr =
                ctx.expression(src, table.expr_columns, ExprContext::IndexExpression, format!("{path}/expression"));
            (IndexKey::Expression(expr?), None)
        }
    };
    let known_opclass = opclass.as_ref().and_then(|o| OPCLASSES.iter().find(|(name, ..)| *name == o.as_str()));
    match (&opclass, known_opclass, ty) {
        (Some(o), Some((_, methods, fits)), _) if !methods.contains(&method) => ctx.error(
            Code::InvalidIndex,
            format!("{path}/opclass"),
            format!("operator class {o} is not one of the {} access method", method.sql()),
        ),
        (Some(o), Some((_, _, fits)), Some(ty)) if !fits(ty) => ctx.error(
            Code::InvalidIndex,
            format!("{path}/opclass"),
            format!("operator class {o} does not apply to a {} column", ty.describe()),
        ),
        (Some(o), None, _) => ctx.warn(
            Code::UnverifiedReference,
            format!("{path}/opclass"),
            format!("operator class {o} is not a built-in one this validation knows; PostgreSQL resolves it when the script runs"),
        ),
        (None, _, Some(ty)) => {
            if let Err(m) = method_supports(method, ty, table.btree_gist) {
                ctx.error(Code::InvalidIndex, path.to_string(), m);
            }
        }
        _ => {}
    }
    if let Some(c) = &collation {
        match ty {
            Some(ty) if !collatable(ty) => ctx.error(
                Code::InvalidIndex,
                format!("{path}/{collation_field}"),
                format!("a {} column has no collation", ty.describe()),
            ),
            _ if c.document.is_none() => warn_unknown_collation(ctx, &c.name, format!("{path}/collation")),
            _ => {}
        }
    }
    Some(IndexColumnModel { key, order: ic.order(), nulls: ic.nulls(), collation, opclass })
}

/// `INCLUDE` columns: known, not repeated, and only where the method has them.
pub(super) fn include(
    ctx: &mut Ctx,
    table: &IndexTable<'_, '_>,
    method: IndexMethod,
    include: &[String],
    xpath: &str,
) -> Vec<String> {
    if !include.is_empty() && !matches!(method, IndexMethod::Btree | IndexMethod::Gist) {
        ctx.error(
            Code::InvalidIndex,
            format!("{xpath}/include"),
            format!("{} indexes do not support included columns (btree and gist do)", method.sql()),
        );
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (k, id) in include.iter().enumerate() {
        let path = format!("{xpath}/include/{k}");
        if !table.columns.iter().any(|c| c.id == *id) {
            ctx.error(Code::UnknownReference, path, format!("table \"{}\" has no column with id `{id}`", table.name));
        } else if !seen.insert(id.as_str()) {
            ctx.error(Code::InvalidIndex, path, format!("column `{id}` is included twice"));
        } else {
            out.push(id.clone());
        }
    }
    out
}

/// The scalar types the `btree_gist` extension (1.7, PostgreSQL 15) gives
/// gist operator classes.
fn btree_gist_covers(b: &BaseType) -> bool {
    use crate::named_type::NamedType as N;
    b.is_number()
        || matches!(
            b,
            BaseType::Boolean
                | BaseType::Char(_)
                | BaseType::Varchar(_)
                | BaseType::Text
                | BaseType::Bytea
                | BaseType::Date
                | BaseType::Time(_)
                | BaseType::TimeTz(_)
                | BaseType::Timestamp(_)
                | BaseType::Timestamptz(_)
                | BaseType::Interval(_)
                | BaseType::Uuid
                | BaseType::Inet
                | BaseType::Cidr
                | BaseType::Macaddr
                | BaseType::Bit(_)
                | BaseType::VarBit(_)
                | BaseType::Enum { .. }
                | BaseType::Named(N::Money | N::Oid | N::Macaddr8, _)
        )
}

/// Whether an index method can index a column of this type with a default
/// operator class (checked against PostgreSQL's `pg_opclass`).
fn method_supports(method: IndexMethod, ty: &ColumnType, btree_gist: bool) -> Result<(), String> {
    let b = &ty.base;
    if method == IndexMethod::Gist && btree_gist && !ty.array && btree_gist_covers(b) {
        return Ok(());
    }
    if matches!(b, BaseType::Composite { .. }) {
        // Rows compare attribute by attribute, which fails at run time for
        // an attribute without the operator; brin and gin have no class.
        return Err(format!(
            "a {} index cannot index a {} column; index an expression over its attributes, e.g. ((col).name)",
            method.sql(),
            ty.describe()
        ));
    }
    if matches!(b, BaseType::Json) {
        // json (and json[]) has no equality, ordering or hash support at all.
        return Err(format!("a {} index cannot index a {} column; use jsonb", method.sql(), ty.describe()));
    }
    let ok = match (method, b) {
        // An array's btree and hash compare elements, with the element's class.
        (IndexMethod::Btree | IndexMethod::Hash, BaseType::Named(n, _)) if ty.array => {
            n.info().methods.contains(&method)
        }
        (IndexMethod::Gin, _) if ty.array => b.has_btree(),
        (_, BaseType::Named(n, _)) if !ty.array => n.info().methods.contains(&method),
        (IndexMethod::Btree, _) => true,
        // bit strings have no hash class.
        (IndexMethod::Hash, _) => !matches!(b, BaseType::Bit(_) | BaseType::VarBit(_)),
        (IndexMethod::Gin, _) => matches!(b, BaseType::Jsonb),
        (IndexMethod::Gist, _) => !ty.array && matches!(b, BaseType::Inet | BaseType::Cidr),
        (IndexMethod::Brin, _) => {
            !ty.array && !matches!(b, BaseType::Boolean | BaseType::Json | BaseType::Jsonb | BaseType::Enum { .. })
        }
    };
    if ok {
        Ok(())
    } else {
        let hint = match method {
            IndexMethod::Gin => "; gin indexes arrays and jsonb",
            IndexMethod::Gist => {
                "; gist is supported for inet, cidr, geometry, ranges, text search and some extension types"
            }
            _ if matches!(b, BaseType::Json) => "; use jsonb",
            _ => "",
        };
        Err(format!("a {} index cannot index a {} column{hint}", method.sql(), ty.describe()))
    }
}

#[cfg(test)]
mod tests {
    use crate::document::parse_document;
    use crate::problem::Severity;
    use crate::validate::validate;
    use serde_json::{Value, json};

    /// Problems of a table with columns id, email (text), n (integer),
    /// doc (jsonb), tags (text[]) and the given index.
    fn problems(index: Value) -> Vec<(String, &'static str, Severity)> {
        let v = json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "email", "name": "email", "dataType": "text"},
            {"id": "n", "name": "n", "dataType": "integer"},
            {"id": "doc", "name": "doc", "dataType": "jsonb"},
            {"id": "tags", "name": "tags", "dataType": "text[]"}
        ], "indexes": [index]}]});
        let doc = parse_document(&v.to_string()).unwrap();
        validate(&doc).problems.into_iter().map(|p| (p.path, p.code.as_str(), p.severity)).collect()
    }

    fn at(path: &str, code: &'static str) -> Vec<(String, &'static str, Severity)> {
        let severity = if code.starts_with("UNVERIFIED") { Severity::Warning } else { Severity::Error };
        vec![(path.to_string(), code, severity)]
    }

    #[test]
    fn elements_columns_and_expressions() {
        let ok = json!({"id": "x", "columnIds": [
            {"expression": "lower(email)", "collation": "C", "opclass": "text_pattern_ops", "order": "desc"},
            {"columnId": "email", "collation": "POSIX"},
            {"expression": "(doc ->> 'kind')"},
            "n"
        ], "include": ["tags", "doc"], "unique": true, "nullsNotDistinct": true});
        assert_eq!(problems(ok), at("/tables/0/indexes/0/columnIds/2/expression", "UNVERIFIED_EXPRESSION"));
        for (element, path, code) in [
            (
                json!({"columnId": "email", "expression": "lower(email)"}),
                "/tables/0/indexes/0/columnIds/0",
                "INVALID_INDEX",
            ),
            (json!({"order": "desc"}), "/tables/0/indexes/0/columnIds/0", "INVALID_INDEX"),
            (json!({"expression": "lower(nope)"}), "/tables/0/indexes/0/columnIds/0/expression", "UNKNOWN_REFERENCE"),
            (json!({"expression": "now()"}), "/tables/0/indexes/0/columnIds/0/expression", "INVALID_EXPRESSION"),
            (json!({"expression": "random() + n"}), "/tables/0/indexes/0/columnIds/0/expression", "INVALID_EXPRESSION"),
            (
                json!({"expression": "n; DROP TABLE t"}),
                "/tables/0/indexes/0/columnIds/0/expression",
                "INVALID_EXPRESSION",
            ),
            (json!({"columnId": "n", "collation": "C"}), "/tables/0/indexes/0/columnIds/0/collation", "INVALID_INDEX"),
            (
                json!({"columnId": "n", "opclass": "text_pattern_ops"}),
                "/tables/0/indexes/0/columnIds/0/opclass",
                "INVALID_INDEX",
            ),
            (
                json!({"columnId": "email", "opclass": "jsonb_path_ops"}),
                "/tables/0/indexes/0/columnIds/0/opclass",
                "INVALID_INDEX",
            ),
            (
                json!({"columnId": "email", "collation": "de_DE"}),
                "/tables/0/indexes/0/columnIds/0/collation",
                "UNVERIFIED_REFERENCE",
            ),
            (
                json!({"columnId": "email", "opclass": "gin_trgm_ops"}),
                "/tables/0/indexes/0/columnIds/0/opclass",
                "UNVERIFIED_REFERENCE",
            ),
            (
                json!({"columnId": "email", "collation": "bad\"name\u{0}"}),
                "/tables/0/indexes/0/columnIds/0/collation",
                "INVALID_IDENTIFIER",
            ),
        ] {
            let got = problems(json!({"id": "x", "columnIds": [element.clone()]}));
            assert_eq!(got, at(path, code), "{element}");
        }
        // The expression in the small language is type-checked: no boolean needed.
        assert!(problems(json!({"id": "x", "columnIds": [{"expression": "n * 2"}]})).is_empty());
        let err = problems(json!({"id": "x", "columnIds": [{"expression": "n * 'x'"}]}));
        assert_eq!(err, at("/tables/0/indexes/0/columnIds/0/expression", "TYPE_MISMATCH"));
    }

    #[test]
    fn include_and_nulls_not_distinct() {
        for (index, path, code) in [
            (
                json!({"id": "x", "columnIds": ["doc"], "method": "gin", "include": ["n"]}),
                "/tables/0/indexes/0/include",
                "INVALID_INDEX",
            ),
            (
                json!({"id": "x", "columnIds": ["n"], "include": ["nope"]}),
                "/tables/0/indexes/0/include/0",
                "UNKNOWN_REFERENCE",
            ),
            (
                json!({"id": "x", "columnIds": ["n"], "include": ["email", "email"]}),
                "/tables/0/indexes/0/include/1",
                "INVALID_INDEX",
            ),
            (
                json!({"id": "x", "columnIds": ["n"], "nullsNotDistinct": true}),
                "/tables/0/indexes/0/nullsNotDistinct",
                "INVALID_INDEX",
            ),
        ] {
            assert_eq!(problems(index.clone()), at(path, code), "{index}");
        }
    }

    #[test]
    fn elements_are_strings_or_objects_only() {
        for bad in [json!([null, null]), json!(["n"]), json!(5)] {
            let v = json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [], "indexes": [{"id": "x", "columnIds": [bad]}]}]});
            assert!(parse_document(&v.to_string()).is_err(), "{v}");
        }
    }
}
