//! Request and response shapes of the REST API (camelCase JSON). These are
//! the wire format; the services' types are converted explicitly.

use chrono::{DateTime, Utc};
use schemaforge_domain::{Change, ChangeSet, Safety};
use schemaforge_domain::{SchemaDocument, Summary};
use schemaforge_repository::{
    ApiKey, AuditEntry, DatabaseHealth, HistoryEntry, OperationFailure, SchemaRecord, SchemaSummary, SchemaVersion,
    User,
};
use schemaforge_services::{
    AuditPage, ConnectionInfo, DatabaseState, ImportOutcome as Outcome, ImportReport, ImportedSchema, MigrationOutcome,
    Tokens, VersionDiff,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Array, Object, OneOf, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use uuid::Uuid;
use validator::Validate;

/// `POST /auth/register`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    /// Email address.
    #[validate(length(min = 3, max = 254))]
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    /// At least 10 characters.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
    /// Optional display name.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
}

/// `POST /auth/login`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    /// Email address.
    #[validate(length(min = 1, max = 254))]
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    /// Password.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

/// `POST /auth/refresh` and `/auth/logout`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
}

/// Distinguish an absent field from an explicit `null`.
pub(crate) fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// `PATCH /auth/me`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// Absent: unchanged; `null`: cleared; a string: set.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    pub display_name: Option<Option<String>>,
    /// Required with `newPassword`.
    pub current_password: Option<String>,
    /// The new password.
    pub new_password: Option<String>,
}

/// `POST /auth/api-keys`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// A name to recognise the key by.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

/// `PATCH /schemas/{id}`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchSchemaRequest {
    /// New name; `null` is refused (a schema always has a name).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = String)]
    pub name: Option<Option<String>>,
    /// Absent: unchanged; `null`: cleared; a string: set.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    id: Uuid,
    email: String,
    display_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// Tokens as the API shows them.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokensDto {
    access_token: String,
    /// Always `Bearer`.
    #[schema(value_type = String, pattern = "^Bearer$")]
    token_type: &'static str,
    expires_in: i64,
    refresh_token: String,
}

impl From<Tokens> for TokensDto {
    fn from(t: Tokens) -> Self {
        Self {
            access_token: t.access_token,
            token_type: "Bearer",
            expires_in: t.expires_in,
            refresh_token: t.refresh_token,
        }
    }
}

/// Sign-up and login response.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    /// The user.
    pub user: UserDto,
    /// Their tokens.
    #[serde(flatten)]
    pub tokens: TokensDto,
}

/// An API key (the secret only in the creation response).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyDto {
    id: Uuid,
    name: String,
    prefix: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
}

impl ApiKeyDto {
    /// A key, with its secret when just created.
    pub fn new(k: ApiKey, secret: Option<String>) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
            key: secret,
        }
    }
}

/// A schema with its document.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaDto {
    #[serde(flatten)]
    summary: SchemaSummaryDto,
    #[schema(schema_with = schema_document)]
    document: SchemaDocument,
}

impl From<SchemaRecord> for SchemaDto {
    fn from(r: SchemaRecord) -> Self {
        let summary = SchemaSummaryDto {
            id: r.id,
            name: r.name,
            description: r.description,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        };
        Self { summary, document: r.document }
    }
}

/// A schema in a list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaSummaryDto {
    id: Uuid,
    name: String,
    description: Option<String>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<SchemaSummary> for SchemaSummaryDto {
    fn from(s: SchemaSummary) -> Self {
        Self {
            id: s.id,
            name: s.name,
            description: s.description,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// One page of schemas.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaPageDto {
    /// Items.
    pub items: Vec<SchemaSummaryDto>,
    /// Page number.
    pub page: u32,
    /// Page size.
    pub limit: u32,
    /// Total matching.
    pub total: i64,
}

/// A version.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionDto {
    version: i32,
    created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = schema_document)]
    document: Option<SchemaDocument>,
}

