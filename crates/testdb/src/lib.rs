//! A fresh PostgreSQL database per test.
//!
//! ```no_run
//! let db = schemaforge_testdb::TestDb::create().unwrap();
//! db.execute("CREATE TABLE t (id int)").unwrap();
//! // dropped when `db` goes out of scope (unless SCHEMAFORGE_KEEP_TEST_DB=1)
//! ```
//!
//! The server comes from `SCHEMAFORGE_TEST_DATABASE_URL` (default
//! [`DEFAULT_SERVER_URL`]); the URL names a database to connect to for
//! administration (`CREATE DATABASE` / `DROP DATABASE`). Each test database is
//! named `sf_test_<uuid>`, so tests can run in parallel.
//!
//! This crate is a test helper: it names diesel directly, which only the
//! repository crate does in production code.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

/// Where tests find PostgreSQL when `SCHEMAFORGE_TEST_DATABASE_URL` is unset.
pub const DEFAULT_SERVER_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Set to `1` to keep test databases after the test for inspection.
pub const KEEP_ENV: &str = "SCHEMAFORGE_KEEP_TEST_DB";

/// Something went wrong talking to the test server.
#[derive(Debug, thiserror::Error)]
pub enum TestDbError {
    /// Could not connect.
    #[error("cannot connect to {url}: {source} (is PostgreSQL running? see scripts/ensure-postgres.sh)")]
    Connect {
        /// The URL, without password.
        url: String,
        /// The driver's error.
        source: diesel::ConnectionError,
    },
    /// A statement failed.
    #[error("{sql}: {source}")]
    Query {
        /// The statement (shortened).
        sql: String,
        /// The driver's error.
        source: diesel::result::Error,
    },
}

/// The admin URL of the test server.
pub fn server_url() -> String {
    std::env::var("SCHEMAFORGE_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_SERVER_URL.to_string())
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
    match query {
        Some(q) => format!("{prefix}/{database}?{q}"),
        None => format!("{prefix}/{database}"),
    }
}

/// A new connection to the database at `url`.
pub fn connect(url: &str) -> Result<PgConnection, TestDbError> {
    PgConnection::establish(url).map_err(|source| TestDbError::Connect { url: redact(url), source })
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(colon) => format!("{}:***{}", &url[..s + 3 + colon], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

fn shorten(sql: &str) -> String {
    let mut s: String = sql.chars().take(200).collect();
    if s.len() < sql.len() {
        s.push_str("...");
    }
    s
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A database created for one test and dropped when this value is dropped.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    url: String,
    admin_url: String,
}

impl TestDb {
    /// Create a new, empty database on the test server.
    pub fn create() -> Result<Self, TestDbError> {
        let admin_url = server_url();
        let name = format!("sf_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = connect(&admin_url)?;
        let sql = format!("CREATE DATABASE \"{name}\"");
        diesel::sql_query(&sql).execute(&mut admin).map_err(|source| TestDbError::Query { sql, source })?;
        let url = with_database(&admin_url, &name);
        Ok(Self { name, url, admin_url })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A connection URL for the database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to the database.
    pub fn connect(&self) -> Result<PgConnection, TestDbError> {
        connect(&self.url)
    }

    /// Run one or more statements on a new connection.
    pub fn execute(&self, sql: &str) -> Result<(), TestDbError> {
        let mut conn = self.connect()?;
        execute(&mut conn, sql)
    }

    /// Run a query returning one bigint column named `n`.
    pub fn count(&self, sql: &str) -> Result<i64, TestDbError> {
        let mut conn = self.connect()?;
        count(&mut conn, sql)
    }
}

/// Run one or more statements on `conn`.
pub fn execute(conn: &mut PgConnection, sql: &str) -> Result<(), TestDbError> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(sql).map_err(|source| TestDbError::Query { sql: shorten(sql), source })
}

/// Run a query returning one bigint column named `n`.
pub fn count(conn: &mut PgConnection, sql: &str) -> Result<i64, TestDbError> {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .map(|c| c.n)
        .map_err(|source| TestDbError::Query { sql: shorten(sql), source })
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

/// Run a query returning one text column named `t`.
pub fn texts(conn: &mut PgConnection, sql: &str) -> Result<Vec<String>, TestDbError> {
    diesel::sql_query(sql)
        .load::<Text>(conn)
        .map(|rows| rows.into_iter().map(|r| r.t).collect())
        .map_err(|source| TestDbError::Query { sql: shorten(sql), source })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if std::env::var(KEEP_ENV).is_ok_and(|v| v == "1") {
            eprintln!("keeping test database {}", self.name);
            return;
        }
        let result = connect(&self.admin_url).and_then(|mut admin| {
            execute(&mut admin, &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
        });
        if let Err(err) = result {
            eprintln!("could not drop test database {}: {err}", self.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_in_urls() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h/postgres?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn creates_and_drops_a_database() {
        let db = TestDb::create().unwrap();
        let name = db.name().to_string();
        db.execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1)").unwrap();
        assert_eq!(db.count("SELECT count(*) AS n FROM t").unwrap(), 1);
        drop(db);
        let mut admin = connect(&server_url()).unwrap();
        let left =
            count(&mut admin, &format!("SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'")).unwrap();
        assert_eq!(left, 0);
    }
}
