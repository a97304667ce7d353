//! PostgreSQL's own grammar for Schemaforge's expressions.
//!
//! This crate wraps [libpg_query](https://github.com/pganalyze/libpg_query)
//! (through the `pg_query` crate): the parser and printer of the PostgreSQL
//! server itself, compiled from its C sources. It keeps that C build in one
//! place and gives the rest of the workspace a small, safe API with no
//! `pg_query` types in it:
//!
//! - [`parse_expression`] accepts exactly one scalar expression (what may
//!   follow `CHECK (` or `WHERE` in an index), refusing statements, `FROM`,
//!   aliases, comments and everything else a `SELECT` could add;
//! - [`Expression::sql`] is the expression printed back from its parse tree
//!   by PostgreSQL's deparser, and is proven, at parse time, to parse back to
//!   the same tree, so nothing the client wrote reaches SQL as text;
//! - [`Expression::nodes`] lists what validation must look at (column
//!   references, function calls, subqueries, parameters, session values,
//!   string constants, casts), and [`Expression::canonical`] gives a
//!   location-free form with column references replaced by stable ids, so
//!   two expressions compare equal across a column rename.
//!
//! Deliberately absent: anything about tables, types or databases. Meaning
//! (which columns exist, which functions are known) is `domain`'s business.
//!
//! ```
//! let e = schemaforge_pgparse::parse_expression("status = ANY (ARRAY['a'::text, 'b'])").unwrap();
//! assert_eq!(e.sql(), "status = ANY(ARRAY['a'::text, 'b'])");
//! assert!(schemaforge_pgparse::parse_expression("1; DROP TABLE t").is_err());
//! ```

use serde_json::{Map, Value};

mod outputs;
mod query;
mod script;
mod statement;
pub use outputs::pin_unnamed_outputs;
pub use query::{MAX_QUERY_NESTING_TOKENS, MissingColumn, Query, Relation, RelationFn, parse_query};
pub use script::{ScriptStatement, split_script};
pub use statement::{Statement, StatementKind, parse_statement};

/// Why a text is not one expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// PostgreSQL's parser refused it; the message is the server's own.
    #[error("{0}")]
    Syntax(String),
    /// It parses, but as more than one expression (statements, clauses).
    #[error("{0}")]
    NotAnExpression(String),
    /// Nested more deeply than the parse tree may be.
    #[error(
        "the expression is nested too deeply or has too many operators for PostgreSQL's parse tree (about 45 levels of operators inside each other, {MAX_NESTING_TOKENS} operators and key words in all)"
    )]
    TooDeep,
    /// PostgreSQL's printer did not reproduce the tree; such an expression
    /// cannot be rendered safely.
    #[error("PostgreSQL's printer cannot reproduce this expression: {0}")]
    Printer(String),
}

/// One thing in an expression that validation looks at, in order of
/// appearance (a depth-first walk of the tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A column reference, as its dotted parts (`price`, or `t.price`).
    Column(Vec<String>),
    /// `*` or `t.*` in a column position.
    Star,
    /// A function call.
    Function {
        /// The dotted name as written (`lower`, `pg_catalog.lower`).
        name: Vec<String>,
        /// `OVER (...)`: a window function.
        window: bool,
        /// Aggregate syntax: `f(*)`, `DISTINCT`, `ORDER BY`, `FILTER` or
        /// `WITHIN GROUP` inside the call.
        aggregate_syntax: bool,
    },
    /// A subquery (`EXISTS`, `IN (SELECT ...)`, `(SELECT ...)`, `ARRAY(SELECT ...)`).
    Subquery,
    /// A parameter (`$1`).
    Parameter,
    /// A value of the session (`current_date`, `current_timestamp`,
    /// `localtime`, `current_user`, `current_schema`, ...).
    SessionValue,
    /// A string constant (its content).
    String(String),
    /// A cast, `x::type` or `CAST(x AS type)`, by the type's dotted name.
    Cast(Vec<String>),
    /// A field read from a column (`(home).street`): the column's parts and
    /// the field names from it down (`((home).at).zip`: `at`, `zip`).
    Field {
        /// The column reference's dotted parts.
        column: Vec<String>,
        /// The field names, outermost last.
        path: Vec<String>,
    },
}

