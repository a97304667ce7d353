//! Durable jobs: asked for by a request, stored in the metadata database
//! (`JobRepository`), run by worker threads of any server process. A
//! worker claims a job, runs it while a heartbeat thread renews its lease
//! and records its progress, and ends it; a job whose worker died is
//! taken over by another once the lease runs out (the repository fails it
//! after the attempts allowed). Cancelling a running job is seen at its
//! next step: before anything is committed, never halfway.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use schemaforge_repository::{Job, JobEnd, JobError, JobProgress, JobQuery, JobStatus, Lease, Page, RepoError};
use uuid::Uuid;

use crate::audit::{Action, Recorded};
use crate::{App, Principal, ServiceError, ServiceResult, Store};

/// How workers run jobs.
#[derive(Debug, Clone, Copy)]
pub struct JobSettings {
    /// Worker threads per process (0: this process runs no jobs).
    pub workers: usize,
    /// How long a claim or a heartbeat holds a job.
    pub lease: Duration,
    /// How often a running job's heartbeat renews its lease.
    pub heartbeat: Duration,
    /// How long an idle worker waits before looking for a job again.
    pub poll: Duration,
    /// Claims of one job before a lost lease fails it.
    pub max_attempts: i32,
    /// How long a job waits for its schema's operation lock (held by a
    /// build, migration or drift read) before it fails.
    pub lock_wait: Duration,
    /// Milliseconds any statement of a job's script may run (0: no limit).
    pub statement_timeout_ms: u64,
    /// Milliseconds a statement of a job's script may wait for a lock.
    pub lock_timeout_ms: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            workers: 2,
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(5),
            poll: Duration::from_secs(1),
            max_attempts: 3,
            lock_wait: Duration::from_secs(30),
            statement_timeout_ms: 600_000,
            lock_timeout_ms: 10_000,
        }
    }
}

impl JobSettings {
    pub(crate) fn lease(&self) -> Lease {
        Lease { duration: self.lease, max_attempts: self.max_attempts }
    }
}

/// The worker threads of this process.
#[derive(Debug)]
pub struct JobWorkers {
    stop: Arc<AtomicBool>,
    handles: Vec<std::thread::JoinHandle<()>>,
}

impl JobWorkers {
    /// How many run.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Whether none runs.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Stop claiming jobs and wait up to `timeout` for the jobs at hand to
    /// end; whether every worker stopped. A job still running when the
    /// process exits is taken over by another process once its lease runs
    /// out.
    pub fn shutdown(self, timeout: Duration) -> bool {
        self.stop.store(true, Ordering::SeqCst);
        let until = Instant::now() + timeout;
        while Instant::now() < until && !self.handles.iter().all(std::thread::JoinHandle::is_finished) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let stopped = self.handles.iter().all(std::thread::JoinHandle::is_finished);
        if stopped {
            for h in self.handles {
                let _ = h.join();
            }
        }
        stopped
    }
}

/// Which jobs to list.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Only this schema's.
    pub schema_id: Option<Uuid>,
    /// Only this registered connection's.
    pub connection_id: Option<Uuid>,
    /// Only in this status.
    pub status: Option<JobStatus>,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Page size (default 20, at most [`crate::MAX_PAGE_LIMIT`]).
    pub limit: Option<u32>,
}

/// One page of jobs.
#[derive(Debug, Clone)]
pub struct JobPage {
    /// The jobs, newest first.
    pub items: Vec<Job>,
    /// The page number.
    pub page: u32,
    /// The page size used.
    pub limit: u32,
    /// Jobs matching in all pages.
    pub total: i64,
}

/// Why a job stopped before its end.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Cancelled as asked, before anything was committed.
    Cancelled,
    /// Another worker holds the job now: leave it alone.
    Lost,
    /// It failed, with what it found.
    Failed(JobError, Option<serde_json::Value>),
}

