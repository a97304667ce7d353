//! Provisioning: every schema can become a live PostgreSQL database with its
//! own login role. Builds are all-or-nothing (a failure leaves no database
//! and no role behind), one operation per schema runs at a time across
//! server processes, and the role's password is stored encrypted.

use crate::audit::{Action, Recorded};
use chrono::Utc;
use rand::Rng;
use rand::distributions::Alphanumeric;
use schemaforge_domain::ValidSchema;
use schemaforge_repository::{
    ApplyError, Conflict, DatabaseHealth, DatabaseRecord, DatabaseStatus, HistoryEntry, OperationFailure, RepoError,
    SchemaLock, SchemaRecord, ScriptRun,
};
use schemaforge_sqlgen::create_script;
use serde_json::json;
use uuid::Uuid;

use crate::schemas::valid;
use crate::secrets::EncryptionKey;
use crate::{App, Principal, ServiceError, ServiceResult, Store};

/// Prefix of every provisioned database and role name.
pub const NAME_PREFIX: &str = "sf_";
const ROLE_SUFFIX: &str = "_owner";
const PASSWORD_CHARS: usize = 32;

/// Provisioning settings.
#[derive(Debug, Clone)]
pub struct ProvisioningSettings {
    /// Key that encrypts roles' passwords at rest.
    pub encryption_key: EncryptionKey,
    /// Host clients connect to (default: the admin URL's host).
    pub public_host: Option<String>,
    /// Port clients connect to (default: the admin URL's port).
    pub public_port: Option<u16>,
    /// Query string added to connection URLs, e.g. `sslmode=require`.
    pub connection_options: Option<String>,
    /// Validation also tries a valid document's create script on the
    /// provisioning server ([`DatabaseAdmin::try_script`]).
    pub validate_on_server: bool,
}

/// The database and role names of a schema: deterministic, unique (the id is
/// in them), safe anywhere (ASCII letters, digits and `_`) and free of any
/// text a user wrote: every role on the server can read `pg_database` and
/// `pg_roles`, so a name there must not tell what the schema is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseNames {
    /// Database name.
    pub database: String,
    /// Role name.
    pub role: String,
}

impl DatabaseNames {
    /// `sf_<schema id in hex>` and the same with `_owner`. (Databases made
    /// before this scheme keep the names in their records, which also held
    /// a slug of the schema name.)
    ///
    /// ```
    /// use schemaforge_services::DatabaseNames;
    /// let names = DatabaseNames::for_schema(uuid::Uuid::nil());
    /// assert_eq!(names.database, "sf_00000000000000000000000000000000");
    /// assert_eq!(names.role, "sf_00000000000000000000000000000000_owner");
    /// ```
    pub fn for_schema(id: Uuid) -> Self {
        let database = format!("{NAME_PREFIX}{}", id.simple());
        Self { role: format!("{database}{ROLE_SUFFIX}"), database }
    }
}

/// What the status endpoint reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseState {
    /// `None` when the schema has no database.
    pub status: Option<DatabaseStatus>,
    /// The database's name.
    pub database_name: Option<String>,
    /// The schema version the database is at.
    pub applied_version: Option<i32>,
    /// The schema's current version.
    pub current_version: i32,
    /// Its live figures and history, when it answered (at most
    /// [`crate::HEALTH_TTL`] ago).
    pub health: Option<DatabaseHealth>,
    /// When those figures were read.
    pub health_checked_at: Option<chrono::DateTime<Utc>>,
    /// The last failure.
    pub failure: Option<OperationFailure>,
    /// First provisioning.
    pub created_at: Option<chrono::DateTime<Utc>>,
    /// Last change of the record.
    pub updated_at: Option<chrono::DateTime<Utc>>,
}

impl DatabaseState {
    /// Whether the database answered just now.
    pub fn reachable(&self) -> bool {
        self.health.is_some()
    }

    /// Scripts applied to it, oldest first, when it answered.
    pub fn history(&self) -> &[HistoryEntry] {
        self.health.as_ref().map_or(&[], |h| &h.history)
    }
}

