//! One `SELECT` query (a view's definition), parsed and printed by
//! PostgreSQL's own grammar, with the relations and columns it reads.

use serde_json::Value;

use crate::{Error, collect, from_pg, message, names, scan_tokens, strip_locations};

/// Most nesting tokens (operators, key words, brackets) a query may have.
/// Queries are parsed on a thread of their own with [`QUERY_STACK_BYTES`]
/// of stack, so the C parser's and printer's recursion stays inside it.
pub const MAX_QUERY_NESTING_TOKENS: usize = 5_000;

/// Deepest parse tree (in JSON levels; an operator takes about four) a
/// query may have, so that walks over it stay small on any thread.
pub const MAX_QUERY_TREE_DEPTH: usize = 1_000;

/// The stack of the thread a query is parsed on.
const QUERY_STACK_BYTES: usize = 64 << 20;

/// One parsed `SELECT` (or `VALUES`, or a set operation of them, with
/// `WITH`), location-free.
#[derive(Debug, Clone)]
pub struct Query {
    tree: Value,
    sql: String,
    relations: Vec<Vec<String>>,
}

/// A relation a query reads, as the caller knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// Its stable id (replaces the relation in the canonical form).
    pub id: String,
    /// Its columns (name, stable id), in order.
    pub columns: Vec<(String, String)>,
}

/// What the caller knows of the relation a dotted name (`t`, `s.t`) names,
/// if it is one of the caller's.
pub type RelationFn<'a> = &'a dyn Fn(&[String]) -> Option<Relation>;

/// A column reference that names a column its relation lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumn {
    /// The reference as written (`t.c`, or `c`).
    pub reference: Vec<String>,
    /// The id of the relation it was looked up in, when it named one
    /// (`t.c`); `None` when no relation in scope has such a column.
    pub relation: Option<String>,
}

/// Parse `text` as one query a view can be defined by.
///
/// ```
/// let q = schemaforge_pgparse::parse_query("select id, lower(email) as email from users u where u.active").unwrap();
/// assert_eq!(q.sql(), "SELECT id, lower(email) AS email FROM users u WHERE u.active");
/// assert_eq!(q.relations(), [vec!["users".to_string()]]);
/// assert_eq!(q.output_names(), vec![Some("id".to_string()), Some("email".to_string())]);
/// assert!(schemaforge_pgparse::parse_query("DELETE FROM users").is_err());
/// ```
pub fn parse_query(text: &str) -> Result<Query, Error> {
    // Small queries (most views) parse here: the expression bound keeps
    // the C parser far inside any thread's stack.
    if scan_tokens(text, "queries")? <= crate::MAX_NESTING_TOKENS {
        return parse_on_this_thread(text);
    }
    let text = text.to_string();
    // A thread of its own: the C parser recurses once per nesting level.
    let worker = std::thread::Builder::new().stack_size(QUERY_STACK_BYTES).spawn(move || parse_on_this_thread(&text));
    match worker {
        Ok(handle) => handle.join().unwrap_or_else(|_| Err(Error::Printer("the parser stopped".into()))),
        Err(e) => Err(Error::Printer(format!("cannot start the parser's thread: {e}"))),
    }
}

