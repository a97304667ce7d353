//! The job queue in the metadata database. Claims take the oldest
//! claimable row with `FOR UPDATE SKIP LOCKED`, so concurrent workers (in
//! any process) never get the same job; a lease that the heartbeat renews
//! says who holds it, and a lease that ran out lets another worker take the
//! job over.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Double, Integer, Jsonb, Text};
use serde_json::{Value, json};
use uuid::Uuid;

use super::schema::jobs;
use super::{PgRepository, map_err};
use crate::{
    Beat, Conflict, Job, JobEnd, JobError, JobProgress, JobQuery, JobRepository, JobStatus, Lease, NewJob, Page,
    RepoError, RepoResult,
};

#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = jobs)]
struct JobRow {
    id: Uuid,
    owner_id: Uuid,
    schema_id: Option<Uuid>,
    kind: String,
    target: String,
    params: Value,
    status: String,
    cancel_requested: bool,
    progress: Value,
    outcome: Option<Value>,
    attempts: i32,
    worker: Option<String>,
    lease_expires_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn int(v: &Value, key: &str) -> Option<i32> {
    v.get(key).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok())
}

impl JobRow {
    fn into_job(self) -> RepoResult<Job> {
        let status = JobStatus::parse(&self.status).ok_or_else(|| RepoError::Corrupt {
            table: "jobs",
            id: self.id.to_string(),
            message: format!("unknown status {:?}", self.status),
        })?;
        let outcome = self.outcome.unwrap_or(Value::Null);
        let error = outcome.get("error").filter(|e| !e.is_null()).map(|e| JobError {
            code: text(e, "code").unwrap_or_default(),
            message: text(e, "message").unwrap_or_default(),
            statement: int(e, "statement"),
            sql: text(e, "sql"),
        });
        let p = &self.progress;
        Ok(Job {
            id: self.id,
            owner_id: self.owner_id,
            schema_id: self.schema_id,
            kind: self.kind,
            target: self.target,
            params: self.params,
            status,
            cancel_requested: self.cancel_requested,
            progress: JobProgress {
                done: int(p, "done").unwrap_or(0),
                total: int(p, "total").unwrap_or(0),
                current: text(p, "current"),
            },
            result: outcome.get("result").filter(|r| !r.is_null()).cloned(),
            error,
            attempts: self.attempts,
            worker: self.worker,
            lease_expires_at: self.lease_expires_at,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = jobs)]
struct JobInsert<'a> {
    id: Uuid,
    owner_id: Uuid,
    schema_id: Option<Uuid>,
    kind: &'a str,
    target: &'a str,
    params: &'a Value,
    status: &'a str,
}

/// Every column, for `RETURNING` of the raw statements.
const COLUMNS: &str = "id, owner_id, schema_id, kind, target, params, status, cancel_requested, progress, outcome, \
     attempts, worker, lease_expires_at, created_at, started_at, finished_at";

/// Claims: first fail the jobs whose lease ran out once too often, then take
/// the oldest pending job or one whose lease ran out, skipping rows that
/// other claimers hold locked. Made once: every idle worker runs it each poll.
static CLAIM: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH lost AS (
             UPDATE jobs SET status = 'failed', lease_expires_at = NULL, finished_at = now(),
                 outcome = jsonb_build_object('error', jsonb_build_object('code', 'WORKER_LOST', 'message',
                     'its worker stopped (its process died or lost the metadata database) and its lease ran out, '
                     || attempts || ' time(s); see the job kind''s documentation for what a lost run leaves'))
             WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_expires_at < now()
                          AND attempts >= $2 FOR UPDATE SKIP LOCKED)
         )
         UPDATE jobs SET status = 'running', worker = $1, attempts = attempts + 1,
             lease_expires_at = now() + make_interval(secs => $3),
             started_at = coalesce(started_at, now())
         WHERE id = (SELECT id FROM jobs
                     WHERE status = 'pending'
                        OR (status = 'running' AND lease_expires_at < now() AND attempts < $2)
                     ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING {COLUMNS}"
    )
});

#[derive(QueryableByName)]
struct Cancel {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    cancel_requested: bool,
}

fn secs(lease: Lease) -> f64 {
    lease.duration.as_secs_f64()
}

/// The id of the pending or running job on `target` (nil when it ended in
/// the meantime: then no finished job is named).
pub(super) fn active_job(conn: &mut PgConnection, target: &str) -> RepoResult<Uuid> {
    let active: Option<Uuid> = jobs::table
        .filter(jobs::target.eq(target))
        .filter(jobs::status.eq_any([JobStatus::Pending.as_str(), JobStatus::Running.as_str()]))
        .select(jobs::id)
        .first(conn)
        .optional()
        .map_err(map_err)?;
    Ok(active.unwrap_or(Uuid::nil()))
}

