//! Generated columns: the expression, over the table's other columns, and
//! what a generated column cannot also be.

use super::*;
use crate::document::Table;

/// Check each column's generation expression; one entry per column of `t`
/// (`None` for plain columns and refused expressions).
pub(super) fn expressions(ctx: &mut Ctx, t: &Table, tpath: &str, expr_columns: &[ExprColumn<'_>]) -> Vec<Option<Expr>> {
    t.columns
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let spec = c.generated.as_ref()?;
            let cpath = format!("{tpath}/columns/{ci}");
            if c.default.is_some() {
                ctx.error(
                    Code::InvalidDefault,
                    format!("{cpath}/default"),
                    format!("column \"{}\" is generated, so it cannot also have a default", c.name),
                );
            }
            if c.auto_increment || c.identity.is_some() || crate::types::is_serial(&c.data_type) {
                ctx.error(
                    Code::InvalidAutoIncrement,
                    format!("{cpath}/generated"),
                    format!("column \"{}\" cannot be both generated and an identity (or serial) column", c.name),
                );
            }
            let path = format!("{cpath}/generated/expression");
            let expr = ctx.expression(&spec.expression, expr_columns, ExprContext::Generated, path.clone())?;
            // PostgreSQL refuses one that reads a generated column, itself
            // included.
            let reads = expr.column_ids();
            if let Some(other) = t.columns.iter().find(|o| o.generated.is_some() && reads.contains(&o.id.as_str())) {
                ctx.error(
                    Code::InvalidExpression,
                    path,
                    format!(
                        "a generation expression cannot read a generated column (\"{}\"); use that column's \
                         expression instead",
                        other.name
                    ),
                );
                return None;
            }
            if let Some(ty) = expr_columns.iter().find(|e| e.id == c.id).and_then(|e| e.ty) {
                let yields = expr::yields(&expr, expr_columns);
                if !yields.fits(ty) {
                    let what = match yields {
                        expr::Yields::Bool => "a boolean",
                        expr::Yields::Number => "a number",
                        _ => "text",
                    };
                    ctx.error(
                        Code::TypeMismatch,
                        path,
                        format!(
                            "the expression yields {what}, which PostgreSQL does not assign to a {} column",
                            ty.describe()
                        ),
                    );
                    return None;
                }
            }
            Some(expr)
        })
        .collect()
}

/// Foreign-key actions PostgreSQL refuses when a source column is
/// generated: ON DELETE SET NULL / SET DEFAULT and ON UPDATE CASCADE /
/// SET NULL / SET DEFAULT would write into it.
pub(super) fn refused_action(on_delete: ReferentialAction, on_update: ReferentialAction) -> Option<&'static str> {
    use ReferentialAction as A;
    if matches!(on_delete, A::SetNull | A::SetDefault) {
        Some("onDelete")
    } else if matches!(on_update, A::Cascade | A::SetNull | A::SetDefault) {
        Some("onUpdate")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::validate::tests::codes_at;

    fn doc(generated: Value, extra: Value, fk_action: Option<&str>) -> Value {
        let mut g = json!({"id": "g", "name": "total", "dataType": "numeric", "generated": generated});
        if let (Some(g), Some(e)) = (g.as_object_mut(), extra.as_object()) {
            g.extend(e.clone());
        }
        let mut d = json!({"name": "x", "tables": [
            {"id": "t", "name": "lines", "columns": [
                {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "p", "name": "price", "dataType": "numeric(10,2)"},
                {"id": "q", "name": "qty", "dataType": "integer"},
                g]},
            {"id": "u", "name": "totals", "columns": [{"id": "v", "name": "v", "dataType": "numeric", "primaryKey": true}]}
        ]});
        if let Some(action) = fk_action {
            d["foreignKeys"] = json!([{"id": "f", "sourceTableId": "t", "sourceColumnId": "g", "targetTableId": "u",
                "targetColumnId": "v", "onDelete": action}]);
        }
        d
    }

    #[test]
    fn generation_expressions_are_checked() {
        assert!(codes_at(doc(json!({"expression": "price * qty"}), json!({}), None)).is_empty());
        // Either grammar: PostgreSQL's casts too.
        assert_eq!(
            codes_at(doc(json!({"expression": "(price)::numeric * (qty)::numeric"}), json!({}), None)),
            vec![("/tables/0/columns/3/generated/expression".to_string(), "UNVERIFIED_EXPRESSION")]
        );
        let at = |code| vec![("/tables/0/columns/3/generated/expression".to_string(), code)];
        assert_eq!(codes_at(doc(json!({"expression": "price * nope"}), json!({}), None)), at("UNKNOWN_REFERENCE"));
        assert_eq!(codes_at(doc(json!({"expression": "total + 1"}), json!({}), None)), at("INVALID_EXPRESSION"));
        assert_eq!(codes_at(doc(json!({"expression": "now()"}), json!({}), None)), at("INVALID_EXPRESSION"));
        assert_eq!(codes_at(doc(json!({"expression": "qty > 1"}), json!({}), None)), at("TYPE_MISMATCH"));
        assert!(codes_at(doc(json!({"expression": "qty > 1"}), json!({"dataType": "boolean"}), None)).is_empty());
        assert_eq!(
            codes_at(doc(json!({"expression": "price"}), json!({"default": 1}), None)),
            vec![("/tables/0/columns/3/default".to_string(), "INVALID_DEFAULT")]
        );
        assert_eq!(
            codes_at(doc(json!({"expression": "qty"}), json!({"dataType": "integer", "autoIncrement": true}), None)),
            vec![("/tables/0/columns/3/generated".to_string(), "INVALID_AUTO_INCREMENT")]
        );
        assert_eq!(codes_at(doc(json!({"expression": "price"}), json!({}), Some("cascade"))).len(), 1, "unindexed");
        assert_eq!(
            codes_at(doc(json!({"expression": "price"}), json!({}), Some("setNull")))[0],
            ("/foreignKeys/0/onDelete".to_string(), "INVALID_FOREIGN_KEY")
        );
    }
}
