//! `GET /metrics`: the Prometheus text exposition, outside `/api/v1`. What
//! is measured is recorded through the `metrics` facade (requests here, in
//! [`crate::request_span`]; operations in the services; the pool in the
//! repository); the binary installs the recorder and hands this endpoint a
//! function that renders it.

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;

/// Renders the current metrics.
pub type Render = dyn Fn() -> String + Send + Sync;

/// The endpoint's settings.
#[derive(Clone)]
pub struct MetricsEndpoint {
    render: Arc<Render>,
    bearer_token: Option<String>,
}

impl MetricsEndpoint {
    /// `render` produces the exposition; with a token, scrapes must send it
    /// as `Authorization: Bearer <token>`.
    pub fn new(render: Arc<Render>, bearer_token: Option<String>) -> Self {
        Self { render, bearer_token: bearer_token.filter(|t| !t.is_empty()) }
    }

    /// Register `GET /metrics` (HEAD too, through `head_as_get`).
    pub fn configure(self) -> impl FnOnce(&mut web::ServiceConfig) {
        move |cfg: &mut web::ServiceConfig| {
            cfg.app_data(web::Data::new(self)).service(
                web::resource("/metrics")
                    .app_data(crate::middleware::RouteTemplate("/metrics".into()))
                    .route(web::get().to(scrape)),
            );
        }
    }
}

/// Compares in time that depends on the length only.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn scrape(req: HttpRequest, endpoint: web::Data<MetricsEndpoint>) -> Result<HttpResponse, ApiError> {
    if let Some(token) = &endpoint.bearer_token {
        let sent = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !same(sent.trim().as_bytes(), token.as_bytes()) {
            return Err(ApiError::unauthorized("the metrics endpoint needs its bearer token"));
        }
    }
    let render = Arc::clone(&endpoint.render);
    let body = web::block(move || render()).await.map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::build(StatusCode::OK)
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