impl JobRepository for PgRepository {
    fn enqueue_job(&self, job: NewJob) -> RepoResult<Job> {
        let mut conn = self.conn()?;
        let insert = JobInsert {
            id: job.id,
            owner_id: job.owner_id,
            schema_id: job.schema_id,
            kind: &job.kind,
            target: &job.target,
            params: &job.params,
            status: JobStatus::Pending.as_str(),
        };
        match diesel::insert_into(jobs::table).values(&insert).returning(JobRow::as_returning()).get_result(&mut *conn)
        {
            Ok(row) => row.into_job(),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info))
                if info.constraint_name() == Some("jobs_one_active_per_target") =>
            {
                Err(RepoError::Conflict(Conflict::ActiveJob(active_job(&mut conn, &job.target)?)))
            }
            Err(e) => Err(map_err(e)),
        }
    }

    fn get_job(&self, owner: Uuid, id: Uuid) -> RepoResult<Option<Job>> {
        let mut conn = self.conn()?;
        let row = jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::owner_id.eq(owner))
            .select(JobRow::as_select())
            .first(&mut *conn)
            .optional()
            .map_err(map_err)?;
        row.map(JobRow::into_job).transpose()
    }

    fn list_jobs(&self, owner: Uuid, query: &JobQuery) -> RepoResult<Page<Job>> {
        let mut conn = self.conn()?;
        let filtered = || {
            let mut q = jobs::table.filter(jobs::owner_id.eq(owner)).into_boxed();
            if let Some(schema) = query.schema_id {
                q = q.filter(jobs::schema_id.eq(schema));
            }
            if let Some(target) = &query.target {
                q = q.filter(jobs::target.eq(target.clone()));
            }
            if let Some(status) = query.status {
                q = q.filter(jobs::status.eq(status.as_str()));
            }
            q
        };
        let total: i64 = filtered().count().get_result(&mut *conn).map_err(map_err)?;
        let rows = filtered()
            .select(JobRow::as_select())
            .order((jobs::created_at.desc(), jobs::id.desc()))
            .offset(query.offset)
            .limit(query.limit)
            .load(&mut *conn)
            .map_err(map_err)?;
        Ok(Page { items: rows.into_iter().map(JobRow::into_job).collect::<RepoResult<_>>()?, total })
    }

    fn cancel_job(&self, owner: Uuid, id: Uuid) -> RepoResult<Job> {
        let mut conn = self.conn()?;
        let row: Option<JobRow> = diesel::sql_query(format!(
            "UPDATE jobs SET
                 cancel_requested = cancel_requested OR status IN ('pending', 'running'),
                 finished_at = CASE WHEN status = 'pending' THEN now() ELSE finished_at END,
                 status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END
             WHERE id = $1 AND owner_id = $2
             RETURNING {COLUMNS}"
        ))
        .bind::<diesel::sql_types::Uuid, _>(id)
        .bind::<diesel::sql_types::Uuid, _>(owner)
        .get_result(&mut *conn)
        .optional()
        .map_err(map_err)?;
        row.ok_or(RepoError::NotFound)?.into_job()
    }

    fn claim_job(&self, worker: &str, lease: Lease) -> RepoResult<Option<Job>> {
        let mut conn = self.conn()?;
        let row: Option<JobRow> = diesel::sql_query(CLAIM.as_str())
            .bind::<Text, _>(worker)
            .bind::<Integer, _>(lease.max_attempts)
            .bind::<Double, _>(secs(lease))
            .get_result(&mut *conn)
            .optional()
            .map_err(map_err)?;
        row.map(JobRow::into_job).transpose()
    }

    fn heartbeat_job(&self, id: Uuid, worker: &str, lease: Lease, progress: &JobProgress) -> RepoResult<Beat> {
        let mut conn = self.conn()?;
        let row: Option<Cancel> = diesel::sql_query(
            "UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3), progress = $4
             WHERE id = $1 AND worker = $2 AND status = 'running'
             RETURNING cancel_requested",
        )
        .bind::<diesel::sql_types::Uuid, _>(id)
        .bind::<Text, _>(worker)
        .bind::<Double, _>(secs(lease))
        .bind::<Jsonb, _>(json!({"done": progress.done, "total": progress.total, "current": progress.current}))
        .get_result(&mut *conn)
        .optional()
        .map_err(map_err)?;
        Ok(match row {
            Some(c) => Beat { held: true, cancel_requested: c.cancel_requested },
            None => Beat { held: false, cancel_requested: false },
        })
    }

    fn finish_job(&self, id: Uuid, worker: &str, end: JobEnd) -> RepoResult<bool> {
        let mut conn = self.conn()?;
        let (status, outcome) = match end {
            JobEnd::Succeeded(result) => (JobStatus::Succeeded, json!({"result": result})),
            JobEnd::Failed(e, result) => (
                JobStatus::Failed,
                json!({"result": result, "error": {"code": e.code, "message": e.message, "statement": e.statement, "sql": e.sql}}),
            ),
            JobEnd::Cancelled => (JobStatus::Cancelled, json!({})),
        };
        let n = diesel::update(
            jobs::table.filter(jobs::id.eq(id)).filter(jobs::worker.eq(worker)).filter(jobs::status.eq("running")),
        )
        .set((
            jobs::status.eq(status.as_str()),
            jobs::outcome.eq(Some(outcome)),
            jobs::lease_expires_at.eq(None::<DateTime<Utc>>),
            jobs::finished_at.eq(Some(Utc::now())),
        ))
        .execute(&mut *conn)
        .map_err(map_err)?;
        Ok(n == 1)
    }
}
