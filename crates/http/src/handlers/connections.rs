//! Registered connections (`/connections`): databases Schemaforge did not
//! provision, tested on create and update, compared with a design
//! (`GET /schemas/{id}/drift?connection=`) and synced as jobs
//! (docs/drift-and-sync.md §7). Passwords go in, never out.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use schemaforge_services::{Connection, ConnectionInput, Store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::jobs::{SyncRequestDto, accepted};
use super::{Data, flag, version_param};
use crate::error::{ApiError, ApiResult, Envelope};
use crate::extract::{Auth, JsonBody, blocking, uuid_param};
use crate::handlers::drift::{DriftDto, answer, wants_sql};

/// `POST /connections` and `PATCH /connections/{id}`: a URL, or its parts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegisteredConnectionRequestDto {
    /// Its name, unique among yours (required on create).
    #[schema(min_length = 1, max_length = 200)]
    name: Option<String>,
    /// `postgres://user:password@host:port/database[?sslmode=...]`.
    url: Option<String>,
    /// Host name or address (instead of `url`).
    host: Option<String>,
    /// Port (default 5432).
    #[schema(minimum = 1, maximum = 65535)]
    port: Option<u16>,
    /// Database name.
    database: Option<String>,
    /// User name.
    user: Option<String>,
    /// Password: stored encrypted, never shown again.
    #[schema(format = Password)]
    password: Option<String>,
    /// libpq's `sslmode` (default `prefer`).
    #[schema(pattern = "^(disable|allow|prefer|require|verify-ca|verify-full)$")]
    sslmode: Option<String>,
    /// The namespaces compared (empty: those of the bound design).
    namespaces: Option<Vec<String>>,
    /// The schema it is bound to (`null`: none).
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    #[schema(value_type = Option<uuid::Uuid>)]
    schema_id: Option<Option<uuid::Uuid>>,
    /// The version of it that is its desired state (`null`: the current one).
    #[serde(default, deserialize_with = "crate::dto::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1)]
    schema_version: Option<Option<i32>>,
}

impl RegisteredConnectionRequestDto {
    fn into_input(self) -> ConnectionInput {
        ConnectionInput {
            name: self.name,
            url: self.url,
            host: self.host,
            port: self.port,
            database: self.database,
            user: self.user,
            password: self.password,
            sslmode: self.sslmode,
            namespaces: self.namespaces,
            schema_id: self.schema_id,
            schema_version: self.schema_version,
        }
    }
}

/// A registered connection (never its password).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredConnectionDto {
    /// Id (a provisioned database's is its schema's).
    id: uuid::Uuid,
    /// `registered`, or `provisioned`: a schema's own database, listed
    /// here without being registered (read-only here: manage it under
    /// `/schemas/{id}/database`).
    #[schema(pattern = "^(registered|provisioned)$")]
    kind: String,
    /// Name.
    name: String,
    /// Host.
    host: String,
    /// Port.
    port: u16,
    /// Database.
    database: String,
    /// User.
    user: String,
    /// libpq's `sslmode`.
    sslmode: String,
    /// The namespaces compared (empty: those of the bound design).
    namespaces: Vec<String>,
    /// The schema it is bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    schema_id: Option<uuid::Uuid>,
    /// The version of it (absent: the current one).
    #[serde(skip_serializing_if = "Option::is_none")]
    schema_version: Option<i32>,
    /// The last test: `ok`, `testedAt`, `serverVersion`, `canRead`,
    /// `canWrite`, `relations`, or `message` when it failed (absent for a
    /// provisioned database).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    last_test: Option<serde_json::Value>,
    /// Registered.
    created_at: DateTime<Utc>,
    /// Last change.
    updated_at: DateTime<Utc>,
}

