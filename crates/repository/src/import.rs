//! What import reads from: a client's database, reached by a connection
//! URL that is used once and never stored ([`CatalogReader`]), and SQL text
//! loaded into a scratch database on the provisioning server
//! ([`crate::DatabaseAdmin::load_sql`]). Driver-free, like every trait here.

use std::time::Duration;

use schemaforge_introspect::Catalog;

use crate::IntrospectError;

/// How to read a catalog.
#[derive(Debug, Clone)]
pub struct IntrospectOptions {
    /// The namespaces to read; empty, every one but PostgreSQL's own and
    /// those an extension made.
    pub namespaces: Vec<String>,
    /// Milliseconds the catalog read (one statement holding every query) may run.
    pub statement_timeout_ms: u64,
    /// Seconds to wait for the server to answer.
    pub connect_timeout_secs: u32,
}

impl Default for IntrospectOptions {
    fn default() -> Self {
        Self { namespaces: Vec::new(), statement_timeout_ms: 60_000, connect_timeout_secs: 10 }
    }
}

/// How to load SQL text.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// How to read the scratch database once loaded (its namespaces: the
    /// file's; empty, all).
    pub introspect: IntrospectOptions,
    /// The longest the whole load may take (the statements and the catalog
    /// read); past it the scratch database's sessions are terminated and
    /// the load fails with [`IntrospectError::Timeout`]. `None`: no bound
    /// beyond each statement's timeout.
    pub deadline: Option<Duration>,
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
    /// Statements left out (psql meta-commands, ownership, transaction control).
    pub skipped: Vec<Skipped>,
    /// How many statements ran.
    pub statements: usize,
}

/// The query parameters a client's URL may carry: anything else could make
/// the server read its own files (`sslkey`, `passfile`, `service`), reach
/// another host (`host`, `hostaddr`) or change the session (`options`).
const ACCEPTED_PARAMETERS: &[&str] = &["sslmode", "application_name"];

