//! Importing an SQL file: loaded into a scratch database on a development
//! server (created, loaded in one transaction, introspected, dropped
//! whatever happens), so PostgreSQL itself reads every statement.
//!
//! Two callers: the CLI's `import --dev-url` loads as the URL's own user
//! on a server the user chose; the service ([`PgDatabaseAdmin::load_sql`])
//! loads on the provisioning server as a throwaway role that owns the
//! scratch database and nothing else, in that role's own session, so the
//! text can reach nothing beyond its scratch database (`RESET ROLE` leads
//! back to the same role).

use std::sync::mpsc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::result::Error as DieselError;
use diesel::{Connection, PgConnection};
use rand::RngCore;

use super::admin::{PgDatabaseAdmin, with_connect_timeout, with_credentials, with_database};
use super::introspect::{connection_error, introspect_on};
use crate::{DatabaseAdmin, IntrospectError, LoadError, LoadOptions, Loaded, Skipped};

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().chars().take(200).collect()
}

/// The file with psql's meta-command lines (`\connect`, `\restrict`)
/// blanked, keeping every offset, and those lines.
fn without_meta_commands(sql: &str) -> (String, Vec<Skipped>) {
    let mut out = String::with_capacity(sql.len());
    let mut skipped = Vec::new();
    for (n, line) in sql.split_inclusive('\n').enumerate() {
        if line.trim_start().starts_with('\\') {
            skipped.push(Skipped {
                line: n + 1,
                text: first_line(line.trim()),
                reason: "a psql meta-command, not SQL",
            });
            out.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        } else {
            out.push_str(line);
        }
    }
    (out, skipped)
}

/// An ownership statement (`ALTER ... OWNER TO role`): the document has
/// no owners, and the role need not exist on the development server.
fn is_ownership(statement: &str) -> bool {
    let words: Vec<String> = statement.split_whitespace().map(str::to_ascii_uppercase).collect();
    words.first().map(String::as_str) == Some("ALTER") && words.windows(2).any(|w| w[0] == "OWNER" && w[1] == "TO")
}

/// A transaction-control statement: the file is loaded in one transaction
/// of its own, which a `COMMIT` inside would end.
fn is_transaction_control(statement: &str) -> bool {
    let words: Vec<String> =
        statement.split_whitespace().take(2).map(|w| w.trim_end_matches(';').to_ascii_uppercase()).collect();
    let first = words.first().map(String::as_str).unwrap_or_default();
    // PREPARE TRANSACTION would leave a scratch database nobody can drop
    // (PREPARE name AS ... is a prepared statement, and runs).
    ["BEGIN", "COMMIT", "ROLLBACK", "START", "END", "ABORT", "SAVEPOINT", "RELEASE"].contains(&first)
        || (first == "PREPARE" && words.get(1).map(String::as_str) == Some("TRANSACTION"))
}

fn line_of(sql: &str, offset: usize) -> usize {
    sql.get(..offset).map_or(0, |s| s.matches('\n').count()) + 1
}

/// A scratch database's name: only ASCII letters, digits and `_`, no user text.
fn scratch_name() -> String {
    format!("sf_import_{}", uuid::Uuid::new_v4().simple())
}

fn admin_session(url: &str) -> Result<PgConnection, IntrospectError> {
    PgConnection::establish(url).map_err(connection_error)
}

/// Load `sql` into a scratch database on the server at `dev_url`, as the
/// URL's user, and read its catalog. The scratch database is dropped
/// whatever happens.
pub fn load_sql(dev_url: &str, sql: &str, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let admin_url = with_connect_timeout(dev_url, options.introspect.connect_timeout_secs);
    let mut admin = admin_session(&admin_url)?;
    let name = scratch_name();
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .map_err(|e| IntrospectError::Privileges(format!("cannot create a scratch database: {e}")))?;
    let outcome = load_watched(&admin_url, &name, &with_database(&admin_url, &name), sql, options, None);
    let dropped = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
    after_drop(outcome, dropped, &name)
}

