//! What drift, apply and advice do on a live database besides reading its
//! catalog: apply a script in one transaction, read and write the record
//! of catalog identities (`schemaforge.catalog_identity`, in databases
//! Schemaforge provisioned), and read index usage statistics.

use diesel::connection::SimpleConnection;
use diesel::result::Error as DieselError;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

use super::admin::{describe, quote_ident, with_connect_timeout};
use super::introspect::connection_error;
use crate::{ApplyError, IntrospectError, RepoError};

/// The table, in the bookkeeping schema, that holds the record of catalog
/// identities (one row: the newest record).
pub const IDENTITY_TABLE: &str = "catalog_identity";

/// Timeouts of a session on a live database.
#[derive(Debug, Clone, Copy)]
pub struct LiveTimeouts {
    /// Seconds to wait for the server to answer.
    pub connect_secs: u32,
    /// Milliseconds any one statement may run.
    pub statement_ms: u64,
    /// Milliseconds a statement may wait for a lock.
    pub lock_ms: u64,
}

impl Default for LiveTimeouts {
    fn default() -> Self {
        Self { connect_secs: 10, statement_ms: 600_000, lock_ms: 10_000 }
    }
}

/// A session on the live database at `url`.
fn connect(url: &str, timeouts: LiveTimeouts) -> Result<PgConnection, IntrospectError> {
    PgConnection::establish(&with_connect_timeout(url, timeouts.connect_secs)).map_err(connection_error)
}

/// Run `statements` on the database at `url` in ONE transaction, each
/// under the timeouts; the first that fails rolls everything back and is
/// named. Gives the milliseconds it took.
pub fn apply_statements(url: &str, statements: &[String], timeouts: LiveTimeouts) -> Result<u64, ApplyError> {
    let mut conn = connect(url, timeouts).map_err(|e| ApplyError::Repo(RepoError::Unavailable(e.to_string())))?;
    apply_on(&mut conn, statements, timeouts)
}

fn apply_on(conn: &mut PgConnection, statements: &[String], timeouts: LiveTimeouts) -> Result<u64, ApplyError> {
    let mut failed: Option<ApplyError> = None;
    let start = std::time::Instant::now();
    let result = conn.transaction::<(), DieselError, _>(|c| {
        c.batch_execute(&format!(
            "SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {}; SET LOCAL search_path = public, pg_temp",
            timeouts.statement_ms, timeouts.lock_ms
        ))?;
        for (i, sql) in statements.iter().enumerate() {
            if let Err(e) = c.batch_execute(sql) {
                failed = Some(ApplyError::Statement { statement: i + 1, sql: sql.clone(), message: describe(&e) });
                return Err(e);
            }
        }
        Ok(())
    });
    match (result, failed) {
        (Ok(()), _) => Ok(u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)),
        (Err(_), Some(f)) => Err(f),
        (Err(e), None) => Err(ApplyError::Repo(RepoError::Unavailable(describe(&e)))),
    }
}

#[derive(QueryableByName)]
struct PrivilegesRow {
    #[diesel(sql_type = Text)]
    version: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    can_write: bool,
}

/// The server's version and whether the URL's user may create objects in
/// `public` of the database at `url`.
pub fn privileges(url: &str, connect_secs: u32) -> Result<(String, bool), IntrospectError> {
    let timeouts = LiveTimeouts { connect_secs, ..LiveTimeouts::default() };
    let mut conn = connect(url, timeouts)?;
    let row: PrivilegesRow = diesel::sql_query(
        "SELECT pg_catalog.current_setting('server_version') AS version,
                coalesce((SELECT pg_catalog.has_schema_privilege(oid, 'CREATE') FROM pg_catalog.pg_namespace
                          WHERE nspname = 'public'), false) AS can_write",
    )
    .get_result(&mut conn)
    .map_err(|e| IntrospectError::Unreachable(describe(&e)))?;
    Ok((row.version, row.can_write))
}

#[derive(QueryableByName)]
struct IdentityRow {
    #[diesel(sql_type = Nullable<Text>)]
    record: Option<String>,
}

/// The record of catalog identities (JSON) of the database at `url`, when
/// it has one (and the URL's role may read it).
pub fn read_identity_at(url: &str, timeouts: LiveTimeouts) -> Result<Option<String>, IntrospectError> {
    read_identity(&mut connect(url, timeouts)?)
}

