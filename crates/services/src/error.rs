//! The services' error type.

use schemaforge_domain::{ChangeSet, ValidationReport};
use schemaforge_introspect::ImportReport;
use schemaforge_repository::{Conflict, DatabaseStatus, IntrospectError, OperationFailure, RepoError};

/// Why a use case failed. The HTTP adapter maps each variant to a status
/// code and a stable error code.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The schema document has validation errors.
    #[error("the schema document is invalid")]
    InvalidDocument(Box<ValidationReport>),
    /// An input field is unacceptable (e.g. a short password).
    #[error("{field}: {message}")]
    InvalidInput {
        /// The field.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// No such schema (or it belongs to someone else).
    #[error("schema not found")]
    SchemaNotFound,
    /// No such version of the schema.
    #[error("schema version not found")]
    VersionNotFound,
    /// No such API key (or it belongs to someone else).
    #[error("API key not found")]
    ApiKeyNotFound,
    /// The owner already has a schema with this name.
    #[error("a schema with this name already exists")]
    DuplicateName,
    /// An account with this email exists.
    #[error("an account with this email already exists")]
    DuplicateEmail,
    /// The write was based on a stale version.
    #[error("the schema is at version {current}, not {expected}")]
    VersionConflict {
        /// What the caller expected.
        expected: i32,
        /// What it is.
        current: i32,
    },
    /// The schema has no provisioned database.
    #[error("the schema has no database; provision one first")]
    DatabaseNotFound,
    /// The schema already has a database.
    #[error("the schema already has a database; regenerate or delete it")]
    DatabaseExists,
    /// The database exists but cannot be used in its state.
    #[error("the database is {}, not ready", .0.as_str())]
    DatabaseNotReady(DatabaseStatus),
    /// Another operation on this schema's database is running.
    #[error("another operation on this schema's database is in progress; retry when it ends")]
    OperationInProgress,
    /// No such connection (or it belongs to someone else).
    #[error("connection not found")]
    ConnectionNotFound,
    /// The owner already has a connection with this name.
    #[error("you already have a connection with this name")]
    DuplicateConnection,
    /// No such job (or it belongs to someone else).
    #[error("job not found")]
    JobNotFound,
    /// The database has a pending or running job already (this one).
    #[error("job {0} is pending or running on this database; wait for it or cancel it")]
    JobInProgress(uuid::Uuid),
    /// The job has ended (succeeded or failed): it cannot be cancelled.
    #[error("the job has {0}: it can no longer be cancelled")]
    JobEnded(&'static str),
    /// Too many failed logins for this email: wait before trying again.
    #[error("too many failed logins; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds to wait, at least 1.
        retry_after_secs: u64,
    },
    /// A destructive operation was asked without its confirmation.
    #[error("this destroys the database's data: repeat the request with confirm=true")]
    ConfirmationRequired,
    /// Building the database failed; nothing of it was left behind.
    #[error("provisioning failed: {}", .0.message)]
    ProvisioningFailed(Box<OperationFailure>),
    /// The migration holds `data_loss` changes and the caller did not allow them.
    #[error("the migration destroys data; allow it explicitly to apply it")]
    DataLossRefused(Box<ChangeSet>),
    /// A migration or rollback failed on the database; it rolled back.
    #[error("the migration failed: {}", .0.message)]
    MigrationFailed(Box<OperationFailure>),
    /// Authenticated, but this credential may not do that (e.g. an API key
    /// managing API keys or the password).
    #[error("{0}")]
    Forbidden(&'static str),
    /// Missing, wrong or expired credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The database to import could not be read (or SQL text's load ran
    /// out of time). Messages are libpq's or the server's, never the URL.
    #[error("import: {0}")]
    ImportSource(IntrospectError),
    /// PostgreSQL refused a statement of the SQL text (nothing was kept).
    #[error("line {line} of the SQL was refused: {message}")]
    SqlRefused {
        /// 1-based line of the text where PostgreSQL places the error.
        line: usize,
        /// PostgreSQL's message.
        message: String,
        /// The statement's first line.
        statement: String,
    },
    /// The imported document is not valid, or (strict) something was
    /// adjusted or omitted; no schema was stored.
    #[error("the import is incomplete")]
    ImportIncomplete(Box<ImportReport>),
    /// The database cannot be reached.
    #[error("the database is unavailable")]
    Unavailable(#[source] RepoError),
    /// A bug or an unexpected failure.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// A stable snake_case name of the kind of failure (the audit log keeps
    /// it; the HTTP adapter has its own codes).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidDocument(_) => "invalid_document",
            Self::InvalidInput { .. } => "invalid_input",
            Self::SchemaNotFound => "schema_not_found",
            Self::VersionNotFound => "version_not_found",
            Self::ApiKeyNotFound => "api_key_not_found",
            Self::DuplicateName => "duplicate_name",
            Self::DuplicateEmail => "duplicate_email",
            Self::VersionConflict { .. } => "version_conflict",
            Self::DatabaseNotFound => "database_not_found",
            Self::DatabaseExists => "database_exists",
            Self::DatabaseNotReady(_) => "database_not_ready",
            Self::OperationInProgress => "operation_in_progress",
            Self::ConnectionNotFound => "connection_not_found",
            Self::DuplicateConnection => "duplicate_connection",
            Self::JobNotFound => "job_not_found",
            Self::JobInProgress(_) => "job_in_progress",
            Self::JobEnded(_) => "job_ended",
            Self::RateLimited { .. } => "rate_limited",
            Self::ConfirmationRequired => "confirmation_required",
            Self::ProvisioningFailed(_) => "provisioning_failed",
            Self::DataLossRefused(_) => "data_loss_refused",
            Self::MigrationFailed(_) => "migration_failed",
            Self::Forbidden(_) => "forbidden",
            Self::Unauthorized(_) => "unauthorized",
            Self::ImportSource(_) => "import_source",
            Self::SqlRefused { .. } => "sql_refused",
            Self::ImportIncomplete(_) => "import_incomplete",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}

/// Result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<RepoError> for ServiceError {
    fn from(err: RepoError) -> Self {
        match err {
            RepoError::Unavailable(_) => Self::Unavailable(err),
            RepoError::Conflict(Conflict::DuplicateEmail) => Self::DuplicateEmail,
            RepoError::Conflict(Conflict::DuplicateName) => Self::DuplicateName,
            RepoError::Conflict(Conflict::ActiveJob(id)) => Self::JobInProgress(id),
            RepoError::Conflict(Conflict::DuplicateConnection) => Self::DuplicateConnection,
            RepoError::Conflict(Conflict::ObjectExists) => Self::Internal(err.to_string()),
            RepoError::Conflict(Conflict::StaleVersion { expected, current }) => {
                Self::VersionConflict { expected, current }
            }
            // Callers that expect a missing row map NotFound themselves.
            RepoError::NotFound => Self::Internal("a row disappeared unexpectedly".into()),
            other => Self::Internal(other.to_string()),
        }
    }
}
