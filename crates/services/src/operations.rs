//! Provisioning, migrating and rolling back a schema's database, and
//! imports, as durable jobs (`?async=true` on their endpoints): the same
//! operations, run by a worker, followed through `/jobs`.
//! Each is safe to run again after a lost worker: a build that crashed is
//! cleared and made again, and a migration already applied finds nothing
//! to do.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use base64::Engine as _;
use schemaforge_repository::ImportTarget;

use crate::imports::{Source, check_request};
use crate::jobs::{JobContext, Stop};
use crate::sync::database_target;
use crate::{App, DataLoss, DatabaseState, ImportRequest, Job, Principal, ServiceError, ServiceResult, Store};

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
        self.while_locked(ctx, || match operation {
            DatabaseJob::Provision => self.provision_database(principal, id).map(|s| state_json(&s)),
            DatabaseJob::Migrate { allow_data_loss } => self
                .migrate_database(principal, id, consent(allow_data_loss))
                .map(|m| json!({"from": m.from, "to": m.to, "applied": m.applied, "state": state_json(&m.state)})),
            DatabaseJob::Rollback { to, allow_data_loss } => self
                .rollback_database(principal, id, to, consent(allow_data_loss))
                .map(|m| json!({"from": m.from, "to": m.to, "applied": m.applied, "state": state_json(&m.state)})),
        })
    }
}

/// Where a queued import reads from.
#[derive(Debug, Clone)]
pub enum ImportJobSource {
    /// A client's live database: the URL (with its password) is kept in
    /// the job sealed with the AEAD key, bound to the job's id. (SQL text
    /// is imported synchronously: the text is in the request, and its load
    /// is bounded by `import.timeout_secs`.)
    Database(String),
}

impl<S: Store> App<S> {
    /// Ask for an import as a job. The new schema's id is the job's, so a
    /// run taken over after a lost worker finds the schema the first made
    /// instead of making a second.
    pub fn request_import_job(
        &self,
        principal: Principal,
        source: ImportJobSource,
        request: ImportRequest,
    ) -> ServiceResult<Job> {
        let id = Uuid::new_v4();
        let source = match &source {
            ImportJobSource::Database(url) => {
                let target = ImportTarget::parse(url).map_err(ServiceError::ImportSource)?;
                check_request(Source::Database(&target), &request)?;
                let sealed = self
                    .provisioning
                    .encryption_key
                    .seal(id, url)
                    .ok_or_else(|| ServiceError::Internal("cannot encrypt the URL".into()))?;
                json!({"kind": "database", "sealedUrl": base64::engine::general_purpose::STANDARD.encode(sealed)})
            }
        };
        let params = json!({
            "source": source,
            "name": request.name,
            "namespaces": request.namespaces,
            "strict": request.strict,
        });
        Ok(self.store.enqueue_job(schemaforge_repository::NewJob {
            id,
            owner_id: principal.user_id,
            schema_id: None,
            kind: "import".into(),
            target: format!("import:{id}"),
            params,
        })?)
    }

    /// Run an import job (claimed by this worker).
    pub(crate) fn run_import_job(&self, job: &Job, ctx: &JobContext) -> Result<Value, Stop> {
        let broken = |what: &str| Stop::from(ServiceError::Internal(format!("the job's parameters: {what}")));
        let p = &job.params;
        let request = ImportRequest {
            name: p["name"].as_str().map(str::to_string),
            namespaces: p["namespaces"]
                .as_array()
                .map(|a| a.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            strict: p["strict"].as_bool().unwrap_or(false),
        };
        let principal = Principal { user_id: job.owner_id, api_key_id: None, request_id: None };
        ctx.step(0, 1, "importing")?;
        // Taken over: the first run stored the schema already.
        if let Ok(schema) = self.get_schema(principal, job.id) {
            return Ok(json!({"schemaId": schema.id, "name": schema.name, "version": schema.version, "rerun": true}));
        }
        let imported = match p["source"]["kind"].as_str() {
            Some("database") => {
                let sealed = p["source"]["sealedUrl"]
                    .as_str()
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                    .ok_or_else(|| broken("no sealed URL"))?;
                let url =
                    self.provisioning.encryption_key.open(job.id, &sealed).ok_or_else(|| {
                        broken("the URL cannot be decrypted (was provisioning.encryption_key changed?)")
                    })?;
                let target = ImportTarget::parse(&url).map_err(|e| Stop::from(ServiceError::ImportSource(e)))?;
                self.import_from(principal, Source::Database(&target), request, job.id)
            }
            _ => return Err(broken("an unknown source")),
        }
        .map_err(Stop::from)?;
        Ok(json!({
            "schemaId": imported.schema.id,
            "name": imported.schema.name,
            "version": imported.schema.version,
            "report": serde_json::to_value(&imported.report).unwrap_or(Value::Null),
        }))
    }
}
