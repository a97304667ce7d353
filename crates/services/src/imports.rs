//! Import: a new schema at version 1 from a client's live database (its URL
//! used once, never stored or logged) or from SQL text loaded into a
//! scratch database on the provisioning server. Both are synchronous, under
//! [`ImportSettings`]' timeouts, and audited as `schema.import`.

use std::time::Duration;

use schemaforge_domain::SchemaDocument;
use schemaforge_introspect::{Catalog, ImportOptions, ImportReport, Imported, ReportItem, import};
use schemaforge_repository::{
    ImportTarget, IntrospectError, IntrospectOptions, LoadError, LoadOptions, NewSchema, RepoError, SchemaRecord,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{Action, Recorded};
use crate::schemas::valid;
use crate::{App, Principal, ServiceError, ServiceResult, Store};

/// Timeouts of imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSettings {
    /// Seconds one import may take in all: the catalog read of a client's
    /// database, or the load of SQL text and the read of its scratch
    /// database.
    pub timeout_secs: u64,
    /// Milliseconds one statement may run: the catalog read (one
    /// statement), or a statement of the SQL text.
    pub statement_timeout_ms: u64,
    /// Seconds to wait for a client's server to answer.
    pub connect_timeout_secs: u32,
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self { timeout_secs: 120, statement_timeout_ms: 30_000, connect_timeout_secs: 10 }
    }
}

/// What the client asked besides the source.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// The new schema's name; absent, the database's name (for SQL text,
    /// `imported <date and time>`).
    pub name: Option<String>,
    /// The namespaces to read; empty, all.
    pub namespaces: Vec<String>,
    /// Refuse the import when anything was adjusted or omitted.
    pub strict: bool,
}

/// A schema made by an import, with what the document could not hold.
#[derive(Debug, Clone)]
pub struct ImportedSchema {
    /// The new schema, at version 1.
    pub schema: SchemaRecord,
    /// The import report.
    pub report: ImportReport,
}

/// Where an import reads from.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    Sql(&'a str),
    Database(&'a ImportTarget),
}

impl Source<'_> {
    fn label(self) -> &'static str {
        match self {
            Self::Sql(_) => "sql",
            Self::Database(_) => "database",
        }
    }
}

impl<S: Store> App<S> {
    /// A new schema from SQL text (DDL, `pg_dump --schema-only` output),
    /// loaded into a scratch database on the provisioning server.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, bytes = sql.len()))]
    pub fn import_sql(&self, principal: Principal, sql: &str, request: ImportRequest) -> ServiceResult<ImportedSchema> {
        self.import_from(principal, Source::Sql(sql), request, Uuid::new_v4())
    }

    /// A new schema from a client's live database. The URL is used for
    /// this one read and kept nowhere.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, host = %target.host()))]
    pub fn import_database(
        &self,
        principal: Principal,
        target: &ImportTarget,
        request: ImportRequest,
    ) -> ServiceResult<ImportedSchema> {
        self.import_from(principal, Source::Database(target), request, Uuid::new_v4())
    }

    /// The import, storing the new schema with id `id`.
    pub(crate) fn import_from(
        &self,
        principal: Principal,
        source: Source<'_>,
        request: ImportRequest,
        id: Uuid,
    ) -> ServiceResult<ImportedSchema> {
        check_request(source, &request)?;
        self.audited(
            principal,
            Action::SchemaImport,
            None,
            || {
                let (catalog, skipped) = self.read(source, &request)?;
                let name = request.name.clone().or_else(|| match source {
                    Source::Sql(_) => Some(format!("imported {}", chrono::Utc::now().format("%Y-%m-%d %H:%M:%S"))),
                    Source::Database(_) => None,
                });
                let Imported { document, mut report, .. } =
                    import(&catalog, &ImportOptions { name, ..ImportOptions::default() });
                report.items.splice(0..0, skipped);
                if !report.remaining_errors.is_empty() || (request.strict && report.is_incomplete()) {
                    return Err(ServiceError::ImportIncomplete(Box::new(report)));
                }
                let schema = self.store_imported(principal, document, id)?;
                tracing::info!(schema_id = %schema.id, items = report.items.len(), "schema imported");
                Ok(ImportedSchema { schema, report })
            },
            |r| Recorded {
                id: Some(r.schema.id),
                name: Some(r.schema.name.clone()),
                detail: Some(json!({
                    "version": r.schema.version,
                    "source": source.label(),
                    "tables": r.report.counts.tables,
                    "reportItems": r.report.items.len(),
                })),
            },
        )
    }