/// The load's outcome once its scratch database is dropped: the load's own
/// failure first, else a failed drop (something was left behind).
fn after_drop<E: std::fmt::Display>(
    outcome: Result<Loaded, LoadError>,
    dropped: Result<(), E>,
    name: &str,
) -> Result<Loaded, LoadError> {
    let loaded = outcome?;
    dropped.map_err(|e| IntrospectError::Other(format!("the scratch database {name} could not be dropped: {e}")))?;
    Ok(loaded)
}

impl PgDatabaseAdmin {
    /// [`DatabaseAdmin::load_sql`]: a role and a database of the same
    /// scratch name, the role's password random and never kept.
    pub(super) fn load_as_scratch_role(&self, sql: &str, options: &LoadOptions) -> Result<Loaded, LoadError> {
        let name = scratch_name();
        let mut secret = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut secret);
        let password: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let unavailable = |e: crate::RepoError| IntrospectError::Unreachable(e.to_string());
        self.create_role(&name, &password).map_err(unavailable)?;
        let outcome =
            self.create_scratch_database(&name).map_err(unavailable).map_err(LoadError::from).and_then(|()| {
                let url = with_credentials(&with_database(self.admin_url(), &name), &name, &password);
                let url = with_connect_timeout(&url, options.introspect.connect_timeout_secs);
                // Once its session is open the role may log in no more: the
                // text cannot set a password of its own and come back from
                // outside while the load runs.
                load_watched(self.admin_url(), &name, &url, sql, options, Some(&name))
            });
        let dropped = self.drop_database(&name).and_then(|()| self.drop_role(&name));
        after_drop(outcome, dropped, &name)
    }
}

