//! Trying a script on a development server without keeping anything: the
//! statements run in one transaction, in a schema of their own, and the
//! transaction is rolled back whatever happens.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::result::Error as DieselError;

use super::admin::{describe, establish, with_connect_timeout};
use crate::RepoError;

/// Why a tried script did not run through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TryError {
    /// The server could not be reached or refused the session (the message
    /// is libpq's, which never includes the password).
    #[error("cannot use the development server: {0}")]
    Unavailable(String),
    /// A statement failed.
    #[error("statement {index} failed: {message}")]
    Statement {
        /// 0-based index of the failing statement.
        index: usize,
        /// PostgreSQL's message, with its detail and hint.
        message: String,
        /// PostgreSQL's 1-based character position in the statement, if it gave one.
        position: Option<usize>,
    },
}

/// Run `statements` on the database at `url` inside a transaction that is
/// always rolled back, with `search_path` set to a fresh schema so that the
/// database's own objects neither collide nor change.
pub fn try_script(url: &str, statements: &[&str], connect_timeout_secs: u32) -> Result<(), TryError> {
    let unavailable = |e: RepoError| TryError::Unavailable(e.to_string());
    let mut conn = establish(&with_connect_timeout(url, connect_timeout_secs)).map_err(unavailable)?;
    let mut failed = None;
    let outcome = conn.transaction::<(), DieselError, _>(|c| {
        let schema = format!("schemaforge_try_{}", uuid::Uuid::new_v4().simple());
        c.batch_execute(&format!("CREATE SCHEMA \"{schema}\"; SET LOCAL search_path = \"{schema}\", pg_catalog"))?;
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
