//! Drift of provisioned databases: the record of catalog identities written
//! after every build and migration, and the comparison of the live
//! database with a version of its design (`schemaforge-drift`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use schemaforge_domain::ValidSchema;
use schemaforge_drift::{Drift, IdentityRecord, assess_printed, desired_as_printed, managed_namespaces, read_managed};
use schemaforge_introspect::Imported;
use schemaforge_repository::{DatabaseRecord, IntrospectError, IntrospectOptions, LoadError, LoadOptions};
use schemaforge_sqlgen::create_script;
use uuid::Uuid;

use crate::{App, Principal, ServiceError, ServiceResult, Store};

/// (schema, version) and the design as printed.
type Entry = ((Uuid, i32), Arc<Imported>);

/// Designs as PostgreSQL prints them (built on a scratch database and
/// imported), by (schema, version): versions never change, so
/// an entry is never stale. The newest `capacity` are kept.
pub(crate) struct BuiltCache {
    entries: Mutex<VecDeque<Entry>>,
    capacity: usize,
}

impl BuiltCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { entries: Mutex::new(VecDeque::new()), capacity }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Entry>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, key: (Uuid, i32)) -> Option<Arc<Imported>> {
        let mut entries = self.lock();
        let at = entries.iter().position(|(k, _)| *k == key)?;
        let entry = entries.remove(at)?;
        let catalog = Arc::clone(&entry.1);
        entries.push_back(entry);
        Some(catalog)
    }

    fn put(&self, key: (Uuid, i32), catalog: Arc<Imported>) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.lock();
        entries.retain(|(k, _)| *k != key);
        if entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back((key, catalog));
    }
}

/// Designs whose scratch build is kept for drift.
pub(crate) const BUILT_CACHE_ENTRIES: usize = 16;

fn read_error(e: IntrospectError) -> ServiceError {
    match e {
        IntrospectError::Unreachable(m) => ServiceError::Unavailable(schemaforge_repository::RepoError::Unavailable(m)),
        other => ServiceError::Internal(format!("cannot read the database's catalog: {other}")),
    }
}

impl<S: Store> App<S> {
    /// Record the catalog identity of every element of `schema` in the
    /// database of `record`, just built or migrated to `version`. A failure
    /// is logged, not returned: the database is there, and drift falls back
    /// to matching by name where the record lacks an element. A database
    /// just built from the create script (`fresh`) is also the design as
    /// PostgreSQL prints it: kept for the drifts of that version.
    pub(crate) fn record_identity(&self, schema: &ValidSchema, record: &DatabaseRecord, version: i32, fresh: bool) {
        let options =
            IntrospectOptions { namespaces: managed_namespaces(schema).into_iter().collect(), ..Default::default() };
        let outcome =
            self.admin.read_catalog(&record.database_name, &options).map_err(|e| e.to_string()).and_then(|catalog| {
                if fresh {
                    self.built.put((record.schema_id, version), Arc::new(desired_as_printed(schema, &catalog)));
                }
                let json = serde_json::to_string(&IdentityRecord::of(schema, &catalog)).map_err(|e| e.to_string())?;
                self.admin
                    .write_identity(&record.database_name, &record.role_name, version, &json)
                    .map_err(|e| e.to_string())
            });
        if let Err(error) = outcome {
            tracing::warn!(database = %record.database_name, version, %error, "cannot record the catalog identities");
        }
    }

    /// The drift of the schema's provisioned database from version
    /// `version` of its design (default: the current one).
    #[tracing::instrument(skip_all, fields(schema_id = %id))]
    pub fn database_drift(&self, principal: Principal, id: Uuid, version: Option<i32>) -> ServiceResult<Drift> {
        let schema = self.get_schema(principal, id)?;
        // A build, regenerate, migration or drop under way would make the
        // comparison meaningless (or find no database at all).
        let _lock = self.lock_schema(id)?;
        let record = self.ready_record(principal, id)?;
        let version = version.unwrap_or(schema.version);
        let desired = crate::schemas::valid(self.get_version(principal, id, version)?.document)?;
        self.drift_of(&record, version, &desired)
    }

    /// Version `version` of the schema (`desired`) as PostgreSQL prints it
    /// (built on a scratch database), from the cache when it was built before.
    pub(crate) fn printed(&self, schema: Uuid, version: i32, desired: &ValidSchema) -> ServiceResult<Arc<Imported>> {
        if let Some(catalog) = self.built.get((schema, version)) {
            return Ok(catalog);
        }
        let loaded =
            self.admin.load_sql(&create_script(desired).to_sql(), &LoadOptions::default()).map_err(|e| match e {
                LoadError::Server(e) => read_error(e),
                other => ServiceError::Internal(format!("the design does not build on the server: {other}")),
            })?;
        let printed = Arc::new(desired_as_printed(desired, &loaded.catalog));
        self.built.put((schema, version), Arc::clone(&printed));
        Ok(printed)
    }

    /// The drift of the database of `record` from version `version` of its
    /// design, `desired` (the caller holds the schema's operation lock).
    pub(crate) fn drift_of(
        &self,
        record: &DatabaseRecord,
        version: i32,
        desired: &ValidSchema,
    ) -> ServiceResult<Drift> {
        let printed = self.printed(record.schema_id, version, desired)?;
        let (catalog, others) = read_managed(&managed_namespaces(desired), |namespaces| {
            self.admin.read_catalog(&record.database_name, &IntrospectOptions { namespaces, ..Default::default() })
        })
        .map_err(read_error)?;
        let identity = match self.admin.read_identity(&record.database_name)? {
            Some(text) => serde_json::from_str::<IdentityRecord>(&text)
                .map_err(|e| {
                    tracing::warn!(error = %e, "the record of catalog identities does not parse: matching by name");
                })
                .ok(),
            None => None,
        };
        Ok(assess_printed(desired, &printed, &catalog, others, identity.as_ref()))
    }
}
