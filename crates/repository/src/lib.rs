//! # schemaforge-repository
//!
//! Repository traits for Schemaforge's metadata store (users, refresh tokens,
//! API keys, schemas and their immutable versions) and, behind the default
//! `postgres` feature, their Diesel + r2d2 implementations.
//!
//! The traits and types here are driver-free: errors are [`RepoError`], never
//! a diesel error, so `services` can depend on this crate with
//! `default-features = false` and never compile a database driver.
//!
//! Provisioned databases have two sides: [`DatabaseRecordRepository`] keeps
//! their metadata (and the cross-process operation lock) in the metadata
//! store, and [`DatabaseAdmin`] creates, fills, inspects and drops them on
//! the target PostgreSQL server.
//!
//! Isolation between users is enforced here: every schema query takes the
//! owner's id and filters on it, so another user's schema is simply not found.

use chrono::{DateTime, Utc};
use schemaforge_domain::SchemaDocument;
use uuid::Uuid;

#[cfg(feature = "postgres")]
pub mod pg;

mod connections;
mod import;
mod jobs;
pub use connections::{Connection, ConnectionQuery, ConnectionRepository};
pub use import::{
    CatalogReader, ImportTarget, IntrospectOptions, LoadOptions, Loaded, NoCatalogReader, Probe, SSL_MODES,
    ScriptTimeouts, Skipped,
};
pub use jobs::{Beat, Job, JobEnd, JobError, JobProgress, JobQuery, JobRepository, JobStatus, Lease, NewJob};

/// Errors of every repository, free of driver types.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The row does not exist (or belongs to someone else).
    #[error("not found")]
    NotFound,
    /// A uniqueness or concurrency conflict.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The database cannot be reached or the pool is exhausted.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored row cannot be read back (e.g. its JSON no longer parses).
    #[error("corrupt row {table}/{id}: {message}")]
    Corrupt {
        /// Table of the row.
        table: &'static str,
        /// Primary key of the row.
        id: String,
        /// What is wrong with it.
        message: String,
    },
    /// Anything else (a bug or an unexpected database error).
    #[error("{0}")]
    Other(String),
}

/// What kind of conflict happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// A user with this email exists.
    DuplicateEmail,
    /// The owner already has a live schema with this name.
    DuplicateName,
    /// A database or role with this name already exists on the server.
    ObjectExists,
    /// The target has a pending or running job already: this one.
    ActiveJob(Uuid),
    /// The owner already has a connection with this name.
    DuplicateConnection,
    /// The schema changed since the version the caller based its write on.
    StaleVersion {
        /// The version the caller expected.
        expected: i32,
        /// The current version.
        current: i32,
    },
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DuplicateEmail => f.write_str("an account with this email exists"),
            Self::DuplicateName => f.write_str("a schema with this name exists"),
            Self::ObjectExists => f.write_str("a database or role with this name exists"),
            Self::ActiveJob(id) => write!(f, "job {id} is pending or running on this database"),
            Self::DuplicateConnection => f.write_str("a connection with this name exists"),
            Self::StaleVersion { expected, current } => {
                write!(f, "the schema is at version {current}, not {expected}")
            }
        }
    }
}

/// Result of a repository call.
pub type RepoResult<T> = Result<T, RepoError>;

// ------------------------------------------------------------------ users

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: Uuid,
    /// Email, lower case.
    pub email: String,
    /// Name shown to people.
    pub display_name: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Id chosen by the caller.
    pub id: Uuid,
    /// Email, lower case.
    pub email: String,
    /// Name shown to people.
    pub display_name: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Changes to a user; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    /// `Some(None)` clears the display name, `Some(Some(x))` sets it.
    pub display_name: Option<Option<String>>,
    /// A new password hash.
    pub password_hash: Option<String>,
}

