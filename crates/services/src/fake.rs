//! An in-memory store for unit tests of the services (never used against a
//! real deployment; the repository crate's own tests use PostgreSQL).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{Duration, Utc};
use schemaforge_domain::SchemaDocument;
use schemaforge_repository::{
    ApiKey, ApiKeyRepository, Conflict, HealthRepository, NewApiKey, NewRefreshToken, NewSchema, NewUser, Page,
    RefreshToken, RefreshTokenRepository, RepoError, RepoResult, SchemaQuery, SchemaRecord, SchemaRepository,
    SchemaSort, SchemaSummary, SchemaVersion, User, UserChanges, UserRepository,
};
use schemaforge_repository::{
    Applied, ApplyError, DatabaseAdmin, DatabaseHealth, DatabaseRecord, DatabaseRecordRepository, HistoryEntry,
    SchemaLock, ScriptRun, ServerAddress, TryError,
};
use schemaforge_repository::{Beat, Job, JobEnd, JobProgress, JobQuery, JobRepository, JobStatus, Lease, NewJob};
use schemaforge_repository::{Connection, ConnectionQuery, ConnectionRepository};
use uuid::Uuid;

use crate::{App, AuthSettings, EncryptionKey, ProvisioningSettings};

#[derive(Default)]
struct State {
    users: Vec<User>,
    tokens: Vec<(Vec<u8>, RefreshToken)>,
    keys: Vec<(Vec<u8>, ApiKey)>,
    schemas: Vec<(SchemaRecord, bool)>,
    versions: Vec<SchemaVersion>,
    databases: Vec<DatabaseRecord>,
    audit: Vec<schemaforge_repository::AuditEntry>,
    jobs: Vec<Job>,
    connections: Vec<Connection>,
    /// Document texts the JSON reads have sent.
    texts_sent: usize,
}

/// Everything in a mutex.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
    locks: Arc<Mutex<HashSet<Uuid>>>,
}

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many document texts the JSON reads have sent so far.
    pub fn texts_sent(&self) -> usize {
        self.lock().texts_sent
    }
}

impl MemoryStore {
    /// Revoke the live tokens matching `which`; returns how many.
    fn revoke_tokens(&self, which: impl Fn(&RefreshToken) -> bool) -> u64 {
        let mut s = self.lock();
        let mut n = 0;
        for (_, t) in s.tokens.iter_mut().filter(|(_, t)| t.revoked_at.is_none() && which(t)) {
            t.revoked_at = Some(Utc::now());
            n += 1;
        }
        n
    }
}

/// An app over a fresh memory store and fake server.
pub fn app() -> App<MemoryStore> {
    app_with(Arc::new(MemoryStore::default()), Arc::new(FakeAdmin::default()))
}

/// A registered user's principal.
pub fn user(app: &App<MemoryStore>, email: &str) -> crate::Principal {
    let reg = app.register(email, "correct horse battery", None).unwrap();
    app.authenticate(&reg.tokens.access_token).unwrap()
}

/// An app over these fakes.
pub fn app_with(store: Arc<MemoryStore>, admin: Arc<FakeAdmin>) -> App<MemoryStore> {
    App::new(
        store,
        admin,
        AuthSettings {
            jwt_secret: "unit-test secret, long enough".into(),
            access_ttl: Duration::minutes(15),
            refresh_ttl: Duration::days(30),
        },
        ProvisioningSettings {
            encryption_key: EncryptionKey::from_bytes([42; 32]),
            public_host: None,
            public_port: Some(6432),
            connection_options: Some("sslmode=prefer".into()),
            validate_on_server: false,
        },
    )
}

impl UserRepository for MemoryStore {
    fn create_user(&self, u: NewUser) -> RepoResult<User> {
        let mut s = self.lock();
        if s.users.iter().any(|x| x.email == u.email) {
            return Err(RepoError::Conflict(Conflict::DuplicateEmail));
        }
        let now = Utc::now();
        let user = User {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            password_hash: u.password_hash,
            created_at: now,
            updated_at: now,
        };
        s.users.push(user.clone());
        Ok(user)
    }

