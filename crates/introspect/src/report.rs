//! The import report: every object of the database that the document does
//! not hold exactly as the database does, with the reason and, where one
//! exists, the statement that makes a database built from the document
//! match the original.

use serde::{Deserialize, Serialize};

/// What one import read and what it could not hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// `server_version` of the server read.
    pub server_version: String,
    /// The database read.
    pub database: String,
    /// The namespaces read, by name.
    pub namespaces: Vec<String>,
    /// How many objects of each kind the document holds.
    pub counts: Counts,
    /// Every object the document does not hold as the database does, in
    /// the order they were met.
    pub items: Vec<ReportItem>,
    /// Errors validation still finds in the document (empty when the
    /// import succeeded; otherwise the document is not a valid schema).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remaining_errors: Vec<String>,
}

/// Counts of what the document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Namespaces besides `public`.
    pub namespaces: usize,
    /// Extensions.
    pub extensions: usize,
    /// Enums.
    pub enums: usize,
    /// Domains.
    pub domains: usize,
    /// Composite types.
    pub composites: usize,
    /// Standalone sequences.
    pub sequences: usize,
    /// Tables (partitioned ones included, partitions not).
    pub tables: usize,
    /// Partitions.
    pub partitions: usize,
    /// Columns of tables.
    pub columns: usize,
    /// Indexes of tables, partitions and materialized views.
    pub indexes: usize,
    /// Foreign keys.
    pub foreign_keys: usize,
    /// Checks, unique and exclusion constraints.
    pub constraints: usize,
    /// Views and materialized views.
    pub views: usize,
    /// Functions and procedures.
    pub functions: usize,
    /// Triggers.
    pub triggers: usize,
    /// Policies.
    pub policies: usize,
    /// Rules.
    pub rules: usize,
    /// Grants.
    pub grants: usize,
}

/// What became of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// In the document, but not exactly as in the database; `statement`
    /// makes a database built from the document match.
    Adjusted,
    /// Not in the document; `statement` (where there is one) recreates it.
    Omitted,
    /// Deliberately not read (Schemaforge's own bookkeeping, an object of
    /// a namespace that was not read).
    Skipped,
}

/// One object of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportItem {
    /// What it is: `table`, `column`, `index`, `check`, `function`, ...
    pub kind: String,
    /// Its qualified name (`sales.orders`, `sales.orders.total`).
    pub name: String,
    /// What became of it.
    pub outcome: Outcome,
    /// Why.
    pub reason: String,
    /// The SQL that recreates it (or restores what differs), where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

impl ReportItem {
    /// A statement of an SQL file that was not run (line 1-based), as the
    /// loader reports it.
    pub fn skipped_statement(line: usize, text: &str, reason: &str) -> Self {
        Self {
            kind: "statement".into(),
            name: format!("line {line}"),
            outcome: Outcome::Skipped,
            reason: reason.into(),
            statement: Some(text.into()),
        }
    }
}

impl ImportReport {
    /// Whether something was adjusted or omitted (skipped items are
    /// deliberate and do not count): what `--strict` refuses.
    pub fn is_incomplete(&self) -> bool {
        self.items.iter().any(|i| i.outcome != Outcome::Skipped)
    }

    /// Items with `outcome`.
    pub fn with_outcome(&self, outcome: Outcome) -> impl Iterator<Item = &ReportItem> {
        self.items.iter().filter(move |i| i.outcome == outcome)
    }
}