impl VersionDto {
    /// With or without the document.
    pub fn new(v: SchemaVersion, with_document: bool) -> Self {
        Self { version: v.version, created_at: v.created_at, document: with_document.then_some(v.document) }
    }

    /// Without the document (which the caller adds as stored text).
    pub fn summary(version: i32, created_at: DateTime<Utc>) -> Self {
        Self { version, created_at, document: None }
    }
}

/// `POST /schemas/validate` response.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidationDto {
    /// No errors.
    pub valid: bool,
    /// Every problem.
    #[schema(schema_with = problems)]
    pub problems: Vec<schemaforge_domain::Problem>,
    /// Complexity summary.
    #[schema(schema_with = summary)]
    pub summary: Summary,
}

/// The last failure of a database operation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailureDto {
    /// 1-based statement of the script that failed, if one did.
    pub statement: Option<i32>,
    /// Its SQL.
    pub sql: Option<String>,
    /// PostgreSQL's message.
    pub message: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<OperationFailure> for FailureDto {
    fn from(f: OperationFailure) -> Self {
        Self { statement: f.statement, sql: f.sql, message: f.message, at: f.at }
    }
}

/// Live figures of a database.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthDto {
    /// Size on disk.
    pub size_bytes: i64,
    /// Tables in `public`.
    pub table_count: i64,
    /// Open sessions.
    pub open_connections: i64,
    /// When these figures were read: they are reused for up to 5 seconds,
    /// and read again after every operation on the database.
    pub checked_at: Option<DateTime<Utc>>,
}

impl HealthDto {
    fn new(h: &DatabaseHealth, checked_at: Option<DateTime<Utc>>) -> Self {
        Self { size_bytes: h.size_bytes, table_count: h.table_count, open_connections: h.open_connections, checked_at }
    }
}

/// One row of a database's history table.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryDto {
    /// Schema version afterwards.
    pub version: i32,
    /// Hex SHA-256 of the script.
    pub checksum: String,
    /// `create`, `migrate` or `rollback`.
    pub kind: String,
    /// When it was applied.
    pub applied_at: DateTime<Utc>,
    /// How long it took.
    pub duration_ms: i64,
}

impl From<HistoryEntry> for HistoryDto {
    fn from(h: HistoryEntry) -> Self {
        Self {
            version: h.version,
            checksum: h.checksum,
            kind: h.kind,
            applied_at: h.applied_at,
            duration_ms: h.duration_ms,
        }
    }
}

