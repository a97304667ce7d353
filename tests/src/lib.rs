//! Shared helpers for Schemaforge's cross-crate tests: document generators
//! for property tests and a way to run scripts against PostgreSQL.

pub mod generate;
pub mod sized;

use diesel::PgConnection;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use schemaforge_sqlgen::Script;
use schemaforge_testdb::{TestDb, TestDbError, execute};

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

/// Run a property test whose cases need PostgreSQL: one fresh database for
/// the whole run, each case inside a transaction that is rolled back.
/// `PROPTEST_CASES` overrides `default_cases`; `PROPTEST_RNG_SEED` fixes the seed.
pub fn run_on_postgres<S: Strategy>(
    default_cases: u32,
    strategy: S,
    test: impl Fn(&mut PgConnection, S::Value) -> Result<(), TestCaseError>,
) -> Result<(), String> {
    let db = TestDb::create().map_err(|e| e.to_string())?;
    let conn = std::cell::RefCell::new(db.connect().map_err(|e| e.to_string())?);
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&strategy, |value| {
            let mut guard = conn.borrow_mut();
            let conn = &mut *guard;
            execute(conn, "BEGIN").map_err(|e| TestCaseError::fail(e.to_string()))?;
            let outcome = test(conn, value);
            execute(conn, "ROLLBACK").map_err(|e| TestCaseError::fail(e.to_string()))?;
            outcome
        })
        .map_err(|e| e.to_string())
}
