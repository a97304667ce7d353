//! The one error envelope: `{"error": {"code", "message", "details"}}`, and
//! the mapping from service errors to HTTP statuses. Only this crate knows
//! about status codes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use schemaforge_repository::IntrospectError;
use schemaforge_services::ServiceError;
use serde::Serialize;
use serde_json::Value;

/// An error as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code.
    pub code: &'static str,
    /// Human message.
    pub message: String,
    /// Structured details (validation problems, field errors, ...).
    pub details: Vec<Value>,
    /// Seconds for `Retry-After` (429 answers).
    pub retry_after: Option<u64>,
}

/// Every error answer: `{"error": {"code", "message", "details"}}`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ErrorEnvelope)]
pub(crate) struct Envelope<'a> {
    error: Body<'a>,
}

/// The error itself.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ErrorBody)]
pub(crate) struct Body<'a> {
    /// Stable machine code, e.g. `SCHEMA_NOT_FOUND` (docs/api.md lists them).
    #[schema(value_type = String, pattern = "^[A-Z][A-Z_]*$")]
    code: &'a str,
    /// For people.
    #[schema(value_type = String)]
    message: &'a str,
    /// Structured details: the fields, parameters or problems involved.
    #[schema(value_type = Vec<Object>)]
    details: &'a [Value],
}

impl ApiError {
    /// An error without details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: Vec::new(), retry_after: None }
    }

    /// Add details.
    pub fn with_details(mut self, details: Vec<Value>) -> Self {
        self.details = details;
        self
    }

    /// 400 INVALID_JSON, naming where parsing stopped.
    pub fn invalid_json(path: &str, message: &str) -> Self {
        let detail = serde_json::json!({"path": path, "message": message});
        Self::new(StatusCode::BAD_REQUEST, "INVALID_JSON", format!("the request body is not valid: {message}"))
            .with_details(vec![detail])
    }

    /// 400 INVALID_PARAMETER.
    pub fn invalid_parameter(name: &str, message: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_PARAMETER", format!("{name}: {message}"))
            .with_details(vec![serde_json::json!({"parameter": name, "message": message.to_string()})])
    }

    /// 401 UNAUTHORIZED.
    /// 429 `RATE_LIMITED`, with `Retry-After` in whole seconds (at least 1).
    pub fn rate_limited(wait: std::time::Duration, message: impl Into<String>) -> Self {
        let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", message)
            .with_details(vec![serde_json::json!({"retryAfterSeconds": secs})]);
        e.retry_after = Some(secs);
        e
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }

    /// 500 INTERNAL_ERROR; the cause is logged, never sent.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(error = %chain, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "an internal error occurred")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let mut res = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((actix_web::http::header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(secs) = self.retry_after {
            res.insert_header((actix_web::http::header::RETRY_AFTER, secs.to_string()));
        }
        res.json(Envelope { error: Body { code: self.code, message: &self.message, details: &self.details } })
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        use StatusCode as S;
        match err {
            ServiceError::InvalidDocument(report) => {
                let details = report.problems.iter().filter_map(|p| serde_json::to_value(p).ok()).collect();
                let errors = report.errors().count();
                Self::new(
                    S::UNPROCESSABLE_ENTITY,
                    "VALIDATION_ERROR",
                    format!("the schema document has {errors} error(s)"),
                )
                .with_details(details)
            }
            ServiceError::InvalidInput { field, message } => {
                Self::new(S::UNPROCESSABLE_ENTITY, "INVALID_INPUT", format!("{field} {message}"))
                    .with_details(vec![serde_json::json!({"field": field, "message": message})])
            }
            ServiceError::SchemaNotFound => Self::new(S::NOT_FOUND, "SCHEMA_NOT_FOUND", "schema not found"),
            ServiceError::VersionNotFound => Self::new(S::NOT_FOUND, "VERSION_NOT_FOUND", "schema version not found"),
            ServiceError::ApiKeyNotFound => Self::new(S::NOT_FOUND, "API_KEY_NOT_FOUND", "API key not found"),
            ServiceError::DuplicateName => {
                Self::new(S::CONFLICT, "DUPLICATE_NAME", "you already have a schema with this name")
            }
            ServiceError::DuplicateEmail => {
                Self::new(S::CONFLICT, "DUPLICATE_EMAIL", "an account with this email already exists")
            }
            ServiceError::VersionConflict { expected, current } => Self::new(
                S::CONFLICT,
                "CONFLICT",
                format!("the schema is at version {current}, not {expected}; reload it and retry"),
            )
            .with_details(vec![serde_json::json!({"expectedVersion": expected, "currentVersion": current})]),
            ServiceError::DatabaseNotFound => Self::new(S::NOT_FOUND, "DATABASE_NOT_FOUND", err.to_string()),
            ServiceError::DatabaseExists => Self::new(S::CONFLICT, "DATABASE_EXISTS", err.to_string()),
            ServiceError::DatabaseNotReady(status) => Self::new(S::CONFLICT, "DATABASE_NOT_READY", err.to_string())
                .with_details(vec![serde_json::json!({"status": status.as_str()})]),
            ServiceError::OperationInProgress => Self::new(S::CONFLICT, "OPERATION_IN_PROGRESS", err.to_string()),
            ServiceError::ConnectionNotFound => Self::new(S::NOT_FOUND, "CONNECTION_NOT_FOUND", err.to_string()),
            ServiceError::DuplicateConnection => Self::new(S::CONFLICT, "DUPLICATE_CONNECTION", err.to_string()),
            ServiceError::JobNotFound => Self::new(S::NOT_FOUND, "JOB_NOT_FOUND", err.to_string()),
            ServiceError::JobInProgress(id) => Self::new(S::CONFLICT, "JOB_IN_PROGRESS", err.to_string())
                .with_details(vec![serde_json::json!({"jobId": id})]),
            ServiceError::JobEnded(_) => Self::new(S::CONFLICT, "JOB_ENDED", err.to_string()),
            ServiceError::ConfirmationRequired => Self::new(S::BAD_REQUEST, "CONFIRMATION_REQUIRED", err.to_string())
                .with_details(vec![serde_json::json!({"parameter": "confirm", "expected": "true"})]),
            ServiceError::ProvisioningFailed(failure) => Self::failed("PROVISIONING_FAILED", &failure),
            ServiceError::MigrationFailed(failure) => Self::failed("MIGRATION_FAILED", &failure),
            ServiceError::DataLossRefused(changes) => {
                let lossy: Vec<serde_json::Value> = changes
                    .changes()
                    .iter()
                    .filter(|c| c.safety == schemaforge_domain::Safety::DataLoss)
                    .map(|c| {
                        serde_json::json!({
                            "target": c.target,
                            "description": c.description,
                            "explanation": c.explanation,
                        })
                    })
                    .collect();
                Self::new(
                    S::UNPROCESSABLE_ENTITY,
                    "DATA_LOSS_REFUSED",
                    format!(
                        "{} change(s) destroy data: repeat the request with allowDataLoss=true to apply them",
                        lossy.len()
                    ),
                )
                .with_details(lossy)
            }
            ServiceError::Unauthorized(message) => Self::unauthorized(message),
            ServiceError::RateLimited { retry_after_secs } => Self::rate_limited(
                std::time::Duration::from_secs(retry_after_secs),
                "too many failed logins for this account; wait before trying again",
            ),
            ServiceError::Forbidden(message) => Self::new(S::FORBIDDEN, "FORBIDDEN", message),
            ServiceError::ImportSource(source) => Self::import_source(source),
            ServiceError::SqlRefused { line, message, statement } => Self::new(
                S::UNPROCESSABLE_ENTITY,
                "SQL_STATEMENT_REFUSED",
                format!("PostgreSQL refused line {line} of the SQL: {message}"),
            )
            .with_details(vec![serde_json::json!({"line": line, "message": message, "statement": statement})]),
            ServiceError::ImportIncomplete(report) => {
                let message = if report.remaining_errors.is_empty() {
                    format!(
                        "{} object(s) were adjusted or omitted, and strict was asked: no schema was stored",
                        report
                            .items
                            .iter()
                            .filter(|i| i.outcome != schemaforge_services::ImportOutcome::Skipped)
                            .count()
                    )
                } else {
                    format!(
                        "the imported document is not valid ({} error(s)): no schema was stored",
                        report.remaining_errors.len()
                    )
                };
                let report = crate::dto::ImportReportDto::from(*report);
                let details = serde_json::to_value(&report).map(|r| vec![serde_json::json!({"report": r})]);
                Self::new(S::UNPROCESSABLE_ENTITY, "IMPORT_INCOMPLETE", message)
                    .with_details(details.unwrap_or_default())
            }
            ServiceError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                Self::new(S::SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE", "the database is unavailable; retry later")
            }
            ServiceError::Internal(ref cause) => {
                tracing::error!(error = %cause, "internal error");
                Self::new(S::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "an internal error occurred")
            }
        }
    }
}

