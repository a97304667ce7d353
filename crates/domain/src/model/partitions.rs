//! Partitioned tables and partitions in the resolved model.

use crate::document::PartitionStrategy;
use crate::ident::Ident;

use super::{IndexColumnModel, IndexModel};

/// A partitioned table's key.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionByModel {
    /// Range, list or hash.
    pub strategy: PartitionStrategy,
    /// Key elements (a column by id, or an expression), with collation and
    /// operator class.
    pub keys: Vec<IndexColumnModel>,
}

/// A partition (in its parent's namespace).
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// Which rows it holds.
    pub bound: BoundModel,
    /// Its own indexes, over the parent's columns.
    pub indexes: Vec<IndexModel>,
    /// The names PostgreSQL gives the parent's primary key (`pkey`), unique
    /// keys (`unique:<column ids>`) and indexes (`index:<id>`) on this
    /// partition, by those keys: `<partition>_pkey`, `<partition>_<columns>_key`,
    /// `<partition>_<columns>_idx`.
    pub inherited: Vec<(String, Ident)>,
    /// Comment, if any.
    pub comment: Option<String>,
}

/// A checked partition bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundModel {
    /// `FROM (...) TO (...)`.
    Range {
        /// Lower bounds, one per key element.
        from: Vec<BoundValue>,
        /// Upper bounds.
        to: Vec<BoundValue>,
    },
    /// `IN (...)`: each value's text, `None` for NULL.
    List(Vec<Option<String>>),
    /// `WITH (MODULUS m, REMAINDER r)`.
    Hash {
        /// The modulus.
        modulus: u32,
        /// The remainder.
        remainder: u32,
    },
    /// `DEFAULT`.
    Default,
}

/// One value of a range bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundValue {
    /// `MINVALUE`.
    MinValue,
    /// `MAXVALUE`.
    MaxValue,
    /// A value, as text (rendered as a quoted literal the key's type reads).
    Value(String),
}
