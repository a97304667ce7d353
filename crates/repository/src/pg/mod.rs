//! Diesel + r2d2 implementations of the repository traits for PostgreSQL.
//!
//! Row structs, insert forms and changesets are private to this module and
//! mapped to the public types at its edge; `diesel::result::Error` never
//! leaves it.

mod admin;
mod audit;
mod connections;
pub mod introspect;
mod jobs;
pub mod live;
mod load;
mod pool;
mod reader;
mod reads;
mod schema;
mod scram;
mod scratch;

pub use crate::TryError;
pub use crate::{IntrospectOptions, LoadOptions, Loaded, Skipped};
pub use admin::{
    AdminSettings, HISTORY_SCHEMA, PgDatabaseAdmin, percent_encode, server_address, with_credentials, with_database,
};
pub use introspect::{CATALOG_QUERIES, introspect, introspect_on};
pub use load::load_sql;
pub use reader::{HostPolicy, PgCatalogReader, is_public};
pub use scratch::try_script;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::r2d2::Pool;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use schemaforge_domain::SchemaDocument;
use uuid::Uuid;

use crate::{
    ApiKey, ApiKeyRepository, Conflict, DatabaseRecord, DatabaseRecordRepository, DatabaseStatus, HealthRepository,
    NewApiKey, NewRefreshToken, NewSchema, NewUser, OperationFailure, Page, RefreshToken, RefreshTokenRepository,
    RepoError, RepoResult, SchemaLock, SchemaQuery, SchemaRecord, SchemaRepository, SchemaSort, SchemaSummary,
    SchemaVersion, User, UserChanges, UserRepository,
};
use schema::{api_keys, refresh_tokens, schema_databases, schema_versions, schemas, users};

/// The migrations in `migrations/` at the workspace root, compiled in.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

use pool::{Conn, Manager, PoolEvents};
pub use pool::{FRESH_FOR, PgPool, PoolSettings, PoolStats};

/// All repositories over one pool.
#[derive(Clone)]
pub struct PgRepository {
    pool: PgPool,
    /// For the dedicated sessions that hold operation locks.
    url: String,
    connect_timeout_secs: u64,
}

impl std::fmt::Debug for PgRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgRepository").field("state", &self.pool.state()).finish()
    }
}

impl PgRepository {
    /// Build a pool for `url` without connecting yet (the server may start
    /// before the database; readiness reports it).
    pub fn new(url: &str, settings: &PoolSettings) -> RepoResult<Self> {
        let pool = Pool::builder()
            .max_size(settings.max_size)
            .connection_timeout(settings.connection_timeout)
            // Cheap: `Manager` checks only connections idle for a while, or
            // older than the last connection found lost (see `pool.rs`).
            .test_on_check_out(true)
            .event_handler(Box::new(PoolEvents))
            .build_unchecked(Manager::new(url));
        Ok(Self { pool, url: url.to_string(), connect_timeout_secs: settings.connection_timeout.as_secs() })
    }

    /// Apply pending migrations; returns the versions applied now.
    pub fn run_migrations(&self) -> RepoResult<Vec<String>> {
        let mut conn = self.conn()?;
        let applied =
            conn.run_pending_migrations(MIGRATIONS).map_err(|e| RepoError::Other(format!("migrations failed: {e}")))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    }

    /// Keep provisioned roles out of the metadata database: CONNECT is
    /// granted to the current user, then revoked from PUBLIC, in one
    /// transaction. Fails, changing nothing, when this user may not (it
    /// neither owns the database nor is a superuser). Returns the
    /// database's name.
    pub fn revoke_public_connect(&self) -> RepoResult<String> {
        #[derive(QueryableByName)]
        struct Current {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
        }
        let mut conn = self.conn()?;
        let db: Current = diesel::sql_query("SELECT pg_catalog.current_database()::text AS name")
            .get_result(&mut *conn)
            .map_err(map_err)?;
        let q = schemaforge_sqlgen::Dialect::quote_ident(&schemaforge_sqlgen::Postgres, &db.name);
        conn.transaction(|c| {
            diesel::sql_query(format!("GRANT CONNECT ON DATABASE {q} TO CURRENT_USER")).execute(c)?;
            diesel::sql_query(format!("REVOKE CONNECT ON DATABASE {q} FROM PUBLIC")).execute(c)
        })
        .map_err(map_err)?;
        Ok(db.name)
    }

