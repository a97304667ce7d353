//! [`DatabaseAdmin`] on a PostgreSQL server: one connection per operation
//! (provisioning is rare, and `CREATE DATABASE` cannot run in a transaction
//! or share a pooled session's state).

use std::time::Instant;

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};
use schemaforge_sqlgen::{Dialect, Postgres};

use super::scram;
use crate::{
    Applied, ApplyError, Conflict, DatabaseAdmin, DatabaseHealth, HistoryEntry, RepoError, RepoResult, ScriptRun,
    ServerAddress,
};

/// The bookkeeping schema inside every provisioned database. Documents only
/// describe objects in `public`, so it can never clash with them.
pub const HISTORY_SCHEMA: &str = "schemaforge";

/// The search path of every admin statement inside a provisioned database.
const ADMIN_SEARCH_PATH: &str = "SET search_path = pg_catalog, pg_temp";

/// Settings of the admin connection.
#[derive(Debug, Clone)]
pub struct AdminSettings {
    /// Template of new databases (`None`: the server's default, `template1`).
    pub template: Option<String>,
    /// At most this many sessions per provisioned role (`None`: no limit).
    pub role_connection_limit: Option<u32>,
    /// Seconds to wait for a connection to the target server.
    pub connect_timeout_secs: u32,
    /// Seconds a script statement may wait for a table lock before the
    /// script fails (`None`: forever).
    pub lock_timeout_secs: Option<u32>,
}

impl Default for AdminSettings {
    fn default() -> Self {
        Self { template: None, role_connection_limit: Some(20), connect_timeout_secs: 10, lock_timeout_secs: Some(10) }
    }
}

/// Provisions databases on the server an admin URL points at. The admin
/// needs `CREATEDB` and `CREATEROLE` (a superuser works).
#[derive(Clone)]
pub struct PgDatabaseAdmin {
    url: String,
    settings: AdminSettings,
}

impl std::fmt::Debug for PgDatabaseAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold the admin's password.
        let address = server_address(&self.url);
        f.debug_struct("PgDatabaseAdmin").field("host", &address.host).field("port", &address.port).finish()
    }
}

fn qi(name: &str) -> String {
    Postgres.quote_ident(name)
}

/// An identifier quoted for an admin statement.
pub(super) fn quote_ident(name: &str) -> String {
    qi(name)
}

fn ql(text: &str) -> String {
    Postgres.quote_literal(text)
}

/// PostgreSQL's message with its detail and hint, for people.
pub(super) fn describe(err: &DieselError) -> String {
    match err {
        DieselError::DatabaseError(_, info) => {
            let mut text = info.message().to_string();
            if let Some(detail) = info.details() {
                text.push_str(&format!(" (detail: {detail})"));
            }
            if let Some(hint) = info.hint() {
                text.push_str(&format!(" (hint: {hint})"));
            }
            text
        }
        other => other.to_string(),
    }
}

/// `url` with libpq's `connect_timeout` (at least 1 s), unless it sets its own.
pub(super) fn with_connect_timeout(url: &str, secs: impl Into<u64>) -> String {
    if url.contains("connect_timeout=") {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={}", secs.into().max(1))
}

/// A session on `url` (libpq's error text never includes the password).
pub(super) fn establish(url: &str) -> RepoResult<PgConnection> {
    PgConnection::establish(url).map_err(|e| RepoError::Unavailable(e.to_string()))
}

/// Whether the session broke (rather than a statement failing).
fn is_disconnect(err: &DieselError) -> bool {
    matches!(
        err,
        DieselError::DatabaseError(
            diesel::result::DatabaseErrorKind::ClosedConnection
                | diesel::result::DatabaseErrorKind::UnableToSendCommand,
            _
        )
    )
}

/// `url` logging in as `user` with `password` instead of its own user.
pub fn with_credentials(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = rest[..end].rsplit_once('@').map_or(&rest[..end], |(_, h)| h);
    format!("{scheme}://{}:{}@{host}{}", percent_encode(user), percent_encode(password), &rest[end..])
}

/// Map an admin statement's error, recognising "already exists".
fn admin_err(err: DieselError) -> RepoError {
    let text = describe(&err);
    if text.contains("already exists") { RepoError::Conflict(Conflict::ObjectExists) } else { super::map_err(err) }
}

/// `url` with its database name replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    let database = percent_encode(database);
    match query {
        Some(q) => format!("{prefix}/{database}?{q}"),
        None => format!("{prefix}/{database}"),
    }
}