/// Users.
pub trait UserRepository: Send + Sync {
    /// Create a user; `Conflict(DuplicateEmail)` if the email is taken.
    fn create_user(&self, user: NewUser) -> RepoResult<User>;
    /// The user with this (lower-case) email.
    fn find_user_by_email(&self, email: &str) -> RepoResult<Option<User>>;
    /// The user with this id.
    fn find_user(&self, id: Uuid) -> RepoResult<Option<User>>;
    /// Apply changes; `NotFound` if the user does not exist.
    fn update_user(&self, id: Uuid, changes: UserChanges) -> RepoResult<User>;
}

// ------------------------------------------------------------------ tokens

/// A stored refresh token (only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// Id.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// All tokens rotated from one login share a family.
    pub family_id: Uuid,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was exchanged for a new one.
    pub used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A refresh token to store.
#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    /// Id.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Family.
    pub family_id: Uuid,
    /// SHA-256 of the secret.
    pub token_hash: Vec<u8>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

/// Refresh tokens.
pub trait RefreshTokenRepository: Send + Sync {
    /// Store a token.
    fn create_refresh_token(&self, token: NewRefreshToken) -> RepoResult<RefreshToken>;
    /// The token with this hash, whatever its state.
    fn find_refresh_token(&self, token_hash: &[u8]) -> RepoResult<Option<RefreshToken>>;
    /// Mark the token used, only if it is unused and not revoked; returns
    /// whether this call did it (two concurrent refreshes: one wins).
    fn mark_refresh_token_used(&self, id: Uuid) -> RepoResult<bool>;
    /// Revoke every token of a family.
    fn revoke_refresh_family(&self, family_id: Uuid) -> RepoResult<u64>;
    /// Revoke every live token of a user (after a password change).
    fn revoke_user_refresh_tokens(&self, user_id: Uuid) -> RepoResult<u64>;
}

// ------------------------------------------------------------------ API keys

/// An API key (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Id.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Name given by the user.
    pub name: String,
    /// First characters of the secret, to recognise it.
    pub prefix: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last successful use.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revocation time.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An API key to store.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Id.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Name given by the user.
    pub name: String,
    /// First characters of the secret.
    pub prefix: String,
    /// SHA-256 of the secret.
    pub key_hash: Vec<u8>,
}

/// API keys.
pub trait ApiKeyRepository: Send + Sync {
    /// Store a key.
    fn create_api_key(&self, key: NewApiKey) -> RepoResult<ApiKey>;
    /// The owner's keys, newest first.
    fn list_api_keys(&self, user_id: Uuid) -> RepoResult<Vec<ApiKey>>;
    /// Revoke one of the owner's keys (revoking twice keeps the first
    /// revocation time); `NotFound` if it is not theirs.
    fn revoke_api_key(&self, user_id: Uuid, id: Uuid) -> RepoResult<()>;
    /// The live (unrevoked) key with this hash, recording the use.
    fn use_api_key(&self, key_hash: &[u8]) -> RepoResult<Option<ApiKey>>;
}

// ------------------------------------------------------------------ schemas

/// A schema with its current definition.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaRecord {
    /// Id.
    pub id: Uuid,
    /// Owner.
    pub owner_id: Uuid,
    /// Name, unique per owner.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Current version (1, 2, ...): the concurrency token.
    pub version: i32,
    /// The current definition.
    pub document: SchemaDocument,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A schema in a list (without its document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSummary {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Current version.
    pub version: i32,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// One immutable version of a schema's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaVersion {
    /// The schema.
    pub schema_id: Uuid,
    /// 1, 2, 3, ...
    pub version: i32,
    /// The definition at that version.
    pub document: SchemaDocument,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

/// A schema to create. Its name and description are the document's own.
#[derive(Debug, Clone)]
pub struct NewSchema {
    /// Id chosen by the caller.
    pub id: Uuid,
    /// Owner.
    pub owner_id: Uuid,
    /// Definition (version 1).
    pub document: SchemaDocument,
}

/// How to sort a schema list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SchemaSort {
    /// Most recently updated first.
    #[default]
    UpdatedDesc,
    /// Least recently updated first.
    UpdatedAsc,
    /// By name, A to Z.
    NameAsc,
    /// By name, Z to A.
    NameDesc,
}

/// A page request.
#[derive(Debug, Clone, Default)]
pub struct SchemaQuery {
    /// Case-insensitive text searched in name and description.
    pub search: Option<String>,
    /// Sort order.
    pub sort: SchemaSort,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// One page of results and the total count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Rows matching the query in all pages.
    pub total: i64,
}

/// A schema with its document as stored text: the bytes that serializing
/// the document gives, for answering reads without parsing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaJson {
    /// The schema without its document.
    pub summary: SchemaSummary,
    /// The current version's document, as JSON text; `None` when the
    /// current version is the one the caller said it holds.
    pub document: Option<String>,
}

