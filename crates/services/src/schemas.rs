//! Schemas: create, list, read, replace, rename, delete, versions,
//! validation and export. Every call is scoped to the caller.

use crate::audit::{Action, Recorded};
use schemaforge_domain::{Code, Problem, SchemaDocument, Severity, ValidSchema, ValidationReport, validate};
use schemaforge_repository::{
    NewSchema, Page, RepoError, SchemaQuery, SchemaRecord, SchemaSort, SchemaSummary, SchemaVersion, TryError,
};
use schemaforge_sqlgen::{create_script, drop_script, refusal};
use serde_json::json;
use uuid::Uuid;

use crate::{App, Principal, ServiceError, ServiceResult, Store};

/// Largest page size a client may ask for.
pub const MAX_PAGE_LIMIT: u32 = 100;
const DEFAULT_PAGE_LIMIT: u32 = 20;

/// The page number (from 1), page size (default 20, at most
/// [`MAX_PAGE_LIMIT`]) and rows to skip of a list request.
pub(crate) fn page_window(page: Option<u32>, limit: Option<u32>) -> (u32, u32, i64) {
    let page = page.unwrap_or(1).max(1);
    let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT).clamp(1, MAX_PAGE_LIMIT);
    (page, limit, i64::from(page - 1) * i64::from(limit))
}

/// A list request as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Page size (default 20, at most [`MAX_PAGE_LIMIT`]).
    pub limit: Option<u32>,
    /// Text searched in name and description.
    pub search: Option<String>,
    /// Sort order.
    pub sort: SchemaSort,
}

/// One page of schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaPage {
    /// The schemas.
    pub items: Vec<SchemaSummary>,
    /// The page number.
    pub page: u32,
    /// The page size used.
    pub limit: u32,
    /// Schemas matching in all pages.
    pub total: i64,
}

pub(crate) fn valid(document: SchemaDocument) -> ServiceResult<ValidSchema> {
    ValidSchema::parse(document).map_err(|e| ServiceError::InvalidDocument(e.report))
}

fn not_found(err: RepoError) -> ServiceError {
    match err {
        RepoError::NotFound => ServiceError::SchemaNotFound,
        other => other.into(),
    }
}

impl<S: Store> App<S> {
    /// Validate a document without saving it; with `validate_on_server`,
    /// a valid one's create script is also tried on the provisioning
    /// server, and a refusal is an error at the element it came from.
    pub fn validate_document(&self, document: &SchemaDocument) -> ValidationReport {
        if !self.provisioning.validate_on_server {
            return validate(document);
        }
        let schema = match ValidSchema::parse(document.clone()) {
            Ok(schema) => schema,
            Err(invalid) => return *invalid.report,
        };
        let mut report = schema.report();
        let script = create_script(&schema);
        let statements: Vec<&str> = script.statements().iter().map(|s| s.sql.as_str()).collect();
        match self.admin.try_script(&statements) {
            Ok(()) => {}
            Err(TryError::Statement { index, message, position }) => {
                report.valid = false;
                report.problems.push(refusal(&schema, index, position, &message));
            }
            Err(TryError::Unavailable(message)) => {
                tracing::warn!(error = %message, "validation could not try the create script on the server");
                report.problems.push(Problem {
                    code: Code::NotTriedOnServer,
                    severity: Severity::Warning,
                    path: String::new(),
                    message: "the create script could not be tried on the server (unreachable); only the \
                              offline checks ran"
                        .into(),
                });
            }
        }
        report
    }