    /// Connections open and idle now, and the most allowed.
    pub fn pool_stats(&self) -> PoolStats {
        let state = self.pool.state();
        PoolStats { connections: state.connections, idle: state.idle_connections, max_size: self.pool.max_size() }
    }

    fn conn(&self) -> RepoResult<Conn> {
        self.pool.get().map(Conn).map_err(|e| RepoError::Unavailable(e.to_string()))
    }
}

/// Map a diesel error to a driver-free one.
fn map_err(err: DieselError) -> RepoError {
    match err {
        DieselError::NotFound => RepoError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => match info.constraint_name() {
            Some("users_email_key") => RepoError::Conflict(Conflict::DuplicateEmail),
            Some("schemas_owner_name_key") => RepoError::Conflict(Conflict::DuplicateName),
            other => RepoError::Other(format!("unique violation on {other:?}: {}", info.message())),
        },
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            info,
        ) => {
            pool::connection_lost();
            RepoError::Unavailable(info.message().to_string())
        }
        other => RepoError::Other(other.to_string()),
    }
}

fn parse_document(table: &'static str, id: String, value: serde_json::Value) -> RepoResult<SchemaDocument> {
    serde_json::from_value(value).map_err(|e| RepoError::Corrupt { table, id, message: e.to_string() })
}

fn document_json(doc: &SchemaDocument) -> RepoResult<serde_json::Value> {
    serde_json::to_value(doc).map_err(|e| RepoError::Other(format!("cannot serialize document: {e}")))
}

/// The document as reads answer with it (the same bytes as serializing it).
fn document_text(doc: &SchemaDocument) -> RepoResult<String> {
    serde_json::to_string(doc).map_err(|e| RepoError::Other(format!("cannot serialize document: {e}")))
}

// ------------------------------------------------------------------ users

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: Uuid,
    email: String,
    display_name: Option<String>,
    password_hash: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        Self {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            password_hash: r.password_hash,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct UserInsert<'a> {
    id: Uuid,
    email: &'a str,
    display_name: Option<&'a str>,
    password_hash: &'a str,
}

/// `Option<Option<T>>`: outer `None` leaves the column alone, `Some(None)` sets NULL.
#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChangeset {
    display_name: Option<Option<String>>,
    password_hash: Option<String>,
    updated_at: DateTime<Utc>,
}

impl UserRepository for PgRepository {
    fn create_user(&self, user: NewUser) -> RepoResult<User> {
        let mut conn = self.conn()?;
        diesel::insert_into(users::table)
            .values(UserInsert {
                id: user.id,
                email: &user.email,
                display_name: user.display_name.as_deref(),
                password_hash: &user.password_hash,
            })
            .returning(UserRow::as_returning())
            .get_result(&mut *conn)
            .map(User::from)
            .map_err(map_err)
    }

    fn find_user_by_email(&self, email: &str) -> RepoResult<Option<User>> {
        let mut conn = self.conn()?;
        users::table
            .filter(users::email.eq(email))
            .select(UserRow::as_select())
            .first(&mut *conn)
            .optional()
            .map(|r| r.map(User::from))
            .map_err(map_err)
    }

    fn find_user(&self, id: Uuid) -> RepoResult<Option<User>> {
        let mut conn = self.conn()?;
        users::table
            .find(id)
            .select(UserRow::as_select())
            .first(&mut *conn)
            .optional()
            .map(|r| r.map(User::from))
            .map_err(map_err)
    }

    fn update_user(&self, id: Uuid, changes: UserChanges) -> RepoResult<User> {
        let mut conn = self.conn()?;
        diesel::update(users::table.find(id))
            .set(UserChangeset {
                display_name: changes.display_name,
                password_hash: changes.password_hash,
                updated_at: Utc::now(),
            })
            .returning(UserRow::as_returning())
            .get_result(&mut *conn)
            .map(User::from)
            .map_err(map_err)
    }
}

