//! Durable jobs: `POST /schemas/{id}/database/sync` asks for one; `GET
//! /jobs/{id}`, `GET /jobs` and `POST /jobs/{id}/cancel` follow them
//! (docs/drift-and-sync.md).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use schemaforge_services::{Job, JobFilter, JobStatus, Store, SyncDirection, SyncElements, SyncRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Data;
use crate::error::{ApiError, ApiResult, Envelope};
use crate::extract::{Auth, JsonBody, blocking, uuid_param};

/// Which way a sync goes.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DirectionDto {
    /// Make the live database match the design (the migration engine).
    ToLive,
    /// Adopt the live database as a new version of the design.
    ToDesign,
}

/// `all` or `indexes`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ElementsWordDto {
    /// Every element that drifted.
    All,
    /// Only indexes.
    Indexes,
}

/// Chosen elements, by id.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElementIdsDto {
    /// The elements' ids (the design's, or a redundant element's from the drift).
    #[schema(min_items = 1, max_items = 10000)]
    ids: Vec<String>,
}

/// Which elements a sync takes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ElementsDto {
    /// `all` or `indexes`.
    Word(ElementsWordDto),
    /// `{"ids": [...]}`.
    Ids(ElementIdsDto),
}

/// `POST /schemas/{id}/database/sync`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SyncRequestDto {
    /// `to-live` or `to-design`.
    direction: DirectionDto,
    /// The design's version compared with (default: the current one).
    #[schema(minimum = 1)]
    version: Option<i32>,
    /// `all` (the default), `indexes`, or `{"ids": [...]}`.
    elements: Option<ElementsDto>,
    /// Plan only: nothing is applied or stored (the plan is the job's result).
    #[serde(default)]
    dry_run: bool,
    /// A to-live sync may destroy data.
    #[serde(default)]
    allow_data_loss: bool,
}

/// How far a job got.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    /// Steps finished.
    done: i32,
    /// Steps in all (0: not known yet).
    total: i32,
    /// The step under way.
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<String>,
}

/// Why a job failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobErrorDto {
    /// A stable code: `MIGRATION_FAILED`, `DATA_LOSS_REFUSED`, `WORKER_LOST`, ...
    code: String,
    /// What happened.
    message: String,
    /// The 1-based statement of the script that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<i32>,
    /// Its SQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<String>,
}

/// A job.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobDto {
    /// Id.
    id: uuid::Uuid,
    /// `sync`, `database` (provision, migrate, rollback) or `import`.
    kind: String,
    /// `pending`, `running`, `succeeded`, `failed` or `cancelled`.
    #[schema(pattern = "^(pending|running|succeeded|failed|cancelled)$")]
    status: String,
    /// The schema it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    schema_id: Option<uuid::Uuid>,
    /// What was asked.
    #[schema(value_type = Object)]
    params: serde_json::Value,
    /// How far it got.
    progress: ProgressDto,
    /// A cancel was asked while it ran: it stops at its next step.
    cancel_requested: bool,
    /// Times a worker claimed it (more than 1: taken over after a worker died).
    attempts: i32,
    /// The worker that holds it (or held it last).
    #[serde(skip_serializing_if = "Option::is_none")]
    worker: Option<String>,
    /// When its lease runs out, while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    lease_expires_at: Option<DateTime<Utc>>,
    /// What it produced (or, failed, what it found).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    result: Option<serde_json::Value>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<JobErrorDto>,
    /// Asked for.
    created_at: DateTime<Utc>,
    /// First claimed.
    #[serde(skip_serializing_if = "Option::is_none")]
    started_at: Option<DateTime<Utc>>,
    /// Ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_at: Option<DateTime<Utc>>,
}

/// What a job was asked, as answered: an import's sealed URL stays in
/// the job row.
fn public_params(kind: &str, mut params: serde_json::Value) -> serde_json::Value {
    if kind == "import" {
        params["source"] = serde_json::json!({"kind": params["source"]["kind"]});
    }
    params
}

impl From<Job> for JobDto {
    fn from(j: Job) -> Self {
        let params = public_params(&j.kind, j.params);
        Self {
            id: j.id,
            kind: j.kind,
            status: j.status.as_str().into(),
            schema_id: j.schema_id,
            params,
            progress: ProgressDto { done: j.progress.done, total: j.progress.total, current: j.progress.current },
            cancel_requested: j.cancel_requested,
            attempts: j.attempts,
            worker: j.worker,
            lease_expires_at: j.lease_expires_at,
            result: j.result,
            error: j.error.map(|e| JobErrorDto {
                code: e.code,
                message: e.message,
                statement: e.statement,
                sql: e.sql,
            }),
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
        }
    }
}