    fn find_user_by_email(&self, email: &str) -> RepoResult<Option<User>> {
        Ok(self.lock().users.iter().find(|u| u.email == email).cloned())
    }

    fn find_user(&self, id: Uuid) -> RepoResult<Option<User>> {
        Ok(self.lock().users.iter().find(|u| u.id == id).cloned())
    }

    fn update_user(&self, id: Uuid, changes: UserChanges) -> RepoResult<User> {
        let mut s = self.lock();
        let u = s.users.iter_mut().find(|u| u.id == id).ok_or(RepoError::NotFound)?;
        if let Some(name) = changes.display_name {
            u.display_name = name;
        }
        if let Some(hash) = changes.password_hash {
            u.password_hash = hash;
        }
        u.updated_at = Utc::now();
        Ok(u.clone())
    }
}

impl RefreshTokenRepository for MemoryStore {
    fn create_refresh_token(&self, t: NewRefreshToken) -> RepoResult<RefreshToken> {
        let token = RefreshToken {
            id: t.id,
            user_id: t.user_id,
            family_id: t.family_id,
            expires_at: t.expires_at,
            used_at: None,
            revoked_at: None,
        };
        self.lock().tokens.push((t.token_hash, token.clone()));
        Ok(token)
    }

    fn find_refresh_token(&self, hash: &[u8]) -> RepoResult<Option<RefreshToken>> {
        Ok(self.lock().tokens.iter().find(|(h, _)| h == hash).map(|(_, t)| t.clone()))
    }