/// Percent-encode everything but unreserved URL characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Host and port of a `postgres://` URL (defaults: localhost, 5432).
pub fn server_address(url: &str) -> ServerAddress {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(stripped) = host_port.strip_prefix('[') {
        // [::1]:5432
        match stripped.split_once(']') {
            Some((h, p)) => (h.to_string(), p.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (stripped.to_string(), None),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()),
            None => (host_port.to_string(), None),
        }
    };
    ServerAddress { host: if host.is_empty() { "localhost".into() } else { host }, port: port.unwrap_or(5432) }
}

#[derive(QueryableByName)]
struct HealthRow {
    #[diesel(sql_type = BigInt)]
    size_bytes: i64,
    #[diesel(sql_type = BigInt)]
    table_count: i64,
    #[diesel(sql_type = BigInt)]
    open_connections: i64,
    #[diesel(sql_type = Nullable<Text>)]
    history: Option<String>,
}

#[derive(QueryableByName)]
struct HistoryRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Integer)]
    version: i32,
    #[diesel(sql_type = Text)]
    checksum: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Timestamptz)]
    applied_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
}

impl PgDatabaseAdmin {
    /// An admin for the server `url` points at (its database is the one
    /// admin statements run in, usually `postgres`).
    pub fn new(url: &str, settings: AdminSettings) -> Self {
        Self { url: url.to_string(), settings }
    }

    /// The admin's URL (holds its password: never log it).
    pub(super) fn admin_url(&self) -> &str {
        &self.url
    }

    /// A scratch database for [`DatabaseAdmin::load_sql`], owned by the
    /// role of the same name, which alone may connect and create in
    /// `public`; no history table (the loaded text may have a schema of
    /// any name).
    pub(super) fn create_scratch_database(&self, name: &str) -> RepoResult<()> {
        let mut conn = self.connect(None)?;
        let db = qi(name);
        conn.batch_execute(&format!("CREATE DATABASE {db} OWNER {db}")).map_err(admin_err)?;
        conn.batch_execute(&format!("REVOKE ALL ON DATABASE {db} FROM PUBLIC")).map_err(super::map_err)?;
        let mut inside = self.connect(Some(name))?;
        inside
            .batch_execute(&format!(
                "BEGIN; ALTER SCHEMA public OWNER TO {db}; REVOKE CREATE ON SCHEMA public FROM PUBLIC; COMMIT"
            ))
            .map_err(super::map_err)?;
        conn.batch_execute(&format!("ALTER ROLE {db} LOGIN")).map_err(super::map_err)
    }

    /// An admin session, in the server's admin database or in `database`.
    fn connect(&self, database: Option<&str>) -> RepoResult<PgConnection> {
        let url = match database {
            Some(db) => with_database(&self.url, db),
            None => self.url.clone(),
        };
        let mut conn = establish(&with_connect_timeout(&url, self.settings.connect_timeout_secs))?;
        if database.is_some() {
            // The role owns this database and may have set its search_path
            // (ALTER DATABASE ... SET) to a schema of its own with functions
            // named like pg_catalog's: the admin must never resolve a name
            // there. pg_temp goes last so temporary objects cannot shadow
            // either.
            conn.batch_execute(ADMIN_SEARCH_PATH).map_err(super::map_err)?;
        }
        Ok(conn)
    }

