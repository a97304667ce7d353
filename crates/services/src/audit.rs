//! The audit log and the operation metrics: every schema, database and API
//! key operation runs through [`App::audited`], which appends who did what
//! to which target, how it ended and under which request id (never a
//! secret: no password, token, key or connection string), and counts the
//! database operations, with their durations, by outcome.

use std::time::Instant;

use schemaforge_repository::{AuditEntry, AuditOutcome, NewAuditEntry};
use uuid::Uuid;

use crate::{App, MAX_PAGE_LIMIT, Principal, ServiceResult, Store};

/// What is audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    SchemaCreate,
    SchemaImport,
    SchemaUpdate,
    SchemaDelete,
    DatabaseProvision,
    DatabaseRegenerate,
    DatabaseDrop,
    DatabaseMigrate,
    DatabaseRollback,
    DatabaseSyncRequest,
    DatabaseSync,
    JobCancel,
    ConnectionCreate,
    ConnectionUpdate,
    ConnectionDelete,
    ApiKeyCreate,
    ApiKeyRevoke,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Self::SchemaCreate => "schema.create",
            Self::SchemaImport => "schema.import",
            Self::SchemaUpdate => "schema.update",
            Self::SchemaDelete => "schema.delete",
            Self::DatabaseProvision => "database.provision",
            Self::DatabaseRegenerate => "database.regenerate",
            Self::DatabaseDrop => "database.drop",
            Self::DatabaseMigrate => "database.migrate",
            Self::DatabaseRollback => "database.rollback",
            Self::DatabaseSyncRequest => "database.sync_request",
            Self::DatabaseSync => "database.sync",
            Self::JobCancel => "job.cancel",
            Self::ConnectionCreate => "connection.create",
            Self::ConnectionUpdate => "connection.update",
            Self::ConnectionDelete => "connection.delete",
            Self::ApiKeyCreate => "api_key.create",
            Self::ApiKeyRevoke => "api_key.revoke",
        }
    }

    fn target_type(self) -> &'static str {
        match self {
            Self::ApiKeyCreate | Self::ApiKeyRevoke => "api_key",
            Self::JobCancel => "job",
            Self::ConnectionCreate | Self::ConnectionUpdate | Self::ConnectionDelete => "connection",
            _ => "schema",
        }
    }

    /// The `operation` label of the database operation metrics.
    fn operation(self) -> Option<&'static str> {
        match self {
            Self::DatabaseProvision => Some("provision"),
            Self::DatabaseRegenerate => Some("regenerate"),
            Self::DatabaseDrop => Some("drop"),
            Self::DatabaseMigrate => Some("migrate"),
            Self::DatabaseRollback => Some("rollback"),
            Self::DatabaseSync => Some("sync"),
            _ => None,
        }
    }
}

/// What a successful operation adds to its entry.
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    /// The target's id, when the operation made it.
    pub id: Option<Uuid>,
    /// The target's name.
    pub name: Option<String>,
    /// Versions, counts.
    pub detail: Option<serde_json::Value>,
}

/// One page of the audit log.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditEntry>,
    /// 1-based page number.
    pub page: u32,
    /// Page size.
    pub limit: u32,
    /// Entries in all pages.
    pub total: i64,
}