impl From<ServiceError> for Stop {
    fn from(e: ServiceError) -> Self {
        let (statement, sql) = match &e {
            ServiceError::MigrationFailed(f) | ServiceError::ProvisioningFailed(f) => (f.statement, f.sql.clone()),
            _ => (None, None),
        };
        let result = match &e {
            ServiceError::DataLossRefused(changes) => {
                Some(serde_json::json!({"changes": crate::sync::changes_json(changes)}))
            }
            ServiceError::ImportIncomplete(report) => Some(serde_json::json!({"report": report})),
            ServiceError::InvalidDocument(report) => {
                serde_json::to_value(report.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>())
                    .ok()
                    .map(|p| serde_json::json!({"problems": p}))
            }
            _ => None,
        };
        let message = match &e {
            ServiceError::MigrationFailed(f) => {
                format!("{e}; the transaction rolled back: nothing was applied ({})", f.message)
            }
            _ => e.to_string(),
        };
        Stop::Failed(JobError { code: e.kind().to_uppercase(), message, statement, sql }, result)
    }
}

/// What a running job shares with its heartbeat.
pub(crate) struct JobContext {
    progress: Mutex<JobProgress>,
    cancel: AtomicBool,
    lost: AtomicBool,
    done: AtomicBool,
}

impl JobContext {
    fn new(progress: JobProgress, cancel: bool) -> Self {
        Self {
            progress: Mutex::new(progress),
            cancel: AtomicBool::new(cancel),
            lost: AtomicBool::new(false),
            done: AtomicBool::new(false),
        }
    }

    fn progress(&self) -> JobProgress {
        self.progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Start step `done + 1` of `total`, unless the job was cancelled or
    /// lost meanwhile.
    pub(crate) fn step(&self, done: i32, total: i32, current: &str) -> Result<(), Stop> {
        self.checkpoint()?;
        *self.progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            JobProgress { done, total, current: Some(current.to_string()) };
        Ok(())
    }

    /// Whether the job may go on.
    pub(crate) fn checkpoint(&self) -> Result<(), Stop> {
        if self.lost.load(Ordering::SeqCst) {
            return Err(Stop::Lost);
        }
        if self.cancel.load(Ordering::SeqCst) {
            return Err(Stop::Cancelled);
        }
        Ok(())
    }
}

impl<S: Store + 'static> App<S> {
    /// Start `settings.workers` worker threads.
    pub fn start_workers(&self) -> JobWorkers {
        let stop = Arc::new(AtomicBool::new(false));
        let handles = self.spawn_workers(&stop);
        JobWorkers { stop, handles }
    }

    fn spawn_workers(&self, stop: &Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>> {
        let process = format!("{}-{}", std::process::id(), &Uuid::new_v4().simple().to_string()[..8]);
        (0..self.jobs.workers)
            .filter_map(|n| {
                let (app, stop, name) = (self.clone(), Arc::clone(stop), format!("{process}/{n}"));
                std::thread::Builder::new()
                    .name(format!("job-worker-{n}"))
                    .spawn(move || app.work(&name, &stop))
                    .map_err(|e| tracing::error!(error = %e, "cannot start a job worker"))
                    .ok()
            })
            .collect()
    }
}

impl<S: Store> App<S> {
    /// The same application running jobs under `settings`.
    pub fn with_jobs(mut self, settings: JobSettings) -> Self {
        self.jobs = settings;
        self
    }

    /// The caller's job.
    pub fn get_job(&self, principal: Principal, id: Uuid) -> ServiceResult<Job> {
        self.store.get_job(principal.user_id, id)?.ok_or(ServiceError::JobNotFound)
    }

    /// A page of the caller's jobs, newest first.
    pub fn list_jobs(&self, principal: Principal, filter: JobFilter) -> ServiceResult<JobPage> {
        let (page, limit, offset) = crate::schemas::page_window(filter.page, filter.limit);
        let query = JobQuery {
            schema_id: filter.schema_id,
            // A provisioned database's jobs are its schema's; an unknown
            // connection simply has none.
            target: match filter.connection_id {
                Some(c) => Some(match self.get_connection(principal, c) {
                    Ok(p) if p.provisioned => crate::sync::database_target(p.id),
                    Ok(_) | Err(ServiceError::ConnectionNotFound) => format!("connection:{c}"),
                    Err(e) => return Err(e),
                }),
                None => None,
            },
            status: filter.status,
            offset,
            limit: i64::from(limit),
        };
        let Page { items, total } = self.store.list_jobs(principal.user_id, &query)?;
        Ok(JobPage { items, page, limit, total })
    }

