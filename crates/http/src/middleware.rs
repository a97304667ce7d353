//! One span per request (method, path, route template, status, latency,
//! request id, user id) and an `X-Request-Id` on every response; HEAD answered like GET;
//! security headers on every response.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use schemaforge_services::RequestId;
use tracing::Instrument;

/// The path template of a resource (`/api/v1/schemas/{id}`), kept in the
/// resource's app data: after routing, the request finds it there without
/// matching its path against every pattern again (`match_pattern`).
#[derive(Debug)]
pub(crate) struct RouteTemplate(pub(crate) String);

/// Response header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// A request id sent by the client is kept when it is one
/// ([`RequestId::parse`]: short and printable); otherwise a new one is made.
fn request_id(req: &ServiceRequest) -> RequestId {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(RequestId::parse)
        .unwrap_or_else(RequestId::random)
}

/// Middleware (use with `actix_web::middleware::from_fn`).
pub async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // Kept in the request for the `Auth` extractor (and so the audit log).
    let request_id = request_id(&req);
    req.extensions_mut().insert(request_id);
    let id = request_id.as_str().to_string();
    let method = req.method().to_string();
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.path(),
        route = tracing::field::Empty,
        request_id = %id,
        user_id = tracing::field::Empty,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed().as_secs_f64();
    let latency = elapsed * 1000.0;
    let status = match &result {
        Ok(res) => res.status().as_u16(),
        Err(err) => err.as_response_error().status_code().as_u16(),
    };
    // Routing happens inside `next`: the answered request then holds its
    // resource's template. Unknown paths (and errors raised by middleware
    // before routing) share one label: a scanner cannot grow the metrics.
    let route_label = result
        .as_ref()
        .ok()
        .and_then(|res| res.request().app_data::<RouteTemplate>())
        .map_or_else(|| "unmatched".to_string(), |t| t.0.clone());
    span.record("route", route_label.as_str());
    let labels = [("method", method), ("route", route_label), ("status", status.to_string())];
    metrics::counter!("schemaforge_http_requests_total", &labels).increment(1);
    metrics::histogram!("schemaforge_http_request_duration_seconds", &labels).record(elapsed);
    let header_value = HeaderValue::from_str(&id).ok();
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            span.record("status", status);
            span.record("latency_ms", latency);
            span.in_scope(|| tracing::info!("request completed"));
            if let Some(v) = header_value {
                res.headers_mut().insert(HeaderName::from_static(REQUEST_ID), v);
            }
            Ok(res)
        }
        Err(err) => {
            let status = err.as_response_error().status_code().as_u16();
            span.record("status", status);
            span.record("latency_ms", latency);
            span.in_scope(|| tracing::warn!(error = %err, "request failed"));
            Err(err)
        }
    }
}

/// Answer HEAD wherever GET is answered (use with `from_fn`, outermost):
/// the request is routed as a GET, and actix-web, which remembers the
/// request was a HEAD, sends the headers (with the body's length) but no
/// body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// Headers every response carries (use with `from_fn`): no MIME sniffing,
/// no referrer, a policy that lets a browser load nothing from an API
/// response, no framing; and `Cache-Control: no-store` on answers to
/// authenticated requests that do not set their own.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let hsts = req
        .app_data::<actix_web::web::Data<crate::HttpSettings>>()
        .and_then(|s| s.hsts_max_age_secs)
        .and_then(|age| HeaderValue::from_str(&format!("max-age={age}; includeSubDomains")).ok());
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    if let Some(hsts) = hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts);
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if authenticated && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
