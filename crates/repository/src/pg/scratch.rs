//! Trying a script on a development server without keeping anything: the
//! statements run in one transaction, in a schema of their own, and the
//! transaction is rolled back whatever happens.

use diesel::connection::SimpleConnection;
use diesel::result::Error as DieselError;
use diesel::{Connection, PgConnection};

use super::admin::{describe, establish, with_connect_timeout};
use crate::{RepoError, TryError};

/// Who runs the tried statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runner {
    /// The session's own role (the CLI's `--dev-url`: the user's server).
    Session,
    /// A role made for the try, inside the transaction (so it never
    /// exists for anyone else), with no privilege but CREATE on the fresh
    /// schema and on the database (for trusted extensions), and a statement
    /// timeout: the API's validation on the provisioning server, where the
    /// session is the admin's.
    Sandbox,
}

/// Seconds one tried statement may run in the sandbox.
const SANDBOX_STATEMENT_TIMEOUT_SECS: u32 = 10;

/// Run `statements` on the database at `url` inside a transaction that is
/// always rolled back, with `search_path` set to a fresh schema so that the
/// database's own objects neither collide nor change.
pub fn try_script(url: &str, statements: &[&str], connect_timeout_secs: u32) -> Result<(), TryError> {
    let mut conn = establish(&with_connect_timeout(url, connect_timeout_secs))
        .map_err(|e: RepoError| TryError::Unavailable(e.to_string()))?;
    try_on(&mut conn, statements, Runner::Session)
}

/// [`try_script`] on an open connection, as `runner`.
pub(crate) fn try_on(conn: &mut PgConnection, statements: &[&str], runner: Runner) -> Result<(), TryError> {
    let mut failed = None;
    let outcome = conn.transaction::<(), DieselError, _>(|c| {
        // Only ASCII letters, digits and `_`: no user text.
        let schema = format!("schemaforge_try_{}", uuid::Uuid::new_v4().simple());
        c.batch_execute(&format!("CREATE SCHEMA \"{schema}\""))?;
        if runner == Runner::Sandbox {
            c.batch_execute(&format!(
                "CREATE ROLE \"{schema}\" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
                 GRANT USAGE, CREATE ON SCHEMA \"{schema}\" TO \"{schema}\";
                 DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO %I', current_database(), '{schema}'); END $$;
                 SET LOCAL statement_timeout = '{SANDBOX_STATEMENT_TIMEOUT_SECS}s';
                 SET LOCAL ROLE \"{schema}\""
            ))?;
        }
        c.batch_execute(&format!("SET LOCAL search_path = \"{schema}\", pg_catalog"))?;
        for (index, sql) in statements.iter().enumerate() {
            if let Err(e) = c.batch_execute(sql) {
                let position = match &e {
                    DieselError::DatabaseError(_, info) => {
                        info.statement_position().and_then(|p| usize::try_from(p).ok())
                    }
                    _ => None,
                };
                failed = Some(TryError::Statement { index, message: describe(&e), position });
                return Err(e);
            }
        }
        // Never keep anything.
        Err(DieselError::RollbackTransaction)
    });
    match (outcome, failed) {
        (_, Some(statement)) => Err(statement),
        (Err(DieselError::RollbackTransaction) | Ok(()), None) => Ok(()),
        (Err(e), None) => Err(TryError::Unavailable(describe(&e))),
    }
}