/// How to connect to a provisioned database (`Debug` hides the password).
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// `postgres://role:password@host:port/database[?options]`.
    pub url: String,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database.
    pub database: String,
    /// Role.
    pub user: String,
    /// The role's password.
    pub password: String,
}

impl std::fmt::Debug for ConnectionInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionInfo")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Hex SHA-256 of a script's text: what the history table records.
pub fn checksum(sql: &str) -> String {
    crate::hex(&crate::auth::sha256(sql))
}

fn new_password() -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(PASSWORD_CHARS).map(char::from).collect()
}

pub(crate) fn failure(statement: Option<usize>, sql: Option<String>, message: String) -> OperationFailure {
    OperationFailure { statement: statement.and_then(|s| i32::try_from(s).ok()), sql, message, at: Utc::now() }
}

/// Why a build stopped: a failure to record, and the error to answer with.
struct BuildError {
    failure: OperationFailure,
    error: ServiceError,
}

impl From<RepoError> for BuildError {
    /// Only what the client may see goes into the record and the answer:
    /// server addresses, admin names and driver messages stay in the log.
    fn from(err: RepoError) -> Self {
        tracing::error!(error = %err, "provisioning step failed");
        let (message, error) = match err {
            RepoError::Conflict(Conflict::ObjectExists) => {
                let m = "a database or role with this name already exists on the server";
                (m, ServiceError::ProvisioningFailed(Box::new(failure(None, None, m.into()))))
            }
            RepoError::Unavailable(_) => ("the database server could not be reached", ServiceError::Unavailable(err)),
            other => ("an internal error stopped the build (it is logged)", ServiceError::Internal(other.to_string())),
        };
        Self { failure: failure(None, None, message.into()), error }
    }
}

impl<S: Store> App<S> {
    /// Take the schema's operation lock, or say another operation runs.
    pub(crate) fn lock_schema(&self, id: Uuid) -> ServiceResult<SchemaLock> {
        self.store.try_lock_schema(id)?.ok_or(ServiceError::OperationInProgress)
    }

    fn database_record(&self, principal: Principal, id: Uuid) -> ServiceResult<Option<DatabaseRecord>> {
        Ok(self.store.get_database_record(principal.user_id, id)?)
    }