/// The kind of the expression's outermost node, for a type check that needs
/// no catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Yields a boolean whatever its operands: a comparison, `AND`/`OR`/`NOT`,
    /// `IS [NOT] NULL/TRUE/FALSE/UNKNOWN`, `[NOT] BETWEEN`, `IN`, `ANY`/`ALL`,
    /// `LIKE`/`SIMILAR TO`, `IS [NOT] DISTINCT FROM`, `EXISTS`.
    Boolean,
    /// A bare column reference (its dotted parts).
    Column(Vec<String>),
    /// A numeric constant.
    Number,
    /// A string constant.
    String,
    /// `TRUE` or `FALSE`.
    Bool,
    /// `NULL`.
    Null,
    /// A cast to the named type.
    Cast(Vec<String>),
    /// Anything else (a function call, `CASE`, an operator whose result
    /// type depends on its operands, ...).
    Other,
}

/// One parsed expression.
#[derive(Debug, Clone)]
pub struct Expression {
    /// The expression's node, location-free.
    tree: Value,
    sql: String,
}

const PREFIX: &str = "SELECT ";

/// Parse `text` as one scalar expression with PostgreSQL's grammar.
///
/// ```
/// use schemaforge_pgparse::{parse_expression, Node};
/// let e = parse_expression("price > 0::numeric AND note IS NOT DISTINCT FROM 'x'").unwrap();
/// assert_eq!(e.sql(), "price > 0::numeric AND note IS NOT DISTINCT FROM 'x'");
/// assert!(e.nodes().contains(&Node::Column(vec!["price".into()])));
/// assert!(parse_expression("1 FROM t").is_err());
/// ```
pub fn parse_expression(text: &str) -> Result<Expression, Error> {
    scan_checks(text)?;
    let statement = format!("{PREFIX}{text}");
    let parsed = pg_query::parse(&statement).map_err(from_pg)?;
    let tree = serde_json::to_value(&parsed.protobuf).map_err(|e| Error::Printer(e.to_string()))?;
    let expr = single_expression(tree)?;
    let printed = parsed.deparse().map_err(|e| Error::Printer(message(&e)))?;
    let Some(sql) = printed.strip_prefix(PREFIX) else {
        return Err(Error::Printer(format!("unexpected output `{printed}`")));
    };
    // The printed text is what reaches PostgreSQL: prove it means the same.
    let again = pg_query::parse(&printed).map_err(|e| Error::Printer(message(&e)))?;
    let again = serde_json::to_value(&again.protobuf).map_err(|e| Error::Printer(e.to_string()))?;
    if single_expression(again)? != expr {
        return Err(Error::Printer(format!("`{sql}` does not parse back to the same tree")));
    }
    Ok(Expression { tree: expr, sql: sql.to_string() })
}

impl Expression {
    /// The expression as PostgreSQL's deparser prints its tree. Identifiers
    /// are quoted where needed and literals escaped by the printer.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// What the expression contains, depth first.
    pub fn nodes(&self) -> Vec<Node> {
        let mut out = Vec::new();
        collect(&self.tree, &mut out);
        out
    }

    /// The outermost node's kind.
    pub fn shape(&self) -> Shape {
        shape(&self.tree)
    }

    /// A location-free rendering of the tree in which every column
    /// reference is replaced by `column(parts)` (a stable id, say). Two
    /// expressions with equal canonical forms are the same expression.
    ///
    /// ```
    /// let id = |_: &[String]| Some("c1".to_string());
    /// let a = schemaforge_pgparse::parse_expression("price::numeric > 0").unwrap();
    /// let b = schemaforge_pgparse::parse_expression("(cost)::numeric>0").unwrap();
    /// assert_eq!(a.canonical(&id), b.canonical(&id));
    /// ```
    pub fn canonical(&self, column: &dyn Fn(&[String]) -> Option<String>) -> String {
        self.canonical_with_fields(column, &|_, _| None)
    }

