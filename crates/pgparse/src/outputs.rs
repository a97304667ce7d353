//! PostgreSQL prints a query's unnamed output column without `AS` when its
//! stored name is `?column?` (a `NULL` in a `UNION`'s second branch, for
//! one). Read back, the printed expression may get another name
//! (`NULL::integer` is named `int4`), and the query then prints with
//! `AS int4`: [`pin_unnamed_outputs`] writes `AS "?column?"` where the
//! printing left the name out, so that the query keeps the names it had.

use pg_query::protobuf::{Node, SelectStmt, node::Node as N};

use crate::{Error, from_pg, message, scan_tokens};

/// `text` with `AS "?column?"` on every unnamed output column that is not a
/// plain column reference, in every `SELECT` of it (set operations'
/// branches, subqueries in `FROM`, `WITH` queries); `None` when there is
/// none, or when the query is too large to parse on this thread (it is
/// then taken as it is).
///
/// ```
/// let pinned = schemaforge_pgparse::pin_unnamed_outputs(
///     "SELECT a FROM t UNION ALL SELECT NULL::integer FROM t",
/// ).unwrap();
/// assert_eq!(pinned.as_deref(), Some("SELECT a FROM t UNION ALL SELECT NULL::int AS \"?column?\" FROM t"));
/// assert_eq!(schemaforge_pgparse::pin_unnamed_outputs("SELECT a, b AS c FROM t").unwrap(), None);
/// ```
pub fn pin_unnamed_outputs(text: &str) -> Result<Option<String>, Error> {
    if scan_tokens(text, "queries")? > crate::MAX_NESTING_TOKENS {
        return Ok(None);
    }
    let mut parsed = pg_query::parse(text).map_err(from_pg)?;
    let mut pinned = 0;
    for raw in &mut parsed.protobuf.stmts {
        if let Some(node) = raw.stmt.as_deref_mut() {
            walk_node(node, &mut pinned);
        }
    }
    if pinned == 0 {
        return Ok(None);
    }
    pg_query::deparse(&parsed.protobuf).map(Some).map_err(|e| Error::Printer(message(&e)))
}

fn walk_node(node: &mut Node, pinned: &mut usize) {
    match node.node.as_mut() {
        Some(N::SelectStmt(s)) => walk_select(s, pinned),
        Some(N::RangeSubselect(r)) => {
            if let Some(q) = r.subquery.as_deref_mut() {
                walk_node(q, pinned);
            }
        }
        Some(N::JoinExpr(j)) => {
            for side in [j.larg.as_deref_mut(), j.rarg.as_deref_mut()].into_iter().flatten() {
                walk_node(side, pinned);
            }
        }
        Some(N::CommonTableExpr(c)) => {
            if let Some(q) = c.ctequery.as_deref_mut() {
                walk_node(q, pinned);
            }
        }
        _ => {}
    }
}

fn walk_select(s: &mut SelectStmt, pinned: &mut usize) {
    for side in [s.larg.as_deref_mut(), s.rarg.as_deref_mut()].into_iter().flatten() {
        walk_select(side, pinned);
    }
    if let Some(with) = s.with_clause.as_mut() {
        for cte in &mut with.ctes {
            walk_node(cte, pinned);
        }
    }
    for from in &mut s.from_clause {
        walk_node(from, pinned);
    }
    for target in &mut s.target_list {
        let Some(N::ResTarget(t)) = target.node.as_mut() else { continue };
        let plain_column = matches!(t.val.as_deref().and_then(|v| v.node.as_ref()), Some(N::ColumnRef(_)));
        if t.name.is_empty() && !plain_column && t.val.is_some() {
            t.name = "?column?".to_string();
            *pinned += 1;
        }
    }
}