impl<S: Store> App<S> {
    /// Run `run` as `action` on `target`, then record it.
    pub(crate) fn audited<T>(
        &self,
        principal: Principal,
        action: Action,
        target: Option<Uuid>,
        run: impl FnOnce() -> ServiceResult<T>,
        describe: impl FnOnce(&T) -> Recorded,
    ) -> ServiceResult<T> {
        let started = Instant::now();
        // Before: the operation reads the database's state (its history)
        // and must see it as it is now.
        if action.operation().is_some() {
            if let Some(id) = target {
                self.health.forget(id);
            }
        }
        let result = run();
        if action.operation().is_some() {
            if let Some(id) = target {
                // What the operation did is what the next status shows.
                self.health.forget(id);
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let (outcome, error_code, recorded) = match &result {
            Ok(value) => (AuditOutcome::Success, None, describe(value)),
            Err(e) => (AuditOutcome::Failure, Some(e.kind()), Recorded::default()),
        };
        if let Some(operation) = action.operation() {
            let labels = [("operation", operation), ("outcome", outcome.as_str())];
            metrics::counter!("schemaforge_database_operations_total", &labels).increment(1);
            metrics::histogram!("schemaforge_database_operation_duration_seconds", &labels).record(seconds);
        }
        let entry = NewAuditEntry {
            user_id: principal.user_id,
            api_key_id: principal.api_key_id,
            action: action.name(),
            target_type: action.target_type(),
            target_id: recorded.id.or(target),
            target_name: recorded.name,
            outcome,
            error_code,
            detail: recorded.detail,
            request_id: principal.request_id.map(|r| r.as_str().to_string()),
        };
        // The operation has happened (or not) either way: a lost entry is
        // logged loudly rather than turned into a failed answer.
        if let Err(e) = self.store.append_audit(entry) {
            tracing::error!(error = %e, action = action.name(), "could not write the audit entry");
        }
        result
    }

    /// One page of the caller's audit log, newest first.
    pub fn list_audit(&self, principal: Principal, page: Option<u32>, limit: Option<u32>) -> ServiceResult<AuditPage> {
        let page = page.unwrap_or(1).max(1);
        let limit = limit.unwrap_or(50).clamp(1, MAX_PAGE_LIMIT);
        let offset = i64::from(page - 1) * i64::from(limit);
        let found = self.store.list_audit(principal.user_id, offset, i64::from(limit))?;
        Ok(AuditPage { items: found.items, page, limit, total: found.total })
    }
}

#[cfg(test)]
mod tests {
    use crate::RequestId;
    use crate::fake::app;
    use schemaforge_domain::parse_document;

    #[test]
    fn each_operation_is_recorded_with_its_outcome_and_only_its_owner_reads_it() {
        let app = app();
        let reg = app.register("ada@example.com", "correct horse battery", None).unwrap();
        let mut ada = app.authenticate(&reg.tokens.access_token).unwrap();
        ada.request_id = RequestId::parse("req-42");
        let doc = parse_document(
            r#"{"name": "shop", "tables": [{"id": "t", "name": "t", "columns": [
                {"id": "c", "name": "id", "dataType": "int", "primaryKey": true}]}]}"#,
        )
        .unwrap();
        let schema = app.create_schema(ada, doc).unwrap();
        app.provision_database(ada, schema.id).unwrap();
        assert!(app.provision_database(ada, schema.id).is_err(), "it exists already");
        let key = app.create_api_key(ada, "ci").unwrap();
        app.delete_schema_and_database(ada, schema.id, None, false).unwrap();

        let page = app.list_audit(ada, None, None).unwrap();
        let seen: Vec<(&str, &str, Option<&str>)> =
            page.items.iter().map(|e| (e.action.as_str(), e.outcome.as_str(), e.error_code.as_deref())).collect();
        assert_eq!(
            seen,
            [
                ("schema.delete", "success", None),
                ("api_key.create", "success", None),
                ("database.provision", "failure", Some("database_exists")),
                ("database.provision", "success", None),
                ("schema.create", "success", None),
            ]
        );
        assert!(page.items.iter().all(|e| e.request_id.as_deref() == Some("req-42")));
        assert_eq!(page.items[0].target_name.as_deref(), Some("shop"));
        assert_eq!(page.items[0].detail.as_ref().unwrap()["databaseDropped"], true);
        assert_eq!(page.items[4].target_id, Some(schema.id));
        let text = format!("{:?}", page.items);
        assert!(!text.contains(&key.secret), "no secret in the log");

        let bob = app.register("bob@example.com", "correct horse battery", None).unwrap();
        let bob = app.authenticate(&bob.tokens.access_token).unwrap();
        assert_eq!(app.list_audit(bob, None, None).unwrap().total, 0);
        let second = app.list_audit(ada, Some(2), Some(2)).unwrap();
        assert_eq!((second.items.len(), second.total), (2, 5));
    }
}
