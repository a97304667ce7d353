//! Views and materialized views: names, queries (parsed by PostgreSQL's
//! grammar, relations and columns resolved), dependency order, indexes.

use schemaforge_pgparse::{Query, Relation, parse_query};

use super::*;
use crate::model::{NamespaceRef, ViewIndexModel, ViewModel};

/// A view whose query parsed; the rest of its model is built once every
/// view is known.
pub(super) struct ViewInfo {
    index: usize,
    id: String,
    name: Ident,
    namespace: Option<NamespaceRef>,
    materialized: bool,
    query: Query,
    columns: Vec<Option<String>>,
    indexes: Vec<ViewIndexInfo>,
    comment: Option<String>,
}

struct ViewIndexInfo {
    id: String,
    name: Option<Ident>,
    positions: Vec<usize>,
    columns: Vec<Ident>,
    unique: bool,
    method: IndexMethod,
    comment: Option<String>,
}

/// What a dotted relation name in a query names.
enum Target<'a> {
    Table(&'a TableInfo),
    /// A partition (by id) of a table: its parent's columns.
    Partition(&'a TableInfo, &'a str),
    View(usize),
}

/// Check every view; the ones without errors, in document order (`None`
/// where a view has errors).
pub(super) fn check_views<'d>(
    ctx: &mut Ctx,
    doc: &'d SchemaDocument,
    names: &mut tables::Names<'_, 'd>,
    namespaces: &Namespaces<'d>,
    tables: &[TableInfo],
) -> Vec<Option<ViewInfo>> {
    let mut infos: Vec<Option<ViewInfo>> = Vec::new();
    for (i, v) in doc.views.iter().enumerate() {
        let path = |field: &str| ptr(&[&"views", &i, &field]);
        let before = ctx.errors();
        let name = ctx.ident(&v.name, path("name"), "view");
        if name.is_some() {
            if catalog::shadowed_relation(&v.name) {
                ctx.error(
                    Code::ReservedName,
                    path("name"),
                    format!("view name \"{}\" starts with pg_, the prefix of PostgreSQL's system catalogs", v.name),
                );
            }
            names.types.add_in(ctx, scope_key(&v.namespace_id), &v.name, path("name"));
            names.relations.add_quiet_in(scope_key(&v.namespace_id), &v.name, path("name"));
        }
        let namespace = namespaces.resolve(ctx, v.namespace_id.as_deref(), path("namespaceId"));
        ctx.text(v.comment.as_deref(), path("comment"), "the comment");
        let query = match parse_query(&v.query) {
            Ok(q) => Some(q),
            Err(e) => {
                ctx.error(Code::InvalidExpression, path("query"), format!("the view's query is not accepted: {e}"));
                None
            }
        };
        let columns = query.as_ref().map(|q| output_columns(ctx, q, &path("query"))).unwrap_or_default();
        if !v.materialized && !v.indexes.is_empty() {
            ctx.error(Code::InvalidIndex, path("indexes"), "only a materialized view has indexes");
        }
        let indexes = check_view_indexes(ctx, v, i, &columns, names, namespace.is_some() || v.namespace_id.is_none());
        infos.push(match (name, query) {
            (Some(name), Some(query)) if ctx.errors() == before => Some(ViewInfo {
                index: i,
                id: v.id.clone(),
                name,
                namespace,
                materialized: v.materialized,
                query,
                columns,
                indexes,
                comment: v.comment.clone(),
            }),
            _ => None,
        });
    }
    resolve_relations(ctx, doc, tables, &mut infos);
    infos
}

/// The output columns' names, reporting what PostgreSQL would refuse:
/// `*` (expanded once, so the view would not follow its tables), names
/// used twice, names that are no identifiers.
fn output_columns(ctx: &mut Ctx, q: &Query, path: &str) -> Vec<Option<String>> {
    if q.has_star_output() {
        ctx.error(
            Code::InvalidExpression,
            path.to_string(),
            "list the view's columns instead of `*`: PostgreSQL expands `*` once, when the view is created, so the \
             view would not follow its tables' columns (and a fresh build would differ from a migrated one)",
        );
    }
    let columns = q.output_names();
    let mut seen = HashSet::new();
    for name in &columns {
        let shown = name.as_deref().unwrap_or("?column?");
        if !seen.insert(shown) {
            ctx.error(
                Code::DuplicateName,
                path.to_string(),
                format!("the query has two output columns named \"{shown}\"; give one of them another name with AS"),
            );
        }
        if let Some(n) = name {
            if let Err(e) = Ident::parse(n) {
                ctx.error(
                    Code::InvalidIdentifier,
                    path.to_string(),
                    format!("output column \"{}\" {e}", n.escape_debug()),
                );
            }
        }
    }
    if columns.is_empty() {
        ctx.error(Code::InvalidExpression, path.to_string(), "the query has no output columns");
    }
    columns
}