    /// Cancel the caller's job: a pending one at once, a running one at its
    /// next step (before it commits). A cancelled job stays cancelled; one
    /// that succeeded or failed cannot be.
    pub fn cancel_job(&self, principal: Principal, id: Uuid) -> ServiceResult<Job> {
        self.audited(
            principal,
            Action::JobCancel,
            Some(id),
            || {
                let job = self.store.cancel_job(principal.user_id, id).map_err(|e| match e {
                    RepoError::NotFound => ServiceError::JobNotFound,
                    other => other.into(),
                })?;
                match job.status {
                    JobStatus::Succeeded | JobStatus::Failed => Err(ServiceError::JobEnded(job.status.as_str())),
                    _ => Ok(job),
                }
            },
            |_| Recorded::default(),
        )
    }

    /// Claim and run jobs until `stop` is set.
    fn work(&self, worker: &str, stop: &AtomicBool) {
        tracing::info!(worker, "job worker started");
        while !stop.load(Ordering::SeqCst) {
            match self.store.claim_job(worker, self.jobs.lease()) {
                Ok(Some(job)) => self.run_claimed(worker, job),
                Ok(None) => sleep_unless(stop, self.jobs.poll),
                Err(e) => {
                    tracing::warn!(worker, error = %e, "cannot claim a job");
                    sleep_unless(stop, self.jobs.poll);
                }
            }
        }
        tracing::info!(worker, "job worker stopped");
    }

    /// Run a claimed job to its end, its heartbeat beside it.
    pub(crate) fn run_claimed(&self, worker: &str, job: Job) {
        tracing::info!(worker, job_id = %job.id, kind = %job.kind, attempt = job.attempts, "job claimed");
        let ctx = JobContext::new(job.progress.clone(), job.cancel_requested);
        let outcome = std::thread::scope(|s| {
            let beat = s.spawn(|| self.heartbeat(worker, job.id, &ctx));
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.execute(&job, &ctx)))
                .unwrap_or_else(|_| Err(Stop::Failed(internal("the job panicked"), None)));
            ctx.done.store(true, Ordering::SeqCst);
            beat.thread().unpark();
            outcome
        });
        let end = match outcome {
            Ok(result) => JobEnd::Succeeded(result),
            Err(Stop::Cancelled) => JobEnd::Cancelled,
            Err(Stop::Failed(error, result)) => JobEnd::Failed(error, result),
            Err(Stop::Lost) => {
                tracing::warn!(worker, job_id = %job.id, "lost the job's lease to another worker: leaving it");
                return;
            }
        };
        let status = match &end {
            JobEnd::Succeeded(_) => "succeeded",
            JobEnd::Failed(..) => "failed",
            JobEnd::Cancelled => "cancelled",
        };
        // The last progress first, then the end (both only while it is ours).
        let mut last = ctx.progress();
        if matches!(end, JobEnd::Succeeded(_)) {
            (last.done, last.current) = (last.total, None);
        }
        let _ = self.store.heartbeat_job(job.id, worker, self.jobs.lease(), &last);
        match self.store.finish_job(job.id, worker, end) {
            Ok(true) => tracing::info!(worker, job_id = %job.id, status, "job ended"),
            Ok(false) => tracing::warn!(worker, job_id = %job.id, "the job was taken over before it ended here"),
            Err(e) => tracing::error!(worker, job_id = %job.id, error = %e, "cannot record the job's end"),
        }
    }

    fn heartbeat(&self, worker: &str, id: Uuid, ctx: &JobContext) {
        while !ctx.done.load(Ordering::SeqCst) {
            std::thread::park_timeout(self.jobs.heartbeat);
            if ctx.done.load(Ordering::SeqCst) {
                break;
            }
            match self.store.heartbeat_job(id, worker, self.jobs.lease(), &ctx.progress()) {
                Ok(beat) => {
                    ctx.cancel.store(beat.cancel_requested, Ordering::SeqCst);
                    if !beat.held {
                        ctx.lost.store(true, Ordering::SeqCst);
                        break;
                    }
                }
                Err(e) => tracing::warn!(worker, job_id = %id, error = %e, "heartbeat failed"),
            }
        }
    }

    fn execute(&self, job: &Job, ctx: &JobContext) -> Result<serde_json::Value, Stop> {
        // Cancelled before a worker got to it (or taken over after a cancel).
        ctx.checkpoint()?;
        match job.kind.as_str() {
            "sync" => self.run_sync(job, ctx),
            "database" => self.run_database_job(job, ctx),
            "import" => self.run_import_job(job, ctx),
            other => Err(Stop::Failed(internal(&format!("unknown job kind {other:?}")), None)),
        }
    }

    /// `attempt`, again while it finds the schema's operation lock held
    /// elsewhere, for up to `lock_wait` (the heartbeat goes on meanwhile).
    pub(crate) fn while_locked<T>(
        &self,
        ctx: &JobContext,
        mut attempt: impl FnMut() -> ServiceResult<T>,
    ) -> Result<T, Stop> {
        let until = Instant::now() + self.jobs.lock_wait;
        loop {
            ctx.checkpoint()?;
            match attempt() {
                Err(ServiceError::OperationInProgress) if Instant::now() < until => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                other => return other.map_err(Stop::from),
            }
        }
    }

    /// The schema's operation lock, waited for up to `lock_wait`.
    pub(crate) fn wait_for_lock(&self, id: Uuid, ctx: &JobContext) -> Result<schemaforge_repository::SchemaLock, Stop> {
        self.while_locked(ctx, || self.lock_schema(id))
    }
}