/// `GET /schemas/{id}/database/status`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseStatusDto {
    /// `none`, `provisioning`, `ready`, `failed` or `dropping`.
    #[schema(value_type = String, pattern = "^(none|provisioning|ready|failed|dropping)$")]
    pub status: &'static str,
    /// Database name.
    pub database: Option<String>,
    /// Version the database is at.
    pub applied_version: Option<i32>,
    /// The schema's current version.
    pub current_version: i32,
    /// `appliedVersion == currentVersion`.
    pub up_to_date: bool,
    /// Whether it answered when last asked (see `health.checkedAt`).
    pub reachable: bool,
    /// Size, table count and open connections, when it answered.
    pub health: Option<HealthDto>,
    /// Applied scripts, oldest first.
    pub history: Vec<HistoryDto>,
    /// The last failure.
    pub last_error: Option<FailureDto>,
    /// First provisioning.
    pub created_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<DatabaseState> for DatabaseStatusDto {
    fn from(s: DatabaseState) -> Self {
        let reachable = s.reachable();
        let (health, history) = match s.health {
            Some(h) => {
                (Some(HealthDto::new(&h, s.health_checked_at)), h.history.into_iter().map(HistoryDto::from).collect())
            }
            None => (None, Vec::new()),
        };
        Self {
            status: s.status.map_or("none", |s| s.as_str()),
            database: s.database_name,
            applied_version: s.applied_version,
            current_version: s.current_version,
            up_to_date: s.applied_version == Some(s.current_version),
            reachable,
            history,
            health,
            last_error: s.failure.map(FailureDto::from),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// `GET /schemas/{id}/database/connection`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionDto {
    /// `postgres://user:password@host:port/database`.
    pub url: String,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database.
    pub database: String,
    /// Role.
    pub user: String,
    /// Password.
    pub password: String,
}

impl From<ConnectionInfo> for ConnectionDto {
    fn from(c: ConnectionInfo) -> Self {
        Self { url: c.url, host: c.host, port: c.port, database: c.database, user: c.user, password: c.password }
    }
}

/// How many changes of each safety class.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SafetySummaryDto {
    /// `safe` changes.
    pub safe: usize,
    /// `locks_table` changes.
    pub locks_table: usize,
    /// `may_fail` changes.
    pub may_fail: usize,
    /// `data_loss` changes.
    pub data_loss: usize,
    /// The most severe class, `null` when there is no change.
    #[schema(schema_with = worst)]
    pub worst: Option<Safety>,
}

impl From<&ChangeSet> for SafetySummaryDto {
    fn from(c: &ChangeSet) -> Self {
        let count = |s: Safety| c.changes().iter().filter(|x| x.safety == s).count();
        Self {
            safe: count(Safety::Safe),
            locks_table: count(Safety::LocksTable),
            may_fail: count(Safety::MayFail),
            data_loss: count(Safety::DataLoss),
            worst: c.worst(),
        }
    }
}

/// `GET /schemas/{id}/diff`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiffDto {
    /// Version diffed from.
    pub from: i32,
    /// Version diffed to.
    pub to: i32,
    /// Counts per safety class.
    pub summary: SafetySummaryDto,
    /// The changes, in execution order (the domain's change format).
    #[schema(schema_with = changes)]
    pub changes: Vec<Change>,
    /// SQL from `from` to `to`.
    pub up: String,
    /// SQL from `to` back to `from`.
    pub down: String,
}

impl From<VersionDiff> for DiffDto {
    fn from(d: VersionDiff) -> Self {
        Self {
            from: d.from,
            to: d.to,
            summary: SafetySummaryDto::from(&d.migration.changes),
            up: d.migration.up.to_sql(),
            down: d.migration.down.to_sql(),
            changes: d.migration.changes.into_iter().collect(),
        }
    }
}

/// `POST /schemas/{id}/database/migrate` and `/rollback`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MigrationDto {
    /// Version the database was at.
    pub from: i32,
    /// Version it is at now.
    pub to: i32,
    /// Whether a script ran (false: it was already there).
    pub applied: bool,
    /// Counts per safety class.
    pub summary: SafetySummaryDto,
    /// The changes applied.
    #[schema(schema_with = changes)]
    pub changes: Vec<Change>,
    /// The database afterwards.
    pub database: DatabaseStatusDto,
}

impl From<MigrationOutcome> for MigrationDto {
    fn from(m: MigrationOutcome) -> Self {
        Self {
            from: m.from,
            to: m.to,
            applied: m.applied,
            summary: SafetySummaryDto::from(&m.changes),
            changes: m.changes.into_iter().collect(),
            database: m.state.into(),
        }
    }
}

/// `GET /auth/api-keys`.
#[derive(Serialize, ToSchema)]
pub struct ApiKeyListDto {
    /// The keys, newest first, revoked ones included.
    pub items: Vec<ApiKeyDto>,
}

/// `GET /schemas/{id}/versions`.
#[derive(Serialize, ToSchema)]
pub struct VersionListDto {
    /// The versions, oldest first, without their documents.
    pub items: Vec<VersionDto>,
}