/// libpq's `sslmode` values.
pub const SSL_MODES: &[&str] = &["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/// A client's PostgreSQL connection URL, checked: `postgres://` or
/// `postgresql://`, one TCP host, a user with a password, a database name,
/// and no parameter but `sslmode` and `application_name`. Its `Debug` and every error made from
/// it leave the password out.
#[derive(Clone)]
pub struct ImportTarget {
    url: url::Url,
    host: String,
    port: u16,
    database: String,
}

impl std::fmt::Debug for ImportTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

fn invalid(message: impl Into<String>) -> IntrospectError {
    IntrospectError::InvalidUrl(message.into())
}

impl ImportTarget {
    /// Check a URL. Errors never repeat the URL (it holds a password).
    pub fn parse(text: &str) -> Result<Self, IntrospectError> {
        let url = url::Url::parse(text.trim()).map_err(|e| invalid(format!("the URL cannot be read ({e})")))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(invalid("the URL must start with postgres:// or postgresql://"));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) if !d.is_empty() => d.to_ascii_lowercase(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(invalid("the URL must name a host (Unix sockets are not reachable from here)")),
        };
        if host.contains(',') || host.contains('%') {
            return Err(invalid("the URL must name exactly one host"));
        }
        if url.fragment().is_some() {
            return Err(invalid("the URL must not have a #fragment"));
        }
        let database = url.path().strip_prefix('/').unwrap_or_default();
        if database.is_empty() || database.contains('/') {
            return Err(invalid("the URL must name a database: postgres://user:password@host:port/database"));
        }
        let database = percent_decode(database).ok_or_else(|| invalid("the database name is not UTF-8"))?;
        if url.username().is_empty() {
            return Err(invalid("the URL must name a user: postgres://user:password@host:port/database"));
        }
        // Without one, libpq would fall back on what the server's own
        // environment knows (PGPASSWORD, ~/.pgpass): never a client's to use.
        if url.password().is_none_or(str::is_empty) {
            return Err(invalid("the URL must carry the user's password: postgres://user:password@host:port/database"));
        }
        // libpq's own message for a bad %-escape repeats the text around
        // it, the password included: refuse it here, without repeating it.
        let readable = |part: &str| percent_decode(part).is_some_and(|p| !p.contains('\0'));
        if !readable(url.username()) || !url.password().is_some_and(readable) {
            return Err(invalid("the user or password has a broken %-escape (write each special character as %XX)"));
        }
        for (key, value) in url.query_pairs() {
            if !ACCEPTED_PARAMETERS.contains(&key.as_ref()) {
                return Err(invalid(format!(
                    "the parameter `{key}` is not accepted (only {})",
                    ACCEPTED_PARAMETERS.join(", ")
                )));
            }
            if key == "sslmode" && !SSL_MODES.contains(&value.as_ref()) {
                return Err(invalid(format!("sslmode must be one of {}", SSL_MODES.join(", "))));
            }
        }
        let port = url.port().unwrap_or(5432);
        Ok(Self { url, host, port, database })
    }

    /// The host, lower-cased (an IPv6 address without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (default 5432).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database name.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The user name, %-decoded.
    pub fn user(&self) -> String {
        percent_decode(self.url.username()).unwrap_or_default()
    }

    /// The password, %-decoded. Never log it.
    pub fn password(&self) -> String {
        self.url.password().and_then(percent_decode).unwrap_or_default()
    }

    /// The URL's `sslmode` (default `prefer`, libpq's).
    pub fn sslmode(&self) -> String {
        self.url.query_pairs().find(|(k, _)| k == "sslmode").map_or_else(|| "prefer".into(), |(_, v)| v.into_owned())
    }

    /// The URL for libpq, pinned to `address` (`hostaddr`: the address the
    /// host policy allowed, so a second name lookup cannot lead elsewhere)
    /// and with a connect timeout. Holds the password: never log it.
    pub fn libpq_url(&self, address: std::net::IpAddr, connect_timeout_secs: u32) -> String {
        let mut url = self.url.clone();
        url.query_pairs_mut()
            .append_pair("hostaddr", &address.to_string())
            .append_pair("passfile", "/dev/null")
            .append_pair("connect_timeout", &connect_timeout_secs.max(1).to_string());
        url.to_string()
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What a test of a client's database found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `server_version`, e.g. `15.4`.
    pub server_version: String,
    /// Relations its catalog read found (it could be read).
    pub relations: usize,
    /// The user may create objects in `public`: syncs to the database can
    /// be applied (a sync may still need more, e.g. owning a table).
    pub can_write: bool,
}

/// Timeouts of a script run on a client's database.
#[derive(Debug, Clone, Copy)]
pub struct ScriptTimeouts {
    /// Seconds to wait for the server to answer.
    pub connect_secs: u32,
    /// Milliseconds any one statement may run.
    pub statement_ms: u64,
    /// Milliseconds a statement may wait for a lock.
    pub lock_ms: u64,
}

/// Reads (and, for syncs, changes) a client's database.
pub trait CatalogReader: Send + Sync {
    /// Connect to `target` (where the implementation's host policy allows),
    /// read its catalog in one read-only transaction, and disconnect.
    fn read_database(&self, target: &ImportTarget, options: &IntrospectOptions) -> Result<Catalog, IntrospectError>;
    /// Test `target`: reachable, authenticated, its catalog readable, and
    /// whether its user may write.
    fn probe(&self, target: &ImportTarget, options: &IntrospectOptions) -> Result<Probe, IntrospectError>;
    /// Run `statements` on `target` in ONE transaction; the first that
    /// fails rolls everything back and is named. Gives the milliseconds.
    fn apply_statements(
        &self,
        target: &ImportTarget,
        statements: &[String],
        timeouts: ScriptTimeouts,
    ) -> Result<u64, crate::ApplyError>;
}

/// A reader for a server that reads no client database: every call is
/// [`IntrospectError::Forbidden`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCatalogReader;

impl CatalogReader for NoCatalogReader {
    fn read_database(&self, _: &ImportTarget, _: &IntrospectOptions) -> Result<Catalog, IntrospectError> {
        Err(IntrospectError::Forbidden("this server does not read client databases".into()))
    }

    fn probe(&self, _: &ImportTarget, _: &IntrospectOptions) -> Result<Probe, IntrospectError> {
        Err(IntrospectError::Forbidden("this server does not read client databases".into()))
    }

    fn apply_statements(&self, _: &ImportTarget, _: &[String], _: ScriptTimeouts) -> Result<u64, crate::ApplyError> {
        Err(crate::ApplyError::Repo(crate::RepoError::Other("this server does not change client databases".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_without_repeating_the_password() {
        let t = ImportTarget::parse("postgresql://me:s%40cret@DB.Example.com:6543/app%20db?sslmode=require").unwrap();
        assert_eq!((t.host(), t.port(), t.database()), ("db.example.com", 6543, "app db"));
        assert!(!format!("{t:?}").contains("cret"));
        let pinned = t.libpq_url("192.0.2.1".parse().unwrap(), 5);
        assert!(pinned.contains("hostaddr=192.0.2.1") && pinned.contains("connect_timeout=5"), "{pinned}");
        let v6 = ImportTarget::parse("postgres://u:p@[::1]/d").unwrap();
        assert_eq!((v6.host(), v6.port()), ("::1", 5432));
        for (bad, why) in [
            ("mysql://u:pw@h/d", "postgres://"),
            ("postgres://u:pw@/d?host=/var/run/postgresql", "host"),
            ("postgres://u:pw@h", "database"),
            ("postgres://u:pw@h/", "database"),
            ("postgres://:pw@h/d", "user"),
            ("postgres://u@h/d", "password"),
            ("postgres://u:@h/d", "password"),
            ("postgres://u:p%zzw@h/d", "%-escape"),
            ("postgres://u:p%00w@h/d", "%-escape"),
            ("postgres://u:pw@h/d?sslkey=/etc/key", "sslkey"),
            ("postgres://u:pw@h/d?hostaddr=10.0.0.1", "hostaddr"),
            ("postgres://u:pw@h/d?options=-c%20x", "options"),
            ("postgres://u:pw@h/d?sslmode=nope", "sslmode"),
            ("postgres://u:pw@h1,h2/d", "one host"),
            ("not a url pw", "cannot be read"),
        ] {
            let message = ImportTarget::parse(bad).unwrap_err().to_string();
            assert!(message.contains(why), "{bad}: {message}");
            assert!(!message.contains("pw"), "{bad}: {message}");
        }
    }
}
