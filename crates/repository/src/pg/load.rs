//! Importing an SQL file: loaded into a scratch database on a development
//! server (created, loaded in one transaction, introspected, dropped
//! whatever happens), so PostgreSQL itself reads every statement.

use diesel::connection::SimpleConnection;
use diesel::result::Error as DieselError;
use diesel::{Connection, PgConnection};
use schemaforge_introspect::Catalog;

use super::admin::{with_connect_timeout, with_database};
use super::introspect::{IntrospectOptions, connection_error, introspect_on};
use crate::{IntrospectError, LoadError};

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// How to read the scratch database once loaded (its namespaces: the
    /// file's; empty, all).
    pub introspect: IntrospectOptions,
}

/// A statement of the file that was not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its first line in the file (1-based).
    pub line: usize,
    /// Its text (first line).
    pub text: String,
    /// Why it was not run.
    pub reason: &'static str,
}

/// What a loaded file gave.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The scratch database's catalog.
    pub catalog: Catalog,
    /// Statements left out (psql meta-commands, ownership).
    pub skipped: Vec<Skipped>,
    /// How many statements ran.
    pub statements: usize,
}

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
    let first = statement.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
    let first = first.trim_end_matches(';');
    ["BEGIN", "COMMIT", "ROLLBACK", "START", "END", "ABORT", "SAVEPOINT", "RELEASE"].contains(&first)
}

fn line_of(sql: &str, offset: usize) -> usize {
    sql.get(..offset).map_or(0, |s| s.matches('\n').count()) + 1
}

/// Load `sql` into a scratch database on the server at `dev_url` and read
/// its catalog. The scratch database is dropped whatever happens.
pub fn load_sql(dev_url: &str, sql: &str, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let timeout = options.introspect.connect_timeout_secs;
    let admin_url = with_connect_timeout(dev_url, timeout);
    let mut admin = PgConnection::establish(&admin_url).map_err(connection_error)?;
    // Only ASCII letters, digits and `_`: no user text.
    let name = format!("sf_import_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .map_err(|e| IntrospectError::Privileges(format!("cannot create a scratch database: {e}")))?;
    let outcome = load_into(&with_database(&admin_url, &name), sql, options);
    let dropped = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
    let loaded = outcome?;
    dropped.map_err(|e| IntrospectError::Other(format!("the scratch database {name} could not be dropped: {e}")))?;
    Ok(loaded)
}

fn load_into(url: &str, sql: &str, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let mut conn = PgConnection::establish(url).map_err(connection_error)?;
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
    result.map_err(|e| IntrospectError::Other(e.to_string()))?;
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
    }
}
