//! # schemaforge-services
//!
//! The use cases of the Schemaforge service: accounts (sign-up, login,
//! refresh-token rotation, logout, profile), API keys, and schemas (create,
//! list, read, replace, rename, delete, versions, validation, export), and
//! provisioning of a live database per schema.
//!
//! Generic over the repository traits, synchronous (the HTTP adapter runs
//! calls off the async executor), and free of HTTP: errors are
//! [`ServiceError`], which the adapter maps to status codes.

mod auth;
mod error;
mod migrations;
mod provision;
mod schemas;
mod secrets;

#[cfg(test)]
mod fake;

pub use auth::{AuthSettings, Authenticated, NewApiKeySecret, Principal, Tokens};
pub use error::{ServiceError, ServiceResult};
pub use migrations::{DataLoss, MigrationOutcome, VersionDiff};
pub use provision::{ConnectionInfo, DatabaseNames, DatabaseState, NAME_PREFIX, ProvisioningSettings, checksum};
pub use schemas::{ListParams, MAX_PAGE_LIMIT, SchemaPage};
pub use secrets::{EncryptionKey, InvalidKey};

use schemaforge_repository::{
    ApiKeyRepository, DatabaseAdmin, DatabaseRecordRepository, HealthRepository, RefreshTokenRepository,
    SchemaRepository, UserRepository,
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
{
}

impl<T> Store for T where
    T: UserRepository
        + RefreshTokenRepository
        + ApiKeyRepository
        + SchemaRepository
        + DatabaseRecordRepository
        + HealthRepository
{
}

/// The application: use cases over a store.
pub struct App<S> {
    store: Arc<S>,
    admin: Arc<dyn DatabaseAdmin>,
    auth: AuthSettings,
    provisioning: ProvisioningSettings,
}

impl<S> Clone for App<S> {
    fn clone(&self) -> Self {
        Self {
            store: Arc::clone(&self.store),
            admin: Arc::clone(&self.admin),
            auth: self.auth.clone(),
            provisioning: self.provisioning.clone(),
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
        Self { store, admin, auth, provisioning }
    }

    /// Applied migrations, or `Unavailable` when the database is down.
    pub fn readiness(&self) -> ServiceResult<Vec<String>> {
        Ok(self.store.applied_migrations()?)
    }
}
