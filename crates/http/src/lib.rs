//! # schemaforge-http
//!
//! The actix-web adapter of the Schemaforge service: routes under `/api/v1`,
//! request/response DTOs, the error envelope and status mapping, request ids
//! and request spans. Nothing below this crate knows about HTTP; service
//! calls run on the blocking pool (see [`extract::blocking`]).

pub mod dto;
pub mod error;
pub mod extract;
mod handlers;
pub mod limits;
pub mod metrics;
mod middleware;
pub mod openapi;

use std::sync::Arc;

use actix_web::web;
use schemaforge_services::{App, Principal, ServiceResult, Store};

pub use error::{ApiError, ApiResult};

/// HTTP settings the handlers need.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Largest SQL text `POST /schemas/import/sql` accepts, in bytes.
    pub sql_body_limit: usize,
    /// `Strict-Transport-Security` max-age, when the server is reached over TLS.
    pub hsts_max_age_secs: Option<u64>,
}

/// How the `Auth` extractor checks bearer credentials, without knowing the
/// store type.
#[derive(Clone)]
pub struct AuthState(Arc<Authenticate>);

/// Checks a bearer credential.
type Authenticate = dyn Fn(&str) -> ServiceResult<Principal> + Send + Sync;

pub use handlers::route_table;
pub use limits::{RateLimits, limit_by_address};
pub use metrics::MetricsEndpoint;
pub use middleware::{head_as_get, request_span, security_headers};

/// What every worker of one server shares: rate limiter state, and the
/// OpenAPI document serialized once.
#[derive(Clone)]
pub struct Shared {
    limiters: web::Data<limits::Limiters>,
    openapi: web::Data<openapi::OpenApiJson>,
}

impl Shared {
    /// Made once per server, before its workers start.
    pub fn new(rate_limits: limits::RateLimits) -> Self {
        Self {
            limiters: web::Data::new(limits::Limiters::new(rate_limits)),
            openapi: web::Data::new(openapi::OpenApiJson(openapi::document_text())),
        }
    }
}

/// Register every route, the shared state and the extractor configuration.
pub fn configure<S: Store + 'static>(
    app: App<S>,
    settings: HttpSettings,
    shared: Shared,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let auth_app = app.clone();
        let auth = AuthState(Arc::new(move |bearer: &str| auth_app.authenticate(bearer)));
        cfg.app_data(web::Data::new(app))
            .app_data(web::Data::new(auth))
            .app_data(web::Data::new(settings))
            .app_data(shared.limiters)
            .app_data(shared.openapi)
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|err, _| ApiError::invalid_parameter("query", err.to_string()).into()),
            )
            .service(handlers::scope::<S>());
    }
}

/// The 404 for unknown paths, in the error envelope.
pub async fn not_found() -> ApiResult<actix_web::HttpResponse> {
    Err(ApiError::new(actix_web::http::StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint"))
}
