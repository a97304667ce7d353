//! `/schemas/{id}/database*` and `/schemas/{id}/diff`: the provisioned
//! database of a schema, and migrations between versions.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use schemaforge_services::{DataLoss, DatabaseJob, Store};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Data, flag, version_param};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, Envelope};
use crate::extract::{Auth, blocking, uuid_param};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct AsyncQuery {
    /// Run it as a job: answer `202` with the job at once (docs/drift-and-sync.md §6).
    #[serde(rename = "async")]
    #[param(rename = "async", value_type = Option<bool>)]
    pub(crate) run_async: Option<String>,
}

/// `202 Accepted` with the job of `operation`, or `None` to run it now.
async fn as_job<S: Store + 'static>(
    app: &Data<S>,
    auth: &Auth,
    id: uuid::Uuid,
    run_async: Option<&str>,
    operation: DatabaseJob,
) -> ApiResult<Option<HttpResponse>> {
    if !flag("async", run_async)? {
        return Ok(None);
    }
    let principal = auth.0;
    let job = blocking(app, move |a| a.request_database_job(principal, id, operation)).await?;
    Ok(Some(crate::handlers::jobs::accepted(job)))
}

/// Create the schema's database and role, and apply the current version.
#[utoipa::path(post, path = "/api/v1/schemas/{id}/database", tag = "databases", params(("id" = uuid::Uuid, Path, description = "The schema's id"), AsyncQuery),
    responses(
        (status = 201, description = "Provisioned", body = DatabaseStatusDto,
            headers(("Location" = String, description = "The status URL"))),
        (status = 202, description = "With `async=true`: the job, pending (`JOB_IN_PROGRESS` 409 when the database has one)", body = crate::handlers::jobs::JobDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`DATABASE_EXISTS` or `OPERATION_IN_PROGRESS`", body = Envelope),
        (status = 422, description = "`PROVISIONING_FAILED`: the statement that failed in `details`", body = Envelope),
    ))]
pub(crate) async fn provision<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<AsyncQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    if let Some(job) = as_job(&app, &auth, id, q.run_async.as_deref(), DatabaseJob::Provision).await? {
        return Ok(job);
    }
    let state = blocking(&app, move |a| a.provision_database(auth.0, id)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/schemas/{id}/database/status")))
        .json(DatabaseStatusDto::from(state)))
}

/// The database's state, health and history (also at `/database`).
#[utoipa::path(get, path = "/api/v1/schemas/{id}/database/status", tag = "databases", params(("id" = uuid::Uuid, Path, description = "The schema's id")),
    responses(
        (status = 200, description = "The state (`status: none` when never provisioned)", body = DatabaseStatusDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND`", body = Envelope),
    ))]
pub(crate) async fn database_status<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let state = blocking(&app, move |a| a.database_status(auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(DatabaseStatusDto::from(state)))
}

/// The database: as `GET /database/status`, but a schema without one (never
/// provisioned, or dropped) has no such resource.
#[utoipa::path(get, path = "/api/v1/schemas/{id}/database", tag = "databases",
    params(("id" = uuid::Uuid, Path, description = "The schema's id")),
    responses(
        (status = 200, description = "The state", body = DatabaseStatusDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND`, or `DATABASE_NOT_FOUND`: none was provisioned (or it was dropped)", body = Envelope),
    ))]
pub(crate) async fn database<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let state = blocking(&app, move |a| a.database_status(auth.0, id)).await?;
    if state.status.is_none() {
        return Err(schemaforge_services::ServiceError::DatabaseNotFound.into());
    }
    Ok(HttpResponse::Ok().json(DatabaseStatusDto::from(state)))
}

/// The database's connection string and credentials.
#[utoipa::path(get, path = "/api/v1/schemas/{id}/database/connection", tag = "databases", params(("id" = uuid::Uuid, Path, description = "The schema's id")),
    responses(
        (status = 200, description = "How to connect", body = ConnectionDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND` or `DATABASE_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`DATABASE_NOT_READY`", body = Envelope),
    ))]
pub(crate) async fn database_connection<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let info = blocking(&app, move |a| a.database_connection(auth.0, id)).await?;
    // It holds a password: no cache may keep it.
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(ConnectionDto::from(info)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ConfirmQuery {
    /// Must be `true`: regenerating destroys every row.
    #[param(value_type = Option<bool>)]
    confirm: Option<String>,
}

/// Drop the database and build it again at the current version (all data is lost: `confirm=true`).
#[utoipa::path(post, path = "/api/v1/schemas/{id}/database/regenerate", tag = "databases", params(("id" = uuid::Uuid, Path, description = "The schema's id"), ConfirmQuery),
    responses(
        (status = 200, description = "Rebuilt", body = DatabaseStatusDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND` or `DATABASE_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`OPERATION_IN_PROGRESS`", body = Envelope),
        (status = 422, description = "`PROVISIONING_FAILED`", body = Envelope),
    ))]
pub(crate) async fn regenerate<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<ConfirmQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let confirm = flag("confirm", q.confirm.as_deref())?;
    let state = blocking(&app, move |a| a.regenerate_database(auth.0, id, confirm)).await?;
    Ok(HttpResponse::Ok().json(DatabaseStatusDto::from(state)))
}

