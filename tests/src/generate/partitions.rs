//! The partitioned table of generated documents: events partitioned by
//! range of an integer, with a default partition and an index of one
//! partition's own, and the edits of its partitions.

use super::*;
use schemaforge_domain::{Partition, PartitionBound, PartitionBy, PartitionStrategy};

const TABLE_ID: &str = "tp";

fn range(from: i64, to: i64) -> PartitionBound {
    PartitionBound {
        from: Some(vec![Literal::Number(from.into())]),
        to: Some(vec![Literal::Number(to.into())]),
        ..PartitionBound::default()
    }
}

fn partition(id: &str, name: String, bound: PartitionBound) -> Partition {
    Partition { id: id.into(), name, bound, indexes: Vec::new(), comment: None }
}

/// The table, named uniquely among `relation_names`.
pub fn partitioned_table(relation_names: &mut HashSet<String>) -> Table {
    let name = unique("events \"p\"", relation_names);
    let mut at = Column::new("tpc1", "at", "integer");
    at.nullable = Some(false);
    let mut id = Column::new("tpc0", "id", "integer");
    id.nullable = Some(false);
    let columns = vec![id, at, Column::new("tpc2", "note", "text")];
    let mut p0 = partition("tpp0", unique(&format!("{}_0", clip(&name, 40)), relation_names), range(0, 100));
    let mut own = index("tppi0", "tpc2");
    own.column_ids.push(IndexColumn::Id("tpc0".into()));
    p0.indexes.push(own);
    p0.comment = Some("the 'first' one".into());
    let p1 = partition("tpp1", unique(&format!("{}_1", clip(&name, 40)), relation_names), range(100, 200));
    let rest = partition(
        "tppd",
        unique(&format!("{}_rest", clip(&name, 40)), relation_names),
        PartitionBound { default: true, ..PartitionBound::default() },
    );
    Table {
        id: TABLE_ID.into(),
        name,
        namespace_id: None,
        comment: None,
        position: None,
        columns,
        indexes: vec![index("tpi0", "tpc2")],
        checks: Vec::new(),
        uniques: Vec::new(),
        exclusions: Vec::new(),
        primary_key: Some(vec!["tpc0".into(), "tpc1".into()]),
        without_primary_key: false,
        primary_key_name: None,
        row_level_security: false,
        partition_by: Some(PartitionBy {
            strategy: PartitionStrategy::Range,
            columns: vec![IndexColumn::Id("tpc1".into())],
        }),
        partitions: vec![p0, p1, rest],
    }
}

/// Add a partition, drop one, rename one, widen a bound, toggle a
/// partition's own index or comment.
pub fn edit_partitions(doc: &mut SchemaDocument, salt: usize, fresh: &str) {
    let Some(t) = doc.tables.iter_mut().find(|t| t.id == TABLE_ID) else { return };
    let n = t.partitions.len();
    let pick = (salt / 6) % n.max(1);
    match salt % 6 {
        0 => {
            let from = 1000 + (salt % 50) as i64 * 20;
            t.partitions.push(partition(&format!("tpp_new{salt}"), fresh.to_string(), range(from, from + 20)));
        }
        1 if n > 0 => {
            t.partitions.remove(pick);
        }
        2 if n > 0 => t.partitions[pick].name = fresh.to_string(),
        3 => {
            if let Some(p) = t.partitions.iter_mut().find(|p| p.id == "tpp1") {
                p.bound = range(100, 200 + (salt % 7) as i64 * 50);
            }
        }
        4 if n > 0 => {
            let p = &mut t.partitions[pick];
            if p.indexes.is_empty() {
                p.indexes.push(index(format!("tppi{salt}"), "tpc0"));
            } else {
                p.indexes.clear();
            }
        }
        _ if n > 0 => {
            let p = &mut t.partitions[pick];
            p.comment = if p.comment.is_some() { None } else { Some(fresh.to_string()) };
        }
        _ => {}
    }
}