fn parse_on_this_thread(text: &str) -> Result<Query, Error> {
    let nesting = scan_tokens(text, "queries")?;
    if nesting > MAX_QUERY_NESTING_TOKENS {
        return Err(Error::TooDeep);
    }
    let parsed = pg_query::parse(text).map_err(from_pg)?;
    let tree = serde_json::to_value(&parsed.protobuf).map_err(|e| Error::Printer(e.to_string()))?;
    if depth(&tree) > MAX_QUERY_TREE_DEPTH {
        return Err(Error::TooDeep);
    }
    let select = single_select(tree)?;
    let sql = parsed.deparse().map_err(|e| Error::Printer(message(&e)))?;
    let again = pg_query::parse(&sql).map_err(|e| Error::Printer(message(&e)))?;
    let again = serde_json::to_value(&again.protobuf).map_err(|e| Error::Printer(e.to_string()))?;
    if single_select(again)? != select {
        return Err(Error::Printer(format!("`{sql}` does not parse back to the same tree")));
    }
    let mut relations = Vec::new();
    relations_in(&select, &mut Vec::new(), &mut relations);
    Ok(Query { tree: select, sql, relations })
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The one `SelectStmt` of `tree`, refusing what a view cannot hold.
fn single_select(mut tree: Value) -> Result<Value, Error> {
    strip_locations(&mut tree);
    let stmts = tree.get_mut("stmts").and_then(Value::as_array_mut).map(std::mem::take).unwrap_or_default();
    let [stmt] = <[Value; 1]>::try_from(stmts)
        .map_err(|_| Error::NotAnExpression("one query, not several statements (`;`)".into()))?;
    let Some(select) = stmt.pointer("/stmt/node/SelectStmt").cloned() else {
        return Err(Error::NotAnExpression("only a query (SELECT, VALUES, WITH ... SELECT) is allowed".into()));
    };
    refuse_in_views(&select)?;
    Ok(select)
}

/// What PostgreSQL refuses in a view, or what would change what it means:
/// `SELECT INTO`, data-modifying `WITH`, locking clauses, parameters.
fn refuse_in_views(v: &Value) -> Result<(), Error> {
    match v {
        Value::Object(m) => {
            if m.get("into_clause").is_some_and(|x| !x.is_null()) {
                return Err(Error::NotAnExpression("a view's query cannot be SELECT INTO".into()));
            }
            if m.get("locking_clause").and_then(Value::as_array).is_some_and(|a| !a.is_empty()) {
                return Err(Error::NotAnExpression(
                    "a view's query takes no locking clause (FOR UPDATE, FOR SHARE)".into(),
                ));
            }
            if m.contains_key("ParamRef") {
                return Err(Error::NotAnExpression("a view's query takes no parameters ($1)".into()));
            }
            if let Some(q) = m.get("CommonTableExpr").and_then(|c| c.get("ctequery")) {
                if q.pointer("/node/SelectStmt").is_none() {
                    return Err(Error::NotAnExpression(
                        "a view's WITH queries must be SELECTs (no INSERT, UPDATE or DELETE)".into(),
                    ));
                }
            }
            m.values().try_for_each(refuse_in_views)
        }
        Value::Array(a) => a.iter().try_for_each(refuse_in_views),
        _ => Ok(()),
    }
}

impl Query {
    /// The query as PostgreSQL's deparser prints its tree.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The relations it reads (dotted names as written, each once, in the
    /// parse tree's order), leaving out the names of its own `WITH` queries.
    pub fn relations(&self) -> &[Vec<String>] {
        &self.relations
    }

    /// What validation looks at in its expressions (see [`crate::Node`]).
    pub fn nodes(&self) -> Vec<crate::Node> {
        let mut out = Vec::new();
        collect(&self.tree, &mut out);
        out
    }

    /// The names of its output columns, in order, as PostgreSQL chooses them
    /// (`AS` names, a column's or function's name); `None` where PostgreSQL
    /// would say `?column?`. A set operation's names are its first branch's.
    pub fn output_names(&self) -> Vec<Option<String>> {
        let mut select = &self.tree;
        while let Some(left) = branch(select, "larg") {
            select = left;
        }
        if let Some(row) = select.get("values_lists").and_then(Value::as_array).and_then(|r| r.first()) {
            let items = row.pointer("/node/List/items").or_else(|| row.pointer("/List/items"));
            let n = items.and_then(Value::as_array).map_or(0, Vec::len);
            return (1..=n).map(|i| Some(format!("column{i}"))).collect();
        }
        targets(select).iter().map(|t| output_name(t)).collect()
    }

    /// Whether an output column is `*` or `t.*` (in any branch of a set
    /// operation), which PostgreSQL expands once, when the view is created.
    pub fn has_star_output(&self) -> bool {
        star_output(&self.tree)
    }

    /// Whether the query holds nothing but column references, relations
    /// and joins without conditions: nothing whose types or functions only
    /// a server can check.
    pub fn only_columns(&self) -> bool {
        plain(&self.tree)
    }

    /// Column references that name a column their relation lacks (only
    /// where the scope is fully known to the caller).
    pub fn missing_columns(&self, relation: RelationFn<'_>) -> Vec<MissingColumn> {
        let mut tree = self.tree.clone();
        let mut walk = Walk { relation, missing: Vec::new(), replace: false };
        walk.select(&mut tree, &mut Vec::new(), &mut Vec::new());
        walk.missing
    }

    /// A location-free form in which every relation the caller knows is
    /// replaced by its id, and every column reference that surely names one
    /// of its columns by the column's id; output columns carry their names
    /// unless `with_output_names` is false. Equal canonical forms are the
    /// same query: PostgreSQL's view follows renames of what it reads.
    ///
    /// ```
    /// use schemaforge_pgparse::{parse_query, Relation};
    /// let rel = |parts: &[String]| match parts.last().map(String::as_str) {
    ///     Some("users" | "accounts") => Some(Relation { id: "t1".into(), columns: vec![
    ///         (if parts[0] == "users" { "name" } else { "full_name" }.into(), "c1".into())] }),
    ///     _ => None,
    /// };
    /// let a = parse_query("SELECT name FROM users").unwrap();
    /// let b = parse_query("SELECT full_name AS name FROM accounts").unwrap();
    /// let c = parse_query("SELECT full_name FROM accounts").unwrap();
    /// assert_eq!(a.canonical(&rel, true), b.canonical(&rel, true));
    /// assert_ne!(a.canonical(&rel, true), c.canonical(&rel, true));
    /// assert_eq!(a.canonical(&rel, false), c.canonical(&rel, false));
    /// ```
    pub fn canonical(&self, relation: RelationFn<'_>, with_output_names: bool) -> String {
        let mut tree = self.tree.clone();
        name_outputs(&mut tree, with_output_names);
        let mut walk = Walk { relation, missing: Vec::new(), replace: true };
        walk.select(&mut tree, &mut Vec::new(), &mut Vec::new());
        tree.to_string()
    }
}

fn targets(select: &Value) -> Vec<&Value> {
    select
        .get("target_list")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|t| t.pointer("/node/ResTarget")).collect())
        .unwrap_or_default()
}

