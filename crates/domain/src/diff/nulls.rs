//! What a check says about a row whose new columns are all NULL: a check
//! added together with such columns either passes on every existing row or
//! fails on every one, and SQL's three-valued logic tells which, without
//! looking at the data.

use std::collections::HashSet;

use crate::expr::{Expr, Func};

/// The value of an expression under three-valued logic, as far as it is
/// known without the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    Null,
    Bool(bool),
    /// Some value that is not NULL.
    NotNull,
    /// Depends on the row.
    Unknown,
}

fn eval(e: &Expr, null: &HashSet<&str>) -> Value {
    use Value::{Bool, NotNull, Null, Unknown};
    match e {
        Expr::Column { id, .. } if null.contains(id.as_str()) => Null,
        // PostgreSQL's full grammar is not evaluated here: undecided.
        Expr::Column { .. } | Expr::Sql(_) => Unknown,
        Expr::Number(_) | Expr::String(_) => NotNull,
        Expr::Bool(b) => Bool(*b),
        Expr::Null => Null,
        Expr::Not(x) => match eval(x, null) {
            Bool(b) => Bool(!b),
            Null => Null,
            _ => Unknown,
        },
        Expr::Neg(x) => match eval(x, null) {
            Null => Null,
            NotNull => NotNull,
            _ => Unknown,
        },
        Expr::Binary { op, left, right } => {
            let (l, r) = (eval(left, null), eval(right, null));
            match op {
                crate::expr::BinaryOp::And => match (l, r) {
                    (Bool(false), _) | (_, Bool(false)) => Bool(false),
                    (Bool(true), Bool(true)) => Bool(true),
                    (Null | Bool(true), Null | Bool(true)) => Null,
                    _ => Unknown,
                },
                crate::expr::BinaryOp::Or => match (l, r) {
                    (Bool(true), _) | (_, Bool(true)) => Bool(true),
                    (Bool(false), Bool(false)) => Bool(false),
                    (Null | Bool(false), Null | Bool(false)) => Null,
                    _ => Unknown,
                },
                // Every other operator is strict: NULL in, NULL out.
                _ if l == Null || r == Null => Null,
                _ => Unknown,
            }
        }
        Expr::IsNull { expr, negated } => match eval(expr, null) {
            Null => Bool(!negated),
            Bool(_) | NotNull => Bool(*negated),
            Unknown => Unknown,
        },
        Expr::InList { expr, .. } | Expr::Between { expr, .. } => match eval(expr, null) {
            Null => Null,
            _ => Unknown,
        },
        Expr::Call { func, args } => {
            let values: Vec<Value> = args.iter().map(|a| eval(a, null)).collect();
            match func {
                Func::Coalesce => values.into_iter().find(|v| *v != Null).unwrap_or(Null),
                // NULLs are ignored; the result is NULL only if all are.
                Func::Greatest | Func::Least if values.iter().all(|v| *v == Null) => Null,
                Func::Greatest | Func::Least => Unknown,
                Func::Nullif => match values.first() {
                    Some(Null) => Null,
                    _ => Unknown,
                },
                _ if values.contains(&Null) => Null,
                _ => Unknown,
            }
        }
    }
}

/// Whether a check passes on a row where the columns `null` are NULL:
/// `Some(true)` passes (TRUE or NULL), `Some(false)` fails, `None` depends
/// on the other columns.
pub(super) fn check_on_nulls(expr: &Expr, null: &HashSet<&str>) -> Option<bool> {
    match eval(expr, null) {
        Value::Null | Value::Bool(true) => Some(true),
        Value::Bool(false) => Some(false),
        Value::NotNull | Value::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{ExprColumn, ExprContext, parse_expression};
    use crate::{BaseType, ColumnType, Ident};

    fn verdict(text: &str) -> Option<bool> {
        let ty = ColumnType { base: BaseType::Integer, array: false };
        let (n, old) = (Ident::parse("n").unwrap(), Ident::parse("old").unwrap());
        let columns = [
            ExprColumn { id: "n", name: &n, ty: Some(&ty), enum_values: None, composites: &[] },
            ExprColumn { id: "old", name: &old, ty: Some(&ty), enum_values: None, composites: &[] },
        ];
        let expr = parse_expression(text, &columns, ExprContext::Check).unwrap_or_else(|e| panic!("{e:?}"));
        check_on_nulls(&expr, &HashSet::from(["n"]))
    }

    #[test]
    fn three_valued_logic_over_new_null_columns() {
        assert_eq!(verdict("n > 5"), Some(true));
        assert_eq!(verdict("n IS NULL"), Some(true));
        assert_eq!(verdict("n IS NOT NULL"), Some(false));
        assert_eq!(verdict("NOT (n IS NULL)"), Some(false));
        assert_eq!(verdict("n > 0 AND n < 10"), Some(true));
        assert_eq!(verdict("n IS NOT NULL OR n > 1"), Some(true));
        assert_eq!(verdict("n IS NOT NULL AND n > 1"), Some(false));
        assert_eq!(verdict("coalesce(n, 0) > 1"), None);
        assert_eq!(verdict("coalesce(n, n) > 1"), Some(true));
        assert_eq!(verdict("n IN (1, 2)"), Some(true));
        assert_eq!(verdict("abs(n) > 3"), Some(true));
        assert_eq!(verdict("old > 1"), None);
        assert_eq!(verdict("old > 1 OR n IS NULL"), Some(true));
        assert_eq!(verdict("old > 1 AND n IS NULL"), None);
    }
}
