//! Reading a live database's catalog for import: a fixed set of queries
//! (`catalog/*.sql`, one per kind of object, whatever the database's
//! size), each answering with one JSON document, run as the columns of one
//! statement (one round trip) in one read-only transaction (one snapshot)
//! under a statement timeout. The queries read
//! only `pg_catalog`, which takes no lock beyond ACCESS SHARE on the
//! catalogs themselves.

use diesel::connection::SimpleConnection;
use diesel::result::Error as DieselError;
use diesel::sql_types::{Array, Text};
use diesel::{Connection, ConnectionError, PgConnection, QueryableByName, RunQueryDsl};
use schemaforge_introspect::Catalog;

use super::admin::with_connect_timeout;
use crate::{IntrospectError, IntrospectOptions};

/// The namespaces and relations read, common to every query ($1: names).
const SCOPE: &str = include_str!("catalog/scope.sql");

/// The catalog queries, one per field of [`Catalog`] (`catalog/<field>.sql`
/// fills `<field>`), listed once: the list of queries and the row that
/// holds their answers come from the same names.
macro_rules! catalog_queries {
    ($($field:ident),* $(,)?) => {
        /// The queries, by the field of [`Catalog`] each fills.
        const QUERIES: &[(&str, &str)] =
            &[$((stringify!($field), include_str!(concat!("catalog/", stringify!($field), ".sql")))),*];

        /// The answers of [`everything`], one JSON text per query.
        #[derive(QueryableByName, Default)]
        struct Answers {
            $(
                #[diesel(sql_type = Text)]
                $field: String,
            )*
        }

        impl Answers {
            /// The answers by field, in query order.
            fn into_parts(self) -> Vec<(&'static str, String)> {
                vec![$((stringify!($field), self.$field)),*]
            }
        }
    };
}

catalog_queries!(
    namespaces,
    extensions,
    collations,
    text_search,
    types,
    sequences,
    relations,
    columns,
    constraints,
    indexes,
    index_elements,
    routines,
    triggers,
    policies,
    rules,
    others,
    server,
);

/// How many catalog queries one introspection runs, whatever the database
/// holds (all of them in one statement, one round trip).
pub const CATALOG_QUERIES: usize = QUERIES.len();

/// The one statement: every query a scalar subquery of one `SELECT`, the
/// scope computed once, each answer a column named like its field.
fn everything() -> String {
    let columns: Vec<String> = QUERIES.iter().map(|(field, body)| format!("({body}\n) AS {field}")).collect();
    format!("{SCOPE} SELECT {}", columns.join(",\n"))
}

impl Answers {
    /// One JSON object whose keys are [`Catalog`]'s fields.
    fn into_json(self) -> String {
        let parts = self.into_parts();
        let mut json = String::with_capacity(parts.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>() + 2);
        for (i, (key, value)) in parts.iter().enumerate() {
            json.push(if i == 0 { '{' } else { ',' });
            json.push_str(&format!("\"{key}\":"));
            json.push_str(value);
        }
        json.push('}');
        json
    }
}

/// The kind of a libpq connection failure, from its message.
pub(crate) fn connection_error(e: ConnectionError) -> IntrospectError {
    let message = match e {
        ConnectionError::InvalidConnectionUrl(m) => return IntrospectError::InvalidUrl(m),
        ConnectionError::BadConnection(m) => m,
        other => other.to_string(),
    };
    let m = message.trim().to_string();
    let lower = m.to_lowercase();
    if lower.contains("password authentication failed")
        || lower.contains("no password supplied")
        || lower.contains("authentication failed")
        || (lower.contains("role \"") && lower.contains("does not exist"))
    {
        IntrospectError::Authentication(m)
    } else if lower.contains("database \"") && lower.contains("does not exist") {
        IntrospectError::NoDatabase(m)
    } else if lower.contains("permission denied") || lower.contains("connect privilege") {
        IntrospectError::Privileges(m)
    } else if lower.contains("invalid") && lower.contains("uri") || lower.contains("missing \"=\"") {
        IntrospectError::InvalidUrl(m)
    } else {
        IntrospectError::Unreachable(m)
    }
}

fn query_error(e: DieselError, timeout_ms: u64) -> IntrospectError {
    let m = e.to_string();
    let lower = m.to_lowercase();
    if lower.contains("statement timeout") {
        IntrospectError::Timeout(timeout_ms)
    } else if lower.contains("permission denied") {
        IntrospectError::Privileges(m)
    } else {
        IntrospectError::Other(m)
    }
}

/// Read the catalog of the database at `url`.
pub fn introspect(url: &str, options: &IntrospectOptions) -> Result<Catalog, IntrospectError> {
    let mut conn =
        PgConnection::establish(&with_connect_timeout(url, options.connect_timeout_secs)).map_err(connection_error)?;
    introspect_on(&mut conn, options)
}

/// [`introspect`] on an open session.
pub fn introspect_on(conn: &mut PgConnection, options: &IntrospectOptions) -> Result<Catalog, IntrospectError> {
    let timeout = options.statement_timeout_ms;
    let mut text = String::new();
    let result = conn.transaction::<(), DieselError, _>(|c| {
        // One snapshot for every query; the settings make PostgreSQL print
        // names, dates and numbers the same way whoever reads (and JIT
        // compilation, which these catalog joins would trigger on a large
        // database, costs more than it saves).
        c.batch_execute(&format!(
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;
             SET LOCAL statement_timeout = {timeout};
             SET LOCAL lock_timeout = {timeout};
             SET LOCAL jit = off;
             SET LOCAL search_path = public;
             SET LOCAL DateStyle = 'ISO, MDY';
             SET LOCAL IntervalStyle = 'postgres';
             SET LOCAL TimeZone = 'UTC';
             SET LOCAL extra_float_digits = 1;
             SET LOCAL standard_conforming_strings = on"
        ))?;
        let answers: Answers =
            diesel::sql_query(everything()).bind::<Array<Text>, _>(&options.namespaces).get_result(c)?;
        text = answers.into_json();
        Ok(())
    });
    result.map_err(|e| query_error(e, timeout))?;
    // Straight into the typed rows: no intermediate JSON tree (at 1000
    // tables the text is about 6 MB).
    let mut catalog: Catalog =
        serde_json::from_str(&text).map_err(|e| IntrospectError::Other(format!("unexpected catalog shape: {e}")))?;
    catalog.attach_index_elements();
    for asked in &options.namespaces {
        match catalog.namespaces.iter().find(|n| &n.name == asked) {
            None => return Err(IntrospectError::NoNamespace(asked.clone())),
            Some(n) if !n.usable => {
                return Err(IntrospectError::Privileges(format!("no USAGE privilege on schema {asked}")));
            }
            Some(_) => {}
        }
    }
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_has_its_column_and_its_key() {
        let json = Answers::default().into_json();
        for (field, _) in QUERIES {
            assert!(everything().contains(&format!(") AS {field}")), "{field}");
            assert!(json.contains(&format!("\"{field}\":")), "{field}");
        }
        assert_eq!(json.matches("\":").count(), QUERIES.len());
    }
}
