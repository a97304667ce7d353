//! Partitioned tables: the key (checked as index elements are, for the
//! method the strategy needs), the keys and constraints PostgreSQL allows
//! on a partitioned table, and each partition's name, bound and indexes.

use std::collections::HashSet;

use super::indexes::{self, IndexTable};
use super::*;
use crate::document::{Partition, PartitionBound, PartitionStrategy, Table};
use crate::model::{BoundModel, BoundValue, IndexKey, PartitionByModel};

/// A partition whose index names may still have to be generated.
#[derive(Debug, Clone)]
pub(super) struct PartitionInfo {
    pub(super) id: String,
    pub(super) name: Ident,
    pub(super) bound: BoundModel,
    pub(super) indexes: Vec<IndexInfo>,
    pub(super) comment: Option<String>,
}

/// What the partition checks need of the table.
pub(super) struct Parent<'a, 'c, 'd> {
    pub(super) table: &'d Table,
    pub(super) path: &'a str,
    pub(super) index_table: &'a IndexTable<'a, 'c>,
    pub(super) enum_values: &'a HashMap<&'a str, &'a [String]>,
    /// The table's own indexes, checked.
    pub(super) indexes: &'a [IndexInfo],
}

/// Check `t`'s partitioning; `None` (and no partitions) for a plain table.
pub(super) fn check_partitioning<'d>(
    ctx: &mut Ctx,
    parent: &Parent<'_, '_, 'd>,
    names: &mut tables::Names<'_, 'd>,
) -> (Option<PartitionByModel>, Vec<Option<PartitionInfo>>) {
    let t = parent.table;
    let tpath = parent.path;
    let Some(by) = &t.partition_by else {
        if !t.partitions.is_empty() {
            ctx.error(
                Code::InvalidPartition,
                format!("{tpath}/partitions"),
                "only a partitioned table (one with partitionBy) has partitions",
            );
        }
        return (None, Vec::new());
    };
    let kpath = format!("{tpath}/partitionBy/columns");
    let method = if by.strategy == PartitionStrategy::Hash { IndexMethod::Hash } else { IndexMethod::Btree };
    if by.columns.is_empty() {
        ctx.error(Code::InvalidPartition, kpath.clone(), "a partition key needs at least one column or expression");
    }
    if by.strategy == PartitionStrategy::List && by.columns.len() > 1 {
        ctx.error(Code::InvalidPartition, kpath.clone(), "a list partition key has one column or expression");
    }
    let mut seen = HashSet::new();
    let mut keys = Vec::new();
    for (k, ic) in by.columns.iter().enumerate() {
        let path = format!("{kpath}/{k}");
        if ic.order().is_some() || ic.nulls().is_some() {
            ctx.error(Code::InvalidPartition, path.clone(), "a partition key takes no ordering (order, nulls)");
        }
        // A multi-column hash key is fine; the index check's one-column
        // rule for hash indexes does not apply.
        let element = indexes::element(ctx, parent.index_table, method, ic, &path, &mut seen);
        keys.extend(element);
    }
    let owned_ids: Vec<Option<String>> = keys
        .iter()
        .map(|k| match &k.key {
            IndexKey::Column(id) => Some(id.clone()),
            IndexKey::Expression(_) => None,
        })
        .collect();
    let key_ids: Vec<Option<&str>> = owned_ids.iter().map(Option::as_deref).collect();
    check_keys_cover_partition_key(ctx, t, tpath, &key_ids);
    if !t.exclusions.is_empty() {
        ctx.error(
            Code::InvalidPartition,
            format!("{tpath}/exclusions"),
            "a partitioned table takes no EXCLUDE constraints here (put them on the partitions' own tables)",
        );
    }
    let model = (keys.len() == by.columns.len()).then_some(PartitionByModel { strategy: by.strategy, keys });
    let mut partitions = Vec::new();
    let mut defaults = 0;
    let mut taken_bounds: HashSet<String> = HashSet::new();
    for (pi, p) in t.partitions.iter().enumerate() {
        let ppath = format!("{tpath}/partitions/{pi}");
        if p.bound.default {
            defaults += 1;
            if defaults > 1 {
                ctx.error(
                    Code::InvalidPartition,
                    format!("{ppath}/bound"),
                    "a table has at most one default partition",
                );
            }
        }
        partitions.push(partition(ctx, parent, names, p, &ppath, &key_ids, by.strategy, &mut taken_bounds));
    }
    let ranges = t.partitions.iter().filter(|p| p.bound.from.is_some()).count();
    if single_integer_key(parent, &key_ids) {
        report_overlaps(ctx, t, tpath);
    } else if ranges > 0 {
        ctx.warn(
            Code::UnverifiedExpression,
            format!("{tpath}/partitions"),
            "PostgreSQL checks that each range is not empty and that the ranges do not overlap when the script runs",
        );
    }
    (model, partitions)
}

