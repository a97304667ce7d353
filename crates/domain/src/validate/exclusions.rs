//! EXCLUDE constraints: index elements (as in indexes), each with an
//! operator; an index method that can enforce them; the operator's text
//! checked, since it is written into the SQL as it is.

use super::*;
use crate::document::{ExclusionConstraint, IndexColumn, IndexColumnSpec};
use crate::model::IndexColumnModel;

/// Operators known to be commutative, as PostgreSQL requires of an
/// exclusion operator: equality, and overlap, adjacency and sameness of
/// ranges, geometry and arrays.
const COMMUTATIVE: &[&str] = &["=", "<>", "&&", "-|-", "~="];

/// Whether `op` could be an operator name: 1 to 63 operator characters,
/// without `--` or `/*` (which would start a comment; PostgreSQL's lexer
/// never reads them as part of an operator either).
fn operator_text(op: &str) -> bool {
    !op.is_empty()
        && op.len() <= MAX_IDENTIFIER_BYTES
        && op.chars().all(|c| "+-*/<>=~!@#%^&|`?".contains(c))
        && !op.contains("--")
        && !op.contains("/*")
}

/// A checked exclusion whose name may still have to be generated.
#[derive(Debug, Clone)]
pub(super) struct ExclusionInfo {
    pub id: String,
    pub name: Option<Ident>,
    pub method: IndexMethod,
    pub elements: Vec<(IndexColumnModel, String)>,
    pub include: Vec<String>,
    pub predicate: Option<Expr>,
    pub deferral: Deferral,
    pub comment: Option<String>,
}