/// [`read_identity_at`] on an open session.
pub(super) fn read_identity(conn: &mut PgConnection) -> Result<Option<String>, IntrospectError> {
    let table = format!("{}.{}", quote_ident(super::HISTORY_SCHEMA), quote_ident(IDENTITY_TABLE));
    // A database without the table (not provisioned by Schemaforge) has no
    // record; one whose role cannot read it neither.
    let exists: IdentityRow = diesel::sql_query(format!(
        "SELECT CASE WHEN pg_catalog.to_regclass('{t}') IS NOT NULL
                  AND pg_catalog.has_table_privilege(pg_catalog.to_regclass('{t}'), 'SELECT') THEN 'yes' END AS record",
        t = table.replace('\'', "''")
    ))
    .get_result(conn)
    .map_err(|e| IntrospectError::Other(e.to_string()))?;
    if exists.record.is_none() {
        return Ok(None);
    }
    let rows: Vec<IdentityRow> = diesel::sql_query(format!("SELECT record::text AS record FROM {table} LIMIT 1"))
        .load(conn)
        .map_err(|e| IntrospectError::Other(e.to_string()))?;
    Ok(rows.into_iter().next().and_then(|r| r.record))
}

/// The bookkeeping table of the record, made by the admin; the role may
/// read and replace it (`schemaforge apply` run as the role keeps it up to
/// date), never change the table itself.
pub(super) fn identity_ddl(role: &str) -> String {
    let schema = quote_ident(super::HISTORY_SCHEMA);
    let table = quote_ident(IDENTITY_TABLE);
    let role = quote_ident(role);
    format!(
        "CREATE TABLE IF NOT EXISTS {schema}.{table} (
             version integer NOT NULL,
             recorded_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
             record jsonb NOT NULL
         );
         COMMENT ON TABLE {schema}.{table} IS 'The catalog identity (oids, column numbers) of every element of the schema version the database is at, by element id: what drift matches renames done outside by.';
         GRANT SELECT, INSERT, DELETE ON {schema}.{table} TO {role};"
    )
}

/// Replace the record (an admin session in the database).
pub fn write_identity(conn: &mut PgConnection, version: i32, record: &str) -> Result<(), DieselError> {
    let table = format!("{}.{}", quote_ident(super::HISTORY_SCHEMA), quote_ident(IDENTITY_TABLE));
    conn.transaction(|c| {
        diesel::sql_query(format!("DELETE FROM {table}")).execute(c)?;
        diesel::sql_query(format!("INSERT INTO {table} (version, record) VALUES ($1, $2::jsonb)"))
            .bind::<Integer, _>(version)
            .bind::<Text, _>(record)
            .execute(c)?;
        Ok(())
    })
}

/// Scans by index oid, and since when the statistics count.
pub type IndexUsage = (Vec<(i64, i64)>, Option<String>);

#[derive(QueryableByName)]
struct UsageRow {
    #[diesel(sql_type = BigInt)]
    oid: i64,
    #[diesel(sql_type = BigInt)]
    scans: i64,
}

#[derive(QueryableByName)]
struct SinceRow {
    #[diesel(sql_type = Nullable<Text>)]
    since: Option<String>,
}

/// Index usage of the database at `url`: scans by index oid
/// (`pg_stat_user_indexes`), and since when the statistics count
/// (`stats_reset`, else the server's start).
pub fn index_usage(url: &str, timeouts: LiveTimeouts) -> Result<IndexUsage, IntrospectError> {
    let conn = &mut connect(url, timeouts)?;
    let rows: Vec<UsageRow> =
        diesel::sql_query("SELECT indexrelid::bigint AS oid, idx_scan AS scans FROM pg_catalog.pg_stat_user_indexes")
            .load(conn)
            .map_err(|e| IntrospectError::Other(e.to_string()))?;
    let since: SinceRow = diesel::sql_query(
        "SELECT pg_catalog.to_char(COALESCE(
                    (SELECT stats_reset FROM pg_catalog.pg_stat_database WHERE datname = pg_catalog.current_database()),
                    pg_catalog.pg_postmaster_start_time()) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS since",
    )
    .get_result(conn)
    .map_err(|e| IntrospectError::Other(e.to_string()))?;
    Ok((rows.into_iter().map(|r| (r.oid, r.scans)).collect(), since.since))
}