// ------------------------------------------------------------------ refresh tokens

#[derive(Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
struct RefreshTokenRow {
    id: Uuid,
    user_id: Uuid,
    family_id: Uuid,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<RefreshTokenRow> for RefreshToken {
    fn from(r: RefreshTokenRow) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            family_id: r.family_id,
            expires_at: r.expires_at,
            used_at: r.used_at,
            revoked_at: r.revoked_at,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct RefreshTokenInsert<'a> {
    id: Uuid,
    user_id: Uuid,
    family_id: Uuid,
    token_hash: &'a [u8],
    expires_at: DateTime<Utc>,
}

impl RefreshTokenRepository for PgRepository {
    fn create_refresh_token(&self, token: NewRefreshToken) -> RepoResult<RefreshToken> {
        let mut conn = self.conn()?;
        diesel::insert_into(refresh_tokens::table)
            .values(RefreshTokenInsert {
                id: token.id,
                user_id: token.user_id,
                family_id: token.family_id,
                token_hash: &token.token_hash,
                expires_at: token.expires_at,
            })
            .returning(RefreshTokenRow::as_returning())
            .get_result(&mut *conn)
            .map(RefreshToken::from)
            .map_err(map_err)
    }

    fn find_refresh_token(&self, token_hash: &[u8]) -> RepoResult<Option<RefreshToken>> {
        let mut conn = self.conn()?;
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select(RefreshTokenRow::as_select())
            .first(&mut *conn)
            .optional()
            .map(|r| r.map(RefreshToken::from))
            .map_err(map_err)
    }

    fn mark_refresh_token_used(&self, id: Uuid) -> RepoResult<bool> {
        let mut conn = self.conn()?;
        let updated = diesel::update(
            refresh_tokens::table
                .find(id)
                .filter(refresh_tokens::used_at.is_null())
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(Utc::now()))
        .execute(&mut *conn)
        .map_err(map_err)?;
        Ok(updated == 1)
    }

    fn revoke_user_refresh_tokens(&self, user_id: Uuid) -> RepoResult<u64> {
        let mut conn = self.conn()?;
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::user_id.eq(user_id))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(Utc::now()))
        .execute(&mut *conn)
        .map(|n| n as u64)
        .map_err(map_err)
    }

    fn revoke_refresh_family(&self, family_id: Uuid) -> RepoResult<u64> {
        let mut conn = self.conn()?;
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::family_id.eq(family_id))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(Utc::now()))
        .execute(&mut *conn)
        .map(|n| n as u64)
        .map_err(map_err)
    }
}

// ------------------------------------------------------------------ API keys

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys)]
struct ApiKeyRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    prefix: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(r: ApiKeyRow) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = api_keys)]
struct ApiKeyInsert<'a> {
    id: Uuid,
    user_id: Uuid,
    name: &'a str,
    prefix: &'a str,
    key_hash: &'a [u8],
}

impl ApiKeyRepository for PgRepository {
    fn create_api_key(&self, key: NewApiKey) -> RepoResult<ApiKey> {
        let mut conn = self.conn()?;
        diesel::insert_into(api_keys::table)
            .values(ApiKeyInsert {
                id: key.id,
                user_id: key.user_id,
                name: &key.name,
                prefix: &key.prefix,
                key_hash: &key.key_hash,
            })
            .returning(ApiKeyRow::as_returning())
            .get_result(&mut *conn)
            .map(ApiKey::from)
            .map_err(map_err)
    }

    fn list_api_keys(&self, user_id: Uuid) -> RepoResult<Vec<ApiKey>> {
        let mut conn = self.conn()?;
        api_keys::table
            .filter(api_keys::user_id.eq(user_id))
            .order((api_keys::created_at.desc(), api_keys::id))
            .select(ApiKeyRow::as_select())
            .load(&mut *conn)
            .map(|rows| rows.into_iter().map(ApiKey::from).collect())
            .map_err(map_err)
    }