impl ApiError {
    /// Why the database to import could not be read. The messages are
    /// libpq's or the server's: they never hold the URL's password. A
    /// database that does not answer is the client's to fix (`422`), not
    /// a failure of this service.
    fn import_source(source: IntrospectError) -> Self {
        use StatusCode as S;
        let (status, code) = match &source {
            IntrospectError::InvalidUrl(_) => (S::UNPROCESSABLE_ENTITY, "INVALID_CONNECTION_URL"),
            IntrospectError::Forbidden(_) => (S::FORBIDDEN, "IMPORT_TARGET_FORBIDDEN"),
            IntrospectError::Unreachable(_) => (S::UNPROCESSABLE_ENTITY, "IMPORT_UNREACHABLE"),
            IntrospectError::Authentication(_) => (S::UNPROCESSABLE_ENTITY, "IMPORT_AUTHENTICATION_FAILED"),
            IntrospectError::NoDatabase(_) => (S::UNPROCESSABLE_ENTITY, "IMPORT_DATABASE_NOT_FOUND"),
            IntrospectError::NoNamespace(_) => (S::UNPROCESSABLE_ENTITY, "IMPORT_SCHEMA_NOT_FOUND"),
            IntrospectError::Privileges(_) => (S::UNPROCESSABLE_ENTITY, "IMPORT_PRIVILEGES"),
            IntrospectError::Timeout(_) => (S::GATEWAY_TIMEOUT, "IMPORT_TIMEOUT"),
            IntrospectError::Other(_) => (S::UNPROCESSABLE_ENTITY, "IMPORT_SERVER_ERROR"),
        };
        let details = match &source {
            IntrospectError::InvalidUrl(m) => vec![serde_json::json!({"field": "url", "message": m})],
            IntrospectError::NoNamespace(n) => vec![serde_json::json!({"schema": n})],
            _ => Vec::new(),
        };
        Self::new(status, code, source.to_string()).with_details(details)
    }

    /// A script that failed on PostgreSQL, naming its statement.
    fn failed(code: &'static str, failure: &schemaforge_repository::OperationFailure) -> Self {
        let message = match failure.statement {
            Some(n) => format!("statement {n} of the script failed: {}", failure.message),
            None => format!("the operation failed: {}", failure.message),
        };
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_details(vec![serde_json::json!({
            "statement": failure.statement,
            "sql": failure.sql,
            "message": failure.message,
        })])
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;