    /// The bookkeeping schema and table, created by the admin before the
    /// role can log in (so the role can never plant objects of its own
    /// there), readable and appendable by the role, never rewritable.
    fn history_ddl(role_name: &str) -> String {
        let schema = qi(HISTORY_SCHEMA);
        let role = qi(role_name);
        format!(
            "CREATE SCHEMA {schema};
             CREATE TABLE {schema}.history (
                 id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                 version integer NOT NULL,
                 checksum text NOT NULL,
                 kind text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                 duration_ms bigint NOT NULL
             );
             COMMENT ON TABLE {schema}.history IS 'Scripts Schemaforge applied to this database, oldest first; the newest row''s version is the schema version the database is at.';
             REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
             GRANT USAGE ON SCHEMA {schema} TO {role};
             GRANT SELECT, INSERT ON {schema}.history TO {role};
             {}",
            super::live::identity_ddl(role_name)
        )
    }

    fn read_history(conn: &mut PgConnection) -> RepoResult<Vec<HistoryEntry>> {
        let rows: Vec<HistoryRow> = diesel::sql_query(format!(
            "SELECT id, version, checksum, kind, applied_at, duration_ms FROM {}.history ORDER BY id",
            qi(HISTORY_SCHEMA)
        ))
        .load(conn)
        .map_err(super::map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| HistoryEntry {
                id: r.id,
                version: r.version,
                checksum: r.checksum,
                kind: r.kind,
                applied_at: r.applied_at,
                duration_ms: r.duration_ms,
            })
            .collect())
    }
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

impl PgDatabaseAdmin {
    /// Databases of the target server that any role may connect to (PUBLIC
    /// keeps CONNECT): a provisioned role can open a session there, which an
    /// operator of a shared server should close.
    pub fn public_databases(&self) -> RepoResult<Vec<String>> {
        let mut conn = self.connect(None)?;
        let rows: Vec<NameRow> = diesel::sql_query(
            "SELECT datname::text AS name FROM pg_catalog.pg_database
              WHERE datallowconn AND pg_catalog.has_database_privilege('public', oid, 'CONNECT')
              ORDER BY datname",
        )
        .load(&mut conn)
        .map_err(super::map_err)?;
        Ok(rows.into_iter().map(|r| r.name).collect())
    }
}

impl DatabaseAdmin for PgDatabaseAdmin {
    fn load_sql(&self, sql: &str, options: &crate::LoadOptions) -> Result<crate::Loaded, crate::LoadError> {
        self.load_as_scratch_role(sql, options)
    }

    fn read_catalog(
        &self,
        database: &str,
        options: &crate::IntrospectOptions,
    ) -> Result<schemaforge_introspect::Catalog, crate::IntrospectError> {
        let mut conn = self.connect(Some(database)).map_err(|e| crate::IntrospectError::Unreachable(e.to_string()))?;
        super::introspect::introspect_on(&mut conn, options)
    }

    fn read_identity(&self, database: &str) -> RepoResult<Option<String>> {
        let mut conn = self.connect(Some(database))?;
        super::live::read_identity(&mut conn).map_err(|e| RepoError::Other(e.to_string()))
    }

    fn write_identity(&self, database: &str, role: &str, version: i32, record: &str) -> RepoResult<()> {
        let mut conn = self.connect(Some(database))?;
        conn.batch_execute(&super::live::identity_ddl(role)).map_err(super::map_err)?;
        super::live::write_identity(&mut conn, version, record).map_err(super::map_err)
    }

    fn try_script(&self, statements: &[&str]) -> Result<(), crate::TryError> {
        let mut conn = self.connect(None).map_err(|e| crate::TryError::Unavailable(e.to_string()))?;
        super::scratch::try_on(&mut conn, statements, super::scratch::Runner::Sandbox)
    }