impl From<Connection> for RegisteredConnectionDto {
    fn from(c: Connection) -> Self {
        Self {
            id: c.id,
            kind: if c.provisioned { "provisioned" } else { "registered" }.into(),
            name: c.name,
            host: c.host,
            port: c.port,
            database: c.database,
            user: c.username,
            sslmode: c.sslmode,
            namespaces: c.namespaces,
            schema_id: c.schema_id,
            schema_version: c.schema_version,
            last_test: c.last_test,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// One page of connections, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredConnectionPageDto {
    /// Items.
    items: Vec<RegisteredConnectionDto>,
    /// Page number.
    page: u32,
    /// Page size.
    limit: u32,
    /// Total matching.
    total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ConnectionListQuery {
    /// Case-insensitive substring of the name, host or database.
    search: Option<String>,
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295_i64)]
    page: Option<u32>,
    /// Page size, 1 to 100 (0 counts as 1, larger values as 100); default 20.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64)]
    limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct RetestQuery {
    /// Test the connection again even if nothing about where it connects changed.
    #[param(value_type = Option<bool>)]
    retest: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SchemaDriftQuery {
    /// The registered connection compared (required).
    #[param(value_type = uuid::Uuid)]
    connection: Option<String>,
    /// The design's version (default: the connection's bound one, else the current one).
    #[param(value_type = Option<i32>, minimum = 1)]
    version: Option<String>,
    /// `json` (the default) or `sql`.
    #[param(value_type = Option<String>, pattern = "^(json|sql)$")]
    format: Option<String>,
}

/// Register a connection; it is tested first (the result is `lastTest`).
#[utoipa::path(post, path = "/api/v1/connections", tag = "connections",
    request_body = RegisteredConnectionRequestDto,
    responses(
        (status = 201, description = "Registered, with its test's result", body = RegisteredConnectionDto),
        (status = 403, description = "`IMPORT_TARGET_FORBIDDEN`: the host is one this server does not connect to", body = Envelope),
        (status = 404, description = "`SCHEMA_NOT_FOUND` or `VERSION_NOT_FOUND` (the binding)", body = Envelope),
        (status = 409, description = "`DUPLICATE_CONNECTION`", body = Envelope),
        (status = 422, description = "`INVALID_INPUT` or `INVALID_CONNECTION_URL`", body = Envelope),
    ))]
pub(crate) async fn create<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    body: JsonBody<RegisteredConnectionRequestDto>,
) -> ApiResult<HttpResponse> {
    let input = body.0.into_input();
    let c = blocking(&app, move |a| a.create_connection(auth.0, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("{}/connections/{}", crate::openapi::PREFIX, c.id)))
        .json(RegisteredConnectionDto::from(c)))
}

/// Your connections, by name, a page at a time.
#[utoipa::path(get, path = "/api/v1/connections", tag = "connections", params(ConnectionListQuery),
    responses((status = 200, description = "One page", body = RegisteredConnectionPageDto)))]
pub(crate) async fn list<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    q: web::Query<ConnectionListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    if q.page == Some(0) {
        return Err(ApiError::invalid_parameter("page", "pages start at 1"));
    }
    let page = blocking(&app, move |a| a.list_connections(auth.0, q.search, q.page, q.limit)).await?;
    Ok(HttpResponse::Ok().json(RegisteredConnectionPageDto {
        items: page.items.into_iter().map(RegisteredConnectionDto::from).collect(),
        page: page.page,
        limit: page.limit,
        total: page.total,
    }))
}

/// One of your connections.
#[utoipa::path(get, path = "/api/v1/connections/{id}", tag = "connections",
    params(("id" = uuid::Uuid, Path, description = "The connection's id")),
    responses(
        (status = 200, description = "The connection", body = RegisteredConnectionDto),
        (status = 404, description = "`CONNECTION_NOT_FOUND`", body = Envelope),
    ))]
pub(crate) async fn get<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let c = blocking(&app, move |a| a.get_connection(auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(RegisteredConnectionDto::from(c)))
}

/// Change a connection; tested again when where or how it connects changed
/// (or with `retest=true`).
#[utoipa::path(patch, path = "/api/v1/connections/{id}", tag = "connections",
    params(("id" = uuid::Uuid, Path, description = "The connection's id"), RetestQuery),
    request_body = RegisteredConnectionRequestDto,
    responses(
        (status = 200, description = "Changed", body = RegisteredConnectionDto),
        (status = 403, description = "`IMPORT_TARGET_FORBIDDEN`", body = Envelope),
        (status = 404, description = "`CONNECTION_NOT_FOUND`, `SCHEMA_NOT_FOUND` or `VERSION_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`DUPLICATE_CONNECTION`", body = Envelope),
        (status = 422, description = "`INVALID_INPUT` or `INVALID_CONNECTION_URL`", body = Envelope),
    ))]