    fn revoke_api_key(&self, user_id: Uuid, id: Uuid) -> RepoResult<()> {
        let mut conn = self.conn()?;
        let owned = api_keys::table.find(id).filter(api_keys::user_id.eq(user_id));
        diesel::update(owned.filter(api_keys::revoked_at.is_null()))
            .set(api_keys::revoked_at.eq(Utc::now()))
            .execute(&mut *conn)
            .map_err(map_err)?;
        let exists: i64 = owned.count().get_result(&mut *conn).map_err(map_err)?;
        if exists == 1 { Ok(()) } else { Err(RepoError::NotFound) }
    }

    fn use_api_key(&self, key_hash: &[u8]) -> RepoResult<Option<ApiKey>> {
        let mut conn = self.conn()?;
        diesel::update(api_keys::table.filter(api_keys::key_hash.eq(key_hash)).filter(api_keys::revoked_at.is_null()))
            .set(api_keys::last_used_at.eq(Utc::now()))
            .returning(ApiKeyRow::as_returning())
            .get_result(&mut *conn)
            .optional()
            .map(|r| r.map(ApiKey::from))
            .map_err(map_err)
    }
}

// ------------------------------------------------------------------ schemas

#[derive(Queryable, Selectable)]
#[diesel(table_name = schemas)]
pub(super) struct SchemaRow {
    id: Uuid,
    owner_id: Uuid,
    name: String,
    description: Option<String>,
    current_version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<SchemaRow> for SchemaSummary {
    fn from(r: SchemaRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            description: r.description,
            version: r.current_version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = schemas)]
struct SchemaInsert<'a> {
    id: Uuid,
    owner_id: Uuid,
    name: &'a str,
    description: Option<&'a str>,
    current_version: i32,
}

#[derive(Insertable)]
#[diesel(table_name = schema_versions)]
struct VersionInsert {
    schema_id: Uuid,
    version: i32,
    document: serde_json::Value,
    document_text: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = schema_versions)]
struct VersionRow {
    schema_id: Uuid,
    version: i32,
    document: serde_json::Value,
    created_at: DateTime<Utc>,
}

impl VersionRow {
    fn into_version(self) -> RepoResult<SchemaVersion> {
        let id = format!("{}/{}", self.schema_id, self.version);
        Ok(SchemaVersion {
            schema_id: self.schema_id,
            version: self.version,
            document: parse_document("schema_versions", id, self.document)?,
            created_at: self.created_at,
        })
    }
}

