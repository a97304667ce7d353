//! Schema evolution of live databases: the diff between two versions, and
//! migrating a provisioned database up to the current version or rolling it
//! back, in place, in one transaction each, keeping the data.

use crate::audit::{Action, Recorded};
use schemaforge_domain::{ChangeSet, Safety, ValidSchema, diff};
use schemaforge_repository::{ApplyError, DatabaseRecord, DatabaseStatus, SchemaRecord, ScriptRun};
use schemaforge_sqlgen::{Migration, Script, migration};
use serde_json::json;
use uuid::Uuid;

use crate::provision::{DatabaseState, checksum, failure};
use crate::schemas::valid;
use crate::{App, Principal, ServiceError, ServiceResult, Store};

/// The difference between two versions of a schema.
#[derive(Debug, Clone)]
pub struct VersionDiff {
    /// The version diffed from.
    pub from: i32,
    /// The version diffed to.
    pub to: i32,
    /// Changes, up and down scripts.
    pub migration: Migration,
}

/// What a migrate or rollback did.
#[derive(Debug, Clone)]
pub struct MigrationOutcome {
    /// The version the database was at.
    pub from: i32,
    /// The version it is at now.
    pub to: i32,
    /// The changes applied (empty when there was nothing to do).
    pub changes: ChangeSet,
    /// Whether a script was applied (false: already at that version).
    pub applied: bool,
    /// The database afterwards.
    pub state: DatabaseState,
}

/// Whether `data_loss` changes may be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataLoss {
    /// Refuse a script with `data_loss` changes (the default).
    #[default]
    Refuse,
    /// The caller accepts that data is destroyed.
    Allow,
}

/// A script to take a database from one version to another.
struct Plan {
    from: i32,
    to: i32,
    /// The version migrated to, whose elements' catalog identities are
    /// recorded afterwards.
    target: ValidSchema,
    changes: ChangeSet,
    script: Script,
    kind: &'static str,
}

impl<S: Store> App<S> {
    fn schema_at(&self, principal: Principal, id: Uuid, version: i32) -> ServiceResult<ValidSchema> {
        valid(self.get_version(principal, id, version)?.document)
    }

    /// The version a ready database is at: its own history table's newest
    /// row, falling back to the record when the table is silent.
    fn applied_version(&self, record: &DatabaseRecord) -> ServiceResult<i32> {
        let history = self.admin.history(&record.database_name)?;
        history
            .last()
            .map(|h| h.version)
            .or(record.applied_version)
            .ok_or_else(|| ServiceError::Internal("the database records no version".into()))
    }

    pub(crate) fn ready_record(&self, principal: Principal, id: Uuid) -> ServiceResult<DatabaseRecord> {
        let record = self.store.get_database_record(principal.user_id, id)?.ok_or(ServiceError::DatabaseNotFound)?;
        if record.status != DatabaseStatus::Ready {
            return Err(ServiceError::DatabaseNotReady(record.status));
        }
        Ok(record)
    }

    /// The changes, up and down scripts from version `from` (default: the
    /// version the database is at) to `to` (default: the current version).
    pub fn diff_versions(
        &self,
        principal: Principal,
        id: Uuid,
        from: Option<i32>,
        to: Option<i32>,
    ) -> ServiceResult<VersionDiff> {
        let schema = self.get_schema(principal, id)?;
        let to = to.unwrap_or(schema.version);
        let from = match from {
            Some(v) => v,
            None => match self.store.get_database_record(principal.user_id, id)? {
                Some(r) if r.status == DatabaseStatus::Ready => self.applied_version(&r)?,
                _ => {
                    return Err(ServiceError::InvalidInput {
                        field: "from",
                        message: "is required: the schema has no ready database to diff from".into(),
                    });
                }
            },
        };
        let migration = migration(&self.schema_at(principal, id, from)?, &self.schema_at(principal, id, to)?);
        Ok(VersionDiff { from, to, migration })
    }