pub(crate) async fn update<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<RetestQuery>,
    body: JsonBody<RegisteredConnectionRequestDto>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let retest = flag("retest", q.retest.as_deref())?;
    let input = body.0.into_input();
    let c = blocking(&app, move |a| a.update_connection(auth.0, id, input, retest)).await?;
    Ok(HttpResponse::Ok().json(RegisteredConnectionDto::from(c)))
}

/// Forget a connection (the database itself is untouched).
#[utoipa::path(delete, path = "/api/v1/connections/{id}", tag = "connections",
    params(("id" = uuid::Uuid, Path, description = "The connection's id")),
    responses(
        (status = 204, description = "Forgotten"),
        (status = 404, description = "`CONNECTION_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`JOB_IN_PROGRESS`: a job is pending or running on it", body = Envelope),
        (status = 422, description = "`INVALID_INPUT`: a provisioned database (managed under its schema)", body = Envelope),
    ))]
pub(crate) async fn delete<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    blocking(&app, move |a| a.delete_connection(auth.0, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sync a connection with the design it is bound to, as a job.
#[utoipa::path(post, path = "/api/v1/connections/{id}/sync", tag = "connections",
    params(("id" = uuid::Uuid, Path, description = "The connection's id")),
    request_body = SyncRequestDto,
    responses(
        (status = 202, description = "The job, pending; follow it at `Location`", body = crate::handlers::jobs::JobDto),
        (status = 404, description = "`CONNECTION_NOT_FOUND`, `SCHEMA_NOT_FOUND`, `VERSION_NOT_FOUND` or (a provisioned database) `DATABASE_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`JOB_IN_PROGRESS`, or (a provisioned database) `DATABASE_NOT_READY`", body = Envelope),
        (status = 422, description = "`INVALID_INPUT` (e.g. bound to no schema)", body = Envelope),
    ))]
pub(crate) async fn sync<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<SyncRequestDto>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let request = body.0.into_request();
    let job = blocking(&app, move |a| a.request_connection_sync(auth.0, id, request)).await?;
    Ok(accepted(job))
}

/// The drift of a registered connection from a version of this schema
/// (matched by name: there is no record of catalog identities).
#[utoipa::path(get, path = "/api/v1/schemas/{id}/drift", tag = "connections",
    params(("id" = uuid::Uuid, Path, description = "The schema's id"), SchemaDriftQuery),
    responses(
        (status = 200, description = "The drift (JSON), or with `format=sql` its script",
            content((DriftDto = "application/json"), (String = "application/sql"))),
        (status = 403, description = "`IMPORT_TARGET_FORBIDDEN`", body = Envelope),
        (status = 404, description = "`SCHEMA_NOT_FOUND`, `VERSION_NOT_FOUND`, `CONNECTION_NOT_FOUND` or (a provisioned database) `DATABASE_NOT_FOUND`", body = Envelope),
        (status = 409, description = "A provisioned database: `DATABASE_NOT_READY` or `OPERATION_IN_PROGRESS`", body = Envelope),
        (status = 422, description = "`INVALID_INPUT`, or `IMPORT_*`: the database could not be read", body = Envelope),
        (status = 504, description = "`IMPORT_TIMEOUT`: the catalog read ran out of time", body = Envelope),
    ))]
pub(crate) async fn schema_drift<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<SchemaDriftQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let connection = match q.connection.as_deref() {
        Some(c) => uuid_param("connection", c)?,
        None => return Err(ApiError::invalid_parameter("connection", "is required")),
    };
    let version = version_param("version", q.version.as_deref())?;
    let sql = wants_sql(q.format.as_deref())?;
    let drift = blocking(&app, move |a| a.connection_drift(auth.0, id, connection, version)).await?;
    Ok(answer(drift, sql))
}
