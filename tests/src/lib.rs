//! Shared helpers for Schemaforge's cross-crate tests: document generators
//! for property tests and a way to run scripts against PostgreSQL.

pub mod generate;

use diesel::PgConnection;
use schemaforge_sqlgen::Script;
use schemaforge_testdb::{TestDbError, execute};

/// Where a script stopped.
#[derive(Debug)]
pub struct ScriptFailure {
    /// 1-based number of the failing statement.
    pub statement: usize,
    /// Its SQL.
    pub sql: String,
    /// PostgreSQL's message.
    pub error: TestDbError,
}

impl std::fmt::Display for ScriptFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "statement {} failed: {}\n{}", self.statement, self.error, self.sql)
    }
}

/// Run a script's statements one by one, reporting the first that fails.
pub fn run_script(conn: &mut PgConnection, script: &Script) -> Result<(), ScriptFailure> {
    for (i, s) in script.statements().iter().enumerate() {
        execute(conn, &s.sql).map_err(|error| ScriptFailure { statement: i + 1, sql: s.sql.clone(), error })?;
    }
    Ok(())
}

/// Quote an identifier for hand-written test SQL.
pub fn qi(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quote a literal for hand-written test SQL.
pub fn ql(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
