//! Partitioned tables and partitions, matched by id.
//!
//! A partition is a table PostgreSQL keeps in step with its parent: the
//! parent's column, key and index changes reach it by themselves. Its own
//! changes are its bound (detached and attached again, after the parent's
//! columns change and before its new siblings take a freed range), its
//! name, comment and own indexes. A table whose partitioning changes (or
//! whose key columns change type, which PostgreSQL refuses) cannot be
//! altered into its new form: it is dropped and created again.

use std::collections::{HashMap, HashSet};

use super::renames::PendingRename;
use super::{Change, ChangeKind, Differ, Safety, Stage, same_index};
use crate::model::{BoundModel, IndexModel, PartitionByModel, PartitionModel, TableModel};

const REPARTITION: &str = "PostgreSQL cannot change how a table is partitioned (or the type of a partition key \
column): the table is dropped and created again, and every row in it is deleted";
const REPARTITION_INSTEAD: &str = "create the new table beside the old one (another id), copy the rows over, then \
drop the old table";

fn same_partitioning(a: &Option<PartitionByModel>, b: &Option<PartitionByModel>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.strategy == b.strategy
                && a.keys.len() == b.keys.len()
                && a.keys.iter().zip(&b.keys).all(|(x, y)| x.same_modulo_names(y))
        }
        _ => false,
    }
}

fn partition_target(t: &TableModel, p: &PartitionModel) -> String {
    match &t.namespace {
        Some(ns) => format!("{}.{}", ns.name, p.name),
        None => p.name.to_string(),
    }
}

