//! Views and materialized views.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{IndexMethod, Position};

/// A view (`CREATE VIEW`) or materialized view (`CREATE MATERIALIZED
/// VIEW`), defined by one query in PostgreSQL's grammar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct View {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// SQL name of the view (a relation and a row type, like a table).
    pub name: String,
    /// The namespace (PostgreSQL schema) it lives in; absent, `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// A materialized view: its rows are stored, computed when it is
    /// created (and by `REFRESH MATERIALIZED VIEW`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub materialized: bool,
    /// The query: one `SELECT` (or `VALUES`, or `WITH ... SELECT`), naming
    /// the document's tables and views as SQL does (qualified by namespace
    /// outside `public`). Its output columns are the view's columns.
    pub query: String,
    /// Indexes of a materialized view (a plain view has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<ViewIndex>,
    /// Rendered as `COMMENT ON VIEW` (or `MATERIALIZED VIEW`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Where the designer draws it; not used for SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// An index of a materialized view, over its output columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ViewIndex {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// Index name; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The view's output columns, by name, in index order.
    pub columns: Vec<String>,
    /// A UNIQUE index (what `REFRESH MATERIALIZED VIEW CONCURRENTLY` needs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// Access method; btree when absent.
    #[serde(default)]
    pub method: IndexMethod,
    /// Rendered as `COMMENT ON INDEX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}