/// A version with its document as stored text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionJson {
    /// 1, 2, 3, ...
    pub version: i32,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
    /// The document, as JSON text; `None` when it was not asked for.
    pub document: Option<String>,
}

/// Schemas and their versions. Every method is scoped to an owner.
pub trait SchemaRepository: Send + Sync {
    /// Create a schema at version 1; `Conflict(DuplicateName)` if the owner
    /// has a live schema with that name.
    fn create_schema(&self, schema: NewSchema) -> RepoResult<SchemaRecord>;
    /// The owner's live schema.
    fn get_schema(&self, owner: Uuid, id: Uuid) -> RepoResult<Option<SchemaRecord>>;
    /// A page of the owner's live schemas.
    fn list_schemas(&self, owner: Uuid, query: &SchemaQuery) -> RepoResult<Page<SchemaSummary>>;
    /// Save a new definition as the next version, atomically. The schema's
    /// name and description follow the document's. With `expected_version`,
    /// fail with `Conflict(StaleVersion)` (changing nothing) unless the schema
    /// is at exactly that version; two concurrent writers never both win.
    fn update_schema(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: Option<i32>,
        document: SchemaDocument,
    ) -> RepoResult<SchemaRecord>;
    /// Soft-delete (the name becomes free again).
    fn delete_schema(&self, owner: Uuid, id: Uuid, expected_version: Option<i32>) -> RepoResult<()>;
    /// Every version of the owner's schema, oldest first.
    fn list_versions(&self, owner: Uuid, id: Uuid) -> RepoResult<Vec<SchemaVersion>>;
    /// One version of the owner's schema.
    fn get_version(&self, owner: Uuid, id: Uuid, version: i32) -> RepoResult<Option<SchemaVersion>>;
    /// The owner's live schema with its document as text, in one query.
    /// `held`: the version whose text the caller already holds; when that
    /// is the current one, the text is not sent.
    fn get_schema_json(&self, owner: Uuid, id: Uuid, held: Option<i32>) -> RepoResult<Option<SchemaJson>>;
    /// One version of the owner's live schema, with its document as text
    /// when `with_text`, in one query.
    fn get_version_json(&self, owner: Uuid, id: Uuid, version: i32, with_text: bool)
    -> RepoResult<Option<VersionJson>>;
}

// ------------------------------------------------------------------ audit

/// How an audited operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    /// It did what was asked.
    Success,
    /// It changed nothing, or what it began was undone.
    Failure,
}