    fn create_role(&self, role: &str, password: &str) -> RepoResult<()> {
        let mut conn = self.connect(None)?;
        // Send a SCRAM verifier, never the password: statement logs and
        // pg_stat_activity must not show it. NOLOGIN until its database is
        // ready for it (create_database).
        let verifier = scram::verifier(password);
        let limit = self.settings.role_connection_limit.map_or(-1, i64::from);
        let role_q = qi(role);
        conn.batch_execute(&format!(
            "CREATE ROLE {role_q} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS \
             CONNECTION LIMIT {limit} PASSWORD {}",
            ql(&verifier)
        ))
        .map_err(admin_err)?;
        // A non-superuser admin must be a member to create (and later drop)
        // databases owned by the role; for a superuser it is harmless. The
        // admin never assumes the role: scripts run in the role's own
        // sessions.
        conn.batch_execute(&format!("GRANT {role_q} TO CURRENT_USER")).map_err(super::map_err)
    }

    fn create_database(&self, database: &str, owner: &str) -> RepoResult<()> {
        let mut conn = self.connect(None)?;
        let db = qi(database);
        let owner_q = qi(owner);
        let template = self.settings.template.as_deref().map(|t| format!(" TEMPLATE {}", qi(t))).unwrap_or_default();
        conn.batch_execute(&format!("CREATE DATABASE {db} OWNER {owner_q}{template}")).map_err(admin_err)?;
        // Only the owner may connect or create temporary tables.
        conn.batch_execute(&format!("REVOKE ALL ON DATABASE {db} FROM PUBLIC")).map_err(super::map_err)?;
        let mut inside = self.connect(Some(database))?;
        // Before PostgreSQL 15 `public` belongs to the bootstrap superuser
        // and PUBLIC may create in it; make the role its only creator. The
        // history schema is made while the role still cannot log in.
        inside
            .batch_execute(&format!(
                "BEGIN;
                 ALTER SCHEMA public OWNER TO {owner_q};
                 REVOKE CREATE ON SCHEMA public FROM PUBLIC;
                 {};
                 COMMIT",
                Self::history_ddl(owner)
            ))
            .map_err(super::map_err)?;
        conn.batch_execute(&format!("ALTER ROLE {owner_q} LOGIN")).map_err(super::map_err)
    }

    fn apply_script(
        &self,
        database: &str,
        role: &str,
        password: &str,
        run: ScriptRun<'_>,
    ) -> Result<Applied, ApplyError> {
        // The role's own session, never the admin's: whatever the role has
        // planted in its database (functions in its checks, triggers...)
        // runs with the role's rights only, and RESET ROLE leads nowhere.
        let url = with_credentials(&with_database(&self.url, database), role, password);
        let mut conn = establish(&with_connect_timeout(&url, self.settings.connect_timeout_secs))?;
        let mut failed: Option<ApplyError> = None;
        let lock_timeout =
            run.lock_timeout_ms.unwrap_or_else(|| self.settings.lock_timeout_secs.map_or(0, |s| u64::from(s) * 1000));
        let statement_timeout = run.statement_timeout_ms.unwrap_or(0);
        let result = conn.transaction::<i64, DieselError, _>(|c| {
            // The script's unqualified names mean `public`, whatever the
            // role's or the database's default says; a table in use makes
            // the script fail after lock_timeout instead of queueing
            // everyone behind it.
            c.batch_execute(&format!(
                "SET LOCAL search_path = public, pg_temp; SET LOCAL lock_timeout = {lock_timeout}; \
                 SET LOCAL statement_timeout = {statement_timeout}"
            ))?;
            let start = Instant::now();
            for (i, sql) in run.statements.iter().enumerate() {
                if let Err(e) = c.batch_execute(sql) {
                    if is_disconnect(&e) {
                        return Err(e);
                    }
                    failed = Some(ApplyError::Statement { statement: i + 1, sql: sql.clone(), message: describe(&e) });
                    return Err(e);
                }
            }
            let duration_ms = i64::try_from(start.elapsed().as_millis()).unwrap_or(i64::MAX);
            diesel::sql_query(format!(
                "INSERT INTO {}.history (version, checksum, kind, duration_ms) VALUES ($1, $2, $3, $4)",
                qi(HISTORY_SCHEMA)
            ))
            .bind::<Integer, _>(run.version)
            .bind::<Text, _>(run.checksum)
            .bind::<Text, _>(run.kind)
            .bind::<BigInt, _>(duration_ms)
            .execute(c)?;
            Ok(duration_ms)
        });
        match (result, failed) {
            (Ok(duration_ms), _) => Ok(Applied { duration_ms }),
            (Err(_), Some(statement)) => Err(statement),
            (Err(e), None) if is_disconnect(&e) => Err(ApplyError::Repo(RepoError::Unavailable(describe(&e)))),
            (Err(e), None) => {
                Err(ApplyError::Repo(RepoError::Other(format!("cannot record the script: {}", describe(&e)))))
            }
        }
    }

