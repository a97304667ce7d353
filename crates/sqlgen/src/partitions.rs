//! Partitioned tables and partitions: `PARTITION BY`, `PARTITION OF ...
//! FOR VALUES`, and the partitions' own indexes and comments.

use schemaforge_domain::{BoundModel, BoundValue, IndexMethod, PartitionModel, PartitionStrategy, TableModel};

use crate::Dialect;
use crate::postgres::Postgres;
use crate::script::{Statement, StatementKind};

impl Postgres {
    /// ` PARTITION BY RANGE (key, ...)` of a partitioned table, else nothing.
    pub(crate) fn partition_by_clause(&self, t: &TableModel) -> String {
        let Some(by) = &t.partition_by else { return String::new() };
        let method = if by.strategy == PartitionStrategy::Hash { IndexMethod::Hash } else { IndexMethod::Btree };
        let keys: Vec<String> = by.keys.iter().filter_map(|k| self.index_element_sql(t, method, k)).collect();
        format!(" PARTITION BY {} ({})", by.strategy.sql(), keys.join(", "))
    }

    /// Partition `p` as a table of its own (its parent's columns under its
    /// name), so that the table helpers (indexes, comments, renames) name it.
    pub(crate) fn partition_table(&self, t: &TableModel, p: &PartitionModel) -> TableModel {
        TableModel {
            id: p.id.clone(),
            name: p.name.clone(),
            comment: p.comment.clone(),
            indexes: p.indexes.clone(),
            partition_by: None,
            partitions: Vec::new(),
            ..t.clone()
        }
    }

    /// `FOR VALUES ...` or `DEFAULT`.
    pub(crate) fn bound_sql(&self, bound: &BoundModel) -> String {
        let value = |v: &BoundValue| match v {
            BoundValue::MinValue => "MINVALUE".to_string(),
            BoundValue::MaxValue => "MAXVALUE".to_string(),
            BoundValue::Value(text) => self.quote_literal(text),
        };
        let list = |values: &[BoundValue]| values.iter().map(value).collect::<Vec<_>>().join(", ");
        match bound {
            BoundModel::Range { from, to } => format!("FOR VALUES FROM ({}) TO ({})", list(from), list(to)),
            BoundModel::List(values) => {
                let items: Vec<String> = values
                    .iter()
                    .map(|v| v.as_deref().map_or_else(|| "NULL".to_string(), |t| self.quote_literal(t)))
                    .collect();
                format!("FOR VALUES IN ({})", items.join(", "))
            }
            BoundModel::Hash { modulus, remainder } => {
                format!("FOR VALUES WITH (MODULUS {modulus}, REMAINDER {remainder})")
            }
            BoundModel::Default => "DEFAULT".to_string(),
        }
    }

    /// `CREATE TABLE partition PARTITION OF parent FOR VALUES ...`.
    pub(crate) fn create_partition(&self, t: &TableModel, p: &PartitionModel) -> Statement {
        Statement {
            kind: StatementKind::CreateTable,
            target: format!("partition \"{}\" of table \"{}\"", p.name, t.name),
            sql: format!(
                "CREATE TABLE {} PARTITION OF {} {}",
                self.qn(&t.namespace, p.name.as_str()),
                self.table_name(t),
                self.bound_sql(&p.bound)
            ),
        }
    }

    /// `ALTER TABLE parent ATTACH PARTITION partition FOR VALUES ...`.
    pub(crate) fn attach_partition(&self, t: &TableModel, p: &PartitionModel) -> String {
        format!(
            "ALTER TABLE {} ATTACH PARTITION {} {}",
            self.table_name(t),
            self.qn(&t.namespace, p.name.as_str()),
            self.bound_sql(&p.bound)
        )
    }

    /// `ALTER TABLE parent DETACH PARTITION partition`.
    pub(crate) fn detach_partition(&self, t: &TableModel, p: &PartitionModel) -> String {
        format!("ALTER TABLE {} DETACH PARTITION {}", self.table_name(t), self.qn(&t.namespace, p.name.as_str()))
    }
}