fn internal(message: &str) -> JobError {
    JobError { code: "INTERNAL".into(), message: message.into(), statement: None, sql: None }
}

fn sleep_unless(stop: &AtomicBool, total: Duration) {
    let until = Instant::now() + total;
    while !stop.load(Ordering::SeqCst) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50).min(total));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeAdmin, MemoryStore, app_with};
    use schemaforge_repository::{JobRepository, NewJob};

    fn setup() -> (App<MemoryStore>, Arc<MemoryStore>, Principal) {
        let store = Arc::new(MemoryStore::default());
        let app = app_with(Arc::clone(&store), Arc::new(FakeAdmin::default()));
        let reg = app.register("ada@example.com", "correct horse battery", None).unwrap();
        let ada = app.authenticate(&reg.tokens.access_token).unwrap();
        (app, store, ada)
    }

    fn enqueue(store: &MemoryStore, owner: Uuid, kind: &str, target: &str) -> Job {
        store
            .enqueue_job(NewJob {
                id: Uuid::new_v4(),
                owner_id: owner,
                schema_id: None,
                kind: kind.into(),
                target: target.into(),
                params: serde_json::json!({}),
            })
            .unwrap()
    }

    #[test]
    fn a_worker_ends_every_job_it_claims_and_honours_a_cancel_before_it_starts() {
        let (app, store, ada) = setup();
        let unknown = enqueue(&store, ada.user_id, "no such kind", "t:1");
        let claimed = store.claim_job("w", app.jobs.lease()).unwrap().unwrap();
        app.run_claimed("w", claimed);
        let failed = app.get_job(ada, unknown.id).unwrap();
        assert_eq!((failed.status, failed.error.map(|e| e.code)), (JobStatus::Failed, Some("INTERNAL".to_string())));

        // Asked to cancel while claimed: it stops at its first step.
        let sync = enqueue(&store, ada.user_id, "sync", "t:2");
        let claimed = store.claim_job("w", app.jobs.lease()).unwrap().unwrap();
        assert_eq!(app.cancel_job(ada, sync.id).unwrap().status, JobStatus::Running);
        let claimed = Job { cancel_requested: true, ..claimed };
        app.run_claimed("w", claimed);
        assert_eq!(app.get_job(ada, sync.id).unwrap().status, JobStatus::Cancelled);
        assert!(matches!(app.cancel_job(ada, unknown.id), Err(ServiceError::JobEnded("failed"))));

        // Listing filters and pages.
        let page = app.list_jobs(ada, JobFilter { status: Some(JobStatus::Cancelled), ..Default::default() }).unwrap();
        assert_eq!((page.total, page.items[0].id), (1, sync.id));
        let page = app.list_jobs(ada, JobFilter { limit: Some(1), ..Default::default() }).unwrap();
        assert_eq!((page.total, page.items.len(), page.limit), (2, 1, 1));
        let other = app.register("bob@example.com", "correct horse battery", None).unwrap();
        let bob = app.authenticate(&other.tokens.access_token).unwrap();
        assert!(matches!(app.get_job(bob, sync.id), Err(ServiceError::JobNotFound)));
        assert!(matches!(app.cancel_job(bob, sync.id), Err(ServiceError::JobNotFound)));
    }
}