fn is_star(column_ref: &Value) -> bool {
    column_ref
        .get("fields")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|n| n.pointer("/node/AStar").is_some()))
}

fn star_output(select: &Value) -> bool {
    targets(select).iter().any(|t| t.pointer("/val/node/ColumnRef").is_some_and(is_star))
        || ["larg", "rarg"].iter().any(|side| branch(select, side).is_some_and(star_output))
}

/// A set operation's branch (`larg`, `rarg`), if the `SELECT` is one.
fn branch<'v>(select: &'v Value, side: &str) -> Option<&'v Value> {
    select.get(side).filter(|b| !b.is_null())
}

/// PostgreSQL's FigureColname for the common cases.
fn output_name(target: &Value) -> Option<String> {
    if let Some(n) = target.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) {
        return Some(n.to_string());
    }
    target.get("val").and_then(figure_name)
}

fn figure_name(node: &Value) -> Option<String> {
    let Some(Value::Object(m)) = node.get("node") else { return None };
    let (kind, inner) = m.iter().next()?;
    match kind.as_str() {
        "ColumnRef" if !is_star(inner) => names(inner.get("fields")).pop(),
        "AIndirection" => {
            let steps = inner.get("indirection").and_then(Value::as_array)?;
            match steps.last().and_then(|s| s.pointer("/node/String/sval")).and_then(Value::as_str) {
                Some(s) => Some(s.to_string()),
                None => figure_name(inner.get("arg")?),
            }
        }
        "FuncCall" => names(inner.get("funcname")).pop(),
        "TypeCast" => figure_name(inner.get("arg")?).or_else(|| {
            names(inner.pointer("/type_name/names")).pop().map(|t| match t.as_str() {
                "int4" => "int4".into(),
                other => other.to_string(),
            })
        }),
        "CaseExpr" => Some("case".into()),
        "AArrayExpr" => Some("array".into()),
        "RowExpr" => Some("row".into()),
        "CoalesceExpr" => Some("coalesce".into()),
        "NullIfExpr" => Some("nullif".into()),
        "MinMaxExpr" => {
            Some(if inner.get("op").and_then(Value::as_str) == Some("IS_LEAST") { "least" } else { "greatest" }.into())
        }
        "SubLink" => match inner.get("sub_link_type").and_then(Value::as_str) {
            Some("EXISTS_SUBLINK") => Some("exists".into()),
            Some("ARRAY_SUBLINK") => Some("array".into()),
            Some("EXPR_SUBLINK") => {
                let sub = inner.pointer("/subselect/node/SelectStmt")?;
                targets(sub).first().and_then(|t| output_name(t))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Give every unnamed output column whose name PostgreSQL derives from a
/// column reference that name, or (`keep` false) blank every output name.
fn name_outputs(select: &mut Value, keep: bool) {
    if let Some(left) = select.get_mut("larg").filter(|b| !b.is_null()) {
        name_outputs(left, keep);
        return;
    }
    let Some(list) = select.get_mut("target_list").and_then(Value::as_array_mut) else { return };
    for t in list {
        let Some(Value::Object(res)) = t.pointer_mut("/node/ResTarget") else { continue };
        let name = if keep { output_name(&Value::Object(res.clone())) } else { None };
        match name {
            Some(n) => res.insert("name".into(), Value::String(n)),
            None => res.remove("name"),
        };
    }
}

const PLAIN_NODES: &[&str] =
    &["SelectStmt", "ResTarget", "ColumnRef", "String", "RangeVar", "Alias", "JoinExpr", "AStar"];

/// Clauses whose presence means something a server must check.
const CLAUSES: &[&str] = &[
    "quals",
    "where_clause",
    "having_clause",
    "group_clause",
    "sort_clause",
    "limit_count",
    "limit_offset",
    "distinct_clause",
    "with_clause",
    "values_lists",
    "window_clause",
];

fn plain(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().all(|(k, inner)| {
            let is_node = k.chars().next().is_some_and(char::is_uppercase);
            let known_node = !is_node || PLAIN_NODES.contains(&k.as_str());
            known_node && (is_empty(inner) || !CLAUSES.contains(&k.as_str())) && plain(inner)
        }),
        Value::Array(a) => a.iter().all(plain),
        _ => true,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// The names of a `WITH` clause's queries.
fn cte_names(with: &Value) -> Vec<String> {
    with.get("ctes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.pointer("/node/CommonTableExpr/ctename").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// Relations in `v`, outside the `WITH` names in scope.
fn relations_in(v: &Value, ctes: &mut Vec<Vec<String>>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            let pushed = m.get("with_clause").map(|w| ctes.push(cte_names(w)));
            if let Some(r) = m.get("RangeVar") {
                let parts = range_var_parts(r);
                let is_cte = parts.len() == 1 && ctes.iter().flatten().any(|c| *c == parts[0]);
                if !is_cte && !out.contains(&parts) {
                    out.push(parts);
                }
            }
            for inner in m.values() {
                relations_in(inner, ctes, out);
            }
            if pushed.is_some() {
                ctes.pop();
            }
        }
        Value::Array(a) => a.iter().for_each(|x| relations_in(x, ctes, out)),
        _ => {}
    }
}

fn range_var_parts(r: &Value) -> Vec<String> {
    ["catalogname", "schemaname", "relname"]
        .iter()
        .filter_map(|k| r.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string))
        .collect()
}

/// One item of a `FROM` list, as column references see it.
#[derive(Clone)]
struct Item {
    /// The name a qualified reference uses (its alias, or the relation's name).
    refname: String,
    /// The relation, when the caller knows it and no alias renames its columns.
    known: Option<Relation>,
}

/// A walk over a query's `SELECT`s, resolving column references in their
/// scopes (innermost last).
struct Walk<'a> {
    relation: RelationFn<'a>,
    missing: Vec<MissingColumn>,
    /// Replace what resolves by ids (the canonical form).
    replace: bool,
}

enum Resolved {
    Id(String),
    Missing(Option<String>),
    Unknown,
}

impl Walk<'_> {
    fn select(&mut self, select: &mut Value, scopes: &mut Vec<Vec<Item>>, ctes: &mut Vec<String>) {
        let Value::Object(m) = select else { return };
        let pushed = m.get("with_clause").map_or(0, |w| {
            let names = cte_names(w);
            let n = names.len();
            ctes.extend(names);
            n
        });
        if let Some(w) = m.get_mut("with_clause") {
            self.any(w, scopes, ctes);
        }
        for side in ["larg", "rarg"] {
            if let Some(branch) = m.get_mut(side).filter(|b| !b.is_null()) {
                self.select(branch, scopes, ctes);
            }
        }
        let mut level = Vec::new();
        if let Some(Value::Array(from)) = m.get_mut("from_clause") {
            for item in from.iter_mut() {
                self.read_from_item(item, scopes, ctes, &mut level);
            }
        }
        scopes.push(level);
        for (key, inner) in m.iter_mut() {
            match key.as_str() {
                "from_clause" | "with_clause" | "larg" | "rarg" => {}
                // Names there may be output columns'; leave them as written.
                "sort_clause" | "group_clause" | "window_clause" | "distinct_clause" => {}
                _ => self.any(inner, scopes, ctes),
            }
        }
        scopes.pop();
        ctes.truncate(ctes.len() - pushed);
    }

    fn read_from_item(
        &mut self,
        item: &mut Value,
        scopes: &mut Vec<Vec<Item>>,
        ctes: &mut Vec<String>,
        level: &mut Vec<Item>,
    ) {
        let Some(Value::Object(node)) = item.get_mut("node") else { return };
        if let Some(r) = node.get_mut("RangeVar") {
            let parts = range_var_parts(r);
            let alias = r.pointer("/alias/aliasname").and_then(Value::as_str).map(str::to_string);
            let renames_columns = r.pointer("/alias/colnames").and_then(Value::as_array).is_some_and(|c| !c.is_empty());
            let is_cte = parts.len() == 1 && ctes.contains(&parts[0]);
            let known = if is_cte { None } else { (self.relation)(&parts) };
            let refname = alias.unwrap_or_else(|| parts.last().cloned().unwrap_or_default());
            if self.replace {
                if let (Some(rel), Value::Object(rv)) = (&known, &mut *r) {
                    rv.remove("catalogname");
                    rv.remove("schemaname");
                    rv.insert("relname".into(), Value::String(format!("rel:{}", rel.id)));
                }
            }
            level.push(Item { refname, known: known.filter(|_| !renames_columns) });
        } else if let Some(j) = node.get_mut("JoinExpr") {
            let aliased = j.get("alias").is_some_and(|a| !a.is_null());
            let mut inner = Vec::new();
            for side in ["larg", "rarg"] {
                if let Some(x) = j.get_mut(side) {
                    self.read_from_item(x, scopes, ctes, &mut inner);
                }
            }
            if aliased {
                let name = j.pointer("/alias/aliasname").and_then(Value::as_str).unwrap_or_default().to_string();
                level.push(Item { refname: name, known: None });
            } else {
                level.extend(inner);
            }
            if let Some(q) = j.get_mut("quals") {
                // The condition sees the items so far (and what is around).
                scopes.push(level.clone());
                self.any(q, scopes, ctes);
                scopes.pop();
            }
        } else if let Some(sub) = node.get_mut("RangeSubselect") {
            let lateral = sub.get("lateral").and_then(Value::as_bool).unwrap_or(false);
            let refname = sub.pointer("/alias/aliasname").and_then(Value::as_str).unwrap_or_default().to_string();
            if let Some(q) = sub.pointer_mut("/subquery/node/SelectStmt") {
                if lateral {
                    scopes.push(level.clone());
                    self.select(q, scopes, ctes);
                    scopes.pop();
                } else {
                    self.select(q, scopes, ctes);
                }
            }
            level.push(Item { refname, known: None });
        } else {
            // A function in FROM, or anything else: opaque to references.
            let refname = node
                .values()
                .next()
                .and_then(|x| x.pointer("/alias/aliasname"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            scopes.push(level.clone());
            for x in node.values_mut() {
                self.any(x, scopes, ctes);
            }
            scopes.pop();
            level.push(Item { refname, known: None });
        }
    }

    fn any(&mut self, v: &mut Value, scopes: &mut Vec<Vec<Item>>, ctes: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(s) = m.get_mut("SelectStmt") {
                    return self.select(s, scopes, ctes);
                }
                if let Some(c) = m.get_mut("ColumnRef") {
                    if is_star(c) {
                        return;
                    }
                    let parts = names(c.get("fields"));
                    match resolve(scopes, &parts) {
                        Resolved::Id(id) if self.replace => *c = Value::String(id),
                        Resolved::Missing(relation) => {
                            self.missing.push(MissingColumn { reference: parts, relation });
                        }
                        _ => {}
                    }
                    return;
                }
                m.values_mut().for_each(|x| self.any(x, scopes, ctes));
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.any(x, scopes, ctes)),
            _ => {}
        }
    }
}

/// Resolve a column reference as PostgreSQL would, where the scope is known.
fn resolve(scopes: &[Vec<Item>], parts: &[String]) -> Resolved {
    match parts {
        [column] => {
            for level in scopes.iter().rev() {
                let mut found = level
                    .iter()
                    .filter_map(|i| i.known.as_ref())
                    .filter_map(|r| r.columns.iter().find(|(n, _)| n == column).map(|(_, id)| id));
                let first = found.next();
                let more = found.next().is_some();
                let opaque = level.iter().any(|i| i.known.is_none());
                // No column of that name: it may name a row of the level.
                let whole_row = level.iter().any(|i| i.refname == *column);
                match first {
                    Some(id) if !more && !opaque => return Resolved::Id(id.clone()),
                    Some(_) => return Resolved::Unknown,
                    None if opaque || whole_row => return Resolved::Unknown,
                    None => {}
                }
            }
            if scopes.is_empty() { Resolved::Unknown } else { Resolved::Missing(None) }
        }
        [qualifier, column] => {
            for level in scopes.iter().rev() {
                let mut matching = level.iter().filter(|i| i.refname == *qualifier);
                let Some(item) = matching.next() else { continue };
                if matching.next().is_some() {
                    return Resolved::Unknown;
                }
                return match &item.known {
                    Some(r) => match r.columns.iter().find(|(n, _)| n == column) {
                        Some((_, id)) => Resolved::Id(id.clone()),
                        None => Resolved::Missing(Some(r.id.clone())),
                    },
                    None => Resolved::Unknown,
                };
            }
            Resolved::Unknown
        }
        _ => Resolved::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(parts: &[String]) -> Option<Relation> {
        let cols = |c: &[&str]| c.iter().map(|n| (n.to_string(), format!("{n}#id"))).collect();
        match parts.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["users"] | ["public", "users"] => Some(Relation { id: "t_users".into(), columns: cols(&["id", "name"]) }),
            ["orders"] => Some(Relation { id: "t_orders".into(), columns: cols(&["id", "user_id", "total"]) }),
            _ => None,
        }
    }

    #[test]
    fn refuses_what_a_view_cannot_hold() {
        for (text, why) in [
            ("DELETE FROM users", "only a query"),
            ("SELECT 1; SELECT 2", "one query"),
            ("SELECT 1 INTO x", "SELECT INTO"),
            ("SELECT * FROM users FOR UPDATE", "locking"),
            ("SELECT $1", "parameters"),
            ("WITH d AS (DELETE FROM users RETURNING id) SELECT id FROM d", "WITH queries must be SELECTs"),
            ("SELECT 1 -- x", "comments are not allowed in queries"),
            ("SELECT FROM WHERE", "syntax error"),
        ] {
            let err = parse_query(text).map(|q| q.sql().to_string()).unwrap_err().to_string();
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }

    #[test]
    fn lists_relations_outside_its_own_with_queries() {
        let q = parse_query(
            "WITH recent AS (SELECT * FROM orders) SELECT u.id FROM users u JOIN recent r ON r.user_id = u.id \
             WHERE EXISTS (SELECT 1 FROM audit.log l WHERE l.id = u.id)",
        )
        .unwrap();
        let mut relations = q.relations().to_vec();
        relations.sort();
        assert_eq!(
            relations,
            vec![vec!["audit".to_string(), "log".into()], vec!["orders".into()], vec!["users".into()]]
        );
    }

    #[test]
    fn output_names_follow_postgresql() {
        let q = parse_query(
            "SELECT id, u.name, lower(name), count(*) AS n, id + 1, id::text, CASE WHEN true THEN 1 END FROM users u",
        )
        .unwrap();
        let want = [Some("id"), Some("name"), Some("lower"), Some("n"), None, Some("id"), Some("case")];
        assert_eq!(q.output_names(), want.map(|n| n.map(str::to_string)));
        assert_eq!(
            parse_query("VALUES (1, 2)").unwrap().output_names(),
            [Some("column1".into()), Some("column2".into())]
        );
        assert_eq!(parse_query("SELECT 1 AS a UNION SELECT 2").unwrap().output_names(), [Some("a".to_string())]);
        assert!(parse_query("SELECT 1 AS a UNION SELECT * FROM users").unwrap().has_star_output());
        assert!(
            !parse_query("SELECT count(*) FROM users WHERE EXISTS (SELECT * FROM orders)").unwrap().has_star_output()
        );
    }

    #[test]
    fn finds_columns_that_do_not_exist_only_where_it_knows_the_scope() {
        let missing = |t: &str| parse_query(t).unwrap().missing_columns(&users);
        assert_eq!(missing("SELECT id, name FROM users"), vec![]);
        assert_eq!(
            missing("SELECT u.nope FROM users u"),
            vec![MissingColumn { reference: vec!["u".into(), "nope".into()], relation: Some("t_users".into()) }]
        );
        assert_eq!(
            missing("SELECT nope FROM users"),
            vec![MissingColumn { reference: vec!["nope".into()], relation: None }]
        );
        // Opaque scopes: a function, a subquery, an unknown relation.
        assert_eq!(missing("SELECT nope FROM users, generate_series(1, 2) g"), vec![]);
        assert_eq!(missing("SELECT nope FROM (SELECT 1 AS nope) s"), vec![]);
        assert_eq!(missing("SELECT nope FROM elsewhere"), vec![]);
        // A whole row, a composite field, output names in ORDER BY.
        assert_eq!(missing("SELECT users FROM users"), vec![]);
        assert_eq!(missing("SELECT name AS label FROM users ORDER BY label"), vec![]);
        // A correlated subquery sees the outer level.
        assert_eq!(
            missing(
                "SELECT id FROM users WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = users.id AND name <> '')"
            ),
            vec![]
        );
    }

    #[test]
    fn canonical_form_follows_renames_by_id() {
        let renamed = |parts: &[String]| {
            let cols = vec![("id".to_string(), "id#id".to_string()), ("full_name".to_string(), "name#id".to_string())];
            (parts.last().map(String::as_str) == Some("people"))
                .then(|| Relation { id: "t_users".into(), columns: cols })
        };
        let a = parse_query("SELECT u.id, name FROM users u WHERE u.name <> ''").unwrap().canonical(&users, true);
        let b = parse_query("SELECT u.id, full_name AS name FROM people u WHERE u.full_name <> ''")
            .unwrap()
            .canonical(&renamed, true);
        assert_eq!(a, b);
        let c = parse_query("SELECT u.id, full_name FROM people u WHERE u.full_name <> ''").unwrap();
        assert_ne!(a, c.canonical(&renamed, true));
        assert_eq!(
            parse_query("SELECT u.id, name FROM users u WHERE u.name <> ''").unwrap().canonical(&users, false),
            c.canonical(&renamed, false)
        );
        // Ambiguous names stay names.
        let j = "SELECT id FROM users JOIN orders ON true";
        assert!(parse_query(j).unwrap().canonical(&users, true).contains("\"id\""));
    }

    #[test]
    fn only_columns_means_nothing_for_a_server_to_check() {
        assert!(parse_query("SELECT u.id, name FROM users u").unwrap().only_columns());
        for t in [
            "SELECT id FROM users WHERE id > 0",
            "SELECT lower(name) FROM users",
            "SELECT 1",
            "SELECT id FROM users ORDER BY id",
        ] {
            assert!(!parse_query(t).unwrap().only_columns(), "{t}");
        }
    }

    #[test]
    fn deep_queries_are_errors_on_a_thread_of_their_own() {
        let deep = format!("SELECT {}x", "NOT ".repeat(MAX_QUERY_NESTING_TOKENS - 10));
        assert_eq!(parse_query(&deep).unwrap_err(), Error::TooDeep);
        let deeper = format!("SELECT {}x", "NOT ".repeat(MAX_QUERY_NESTING_TOKENS + 1));
        assert_eq!(parse_query(&deeper).unwrap_err(), Error::TooDeep);
        let wide =
            format!("SELECT {} FROM users", (0..2000).map(|i| format!("id AS c{i}")).collect::<Vec<_>>().join(", "));
        assert_eq!(parse_query(&wide).unwrap().output_names().len(), 2000);
    }
}