    fn drop_database(&self, database: &str) -> RepoResult<()> {
        let mut conn = self.connect(None)?;
        // FORCE (PostgreSQL 13+) terminates the database's sessions first.
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", qi(database))).map_err(super::map_err)
    }

    fn drop_role(&self, role: &str) -> RepoResult<()> {
        let mut conn = self.connect(None)?;
        conn.batch_execute(&format!("DROP ROLE IF EXISTS {}", qi(role))).map_err(super::map_err)
    }

    fn history(&self, database: &str) -> RepoResult<Vec<HistoryEntry>> {
        let mut conn = self.connect(Some(database))?;
        Self::read_history(&mut conn)
    }

    fn health(&self, database: &str) -> RepoResult<DatabaseHealth> {
        let mut conn = self.connect(Some(database))?;
        let row: HealthRow = diesel::sql_query(format!(
            "SELECT pg_catalog.pg_database_size(current_database()) AS size_bytes,
                    (SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public') AS table_count,
                    (SELECT count(*) FROM pg_catalog.pg_stat_activity
                      WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid()) AS open_connections,
                    pg_catalog.to_regclass({})::text AS history",
            ql(&format!("{}.history", qi(HISTORY_SCHEMA)))
        ))
        .get_result(&mut conn)
        .map_err(super::map_err)?;
        let history = match row.history {
            Some(_) => Self::read_history(&mut conn)?,
            None => Vec::new(),
        };
        Ok(DatabaseHealth {
            size_bytes: row.size_bytes,
            table_count: row.table_count,
            open_connections: row.open_connections,
            history,
        })
    }

    fn address(&self) -> ServerAddress {
        server_address(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart() {
        assert_eq!(
            server_address("postgres://u:p@db.example:6543/x?sslmode=require"),
            ServerAddress { host: "db.example".into(), port: 6543 }
        );
        assert_eq!(server_address("postgres://u@[::1]:5433/x"), ServerAddress { host: "::1".into(), port: 5433 });
        assert_eq!(server_address("postgres://127.0.0.1/x"), ServerAddress { host: "127.0.0.1".into(), port: 5432 });
        assert_eq!(server_address("postgres:///x"), ServerAddress { host: "localhost".into(), port: 5432 });
        assert_eq!(with_database("postgres://u:p@h:1/postgres?a=b", "sf x"), "postgres://u:p@h:1/sf%20x?a=b");
        assert_eq!(with_database("postgres://h", "d"), "postgres://h/d");
        assert_eq!(with_credentials("postgres://admin:pw@h:1/db?x=y", "r", "p w"), "postgres://r:p%20w@h:1/db?x=y");
        assert_eq!(with_credentials("postgres://h/db", "r", "p"), "postgres://r:p@h/db");
        assert_eq!(with_credentials("postgres:///db?host=/run", "r", "p"), "postgres://r:p@/db?host=/run");
    }
}
