//! Durable jobs: the queue lives in the metadata database. A job is
//! enqueued `pending`, claimed by one worker (`running`, under a lease its
//! heartbeat renews), and ends `succeeded`, `failed` or `cancelled`. A job
//! whose lease ran out is claimed again by another worker, up to the
//! attempts allowed, then failed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Page, RepoResult};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Waiting for a worker.
    Pending,
    /// Claimed by a worker that holds its lease.
    Running,
    /// Done.
    Succeeded,
    /// Ended with an error (or its workers kept dying).
    Failed,
    /// Cancelled before it did anything it could not take back.
    Cancelled,
}

impl JobStatus {
    /// Every status, in life order.
    pub const ALL: [Self; 5] = [Self::Pending, Self::Running, Self::Succeeded, Self::Failed, Self::Cancelled];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the job has ended.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

/// How far a job got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobProgress {
    /// Steps finished.
    pub done: i32,
    /// Steps in all (0: not known yet).
    pub total: i32,
    /// What it is doing now.
    pub current: Option<String>,
}

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    /// A stable code (`MIGRATION_FAILED`, `WORKER_LOST`, ...).
    pub code: String,
    /// What happened.
    pub message: String,
    /// The 1-based statement of the script that failed, if one did.
    pub statement: Option<i32>,
    /// Its SQL.
    pub sql: Option<String>,
}

/// A job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Id.
    pub id: Uuid,
    /// Who asked for it.
    pub owner_id: Uuid,
    /// The schema it concerns.
    pub schema_id: Option<Uuid>,
    /// What it does (`sync`).
    pub kind: String,
    /// The database it works on: at most one active job per target.
    pub target: String,
    /// What was asked, as the kind defines it.
    pub params: serde_json::Value,
    /// Where it is.
    pub status: JobStatus,
    /// Someone asked to cancel it while it ran.
    pub cancel_requested: bool,
    /// How far it got.
    pub progress: JobProgress,
    /// What it produced, once succeeded (or what it found, once failed).
    pub result: Option<serde_json::Value>,
    /// Why it failed.
    pub error: Option<JobError>,
    /// Times it was claimed.
    pub attempts: i32,
    /// The worker holding it (or that last held it).
    pub worker: Option<String>,
    /// When its lease runs out.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Enqueued.
    pub created_at: DateTime<Utc>,
    /// First claimed.
    pub started_at: Option<DateTime<Utc>>,
    /// Ended.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Id chosen by the caller.
    pub id: Uuid,
    /// Who asks.
    pub owner_id: Uuid,
    /// The schema it concerns.
    pub schema_id: Option<Uuid>,
    /// What it does.
    pub kind: String,
    /// The database it works on.
    pub target: String,
    /// What is asked.
    pub params: serde_json::Value,
}

/// Which of an owner's jobs to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct JobQuery {
    /// Only the jobs of this schema.
    pub schema_id: Option<Uuid>,
    /// Only the jobs on this target.
    pub target: Option<String>,
    /// Only jobs in this status.
    pub status: Option<JobStatus>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// How a job ends.
#[derive(Debug, Clone)]
pub enum JobEnd {
    /// Done, with what it produced.
    Succeeded(serde_json::Value),
    /// Failed, with why and (optionally) what it found.
    Failed(JobError, Option<serde_json::Value>),
    /// Cancelled as asked.
    Cancelled,
}

/// What a heartbeat learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beat {
    /// The worker still holds the job (false: its lease ran out and another
    /// worker took it, or it ended): stop working on it.
    pub held: bool,
    /// Someone asked to cancel it.
    pub cancel_requested: bool,
}

/// How long a claim holds and how often it may be tried.
#[derive(Debug, Clone, Copy)]
pub struct Lease {
    /// How long a claim or heartbeat holds the job.
    pub duration: std::time::Duration,
    /// Claims of one job before a lost lease fails it instead.
    pub max_attempts: i32,
}

/// The job queue.
pub trait JobRepository: Send + Sync {
    /// Enqueue a pending job; `Conflict(ActiveJob(id))` when the target has a
    /// pending or running job already.
    fn enqueue_job(&self, job: NewJob) -> RepoResult<Job>;
    /// The owner's job.
    fn get_job(&self, owner: Uuid, id: Uuid) -> RepoResult<Option<Job>>;
    /// A page of the owner's jobs, newest first.
    fn list_jobs(&self, owner: Uuid, query: &JobQuery) -> RepoResult<Page<Job>>;
    /// Cancel the owner's job: a pending one ends `cancelled` at once, a
    /// running one is marked for its worker to stop before it commits;
    /// an ended one is returned unchanged. `NotFound` if not the owner's.
    fn cancel_job(&self, owner: Uuid, id: Uuid) -> RepoResult<Job>;
    /// Claim the oldest claimable job for `worker`: pending, or running with
    /// its lease run out (then it is taken over). Jobs whose lease ran out
    /// after `lease.max_attempts` claims are failed (`WORKER_LOST`) instead.
    /// Concurrent claimers never get the same job.
    fn claim_job(&self, worker: &str, lease: Lease) -> RepoResult<Option<Job>>;
    /// Renew `worker`'s lease of the job and record its progress.
    fn heartbeat_job(&self, id: Uuid, worker: &str, lease: Lease, progress: &JobProgress) -> RepoResult<Beat>;
    /// End the job, if `worker` still holds it; whether it did.
    fn finish_job(&self, id: Uuid, worker: &str, end: JobEnd) -> RepoResult<bool>;
}
