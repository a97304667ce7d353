//! Partitioned tables and their partitions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Index, IndexColumn, Literal};

/// How a partitioned table divides its rows (`PARTITION BY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartitionBy {
    /// `range`, `list` or `hash`.
    pub strategy: PartitionStrategy,
    /// The partition key: column ids, or objects with `columnId` or
    /// `expression` (and `collation`, `opclass`), as index elements are
    /// written, without ordering. A list key has one element.
    pub columns: Vec<IndexColumn>,
}

/// A partitioning strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PartitionStrategy {
    /// `FOR VALUES FROM (...) TO (...)`: half-open ranges of the key.
    Range,
    /// `FOR VALUES IN (...)`: lists of key values.
    List,
    /// `FOR VALUES WITH (MODULUS m, REMAINDER r)`: the key's hash.
    Hash,
}

impl PartitionStrategy {
    /// The SQL key word.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Range => "RANGE",
            Self::List => "LIST",
            Self::Hash => "HASH",
        }
    }
}

/// A partition of a partitioned table: a table of its own (in the parent's
/// namespace) with the parent's columns, constraints and indexes, holding
/// the rows its bound admits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Partition {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the partition (a table).
    pub name: String,
    /// Which rows it holds.
    pub bound: PartitionBound,
    /// Indexes of this partition alone, over the parent's column ids (the
    /// parent's indexes are on every partition already).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Rendered as `COMMENT ON TABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A partition's bound: exactly one of `from`+`to` (range), `in` (list),
/// `modulus`+`remainder` (hash) or `"default": true`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartitionBound {
    /// Range: the lower bounds (included), one per key element; the
    /// strings `MINVALUE` and `MAXVALUE` are unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Vec<Literal>>,
    /// Range: the upper bounds (excluded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Vec<Literal>>,
    /// List: the key values it holds (`null` holds NULL).
    #[serde(rename = "in", default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Literal>>,
    /// Hash: the modulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modulus: Option<u32>,
    /// Hash: the remainder (less than the modulus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remainder: Option<u32>,
    /// The default partition: the rows no other partition admits.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
}
