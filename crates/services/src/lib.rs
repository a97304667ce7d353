//! # schemaforge-services
//!
//! The use cases of the Schemaforge service: accounts (sign-up, login,
//! refresh-token rotation, logout, profile), API keys, and schemas (create,
//! list, read, replace, rename, delete, versions, validation, export).
//!
//! Generic over the repository traits, synchronous (the HTTP adapter runs
//! calls off the async executor), and free of HTTP: errors are
//! [`ServiceError`], which the adapter maps to status codes.

mod auth;
mod error;
mod schemas;

#[cfg(test)]
mod fake;

pub use auth::{AuthSettings, Authenticated, NewApiKeySecret, Principal, Tokens};
pub use error::{ServiceError, ServiceResult};
pub use schemas::{ListParams, MAX_PAGE_LIMIT, SchemaPage};

use schemaforge_repository::{
    ApiKeyRepository, HealthRepository, RefreshTokenRepository, SchemaRepository, UserRepository,
};
use std::sync::Arc;

/// Everything the services need from storage.
pub trait Store:
    UserRepository + RefreshTokenRepository + ApiKeyRepository + SchemaRepository + HealthRepository
{
}

impl<T> Store for T where
    T: UserRepository + RefreshTokenRepository + ApiKeyRepository + SchemaRepository + HealthRepository
{
}

/// The application: use cases over a store.
pub struct App<S> {
    store: Arc<S>,
    auth: AuthSettings,
}

impl<S> Clone for App<S> {
    fn clone(&self) -> Self {
        Self { store: Arc::clone(&self.store), auth: self.auth.clone() }
    }
}

impl<S: Store> App<S> {
    /// Build the application.
    pub fn new(store: Arc<S>, auth: AuthSettings) -> Self {
        Self { store, auth }
    }

    /// Applied migrations, or `Unavailable` when the database is down.
    pub fn readiness(&self) -> ServiceResult<Vec<String>> {
        Ok(self.store.applied_migrations()?)
    }
}