/// PostgreSQL's rule: a partitioned table's primary key and unique keys
/// include every column of the partition key, which has no expressions then.
fn check_keys_cover_partition_key(ctx: &mut Ctx, t: &Table, tpath: &str, key_ids: &[Option<&str>]) {
    let mut keys: Vec<(String, Vec<&str>)> = Vec::new();
    let pk: Vec<&str> = match &t.primary_key {
        Some(ids) => ids.iter().map(String::as_str).collect(),
        None => t.columns.iter().filter(|c| c.primary_key).map(|c| c.id.as_str()).collect(),
    };
    if !pk.is_empty() {
        let at = if t.primary_key.is_some() { format!("{tpath}/primaryKey") } else { tpath.to_string() };
        keys.push((at, pk));
    }
    for (ci, c) in t.columns.iter().enumerate().filter(|(_, c)| c.unique) {
        keys.push((format!("{tpath}/columns/{ci}/unique"), vec![c.id.as_str()]));
    }
    for (ui, u) in t.uniques.iter().enumerate() {
        keys.push((format!("{tpath}/uniques/{ui}"), u.column_ids.iter().map(String::as_str).collect()));
    }
    for (xi, x) in t.indexes.iter().enumerate().filter(|(_, x)| x.unique) {
        let cols: Vec<&str> = x.column_ids.iter().filter_map(|c| c.column_id()).collect();
        keys.push((format!("{tpath}/indexes/{xi}"), cols));
    }
    for (at, cols) in keys {
        let covered = key_ids.iter().all(|k| k.is_some_and(|id| cols.contains(&id)));
        if !covered {
            ctx.error(
                Code::InvalidPartition,
                at,
                "a unique key or primary key of a partitioned table must include every column of the partition key \
                 (and the key then has no expressions): each partition enforces it alone",
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn partition<'d>(
    ctx: &mut Ctx,
    parent: &Parent<'_, '_, 'd>,
    names: &mut tables::Names<'_, 'd>,
    p: &'d Partition,
    ppath: &str,
    key_ids: &[Option<&str>],
    strategy: PartitionStrategy,
    taken: &mut HashSet<String>,
) -> Option<PartitionInfo> {
    let t = parent.table;
    let before = ctx.errors();
    let name = ctx.ident(&p.name, format!("{ppath}/name"), "partition");
    if name.is_some() {
        if catalog::shadowed_relation(&p.name) {
            ctx.error(
                Code::ReservedName,
                format!("{ppath}/name"),
                format!("partition name \"{}\" starts with pg_, the prefix of PostgreSQL's system catalogs", p.name),
            );
        }
        names.types.add_in(ctx, scope_key(&t.namespace_id), &p.name, format!("{ppath}/name"));
        names.relations.add_quiet_in(scope_key(&t.namespace_id), &p.name, format!("{ppath}/name"));
    }
    ctx.text(p.comment.as_deref(), format!("{ppath}/comment"), "the comment");
    let bound = bound(ctx, parent, &p.bound, &format!("{ppath}/bound"), key_ids, strategy);
    if let Some(b) = &bound {
        let signature = format!("{b:?}");
        if !matches!(b, BoundModel::Default | BoundModel::Range { .. }) && !taken.insert(signature) {
            ctx.error(Code::InvalidPartition, format!("{ppath}/bound"), "another partition has this bound");
        }
        if let BoundModel::List(values) = b {
            for v in values {
                if !taken.insert(format!("list:{v:?}")) {
                    ctx.error(
                        Code::InvalidPartition,
                        format!("{ppath}/bound/in"),
                        format!("the value {} is in another partition's list", v.as_deref().unwrap_or("NULL")),
                    );
                }
            }
        }
    }
    let mut indexes = Vec::new();
    for (xi, ix) in p.indexes.iter().enumerate() {
        let xpath = format!("{ppath}/indexes/{xi}");
        let xname = indexes::name(ctx, ix, &xpath);
        if let (Some(_), Some(n)) = (&xname, &ix.name) {
            names.relations.add_in(ctx, scope_key(&t.namespace_id), n, format!("{xpath}/name"));
        }
        let info = indexes::analyze(ctx, parent.index_table, ix, &xpath, xname);
        if let Some(same) = parent.indexes.iter().position(|x| same_elements(x, &info)) {
            ctx.error(
                Code::InvalidIndex,
                xpath.clone(),
                format!(
                    "the table's index at {}/indexes/{same} is on every partition already; PostgreSQL would take \
                     this one for it when that index is created again",
                    parent.path
                ),
            );
        }
        indexes.push(info);
    }
    if ctx.errors() > before {
        return None;
    }
    Some(PartitionInfo { id: p.id.clone(), name: name?, bound: bound?, indexes, comment: p.comment.clone() })
}

/// Whether two indexes have the same elements, method and predicate, as
/// PostgreSQL compares them when it looks for a partition's index to
/// attach to a new index of the parent.
fn same_elements(a: &IndexInfo, b: &IndexInfo) -> bool {
    a.method == b.method
        && a.columns.len() == b.columns.len()
        && a.columns.iter().zip(&b.columns).all(|(x, y)| x.same_modulo_names(y))
        && match (&a.predicate, &b.predicate) {
            (None, None) => !a.has_predicate && !b.has_predicate,
            (Some(x), Some(y)) => x.same_modulo_names(y),
            _ => false,
        }
}

fn bound(
    ctx: &mut Ctx,
    parent: &Parent<'_, '_, '_>,
    b: &PartitionBound,
    path: &str,
    key_ids: &[Option<&str>],
    strategy: PartitionStrategy,
) -> Option<BoundModel> {
    let shape = (b.from.is_some() || b.to.is_some(), b.values.is_some(), b.modulus.is_some() || b.remainder.is_some());
    let want = match strategy {
        PartitionStrategy::Range => "`from` and `to`",
        PartitionStrategy::List => "`in`",
        PartitionStrategy::Hash => "`modulus` and `remainder`",
    };
    let fits = match strategy {
        PartitionStrategy::Range => shape == (true, false, false) || (b.default && shape == (false, false, false)),
        PartitionStrategy::List => shape == (false, true, false) || (b.default && shape == (false, false, false)),
        PartitionStrategy::Hash => shape == (false, false, true) && !b.default,
    };
    if !fits || (b.default && shape != (false, false, false)) {
        let default = if strategy == PartitionStrategy::Hash { "" } else { ", or `\"default\": true` alone" };
        ctx.error(
            Code::InvalidPartition,
            path.to_string(),
            format!("a {} partition's bound is {want}{default}", strategy.sql().to_lowercase()),
        );
        return None;
    }
    if b.default {
        return Some(BoundModel::Default);
    }
    match strategy {
        PartitionStrategy::Range => {
            let (Some(from), Some(to)) = (&b.from, &b.to) else {
                ctx.error(Code::InvalidPartition, path.to_string(), "a range bound needs both `from` and `to`");
                return None;
            };
            let from = range_values(ctx, parent, from, &format!("{path}/from"), key_ids)?;
            let to = range_values(ctx, parent, to, &format!("{path}/to"), key_ids)?;
            Some(BoundModel::Range { from, to })
        }
        PartitionStrategy::List => {
            let values = b.values.as_deref().unwrap_or_default();
            if values.is_empty() {
                ctx.error(Code::InvalidPartition, format!("{path}/in"), "a list bound needs at least one value");
            }
            let mut out = Vec::new();
            for (i, v) in values.iter().enumerate() {
                match v {
                    Literal::Null => out.push(None),
                    v => out.push(Some(key_literal(
                        ctx,
                        parent,
                        key_ids.first().copied().flatten(),
                        v,
                        &format!("{path}/in/{i}"),
                    )?)),
                }
            }
            Some(BoundModel::List(out))
        }
        PartitionStrategy::Hash => {
            let (Some(modulus), Some(remainder)) = (b.modulus, b.remainder) else {
                ctx.error(
                    Code::InvalidPartition,
                    path.to_string(),
                    "a hash bound needs both `modulus` and `remainder`",
                );
                return None;
            };
            if modulus == 0 || remainder >= modulus {
                ctx.error(
                    Code::InvalidPartition,
                    path.to_string(),
                    "a hash bound's modulus is positive and its remainder less than the modulus",
                );
                return None;
            }
            Some(BoundModel::Hash { modulus, remainder })
        }
    }
}

fn range_values(
    ctx: &mut Ctx,
    parent: &Parent<'_, '_, '_>,
    values: &[Literal],
    path: &str,
    key_ids: &[Option<&str>],
) -> Option<Vec<BoundValue>> {
    if values.len() != key_ids.len() {
        ctx.error(
            Code::InvalidPartition,
            path.to_string(),
            format!("the bound has {} values; the partition key has {}", values.len(), key_ids.len()),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut unbounded = None;
    for (i, (v, key)) in values.iter().zip(key_ids).enumerate() {
        let value = match v {
            Literal::String(s) if s == "MINVALUE" => BoundValue::MinValue,
            Literal::String(s) if s == "MAXVALUE" => BoundValue::MaxValue,
            Literal::Null => {
                ctx.error(
                    Code::InvalidPartition,
                    format!("{path}/{i}"),
                    "a range bound cannot be NULL (use MINVALUE or MAXVALUE)",
                );
                return None;
            }
            v => BoundValue::Value(key_literal(ctx, parent, *key, v, &format!("{path}/{i}"))?),
        };
        // After MINVALUE or MAXVALUE, PostgreSQL takes only the same.
        if let Some(u) = &unbounded {
            if &value != u {
                ctx.error(
                    Code::InvalidPartition,
                    format!("{path}/{i}"),
                    "after MINVALUE (or MAXVALUE) every later value of the bound is the same",
                );
                return None;
            }
        }
        if matches!(value, BoundValue::MinValue | BoundValue::MaxValue) {
            unbounded = Some(value.clone());
        }
        out.push(value);
    }
    Some(out)
}

/// A bound value for key element `key` (a column id, or `None` for an
/// expression, whose type the server decides): its text.
fn key_literal(
    ctx: &mut Ctx,
    parent: &Parent<'_, '_, '_>,
    key: Option<&str>,
    v: &Literal,
    path: &str,
) -> Option<String> {
    let column = key.and_then(|id| parent.index_table.columns.iter().find(|c| c.id == id));
    let Some(ty) = column.and_then(|c| c.ty.as_ref()) else {
        return match v {
            Literal::String(s) => Some(s.clone()),
            Literal::Number(n) => Some(n.to_string()),
            Literal::Bool(b) => Some(b.to_string()),
            _ => {
                ctx.error(Code::InvalidPartition, path.to_string(), "a bound value is a string, number or boolean");
                None
            }
        };
    };
    if ty.array {
        ctx.error(Code::InvalidPartition, path.to_string(), "bounds of an array key are not supported");
        return None;
    }
    let labels = match &ty.base {
        crate::model::BaseType::Enum { id, .. } => parent.enum_values.get(id.as_str()).copied(),
        _ => None,
    };
    match super::defaults::scalar_literal(v, &ty.base, labels) {
        Ok(text) => Some(text),
        Err((code, message)) => {
            let code = if code == Code::InvalidDefault { Code::InvalidPartition } else { code };
            ctx.error(code, path.to_string(), message.replace("column", "partition key"));
            None
        }
    }
}

fn single_integer_key(parent: &Parent<'_, '_, '_>, key_ids: &[Option<&str>]) -> bool {
    let [Some(id)] = key_ids else { return false };
    parent.index_table.columns.iter().find(|c| c.id == *id).and_then(|c| c.ty.as_ref()).is_some_and(|t| {
        !t.array
            && matches!(
                t.base,
                crate::model::BaseType::SmallInt | crate::model::BaseType::Integer | crate::model::BaseType::BigInt
            )
    })
}

/// Overlapping ranges of a single integer key, which PostgreSQL refuses.
fn report_overlaps(ctx: &mut Ctx, t: &Table, tpath: &str) {
    let bound = |v: &Literal, unbounded: i128| match v {
        Literal::String(s) if s == "MINVALUE" => Some(i128::MIN),
        Literal::String(s) if s == "MAXVALUE" => Some(i128::MAX),
        Literal::Number(n) => n.as_i64().map(i128::from),
        Literal::String(s) => crate::values::parse_integer(s),
        _ => Some(unbounded),
    };
    let mut ranges: Vec<(i128, i128, usize)> = Vec::new();
    for (pi, p) in t.partitions.iter().enumerate() {
        let (Some([from]), Some([to])) = (p.bound.from.as_deref(), p.bound.to.as_deref()) else { continue };
        let (Some(a), Some(b)) = (bound(from, i128::MIN), bound(to, i128::MAX)) else { continue };
        if a >= b {
            ctx.error(
                Code::InvalidPartition,
                format!("{tpath}/partitions/{pi}/bound"),
                "the range is empty: `from` must be less than `to`",
            );
            continue;
        }
        ranges.push((a, b, pi));
    }
    ranges.sort();
    for pair in ranges.windows(2) {
        if let [(_, end, first), (start, _, second)] = pair {
            if start < end {
                ctx.error(
                    Code::InvalidPartition,
                    format!("{tpath}/partitions/{second}/bound"),
                    format!("the range overlaps partition {}'s", t.partitions[*first].name),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::codes_at;
    use serde_json::{Value, json};

    /// A table partitioned by `by`, with `partitions`, keyed on (id, n).
    fn table(by: Value, partitions: Value) -> Value {
        json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
            {"id": "c_id", "name": "id", "dataType": "integer"},
            {"id": "c_n", "name": "n", "dataType": "integer", "nullable": false},
            {"id": "c_s", "name": "s", "dataType": "text"}],
            "primaryKey": ["c_id", "c_n"], "partitionBy": by, "partitions": partitions}]})
    }

    fn errors(doc: Value) -> Vec<(String, &'static str)> {
        codes_at(doc).into_iter().filter(|(_, c)| !c.starts_with("UNVERIFIED")).collect()
    }

    fn range(from: Value, to: Value) -> Value {
        json!({"from": from, "to": to})
    }

    #[test]
    fn bounds_fit_the_strategy_and_the_key() {
        let by = json!({"strategy": "range", "columns": ["c_n"]});
        let ok = json!([
            {"id": "p1", "name": "t_low", "bound": range(json!(["MINVALUE"]), json!([0]))},
            {"id": "p2", "name": "t_mid", "bound": range(json!([0]), json!(["100"]))},
            {"id": "p3", "name": "t_rest", "bound": {"default": true}}]);
        assert_eq!(errors(table(by.clone(), ok)), []);
        for (bound, at) in [
            (json!({"in": [1]}), "/tables/0/partitions/0/bound"),
            (range(json!([1, 2]), json!([3, 4])), "/tables/0/partitions/0/bound/from"),
            (range(json!(["x"]), json!([3])), "/tables/0/partitions/0/bound/from/0"),
            (range(json!([null]), json!([3])), "/tables/0/partitions/0/bound/from/0"),
            (range(json!([5]), json!([5])), "/tables/0/partitions/0/bound"),
            (json!({"default": true, "in": [1]}), "/tables/0/partitions/0/bound"),
        ] {
            let found = errors(table(by.clone(), json!([{"id": "p1", "name": "t_p", "bound": bound}])));
            assert_eq!(found.first().map(|(p, _)| p.as_str()), Some(at), "{bound}: {found:?}");
        }
        let overlapping = json!([
            {"id": "p1", "name": "t_a", "bound": range(json!([0]), json!([10]))},
            {"id": "p2", "name": "t_b", "bound": range(json!([5]), json!([20]))}]);
        assert_eq!(
            errors(table(by.clone(), overlapping)),
            [("/tables/0/partitions/1/bound".to_string(), "INVALID_PARTITION")]
        );
        let two_defaults = json!([
            {"id": "p1", "name": "t_a", "bound": {"default": true}}, {"id": "p2", "name": "t_b", "bound": {"default": true}}]);
        assert_eq!(
            errors(table(by, two_defaults)),
            [("/tables/0/partitions/1/bound".to_string(), "INVALID_PARTITION")]
        );
        let hash = json!({"strategy": "hash", "columns": ["c_id"]});
        let found =
            errors(table(hash.clone(), json!([{"id": "p1", "name": "t_h", "bound": {"modulus": 2, "remainder": 2}}])));
        assert_eq!(found, [("/tables/0/partitions/0/bound".to_string(), "INVALID_PARTITION")]);
        let twice = json!([{"id": "p1", "name": "t_h", "bound": {"modulus": 2, "remainder": 0}}, {"id": "p2", "name": "t_i", "bound": {"modulus": 2, "remainder": 0}}]);
        assert_eq!(errors(table(hash, twice)), [("/tables/0/partitions/1/bound".to_string(), "INVALID_PARTITION")]);
        let list = json!({"strategy": "list", "columns": ["c_n"]});
        let repeated = json!([{"id": "p1", "name": "t_a", "bound": {"in": [1, 2]}}, {"id": "p2", "name": "t_b", "bound": {"in": [2]}}]);
        assert_eq!(
            errors(table(list, repeated)),
            [("/tables/0/partitions/1/bound/in".to_string(), "INVALID_PARTITION")]
        );
    }

    #[test]
    fn keys_and_constraints_are_what_postgresql_allows_on_a_partitioned_table() {
        let two = json!({"strategy": "list", "columns": ["c_id", "c_n"]});
        assert_eq!(errors(table(two, json!([]))), [("/tables/0/partitionBy/columns".to_string(), "INVALID_PARTITION")]);
        let on_s = json!({"strategy": "range", "columns": ["c_s"]});
        assert_eq!(errors(table(on_s, json!([]))), [("/tables/0/primaryKey".to_string(), "INVALID_PARTITION")]);
        let expression = json!({"strategy": "range", "columns": [{"expression": "n + 1"}]});
        assert_eq!(errors(table(expression, json!([]))), [("/tables/0/primaryKey".to_string(), "INVALID_PARTITION")]);
        let unknown = json!({"strategy": "range", "columns": ["nope"]});
        assert!(errors(table(unknown, json!([]))).iter().any(|(_, c)| *c == "UNKNOWN_REFERENCE"));
        let mut plain = table(json!(null), json!([{"id": "p1", "name": "t_a", "bound": {"default": true}}]));
        plain["tables"][0].as_object_mut().unwrap().remove("partitionBy");
        assert_eq!(errors(plain), [("/tables/0/partitions".to_string(), "INVALID_PARTITION")]);
        let by = json!({"strategy": "range", "columns": ["c_n"]});
        let clash = json!([{"id": "p1", "name": "t", "bound": {"default": true}}]);
        assert_eq!(errors(table(by, clash)), [("/tables/0/partitions/0/name".to_string(), "DUPLICATE_NAME")]);
    }

    #[test]
    fn partitions_are_tables_views_can_read() {
        let mut doc = table(
            json!({"strategy": "range", "columns": ["c_n"]}),
            json!([{"id": "p1", "name": "t_all", "bound": {"default": true}}]),
        );
        doc["views"] = json!([{"id": "v", "name": "v", "query": "SELECT id, s FROM t_all"}]);
        assert_eq!(errors(doc.clone()), []);
        let schema = crate::ValidSchema::parse(crate::parse_document(&doc.to_string()).unwrap()).unwrap();
        assert_eq!(schema.model().views[0].reads, ["t"], "a partition changes with its parent");
    }
}