    /// Migrate the schema's database from the version it is at to the
    /// current one, in one transaction.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn migrate_database(
        &self,
        principal: Principal,
        id: Uuid,
        data_loss: DataLoss,
    ) -> ServiceResult<MigrationOutcome> {
        self.audited(
            principal,
            Action::DatabaseMigrate,
            Some(id),
            || self.move_database(principal, id, None, data_loss),
            |m| Recorded {
                detail: Some(
                    json!({"from": m.from, "to": m.to, "applied": m.applied, "changes": m.changes.changes().len()}),
                ),
                ..Default::default()
            },
        )
    }

    /// Roll the schema's database back to version `to`, in one transaction.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn rollback_database(
        &self,
        principal: Principal,
        id: Uuid,
        to: i32,
        data_loss: DataLoss,
    ) -> ServiceResult<MigrationOutcome> {
        self.audited(
            principal,
            Action::DatabaseRollback,
            Some(id),
            || self.move_database(principal, id, Some(to), data_loss),
            |m| Recorded {
                detail: Some(
                    json!({"from": m.from, "to": m.to, "applied": m.applied, "changes": m.changes.changes().len()}),
                ),
                ..Default::default()
            },
        )
    }

    /// Up to the current version (`back_to` = None) or down to `back_to`.
    fn move_database(
        &self,
        principal: Principal,
        id: Uuid,
        back_to: Option<i32>,
        data_loss: DataLoss,
    ) -> ServiceResult<MigrationOutcome> {
        let schema = self.get_schema(principal, id)?;
        let _lock = self.lock_schema(id)?;
        let record = self.ready_record(principal, id)?;
        let from = self.applied_version(&record)?;
        let plan = match back_to {
            None => {
                let to = schema.version;
                if from > to {
                    return Err(ServiceError::Internal(format!(
                        "the database is at version {from}, past the schema's {to}"
                    )));
                }
                let target = self.schema_at(principal, id, to)?;
                let m = migration(&self.schema_at(principal, id, from)?, &target);
                Plan { from, to, target, changes: m.changes, script: m.up, kind: "migrate" }
            }
            Some(to) => {
                if to > from {
                    return Err(ServiceError::InvalidInput {
                        field: "to",
                        message: format!("must not be above the version the database is at ({from}); migrate instead"),
                    });
                }
                let (target, current) = (self.schema_at(principal, id, to)?, self.schema_at(principal, id, from)?);
                // The down script of target -> current, classified as the
                // changes current -> target that it makes.
                let script = migration(&target, &current).down;
                Plan { from, to, changes: diff(&current, &target), target, script, kind: "rollback" }
            }
        };
        self.apply(&schema, record, plan, data_loss)
    }

    /// Apply `plan` to the database of `record`, unless it loses data and
    /// that is refused.
    fn apply(
        &self,
        schema: &SchemaRecord,
        mut record: DatabaseRecord,
        plan: Plan,
        data_loss: DataLoss,
    ) -> ServiceResult<MigrationOutcome> {
        let Plan { from, to, target, changes, script, kind } = plan;
        if from == to {
            let state = self.state(schema, Some(record));
            return Ok(MigrationOutcome { from, to, changes, applied: false, state });
        }
        if changes.has(Safety::DataLoss) && data_loss == DataLoss::Refuse {
            return Err(ServiceError::DataLossRefused(Box::new(changes)));
        }
        let statements: Vec<String> = script.statements().iter().map(|s| s.sql.clone()).collect();
        let sum = checksum(&script.to_sql());
        let run = ScriptRun {
            statements: &statements,
            version: to,
            checksum: &sum,
            kind,
            lock_timeout_ms: None,
            statement_timeout_ms: None,
        };
        match self.apply_recorded(&mut record, run, &target) {
            Ok(()) => {
                let state = self.state(schema, Some(record));
                Ok(MigrationOutcome { from, to, changes, applied: true, state })
            }
            Err(ServiceError::MigrationFailed(f)) => {
                tracing::warn!(from, to, kind, statement = f.statement, message = %f.message, "migration failed; rolled back");
                // Still ready, at the old version: the transaction rolled back.
                record.failure = Some((*f).clone());
                self.store.put_database_record(&record)?;
                Err(ServiceError::MigrationFailed(f))
            }
            Err(e) => Err(e),
        }
    }

    /// Apply `run` to the database of `record` as its role, in one
    /// transaction. Once applied, `record` is at `run.version`, without a
    /// failure, stored, and the identities of `target`'s elements are
    /// recorded. A failing statement is `MigrationFailed` (nothing applied).
    pub(crate) fn apply_recorded(
        &self,
        record: &mut DatabaseRecord,
        run: ScriptRun<'_>,
        target: &ValidSchema,
    ) -> ServiceResult<()> {
        let password = self.password(record)?;
        match self.admin.apply_script(&record.database_name, &record.role_name, &password, run) {
            Ok(applied) => {
                tracing::info!(
                    version = run.version,
                    kind = run.kind,
                    duration_ms = applied.duration_ms,
                    "script applied"
                );
                record.applied_version = Some(run.version);
                record.failure = None;
                self.record_identity(target, record, run.version, false);
                *record = self.store.put_database_record(record)?;
                Ok(())
            }
            Err(e) => Err(apply_error(e)),
        }
    }
}