    /// Create the schema's database from its current version.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn provision_database(&self, principal: Principal, id: Uuid) -> ServiceResult<DatabaseState> {
        self.audited(
            principal,
            Action::DatabaseProvision,
            Some(id),
            || {
                let schema = self.get_schema(principal, id)?;
                let _lock = self.lock_schema(id)?;
                let names = match self.database_record(principal, id)? {
                    Some(r) if r.status == DatabaseStatus::Ready => return Err(ServiceError::DatabaseExists),
                    // A failed build left nothing; a crashed one (still marked
                    // provisioning or dropping, yet unlocked) may have: clear it.
                    Some(r) => {
                        self.teardown(&r)?;
                        DatabaseNames::for_schema(id)
                    }
                    None => DatabaseNames::for_schema(id),
                };
                self.build(&schema, &names, &new_password())
            },
            |s| Recorded {
                detail: Some(json!({"version": s.applied_version, "database": s.database_name})),
                ..Default::default()
            },
        )
    }

    /// Drop and rebuild the database from the current version, keeping its
    /// name and credentials. Destroys its data: `confirm` must be set.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn regenerate_database(&self, principal: Principal, id: Uuid, confirm: bool) -> ServiceResult<DatabaseState> {
        self.audited(
            principal,
            Action::DatabaseRegenerate,
            Some(id),
            || {
                let schema = self.get_schema(principal, id)?;
                if !confirm {
                    return Err(ServiceError::ConfirmationRequired);
                }
                let _lock = self.lock_schema(id)?;
                let mut record = self.database_record(principal, id)?.ok_or(ServiceError::DatabaseNotFound)?;
                // The same credentials, unless they cannot be read back (the
                // encryption key changed): the data is being destroyed anyway.
                let password = self.password(&record).unwrap_or_else(|_| {
                    tracing::warn!("the stored password cannot be decrypted; the rebuilt role gets a new one");
                    new_password()
                });
                // From here the old database is going away: never `ready` again.
                record.status = DatabaseStatus::Provisioning;
                record.failure = None;
                self.store.put_database_record(&record)?;
                self.teardown(&record)?;
                let names = DatabaseNames { database: record.database_name, role: record.role_name };
                self.build(&schema, &names, &password)
            },
            |s| Recorded {
                detail: Some(json!({"version": s.applied_version, "database": s.database_name})),
                ..Default::default()
            },
        )
    }

    /// Drop the database and its role.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn drop_database(&self, principal: Principal, id: Uuid) -> ServiceResult<()> {
        self.audited(
            principal,
            Action::DatabaseDrop,
            Some(id),
            || {
                self.get_schema(principal, id)?;
                let _lock = self.lock_schema(id)?;
                let record = self.database_record(principal, id)?.ok_or(ServiceError::DatabaseNotFound)?;
                self.destroy(record)
            },
            |_| Recorded::default(),
        )
    }

    /// Delete the schema and, unless `keep_database`, its database.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn delete_schema_and_database(
        &self,
        principal: Principal,
        id: Uuid,
        if_match: Option<i32>,
        keep_database: bool,
    ) -> ServiceResult<()> {
        let deleted = self.audited(
            principal,
            Action::SchemaDelete,
            Some(id),
            || {
                let schema = self.get_schema(principal, id)?;
                let _lock = self.lock_schema(id)?;
                // The schema goes first, atomically with its If-Match check: a
                // stale request must not drop the database and then fail.
                self.delete_schema(principal, id, if_match)?;
                let record = if keep_database { None } else { self.database_record(principal, id)? };
                let dropped = match record {
                    Some(record) => self.destroy(record).map(|()| true)?,
                    None => false,
                };
                Ok((schema.name, dropped))
            },
            |(name, dropped)| Recorded {
                name: Some(name.clone()),
                detail: Some(json!({"keepDatabase": keep_database, "databaseDropped": dropped})),
                ..Default::default()
            },
        );
        deleted.map(|_| ())
    }

    /// Finish the drops of deleted schemas' databases that failed or were
    /// interrupted (no request can reach them any more). Returns how many
    /// were finished; the others stay for the next sweep.
    pub fn finish_orphaned_drops(&self) -> ServiceResult<usize> {
        let mut finished = 0;
        for record in self.store.orphaned_drops()? {
            // Skip one that an operation holds right now.
            let Some(_lock) = self.store.try_lock_schema(record.schema_id)? else { continue };
            let database = record.database_name.clone();
            match self.destroy(record) {
                Ok(()) => finished += 1,
                Err(e) => tracing::warn!(error = %e, database = %database, "orphaned database still not dropped"),
            }
        }
        Ok(finished)
    }

    /// Status, versions, health and history of the schema's database.
    pub fn database_status(&self, principal: Principal, id: Uuid) -> ServiceResult<DatabaseState> {
        let schema = self.get_schema(principal, id)?;
        let mut record = self.database_record(principal, id)?;
        let unfinished = |r: &&mut DatabaseRecord| {
            matches!(r.status, DatabaseStatus::Provisioning | DatabaseStatus::Dropping) && r.failure.is_none()
        };
        if let Some(r) = record.as_mut().filter(unfinished) {
            // In progress, or interrupted (its process died and the lock
            // with it): the free lock tells. (A drop that failed says so in
            // its failure and stays `dropping`.)
            if self.store.try_lock_schema(id)?.is_some() {
                r.failure = Some(failure(
                    None,
                    None,
                    format!(
                        "the {} operation was interrupted before it finished; provision or delete the database again",
                        if r.status == DatabaseStatus::Dropping { "drop" } else { "build" }
                    ),
                ));
                r.status = DatabaseStatus::Failed;
            }
        }
        Ok(self.state(&schema, record))
    }

    /// How to connect to the schema's database, as its role.
    pub fn database_connection(&self, principal: Principal, id: Uuid) -> ServiceResult<ConnectionInfo> {
        self.get_schema(principal, id)?;
        let record = self.database_record(principal, id)?.ok_or(ServiceError::DatabaseNotFound)?;
        if record.status != DatabaseStatus::Ready {
            return Err(ServiceError::DatabaseNotReady(record.status));
        }
        let password = self.password(&record)?;
        let address = self.admin.address();
        let host = self.provisioning.public_host.clone().unwrap_or(address.host);
        let port = self.provisioning.public_port.unwrap_or(address.port);
        let url_host = if host.contains(':') { format!("[{host}]") } else { host.clone() };
        // Names and generated passwords are URL-safe; no escaping needed.
        let mut url = format!("postgres://{}:{password}@{url_host}:{port}/{}", record.role_name, record.database_name);
        if let Some(options) = self.provisioning.connection_options.as_deref().filter(|o| !o.is_empty()) {
            url.push('?');
            url.push_str(options);
        }
        Ok(ConnectionInfo { url, host, port, database: record.database_name, user: record.role_name, password })
    }

    pub(crate) fn password(&self, record: &DatabaseRecord) -> ServiceResult<String> {
        self.provisioning.encryption_key.open(record.schema_id, &record.password_ciphertext).ok_or_else(|| {
            ServiceError::Internal(
                "the stored database password cannot be decrypted (was provisioning.encryption_key changed?)".into(),
            )
        })
    }

    pub(crate) fn state(&self, schema: &SchemaRecord, record: Option<DatabaseRecord>) -> DatabaseState {
        let Some(record) = record else {
            return DatabaseState {
                status: None,
                database_name: None,
                applied_version: None,
                current_version: schema.version,
                health: None,
                health_checked_at: None,
                failure: None,
                created_at: None,
                updated_at: None,
            };
        };
        let checked = match record.status {
            DatabaseStatus::Ready => self
                .health
                .get_or_read(schema.id, &record.database_name, || self.admin.health(&record.database_name))
                .map_err(|e| tracing::warn!(error = %e, "provisioned database unreachable"))
                .ok(),
            _ => None,
        };
        let health_checked_at = checked.as_ref().map(|c| c.at);
        let health = checked.map(|c| c.health);
        DatabaseState {
            status: Some(record.status),
            database_name: Some(record.database_name),
            // The database's own history is the truth when it answers.
            applied_version: health.as_ref().and_then(DatabaseHealth::applied_version).or(record.applied_version),
            current_version: schema.version,
            health,
            health_checked_at,
            failure: record.failure,
            created_at: Some(record.created_at),
            updated_at: Some(record.updated_at),
        }
    }

    /// Build the database of `schema` under `names`; on failure remove
    /// whatever was made and record why.
    fn build(&self, schema: &SchemaRecord, names: &DatabaseNames, password: &str) -> ServiceResult<DatabaseState> {
        let valid = valid(schema.document.clone())?;
        let sealed = self
            .provisioning
            .encryption_key
            .seal(schema.id, password)
            .ok_or_else(|| ServiceError::Internal("cannot encrypt the database password".into()))?;
        let mut record = DatabaseRecord {
            schema_id: schema.id,
            database_name: names.database.clone(),
            role_name: names.role.clone(),
            password_ciphertext: sealed,
            status: DatabaseStatus::Provisioning,
            applied_version: None,
            failure: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        // Recorded before anything exists, so a crash leaves a record that
        // names what to clean up.
        self.store.put_database_record(&record)?;
        match self.create_and_fill(names, password, &valid, schema.version) {
            Ok(duration_ms) => {
                tracing::info!(database = %names.database, version = schema.version, duration_ms, "database provisioned");
                record.status = DatabaseStatus::Ready;
                record.applied_version = Some(schema.version);
                self.record_identity(&valid, &record, schema.version, true);
                let saved = self.store.put_database_record(&record)?;
                Ok(self.state(schema, Some(saved)))
            }
            Err(e) => {
                let BuildError { failure, error } = *e;
                tracing::warn!(database = %names.database, statement = ?failure.statement, message = %failure.message, "provisioning failed");
                if let Err(e) = self.teardown(&record) {
                    tracing::error!(error = %e, database = %names.database, "cleanup after a failed build failed");
                }
                record.status = DatabaseStatus::Failed;
                record.failure = Some(failure);
                self.store.put_database_record(&record)?;
                Err(error)
            }
        }
    }

    fn create_and_fill(
        &self,
        names: &DatabaseNames,
        password: &str,
        schema: &ValidSchema,
        version: i32,
    ) -> Result<i64, Box<BuildError>> {
        let fail = |e: RepoError| Box::new(BuildError::from(e));
        self.admin.create_role(&names.role, password).map_err(fail)?;
        self.admin.create_database(&names.database, &names.role).map_err(fail)?;
        let script = create_script(schema);
        let statements: Vec<String> = script.statements().iter().map(|s| s.sql.clone()).collect();
        let sum = checksum(&script.to_sql());
        let run = ScriptRun {
            statements: &statements,
            version,
            checksum: &sum,
            kind: "create",
            lock_timeout_ms: None,
            statement_timeout_ms: None,
        };
        match self.admin.apply_script(&names.database, &names.role, password, run) {
            Ok(applied) => Ok(applied.duration_ms),
            Err(ApplyError::Statement { statement, sql, message }) => {
                let f = failure(Some(statement), Some(sql), message);
                Err(Box::new(BuildError { error: ServiceError::ProvisioningFailed(Box::new(f.clone())), failure: f }))
            }
            Err(ApplyError::Repo(e)) => Err(fail(e)),
        }
    }

    /// Drop the database and role of `record` (absent ones are fine).
    fn teardown(&self, record: &DatabaseRecord) -> ServiceResult<()> {
        self.admin.drop_database(&record.database_name)?;
        self.admin.drop_role(&record.role_name)?;
        Ok(())
    }

    /// Drop everything of `record`, then forget it.
    fn destroy(&self, mut record: DatabaseRecord) -> ServiceResult<()> {
        record.status = DatabaseStatus::Dropping;
        self.store.put_database_record(&record)?;
        if let Err(e) = self.teardown(&record) {
            // Stays `dropping`, with the reason: a retry finishes the job.
            record.failure = Some(failure(None, None, e.to_string()));
            self.store.put_database_record(&record)?;
            return Err(e);
        }
        self.store.delete_database_record(record.schema_id)?;
        tracing::info!(database = %record.database_name, "database dropped");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::user;
    use crate::fake::{FakeAdmin, MemoryStore, app_with};
    use schemaforge_domain::{SchemaDocument, parse_document};
    use schemaforge_repository::DatabaseRecordRepository;
    use std::sync::Arc;

    fn doc(name: &str, tables: &[&str]) -> SchemaDocument {
        let tables: Vec<String> = tables
            .iter()
            .map(|t| {
                format!(
                    r#"{{"id": "{t}", "name": "{t}", "columns": [{{"id": "{t}_id", "name": "id", "dataType": "int", "primaryKey": true}}]}}"#
                )
            })
            .collect();
        parse_document(&format!(r#"{{"name": "{name}", "tables": [{}]}}"#, tables.join(","))).unwrap()
    }

    struct World {
        app: App<MemoryStore>,
        store: Arc<MemoryStore>,
        admin: Arc<FakeAdmin>,
    }

    fn world() -> World {
        let store = Arc::new(MemoryStore::default());
        let admin = Arc::new(FakeAdmin::default());
        World { app: app_with(Arc::clone(&store), Arc::clone(&admin)), store, admin }
    }

    #[test]
    fn names_are_deterministic_safe_and_free_of_user_text() {
        let id = Uuid::new_v4();
        let names = DatabaseNames::for_schema(id);
        assert_eq!(names, DatabaseNames::for_schema(id));
        assert_eq!(names.database, format!("sf_{}", id.simple()));
        assert!(names.role.len() <= 63 && names.database.len() <= 63, "{names:?}");
        assert!(names.role.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
        assert_ne!(names, DatabaseNames::for_schema(Uuid::new_v4()));
    }

    #[test]
    fn provisioning_builds_the_database_and_hands_out_encrypted_credentials() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let bob = user(&w.app, "bob@example.com");
        let s = w.app.create_schema(ada, doc("Shop", &["a", "b"])).unwrap();
        assert_eq!(w.app.database_status(ada, s.id).unwrap().status, None);
        assert!(matches!(w.app.database_connection(ada, s.id), Err(ServiceError::DatabaseNotFound)));

        let state = w.app.provision_database(ada, s.id).unwrap();
        let names = DatabaseNames::for_schema(s.id);
        assert_eq!(state.status, Some(DatabaseStatus::Ready));
        assert_eq!(state.database_name.as_deref(), Some(names.database.as_str()));
        assert_eq!((state.applied_version, state.current_version, state.reachable()), (Some(1), 1, true));
        assert_eq!(state.health.as_ref().map(|h| h.table_count), Some(2));
        assert_eq!(state.history().len(), 1);
        assert_eq!(state.history()[0].checksum, checksum(&create_script(&valid(s.document.clone()).unwrap()).to_sql()));

        assert_eq!(w.admin.server().databases[&names.database].owner, names.role, "the role owns it");
        let conn = w.app.database_connection(ada, s.id).unwrap();
        let password = w.admin.server().roles.get(&names.role).cloned().unwrap();
        assert_eq!(conn.password, password);
        assert_eq!(password.len(), PASSWORD_CHARS);
        assert_eq!(
            conn.url,
            format!("postgres://{}:{password}@db.internal:6432/{}?sslmode=prefer", names.role, names.database)
        );
        assert!(!format!("{conn:?}").contains(&password), "Debug hides the password");
        let stored = w.store.get_database_record(ada.user_id, s.id).unwrap().unwrap();
        assert!(!stored.password_ciphertext.windows(password.len()).any(|w| w == password.as_bytes()));

        assert!(matches!(w.app.provision_database(ada, s.id), Err(ServiceError::DatabaseExists)));
        assert!(matches!(w.app.provision_database(bob, s.id), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(w.app.database_status(bob, s.id), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(w.app.database_connection(bob, s.id), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(w.app.drop_database(bob, s.id), Err(ServiceError::SchemaNotFound)));
        assert!(matches!(w.app.regenerate_database(bob, s.id, true), Err(ServiceError::SchemaNotFound)));
    }

    #[test]
    fn a_failed_build_leaves_nothing_behind_and_says_which_statement_failed() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let s = w.app.create_schema(ada, doc("shop", &["a", "b", "c"])).unwrap();
        w.admin.server().fail_on = Some("CREATE TABLE \"b\"".into());
        let script = create_script(&valid(s.document.clone()).unwrap());
        let expected = script.statements().iter().position(|st| st.sql.contains("CREATE TABLE \"b\"")).unwrap() + 1;
        match w.app.provision_database(ada, s.id) {
            Err(ServiceError::ProvisioningFailed(f)) => {
                assert_eq!(f.statement, Some(expected as i32));
                assert!(f.sql.as_deref().unwrap().starts_with("CREATE TABLE \"b\""));
            }
            other => panic!("expected ProvisioningFailed, got {other:?}"),
        }
        assert!(w.admin.server().databases.is_empty() && w.admin.server().roles.is_empty(), "nothing left behind");
        let state = w.app.database_status(ada, s.id).unwrap();
        assert_eq!((state.status, state.reachable()), (Some(DatabaseStatus::Failed), false));
        assert_eq!(state.failure.and_then(|f| f.statement), Some(expected as i32));
        assert!(matches!(
            w.app.database_connection(ada, s.id),
            Err(ServiceError::DatabaseNotReady(DatabaseStatus::Failed))
        ));
        // Fixed, it can be provisioned again.
        w.admin.server().fail_on = None;
        let state = w.app.provision_database(ada, s.id).unwrap();
        assert_eq!((state.status, state.failure), (Some(DatabaseStatus::Ready), None));
    }

    #[test]
    fn one_operation_per_schema_at_a_time() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let s = w.app.create_schema(ada, doc("shop", &["a"])).unwrap();
        let held = w.store.try_lock_schema(s.id).unwrap().unwrap();
        assert!(matches!(w.app.provision_database(ada, s.id), Err(ServiceError::OperationInProgress)));
        assert!(matches!(w.app.regenerate_database(ada, s.id, true), Err(ServiceError::OperationInProgress)));
        assert!(matches!(w.app.drop_database(ada, s.id), Err(ServiceError::OperationInProgress)));
        assert!(w.admin.server().databases.is_empty());
        drop(held);
        w.app.provision_database(ada, s.id).unwrap();
        assert!(w.store.try_lock_schema(s.id).unwrap().is_some(), "operations release the lock");
    }

    #[test]
    fn regenerate_needs_confirmation_and_rebuilds_the_current_version() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let s = w.app.create_schema(ada, doc("shop", &["a"])).unwrap();
        assert!(matches!(w.app.regenerate_database(ada, s.id, true), Err(ServiceError::DatabaseNotFound)));
        w.app.provision_database(ada, s.id).unwrap();
        let before = w.app.database_connection(ada, s.id).unwrap();
        w.app.replace_schema(ada, s.id, Some(1), doc("shop", &["a", "b"])).unwrap();
        let state = w.app.database_status(ada, s.id).unwrap();
        assert_eq!((state.applied_version, state.current_version), (Some(1), 2));

        assert!(matches!(w.app.regenerate_database(ada, s.id, false), Err(ServiceError::ConfirmationRequired)));
        assert_eq!(w.app.database_status(ada, s.id).unwrap().applied_version, Some(1), "refused: unchanged");
        let state = w.app.regenerate_database(ada, s.id, true).unwrap();
        assert_eq!((state.applied_version, state.current_version), (Some(2), 2));
        assert_eq!(state.history().len(), 1, "a fresh database");
        assert_eq!(state.health.map(|h| h.table_count), Some(2));
        assert_eq!(w.app.database_connection(ada, s.id).unwrap(), before, "same name and credentials");
    }

    #[test]
    fn dropping_removes_database_role_and_record() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let s = w.app.create_schema(ada, doc("shop", &["a"])).unwrap();
        w.app.provision_database(ada, s.id).unwrap();
        w.app.drop_database(ada, s.id).unwrap();
        assert!(w.admin.server().databases.is_empty() && w.admin.server().roles.is_empty());
        assert_eq!(w.app.database_status(ada, s.id).unwrap().status, None);
        assert!(matches!(w.app.drop_database(ada, s.id), Err(ServiceError::DatabaseNotFound)));

        // Deleting the schema drops its database, unless asked to keep it.
        w.app.provision_database(ada, s.id).unwrap();
        w.app.delete_schema_and_database(ada, s.id, None, false).unwrap();
        assert!(w.admin.server().databases.is_empty());
        let kept = w.app.create_schema(ada, doc("kept", &["a"])).unwrap();
        w.app.provision_database(ada, kept.id).unwrap();
        w.app.delete_schema_and_database(ada, kept.id, None, true).unwrap();
        assert_eq!(w.admin.server().databases.len(), 1);
        assert!(matches!(w.app.get_schema(ada, kept.id), Err(ServiceError::SchemaNotFound)));
    }

    #[test]
    fn a_stale_delete_drops_nothing() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let s = w.app.create_schema(ada, doc("shop", &["a"])).unwrap();
        w.app.provision_database(ada, s.id).unwrap();
        w.app.replace_schema(ada, s.id, Some(1), doc("shop", &["a", "b"])).unwrap();
        assert!(matches!(
            w.app.delete_schema_and_database(ada, s.id, Some(1), false),
            Err(ServiceError::VersionConflict { expected: 1, current: 2 })
        ));
        assert_eq!(w.admin.server().databases.len(), 1, "the database is untouched");
        assert_eq!(w.app.database_status(ada, s.id).unwrap().status, Some(DatabaseStatus::Ready));
    }

    #[test]
    fn the_sweeper_finishes_drops_that_deleted_schemas_left_behind() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let s = w.app.create_schema(ada, doc("shop", &["a"])).unwrap();
        let kept = w.app.create_schema(ada, doc("kept", &["a"])).unwrap();
        w.app.provision_database(ada, s.id).unwrap();
        w.app.provision_database(ada, kept.id).unwrap();
        w.app.delete_schema_and_database(ada, kept.id, None, true).unwrap();
        // The server is down while the schema is deleted: the drop fails.
        w.admin.server().down = true;
        assert!(matches!(w.app.delete_schema_and_database(ada, s.id, None, false), Err(ServiceError::Unavailable(_))));
        assert!(matches!(w.app.get_schema(ada, s.id), Err(ServiceError::SchemaNotFound)));
        assert_eq!(w.app.finish_orphaned_drops().unwrap(), 0, "still down: retried later");
        w.admin.server().down = false;
        assert_eq!(w.app.finish_orphaned_drops().unwrap(), 1);
        assert_eq!(w.admin.server().databases.len(), 1, "only the kept database remains");
        assert!(w.store.get_database_record(ada.user_id, s.id).unwrap().is_none());
        assert_eq!(w.app.finish_orphaned_drops().unwrap(), 0);
    }

    #[test]
    fn an_interrupted_operation_shows_as_failed_and_can_be_redone() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let s = w.app.create_schema(ada, doc("shop", &["a"])).unwrap();
        w.app.provision_database(ada, s.id).unwrap();
        // A process died mid-way: the record says provisioning, nobody holds the lock.
        let mut r = w.store.get_database_record(ada.user_id, s.id).unwrap().unwrap();
        r.status = DatabaseStatus::Provisioning;
        w.store.put_database_record(&r).unwrap();
        let state = w.app.database_status(ada, s.id).unwrap();
        assert_eq!(state.status, Some(DatabaseStatus::Failed));
        assert!(state.failure.unwrap().message.contains("interrupted"));
        // While an operation really runs, it shows as such.
        let held = w.store.try_lock_schema(s.id).unwrap().unwrap();
        assert_eq!(w.app.database_status(ada, s.id).unwrap().status, Some(DatabaseStatus::Provisioning));
        drop(held);
        let state = w.app.provision_database(ada, s.id).unwrap();
        assert_eq!(state.status, Some(DatabaseStatus::Ready));
        assert_eq!(w.admin.server().databases.len(), 1);
    }

    #[test]
    fn regenerate_survives_a_changed_encryption_key() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let s = w.app.create_schema(ada, doc("shop", &["a"])).unwrap();
        w.app.provision_database(ada, s.id).unwrap();
        let mut r = w.store.get_database_record(ada.user_id, s.id).unwrap().unwrap();
        r.password_ciphertext = vec![0; 60];
        w.store.put_database_record(&r).unwrap();
        assert!(matches!(w.app.database_connection(ada, s.id), Err(ServiceError::Internal(_))));
        w.app.regenerate_database(ada, s.id, true).unwrap();
        let c = w.app.database_connection(ada, s.id).unwrap();
        assert_eq!(w.admin.server().roles.get(&c.user), Some(&c.password), "a new, working password");
    }

    #[test]
    fn an_unreachable_server_is_reported_not_hidden() {
        let w = world();
        let ada = user(&w.app, "ada@example.com");
        let s = w.app.create_schema(ada, doc("shop", &["a"])).unwrap();
        w.app.provision_database(ada, s.id).unwrap();
        w.admin.server().down = true;
        let state = w.app.database_status(ada, s.id).unwrap();
        assert_eq!(
            (state.status, state.reachable(), state.applied_version),
            (Some(DatabaseStatus::Ready), false, Some(1))
        );
        assert!(matches!(w.app.drop_database(ada, s.id), Err(ServiceError::Unavailable(_))));
        let state = w.app.database_status(ada, s.id).unwrap();
        assert_eq!(state.status, Some(DatabaseStatus::Dropping), "a retry finishes the job");
        w.admin.server().down = false;
        w.app.drop_database(ada, s.id).unwrap();

        w.admin.server().down = true;
        assert!(matches!(w.app.provision_database(ada, s.id), Err(ServiceError::Unavailable(_))));
        assert_eq!(w.app.database_status(ada, s.id).unwrap().status, Some(DatabaseStatus::Failed));
    }
}