    /// The catalog, and the statements of SQL text that were not run (as
    /// report items).
    fn read(&self, source: Source<'_>, request: &ImportRequest) -> ServiceResult<(Catalog, Vec<ReportItem>)> {
        let settings = self.imports;
        let options = IntrospectOptions {
            namespaces: request.namespaces.clone(),
            // The catalog read is one statement: it gets the smaller budget.
            statement_timeout_ms: settings.statement_timeout_ms.min(settings.timeout_secs.saturating_mul(1000)).max(1),
            connect_timeout_secs: settings.connect_timeout_secs,
        };
        match source {
            Source::Database(target) => {
                let catalog = self.reader.read_database(target, &options).map_err(ServiceError::ImportSource)?;
                Ok((catalog, Vec::new()))
            }
            Source::Sql(sql) => {
                let load =
                    LoadOptions { introspect: options, deadline: Some(Duration::from_secs(settings.timeout_secs)) };
                let loaded = self.admin.load_sql(sql, &load).map_err(load_error)?;
                if loaded.statements == 0 {
                    return Err(ServiceError::InvalidInput {
                        field: "sql",
                        message: "holds no SQL statement that could run".into(),
                    });
                }
                let skipped =
                    loaded.skipped.iter().map(|s| ReportItem::skipped_statement(s.line, &s.text, s.reason)).collect();
                Ok((loaded.catalog, skipped))
            }
        }
    }

    fn store_imported(&self, principal: Principal, document: SchemaDocument, id: Uuid) -> ServiceResult<SchemaRecord> {
        let schema = valid(document)?;
        Ok(self.store.create_schema(NewSchema { id, owner_id: principal.user_id, document: schema.into_document() })?)
    }
}

/// What PostgreSQL cannot take at all: a NUL character ends a C string,
/// so text, names and namespaces holding one are refused before any work.
pub(crate) fn check_request(source: Source<'_>, request: &ImportRequest) -> ServiceResult<()> {
    let nul =
        |field: &'static str| ServiceError::InvalidInput { field, message: "must not contain a NUL character".into() };
    if let Source::Sql(sql) = source {
        if sql.contains('\0') {
            return Err(nul("sql"));
        }
    }
    if request.name.as_deref().is_some_and(|n| n.contains('\0')) {
        return Err(nul("name"));
    }
    if request.namespaces.iter().any(|n| n.contains('\0')) {
        return Err(nul("schemas"));
    }
    if request.namespaces.iter().any(|n| n.is_empty() || n.len() > 63) {
        return Err(ServiceError::InvalidInput {
            field: "schemas",
            message: "each must be a schema name of 1 to 63 bytes".into(),
        });
    }
    Ok(())
}

