//! Provisioning, migrating and rolling back a schema's database as durable
//! jobs (`?async=true` on their endpoints): the same operations, run by a
//! worker under the schema's operation lock, followed through `/jobs`.
//! Each is safe to run again after a lost worker: a build that crashed is
//! cleared and made again, and a migration already applied finds nothing
//! to do.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::jobs::{JobContext, Stop};
use crate::sync::database_target;
use crate::{App, DataLoss, DatabaseState, Job, Principal, ServiceError, ServiceResult, Store};

/// A database operation to run as a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all = "camelCase")]
pub enum DatabaseJob {
    /// Create the database from the current version.
    Provision,
    /// Migrate it to the current version.
    #[serde(rename_all = "camelCase")]
    Migrate {
        /// `data_loss` changes may be applied.
        allow_data_loss: bool,
    },
    /// Roll it back to version `to`.
    #[serde(rename_all = "camelCase")]
    Rollback {
        /// The version rolled back to.
        to: i32,
        /// `data_loss` changes may be applied.
        allow_data_loss: bool,
    },
}

fn consent(allow: bool) -> DataLoss {
    if allow { DataLoss::Allow } else { DataLoss::Refuse }
}

fn state_json(s: &DatabaseState) -> Value {
    json!({"status": s.status.map(|st| st.as_str()), "appliedVersion": s.applied_version, "currentVersion": s.current_version})
}

impl<S: Store> App<S> {
    /// Ask for `operation` on the schema's database as a job
    /// (`JobInProgress` when the database has one pending or running).
    pub fn request_database_job(&self, principal: Principal, id: Uuid, operation: DatabaseJob) -> ServiceResult<Job> {
        self.get_schema(principal, id)?;
        let params = serde_json::to_value(operation).map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(self.store.enqueue_job(schemaforge_repository::NewJob {
            id: Uuid::new_v4(),
            owner_id: principal.user_id,
            schema_id: Some(id),
            kind: "database".into(),
            target: database_target(id),
            params,
        })?)
    }

    /// Run a database job (claimed by this worker).
    pub(crate) fn run_database_job(&self, job: &Job, ctx: &JobContext) -> Result<Value, Stop> {
        let operation: DatabaseJob = serde_json::from_value(job.params.clone())
            .map_err(|e| Stop::from(ServiceError::Internal(format!("the job's parameters do not parse: {e}"))))?;
        let id = job.schema_id.ok_or_else(|| Stop::from(ServiceError::Internal("the job names no schema".into())))?;
        let principal = Principal { user_id: job.owner_id, api_key_id: None, request_id: None };
        let step = match operation {
            DatabaseJob::Provision => "provisioning the database",
            DatabaseJob::Migrate { .. } => "migrating the database",
            DatabaseJob::Rollback { .. } => "rolling the database back",
        };
        ctx.step(0, 1, step)?;
        // The operation takes the schema's lock itself; while another
        // holds it, wait (as a sync does) rather than fail at once.
        let until = Instant::now() + self.jobs.lock_wait;
        loop {
            ctx.checkpoint()?;
            let outcome = match operation {
                DatabaseJob::Provision => self.provision_database(principal, id).map(|s| state_json(&s)),
                DatabaseJob::Migrate { allow_data_loss } => self
                    .migrate_database(principal, id, consent(allow_data_loss))
                    .map(|m| json!({"from": m.from, "to": m.to, "applied": m.applied, "state": state_json(&m.state)})),
                DatabaseJob::Rollback { to, allow_data_loss } => self
                    .rollback_database(principal, id, to, consent(allow_data_loss))
                    .map(|m| json!({"from": m.from, "to": m.to, "applied": m.applied, "state": state_json(&m.state)})),
            };
            match outcome {
                Err(ServiceError::OperationInProgress) if Instant::now() < until => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                other => return other.map_err(Stop::from),
            }
        }
    }
}