/// Check a table's exclusions; `None` in place of one with errors.
pub(super) fn exclusions(
    ctx: &mut Ctx,
    table: &indexes::IndexTable<'_, '_>,
    list: &[ExclusionConstraint],
    tpath: &str,
) -> Vec<Option<ExclusionInfo>> {
    list.iter()
        .enumerate()
        .map(|(i, x)| {
            let xpath = format!("{tpath}/exclusions/{i}");
            let errors_before = ctx.errors();
            let name = x.name.as_ref().and_then(|n| ctx.ident(n, format!("{xpath}/name"), "exclusion constraint"));
            if !matches!(x.method, IndexMethod::Gist | IndexMethod::Btree | IndexMethod::Hash) {
                ctx.error(
                    Code::InvalidConstraint,
                    format!("{xpath}/method"),
                    format!("{} indexes cannot enforce an exclusion constraint (gist, btree and hash can)", x.method.sql()),
                );
            }
            if x.elements.is_empty() {
                ctx.error(Code::InvalidConstraint, format!("{xpath}/elements"), "an exclusion needs at least one element");
            }
            if x.method == IndexMethod::Hash && x.elements.len() > 1 {
                ctx.error(Code::InvalidConstraint, format!("{xpath}/elements"), "hash indexes cover a single column");
            }
            let mut seen = HashSet::new();
            let mut elements = Vec::new();
            for (k, e) in x.elements.iter().enumerate() {
                let path = format!("{xpath}/elements/{k}");
                let spec = IndexColumn::Spec(IndexColumnSpec {
                    column_id: e.column_id.clone(),
                    expression: e.expression.clone(),
                    collation: e.collation.clone(),
                    collation_id: e.collation_id.clone(),
                    opclass: e.opclass.clone(),
                    order: None,
                    nulls: None,
                });
                let element = indexes::element(ctx, table, x.method, &spec, &path, &mut seen);
                if !operator_text(&e.operator) {
                    ctx.error(
                        Code::InvalidConstraint,
                        format!("{path}/operator"),
                        format!(
                            "`{}` is not an operator: 1 to 63 of + - * / < > = ~ ! @ # % ^ & | ` ?, without -- or /*",
                            e.operator.escape_debug()
                        ),
                    );
                    continue;
                }
                if !COMMUTATIVE.contains(&e.operator.as_str()) {
                    ctx.warn(
                        Code::UnverifiedReference,
                        format!("{path}/operator"),
                        format!(
                            "operator {} is not one this validation knows to be commutative (=, <>, &&, -|-, ~=); PostgreSQL checks it when the script runs",
                            e.operator
                        ),
                    );
                }
                if x.method != IndexMethod::Gist && e.operator != "=" {
                    ctx.error(
                        Code::InvalidConstraint,
                        format!("{path}/operator"),
                        format!("a {} index enforces = only", x.method.sql()),
                    );
                }
                if let Some(el) = element {
                    elements.push((el, e.operator.clone()));
                }
            }
            let include = indexes::include(ctx, table, x.method, &x.include, &xpath);
            let predicate = x.predicate.as_ref().and_then(|src| {
                ctx.expression(src, table.expr_columns, ExprContext::IndexPredicate, format!("{xpath}/where"))
            });
            if x.initially_deferred && !x.deferrable {
                ctx.error(
                    Code::InvalidConstraint,
                    format!("{xpath}/initiallyDeferred"),
                    "initiallyDeferred needs deferrable: true",
                );
            }
            ctx.text(x.comment.as_deref(), format!("{xpath}/comment"), "the comment");
            let deferral = match (x.deferrable, x.initially_deferred) {
                (true, true) => Deferral::InitiallyDeferred,
                (true, false) => Deferral::Deferrable,
                _ => Deferral::Immediate,
            };
            let named_ok = x.name.is_none() || name.is_some();
            (ctx.errors() == errors_before && named_ok).then(|| ExclusionInfo {
                id: x.id.clone(),
                name,
                method: x.method,
                elements,
                include,
                predicate,
                deferral,
                comment: x.comment.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::validate::tests::codes_at;

    fn doc(exclusion: Value, extensions: Value) -> Value {
        json!({"name": "x", "extensions": extensions, "tables": [{"id": "t", "name": "bookings", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "room", "name": "room", "dataType": "integer"},
            {"id": "during", "name": "during", "dataType": "tstzrange"}],
            "exclusions": [exclusion]}]})
    }

    #[test]
    fn exclusions_are_checked() {
        let both = json!({"id": "x", "elements": [{"columnId": "room", "operator": "="}, {"columnId": "during", "operator": "&&"}]});
        let gist = json!([{"id": "e", "name": "btree_gist"}]);
        assert!(codes_at(doc(both.clone(), gist)).is_empty());
        // Without btree_gist, gist has no class for integer.
        assert_eq!(
            codes_at(doc(both, json!([])))[0],
            ("/tables/0/exclusions/0/elements/0".to_string(), "INVALID_INDEX")
        );
        let one = |op: &str| json!({"id": "x", "elements": [{"columnId": "during", "operator": op}]});
        assert_eq!(
            codes_at(doc(one("&& ; DROP"), json!([]))),
            vec![("/tables/0/exclusions/0/elements/0/operator".to_string(), "INVALID_CONSTRAINT")]
        );
        assert_eq!(
            codes_at(doc(one("&&--"), json!([]))),
            vec![("/tables/0/exclusions/0/elements/0/operator".to_string(), "INVALID_CONSTRAINT")]
        );
        assert_eq!(
            codes_at(doc(one("@>"), json!([]))),
            vec![("/tables/0/exclusions/0/elements/0/operator".to_string(), "UNVERIFIED_REFERENCE")]
        );
        let btree = json!({"id": "x", "method": "btree", "elements": [{"columnId": "room", "operator": "&&"}]});
        assert_eq!(
            codes_at(doc(btree, json!([]))),
            vec![("/tables/0/exclusions/0/elements/0/operator".to_string(), "INVALID_CONSTRAINT")]
        );
        let gin = json!({"id": "x", "method": "gin", "elements": [{"columnId": "during", "operator": "&&"}]});
        assert!(
            codes_at(doc(gin, json!([])))
                .iter()
                .any(|(p, c)| p == "/tables/0/exclusions/0/method" && *c == "INVALID_CONSTRAINT")
        );
    }
}