fn check_view_indexes<'d>(
    ctx: &mut Ctx,
    v: &'d crate::document::View,
    i: usize,
    columns: &[Option<String>],
    names: &mut tables::Names<'_, 'd>,
    placed: bool,
) -> Vec<ViewIndexInfo> {
    let mut out = Vec::new();
    for (k, x) in v.indexes.iter().enumerate() {
        let path = |field: &str| ptr(&[&"views", &i, &"indexes", &k, &field]);
        let name = x.name.as_ref().and_then(|n| ctx.ident(n, path("name"), "index"));
        if let (Some(_), Some(raw)) = (&name, &x.name) {
            if placed {
                names.relations.add_in(ctx, scope_key(&v.namespace_id), raw, path("name"));
            }
        }
        ctx.text(x.comment.as_deref(), path("comment"), "the comment");
        if x.columns.is_empty() {
            ctx.error(Code::InvalidIndex, path("columns"), "an index needs at least one column");
        }
        let mut positions = Vec::new();
        let mut idents = Vec::new();
        for (c, col) in x.columns.iter().enumerate() {
            let at = ptr(&[&"views", &i, &"indexes", &k, &"columns", &c]);
            match columns.iter().position(|n| n.as_deref() == Some(col.as_str())) {
                Some(p) if positions.contains(&p) => {
                    ctx.error(Code::InvalidIndex, at, format!("column \"{col}\" is indexed twice"));
                }
                Some(p) => {
                    positions.push(p);
                    idents.extend(Ident::parse(col).ok());
                }
                None => ctx.error(
                    Code::UnknownReference,
                    at,
                    format!("the view has no output column \"{col}\" (name it with AS in the query to index it)"),
                ),
            }
        }
        if x.unique && x.method != IndexMethod::Btree {
            ctx.error(Code::InvalidIndex, path("method"), "only a btree index can be unique");
        }
        if !matches!(x.method, IndexMethod::Btree | IndexMethod::Hash | IndexMethod::Brin) {
            ctx.warn(
                Code::UnverifiedExpression,
                path("method"),
                format!("PostgreSQL checks that the view's column types support a {} index", x.method.sql()),
            );
        }
        out.push(ViewIndexInfo {
            id: x.id.clone(),
            name,
            positions,
            columns: idents,
            unique: x.unique,
            method: x.method,
            comment: x.comment.clone(),
        });
    }
    out
}

/// Resolve the relations and columns every query reads; report what does
/// not resolve and views that read each other in a cycle.
fn resolve_relations(ctx: &mut Ctx, doc: &SchemaDocument, tables: &[TableInfo], infos: &mut [Option<ViewInfo>]) {
    let mut lookup = Lookup::new(doc, tables, heads(infos.iter().map(Option::as_ref)));
    let has_extensions = !doc.extensions.is_empty();
    // In dependency order, so that a view over one with errors is checked
    // knowing that (and reports nothing of the other's errors).
    let order = topological(&view_reads(infos.iter().map(Option::as_ref), &lookup))
        .unwrap_or_else(|_| (0..infos.len()).collect());
    for i in order {
        let Some(info) = &infos[i] else { continue };
        let path = ptr(&[&"views", &info.index, &"query"]);
        let before = ctx.errors();
        for parts in info.query.relations() {
            if lookup.target(parts).is_some() || lookup.broken_view(parts) {
                continue;
            }
            let system = match parts.as_slice() {
                [schema, _] => matches!(schema.as_str(), "pg_catalog" | "information_schema"),
                [name] => name.starts_with("pg_"),
                _ => false,
            };
            let shown = parts.join(".");
            if system || (has_extensions && parts.len() == 1) {
                ctx.warn(
                    Code::UnverifiedReference,
                    path.clone(),
                    format!(
                        "the query reads \"{shown}\", which is no table or view of the document; PostgreSQL decides \
                         whether it exists (a system catalog, or an extension's)"
                    ),
                );
            } else {
                ctx.error(
                    Code::UnknownReference,
                    path.clone(),
                    format!(
                        "the query reads \"{shown}\", which is no table or view of the document (outside public, name \
                         it with its namespace: \"namespace.name\")"
                    ),
                );
            }
        }
        for m in info.query.missing_columns(&|parts| lookup.relation(parts)) {
            let shown = m.reference.join(".");
            ctx.error(
                Code::UnknownReference,
                path.clone(),
                format!("the query reads column \"{shown}\", which does not exist"),
            );
        }
        if !info.query.only_columns() {
            ctx.warn(
                Code::UnverifiedExpression,
                path.clone(),
                "PostgreSQL checks the query's operators, functions and types when it creates the view (try it with \
                 `validate --dev-url`)",
            );
        }
        if ctx.errors() > before {
            infos[i] = None;
            lookup.views[i] = None;
        }
    }
    report_cycles(ctx, infos, &lookup);
}