/// A failed load of SQL text: the text's own faults are the client's; the
/// provisioning server's are ours.
fn load_error(err: LoadError) -> ServiceError {
    match err {
        LoadError::Statement { line, message, statement } => ServiceError::SqlRefused { line, message, statement },
        LoadError::Split(message) => ServiceError::InvalidInput { field: "sql", message },
        LoadError::Server(IntrospectError::Timeout(ms)) => ServiceError::ImportSource(IntrospectError::Timeout(ms)),
        LoadError::Server(IntrospectError::NoNamespace(name)) => {
            ServiceError::ImportSource(IntrospectError::NoNamespace(name))
        }
        LoadError::Server(e @ IntrospectError::Unreachable(_)) => {
            ServiceError::Unavailable(RepoError::Unavailable(e.to_string()))
        }
        LoadError::Server(other) => ServiceError::Internal(format!("loading SQL on the provisioning server: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeAdmin, app, app_with, user};
    use schemaforge_repository::{NoCatalogReader, SchemaRepository};
    use std::sync::Arc;

    #[test]
    fn sql_text_becomes_version_1_of_the_caller_s_schema_and_is_audited() {
        let app = app();
        let alice = user(&app, "alice@example.com");
        let bob = user(&app, "bob@example.com");
        let request = ImportRequest { name: Some("from sql".into()), ..ImportRequest::default() };
        let made = app.import_sql(alice, "CREATE TABLE t ();", request).unwrap();
        assert_eq!((made.schema.version, made.schema.name.as_str()), (1, "from sql"));
        assert!(app.store.get_schema(alice.user_id, made.schema.id).unwrap().is_some());
        assert!(app.store.get_schema(bob.user_id, made.schema.id).unwrap().is_none());
        let audit = app.list_audit(alice, None, None).unwrap();
        assert_eq!(audit.items[0].action, "schema.import");
        assert_eq!(audit.items[0].detail.as_ref().unwrap()["source"], "sql");
        // Unnamed, SQL text gets a dated name.
        let unnamed = app.import_sql(alice, "CREATE TABLE t ();", ImportRequest::default()).unwrap();
        assert!(unnamed.schema.name.starts_with("imported "), "{}", unnamed.schema.name);
    }

    #[test]
    fn a_refused_statement_or_a_down_server_stores_nothing() {
        let admin = Arc::new(FakeAdmin::default());
        let app = app_with(Default::default(), Arc::clone(&admin));
        let alice = user(&app, "alice@example.com");
        admin.server().fail_on = Some("oops".into());
        let err = app.import_sql(alice, "CREATE TABLE a ();\nCREATE oops;", ImportRequest::default()).unwrap_err();
        assert!(matches!(err, ServiceError::SqlRefused { line: 2, .. }), "{err:?}");
        admin.server().down = true;
        let err = app.import_sql(alice, "CREATE TABLE a ();", ImportRequest::default()).unwrap_err();
        assert!(matches!(err, ServiceError::Unavailable(_)), "{err:?}");
        let audit = app.list_audit(alice, None, None).unwrap();
        assert_eq!(audit.items[0].error_code.as_deref(), Some("unavailable"));
        assert_eq!(audit.items[1].error_code.as_deref(), Some("sql_refused"));
        let mine = app.store.list_schemas(alice.user_id, &Default::default()).unwrap();
        assert_eq!(mine.total, 0);
    }

    #[test]
    fn nul_characters_are_refused_before_any_work() {
        let admin = Arc::new(FakeAdmin::default());
        let app = app_with(Default::default(), Arc::clone(&admin));
        let alice = user(&app, "alice@example.com");
        admin.server().down = true;
        let bad = |r: ServiceResult<ImportedSchema>| match r {
            Err(ServiceError::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(bad(app.import_sql(alice, "CREATE TABLE t ();\0", ImportRequest::default())), "sql");
        let named = ImportRequest { name: Some("a\0b".into()), ..ImportRequest::default() };
        assert_eq!(bad(app.import_sql(alice, "CREATE TABLE t ();", named)), "name");
        let spaced = ImportRequest { namespaces: vec!["s\0".into()], ..ImportRequest::default() };
        assert_eq!(bad(app.import_sql(alice, "CREATE TABLE t ();", spaced)), "schemas");
    }

    #[test]
    fn without_a_reader_databases_are_not_read() {
        let app = app().with_imports(Arc::new(NoCatalogReader), ImportSettings::default());
        let alice = user(&app, "alice@example.com");
        let target = ImportTarget::parse("postgres://u:secret@db.example.com/app").unwrap();
        let err = app.import_database(alice, &target, ImportRequest::default()).unwrap_err();
        assert!(matches!(err, ServiceError::ImportSource(IntrospectError::Forbidden(_))), "{err:?}");
        assert!(!format!("{err:?} {err}").contains("secret"));
    }
}