/// A script that was not applied: `MigrationFailed` naming the failing
/// statement, or the store's error.
pub(crate) fn apply_error(e: ApplyError) -> ServiceError {
    match e {
        ApplyError::Statement { statement, sql, message } => {
            ServiceError::MigrationFailed(Box::new(failure(Some(statement), Some(sql), message)))
        }
        ApplyError::Repo(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeAdmin, MemoryStore, app_with};
    use schemaforge_domain::{SchemaDocument, parse_document};
    use std::sync::Arc;

    fn doc(columns: &str) -> SchemaDocument {
        parse_document(&format!(
            r#"{{"name": "shop", "tables": [{{"id": "t", "name": "orders", "columns": [
                {{"id": "c1", "name": "id", "dataType": "int", "primaryKey": true}}{columns}]}}]}}"#
        ))
        .unwrap()
    }

    fn setup() -> (App<MemoryStore>, Arc<FakeAdmin>, Principal, Uuid) {
        let admin = Arc::new(FakeAdmin::default());
        let app = app_with(Arc::new(MemoryStore::default()), Arc::clone(&admin));
        let reg = app.register("ada@example.com", "correct horse battery", None).unwrap();
        let ada = app.authenticate(&reg.tokens.access_token).unwrap();
        let s = app.create_schema(ada, doc("")).unwrap();
        (app, admin, ada, s.id)
    }

    #[test]
    fn diffs_default_to_the_database_version_and_need_a_start_without_one() {
        let (app, _, ada, id) = setup();
        app.replace_schema(ada, id, Some(1), doc(r#", {"id": "c2", "name": "note", "dataType": "text"}"#)).unwrap();
        assert!(matches!(
            app.diff_versions(ada, id, None, None),
            Err(ServiceError::InvalidInput { field: "from", .. })
        ));
        let d = app.diff_versions(ada, id, Some(1), None).unwrap();
        assert_eq!((d.from, d.to, d.migration.changes.changes().len()), (1, 2, 1));
        assert!(d.migration.up.to_sql().contains("ADD COLUMN \"note\" text"));
        assert!(matches!(app.diff_versions(ada, id, Some(7), None), Err(ServiceError::VersionNotFound)));
        assert!(matches!(app.regenerate_database(ada, id, true), Err(ServiceError::DatabaseNotFound)));
        app.provision_database(ada, id).unwrap();
        let d = app.diff_versions(ada, id, None, None).unwrap();
        assert_eq!((d.from, d.to), (2, 2), "the database is at the current version");
        assert!(d.migration.changes.is_empty());
    }

    #[test]
    fn migrate_applies_the_pending_changes_and_records_the_version() {
        let (app, admin, ada, id) = setup();
        app.provision_database(ada, id).unwrap();
        let nothing = app.migrate_database(ada, id, DataLoss::Refuse).unwrap();
        assert!(!nothing.applied);
        app.replace_schema(ada, id, Some(1), doc(r#", {"id": "c2", "name": "note", "dataType": "text"}"#)).unwrap();
        let done = app.migrate_database(ada, id, DataLoss::Refuse).unwrap();
        assert!(done.applied);
        assert_eq!((done.from, done.to, done.state.applied_version), (1, 2, Some(2)));
        let db = admin.server().databases.values().next().cloned().unwrap();
        assert!(db.statements.last().unwrap().contains("ADD COLUMN \"note\""));
        assert_eq!(
            db.history.iter().map(|h| (h.version, h.kind.as_str())).collect::<Vec<_>>(),
            [(1, "create"), (2, "migrate")]
        );

        // Dropping the column loses data: refused unless allowed.
        app.replace_schema(ada, id, Some(2), doc("")).unwrap();
        match app.migrate_database(ada, id, DataLoss::Refuse) {
            Err(ServiceError::DataLossRefused(changes)) => assert!(changes.has(Safety::DataLoss)),
            other => panic!("expected DataLossRefused, got {other:?}"),
        }
        assert_eq!(app.database_status(ada, id).unwrap().applied_version, Some(2), "nothing applied");
        assert_eq!(app.migrate_database(ada, id, DataLoss::Allow).unwrap().to, 3);

        // Back to version 2 brings the column back (its data cannot come back).
        let back = app.rollback_database(ada, id, 2, DataLoss::Refuse).unwrap();
        assert_eq!((back.from, back.to, back.state.applied_version), (3, 2, Some(2)));
        let db = admin.server().databases.values().next().cloned().unwrap();
        assert_eq!(db.history.last().map(|h| (h.version, h.kind.as_str())), Some((2, "rollback")));
        assert!(matches!(
            app.rollback_database(ada, id, 3, DataLoss::Refuse),
            Err(ServiceError::InvalidInput { field: "to", .. })
        ));
        // Rolling back to 1 drops the column again: data loss.
        assert!(matches!(app.rollback_database(ada, id, 1, DataLoss::Refuse), Err(ServiceError::DataLossRefused(_))));
    }

    #[test]
    fn a_failing_migration_changes_nothing_and_says_which_statement() {
        let (app, admin, ada, id) = setup();
        app.provision_database(ada, id).unwrap();
        app.replace_schema(ada, id, Some(1), doc(r#", {"id": "c2", "name": "note", "dataType": "text"}"#)).unwrap();
        admin.server().fail_on = Some("ADD COLUMN".into());
        match app.migrate_database(ada, id, DataLoss::Refuse) {
            Err(ServiceError::MigrationFailed(f)) => assert_eq!(f.statement, Some(1)),
            other => panic!("expected MigrationFailed, got {other:?}"),
        }
        let state = app.database_status(ada, id).unwrap();
        assert_eq!((state.status, state.applied_version), (Some(DatabaseStatus::Ready), Some(1)));
        assert_eq!(state.failure.and_then(|f| f.statement), Some(1));
        admin.server().fail_on = None;
        let state = app.migrate_database(ada, id, DataLoss::Refuse).unwrap().state;
        assert_eq!((state.applied_version, state.failure), (Some(2), None), "a success clears the failure");
    }

    #[test]
    fn migrations_need_a_ready_database_and_the_lock() {
        let (app, _, ada, id) = setup();
        assert!(matches!(app.migrate_database(ada, id, DataLoss::Refuse), Err(ServiceError::DatabaseNotFound)));
        app.provision_database(ada, id).unwrap();
        let held = app.lock_schema(id).unwrap();
        assert!(matches!(app.migrate_database(ada, id, DataLoss::Refuse), Err(ServiceError::OperationInProgress)));
        assert!(matches!(app.rollback_database(ada, id, 1, DataLoss::Refuse), Err(ServiceError::OperationInProgress)));
        drop(held);
        app.migrate_database(ada, id, DataLoss::Refuse).unwrap();
    }
}