/// One page of jobs, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobPageDto {
    /// Items.
    items: Vec<JobDto>,
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
pub(crate) struct JobListQuery {
    /// Only the jobs of this schema.
    #[param(value_type = Option<uuid::Uuid>)]
    schema: Option<String>,
    /// Only the jobs of this registered connection.
    #[param(value_type = Option<uuid::Uuid>)]
    connection: Option<String>,
    /// Only jobs in this status.
    #[param(pattern = "^(pending|running|succeeded|failed|cancelled)$")]
    status: Option<String>,
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295_i64)]
    page: Option<u32>,
    /// Page size, 1 to 100 (0 counts as 1, larger values as 100); default 20.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64)]
    limit: Option<u32>,
}

pub(crate) fn accepted(job: Job) -> HttpResponse {
    HttpResponse::Accepted()
        .insert_header(("Location", format!("{}/jobs/{}", crate::openapi::PREFIX, job.id)))
        .json(JobDto::from(job))
}

/// Sync the schema's database with its design, as a job.
#[utoipa::path(post, path = "/api/v1/schemas/{id}/database/sync", tag = "databases",
    params(("id" = uuid::Uuid, Path, description = "The schema's id")),
    request_body = SyncRequestDto,
    responses(
        (status = 202, description = "The job, pending; follow it at `Location`", body = JobDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND`, `VERSION_NOT_FOUND` or `DATABASE_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`DATABASE_NOT_READY`, or `JOB_IN_PROGRESS`: a sync of this database is pending or running (its id in the details)", body = Envelope),
        (status = 422, description = "`INVALID_INPUT`", body = Envelope),
    ))]
pub(crate) async fn sync<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<SyncRequestDto>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let request = body.0.into_request();
    let job = blocking(&app, move |a| a.request_sync(auth.0, id, request)).await?;
    Ok(accepted(job))
}

impl SyncRequestDto {
    pub(crate) fn into_request(self) -> SyncRequest {
        SyncRequest {
            direction: match self.direction {
                DirectionDto::ToLive => SyncDirection::ToLive,
                DirectionDto::ToDesign => SyncDirection::ToDesign,
            },
            version: self.version,
            elements: match self.elements {
                None | Some(ElementsDto::Word(ElementsWordDto::All)) => SyncElements::All,
                Some(ElementsDto::Word(ElementsWordDto::Indexes)) => SyncElements::Indexes,
                Some(ElementsDto::Ids(ids)) => SyncElements::Ids(ids.ids),
            },
            dry_run: self.dry_run,
            allow_data_loss: self.allow_data_loss,
            connection: None,
        }
    }
}

/// A job of the caller's.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = uuid::Uuid, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job", body = JobDto),
        (status = 404, description = "`JOB_NOT_FOUND`", body = Envelope),
    ))]
pub(crate) async fn job<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let job = blocking(&app, move |a| a.get_job(auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(JobDto::from(job)))
}

/// The caller's jobs, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobListQuery),
    responses((status = 200, description = "One page", body = JobPageDto)))]
pub(crate) async fn jobs<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    q: web::Query<JobListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let schema_id = q.schema.as_deref().map(|s| uuid_param("schema", s)).transpose()?;
    let connection_id = q.connection.as_deref().map(|s| uuid_param("connection", s)).transpose()?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            JobStatus::parse(s).ok_or_else(|| {
                ApiError::invalid_parameter("status", "must be pending, running, succeeded, failed or cancelled")
            })
        })
        .transpose()?;
    if q.page == Some(0) {
        return Err(ApiError::invalid_parameter("page", "pages start at 1"));
    }
    let filter = JobFilter { schema_id, connection_id, status, page: q.page, limit: q.limit };
    let page = blocking(&app, move |a| a.list_jobs(auth.0, filter)).await?;
    Ok(HttpResponse::Ok().json(JobPageDto {
        items: page.items.into_iter().map(JobDto::from).collect(),
        page: page.page,
        limit: page.limit,
        total: page.total,
    }))
}

/// Cancel a job: a pending one at once, a running one at its next step,
/// before it commits anything.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "jobs",
    params(("id" = uuid::Uuid, Path, description = "The job's id")),
    responses(
        (status = 200, description = "Cancelled, or marked for its worker to stop (`cancelRequested`)", body = JobDto),
        (status = 404, description = "`JOB_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`JOB_ENDED`: it succeeded or failed already", body = Envelope),
    ))]
pub(crate) async fn cancel<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let job = blocking(&app, move |a| a.cancel_job(auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(JobDto::from(job)))
}
