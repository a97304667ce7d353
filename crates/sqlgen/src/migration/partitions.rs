//! Statements for partitions.

use schemaforge_domain::{ChangeKind, ModelIndex, PartitionModel, TableModel};

use super::Cx;
use crate::postgres::Postgres;
use crate::script::{Statement, StatementKind};

/// Table `table_id` of `m` and its partition `partition_id`.
fn partition<'m>(
    m: &ModelIndex<'m>,
    table_id: &str,
    partition_id: &str,
) -> Option<(&'m TableModel, &'m PartitionModel)> {
    let t = m.table(table_id)?;
    Some((t, t.partitions.iter().find(|p| p.id == partition_id)?))
}

impl Postgres {
    /// The statements of a change to a partition; `None` for another kind of change.
    pub(super) fn partitions_statements(&self, cx: &Cx<'_>) -> Option<Option<Vec<Statement>>> {
        let (from, to) = (cx.from, cx.to);
        // Renames run after the moves (a partition moves with its table, to
        // its table's new namespace) and the namespace renames.
        let schema = |t: &TableModel| t.namespace.as_ref().map(|n| n.name.to_string());
        Some(match &cx.change.kind {
            ChangeKind::CreatePartition { table_id, partition_id } => {
                partition(to, table_id, partition_id).map(|(t, p)| {
                    let pt = self.partition_table(t, p);
                    let mut out = vec![self.create_partition(t, p)];
                    out.extend(p.indexes.iter().map(|x| self.create_index(&pt, x)));
                    if p.comment.is_some() {
                        out.push(self.table_comment(&pt));
                    }
                    out.extend(p.indexes.iter().filter(|x| x.comment.is_some()).map(|x| self.index_comment(&pt, x)));
                    out
                })
            }
            // Before the renames: the old names.
            ChangeKind::DropPartition { table_id, partition_id } => {
                partition(from, table_id, partition_id).map(|(t, p)| {
                    cx.st(StatementKind::DropTable, format!("DROP TABLE {}", self.qn(&t.namespace, p.name.as_str())))
                })
            }
            ChangeKind::RenamePartition { table_id, from: a, to: b, .. } => {
                to.table(table_id).map(|t| cx.rename("TABLE", schema(t), a, b))
            }
            ChangeKind::DetachPartitionAsTable { table_id, partition_id } => partition(from, table_id, partition_id)
                .map(|(t, p)| cx.st(StatementKind::AlterColumn, self.detach_partition(t, p))),
            ChangeKind::DetachPartition { table_id, partition_id } => partition(to, table_id, partition_id)
                .map(|(t, p)| cx.st(StatementKind::AlterColumn, self.detach_partition(t, p))),
            ChangeKind::AttachPartition { table_id, partition_id } => partition(to, table_id, partition_id)
                .map(|(t, p)| cx.st(StatementKind::AlterColumn, self.attach_partition(t, p))),
            ChangeKind::SetPartitionComment { table_id, partition_id } => partition(to, table_id, partition_id)
                .map(|(t, p)| vec![self.table_comment(&self.partition_table(t, p))]),
            ChangeKind::AddPartitionIndex { table_id, partition_id, index_id } => partition(to, table_id, partition_id)
                .and_then(|(t, p)| {
                    let x = p.indexes.iter().find(|x| &x.id == index_id)?;
                    Some(vec![self.create_index(&self.partition_table(t, p), x)])
                }),
            ChangeKind::DropPartitionIndex { table_id, partition_id, index_id } => {
                partition(from, table_id, partition_id).and_then(|(t, p)| {
                    let x = p.indexes.iter().find(|x| &x.id == index_id)?;
                    Some(
                        cx.st(
                            StatementKind::DropIndex,
                            format!("DROP INDEX {}", self.qn(&t.namespace, x.name.as_str())),
                        ),
                    )
                })
            }
            ChangeKind::RenamePartitionIndex { table_id, from: a, to: b, .. } => {
                to.table(table_id).map(|t| cx.rename("INDEX", schema(t), a, b))
            }
            ChangeKind::SetPartitionIndexComment { table_id, partition_id, index_id } => {
                partition(to, table_id, partition_id).and_then(|(t, p)| {
                    let x = p.indexes.iter().find(|x| &x.id == index_id)?;
                    Some(vec![self.index_comment(&self.partition_table(t, p), x)])
                })
            }
            _ => return None,
        })
    }
}
