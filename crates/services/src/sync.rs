//! Sync of a provisioned database with its design, as a durable job:
//! **to-live** applies the drift through the migration engine (the same
//! safety classes, consent for data loss, one transaction);
//! **to-design** adopts the live database as a new version of the design,
//! keeping the ids of matched and renamed elements. Either can take all
//! the drift, only indexes, or chosen elements by id, and can be a dry run.

use std::collections::HashSet;

use schemaforge_domain::{Safety, SchemaDocument, ValidSchema};
use schemaforge_drift::{Drift, element_ids, merge};
use schemaforge_repository::{Connection, DatabaseRecord, Job, JobError, NewJob, ScriptRun, ScriptTimeouts};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audit::{Action, Recorded};
use crate::jobs::{JobContext, Stop};
use crate::migrations::apply_error;
use crate::provision::checksum;
use crate::schemas::valid;
use crate::{App, Principal, ServiceError, ServiceResult, Store};

/// Which way a sync goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncDirection {
    /// Make the live database match the design.
    ToLive,
    /// Make the design match the live database (a new version).
    ToDesign,
}

/// Which elements a sync takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SyncElements {
    /// Every element that drifted.
    #[default]
    All,
    /// Only indexes (of tables and materialized views).
    Indexes,
    /// These elements, by id.
    Ids(Vec<String>),
}

/// A sync as asked (stored as the job's parameters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRequest {
    /// Which way.
    pub direction: SyncDirection,
    /// The design's version compared with (default: the current one).
    #[serde(default)]
    pub version: Option<i32>,
    /// Which elements.
    #[serde(default)]
    pub elements: SyncElements,
    /// Plan only: nothing is applied or stored.
    #[serde(default)]
    pub dry_run: bool,
    /// A to-live sync may destroy data.
    #[serde(default)]
    pub allow_data_loss: bool,
    /// The registered connection synced (`None`: the schema's provisioned
    /// database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Uuid>,
}

/// The live database a sync works on.
enum Live {
    /// The schema's provisioned database.
    Provisioned(DatabaseRecord),
    /// A registered connection.
    Registered(Connection),
}

/// What a running sync works with.
struct Sync<'a> {
    principal: Principal,
    id: Uuid,
    version: i32,
    live: &'a Live,
    chosen: &'a HashSet<String>,
    request: &'a SyncRequest,
    ctx: &'a JobContext,
}

/// Most ids one sync may name.
const MAX_IDS: usize = 10_000;
/// Steps of a sync: lock, compare, apply or adopt, check.
const STEPS: i32 = 4;

/// The job target of a schema's provisioned database.
pub(crate) fn database_target(schema: Uuid) -> String {
    format!("schema-database:{schema}")
}

fn failed(code: &str, message: String, result: Option<Value>) -> Stop {
    Stop::Failed(JobError { code: code.into(), message, statement: None, sql: None }, result)
}

/// Each change's safety class, target and description.
pub(crate) fn changes_json(changes: &schemaforge_domain::ChangeSet) -> Value {
    changes
        .changes()
        .iter()
        .map(|c| json!({"safety": c.safety.to_string(), "target": c.target, "description": c.description}))
        .collect()
}

/// The ids a sync takes from `drift`.
fn chosen(drift: &Drift, elements: &SyncElements) -> Result<HashSet<String>, Stop> {
    Ok(match elements {
        SyncElements::All => drift.elements.iter().map(|e| e.id.clone()).collect(),
        SyncElements::Indexes => {
            drift.elements.iter().filter(|e| matches!(e.kind, "index" | "view index")).map(|e| e.id.clone()).collect()
        }
        SyncElements::Ids(ids) => {
            let mut known = element_ids(&drift.desired_document);
            known.extend(element_ids(&drift.live_document));
            let unknown: Vec<&String> = ids.iter().filter(|id| !known.contains(*id)).collect();
            if !unknown.is_empty() {
                return Err(failed(
                    "UNKNOWN_ELEMENT",
                    format!("neither the design nor the live database has elements {unknown:?}"),
                    None,
                ));
            }
            ids.iter().cloned().collect()
        }
    })
}