/// One entry of the audit log.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryDto {
    /// Increasing with time.
    id: i64,
    /// e.g. `schema.create`, `database.migrate`, `api_key.revoke`.
    action: String,
    /// `schema` or `api_key`.
    target_type: String,
    /// The target's id.
    target_id: Option<Uuid>,
    /// The target's name at the time, when known.
    target_name: Option<String>,
    /// `success` or `failure`.
    #[schema(pattern = "^(success|failure)$")]
    outcome: String,
    /// Why it failed (a stable snake_case kind, e.g. `version_conflict`).
    error_code: Option<String>,
    /// Versions, counts and similar.
    #[schema(value_type = Option<Object>)]
    detail: Option<serde_json::Value>,
    /// The request's `X-Request-Id`.
    request_id: Option<String>,
    /// The API key used, if one was.
    api_key_id: Option<Uuid>,
    /// When.
    at: DateTime<Utc>,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            target_name: e.target_name,
            outcome: e.outcome,
            error_code: e.error_code,
            detail: e.detail,
            request_id: e.request_id,
            api_key_id: e.api_key_id,
            at: e.at,
        }
    }
}

/// `GET /audit`: one page, newest first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPageDto {
    /// Entries.
    items: Vec<AuditEntryDto>,
    /// Page number.
    page: u32,
    /// Page size.
    limit: u32,
    /// Entries in all pages.
    total: i64,
}

impl From<AuditPage> for AuditPageDto {
    fn from(p: AuditPage) -> Self {
        Self {
            items: p.items.into_iter().map(AuditEntryDto::from).collect(),
            page: p.page,
            limit: p.limit,
            total: p.total,
        }
    }
}

/// `GET /health`.
#[derive(Serialize, ToSchema)]
pub struct HealthStatusDto {
    /// Always `ok`.
    #[schema(value_type = String, pattern = "^ok$")]
    pub status: &'static str,
}

/// `GET /health/ready`.
#[derive(Serialize, ToSchema)]
pub struct ReadinessDto {
    /// Always `ready` (otherwise the answer is 503).
    #[schema(value_type = String, pattern = "^ready$")]
    pub status: &'static str,
    /// Always `ok`.
    #[schema(value_type = String, pattern = "^ok$")]
    pub database: &'static str,
    /// Migrations applied to the metadata database, by name.
    pub migrations: Vec<String>,
}

// The domain's wire types are described by the domain's own JSON Schemas
// (`schemaforge_domain::api_json_schemas`), which the OpenAPI document
// embeds as components; DTO fields refer to them by name.

fn domain(name: &str) -> Ref {
    Ref::from_schema_name(name)
}

fn schema_document() -> Ref {
    domain("SchemaDocument")
}

fn summary() -> Ref {
    domain("Summary")
}

fn problems() -> Array {
    Array::new(domain("Problem"))
}

pub(crate) fn changes() -> Array {
    Array::new(domain("Change"))
}

fn worst() -> RefOr<Schema> {
    let one_of: OneOf = OneOfBuilder::new().item(domain("Safety")).item(Object::with_type(Type::Null)).build();
    Schema::OneOf(one_of).into()
}

/// A request body or response that is a schema document.
pub struct DocumentSchema;

impl utoipa::PartialSchema for DocumentSchema {
    fn schema() -> RefOr<Schema> {
        schema_document().into()
    }
}

// Only ever used `inline`: it is a reference to the domain's schema.
impl ToSchema for DocumentSchema {}

/// `POST /schemas/import/database` (`Debug` leaves the URL out: it holds a
/// password).
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportDatabaseRequest {
    /// `postgres://user:password@host:port/database[?sslmode=...]`: used for
    /// this one read and stored nowhere. One TCP host; no parameter but
    /// `sslmode` and `application_name`.
    #[validate(length(min = 1, max = 2048))]
    #[schema(min_length = 1, max_length = 2048, example = "postgres://reader:secret@db.example.com:5432/shop")]
    pub url: String,
    /// The new schema's name; absent, the database's name.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// The namespaces (PostgreSQL schemas) to read; absent or empty, every
    /// one but PostgreSQL's own.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_items = 100)]
    pub schemas: Vec<String>,
    /// Refuse (`422 IMPORT_INCOMPLETE`) when anything was adjusted or omitted.
    #[serde(default)]
    pub strict: bool,
}

