//! Registered connections: databases a user compares with a design and
//! syncs, that Schemaforge did not provision. The password is stored as an
//! AEAD ciphertext the services make; the store never sees it in clear.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Page, RepoResult};

/// A registered connection, or (listed beside them) a schema's
/// provisioned database.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Id (a provisioned database's is its schema's).
    pub id: Uuid,
    /// A schema's provisioned database, not registered by hand (its host
    /// and port are the services' to fill, its password is not here).
    pub provisioned: bool,
    /// Owner.
    pub owner_id: Uuid,
    /// Its name, unique per owner.
    pub name: String,
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database name.
    pub database: String,
    /// User name.
    pub username: String,
    /// The password, AEAD-encrypted by the services.
    pub password_ciphertext: Vec<u8>,
    /// libpq's `sslmode`.
    pub sslmode: String,
    /// The namespaces compared (empty: the bound design's).
    pub namespaces: Vec<String>,
    /// The design it is bound to.
    pub schema_id: Option<Uuid>,
    /// The version of it (`None`: the current one).
    pub schema_version: Option<i32>,
    /// The last test, as the services wrote it.
    pub last_test: Option<serde_json::Value>,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Which of an owner's connections to list, by name.
#[derive(Debug, Clone, Default)]
pub struct ConnectionQuery {
    /// Case-insensitive substring of the name, host or database.
    pub search: Option<String>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// Registered connections.
pub trait ConnectionRepository: Send + Sync {
    /// Store a new connection (`id`, `owner_id` and every field as given;
    /// the times are the store's); `Conflict(DuplicateConnection)` when the
    /// owner has one of this name.
    fn create_connection(&self, connection: &Connection) -> RepoResult<Connection>;
    /// The owner's connection.
    fn get_connection(&self, owner: Uuid, id: Uuid) -> RepoResult<Option<Connection>>;
    /// A page of the owner's connections and provisioned databases, by name.
    fn list_connections(&self, owner: Uuid, query: &ConnectionQuery) -> RepoResult<Page<Connection>>;
    /// Replace every field of the owner's connection but its id, owner and
    /// creation time; `NotFound` if not the owner's.
    fn update_connection(&self, connection: &Connection) -> RepoResult<Connection>;
    /// Delete the owner's connection; `NotFound` if not the owner's,
    /// `Conflict(ActiveJob)` while a job is pending or running on it.
    fn delete_connection(&self, owner: Uuid, id: Uuid) -> RepoResult<()>;
}