impl<S: Store> App<S> {
    /// Ask for a sync of the schema's provisioned database: a pending job
    /// (`JobInProgress` when the database has one pending or running).
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, schema_id = %id))]
    pub fn request_sync(&self, principal: Principal, id: Uuid, mut request: SyncRequest) -> ServiceResult<Job> {
        request.connection = None;
        self.enqueue_sync(principal, id, database_target(id), request)
    }

    /// Ask for a sync of a registered connection with the design it is
    /// bound to (its bound version unless `request.version` says another).
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, connection_id = %connection))]
    pub fn request_connection_sync(
        &self,
        principal: Principal,
        connection: Uuid,
        mut request: SyncRequest,
    ) -> ServiceResult<Job> {
        let c = self.get_connection(principal, connection)?;
        if c.provisioned {
            return self.request_sync(principal, c.id, request);
        }
        let schema = c.schema_id.ok_or(ServiceError::InvalidInput {
            field: "connection",
            message: "is bound to no schema: PATCH it with a schemaId first".into(),
        })?;
        request.connection = Some(connection);
        request.version = request.version.or(c.schema_version);
        self.enqueue_sync(principal, schema, format!("connection:{connection}"), request)
    }

    fn enqueue_sync(&self, principal: Principal, id: Uuid, target: String, request: SyncRequest) -> ServiceResult<Job> {
        self.audited(
            principal,
            Action::DatabaseSyncRequest,
            Some(id),
            || {
                self.get_schema(principal, id)?;
                if request.connection.is_none() {
                    self.ready_record(principal, id)?;
                }
                if let Some(v) = request.version {
                    self.get_version(principal, id, v)?;
                }
                if let SyncElements::Ids(ids) = &request.elements {
                    if ids.is_empty() || ids.len() > MAX_IDS {
                        return Err(ServiceError::InvalidInput {
                            field: "elements",
                            message: format!("must list 1 to {MAX_IDS} element ids"),
                        });
                    }
                }
                let params = serde_json::to_value(&request).map_err(|e| ServiceError::Internal(e.to_string()))?;
                Ok(self.store.enqueue_job(NewJob {
                    id: Uuid::new_v4(),
                    owner_id: principal.user_id,
                    schema_id: Some(id),
                    kind: "sync".into(),
                    target: target.clone(),
                    params,
                })?)
            },
            |job| Recorded { detail: Some(json!({"job": job.id, "params": job.params})), ..Default::default() },
        )
    }

    /// Run a sync job (claimed by this worker).
    pub(crate) fn run_sync(&self, job: &Job, ctx: &JobContext) -> Result<Value, Stop> {
        let request: SyncRequest = serde_json::from_value(job.params.clone())
            .map_err(|e| failed("INVALID_JOB", format!("the job's parameters do not parse: {e}"), None))?;
        let id = job.schema_id.ok_or_else(|| failed("INVALID_JOB", "the job names no schema".into(), None))?;
        let principal = Principal { user_id: job.owner_id, api_key_id: None, request_id: None };
        let mut outcome = None;
        // Audited as the owner's operation; the closure's error is the job's.
        let _ = self.audited(
            principal,
            Action::DatabaseSync,
            Some(id),
            || {
                let r = self.sync(principal, id, &request, ctx);
                let ok = r.is_ok();
                outcome = Some(r);
                if ok { Ok(()) } else { Err(ServiceError::Internal("the sync did not succeed".into())) }
            },
            |_| Recorded { detail: Some(json!({"job": job.id})), ..Default::default() },
        );
        outcome.unwrap_or_else(|| Err(failed("INTERNAL", "the sync did not run".into(), None)))
    }

    fn sync(&self, principal: Principal, id: Uuid, request: &SyncRequest, ctx: &JobContext) -> Result<Value, Stop> {
        ctx.step(0, STEPS, "waiting for the schema's operation lock")?;
        let schema = self.get_schema(principal, id)?;
        // A provisioned database: under the schema's operation lock, as
        // builds and migrations are. A registered one has no other writer
        // here than its one job.
        let (live, _lock) = match request.connection {
            None => {
                let lock = self.wait_for_lock(id, ctx)?;
                (Live::Provisioned(self.ready_record(principal, id)?), Some(lock))
            }
            Some(c) => (Live::Registered(self.get_connection(principal, c)?), None),
        };
        let version = request.version.unwrap_or(schema.version);
        let design = self.get_version(principal, id, version)?.document;
        let desired = valid(design.clone())?;
        ctx.step(1, STEPS, "comparing the live database with the design")?;
        let drift = self.live_drift(&live, id, version, &desired)?;
        if !drift.errors.is_empty() {
            return Err(failed(
                "DRIFT_UNCLEAR",
                "the comparison found errors: resolve them first".into(),
                Some(json!({"errors": drift.errors})),
            ));
        }
        let chosen = chosen(&drift, &request.elements)?;
        let sync = Sync { principal, id, version, live: &live, chosen: &chosen, request, ctx };
        match request.direction {
            SyncDirection::ToLive => self.sync_to_live(&sync, &desired, drift),
            SyncDirection::ToDesign => self.adopt(&sync, schema.version, design, drift),
        }
    }

    fn live_drift(&self, live: &Live, id: Uuid, version: i32, desired: &ValidSchema) -> ServiceResult<Drift> {
        match live {
            Live::Provisioned(record) => self.drift_of(record, version, desired),
            Live::Registered(c) => self.registered_drift(c, id, version, desired),
        }
    }

    /// Apply the chosen drift to the live database, in one transaction.
    fn sync_to_live(&self, sync: &Sync<'_>, desired: &ValidSchema, drift: Drift) -> Result<Value, Stop> {
        let Sync { version, chosen, request, ctx, .. } = *sync;
        let all = request.elements == SyncElements::All;
        // Everything: the drift's own script, and the database is then at
        // `version`. Some elements: the live database with those elements
        // as the design has them, and the database stays at its version.
        let (changes, statements, target, at) = if all {
            (drift.changes, drift.to_design, desired.clone(), version)
        } else {
            let live = valid(drift.live_document.clone())?;
            let target = merge(&drift.live_document, &drift.desired_document, chosen)
                .map_err(|e| failed("INTERNAL", e.to_string(), None))
                .and_then(|doc| valid(doc).map_err(Stop::from))?;
            let m = schemaforge_sqlgen::migration(&live, &target);
            let statements = m.up.statements().iter().map(|s| s.sql.clone()).collect();
            let at = match sync.live {
                Live::Provisioned(record) => record.applied_version.unwrap_or(version),
                Live::Registered(_) => version,
            };
            (m.changes, statements, target, at)
        };
        let mut result = json!({
            "direction": "to-live",
            "dryRun": request.dry_run,
            "elements": chosen.len(),
            "changes": changes_json(&changes),
            "statements": statements,
            "applied": false,
        });
        if request.dry_run || changes.is_empty() {
            result["inStep"] = json!(all && changes.is_empty());
            return Ok(result);
        }
        if changes.has(Safety::DataLoss) && !request.allow_data_loss {
            return Err(failed(
                "DATA_LOSS_REFUSED",
                "the sync destroys data: ask again with allowDataLoss to apply it".into(),
                Some(result),
            ));
        }
        ctx.step(2, STEPS, "applying the changes in one transaction")?;
        self.apply_live(sync.live, &statements, at, "sync", &target)?;
        ctx.step(3, STEPS, "comparing again")?;
        let after = self.live_drift(sync.live, sync.id, version, desired)?;
        result["applied"] = json!(true);
        result["databaseVersion"] = json!(at);
        result["inStep"] = json!(after.in_step);
        result["remaining"] = json!(after.elements.len());
        Ok(result)
    }

    /// Adopt the chosen drift as a new version of the design.
    fn adopt(&self, sync: &Sync<'_>, current: i32, design: SchemaDocument, drift: Drift) -> Result<Value, Stop> {
        let Sync { principal, id, chosen, request, ctx, .. } = *sync;
        let all = request.elements == SyncElements::All;
        let document =
            merge(&design, &drift.live_document, chosen).map_err(|e| failed("INTERNAL", e.to_string(), None))?;
        let adopted = valid(document.clone())?;
        let mut result = json!({"direction": "to-design", "dryRun": request.dry_run, "elements": chosen.len()});
        if request.dry_run {
            result["document"] = serde_json::to_value(&document).unwrap_or(Value::Null);
            return Ok(result);
        }
        if chosen.is_empty() {
            result["version"] = Value::Null;
            result["inStep"] = json!(all);
            return Ok(result);
        }
        ctx.step(2, STEPS, "storing the adopted design as a new version")?;
        let stored = self.replace_schema(principal, id, Some(current), document)?;
        result["version"] = json!(stored.version);
        if all {
            // The database now is that version: its history says so, and
            // the record of identities names the adopted elements; a
            // connection bound to a fixed version follows it.
            match sync.live {
                Live::Provisioned(_) => self.apply_live(sync.live, &[], stored.version, "adopt", &adopted)?,
                Live::Registered(c) if c.schema_version.is_some() => {
                    let moved = Connection { schema_version: Some(stored.version), ..c.clone() };
                    self.store.update_connection(&moved).map_err(ServiceError::from)?;
                }
                Live::Registered(_) => {}
            }
        }
        ctx.step(3, STEPS, "comparing again")?;
        let after = self.live_drift(sync.live, id, stored.version, &adopted)?;
        result["inStep"] = json!(after.in_step);
        result["remaining"] = json!(after.elements.len());
        Ok(result)
    }

    /// Apply `statements` to the live database in one transaction, under
    /// the jobs' timeouts; a provisioned one also records `version` in its
    /// history and the identities of `target`'s elements.
    fn apply_live(
        &self,
        live: &Live,
        statements: &[String],
        version: i32,
        kind: &str,
        target: &ValidSchema,
    ) -> ServiceResult<()> {
        let record = match live {
            Live::Provisioned(record) => record.clone(),
            Live::Registered(c) => {
                let timeouts = ScriptTimeouts {
                    connect_secs: self.imports.connect_timeout_secs,
                    statement_ms: self.jobs.statement_timeout_ms,
                    lock_ms: self.jobs.lock_timeout_ms,
                };
                return match self.reader.apply_statements(&self.connection_target(c)?, statements, timeouts) {
                    Ok(ms) => {
                        tracing::info!(kind, duration_ms = ms, "sync applied to a registered connection");
                        Ok(())
                    }
                    Err(e) => Err(apply_error(e)),
                };
            }
        };
        self.apply_provisioned(record, statements, version, kind, target)
    }

    fn apply_provisioned(
        &self,
        mut record: DatabaseRecord,
        statements: &[String],
        version: i32,
        kind: &str,
        target: &ValidSchema,
    ) -> ServiceResult<()> {
        let sum = checksum(&statements.join(";\n"));
        let run = ScriptRun {
            statements,
            version,
            checksum: &sum,
            kind,
            lock_timeout_ms: Some(self.jobs.lock_timeout_ms),
            statement_timeout_ms: Some(self.jobs.statement_timeout_ms),
        };
        self.apply_recorded(&mut record, run, target)
    }
}