/// For each view (by document position), the views it reads.
fn view_reads<'v>(infos: impl Iterator<Item = Option<&'v ViewInfo>>, lookup: &Lookup<'_>) -> Vec<Vec<usize>> {
    infos
        .map(|v| {
            v.map_or_else(Vec::new, |v| {
                v.query
                    .relations()
                    .iter()
                    .filter_map(|p| match lookup.target(p) {
                        Some(Target::View(j)) => Some(j),
                        _ => None,
                    })
                    .collect()
            })
        })
        .collect()
}

/// Views that read each other in a cycle (PostgreSQL cannot create either first).
fn report_cycles(ctx: &mut Ctx, infos: &mut [Option<ViewInfo>], lookup: &Lookup<'_>) {
    let Err(cycle) = topological(&view_reads(infos.iter().map(Option::as_ref), lookup)) else { return };
    for i in cycle {
        if let Some(v) = &infos[i] {
            ctx.error(
                Code::DependencyCycle,
                ptr(&[&"views", &v.index, &"query"]),
                format!(
                    "view \"{}\" reads itself through other views; no view of the cycle can be created first",
                    v.name
                ),
            );
        }
        infos[i] = None;
    }
}

/// Positions in an order where every view comes after those it reads
/// (document order otherwise), or the views on a cycle.
fn topological(reads: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    // 0 unvisited, 1 on the path, 2 done.
    let mut state = vec![0u8; reads.len()];
    let mut order = Vec::with_capacity(reads.len());
    for start in 0..reads.len() {
        if state[start] != 0 {
            continue;
        }
        // Iterative depth-first walk: (node, next edge).
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (node, ref mut edge)) = stack.last_mut() {
            if let Some(&next) = reads[node].get(*edge) {
                *edge += 1;
                match state[next] {
                    0 => {
                        state[next] = 1;
                        stack.push((next, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                        return Err(stack[from..].iter().map(|(n, _)| *n).collect());
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                order.push(node);
                stack.pop();
            }
        }
    }
    Ok(order)
}

/// The document's tables and views by the names queries use.
struct Lookup<'a> {
    by_name: HashMap<(String, String), Target<'a>>,
    /// Each view's id and output columns, by document position (`None`:
    /// the view has errors).
    views: Vec<Option<(String, Vec<Option<String>>)>>,
}

type Heads = Vec<Option<(String, Vec<Option<String>>)>>;

fn heads<'v>(infos: impl Iterator<Item = Option<&'v ViewInfo>>) -> Heads {
    infos.map(|v| v.map(|v| (v.id.clone(), v.columns.clone()))).collect()
}

impl<'a> Lookup<'a> {
    fn new(doc: &'a SchemaDocument, tables: &'a [TableInfo], views: Heads) -> Self {
        let ns_name = |id: &Option<String>| super::namespaces::namespace_name(doc, id);
        let mut by_name = HashMap::new();
        for (t, doc_t) in tables.iter().zip(&doc.tables) {
            let Some(ns) = ns_name(&doc_t.namespace_id) else { continue };
            if let Some(name) = &t.name {
                by_name.insert((ns.clone(), name.to_string()), Target::Table(t));
            }
            for p in &doc_t.partitions {
                by_name.entry((ns.clone(), p.name.clone())).or_insert(Target::Partition(t, p.id.as_str()));
            }
        }
        for (i, v) in doc.views.iter().enumerate() {
            if let Some(ns) = ns_name(&v.namespace_id) {
                by_name.entry((ns, v.name.clone())).or_insert(Target::View(i));
            }
        }
        Self { by_name, views }
    }

    /// Whether `parts` names a view that has errors of its own.
    fn broken_view(&self, parts: &[String]) -> bool {
        let key = match parts {
            [name] => ("public".to_string(), name.clone()),
            [schema, name] => (schema.clone(), name.clone()),
            _ => return false,
        };
        matches!(self.by_name.get(&key), Some(Target::View(i)) if self.views.get(*i).is_some_and(Option::is_none))
    }

    fn target(&self, parts: &[String]) -> Option<Target<'a>> {
        let key = match parts {
            [name] => ("public".to_string(), name.clone()),
            [schema, name] => (schema.clone(), name.clone()),
            _ => return None,
        };
        match self.by_name.get(&key)? {
            Target::Table(t) => Some(Target::Table(t)),
            Target::Partition(t, id) => Some(Target::Partition(t, id)),
            Target::View(i) => self.views.get(*i)?.as_ref().map(|_| Target::View(*i)),
        }
    }

    fn relation(&self, parts: &[String]) -> Option<Relation> {
        let columns = |t: &TableInfo| -> Vec<(String, String)> {
            t.columns.iter().filter_map(|c| Some((c.name.as_ref()?.to_string(), c.id.clone()))).collect()
        };
        match self.target(parts)? {
            Target::Table(t) => Some(Relation { id: t.id.clone(), columns: columns(t) }),
            Target::Partition(t, id) => Some(Relation { id: id.to_string(), columns: columns(t) }),
            Target::View(i) => {
                let (id, columns) = self.views.get(i)?.as_ref()?;
                Some(Relation {
                    id: id.clone(),
                    columns: columns
                        .iter()
                        .enumerate()
                        .filter_map(|(p, n)| Some((n.clone()?, format!("{id}#{p}"))))
                        .collect(),
                })
            }
        }
    }
}

