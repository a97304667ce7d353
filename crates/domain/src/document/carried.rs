//! Carried SQL objects: functions and procedures, triggers, policies. The
//! document holds each as its `CREATE` statement, which Schemaforge parses
//! with PostgreSQL's grammar and renders from the parse tree.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A function, procedure, trigger or policy, by its `CREATE` statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SqlObject {
    /// Stable id chosen by the client, unique within the document.
    pub id: String,
    /// The statement: `CREATE FUNCTION` or `CREATE PROCEDURE` (in
    /// `functions`), `CREATE TRIGGER` (in `triggers`), `CREATE POLICY` (in
    /// `policies`), `CREATE RULE` (in `rules`), `GRANT` (in `grants`); not
    /// `OR REPLACE`, one statement, no comments.
    pub definition: String,
}