impl AuditOutcome {
    /// The stored (and wire) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// An entry to append to the audit log. Never holds a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// Who.
    pub user_id: Uuid,
    /// The API key used, if one was.
    pub api_key_id: Option<Uuid>,
    /// What, e.g. `schema.create`, `database.migrate`.
    pub action: &'static str,
    /// `schema` or `api_key`.
    pub target_type: &'static str,
    /// The target's id, when there is one.
    pub target_id: Option<Uuid>,
    /// The target's name at the time, when known.
    pub target_name: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// The stable error kind of a failure.
    pub error_code: Option<&'static str>,
    /// What else is worth keeping (versions, change counts).
    pub detail: Option<serde_json::Value>,
    /// The HTTP request's id.
    pub request_id: Option<String>,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Increasing with time.
    pub id: i64,
    /// Who.
    pub user_id: Uuid,
    /// The API key used, if one was.
    pub api_key_id: Option<Uuid>,
    /// What.
    pub action: String,
    /// The target's kind.
    pub target_type: String,
    /// The target's id.
    pub target_id: Option<Uuid>,
    /// The target's name at the time.
    pub target_name: Option<String>,
    /// `success` or `failure`.
    pub outcome: String,
    /// The stable error kind of a failure.
    pub error_code: Option<String>,
    /// Details.
    pub detail: Option<serde_json::Value>,
    /// The HTTP request's id.
    pub request_id: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The append-only audit log.
pub trait AuditRepository: Send + Sync {
    /// Append one entry.
    fn append_audit(&self, entry: NewAuditEntry) -> RepoResult<()>;
    /// A page of one user's entries, newest first, and their total.
    fn list_audit(&self, user: Uuid, offset: i64, limit: i64) -> RepoResult<Page<AuditEntry>>;
}

/// What the readiness probe needs.
pub trait HealthRepository: Send + Sync {
    /// Versions of the applied migrations, oldest first; fails when the
    /// database is unreachable.
    fn applied_migrations(&self) -> RepoResult<Vec<String>>;
}

// ------------------------------------------------------------------ provisioned databases

/// Where a schema's live database is in its life. No record means "none".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseStatus {
    /// Being created (or rebuilt).
    Provisioning,
    /// Built and usable.
    Ready,
    /// The last operation failed; nothing of it was left behind.
    Failed,
    /// Being dropped.
    Dropping,
}

impl DatabaseStatus {
    /// The stored (and wire) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provisioning => "provisioning",
            Self::Ready => "ready",
            Self::Failed => "failed",
            Self::Dropping => "dropping",
        }
    }

    /// The status spelled `text`, if any.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Provisioning, Self::Ready, Self::Failed, Self::Dropping].into_iter().find(|s| s.as_str() == text)
    }
}

/// Why the last operation on a database failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationFailure {
    /// The 1-based statement of the script that failed, when one did.
    pub statement: Option<i32>,
    /// That statement's SQL.
    pub sql: Option<String>,
    /// PostgreSQL's message (or what else went wrong).
    pub message: String,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// The metadata of a schema's provisioned database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseRecord {
    /// The schema.
    pub schema_id: Uuid,
    /// Name of the database on the target server.
    pub database_name: String,
    /// Its login role, owner of everything in it.
    pub role_name: String,
    /// The role's password, AEAD-encrypted by the services.
    pub password_ciphertext: Vec<u8>,
    /// Where it is in its life.
    pub status: DatabaseStatus,
    /// The schema version it was built or migrated to.
    pub applied_version: Option<i32>,
    /// The last failure, cleared by the next success.
    pub failure: Option<OperationFailure>,
    /// First provisioning (ignored when saving).
    pub created_at: DateTime<Utc>,
    /// Last change (ignored when saving: the store sets it).
    pub updated_at: DateTime<Utc>,
}

/// Proof that this process holds a schema's operation lock; dropping it
/// releases the lock. The lock lives in the metadata database, so it
/// excludes other server processes too, and dies with a crashed holder.
pub struct SchemaLock {
    _guard: Box<dyn Send>,
}

impl SchemaLock {
    /// Wrap whatever releases the lock when dropped.
    pub fn new(guard: Box<dyn Send>) -> Self {
        Self { _guard: guard }
    }
}

impl std::fmt::Debug for SchemaLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SchemaLock")
    }
}

/// Metadata of provisioned databases, in the metadata store.
pub trait DatabaseRecordRepository: Send + Sync {
    /// The record of the owner's schema (live or soft-deleted).
    fn get_database_record(&self, owner: Uuid, schema_id: Uuid) -> RepoResult<Option<DatabaseRecord>>;
    /// Insert or replace the record of a schema; `created_at` is kept from
    /// the first insert and `updated_at` set now.
    fn put_database_record(&self, record: &DatabaseRecord) -> RepoResult<DatabaseRecord>;
    /// Forget the record of a schema (absent is fine).
    fn delete_database_record(&self, schema_id: Uuid) -> RepoResult<()>;
    /// Take the schema's operation lock without waiting: `None` when another
    /// operation (in any process) holds it.
    fn try_lock_schema(&self, schema_id: Uuid) -> RepoResult<Option<SchemaLock>>;
    /// Records of deleted schemas whose drop did not finish (status
    /// `dropping`): no request can reach them any more, so a sweeper must.
    fn orphaned_drops(&self) -> RepoResult<Vec<DatabaseRecord>>;
}

