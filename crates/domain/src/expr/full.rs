//! Expressions in PostgreSQL's full grammar.
//!
//! What the small language does not parse is parsed by PostgreSQL's own
//! parser (`schemaforge-pgparse`, libpg_query). Here its tree is given
//! meaning: every column reference must name a column of the table (and is
//! resolved to its id), constructs PostgreSQL refuses in checks and index
//! predicates are errors, functions that are not immutable are errors in
//! index predicates, and what cannot be decided without a server (the types
//! of operators and casts, functions this module does not know) is said in
//! one `UNVERIFIED_EXPRESSION` warning. The SQL is PostgreSQL's printing of
//! the tree, never the client's text.

use std::collections::BTreeSet;

use schemaforge_pgparse::{Node, Shape};

use super::{Checked, Expr, ExprColumn, ExprContext, ExprProblem, SqlExpr, invalid, mismatch};
use crate::model::BaseType;
use crate::problem::Code;

/// Immutable builtins (whatever their argument types): known, so no warning.
const IMMUTABLE: &[&str] = &[
    "abs",
    "ascii",
    "bit_length",
    "btrim",
    "cardinality",
    "cbrt",
    "ceil",
    "ceiling",
    "char_length",
    "character_length",
    "chr",
    "daterange",
    "div",
    "exp",
    "floor",
    "gcd",
    "initcap",
    "int4range",
    "int8range",
    "isempty",
    "isfinite",
    "json_array_length",
    "json_typeof",
    "jsonb_array_length",
    "jsonb_typeof",
    "lcm",
    "left",
    "length",
    "ln",
    "log",
    "lower",
    "lower_inc",
    "lower_inf",
    "lpad",
    "ltrim",
    "md5",
    "mod",
    "num_nonnulls",
    "num_nulls",
    "numrange",
    "octet_length",
    "position",
    "power",
    "array_length",
    "array_lower",
    "array_ndims",
    "array_position",
    "array_upper",
    "regexp_count",
    "regexp_instr",
    "regexp_like",
    "regexp_replace",
    "regexp_substr",
    "repeat",
    "replace",
    "reverse",
    "right",
    "round",
    "rpad",
    "rtrim",
    "sha256",
    "sign",
    "split_part",
    "sqrt",
    "strpos",
    "substr",
    "substring",
    "translate",
    "trim",
    "trunc",
    "tsrange",
    "tstzrange",
    "upper",
    "upper_inc",
    "upper_inf",
];

/// Builtins whose volatility depends on their argument types (immutable on
/// `timestamp`, stable on `timestamptz`): known in checks, undecided in
/// index predicates.
const TYPE_DEPENDENT: &[&str] = &["age", "date_part", "date_trunc", "extract", "to_char", "to_date", "to_timestamp"];

/// Builtins that are never immutable: errors in index predicates, warnings
/// in checks (PostgreSQL runs a check only when a row is written, so rows
/// can stop satisfying it, and a restored dump can fail).
const NOT_IMMUTABLE: &[&str] = &[
    "clock_timestamp",
    "current_setting",
    "currval",
    "gen_random_uuid",
    "lastval",
    "nextval",
    "now",
    "pg_backend_pid",
    "pg_sleep",
    "random",
    "random_normal",
    "setval",
    "statement_timestamp",
    "timeofday",
    "transaction_timestamp",
    "txid_current",
    "uuid_generate_v1",
    "uuid_generate_v4",
];

/// The builtins of [`NOT_IMMUTABLE`] that are stable (one value per
/// statement), not volatile.
const STABLE: &[&str] = &["current_setting", "now", "statement_timestamp", "transaction_timestamp"];

/// Set-returning builtins, which PostgreSQL refuses in both contexts.
const SET_RETURNING: &[&str] = &[
    "generate_series",
    "generate_subscripts",
    "json_array_elements",
    "json_array_elements_text",
    "json_each",
    "json_each_text",
    "json_object_keys",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "jsonb_each",
    "jsonb_each_text",
    "jsonb_object_keys",
    "jsonb_path_query",
    "regexp_matches",
    "regexp_split_to_table",
    "string_to_table",
    "unnest",
];

