//! A partition that becomes a table of its own (detached), or a table that
//! becomes a partition (attached), keeps its rows: it is one object, matched
//! by id. The partition's side sees it as a table too (the parent's columns,
//! keys, checks, indexes and foreign keys under the names PostgreSQL gives
//! them on the partition, without identity or comments, as a detached
//! partition is), so the table diff turns one form into the other, and the
//! partition diff detaches (first) or attaches (last).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::model::{
    ColumnModel, ForeignKeyModel, IndexColumnModel, IndexKey, IndexModel, KeyConstraint, Model, PartitionModel,
    TableModel,
};

/// The models the differ compares: `old` with a table for every partition
/// that `new` has as a table, and `new` with one for every partition that
/// `old` had as a table. Borrowed as they are when there is none.
pub fn prepare<'m>(old: &'m Model, new: &'m Model) -> (Cow<'m, Model>, Cow<'m, Model>) {
    (with_tables_for(old, new), with_tables_for(new, old))
}

/// `model`, plus a table for each of its partitions that `other` has as a
/// table.
fn with_tables_for<'m>(model: &'m Model, other: &Model) -> Cow<'m, Model> {
    let other_tables: HashMap<&str, &TableModel> = other.tables.iter().map(|t| (t.id.as_str(), t)).collect();
    let own: std::collections::HashSet<&str> = model.tables.iter().map(|t| t.id.as_str()).collect();
    let mut added = Vec::new();
    for t in &model.tables {
        for p in &t.partitions {
            if let Some(like) = other_tables.get(p.id.as_str()).filter(|_| !own.contains(p.id.as_str())) {
                added.push(as_table(model, t, p, like, other));
            }
        }
    }
    if added.is_empty() {
        return Cow::Borrowed(model);
    }
    let mut out = model.clone();
    for (table, fks) in added {
        out.tables.push(table);
        out.foreign_keys.extend(fks);
    }
    Cow::Owned(out)
}

/// Partition `p` of `parent` as the table it is once detached, with the
/// ids of `like` (the same object as a table, in the other model) where
/// names match.
fn as_table(
    model: &Model,
    parent: &TableModel,
    p: &PartitionModel,
    like: &TableModel,
    other: &Model,
) -> (TableModel, Vec<ForeignKeyModel>) {
    let ids: HashMap<&str, &str> = parent
        .columns
        .iter()
        .filter_map(|c| Some((c.id.as_str(), like.columns.iter().find(|l| l.name == c.name)?.id.as_str())))
        .collect();
    let map = |id: &str| ids.get(id).map(|s| s.to_string());
    let mapped = |id: &String| map(id).unwrap_or_else(|| id.clone());
    let inherited = |key: &str| p.inherited.iter().find(|(k, _)| k == key).map(|(_, n)| n.clone());
    let columns = parent
        .columns
        .iter()
        .map(|c| ColumnModel {
            id: mapped(&c.id),
            identity: None,
            comment: None,
            generated: c.generated.as_ref().map(|g| g.with_column_ids(&map)),
            ..c.clone()
        })
        .collect();
    let key = |k: &KeyConstraint, name: Option<crate::Ident>| {
        let column_ids: Vec<String> = k.column_ids.iter().map(mapped).collect();
        let id = k.id.as_ref().map(|id| {
            like.uniques
                .iter()
                .find(|u| u.column_ids == column_ids)
                .and_then(|u| u.id.clone())
                .unwrap_or_else(|| id.clone())
        });
        KeyConstraint { id, name: name.unwrap_or_else(|| k.name.clone()), column_ids, comment: None, ..k.clone() }
    };
    let index = |x: &IndexModel, name: crate::Ident| IndexModel {
        id: like.indexes.iter().find(|l| l.name == name).map_or_else(|| x.id.clone(), |l| l.id.clone()),
        name,
        columns: x.columns.iter().map(|c| element(c, &map)).collect(),
        predicate: x.predicate.as_ref().map(|e| e.with_column_ids(&map)),
        include: x.include.iter().map(mapped).collect(),
        comment: None,
        ..x.clone()
    };
    let mut indexes: Vec<IndexModel> = parent
        .indexes
        .iter()
        .map(|x| index(x, inherited(&format!("index:{}", x.id)).unwrap_or_else(|| x.name.clone())))
        .collect();
    indexes.extend(p.indexes.iter().map(|x| IndexModel { comment: x.comment.clone(), ..index(x, x.name.clone()) }));
    let table = TableModel {
        id: p.id.clone(),
        name: p.name.clone(),
        namespace: parent.namespace.clone(),
        comment: p.comment.clone(),
        columns,
        primary_key: parent.primary_key.as_ref().map(|k| key(k, inherited("pkey"))),
        uniques: parent
            .uniques
            .iter()
            .map(|u| key(u, inherited(&format!("unique:{}", u.column_ids.join(",")))))
            .collect(),
        checks: parent
            .checks
            .iter()
            .map(|k| crate::model::CheckModel {
                id: like.checks.iter().find(|l| l.name == k.name).map_or_else(|| k.id.clone(), |l| l.id.clone()),
                name: k.name.clone(),
                expr: k.expr.with_column_ids(&map),
                comment: None,
            })
            .collect(),
        indexes,
        exclusions: Vec::new(),
        // A partition has its own row-level security setting; a detached
        // one keeps it (off when the partition is created).
        row_level_security: false,
        partition_by: None,
        partitions: Vec::new(),
    };
    // The parent's foreign keys, cloned onto the partition under their names.
    let fks = model
        .foreign_keys
        .iter()
        .filter(|f| f.source_table_id == parent.id)
        .map(|f| {
            let source_column_ids: Vec<String> = f.source_column_ids.iter().map(mapped).collect();
            let id = other
                .foreign_keys
                .iter()
                .find(|o| {
                    o.source_table_id == p.id
                        && o.source_column_ids == source_column_ids
                        && o.target_table_id == f.target_table_id
                        && o.target_column_ids == f.target_column_ids
                })
                .map_or_else(|| format!("{}:{}", f.id, p.id), |o| o.id.clone());
            ForeignKeyModel { id, source_table_id: p.id.clone(), source_column_ids, comment: None, ..f.clone() }
        })
        .collect();
    (table, fks)
}

fn element(c: &IndexColumnModel, map: &dyn Fn(&str) -> Option<String>) -> IndexColumnModel {
    let key = match &c.key {
        IndexKey::Column(id) => IndexKey::Column(map(id).unwrap_or_else(|| id.clone())),
        IndexKey::Expression(e) => IndexKey::Expression(e.with_column_ids(map)),
    };
    IndexColumnModel { key, ..c.clone() }
}