    /// [`Expression::canonical`], with every field read from a column
    /// (`(home).street`, `((home).at).zip`, `(homes[1]).zip`) replaced by
    /// `field(column parts, field names from the column down)`: an
    /// attribute's stable id, say. Subscripts do not count in the path.
    ///
    /// ```
    /// let column = |_: &[String]| Some("c1".to_string());
    /// let field = |_: &[String], path: &[String]| Some(format!("a:{}", path.len()));
    /// let a = schemaforge_pgparse::parse_expression("((home).at).zip <> ''").unwrap();
    /// let b = schemaforge_pgparse::parse_expression("((place).spot).code <> ''").unwrap();
    /// assert_eq!(a.canonical_with_fields(&column, &field), b.canonical_with_fields(&column, &field));
    /// assert_ne!(a.canonical(&column), b.canonical(&column));
    /// let field = schemaforge_pgparse::Node::Field { column: vec!["home".into()], path: vec!["at".into(), "zip".into()] };
    /// assert!(a.nodes().contains(&field));
    /// ```
    pub fn canonical_with_fields(&self, column: &dyn Fn(&[String]) -> Option<String>, field: FieldFn<'_>) -> String {
        let mut tree = self.tree.clone();
        replace_columns(&mut tree, column, field);
        tree.to_string()
    }
}

fn from_pg(e: pg_query::Error) -> Error {
    match e {
        pg_query::Error::Decode(_) => Error::TooDeep,
        other => Error::Syntax(message(&other)),
    }
}

/// The server's message without the wrapper's prefix.
fn message(e: &pg_query::Error) -> String {
    match e {
        pg_query::Error::Parse(m) | pg_query::Error::Scan(m) | pg_query::Error::InvalidJson(m) => m.clone(),
        other => other.to_string(),
    }
}

/// Most tokens that can open a nested node (operators, key words, `(`
/// and `[`). PostgreSQL's C parser and printer recurse once per level of
/// nesting; this bound keeps them far inside the smallest thread stack the
/// workspace runs them on (2 MiB), whatever the text.
pub const MAX_NESTING_TOKENS: usize = 400;

/// Checks on the tokens before the text is parsed: no NUL, no comments
/// (they would vanish from the rendered SQL; refuse them rather than drop
/// part of what the designer wrote), and a bounded amount of nesting.
fn scan_checks(text: &str) -> Result<(), Error> {
    if scan_tokens(text, "expressions")? > MAX_NESTING_TOKENS {
        return Err(Error::TooDeep);
    }
    Ok(())
}

/// [`scan_checks`]' token checks, giving the number of nesting tokens.
fn scan_tokens(text: &str, what: &str) -> Result<usize, Error> {
    use pg_query::protobuf::{KeywordKind, Token};
    if text.contains('\0') {
        return Err(Error::Syntax("NUL characters are not allowed".into()));
    }
    let scanned = pg_query::scan(text).map_err(from_pg)?;
    let mut nesting = 0;
    for t in &scanned.tokens {
        let token = Token::try_from(t.token).ok();
        if matches!(token, Some(Token::SqlComment | Token::CComment)) {
            return Err(Error::NotAnExpression(format!(
                "comments are not allowed in {what} (they would not reach the rendered SQL)"
            )));
        }
        let opens = t.keyword_kind != KeywordKind::NoKeyword as i32
            || (Token::Op as i32..=Token::NotEquals as i32).contains(&t.token)
            || u8::try_from(t.token).is_ok_and(|c| b"(+-*/<>=%^[~!@#&|`?:".contains(&c));
        if opens {
            nesting += 1;
        }
    }
    Ok(nesting)
}

/// The single target of `SELECT <expr>`, location-free; anything else the
/// statement holds is refused.
fn single_expression(mut tree: Value) -> Result<Value, Error> {
    strip_locations(&mut tree);
    let stmts = tree.get_mut("stmts").and_then(Value::as_array_mut).map(std::mem::take).unwrap_or_default();
    let [stmt] = <[Value; 1]>::try_from(stmts)
        .map_err(|_| Error::NotAnExpression("a single expression, not statements (`;`)".into()))?;
    let Some(Value::Object(mut select)) = stmt.pointer("/stmt/node/SelectStmt").cloned() else {
        return Err(Error::NotAnExpression("not an expression".into()));
    };
    let targets = select.remove("target_list").unwrap_or_default();
    if select != *bare_select() {
        return Err(Error::NotAnExpression(
            "only an expression is allowed, not clauses of a query (FROM, WHERE, ORDER BY, UNION, ...)".into(),
        ));
    }
    let Value::Array(targets) = targets else {
        return Err(Error::NotAnExpression("not an expression".into()));
    };
    if targets.is_empty() {
        return Err(Error::NotAnExpression("the expression is empty".into()));
    }
    let [target] = <[Value; 1]>::try_from(targets)
        .map_err(|_| Error::NotAnExpression("one expression, not a list separated by commas".into()))?;
    let Some(Value::Object(mut res)) = target.pointer("/node/ResTarget").cloned() else {
        return Err(Error::NotAnExpression("not an expression".into()));
    };
    if res.get("name").and_then(Value::as_str).is_some_and(|n| !n.is_empty()) {
        return Err(Error::NotAnExpression("an expression takes no alias (`AS name`)".into()));
    }
    res.remove("val").ok_or_else(|| Error::NotAnExpression("not an expression".into()))
}