/// Common aggregates, refused in both contexts.
const AGGREGATES: &[&str] = &[
    "array_agg",
    "avg",
    "bool_and",
    "bool_or",
    "count",
    "every",
    "json_agg",
    "jsonb_agg",
    "max",
    "min",
    "string_agg",
    "sum",
];

pub(super) fn context_name(context: ExprContext) -> &'static str {
    match context {
        ExprContext::Check => "check constraints",
        ExprContext::IndexPredicate => "index predicates",
        ExprContext::IndexExpression => "index expressions",
        ExprContext::Generated => "generation expressions",
        ExprContext::Default => "defaults",
    }
}

/// Check `source` with PostgreSQL's grammar.
pub(super) fn check(
    source: &str,
    columns: &[ExprColumn<'_>],
    context: ExprContext,
) -> Result<Checked, Vec<ExprProblem>> {
    let parsed = schemaforge_pgparse::parse_expression(source).map_err(|e| vec![invalid(e.to_string())])?;
    let ctx = context_name(context);
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut ids = Vec::new();
    let mut strings = Vec::new();
    let mut unknown = BTreeSet::new();
    let mut not_immutable = BTreeSet::new();
    let mut volatile = false;
    for node in parsed.nodes() {
        match node {
            Node::Column(parts) => match resolve(&parts, columns) {
                Ok(c) => ids.push(c.id.to_string()),
                Err(p) => problems.push(p),
            },
            Node::Star => problems.push(invalid("`*` is not allowed in an expression")),
            Node::Function { name, window, aggregate_syntax } => {
                let base = name.last().map(String::as_str).unwrap_or_default();
                let builtin = name.len() == 1 || (name.len() == 2 && name[0] == "pg_catalog");
                let shown = name.join(".");
                if window {
                    problems.push(invalid(format!("window functions (`{shown}() OVER`) are not allowed in {ctx}")));
                } else if aggregate_syntax || (builtin && AGGREGATES.contains(&base)) {
                    problems.push(invalid(format!("aggregate functions (`{shown}`) are not allowed in {ctx}")));
                } else if builtin && SET_RETURNING.contains(&base) {
                    problems.push(invalid(format!("set-returning functions (`{shown}`) are not allowed in {ctx}")));
                } else if builtin && NOT_IMMUTABLE.contains(&base) {
                    volatile |= !STABLE.contains(&base);
                    not_immutable.insert(format!("{shown}()"));
                } else if !(builtin
                    && (IMMUTABLE.contains(&base)
                        || (matches!(context, ExprContext::Check | ExprContext::Default)
                            && TYPE_DEPENDENT.contains(&base))))
                {
                    volatile = true;
                    unknown.insert(shown);
                }
            }
            Node::Subquery => problems.push(invalid(format!("subqueries are not allowed in {ctx}"))),
            Node::Parameter => problems.push(invalid("parameters (`$1`) are not allowed in an expression")),
            Node::SessionValue => {
                not_immutable.insert("a session value (current_date, current_timestamp, current_user, ...)".into());
            }
            Node::String(s) => strings.push(s),
            Node::Cast(_) => {}
            Node::Field { column, path } => {
                // A field of a composite column must be one of its type's
                // attributes (fields of other columns are PostgreSQL's).
                if let Ok(c) = resolve(&column, columns) {
                    if composite_of(c).is_some() && attribute_id(c, &path).is_none() {
                        problems.push(ExprProblem {
                            code: Code::UnknownReference,
                            message: format!(
                                "column `{}` holds no attribute `{}` (its composite type's attributes are read by name)",
                                c.name,
                                path.join(".")
                            ),
                        });
                    }
                }
            }
        }
    }
    if let Some(p) = context.boolean().then(|| non_boolean(&parsed.shape(), columns)).flatten() {
        problems.push(p);
    }
    if !not_immutable.is_empty() {
        let list = not_immutable.into_iter().collect::<Vec<_>>().join(", ");
        match context {
            ExprContext::IndexPredicate | ExprContext::IndexExpression | ExprContext::Generated => {
                problems.push(invalid(format!("PostgreSQL requires {ctx} to be immutable, but {list} is not")))
            }
            // A default may be anything but immutable.
            ExprContext::Default => {}
            ExprContext::Check => warnings.push(ExprProblem {
                code: Code::UnverifiedExpression,
                message: format!(
                    "{list} is not immutable: PostgreSQL checks the constraint only when a row is written, so rows can stop satisfying it, and restoring a dump can fail"
                ),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let functions = if unknown.is_empty() {
        String::new()
    } else {
        let list = unknown.into_iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
        format!(", and which functions {list} are and whether they are immutable")
    };
    warnings.push(ExprProblem {
        code: Code::UnverifiedExpression,
        message: format!(
            "checked with PostgreSQL's own grammar (column references and structure); the types of its operators and casts{functions} are checked by PostgreSQL when the script runs"
        ),
    });
    // Columns and the attributes read from them by id: renaming either is
    // no change of the expression.
    let canonical = parsed.canonical_with_fields(
        &|parts: &[String]| resolve(parts, columns).ok().map(|c| c.id.to_string()),
        &|parts: &[String], path: &[String]| attribute_id(resolve(parts, columns).ok()?, path),
    );
    let yields = match parsed.shape() {
        Shape::Boolean | Shape::Bool => super::Yields::Bool,
        Shape::Number => super::Yields::Number,
        _ => super::Yields::Unknown,
    };
    let expr = Expr::Sql(SqlExpr { sql: parsed.sql().to_string(), volatile, yields, canonical, columns: ids, strings });
    Ok(Checked { expr, warnings })
}

/// The composite type a column holds (itself or in an array).
fn composite_of<'a>(c: &ExprColumn<'a>) -> Option<&'a crate::model::CompositeModel> {
    let BaseType::Composite { id, .. } = &c.ty?.base else { return None };
    c.composites.iter().find(|k| &k.id == id)
}

/// The id of the attribute `path` (names from the column down, through
/// nested composite types) reads from column `c`.
fn attribute_id(c: &ExprColumn<'_>, path: &[String]) -> Option<String> {
    let mut current = composite_of(c)?;
    let (last, inner) = path.split_last()?;
    for name in inner {
        let a = current.attributes.iter().find(|a| a.name.as_str() == name)?;
        let BaseType::Composite { id, .. } = &a.ty.base else { return None };
        current = c.composites.iter().find(|k| &k.id == id)?;
    }
    current.attributes.iter().find(|a| a.name.as_str() == last).map(|a| a.id.clone())
}

/// A column reference: one part, the exact name of a column of the table
/// (PostgreSQL's parser has already folded unquoted names to lower case).
fn resolve<'c, 'a>(parts: &[String], columns: &'c [ExprColumn<'a>]) -> Result<&'c ExprColumn<'a>, ExprProblem> {
    let [name] = parts else {
        return Err(invalid(format!(
            "`{}` is a qualified reference; an expression reads its own table's columns by name alone",
            parts.join(".")
        )));
    };
    if let Some(c) = columns.iter().find(|c| c.name.as_str() == name) {
        return Ok(c);
    }
    let hint = columns
        .iter()
        .find(|c| c.name.as_str().eq_ignore_ascii_case(name))
        .map(|c| format!(" (did you mean \"{}\"? In PostgreSQL's grammar, names with capitals are quoted)", c.name))
        .unwrap_or_default();
    Err(ExprProblem { code: Code::UnknownReference, message: format!("the table has no column named `{name}`{hint}") })
}

/// A type error visible without a catalog: the expression's outermost node
/// cannot be a boolean.
fn non_boolean(shape: &Shape, columns: &[ExprColumn<'_>]) -> Option<ExprProblem> {
    let yields = match shape {
        Shape::Number => "a number".to_string(),
        Shape::String => "text".to_string(),
        Shape::Column(parts) => {
            let ty = resolve(parts, columns).ok()?.ty?;
            if ty.base == BaseType::Boolean && !ty.array {
                return None;
            }
            format!("a column of type {}", ty.base.describe())
        }
        Shape::Cast(name) => {
            let base = name.last()?;
            if matches!(base.as_str(), "bool" | "boolean") {
                return None;
            }
            format!("a value cast to {base}")
        }
        Shape::Boolean | Shape::Bool | Shape::Null | Shape::Other => return None,
    };
    Some(mismatch(format!("the expression must be true or false, but it yields {yields}")))
}