impl Differ<'_> {
    /// Surviving tables that must be dropped and created again: their
    /// partitioning changes, or a key column changes type.
    /// Runs first: moves and everything else leave these tables alone.
    pub(super) fn find_replaced(&mut self) {
        let old = self.old_ix.model();
        for o in &old.tables {
            let Some(n) = self.new_ix.table(&o.id) else { continue };
            let key_retyped =
                o.partition_by.iter().flat_map(|by| &by.keys).flat_map(|k| k.column_ids()).any(|c| {
                    match (o.column(c), n.column(c)) {
                        (Some(a), Some(b)) => {
                            !super::same_type(&a.ty, &b.ty) || a.collation != b.collation || a.generated != b.generated
                        }
                        _ => true,
                    }
                });
            if key_retyped || !same_partitioning(&o.partition_by, &n.partition_by) {
                self.replaced.insert(o.id.clone());
            }
        }
    }

    /// A replaced table: dropped (its foreign keys, views and owned
    /// sequences are taken care of around it) and created again.
    pub(super) fn replace_table(&mut self, o: &TableModel, n: &TableModel) {
        self.push(
            Stage::DropColumnsAndTables,
            Change::new(
                ChangeKind::DropTable { table_id: o.id.clone() },
                Safety::DataLoss,
                o.shown(),
                format!("drop table {} (created again below: its partitioning changes)", o.shown()),
            )
            .why(REPARTITION)
            .instead(REPARTITION_INSTEAD),
        );
        let old = self.old_ix.model();
        for s in old.sequences.iter().filter(|s| s.owned_by.as_ref().is_some_and(|(t, _)| t == &o.id)) {
            let Some(ns) = self.new_ix.sequence(&s.id) else { continue };
            self.push_safe(
                Stage::DropConstraints,
                ChangeKind::ReleaseSequence { sequence_id: s.id.clone() },
                s.name.as_str(),
                format!("release sequence {} from table {}, which is dropped and created again", s.name, o.shown()),
            );
            if ns.owned_by == s.owned_by {
                self.push_safe(
                    Stage::AddConstraints,
                    ChangeKind::SetSequenceOwner { sequence_id: ns.id.clone() },
                    ns.name.as_str(),
                    format!("set the owner of sequence {}", ns.name),
                );
            }
        }
        self.added_table(n);
    }

    /// Partitions of a new (or re-created) table.
    pub(super) fn added_partitions(&mut self, n: &TableModel) {
        for p in &n.partitions {
            self.create_partition(n, p, false);
        }
    }

    /// `had_default`: the table had a default partition before.
    fn create_partition(&mut self, n: &TableModel, p: &PartitionModel, had_default: bool) {
        let change = Change::new(
            ChangeKind::CreatePartition { table_id: n.id.clone(), partition_id: p.id.clone() },
            Safety::Safe,
            partition_target(n, p),
            format!("create partition {} of table {}", partition_target(n, p), n.shown()),
        );
        let change = if had_default && p.bound != BoundModel::Default {
            change.risk(
                Safety::MayFail,
                "PostgreSQL scans the default partition and fails if it holds rows the new partition's bound admits \
                 (they are not moved)",
                "move those rows out of the default partition first (or detach it, create the partition, and \
                 attach it again)",
            )
        } else {
            change
        };
        self.push(Stage::CreatePartitions, change);
    }

    /// The partitions of a table that stays.
    pub(super) fn partitions(&mut self, o: &TableModel, n: &TableModel) {
        let kept: HashSet<&str> = n.partitions.iter().map(|p| p.id.as_str()).collect();
        let before: HashMap<&str, &PartitionModel> = o.partitions.iter().map(|p| (p.id.as_str(), p)).collect();
        let had_default = o.partitions.iter().any(|x| x.bound == BoundModel::Default);
        for op in o.partitions.iter().filter(|p| !kept.contains(p.id.as_str())) {
            if let Some(table) = self.new_ix.table(&op.id) {
                self.push(
                    Stage::DetachFromParents,
                    Change::new(
                        ChangeKind::DetachPartitionAsTable { table_id: o.id.clone(), partition_id: op.id.clone() },
                        Safety::Safe,
                        partition_target(o, op),
                        format!("detach partition {} from table {}: it becomes table {}", partition_target(o, op), o.shown(), table.shown()),
                    )
                    .why("its rows stay; DETACH takes an exclusive lock on both tables for a moment, and the table's own changes follow"),
                );
                continue;
            }
            self.push(
                Stage::DropColumnsAndTables,
                Change::new(
                    ChangeKind::DropPartition { table_id: o.id.clone(), partition_id: op.id.clone() },
                    Safety::DataLoss,
                    partition_target(o, op),
                    format!("drop partition {}", partition_target(o, op)),
                )
                .why("the partition and every row in it are deleted")
                .instead("detach it first (ALTER TABLE ... DETACH PARTITION) and drop it in a later migration"),
            );
        }
        for np in &n.partitions {
            match before.get(np.id.as_str()).copied() {
                None if self.old_ix.table(&np.id).is_some() => self.push(
                    Stage::AttachPartitions,
                    Change::new(
                        ChangeKind::AttachPartition { table_id: n.id.clone(), partition_id: np.id.clone() },
                        Safety::MayFail,
                        partition_target(n, np),
                        format!("attach table {} as a partition of table {}", partition_target(n, np), n.shown()),
                    )
                    .why(
                        "PostgreSQL scans the table (and the default partition, if there is one) and fails if a row \
                          falls outside the bound; the table's own changes to the parent's form come first",
                    )
                    .instead(
                        "add a CHECK constraint matching the bound first (NOT VALID, then VALIDATE): ATTACH then \
                              skips the scan",
                    ),
                ),
                None => self.create_partition(n, np, had_default),
                Some(op) => self.kept_partition(o, op, n, np),
            }
        }
    }

    fn kept_partition(&mut self, o: &TableModel, op: &PartitionModel, n: &TableModel, np: &PartitionModel) {
        let (tid, pid) = (n.id.clone(), np.id.clone());
        if op.name != np.name {
            let (t, p) = (tid.clone(), pid.clone());
            self.relation_renames.push(
                PendingRename::new(
                    "partition",
                    partition_target(n, np),
                    op.name.to_string(),
                    np.name.to_string(),
                    move |from, to| ChangeKind::RenamePartition {
                        table_id: t.clone(),
                        partition_id: p.clone(),
                        from,
                        to,
                    },
                )
                .prefix(n.namespace.as_ref().map(|ns| format!("{}.", ns.name)).unwrap_or_default()),
            );
        }
        if op.bound != np.bound {
            self.push_safe(
                Stage::DetachPartitions,
                ChangeKind::DetachPartition { table_id: tid.clone(), partition_id: pid.clone() },
                partition_target(n, np),
                format!("detach partition {} (attached again below with its new bound)", partition_target(n, np)),
            );
            self.push(
                Stage::AttachPartitions,
                Change::new(
                    ChangeKind::AttachPartition { table_id: tid.clone(), partition_id: pid.clone() },
                    Safety::MayFail,
                    partition_target(n, np),
                    format!("attach partition {} with its new bound", partition_target(n, np)),
                )
                .why(
                    "PostgreSQL scans the partition (and the default partition, if there is one) and fails if a \
                      row falls outside the new bound",
                )
                .instead(
                    "add a CHECK constraint matching the new bound first (NOT VALID, then VALIDATE): ATTACH \
                          then skips the scan",
                ),
            );
        }
        if op.comment != np.comment {
            let verb = if np.comment.is_some() { "set" } else { "remove" };
            self.push_safe(
                Stage::Comments,
                ChangeKind::SetPartitionComment { table_id: tid.clone(), partition_id: pid.clone() },
                partition_target(n, np),
                format!("{verb} comment on partition {}", partition_target(n, np)),
            );
        }
        self.partition_indexes(o, op, n, np);
        // The names of the parent's keys and indexes on the partition follow
        // its name and columns in a fresh build; PostgreSQL keeps them.
        for (key, name) in &np.inherited {
            let Some((_, before)) = op.inherited.iter().find(|(k, _)| k == key) else { continue };
            if before != name {
                let (t, p, k) = (tid.clone(), pid.clone(), key.clone());
                self.relation_renames.push(PendingRename::new(
                    "index",
                    format!("{}.{name}", partition_target(n, np)),
                    before.to_string(),
                    name.to_string(),
                    move |from, to| ChangeKind::RenamePartitionIndex {
                        table_id: t.clone(),
                        partition_id: p.clone(),
                        index_id: k.clone(),
                        from,
                        to,
                    },
                ));
            }
        }
    }

    fn partition_indexes(&mut self, o: &TableModel, op: &PartitionModel, n: &TableModel, np: &PartitionModel) {
        let (tid, pid) = (n.id.clone(), np.id.clone());
        let target = |x: &IndexModel| format!("{}.{}", partition_target(n, np), x.name);
        for x in &op.indexes {
            let kept = np.indexes.iter().find(|y| y.id == x.id);
            let rebuild = self.index_reads_retyped(&o.id, x);
            if !kept.is_some_and(|y| same_index(x, y) && y.storage == x.storage) || rebuild {
                self.push_safe(
                    Stage::DropConstraints,
                    ChangeKind::DropPartitionIndex {
                        table_id: tid.clone(),
                        partition_id: pid.clone(),
                        index_id: x.id.clone(),
                    },
                    format!("{}.{}", partition_target(o, op), x.name),
                    format!("drop index {} of partition {}", x.name, partition_target(o, op)),
                );
            }
        }
        for y in &np.indexes {
            let old = op.indexes.iter().find(|x| x.id == y.id);
            match old.filter(|x| same_index(x, y) && y.storage == x.storage && !self.index_reads_retyped(&o.id, x)) {
                Some(x) => {
                    if x.name != y.name {
                        let (t, p, i) = (tid.clone(), pid.clone(), y.id.clone());
                        self.relation_renames.push(PendingRename::new(
                            "index",
                            target(y),
                            x.name.to_string(),
                            y.name.to_string(),
                            move |from, to| ChangeKind::RenamePartitionIndex {
                                table_id: t.clone(),
                                partition_id: p.clone(),
                                index_id: i.clone(),
                                from,
                                to,
                            },
                        ));
                    }
                    if x.comment != y.comment {
                        self.partition_index_comment(n, np, y);
                    }
                }
                None => {
                    let change = Change::new(
                        ChangeKind::AddPartitionIndex {
                            table_id: tid.clone(),
                            partition_id: pid.clone(),
                            index_id: y.id.clone(),
                        },
                        Safety::LocksTable,
                        target(y),
                        format!(
                            "create {}index {} on partition {}",
                            if y.unique { "unique " } else { "" },
                            y.name,
                            partition_target(n, np)
                        ),
                    )
                    .why("building the index blocks writes to the partition until it is done")
                    .instead("CREATE INDEX CONCURRENTLY outside a transaction does not block writes");
                    let change = if y.unique {
                        change.risk(
                            Safety::MayFail,
                            "fails if existing rows hold duplicates; building it blocks writes to the partition",
                            "CREATE UNIQUE INDEX CONCURRENTLY outside a transaction",
                        )
                    } else {
                        change
                    };
                    self.push(Stage::AddIndexes, change);
                    if y.comment.is_some() {
                        self.partition_index_comment(n, np, y);
                    }
                }
            }
        }
    }

    fn partition_index_comment(&mut self, n: &TableModel, p: &PartitionModel, x: &IndexModel) {
        let verb = if x.comment.is_some() { "set" } else { "remove" };
        self.push_safe(
            Stage::Comments,
            ChangeKind::SetPartitionIndexComment {
                table_id: n.id.clone(),
                partition_id: p.id.clone(),
                index_id: x.id.clone(),
            },
            format!("{}.{}", partition_target(n, p), x.name),
            format!("{verb} comment on index {} of partition {}", x.name, partition_target(n, p)),
        );
    }
}