    /// Save a new schema (version 1). Invalid documents are refused with
    /// every problem; names are unique per owner.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub fn create_schema(&self, principal: Principal, document: SchemaDocument) -> ServiceResult<SchemaRecord> {
        self.audited(
            principal,
            Action::SchemaCreate,
            None,
            || {
                let schema = valid(document)?;
                let record = self.store.create_schema(NewSchema {
                    id: Uuid::new_v4(),
                    owner_id: principal.user_id,
                    document: schema.into_document(),
                })?;
                tracing::info!(schema_id = %record.id, "schema created");
                Ok(record)
            },
            |r| Recorded { id: Some(r.id), name: Some(r.name.clone()), detail: Some(json!({"version": r.version})) },
        )
    }

    /// One page of the caller's schemas.
    pub fn list_schemas(&self, principal: Principal, params: ListParams) -> ServiceResult<SchemaPage> {
        // Pages start at 1 (the HTTP layer refuses 0 before calling).
        let (page, limit, offset) = page_window(params.page, params.limit);
        let query = SchemaQuery {
            search: params.search.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            sort: params.sort,
            offset,
            limit: i64::from(limit),
        };
        let Page { items, total } = self.store.list_schemas(principal.user_id, &query)?;
        Ok(SchemaPage { items, page, limit, total })
    }

    /// The caller's schema.
    pub fn get_schema(&self, principal: Principal, id: Uuid) -> ServiceResult<SchemaRecord> {
        self.store.get_schema(principal.user_id, id)?.ok_or(ServiceError::SchemaNotFound)
    }

    /// Replace the definition, creating the next version.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn replace_schema(
        &self,
        principal: Principal,
        id: Uuid,
        if_match: Option<i32>,
        document: SchemaDocument,
    ) -> ServiceResult<SchemaRecord> {
        self.audited(
            principal,
            Action::SchemaUpdate,
            Some(id),
            || {
                let schema = valid(document)?;
                let current = self.current_at(principal, id, if_match)?;
                self.save(principal, current, schema)
            },
            |r| Recorded { id: Some(r.id), name: Some(r.name.clone()), detail: Some(json!({"version": r.version})) },
        )
    }

    /// The caller's schema, if it is at the version `if_match` names.
    pub(crate) fn current_at(
        &self,
        principal: Principal,
        id: Uuid,
        if_match: Option<i32>,
    ) -> ServiceResult<SchemaRecord> {
        let current = self.get_schema(principal, id)?;
        match if_match.filter(|v| *v != current.version) {
            Some(expected) => Err(ServiceError::VersionConflict { expected, current: current.version }),
            None => Ok(current),
        }
    }

    /// Save `schema` as the version after `current`; a concurrent writer
    /// makes this a conflict. Saving the same definition again is not a
    /// change: no new version.
    fn save(&self, principal: Principal, current: SchemaRecord, schema: ValidSchema) -> ServiceResult<SchemaRecord> {
        if current.document == *schema.document() {
            return Ok(current);
        }
        self.store
            .update_schema(principal.user_id, current.id, Some(current.version), schema.into_document())
            .map_err(not_found)
    }

    /// Change the name and/or description (a new version of the definition,
    /// since both are part of the document).
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn patch_schema(
        &self,
        principal: Principal,
        id: Uuid,
        if_match: Option<i32>,
        name: Option<String>,
        description: Option<Option<String>>,
    ) -> ServiceResult<SchemaRecord> {
        self.audited(
            principal,
            Action::SchemaUpdate,
            Some(id),
            || {
                let current = self.current_at(principal, id, if_match)?;
                let mut document = current.document.clone();
                if let Some(name) = name {
                    document.name = name;
                }
                if let Some(description) = description {
                    document.description = description;
                }
                let schema = valid(document)?;
                self.save(principal, current, schema)
            },
            |r| Recorded { id: Some(r.id), name: Some(r.name.clone()), detail: Some(json!({"version": r.version})) },
        )
    }

    /// Soft-delete the caller's schema.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn delete_schema(&self, principal: Principal, id: Uuid, if_match: Option<i32>) -> ServiceResult<()> {
        self.store.delete_schema(principal.user_id, id, if_match).map_err(not_found)
    }

    /// Every version of the caller's schema, oldest first.
    pub fn list_versions(&self, principal: Principal, id: Uuid) -> ServiceResult<Vec<SchemaVersion>> {
        self.store.list_versions(principal.user_id, id).map_err(not_found)
    }

    /// One version of the caller's schema.
    pub fn get_version(&self, principal: Principal, id: Uuid, version: i32) -> ServiceResult<SchemaVersion> {
        self.get_schema(principal, id)?;
        self.store.get_version(principal.user_id, id, version)?.ok_or(ServiceError::VersionNotFound)
    }

    /// The create (or drop) script of the caller's schema.
    pub fn export_sql(&self, principal: Principal, id: Uuid, drop: bool) -> ServiceResult<(SchemaRecord, String)> {
        let record = self.get_schema(principal, id)?;
        // Stored documents were valid when saved; re-validating guards against
        // rules that became stricter since.
        let schema = valid(record.document.clone())?;
        let script = if drop { drop_script(&schema) } else { create_script(&schema) };
        Ok((record, script.to_sql()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::app;
    use crate::fake::user;
    use schemaforge_domain::parse_document;

    fn doc(name: &str) -> SchemaDocument {
        parse_document(&format!(
            r#"{{"name": "{name}", "tables": [{{"id": "t", "name": "t", "columns": [
                {{"id": "c", "name": "id", "dataType": "int", "primaryKey": true}}]}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn validation_tries_the_script_on_the_server_when_configured() {
        let admin = std::sync::Arc::new(crate::fake::FakeAdmin::default());
        let mut app = crate::fake::app_with(Default::default(), std::sync::Arc::clone(&admin));
        let checked = parse_document(
            r#"{"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
                {"id": "c", "name": "id", "dataType": "int", "primaryKey": true}],
                "checks": [{"id": "k", "expression": "f(id) > 0"}]}]}"#,
        )
        .unwrap();
        admin.server().fail_on = Some("f(".into());
        // Off: the offline verdict (a warning about f).
        assert!(app.validate_document(&checked).valid);
        app.provisioning.validate_on_server = true;
        let report = app.validate_document(&checked);
        assert!(!report.valid);
        let refused = report.errors().next().unwrap();
        assert_eq!((refused.code, refused.path.as_str()), (Code::RejectedByPostgresql, "/tables/0"));
        assert!(refused.message.contains("f(integer) does not exist"), "{}", refused.message);
        // An invalid document is not sent at all; an unreachable server is
        // a warning.
        assert!(!app.validate_document(&doc("")).valid);
        admin.server().down = true;
        let report = app.validate_document(&checked);
        assert!(report.valid);
        assert!(report.warnings().any(|w| w.code == Code::NotTriedOnServer));
    }

    #[test]
    fn invalid_documents_are_refused_with_every_problem() {
        let app = app();
        let ada = user(&app, "ada@example.com");
        let bad = parse_document(r#"{"name": "", "tables": [{"id": "t", "name": "t", "columns": []}]}"#).unwrap();
        match app.create_schema(ada, bad) {
            Err(ServiceError::InvalidDocument(report)) => assert_eq!(report.errors().count(), 2),
            other => panic!("expected InvalidDocument, got {other:?}"),
        }
        assert_eq!(app.list_schemas(ada, ListParams::default()).unwrap().total, 0);
    }

    #[test]
    fn schemas_are_private_and_versioned() {
        let app = app();
        let ada = user(&app, "ada@example.com");
        let bob = user(&app, "bob@example.com");
        let s = app.create_schema(ada, doc("shop")).unwrap();
        assert!(matches!(app.get_schema(bob, s.id), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(app.replace_schema(bob, s.id, None, doc("x")), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(app.delete_schema(bob, s.id, None), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(app.export_sql(bob, s.id, false), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(app.create_schema(ada, doc("shop")), Err(ServiceError::DuplicateName)));

        let v2 = app.patch_schema(ada, s.id, Some(1), Some("store".into()), Some(Some("d".into()))).unwrap();
        assert_eq!((v2.version, v2.name.as_str(), v2.document.description.as_deref()), (2, "store", Some("d")));
        assert!(matches!(
            app.replace_schema(ada, s.id, Some(1), doc("x")),
            Err(ServiceError::VersionConflict { expected: 1, current: 2 })
        ));
        assert!(matches!(app.patch_schema(ada, s.id, Some(1), None, None), Err(ServiceError::VersionConflict { .. })));
        assert_eq!(app.list_versions(ada, s.id).unwrap().len(), 2);
        let same = app.replace_schema(ada, s.id, Some(2), v2.document.clone()).unwrap();
        assert_eq!(same.version, 2, "an unchanged document makes no new version");
        assert_eq!(app.list_versions(ada, s.id).unwrap().len(), 2);
        assert_eq!(app.get_version(ada, s.id, 1).unwrap().document.name, "shop");
        assert!(matches!(app.get_version(ada, s.id, 9), Err(ServiceError::VersionNotFound)));
        let (_, sql) = app.export_sql(ada, s.id, false).unwrap();
        assert!(sql.contains("CREATE TABLE \"t\""));
        let (_, sql) = app.export_sql(ada, s.id, true).unwrap();
        assert!(sql.contains("DROP TABLE IF EXISTS \"t\""));
        app.delete_schema(ada, s.id, Some(2)).unwrap();
        assert!(matches!(app.get_schema(ada, s.id), Err(ServiceError::SchemaNotFound)));
    }

    #[test]
    fn pages_are_capped() {
        let app = app();
        let ada = user(&app, "ada@example.com");
        for i in 0..5 {
            app.create_schema(ada, doc(&format!("s{i}"))).unwrap();
        }
        let page = app
            .list_schemas(ada, ListParams { page: Some(2), limit: Some(2), sort: SchemaSort::NameAsc, search: None })
            .unwrap();
        assert_eq!((page.total, page.page, page.limit), (5, 2, 2));
        assert_eq!(page.items.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["s2", "s3"]);
        let page = app.list_schemas(ada, ListParams { limit: Some(10_000), ..ListParams::default() }).unwrap();
        assert_eq!(page.limit, MAX_PAGE_LIMIT);
        assert_eq!(app.list_schemas(ada, ListParams { page: Some(0), ..ListParams::default() }).unwrap().page, 1);
    }
}
