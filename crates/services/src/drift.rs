//! Drift of provisioned databases: the record of catalog identities written
//! after every build and migration, and the comparison of the live
//! database with a version of its design (`schemaforge-drift`).

use schemaforge_domain::ValidSchema;
use schemaforge_drift::{Drift, IdentityRecord, assess, managed_namespaces, read_managed};
use schemaforge_repository::{DatabaseRecord, IntrospectError, IntrospectOptions, LoadError, LoadOptions};
use schemaforge_sqlgen::create_script;
use uuid::Uuid;

use crate::{App, Principal, ServiceError, ServiceResult, Store};

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
    /// to matching by name where the record lacks an element.
    pub(crate) fn record_identity(&self, schema: &ValidSchema, record: &DatabaseRecord, version: i32) {
        let options = IntrospectOptions::default();
        let outcome = self
            .admin
            .read_catalog(&record.database_name, &options)
            .map_err(|e| e.to_string())
            .and_then(|catalog| serde_json::to_string(&IdentityRecord::of(schema, &catalog)).map_err(|e| e.to_string()))
            .and_then(|json| {
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
        let desired =
            crate::schemas::valid(self.get_version(principal, id, version.unwrap_or(schema.version))?.document)?;
        self.drift_of(&record, &desired)
    }

    /// The drift of the database of `record` from `desired` (the caller
    /// holds the schema's operation lock).
    pub(crate) fn drift_of(&self, record: &DatabaseRecord, desired: &ValidSchema) -> ServiceResult<Drift> {
        let built =
            self.admin.load_sql(&create_script(desired).to_sql(), &LoadOptions::default()).map_err(|e| match e {
                LoadError::Server(e) => read_error(e),
                other => ServiceError::Internal(format!("the design does not build on the server: {other}")),
            })?;
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
        Ok(assess(desired, &built.catalog, &catalog, others, identity.as_ref()))
    }
}