/// The views' models, in creation order, with their indexes' names chosen.
pub(super) fn build_views(
    doc: &SchemaDocument,
    tables: &[TableInfo],
    infos: Vec<Option<ViewInfo>>,
    relations: &mut Namespace,
    routines: &super::carried::Routines,
) -> Option<Vec<ViewModel>> {
    let infos: Vec<ViewInfo> = infos.into_iter().collect::<Option<_>>()?;
    let lookup = Lookup::new(doc, tables, heads(infos.iter().map(Some)));
    let order = topological(&view_reads(infos.iter().map(Some), &lookup)).ok()?;
    for v in &infos {
        for x in &v.indexes {
            if let Some(n) = &x.name {
                relations.insert(n.as_str());
            }
        }
    }
    let mut models: Vec<Option<ViewModel>> = Vec::new();
    for v in &infos {
        let relation = |parts: &[String]| lookup.relation(parts);
        let mut reads = Vec::new();
        for parts in v.query.relations() {
            let id = match lookup.target(parts) {
                // A partition changes with its parent.
                Some(Target::Table(t) | Target::Partition(t, _)) => t.id.clone(),
                Some(Target::View(j)) => infos.get(j)?.id.clone(),
                None => continue,
            };
            if !reads.contains(&id) {
                reads.push(id);
            }
        }
        let mut calls: Vec<String> = Vec::new();
        for node in v.query.nodes() {
            if let schemaforge_pgparse::Node::Function { name, .. } = node {
                if let Some(id) = super::carried::key(&name).and_then(|k| routines.get(&k)) {
                    if !calls.contains(id) {
                        calls.push(id.clone());
                    }
                }
            }
        }
        let mut indexes = Vec::new();
        for x in &v.indexes {
            let name = match &x.name {
                Some(n) => n.clone(),
                None => {
                    let cols: Vec<&str> = x.columns.iter().map(Ident::as_str).collect();
                    let chosen = choose_name(v.name.as_str(), Some(&cols.join("_")), "idx", &[relations]);
                    relations.insert(&chosen);
                    Ident::parse(&chosen).ok()?
                }
            };
            indexes.push(ViewIndexModel {
                id: x.id.clone(),
                name,
                positions: x.positions.clone(),
                columns: x.columns.clone(),
                unique: x.unique,
                method: x.method,
                comment: x.comment.clone(),
            });
        }
        models.push(Some(ViewModel {
            id: v.id.clone(),
            name: v.name.clone(),
            namespace: v.namespace.clone(),
            materialized: v.materialized,
            sql: v.query.sql().to_string(),
            canonical: v.query.canonical(&relation, true),
            shape: v.query.canonical(&relation, false),
            columns: v.columns.clone(),
            reads,
            calls,
            indexes,
            comment: v.comment.clone(),
        }));
    }
    order.into_iter().map(|i| models.get_mut(i).and_then(Option::take)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::codes_at;
    use serde_json::{Value, json};

    fn with_views(views: Value) -> Value {
        json!({"name": "x", "namespaces": [{"id": "n1", "name": "ops"}], "tables": [
            {"id": "tu", "name": "users", "columns": [
                {"id": "u_id", "name": "id", "dataType": "bigint", "primaryKey": true},
                {"id": "u_name", "name": "name", "dataType": "text"}]},
            {"id": "tl", "name": "log", "namespaceId": "n1", "columns": [
                {"id": "l_id", "name": "id", "dataType": "bigint", "primaryKey": true}]}],
            "views": views})
    }

    fn errors(views: Value) -> Vec<(String, &'static str)> {
        codes_at(with_views(views)).into_iter().filter(|(_, c)| *c != "UNVERIFIED_EXPRESSION").collect()
    }

    #[test]
    fn names_resolve_per_namespace_and_what_does_not_resolve_is_reported() {
        let ok = json!([{"id": "v1", "name": "v", "query": "SELECT u.id, l.id AS log_id FROM users u JOIN ops.log l ON l.id = u.id"}]);
        assert_eq!(errors(ok), []);
        for (query, code) in [
            ("SELECT id FROM log", "UNKNOWN_REFERENCE"),
            ("SELECT id FROM nowhere", "UNKNOWN_REFERENCE"),
            ("SELECT u.nope FROM users u", "UNKNOWN_REFERENCE"),
            ("SELECT nope FROM users", "UNKNOWN_REFERENCE"),
            ("SELECT * FROM users", "INVALID_EXPRESSION"),
            ("SELECT id, id FROM users", "DUPLICATE_NAME"),
            ("SELECT 1, 2", "DUPLICATE_NAME"),
            ("DELETE FROM users", "INVALID_EXPRESSION"),
            ("SELECT id FROM users; SELECT 1", "INVALID_EXPRESSION"),
        ] {
            let found = errors(json!([{"id": "v1", "name": "v", "query": query}]));
            assert_eq!(found, [("/views/0/query".to_string(), code)], "{query}");
        }
        let catalog = codes_at(with_views(
            json!([{"id": "v1", "name": "v", "query": "SELECT relname FROM pg_catalog.pg_class"}]),
        ));
        assert!(catalog.contains(&("/views/0/query".to_string(), "UNVERIFIED_REFERENCE")), "{catalog:?}");
    }

    #[test]
    fn views_share_names_with_tables_read_each_other_and_refuse_cycles() {
        assert_eq!(
            errors(json!([{"id": "v1", "name": "users", "query": "SELECT 1 AS one"}])),
            [("/views/0/name".to_string(), "DUPLICATE_NAME")]
        );
        let chain = json!([
            {"id": "v2", "name": "b", "query": "SELECT n FROM a"},
            {"id": "v1", "name": "a", "query": "SELECT name AS n FROM users"}]);
        assert_eq!(errors(chain.clone()), []);
        let schema = crate::ValidSchema::parse(crate::parse_document(&with_views(chain).to_string()).unwrap()).unwrap();
        let order: Vec<&str> = schema.model().views.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(order, ["a", "b"], "a view after the views it reads");
        assert_eq!(schema.model().views[1].reads, ["v1"]);
        let cycle = json!([
            {"id": "v1", "name": "a", "query": "SELECT n FROM b"},
            {"id": "v2", "name": "b", "query": "SELECT n FROM a"}]);
        let found = errors(cycle);
        assert_eq!(found.iter().filter(|(_, c)| *c == "DEPENDENCY_CYCLE").count(), 2, "{found:?}");
        let reads_broken = json!([
            {"id": "v1", "name": "a", "query": "SELECT nope FROM users"},
            {"id": "v2", "name": "b", "query": "SELECT n FROM a"}]);
        assert_eq!(
            errors(reads_broken),
            [("/views/0/query".to_string(), "UNKNOWN_REFERENCE")],
            "reported once, where it is"
        );
    }

    #[test]
    fn indexes_belong_to_materialized_views_and_name_output_columns() {
        let view = |materialized: bool, columns: Value| {
            json!([{"id": "v1", "name": "v", "materialized": materialized, "query": "SELECT id, name AS label FROM users",
                    "indexes": [{"id": "x1", "columns": columns, "unique": true}]}])
        };
        assert_eq!(errors(view(true, json!(["label", "id"]))), []);
        assert_eq!(errors(view(false, json!(["id"]))), [("/views/0/indexes".to_string(), "INVALID_INDEX")]);
        assert_eq!(
            errors(view(true, json!(["name"]))),
            [("/views/0/indexes/0/columns/0".to_string(), "UNKNOWN_REFERENCE")]
        );
        assert_eq!(
            errors(view(true, json!(["id", "id"]))),
            [("/views/0/indexes/0/columns/1".to_string(), "INVALID_INDEX")]
        );
        let schema = crate::ValidSchema::parse(
            crate::parse_document(&with_views(view(true, json!(["label"]))).to_string()).unwrap(),
        )
        .unwrap();
        assert_eq!(schema.model().views[0].indexes[0].name.as_str(), "v_label_idx");
    }
}