fn record(row: SchemaRow, version: VersionRow) -> RepoResult<SchemaRecord> {
    let v = version.into_version()?;
    Ok(SchemaRecord {
        id: row.id,
        owner_id: row.owner_id,
        name: row.name,
        description: row.description,
        version: row.current_version,
        document: v.document,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The owner's live schema row, locked for update when `lock` is set.
fn live_schema(conn: &mut PgConnection, owner: Uuid, id: Uuid, lock: bool) -> Result<Option<SchemaRow>, DieselError> {
    let query = schemas::table
        .find(id)
        .filter(schemas::owner_id.eq(owner))
        .filter(schemas::deleted_at.is_null())
        .select(SchemaRow::as_select());
    if lock { query.for_update().first(conn).optional() } else { query.first(conn).optional() }
}

fn version_row(conn: &mut PgConnection, id: Uuid, version: i32) -> Result<VersionRow, DieselError> {
    schema_versions::table.find((id, version)).select(VersionRow::as_select()).first(conn)
}

/// Check `expected` against the locked row's version.
fn check_version(row: &SchemaRow, expected: Option<i32>) -> RepoResult<()> {
    match expected {
        Some(e) if e != row.current_version => {
            Err(RepoError::Conflict(Conflict::StaleVersion { expected: e, current: row.current_version }))
        }
        _ => Ok(()),
    }
}

/// Run `f` in a transaction, keeping repository errors distinct from diesel ones.
fn transaction<T>(conn: &mut PgConnection, f: impl FnOnce(&mut PgConnection) -> RepoResult<T>) -> RepoResult<T> {
    enum TxError {
        Repo(RepoError),
        Db(DieselError),
    }
    impl From<DieselError> for TxError {
        fn from(e: DieselError) -> Self {
            Self::Db(e)
        }
    }
    conn.transaction::<T, TxError, _>(|c| f(c).map_err(TxError::Repo)).map_err(|e| match e {
        TxError::Repo(r) => r,
        TxError::Db(d) => map_err(d),
    })
}

pub(crate) fn like_pattern(search: &str) -> String {
    let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl SchemaRepository for PgRepository {
    fn create_schema(&self, schema: NewSchema) -> RepoResult<SchemaRecord> {
        let mut conn = self.conn()?;
        let json = document_json(&schema.document)?;
        let text = document_text(&schema.document)?;
        transaction(&mut conn, |c| {
            let row = diesel::insert_into(schemas::table)
                .values(SchemaInsert {
                    id: schema.id,
                    owner_id: schema.owner_id,
                    name: &schema.document.name,
                    description: schema.document.description.as_deref(),
                    current_version: 1,
                })
                .returning(SchemaRow::as_returning())
                .get_result(c)
                .map_err(map_err)?;
            let version = diesel::insert_into(schema_versions::table)
                .values(VersionInsert { schema_id: schema.id, version: 1, document: json, document_text: text })
                .returning(VersionRow::as_returning())
                .get_result(c)
                .map_err(map_err)?;
            record(row, version)
        })
    }

    fn get_schema(&self, owner: Uuid, id: Uuid) -> RepoResult<Option<SchemaRecord>> {
        let mut conn = self.conn()?;
        transaction(&mut conn, |c| {
            let Some(row) = live_schema(c, owner, id, false).map_err(map_err)? else { return Ok(None) };
            let version = version_row(c, id, row.current_version).map_err(map_err)?;
            record(row, version).map(Some)
        })
    }

    fn list_schemas(&self, owner: Uuid, query: &SchemaQuery) -> RepoResult<Page<SchemaSummary>> {
        let mut conn = self.conn()?;
        let filtered = || {
            let mut q =
                schemas::table.filter(schemas::owner_id.eq(owner)).filter(schemas::deleted_at.is_null()).into_boxed();
            if let Some(search) = query.search.as_deref().filter(|s| !s.is_empty()) {
                let pattern = like_pattern(search);
                q = q.filter(schemas::name.ilike(pattern.clone()).or(schemas::description.ilike(pattern)));
            }
            q
        };
        let total: i64 = filtered().count().get_result(&mut *conn).map_err(map_err)?;
        let mut q = filtered().select(SchemaRow::as_select());
        q = match query.sort {
            SchemaSort::UpdatedDesc => q.order((schemas::updated_at.desc(), schemas::id)),
            SchemaSort::UpdatedAsc => q.order((schemas::updated_at.asc(), schemas::id)),
            SchemaSort::NameAsc => q.order((schemas::name.asc(), schemas::id)),
            SchemaSort::NameDesc => q.order((schemas::name.desc(), schemas::id)),
        };
        let rows = q.offset(query.offset).limit(query.limit).load(&mut *conn).map_err(map_err)?;
        Ok(Page { items: rows.into_iter().map(SchemaSummary::from).collect(), total })
    }

    fn update_schema(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_version: Option<i32>,
        document: SchemaDocument,
    ) -> RepoResult<SchemaRecord> {
        let mut conn = self.conn()?;
        let json = document_json(&document)?;
        let text = document_text(&document)?;
        transaction(&mut conn, |c| {
            // The row lock serializes writers: the second waits, then sees the
            // new version and fails its If-Match check.
            let row = live_schema(c, owner, id, true).map_err(map_err)?.ok_or(RepoError::NotFound)?;
            check_version(&row, expected_version)?;
            let next = row.current_version + 1;
            let version = diesel::insert_into(schema_versions::table)
                .values(VersionInsert { schema_id: id, version: next, document: json, document_text: text })
                .returning(VersionRow::as_returning())
                .get_result(c)
                .map_err(map_err)?;
            let row = diesel::update(schemas::table.find(id))
                .set((
                    schemas::name.eq(&document.name),
                    schemas::description.eq(document.description.as_deref()),
                    schemas::current_version.eq(next),
                    schemas::updated_at.eq(Utc::now()),
                ))
                .returning(SchemaRow::as_returning())
                .get_result(c)
                .map_err(map_err)?;
            record(row, version)
        })
    }

    fn delete_schema(&self, owner: Uuid, id: Uuid, expected_version: Option<i32>) -> RepoResult<()> {
        let mut conn = self.conn()?;
        transaction(&mut conn, |c| {
            let row = live_schema(c, owner, id, true).map_err(map_err)?.ok_or(RepoError::NotFound)?;
            check_version(&row, expected_version)?;
            diesel::update(schemas::table.find(id))
                .set(schemas::deleted_at.eq(Utc::now()))
                .execute(c)
                .map_err(map_err)?;
            Ok(())
        })
    }

    fn list_versions(&self, owner: Uuid, id: Uuid) -> RepoResult<Vec<SchemaVersion>> {
        let mut conn = self.conn()?;
        transaction(&mut conn, |c| {
            live_schema(c, owner, id, false).map_err(map_err)?.ok_or(RepoError::NotFound)?;
            let rows = schema_versions::table
                .filter(schema_versions::schema_id.eq(id))
                .order(schema_versions::version.asc())
                .select(VersionRow::as_select())
                .load(c)
                .map_err(map_err)?;
            rows.into_iter().map(VersionRow::into_version).collect()
        })
    }

    fn get_schema_json(&self, owner: Uuid, id: Uuid, held: Option<i32>) -> RepoResult<Option<crate::SchemaJson>> {
        self.schema_json(owner, id, held)
    }

    fn get_version_json(
        &self,
        owner: Uuid,
        id: Uuid,
        version: i32,
        with_text: bool,
    ) -> RepoResult<Option<crate::VersionJson>> {
        self.version_json(owner, id, version, with_text)
    }

    fn get_version(&self, owner: Uuid, id: Uuid, version: i32) -> RepoResult<Option<SchemaVersion>> {
        let mut conn = self.conn()?;
        transaction(&mut conn, |c| {
            if live_schema(c, owner, id, false).map_err(map_err)?.is_none() {
                return Ok(None);
            }
            match schema_versions::table.find((id, version)).select(VersionRow::as_select()).first(c).optional() {
                Ok(Some(row)) => row.into_version().map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(map_err(e)),
            }
        })
    }
}

// ------------------------------------------------------------------ provisioned databases

#[derive(Queryable, Selectable)]
#[diesel(table_name = schema_databases)]
struct DatabaseRow {
    schema_id: Uuid,
    database_name: String,
    role_name: String,
    password_ciphertext: Vec<u8>,
    status: String,
    applied_version: Option<i32>,
    error_statement: Option<i32>,
    error_sql: Option<String>,
    error_message: Option<String>,
    error_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl DatabaseRow {
    fn into_record(self) -> RepoResult<DatabaseRecord> {
        let status = DatabaseStatus::parse(&self.status).ok_or_else(|| RepoError::Corrupt {
            table: "schema_databases",
            id: self.schema_id.to_string(),
            message: format!("unknown status {:?}", self.status),
        })?;
        let failure = match (self.error_message, self.error_at) {
            (Some(message), Some(at)) => {
                Some(OperationFailure { statement: self.error_statement, sql: self.error_sql, message, at })
            }
            _ => None,
        };
        Ok(DatabaseRecord {
            schema_id: self.schema_id,
            database_name: self.database_name,
            role_name: self.role_name,
            password_ciphertext: self.password_ciphertext,
            status,
            applied_version: self.applied_version,
            failure,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = schema_databases, treat_none_as_null = true)]
struct DatabaseWrite<'a> {
    schema_id: Uuid,
    database_name: &'a str,
    role_name: &'a str,
    password_ciphertext: &'a [u8],
    status: &'a str,
    applied_version: Option<i32>,
    error_statement: Option<i32>,
    error_sql: Option<&'a str>,
    error_message: Option<&'a str>,
    error_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

/// The advisory-lock key of a schema's operations: the id folded to 64 bits.
fn lock_key(schema_id: Uuid) -> i64 {
    let (hi, lo) = schema_id.as_u64_pair();
    i64::from_ne_bytes((hi ^ lo).to_ne_bytes())
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

impl DatabaseRecordRepository for PgRepository {
    fn get_database_record(&self, owner: Uuid, schema_id: Uuid) -> RepoResult<Option<DatabaseRecord>> {
        let mut conn = self.conn()?;
        let row = schema_databases::table
            .inner_join(schemas::table)
            .filter(schema_databases::schema_id.eq(schema_id))
            .filter(schemas::owner_id.eq(owner))
            .select(DatabaseRow::as_select())
            .first(&mut *conn)
            .optional()
            .map_err(map_err)?;
        row.map(DatabaseRow::into_record).transpose()
    }

    fn put_database_record(&self, record: &DatabaseRecord) -> RepoResult<DatabaseRecord> {
        let mut conn = self.conn()?;
        let failure = record.failure.as_ref();
        let write = DatabaseWrite {
            schema_id: record.schema_id,
            database_name: &record.database_name,
            role_name: &record.role_name,
            password_ciphertext: &record.password_ciphertext,
            status: record.status.as_str(),
            applied_version: record.applied_version,
            error_statement: failure.and_then(|f| f.statement),
            error_sql: failure.and_then(|f| f.sql.as_deref()),
            error_message: failure.map(|f| f.message.as_str()),
            error_at: failure.map(|f| f.at),
            updated_at: Utc::now(),
        };
        diesel::insert_into(schema_databases::table)
            .values(&write)
            .on_conflict(schema_databases::schema_id)
            .do_update()
            .set(&write)
            .returning(DatabaseRow::as_returning())
            .get_result(&mut *conn)
            .map_err(map_err)?
            .into_record()
    }

    fn delete_database_record(&self, schema_id: Uuid) -> RepoResult<()> {
        let mut conn = self.conn()?;
        diesel::delete(schema_databases::table.find(schema_id)).execute(&mut *conn).map_err(map_err)?;
        Ok(())
    }

    fn orphaned_drops(&self) -> RepoResult<Vec<DatabaseRecord>> {
        let mut conn = self.conn()?;
        let rows = schema_databases::table
            .inner_join(schemas::table)
            .filter(schemas::deleted_at.is_not_null())
            .filter(schema_databases::status.eq(DatabaseStatus::Dropping.as_str()))
            .order(schema_databases::updated_at)
            .select(DatabaseRow::as_select())
            .load(&mut *conn)
            .map_err(map_err)?;
        rows.into_iter().map(DatabaseRow::into_record).collect()
    }

    fn try_lock_schema(&self, schema_id: Uuid) -> RepoResult<Option<SchemaLock>> {
        // A session-level advisory lock on a dedicated session: it is held
        // exactly as long as the session, so dropping the connection (or a
        // crash of this process) releases it.
        let mut conn = admin::establish(&admin::with_connect_timeout(&self.url, self.connect_timeout_secs))?;
        let row: Locked = diesel::sql_query("SELECT pg_catalog.pg_try_advisory_lock($1) AS locked")
            .bind::<diesel::sql_types::BigInt, _>(lock_key(schema_id))
            .get_result(&mut conn)
            .map_err(map_err)?;
        Ok(row.locked.then(|| SchemaLock::new(Box::new(conn))))
    }
}

impl HealthRepository for PgRepository {
    fn applied_migrations(&self) -> RepoResult<Vec<String>> {
        let mut conn = self.conn()?;
        let applied = conn.applied_migrations().map_err(|e| {
            // The harness hides diesel's error kind; a failure to read one
            // table is taken as a lost connection.
            pool::connection_lost();
            RepoError::Unavailable(e.to_string())
        })?;
        let mut versions: Vec<String> = applied.iter().map(ToString::to_string).collect();
        versions.sort();
        Ok(versions)
    }
}

#[cfg(test)]
mod tests;
