//! # schemaforge-services
//!
//! The use cases of the Schemaforge service: accounts (sign-up, login,
//! refresh-token rotation, logout, profile), API keys, and schemas (create,
//! list, read, replace, rename, delete, versions, validation, export), and
//! provisioning of a live database per schema, and import of schemas from
//! live databases and SQL text.
//!
//! Generic over the repository traits, synchronous (the HTTP adapter runs
//! calls off the async executor), and free of HTTP: errors are
//! [`ServiceError`], which the adapter maps to status codes.

mod audit;
mod auth;
mod connections;
mod drift;
mod error;
mod health;
mod imports;
mod jobs;
mod migrations;
mod operations;
mod provision;
mod schemas;
mod secrets;
mod sync;
mod texts;
mod throttle;

#[cfg(test)]
mod fake;

pub use audit::AuditPage;
pub use auth::{API_KEY_PREFIX, AuthSettings, Authenticated, NewApiKeySecret, Principal, RequestId, Tokens};
pub use connections::{ConnectionInput, ConnectionPage};
pub use error::{ServiceError, ServiceResult};
pub use health::HEALTH_TTL;
pub use imports::{ImportRequest, ImportSettings, ImportedSchema};
pub use jobs::{JobFilter, JobPage, JobSettings, JobWorkers};
pub use migrations::{DataLoss, MigrationOutcome, VersionDiff};
pub use operations::{DatabaseJob, ImportJobSource};
pub use provision::{ConnectionInfo, DatabaseNames, DatabaseState, NAME_PREFIX, ProvisioningSettings, checksum};
pub use schemaforge_drift::{AttributeDiff, Drift, ElementDrift, Matching, Status as DriftStatus};
pub use schemaforge_introspect::{ImportReport, Outcome as ImportOutcome, ReportItem as ImportItem};
pub use schemaforge_repository::Connection;
pub use schemaforge_repository::{Job, JobError, JobProgress, JobStatus};
pub use schemas::{ListParams, MAX_PAGE_LIMIT, SchemaPage};
pub use secrets::{EncryptionKey, InvalidKey};
pub use sync::{SyncDirection, SyncElements, SyncRequest};
pub use texts::{DOCUMENT_CACHE_BYTES, SchemaText, VersionText};
pub use throttle::LoginBackoff;

use schemaforge_repository::{
    ApiKeyRepository, AuditRepository, CatalogReader, ConnectionRepository, DatabaseAdmin, DatabaseRecordRepository,
    HealthRepository, JobRepository, NoCatalogReader, RefreshTokenRepository, SchemaRepository, UserRepository,
};
use std::sync::Arc;

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Everything the services need from storage.
pub trait Store:
    UserRepository
    + RefreshTokenRepository
    + ApiKeyRepository
    + SchemaRepository
    + DatabaseRecordRepository
    + HealthRepository
    + AuditRepository
    + JobRepository
    + ConnectionRepository
{
}

impl<T> Store for T where
    T: UserRepository
        + RefreshTokenRepository
        + ApiKeyRepository
        + SchemaRepository
        + DatabaseRecordRepository
        + HealthRepository
        + AuditRepository
        + JobRepository
        + ConnectionRepository
{
}

/// The application: use cases over a store.
pub struct App<S> {
    store: Arc<S>,
    admin: Arc<dyn DatabaseAdmin>,
    auth: AuthSettings,
    provisioning: ProvisioningSettings,
    logins: Arc<throttle::LoginThrottle>,
    health: Arc<health::HealthCache>,
    texts: Arc<texts::TextCache>,
    reader: Arc<dyn CatalogReader>,
    imports: ImportSettings,
    jobs: JobSettings,
    built: Arc<drift::BuiltCache>,
}

impl<S> Clone for App<S> {
    fn clone(&self) -> Self {
        Self {
            store: Arc::clone(&self.store),
            admin: Arc::clone(&self.admin),
            auth: self.auth.clone(),
            provisioning: self.provisioning.clone(),
            logins: Arc::clone(&self.logins),
            health: Arc::clone(&self.health),
            texts: Arc::clone(&self.texts),
            reader: Arc::clone(&self.reader),
            imports: self.imports,
            jobs: self.jobs,
            built: Arc::clone(&self.built),
        }
    }
}

impl<S: Store> App<S> {
    /// Build the application: `store` is the metadata store, `admin` the
    /// server where schemas' databases are provisioned.
    pub fn new(
        store: Arc<S>,
        admin: Arc<dyn DatabaseAdmin>,
        auth: AuthSettings,
        provisioning: ProvisioningSettings,
    ) -> Self {
        let logins = Arc::new(throttle::LoginThrottle::new(LoginBackoff::default()));
        let health = Arc::new(health::HealthCache::default());
        let texts = Arc::new(texts::TextCache::new(DOCUMENT_CACHE_BYTES));
        let reader = Arc::new(NoCatalogReader);
        Self {
            store,
            admin,
            auth,
            provisioning,
            logins,
            health,
            texts,
            reader,
            imports: ImportSettings::default(),
            jobs: JobSettings::default(),
            built: Arc::new(drift::BuiltCache::new(drift::BUILT_CACHE_ENTRIES)),
        }
    }

    /// The same application reading clients' databases with `reader`
    /// (without one, `import_database` is refused), under `settings`.
    pub fn with_imports(mut self, reader: Arc<dyn CatalogReader>, settings: ImportSettings) -> Self {
        self.reader = reader;
        self.imports = settings;
        self
    }

    /// The same application with another bound on cached document text, in
    /// bytes (0 keeps none).
    pub fn with_document_cache(mut self, bytes: u64) -> Self {
        self.texts = Arc::new(texts::TextCache::new(bytes));
        self
    }

    /// The same application with another back-off of failed logins.
    pub fn with_login_backoff(mut self, backoff: LoginBackoff) -> Self {
        self.logins = Arc::new(throttle::LoginThrottle::new(backoff));
        self
    }

    /// Applied migrations, or `Unavailable` when the database is down.
    pub fn readiness(&self) -> ServiceResult<Vec<String>> {
        Ok(self.store.applied_migrations()?)
    }
}