/// A script to apply to a provisioned database, and what to record of it.
#[derive(Debug, Clone, Copy)]
pub struct ScriptRun<'a> {
    /// The statements, in order, without trailing semicolons required.
    pub statements: &'a [String],
    /// The schema version the database is at once it is applied.
    pub version: i32,
    /// Checksum of the whole script (hex SHA-256).
    pub checksum: &'a str,
    /// `create`, `migrate`, `rollback`, `sync` or `adopt`.
    pub kind: &'a str,
    /// Milliseconds a statement may wait for a lock; `None`: the admin's
    /// setting.
    pub lock_timeout_ms: Option<u64>,
    /// Milliseconds any one statement may run; `None`: no limit.
    pub statement_timeout_ms: Option<u64>,
}

/// A script that was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// How long its statements took, in milliseconds.
    pub duration_ms: i64,
}

/// Why a script was not applied. Either way nothing of it remains.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A statement failed; everything was rolled back.
    #[error("statement {statement} failed: {message}")]
    Statement {
        /// 1-based position in the script.
        statement: usize,
        /// Its SQL.
        sql: String,
        /// PostgreSQL's message, with its detail and hint.
        message: String,
    },
    /// Anything else (unreachable server, ...).
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// One applied script, as the history table inside the database records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Order of application.
    pub id: i64,
    /// The schema version the database was at afterwards.
    pub version: i32,
    /// Hex SHA-256 of the script.
    pub checksum: String,
    /// `create`, `migrate` or `rollback`.
    pub kind: String,
    /// When it was committed.
    pub applied_at: DateTime<Utc>,
    /// How long its statements took, in milliseconds.
    pub duration_ms: i64,
}

/// Live figures of a provisioned database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseHealth {
    /// `pg_database_size`.
    pub size_bytes: i64,
    /// Tables in its `public` schema.
    pub table_count: i64,
    /// Sessions connected to it now (the probe's own excluded).
    pub open_connections: i64,
    /// Its history table, oldest first (read in the same session).
    pub history: Vec<HistoryEntry>,
}

impl DatabaseHealth {
    /// The version of the newest history entry.
    pub fn applied_version(&self) -> Option<i32> {
        self.history.last().map(|h| h.version)
    }
}

/// Where clients reach the target server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
}