    fn mark_refresh_token_used(&self, id: Uuid) -> RepoResult<bool> {
        let mut s = self.lock();
        match s.tokens.iter_mut().find(|(_, t)| t.id == id) {
            Some((_, t)) if t.used_at.is_none() && t.revoked_at.is_none() => {
                t.used_at = Some(Utc::now());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn revoke_user_refresh_tokens(&self, user_id: Uuid) -> RepoResult<u64> {
        Ok(self.revoke_tokens(|t| t.user_id == user_id))
    }

    fn revoke_refresh_family(&self, family: Uuid) -> RepoResult<u64> {
        Ok(self.revoke_tokens(|t| t.family_id == family))
    }
}

impl ApiKeyRepository for MemoryStore {
    fn create_api_key(&self, k: NewApiKey) -> RepoResult<ApiKey> {
        let key = ApiKey {
            id: k.id,
            user_id: k.user_id,
            name: k.name,
            prefix: k.prefix,
            created_at: Utc::now(),
            last_used_at: None,
            revoked_at: None,
        };
        self.lock().keys.push((k.key_hash, key.clone()));
        Ok(key)
    }

    fn list_api_keys(&self, user_id: Uuid) -> RepoResult<Vec<ApiKey>> {
        Ok(self.lock().keys.iter().filter(|(_, k)| k.user_id == user_id).map(|(_, k)| k.clone()).collect())
    }

    fn revoke_api_key(&self, user_id: Uuid, id: Uuid) -> RepoResult<()> {
        let mut s = self.lock();
        let (_, k) = s.keys.iter_mut().find(|(_, k)| k.id == id && k.user_id == user_id).ok_or(RepoError::NotFound)?;
        k.revoked_at.get_or_insert_with(Utc::now);
        Ok(())
    }

    fn use_api_key(&self, hash: &[u8]) -> RepoResult<Option<ApiKey>> {
        let mut s = self.lock();
        Ok(s.keys.iter_mut().find(|(h, k)| h == hash && k.revoked_at.is_none()).map(|(_, k)| {
            k.last_used_at = Some(Utc::now());
            k.clone()
        }))
    }
}

fn summary(r: &SchemaRecord) -> SchemaSummary {
    SchemaSummary {
        id: r.id,
        name: r.name.clone(),
        description: r.description.clone(),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

impl SchemaRepository for MemoryStore {
    fn create_schema(&self, n: NewSchema) -> RepoResult<SchemaRecord> {
        let mut s = self.lock();
        if s.schemas.iter().any(|(r, live)| *live && r.owner_id == n.owner_id && r.name == n.document.name) {
            return Err(RepoError::Conflict(Conflict::DuplicateName));
        }
        let now = Utc::now();
        let record = SchemaRecord {
            id: n.id,
            owner_id: n.owner_id,
            name: n.document.name.clone(),
            description: n.document.description.clone(),
            version: 1,
            document: n.document.clone(),
            created_at: now,
            updated_at: now,
        };
        s.versions.push(SchemaVersion { schema_id: n.id, version: 1, document: n.document, created_at: now });
        s.schemas.push((record.clone(), true));
        Ok(record)
    }

    fn get_schema(&self, owner: Uuid, id: Uuid) -> RepoResult<Option<SchemaRecord>> {
        Ok(self
            .lock()
            .schemas
            .iter()
            .find(|(r, live)| *live && r.id == id && r.owner_id == owner)
            .map(|(r, _)| r.clone()))
    }

    fn list_schemas(&self, owner: Uuid, q: &SchemaQuery) -> RepoResult<Page<SchemaSummary>> {
        let s = self.lock();
        let needle = q.search.as_deref().map(str::to_lowercase);
        let mut items: Vec<SchemaSummary> = s
            .schemas
            .iter()
            .filter(|(r, live)| *live && r.owner_id == owner)
            .filter(|(r, _)| {
                needle.as_deref().is_none_or(|n| {
                    r.name.to_lowercase().contains(n)
                        || r.description.as_deref().is_some_and(|d| d.to_lowercase().contains(n))
                })
            })
            .map(|(r, _)| summary(r))
            .collect();
        match q.sort {
            SchemaSort::NameAsc => items.sort_by(|a, b| a.name.cmp(&b.name)),
            SchemaSort::NameDesc => items.sort_by(|a, b| b.name.cmp(&a.name)),
            SchemaSort::UpdatedAsc => items.sort_by_key(|s| s.updated_at),
            SchemaSort::UpdatedDesc => items.sort_by_key(|s| std::cmp::Reverse(s.updated_at)),
        }
        let total = items.len() as i64;
        let items = items.into_iter().skip(q.offset as usize).take(q.limit as usize).collect();
        Ok(Page { items, total })
    }

    fn update_schema(
        &self,
        owner: Uuid,
        id: Uuid,
        expected: Option<i32>,
        document: SchemaDocument,
    ) -> RepoResult<SchemaRecord> {
        let mut s = self.lock();
        let clash =
            s.schemas.iter().any(|(r, live)| *live && r.owner_id == owner && r.id != id && r.name == document.name);
        let (r, _) = s
            .schemas
            .iter_mut()
            .find(|(r, live)| *live && r.id == id && r.owner_id == owner)
            .ok_or(RepoError::NotFound)?;
        if let Some(e) = expected.filter(|e| *e != r.version) {
            return Err(RepoError::Conflict(Conflict::StaleVersion { expected: e, current: r.version }));
        }
        if clash {
            return Err(RepoError::Conflict(Conflict::DuplicateName));
        }
        r.version += 1;
        r.name = document.name.clone();
        r.description = document.description.clone();
        r.document = document.clone();
        r.updated_at = Utc::now();
        let record = r.clone();
        s.versions.push(SchemaVersion {
            schema_id: id,
            version: record.version,
            document,
            created_at: record.updated_at,
        });
        Ok(record)
    }

    fn delete_schema(&self, owner: Uuid, id: Uuid, expected: Option<i32>) -> RepoResult<()> {
        let mut s = self.lock();
        let (r, live) = s
            .schemas
            .iter_mut()
            .find(|(r, live)| *live && r.id == id && r.owner_id == owner)
            .ok_or(RepoError::NotFound)?;
        if let Some(e) = expected.filter(|e| *e != r.version) {
            return Err(RepoError::Conflict(Conflict::StaleVersion { expected: e, current: r.version }));
        }
        *live = false;
        Ok(())
    }

    fn list_versions(&self, owner: Uuid, id: Uuid) -> RepoResult<Vec<SchemaVersion>> {
        if self.get_schema(owner, id)?.is_none() {
            return Err(RepoError::NotFound);
        }
        Ok(self.lock().versions.iter().filter(|v| v.schema_id == id).cloned().collect())
    }

    fn get_version(&self, owner: Uuid, id: Uuid, version: i32) -> RepoResult<Option<SchemaVersion>> {
        if self.get_schema(owner, id)?.is_none() {
            return Ok(None);
        }
        Ok(self.lock().versions.iter().find(|v| v.schema_id == id && v.version == version).cloned())
    }

    fn get_schema_json(
        &self,
        owner: Uuid,
        id: Uuid,
        held: Option<i32>,
    ) -> RepoResult<Option<schemaforge_repository::SchemaJson>> {
        let Some(r) = self.get_schema(owner, id)? else { return Ok(None) };
        let document = if held == Some(r.version) {
            None
        } else {
            self.lock().texts_sent += 1;
            Some(serde_json::to_string(&r.document).map_err(|e| RepoError::Other(e.to_string()))?)
        };
        Ok(Some(schemaforge_repository::SchemaJson { summary: summary(&r), document }))
    }

    fn get_version_json(
        &self,
        owner: Uuid,
        id: Uuid,
        version: i32,
        with_text: bool,
    ) -> RepoResult<Option<schemaforge_repository::VersionJson>> {
        let Some(v) = self.get_version(owner, id, version)? else { return Ok(None) };
        let document = if with_text {
            self.lock().texts_sent += 1;
            Some(serde_json::to_string(&v.document).map_err(|e| RepoError::Other(e.to_string()))?)
        } else {
            None
        };
        Ok(Some(schemaforge_repository::VersionJson { version: v.version, created_at: v.created_at, document }))
    }
}

impl schemaforge_repository::AuditRepository for MemoryStore {
    fn append_audit(&self, e: schemaforge_repository::NewAuditEntry) -> RepoResult<()> {
        let mut s = self.lock();
        let id = i64::try_from(s.audit.len()).unwrap_or(i64::MAX) + 1;
        s.audit.push(schemaforge_repository::AuditEntry {
            id,
            user_id: e.user_id,
            api_key_id: e.api_key_id,
            action: e.action.into(),
            target_type: e.target_type.into(),
            target_id: e.target_id,
            target_name: e.target_name,
            outcome: e.outcome.as_str().into(),
            error_code: e.error_code.map(Into::into),
            detail: e.detail,
            request_id: e.request_id,
            at: Utc::now(),
        });
        Ok(())
    }

    fn list_audit(&self, user: Uuid, offset: i64, limit: i64) -> RepoResult<Page<schemaforge_repository::AuditEntry>> {
        let s = self.lock();
        let mine: Vec<_> = s.audit.iter().rev().filter(|e| e.user_id == user).cloned().collect();
        let total = i64::try_from(mine.len()).unwrap_or(i64::MAX);
        let skip = usize::try_from(offset).unwrap_or(usize::MAX);
        let take = usize::try_from(limit).unwrap_or(0);
        Ok(Page { items: mine.into_iter().skip(skip).take(take).collect(), total })
    }
}

impl HealthRepository for MemoryStore {
    fn applied_migrations(&self) -> RepoResult<Vec<String>> {
        Ok(vec![])
    }
}

impl JobRepository for MemoryStore {
    fn enqueue_job(&self, job: NewJob) -> RepoResult<Job> {
        let mut s = self.lock();
        if let Some(active) = s.jobs.iter().find(|j| j.target == job.target && !j.status.is_final()) {
            return Err(RepoError::Conflict(Conflict::ActiveJob(active.id)));
        }
        let job = Job {
            id: job.id,
            owner_id: job.owner_id,
            schema_id: job.schema_id,
            kind: job.kind,
            target: job.target,
            params: job.params,
            status: JobStatus::Pending,
            cancel_requested: false,
            progress: JobProgress::default(),
            result: None,
            error: None,
            attempts: 0,
            worker: None,
            lease_expires_at: None,
            created_at: Utc::now(),
            started_at: None,
            finished_at: None,
        };
        s.jobs.push(job.clone());
        Ok(job)
    }

    fn get_job(&self, owner: Uuid, id: Uuid) -> RepoResult<Option<Job>> {
        Ok(self.lock().jobs.iter().find(|j| j.id == id && j.owner_id == owner).cloned())
    }

    fn list_jobs(&self, owner: Uuid, query: &JobQuery) -> RepoResult<Page<Job>> {
        let s = self.lock();
        let mut all: Vec<Job> = s
            .jobs
            .iter()
            .filter(|j| j.owner_id == owner)
            .filter(|j| query.schema_id.is_none_or(|id| j.schema_id == Some(id)))
            .filter(|j| query.status.is_none_or(|st| j.status == st))
            .cloned()
            .collect();
        all.reverse();
        let total = all.len() as i64;
        let items = all.into_iter().skip(query.offset as usize).take(query.limit as usize).collect();
        Ok(Page { items, total })
    }

    fn cancel_job(&self, owner: Uuid, id: Uuid) -> RepoResult<Job> {
        let mut s = self.lock();
        let job = s.jobs.iter_mut().find(|j| j.id == id && j.owner_id == owner).ok_or(RepoError::NotFound)?;
        match job.status {
            JobStatus::Pending => {
                job.status = JobStatus::Cancelled;
                job.cancel_requested = true;
                job.finished_at = Some(Utc::now());
            }
            JobStatus::Running => job.cancel_requested = true,
            _ => {}
        }
        Ok(job.clone())
    }

    fn claim_job(&self, worker: &str, _lease: Lease) -> RepoResult<Option<Job>> {
        let mut s = self.lock();
        let Some(job) = s.jobs.iter_mut().find(|j| j.status == JobStatus::Pending) else { return Ok(None) };
        job.status = JobStatus::Running;
        job.worker = Some(worker.into());
        job.attempts += 1;
        job.started_at = Some(Utc::now());
        Ok(Some(job.clone()))
    }

    fn heartbeat_job(&self, id: Uuid, worker: &str, _lease: Lease, progress: &JobProgress) -> RepoResult<Beat> {
        let mut s = self.lock();
        match s.jobs.iter_mut().find(|j| j.id == id && j.worker.as_deref() == Some(worker)) {
            Some(j) if j.status == JobStatus::Running => {
                j.progress = progress.clone();
                Ok(Beat { held: true, cancel_requested: j.cancel_requested })
            }
            _ => Ok(Beat { held: false, cancel_requested: false }),
        }
    }

    fn finish_job(&self, id: Uuid, worker: &str, end: JobEnd) -> RepoResult<bool> {
        let mut s = self.lock();
        let Some(j) = s
            .jobs
            .iter_mut()
            .find(|j| j.id == id && j.worker.as_deref() == Some(worker) && j.status == JobStatus::Running)
        else {
            return Ok(false);
        };
        match end {
            JobEnd::Succeeded(r) => (j.status, j.result) = (JobStatus::Succeeded, Some(r)),
            JobEnd::Failed(e, r) => (j.status, j.error, j.result) = (JobStatus::Failed, Some(e), r),
            JobEnd::Cancelled => j.status = JobStatus::Cancelled,
        }
        j.finished_at = Some(Utc::now());
        Ok(true)
    }
}

impl ConnectionRepository for MemoryStore {
    fn create_connection(&self, c: &Connection) -> RepoResult<Connection> {
        let mut s = self.lock();
        if s.connections.iter().any(|o| o.owner_id == c.owner_id && o.name == c.name) {
            return Err(RepoError::Conflict(Conflict::DuplicateConnection));
        }
        s.connections.push(c.clone());
        Ok(c.clone())
    }

    fn get_connection(&self, owner: Uuid, id: Uuid) -> RepoResult<Option<Connection>> {
        Ok(self.lock().connections.iter().find(|c| c.id == id && c.owner_id == owner).cloned())
    }

    fn list_connections(&self, owner: Uuid, query: &ConnectionQuery) -> RepoResult<Page<Connection>> {
        let s = self.lock();
        let provisioned = s.databases.iter().filter_map(|d| {
            let (schema, _) =
                s.schemas.iter().find(|(r, deleted)| r.id == d.schema_id && r.owner_id == owner && !deleted)?;
            Some(Connection {
                id: d.schema_id,
                provisioned: true,
                owner_id: owner,
                name: schema.name.clone(),
                host: String::new(),
                port: 0,
                database: d.database_name.clone(),
                username: d.role_name.clone(),
                password_ciphertext: Vec::new(),
                sslmode: "prefer".into(),
                namespaces: Vec::new(),
                schema_id: Some(d.schema_id),
                schema_version: None,
                last_test: None,
                created_at: d.created_at,
                updated_at: d.updated_at,
            })
        });
        let mut all: Vec<Connection> = s
            .connections
            .iter()
            .filter(|c| c.owner_id == owner)
            .cloned()
            .chain(provisioned)
            .filter(|c| query.search.as_deref().is_none_or(|q| c.name.to_lowercase().contains(&q.to_lowercase())))
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        let total = all.len() as i64;
        Ok(Page { items: all.into_iter().skip(query.offset as usize).take(query.limit as usize).collect(), total })
    }

    fn update_connection(&self, c: &Connection) -> RepoResult<Connection> {
        let mut s = self.lock();
        let slot =
            s.connections.iter_mut().find(|o| o.id == c.id && o.owner_id == c.owner_id).ok_or(RepoError::NotFound)?;
        *slot = c.clone();
        Ok(c.clone())
    }

    fn delete_connection(&self, owner: Uuid, id: Uuid) -> RepoResult<()> {
        let mut s = self.lock();
        let target = format!("connection:{id}");
        if let Some(j) = s.jobs.iter().find(|j| j.target == target && !j.status.is_final()) {
            return Err(RepoError::Conflict(Conflict::ActiveJob(j.id)));
        }
        let before = s.connections.len();
        s.connections.retain(|c| !(c.id == id && c.owner_id == owner));
        if s.connections.len() == before { Err(RepoError::NotFound) } else { Ok(()) }
    }
}

struct Unlock(Arc<Mutex<HashSet<Uuid>>>, Uuid);

impl Drop for Unlock {
    fn drop(&mut self) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&self.1);
    }
}

impl DatabaseRecordRepository for MemoryStore {
    fn get_database_record(&self, owner: Uuid, schema_id: Uuid) -> RepoResult<Option<DatabaseRecord>> {
        let s = self.lock();
        let owned = s.schemas.iter().any(|(r, _)| r.id == schema_id && r.owner_id == owner);
        Ok(s.databases.iter().find(|d| owned && d.schema_id == schema_id).cloned())
    }

    fn put_database_record(&self, record: &DatabaseRecord) -> RepoResult<DatabaseRecord> {
        let mut s = self.lock();
        let mut record = record.clone();
        record.updated_at = Utc::now();
        if let Some(existing) = s.databases.iter_mut().find(|d| d.schema_id == record.schema_id) {
            record.created_at = existing.created_at;
            *existing = record.clone();
        } else {
            s.databases.push(record.clone());
        }
        Ok(record)
    }

    fn delete_database_record(&self, schema_id: Uuid) -> RepoResult<()> {
        self.lock().databases.retain(|d| d.schema_id != schema_id);
        Ok(())
    }

    fn orphaned_drops(&self) -> RepoResult<Vec<DatabaseRecord>> {
        let s = self.lock();
        let deleted = |id: Uuid| s.schemas.iter().any(|(r, live)| r.id == id && !live);
        Ok(s.databases
            .iter()
            .filter(|d| d.status == schemaforge_repository::DatabaseStatus::Dropping && deleted(d.schema_id))
            .cloned()
            .collect())
    }

    fn try_lock_schema(&self, schema_id: Uuid) -> RepoResult<Option<SchemaLock>> {
        let mut locks = self.locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(locks.insert(schema_id).then(|| SchemaLock::new(Box::new(Unlock(Arc::clone(&self.locks), schema_id)))))
    }
}

/// A database on the fake server.
#[derive(Debug, Clone, Default)]
pub struct FakeDatabase {
    pub owner: String,
    pub statements: Vec<String>,
    pub history: Vec<HistoryEntry>,
    /// The record of catalog identities: (version, JSON).
    pub identity: Option<(i32, String)>,
}

#[derive(Default)]
pub struct FakeServer {
    /// Role name -> password.
    pub roles: BTreeMap<String, String>,
    pub databases: BTreeMap<String, FakeDatabase>,
    /// Fail the statement containing this text.
    pub fail_on: Option<String>,
    /// Refuse every call as if the server were down.
    pub down: bool,
}

/// A PostgreSQL server in memory, for the services' unit tests.
#[derive(Default)]
pub struct FakeAdmin {
    pub server: Mutex<FakeServer>,
}

impl FakeAdmin {
    pub fn server(&self) -> MutexGuard<'_, FakeServer> {
        self.server.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn up(&self) -> RepoResult<MutexGuard<'_, FakeServer>> {
        let server = self.server();
        if server.down { Err(RepoError::Unavailable("connection refused".into())) } else { Ok(server) }
    }
}

impl DatabaseAdmin for FakeAdmin {
    /// An empty catalog, or the line holding `fail_on` refused.
    fn load_sql(
        &self,
        sql: &str,
        _: &schemaforge_repository::LoadOptions,
    ) -> Result<schemaforge_repository::Loaded, schemaforge_repository::LoadError> {
        let s = self
            .up()
            .map_err(|e| schemaforge_repository::IntrospectError::Unreachable(e.to_string()))
            .map_err(schemaforge_repository::LoadError::Server)?;
        if let Some(at) = s.fail_on.as_deref().and_then(|needle| sql.find(needle)) {
            return Err(schemaforge_repository::LoadError::Statement {
                line: sql[..at].matches('\n').count() + 1,
                message: "syntax error".into(),
                statement: sql.lines().next().unwrap_or_default().into(),
            });
        }
        Ok(schemaforge_repository::Loaded {
            catalog: schemaforge_introspect::Catalog::default(),
            skipped: Vec::new(),
            statements: 1,
        })
    }

    /// An empty catalog of the database's server.
    fn read_catalog(
        &self,
        database: &str,
        _: &schemaforge_repository::IntrospectOptions,
    ) -> Result<schemaforge_introspect::Catalog, schemaforge_repository::IntrospectError> {
        let s = self.up().map_err(|e| schemaforge_repository::IntrospectError::Unreachable(e.to_string()))?;
        if !s.databases.contains_key(database) {
            return Err(schemaforge_repository::IntrospectError::NoDatabase(database.to_string()));
        }
        Ok(schemaforge_introspect::Catalog::default())
    }

    fn read_identity(&self, database: &str) -> RepoResult<Option<String>> {
        let s = self.up()?;
        Ok(s.databases.get(database).and_then(|d| d.identity.as_ref()).map(|(_, r)| r.clone()))
    }

    fn write_identity(&self, database: &str, _: &str, version: i32, record: &str) -> RepoResult<()> {
        let mut s = self.up()?;
        let db = s.databases.get_mut(database).ok_or(RepoError::NotFound)?;
        db.identity = Some((version, record.to_string()));
        Ok(())
    }

    /// Refuses the statement that contains `fail_on` (when set),
    /// as a server would; unreachable when the server is down.
    fn try_script(&self, statements: &[&str]) -> Result<(), TryError> {
        let s = self.up().map_err(|e| TryError::Unavailable(e.to_string()))?;
        let refused = s.fail_on.as_deref().and_then(|needle| statements.iter().position(|st| st.contains(needle)));
        match refused {
            Some(index) => {
                Err(TryError::Statement { index, message: "function f(integer) does not exist".into(), position: None })
            }
            None => Ok(()),
        }
    }

    fn create_role(&self, role: &str, password: &str) -> RepoResult<()> {
        let mut s = self.up()?;
        if s.roles.contains_key(role) {
            return Err(RepoError::Conflict(Conflict::ObjectExists));
        }
        s.roles.insert(role.into(), password.into());
        Ok(())
    }

    fn create_database(&self, database: &str, owner: &str) -> RepoResult<()> {
        let mut s = self.up()?;
        if s.databases.contains_key(database) {
            return Err(RepoError::Conflict(Conflict::ObjectExists));
        }
        s.databases.insert(database.into(), FakeDatabase { owner: owner.into(), ..FakeDatabase::default() });
        Ok(())
    }

    fn apply_script(
        &self,
        database: &str,
        role: &str,
        password: &str,
        run: ScriptRun<'_>,
    ) -> Result<Applied, ApplyError> {
        let mut s = self.up()?;
        if s.roles.get(role).map(String::as_str) != Some(password) {
            return Err(ApplyError::Repo(RepoError::Unavailable("password authentication failed".into())));
        }
        if let Some(bad) = s.fail_on.clone() {
            if let Some(i) = run.statements.iter().position(|sql| sql.contains(&bad)) {
                return Err(ApplyError::Statement {
                    statement: i + 1,
                    sql: run.statements[i].clone(),
                    message: "syntax error".into(),
                });
            }
        }
        let db = s.databases.get_mut(database).ok_or(RepoError::Unavailable("no such database".into()))?;
        db.statements.extend(run.statements.iter().cloned());
        let id = db.history.len() as i64 + 1;
        db.history.push(HistoryEntry {
            id,
            version: run.version,
            checksum: run.checksum.into(),
            kind: run.kind.into(),
            applied_at: Utc::now(),
            duration_ms: 1,
        });
        Ok(Applied { duration_ms: 1 })
    }

    fn drop_database(&self, database: &str) -> RepoResult<()> {
        self.up()?.databases.remove(database);
        Ok(())
    }

    fn drop_role(&self, role: &str) -> RepoResult<()> {
        self.up()?.roles.remove(role);
        Ok(())
    }

    fn history(&self, database: &str) -> RepoResult<Vec<HistoryEntry>> {
        let s = self.up()?;
        Ok(s.databases.get(database).map(|d| d.history.clone()).unwrap_or_default())
    }

    fn health(&self, database: &str) -> RepoResult<DatabaseHealth> {
        let s = self.up()?;
        let db = s.databases.get(database).ok_or(RepoError::Unavailable("no such database".into()))?;
        Ok(DatabaseHealth {
            size_bytes: 8192,
            table_count: db.statements.iter().filter(|s| s.starts_with("CREATE TABLE")).count() as i64,
            open_connections: 0,
            history: db.history.clone(),
        })
    }

    fn address(&self) -> ServerAddress {
        ServerAddress { host: "db.internal".into(), port: 5432 }
    }
}
