//! Views and materialized views in the resolved model.

use crate::document::IndexMethod;
use crate::ident::Ident;

use super::NamespaceRef;

/// A view or materialized view whose query was parsed and whose relations
/// resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewModel {
    /// Stable id.
    pub id: String,
    /// SQL name.
    pub name: Ident,
    /// Its namespace (`None`: `public`).
    pub namespace: Option<NamespaceRef>,
    /// A materialized view.
    pub materialized: bool,
    /// The query as PostgreSQL's printer prints its tree (never the
    /// client's text).
    pub sql: String,
    /// The query with the document's relations and the columns it surely
    /// reads replaced by ids, and its output columns named: equal forms
    /// are the same view, whatever was renamed under it.
    pub canonical: String,
    /// [`ViewModel::canonical`] without the output columns' names: equal
    /// shapes with different canonical forms differ only in those names.
    pub shape: String,
    /// The output columns' names, in order (`None`: `?column?`, an
    /// expression without `AS`).
    pub columns: Vec<Option<String>>,
    /// Ids of the document's tables and views the query reads.
    pub reads: Vec<String>,
    /// Ids of the document's routines the query calls.
    pub calls: Vec<String>,
    /// Indexes (materialized views only).
    pub indexes: Vec<ViewIndexModel>,
    /// Comment, if any.
    pub comment: Option<String>,
}

impl ViewModel {
    /// `view` or `materialized view`, for messages.
    pub fn kind(&self) -> &'static str {
        if self.materialized { "materialized view" } else { "view" }
    }

    /// Its name for messages, with its namespace when not `public`.
    pub fn shown(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}.{}", ns.name, self.name),
            None => self.name.to_string(),
        }
    }

    /// The stable id a dependent view's canonical form gives output
    /// column `position` (views' columns have no ids of their own).
    pub fn column_id(&self, position: usize) -> String {
        format!("{}#{position}", self.id)
    }
}

/// An index of a materialized view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewIndexModel {
    /// Stable id.
    pub id: String,
    /// Name (generated when the document has none).
    pub name: Ident,
    /// Positions of the indexed output columns in the view.
    pub positions: Vec<usize>,
    /// Their names.
    pub columns: Vec<Ident>,
    /// UNIQUE.
    pub unique: bool,
    /// Access method.
    pub method: IndexMethod,
    /// Comment, if any.
    pub comment: Option<String>,
}