/// Drop the database and its role.
#[utoipa::path(delete, path = "/api/v1/schemas/{id}/database", tag = "databases", params(("id" = uuid::Uuid, Path, description = "The schema's id")),
    responses(
        (status = 204, description = "Dropped"),
        (status = 404, description = "`SCHEMA_NOT_FOUND` or `DATABASE_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`OPERATION_IN_PROGRESS`", body = Envelope),
        (status = 422, description = "`PROVISIONING_FAILED`", body = Envelope),
    ))]
pub(crate) async fn drop_database<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    blocking(&app, move |a| a.drop_database(auth.0, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ------------------------------------------------------------------ migrations

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DiffQuery {
    /// Version to diff from (default: the one before `to`).
    #[param(value_type = Option<i32>, minimum = 1)]
    from: Option<String>,
    /// Version to diff to (default: the current one).
    #[param(value_type = Option<i32>, minimum = 1)]
    to: Option<String>,
}

/// The changes between two versions, with their safety classes and up/down SQL.
#[utoipa::path(get, path = "/api/v1/schemas/{id}/diff", tag = "migrations", params(("id" = uuid::Uuid, Path, description = "The schema's id"), DiffQuery),
    responses(
        (status = 200, description = "The diff", body = DiffDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND` or `VERSION_NOT_FOUND`", body = Envelope),
        (status = 422, description = "`INVALID_INPUT`", body = Envelope),
    ))]
pub(crate) async fn diff<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<DiffQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let from = version_param("from", q.from.as_deref())?;
    let to = version_param("to", q.to.as_deref())?;
    let d = blocking(&app, move |a| a.diff_versions(auth.0, id, from, to)).await?;
    Ok(HttpResponse::Ok().json(DiffDto::from(d)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct MigrateQuery {
    /// Apply `data_loss` changes too.
    #[param(value_type = Option<bool>)]
    allow_data_loss: Option<String>,
    /// Run it as a job: answer `202` with the job at once.
    #[serde(rename = "async")]
    #[param(rename = "async", value_type = Option<bool>)]
    run_async: Option<String>,
}

fn data_loss(value: Option<&str>) -> ApiResult<DataLoss> {
    Ok(if flag("allowDataLoss", value)? { DataLoss::Allow } else { DataLoss::Refuse })
}

/// Migrate the database to the schema's current version in one transaction.
#[utoipa::path(post, path = "/api/v1/schemas/{id}/database/migrate", tag = "migrations", params(("id" = uuid::Uuid, Path, description = "The schema's id"), MigrateQuery),
    responses(
        (status = 200, description = "Migrated (or already there)", body = MigrationDto),
        (status = 202, description = "With `async=true`: the job, pending", body = crate::handlers::jobs::JobDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND` or `DATABASE_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`DATABASE_NOT_READY` or `OPERATION_IN_PROGRESS`", body = Envelope),
        (status = 422, description = "`DATA_LOSS_REFUSED` or `MIGRATION_FAILED`", body = Envelope),
    ))]
pub(crate) async fn migrate<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<MigrateQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let allow = data_loss(q.allow_data_loss.as_deref())?;
    let operation = DatabaseJob::Migrate { allow_data_loss: allow == DataLoss::Allow };
    if let Some(job) = as_job(&app, &auth, id, q.run_async.as_deref(), operation).await? {
        return Ok(job);
    }
    let outcome = blocking(&app, move |a| a.migrate_database(auth.0, id, allow)).await?;
    Ok(HttpResponse::Ok().json(MigrationDto::from(outcome)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct RollbackQuery {
    /// The version to roll back to (required).
    #[param(value_type = i32, minimum = 1)]
    to: Option<String>,
    /// Apply `data_loss` changes too.
    #[param(value_type = Option<bool>)]
    allow_data_loss: Option<String>,
    /// Run it as a job: answer `202` with the job at once.
    #[serde(rename = "async")]
    #[param(rename = "async", value_type = Option<bool>)]
    run_async: Option<String>,
}

/// Migrate the database back (or forward) to an earlier version.
#[utoipa::path(post, path = "/api/v1/schemas/{id}/database/rollback", tag = "migrations", params(("id" = uuid::Uuid, Path, description = "The schema's id"), RollbackQuery),
    responses(
        (status = 200, description = "Rolled back (or already there)", body = MigrationDto),
        (status = 202, description = "With `async=true`: the job, pending", body = crate::handlers::jobs::JobDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND`, `DATABASE_NOT_FOUND` or `VERSION_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`DATABASE_NOT_READY` or `OPERATION_IN_PROGRESS`", body = Envelope),
        (status = 422, description = "`DATA_LOSS_REFUSED`, `MIGRATION_FAILED` or `INVALID_INPUT`", body = Envelope),
    ))]
pub(crate) async fn rollback<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<RollbackQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let to = version_param("to", q.to.as_deref())?
        .ok_or_else(|| ApiError::invalid_parameter("to", "is required: the version to roll back to"))?;
    let allow = data_loss(q.allow_data_loss.as_deref())?;
    let operation = DatabaseJob::Rollback { to, allow_data_loss: allow == DataLoss::Allow };
    if let Some(job) = as_job(&app, &auth, id, q.run_async.as_deref(), operation).await? {
        return Ok(job);
    }
    let outcome = blocking(&app, move |a| a.rollback_database(auth.0, id, to, allow)).await?;
    Ok(HttpResponse::Ok().json(MigrationDto::from(outcome)))
}