/// The fields of `SELECT 1` other than its target list.
fn bare_select() -> &'static Map<String, Value> {
    static BARE: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    BARE.get_or_init(|| {
        let parsed = pg_query::parse("SELECT 1")
            .ok()
            .and_then(|p| serde_json::to_value(&p.protobuf).ok())
            .and_then(|v| v.pointer("/stmts/0/stmt/node/SelectStmt").cloned());
        match parsed {
            Some(Value::Object(mut m)) => {
                m.remove("target_list");
                strip_locations_map(&mut m);
                m
            }
            // Cannot happen with a working parser; an empty map then refuses
            // every expression rather than accepting clauses.
            _ => Map::new(),
        }
    })
}

fn strip_locations(v: &mut Value) {
    match v {
        Value::Object(m) => strip_locations_map(m),
        Value::Array(a) => a.iter_mut().for_each(strip_locations),
        _ => {}
    }
}

fn strip_locations_map(m: &mut Map<String, Value>) {
    // `location`, `stmt_location`, `arg_location`, ...: offsets into the text.
    m.retain(|k, _| !k.ends_with("location") && k != "stmt_len");
    m.values_mut().for_each(strip_locations);
}

/// The `sval`s of a list of `String` nodes (a dotted name).
fn names(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|n| n.pointer("/node/String/sval").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn is_set(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

fn collect(v: &Value, out: &mut Vec<Node>) {
    match v {
        Value::Object(m) => {
            for (key, inner) in m {
                match key.as_str() {
                    "ColumnRef" => {
                        let fields = inner.get("fields").and_then(Value::as_array);
                        let star = fields.is_some_and(|f| f.iter().any(|n| n.pointer("/node/AStar").is_some()));
                        out.push(if star { Node::Star } else { Node::Column(names(inner.get("fields"))) });
                        continue;
                    }
                    "FuncCall" => out.push(Node::Function {
                        name: names(inner.get("funcname")),
                        window: is_set(inner.get("over")),
                        aggregate_syntax: ["agg_star", "agg_distinct", "agg_order", "agg_filter", "agg_within_group"]
                            .iter()
                            .any(|k| is_set(inner.get(*k))),
                    }),
                    "AIndirection" => {
                        if let Some((column, path)) = indirection_path(inner).filter(|(_, p)| !p.is_empty()) {
                            out.push(Node::Field { column, path });
                        }
                    }
                    "SubLink" => out.push(Node::Subquery),
                    "ParamRef" => out.push(Node::Parameter),
                    "SqlvalueFunction" => out.push(Node::SessionValue),
                    "TypeCast" => {
                        out.push(Node::Cast(names(inner.pointer("/type_name/names"))));
                    }
                    "AConst" => {
                        if let Some(s) = inner.pointer("/val/Sval/sval").and_then(Value::as_str) {
                            out.push(Node::String(s.to_string()));
                        }
                    }
                    _ => {}
                }
                collect(inner, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        _ => {}
    }
}

/// What replaces a field read from a column: given the column's parts and
/// the field names from it down.
pub type FieldFn<'a> = &'a dyn Fn(&[String], &[String]) -> Option<String>;

fn replace_columns(v: &mut Value, column: &dyn Fn(&[String]) -> Option<String>, field: FieldFn<'_>) {
    match v {
        Value::Object(m) => {
            if let Some(inner) = m.get_mut("ColumnRef") {
                let parts = names(inner.get("fields"));
                if let Some(id) = column(&parts) {
                    *inner = Value::String(id);
                }
                return;
            }
            if let Some(inner) = m.get_mut("AIndirection") {
                if let Some((parts, mut path)) = inner.get("arg").and_then(field_base) {
                    let steps = inner.get_mut("indirection").and_then(Value::as_array_mut);
                    for step in steps.into_iter().flatten() {
                        let Some(Value::String(name)) = step.pointer_mut("/node/String/sval") else { continue };
                        path.push(name.clone());
                        if let Some(id) = field(&parts, &path) {
                            *name = id;
                        }
                    }
                }
            }
            m.values_mut().for_each(|x| replace_columns(x, column, field));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| replace_columns(x, column, field)),
        _ => {}
    }
}

/// The column and the fields read from it down to `node` (a column
/// reference, or field reads and subscripts over one), if it is that.
fn field_base(node: &Value) -> Option<(Vec<String>, Vec<String>)> {
    if let Some(c) = node.pointer("/node/ColumnRef") {
        return Some((names(c.get("fields")), Vec::new()));
    }
    indirection_path(node.pointer("/node/AIndirection")?)
}

/// [`field_base`] of an `AIndirection`'s contents.
fn indirection_path(inner: &Value) -> Option<(Vec<String>, Vec<String>)> {
    let (parts, mut path) = field_base(inner.get("arg")?)?;
    for step in inner.get("indirection").and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = step.pointer("/node/String/sval").and_then(Value::as_str) {
            path.push(name.to_string());
        }
    }
    Some((parts, path))
}

fn shape(node: &Value) -> Shape {
    let Some(Value::Object(m)) = node.get("node") else { return Shape::Other };
    let Some((kind, inner)) = m.iter().next() else { return Shape::Other };
    match kind.as_str() {
        "BoolExpr" | "NullTest" | "BooleanTest" => Shape::Boolean,
        "SubLink" if sublink_is_boolean(inner) => Shape::Boolean,
        "AExpr" if a_expr_is_boolean(inner) => Shape::Boolean,
        "ColumnRef" => Shape::Column(names(inner.get("fields"))),
        "TypeCast" => Shape::Cast(names(inner.pointer("/type_name/names"))),
        "AConst" => {
            if is_set(inner.get("isnull")) {
                return Shape::Null;
            }
            match inner.get("val").and_then(Value::as_object).and_then(|v| v.keys().next()).map(String::as_str) {
                Some("Ival" | "Fval") => Shape::Number,
                Some("Sval") => Shape::String,
                Some("Boolval") => Shape::Bool,
                _ => Shape::Other,
            }
        }
        _ => Shape::Other,
    }
}

/// EXISTS, ANY, ALL and IN subqueries yield booleans; a scalar or ARRAY
/// subquery yields whatever it selects.
fn sublink_is_boolean(inner: &Value) -> bool {
    // SubLinkType: 1 EXISTS, 2 ALL, 3 ANY (also IN), 4 ROWCOMPARE.
    matches!(inner.get("sub_link_type").and_then(Value::as_i64), Some(1..=4))
}

fn a_expr_is_boolean(inner: &Value) -> bool {
    // A_Expr_Kind: 1 OP, 2 ANY, 3 ALL, 4 DISTINCT, 5 NOT DISTINCT, 6 NULLIF,
    // 7 IN, 8 LIKE, 9 ILIKE, 10 SIMILAR, 11-14 BETWEEN variants.
    let kind = inner.get("kind").and_then(Value::as_i64).unwrap_or(0);
    match kind {
        1 => {
            let op = names(inner.get("name"));
            matches!(
                op.last().map(String::as_str),
                Some(
                    "=" | "<>"
                        | "!="
                        | "<"
                        | "<="
                        | ">"
                        | ">="
                        | "~"
                        | "~*"
                        | "!~"
                        | "!~*"
                        | "~~"
                        | "~~*"
                        | "!~~"
                        | "!~~*"
                )
            )
        }
        2..=5 | 7..=14 => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(text: &str) -> String {
        match parse_expression(text) {
            Ok(e) => e.sql().to_string(),
            Err(e) => format!("ERROR {e}"),
        }
    }

    #[test]
    fn prints_back_what_postgresql_prints() {
        assert_eq!(sql("(price >= (0)::numeric)"), "price >= 0::numeric");
        assert_eq!(sql("status = any (array['a', 'b'])"), "status = ANY(ARRAY['a', 'b'])");
        assert_eq!(sql("a is false and b is not distinct from c"), "a IS FALSE AND b IS NOT DISTINCT FROM c");
        assert_eq!(sql("\"Weird Name\" > 1"), "\"Weird Name\" > 1");
        assert_eq!(sql("x = 'it''s'"), "x = 'it''s'");
        assert_eq!(sql("CASE WHEN a > 0 THEN 'p' ELSE 'n' END = 'p'"), "CASE WHEN a > 0 THEN 'p' ELSE 'n' END = 'p'");
        assert_eq!(sql("tags[1] ~* '^a'"), "tags[1] ~* '^a'");
    }

    #[test]
    fn refuses_everything_but_one_expression() {
        for (text, why) in [
            ("1; DROP TABLE t", "statements"),
            ("1 FROM t", "clauses"),
            ("x > 0 ORDER BY 1", "clauses"),
            ("x > 0 UNION SELECT 1", "clauses"),
            ("x > 0 LIMIT 1", "clauses"),
            ("x AS y", "alias"),
            ("a, b", "list"),
            ("x > 0 -- note", "comments"),
            ("x > /* hidden */ 0", "comments"),
            ("x >", "syntax error"),
            ("", "empty"),
            ("  ", "empty"),
            ("x\0", "NUL"),
        ] {
            let err = parse_expression(text).map(|e| e.sql().to_string()).unwrap_err().to_string();
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}x{}", "(x + ".repeat(2000), ")".repeat(2000));
        assert!(parse_expression(&deep).is_err());
        let not = format!("{}x", "NOT ".repeat(5000));
        assert!(parse_expression(&not).is_err());
        // Just under the token bound, on a test thread's 2 MiB stack.
        let minus = format!("{}x", "- ".repeat(MAX_NESTING_TOKENS));
        assert_eq!(parse_expression(&minus).unwrap_err(), Error::TooDeep);
        let flat = format!("x IN ({})", vec!["'v'"; 1000].join(", "));
        assert!(parse_expression(&flat).is_ok(), "a long flat list is not deep");
    }

    #[test]
    fn lists_what_validation_needs() {
        let e = parse_expression(
            "t.a > $1 AND lower(b) = 'x' AND count(*) OVER () > 0 AND c::date < current_date AND EXISTS (SELECT 1)",
        )
        .unwrap();
        let nodes = e.nodes();
        assert!(nodes.contains(&Node::Column(vec!["t".into(), "a".into()])));
        assert!(nodes.contains(&Node::Parameter));
        assert!(nodes.contains(&Node::Function { name: vec!["lower".into()], window: false, aggregate_syntax: false }));
        assert!(nodes.contains(&Node::Function { name: vec!["count".into()], window: true, aggregate_syntax: true }));
        assert!(nodes.contains(&Node::String("x".into())));
        assert!(nodes.contains(&Node::Cast(vec!["date".into()])));
        assert!(nodes.contains(&Node::SessionValue));
        assert!(nodes.contains(&Node::Subquery));
        assert_eq!(parse_expression("t.*").unwrap().nodes(), vec![Node::Star]);
    }

    #[test]
    fn shapes() {
        let shape = |t: &str| parse_expression(t).unwrap().shape();
        assert_eq!(shape("a > 1"), Shape::Boolean);
        assert_eq!(shape("a BETWEEN 1 AND 2"), Shape::Boolean);
        assert_eq!(shape("a IN (1, 2)"), Shape::Boolean);
        assert_eq!(shape("a IS NULL"), Shape::Boolean);
        assert_eq!(shape("a SIMILAR TO 'x'"), Shape::Boolean);
        assert_eq!(shape("a"), Shape::Column(vec!["a".into()]));
        assert_eq!(shape("1.5"), Shape::Number);
        assert_eq!(shape("'x'"), Shape::String);
        assert_eq!(shape("true"), Shape::Bool);
        assert_eq!(shape("null"), Shape::Null);
        assert_eq!(shape("a + 1"), Shape::Other);
        assert_eq!(shape("a::int"), Shape::Cast(vec!["pg_catalog".into(), "int4".into()]));
    }

    #[test]
    fn canonical_form_ignores_spelling_and_names_but_not_meaning() {
        let id = |p: &[String]| Some(if p == ["price"] || p == ["cost"] { "c1" } else { "c2" }.to_string());
        let c = |t: &str| parse_expression(t).unwrap().canonical(&id);
        assert_eq!(c("price > 0"), c("(COST)>0"));
        assert_ne!(c("price > 0"), c("price >= 0"));
        assert_ne!(c("price > 0"), c("other > 0"));
        assert_ne!(c("price > '0'"), c("price > 0"));
    }
}