impl std::fmt::Debug for ImportDatabaseRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportDatabaseRequest")
            .field("url", &"<redacted>")
            .field("name", &self.name)
            .field("schemas", &self.schemas)
            .field("strict", &self.strict)
            .finish()
    }
}

/// How many objects of each kind the imported document holds.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportCountsDto {
    namespaces: usize,
    extensions: usize,
    enums: usize,
    domains: usize,
    composites: usize,
    sequences: usize,
    tables: usize,
    partitions: usize,
    columns: usize,
    indexes: usize,
    foreign_keys: usize,
    constraints: usize,
    views: usize,
    functions: usize,
    triggers: usize,
    policies: usize,
    rules: usize,
    grants: usize,
}

/// One object the document does not hold as the database does.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportItemDto {
    /// `table`, `column`, `index`, `function`, `statement`, ...
    kind: String,
    /// Its qualified name (`sales.orders.total`; `line 12` for a statement).
    name: String,
    /// `adjusted` (in the document, not exactly), `omitted` (not in it) or
    /// `skipped` (deliberately not read).
    #[schema(pattern = "^(adjusted|omitted|skipped)$")]
    outcome: String,
    /// Why.
    reason: String,
    /// The SQL that recreates it or restores what differs, where one exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<String>,
}

impl From<schemaforge_services::ImportItem> for ImportItemDto {
    fn from(i: schemaforge_services::ImportItem) -> Self {
        ImportItemDto {
            kind: i.kind,
            name: i.name,
            outcome: match i.outcome {
                Outcome::Adjusted => "adjusted",
                Outcome::Omitted => "omitted",
                Outcome::Skipped => "skipped",
            }
            .into(),
            reason: i.reason,
            statement: i.statement,
        }
    }
}

/// The import report (docs/import.md §3).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReportDto {
    /// `server_version` of the server read.
    server_version: String,
    /// The database read (for SQL text, the scratch database it was loaded into).
    database: String,
    /// The namespaces read.
    namespaces: Vec<String>,
    counts: ImportCountsDto,
    /// Every object the document does not hold as the database does.
    items: Vec<ImportItemDto>,
    /// Errors validation still finds (only in a `422 IMPORT_INCOMPLETE`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    remaining_errors: Vec<String>,
}

impl From<ImportReport> for ImportReportDto {
    fn from(r: ImportReport) -> Self {
        let c = r.counts;
        Self {
            server_version: r.server_version,
            database: r.database,
            namespaces: r.namespaces,
            counts: ImportCountsDto {
                namespaces: c.namespaces,
                extensions: c.extensions,
                enums: c.enums,
                domains: c.domains,
                composites: c.composites,
                sequences: c.sequences,
                tables: c.tables,
                partitions: c.partitions,
                columns: c.columns,
                indexes: c.indexes,
                foreign_keys: c.foreign_keys,
                constraints: c.constraints,
                views: c.views,
                functions: c.functions,
                triggers: c.triggers,
                policies: c.policies,
                rules: c.rules,
                grants: c.grants,
            },
            items: r.items.into_iter().map(ImportItemDto::from).collect(),
            remaining_errors: r.remaining_errors,
        }
    }
}

/// A schema made by an import, and what its document could not hold.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportedSchemaDto {
    /// The new schema, at version 1.
    schema: SchemaDto,
    report: ImportReportDto,
}

impl From<ImportedSchema> for ImportedSchemaDto {
    fn from(i: ImportedSchema) -> Self {
        Self { schema: i.schema.into(), report: i.report.into() }
    }
}