/// Creates, fills, inspects and drops provisioned databases and their roles
/// on the target PostgreSQL server. Names are passed as plain text and
/// quoted by the implementation; passwords never appear in errors.
pub trait DatabaseAdmin: Send + Sync {
    /// Create a role with this password and no other privilege, that
    /// cannot log in until `create_database` made its database;
    /// `Conflict(ObjectExists)` if the name is taken.
    fn create_role(&self, role: &str, password: &str) -> RepoResult<()>;
    /// Create an empty database owned by `owner`, that only `owner` (and
    /// superusers) may connect to, with its history table, then let `owner`
    /// log in; `Conflict(ObjectExists)` if taken.
    fn create_database(&self, database: &str, owner: &str) -> RepoResult<()>;
    /// Apply a script in ONE transaction, in a session of `role` itself
    /// (never the admin's), and record it in the database's history table
    /// in that same transaction.
    fn apply_script(
        &self,
        database: &str,
        role: &str,
        password: &str,
        run: ScriptRun<'_>,
    ) -> Result<Applied, ApplyError>;
    /// Terminate the database's sessions and drop it (absent is fine).
    fn drop_database(&self, database: &str) -> RepoResult<()>;
    /// Drop the role (absent is fine).
    fn drop_role(&self, role: &str) -> RepoResult<()>;
    /// The database's history, oldest first.
    fn history(&self, database: &str) -> RepoResult<Vec<HistoryEntry>>;
    /// Live figures and the history, in one session; `Unavailable` when the
    /// database cannot be reached.
    fn health(&self, database: &str) -> RepoResult<DatabaseHealth>;
    /// Where clients connect.
    fn address(&self) -> ServerAddress;
    /// Run `statements` (a create script) on the server in a transaction
    /// that is always rolled back, in a fresh schema, as a throwaway role
    /// with no privilege beyond creating objects there (and trusted
    /// extensions), each statement under a timeout: what validation asks
    /// the server.
    fn try_script(&self, statements: &[&str]) -> Result<(), TryError>;
    /// Load SQL text into a scratch database on the server and read its
    /// catalog: the database belongs to a throwaway role made for this
    /// load, the text runs in that role's own session (never the admin's)
    /// in one transaction, and database and role are dropped whatever
    /// happens.
    fn load_sql(&self, sql: &str, options: &LoadOptions) -> Result<Loaded, LoadError>;
    /// Read the catalog of a provisioned database (`namespaces` as
    /// [`IntrospectOptions::namespaces`]), in a read-only admin session.
    fn read_catalog(
        &self,
        database: &str,
        options: &IntrospectOptions,
    ) -> Result<schemaforge_introspect::Catalog, IntrospectError>;
    /// The database's record of catalog identities (JSON), if it has one.
    fn read_identity(&self, database: &str) -> RepoResult<Option<String>>;
    /// Replace the database's record of catalog identities with `record`
    /// (JSON), written at schema version `version`; the record's table is
    /// made first in a database that predates it, readable by `role`.
    fn write_identity(&self, database: &str, role: &str, version: i32, record: &str) -> RepoResult<()>;
}

/// Why a tried script did not run through ([`DatabaseAdmin::try_script`],
/// and the CLI's `validate --dev-url`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TryError {
    /// The server could not be reached or refused the session (the message
    /// is libpq's, which never includes the password).
    #[error("cannot use the development server: {0}")]
    Unavailable(String),
    /// A statement failed.
    #[error("statement {index} failed: {message}")]
    Statement {
        /// 0-based index of the failing statement.
        index: usize,
        /// PostgreSQL's message, with its detail and hint.
        message: String,
        /// PostgreSQL's 1-based character position in the statement, if it gave one.
        position: Option<usize>,
    },
}

/// Why a database could not be read ([`pg::introspect`]). Messages are
/// libpq's or the server's, which never include the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntrospectError {
    /// The URL is not a PostgreSQL connection URL.
    #[error("not a PostgreSQL connection URL: {0}")]
    InvalidUrl(String),
    /// No server answered at the address.
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    /// The server refused the role or its password.
    #[error("authentication failed: {0}")]
    Authentication(String),
    /// The server has no such database.
    #[error("no such database: {0}")]
    NoDatabase(String),
    /// The role may not connect, or may not read what was asked.
    #[error("insufficient privileges: {0}")]
    Privileges(String),
    /// The server may not connect there (its host policy refuses the address).
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// A namespace asked for does not exist.
    #[error("no such schema: {0}")]
    NoNamespace(String),
    /// A catalog query ran past the statement timeout.
    #[error("reading the catalog took longer than the statement timeout ({0} ms)")]
    Timeout(u64),
    /// Anything else the server said.
    #[error("{0}")]
    Other(String),
}

/// Why an SQL file could not be imported ([`pg::load_sql`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The development server, or the scratch database on it, could not be used.
    #[error(transparent)]
    Server(#[from] IntrospectError),
    /// PostgreSQL refused a statement of the file (nothing was kept).
    #[error("line {line}: {message}")]
    Statement {
        /// 1-based line of the file where PostgreSQL places the error.
        line: usize,
        /// PostgreSQL's message.
        message: String,
        /// The statement's first line.
        statement: String,
    },
    /// The file is not readable as SQL statements.
    #[error("the file cannot be split into statements: {0}")]
    Split(String),
}