/// [`load_into`] under `options.deadline`: a watchdog terminates the
/// scratch database's sessions when it passes (a statement of the file
/// could lift its own `statement_timeout`; it cannot escape this).
fn load_watched(
    admin_url: &str,
    database: &str,
    url: &str,
    sql: &str,
    options: &LoadOptions,
    lock_role: Option<&str>,
) -> Result<Loaded, LoadError> {
    let lock = lock_role.map(|role| (admin_url, role));
    let Some(deadline) = options.deadline else {
        return load_into(url, sql, options, lock);
    };
    let (done, wait) = mpsc::channel::<()>();
    let admin_url = admin_url.to_string();
    let database = database.to_string();
    let watchdog = std::thread::spawn(move || {
        if wait.recv_timeout(deadline) != Err(mpsc::RecvTimeoutError::Timeout) {
            return false;
        }
        if let Ok(mut admin) = PgConnection::establish(&with_connect_timeout(&admin_url, 10u32)) {
            // The name is ours (letters, digits, `_`), never user text.
            let _ = admin.batch_execute(&format!(
                "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity \
                 WHERE datname = '{database}' AND pid <> pg_catalog.pg_backend_pid()"
            ));
        }
        true
    });
    let outcome = load_into(url, sql, options, lock);
    drop(done);
    let fired = watchdog.join().unwrap_or(false);
    if fired {
        return Err(LoadError::Server(IntrospectError::Timeout(millis(deadline))));
    }
    outcome
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Load in a session of `url`; with `lock` (admin URL, role), the role is
/// made NOLOGIN as soon as that session is open.
fn load_into(url: &str, sql: &str, options: &LoadOptions, lock: Option<(&str, &str)>) -> Result<Loaded, LoadError> {
    let mut conn = PgConnection::establish(url).map_err(connection_error)?;
    if let Some((admin_url, role)) = lock {
        let admin_url = with_connect_timeout(admin_url, options.introspect.connect_timeout_secs);
        let mut admin = PgConnection::establish(&admin_url).map_err(connection_error)?;
        admin
            .batch_execute(&format!("ALTER ROLE {} NOLOGIN", super::admin::quote_ident(role)))
            .map_err(|e| IntrospectError::Other(format!("cannot lock the scratch role: {e}")))?;
    }
    // Each statement of the file under the same timeout as a catalog query.
    conn.batch_execute(&format!("SET statement_timeout = {}", options.introspect.statement_timeout_ms))
        .map_err(|e| IntrospectError::Other(e.to_string()))?;
    let (text, mut skipped) = without_meta_commands(sql);
    let statements = schemaforge_introspect::split_script(&text).map_err(|e| LoadError::Split(e.to_string()))?;
    let mut failed = None;
    let mut ran = 0;
    let result = conn.transaction::<(), DieselError, _>(|c| {
        for s in &statements {
            let reason = if is_ownership(s.text) {
                Some("ownership is not in the document format")
            } else if is_transaction_control(s.text) {
                Some("transaction control: the file is loaded in one transaction of its own")
            } else {
                None
            };
            if let Some(reason) = reason {
                skipped.push(Skipped { line: line_of(&text, s.offset), text: first_line(s.text), reason });
                continue;
            }
            if let Err(e) = c.batch_execute(s.text) {
                let (message, position) = match &e {
                    DieselError::DatabaseError(_, info) => {
                        let mut m = info.message().to_string();
                        if let Some(d) = info.details() {
                            m.push_str(&format!(" ({d})"));
                        }
                        (m, info.statement_position().and_then(|p| usize::try_from(p).ok()))
                    }
                    other => (other.to_string(), None),
                };
                let within = position
                    .and_then(|p| s.text.char_indices().nth(p.saturating_sub(1)))
                    .map_or(0, |(i, _)| s.text[..i].matches('\n').count());
                failed = Some(LoadError::Statement {
                    line: line_of(&text, s.offset) + within,
                    message,
                    statement: first_line(s.text),
                });
                return Err(e);
            }
            ran += 1;
        }
        Ok(())
    });
    if let Some(f) = failed {
        return Err(f);
    }
    // What fails at COMMIT is the text's too: a deferred constraint that
    // its statements broke.
    if let Err(e) = result {
        return Err(match e {
            DieselError::DatabaseError(_, info) => LoadError::Statement {
                line: line_of(&text, text.len()),
                message: format!("at COMMIT: {}", info.message()),
                statement: "(the end of the text)".into(),
            },
            other => LoadError::Server(IntrospectError::Other(other.to_string())),
        });
    }
    // The text may have changed its session's settings (client_encoding
    // above all, which the catalog's UTF-8 answer needs): back to the
    // defaults before reading.
    conn.batch_execute("RESET ALL; SET client_encoding = 'UTF8'")
        .map_err(|e| IntrospectError::Other(format!("cannot reset the session: {e}")))?;
    let catalog = introspect_on(&mut conn, &options.introspect)?;
    skipped.sort_by_key(|s| s.line);
    Ok(Loaded { catalog, skipped, statements: ran })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_commands_are_blanked_in_place_and_owners_recognised() {
        let (text, skipped) = without_meta_commands("\\restrict abc\nCREATE TABLE t ();\n");
        assert_eq!(text.len(), "\\restrict abc\nCREATE TABLE t ();\n".len());
        assert_eq!(skipped[0].line, 1);
        assert_eq!(line_of(&text, text.find("CREATE").unwrap()), 2);
        assert!(is_ownership("ALTER TABLE public.t OWNER TO postgres"));
        assert!(!is_ownership("ALTER TABLE t ADD COLUMN owner text"));
        assert!(is_transaction_control("commit") && is_transaction_control("START TRANSACTION"));
        assert!(!is_transaction_control("CREATE TABLE begin_at (x int)"));
        assert!(is_transaction_control("PREPARE TRANSACTION 'x'") && !is_transaction_control("PREPARE q AS SELECT 1"));
    }
}
