//! Route handlers: parse, call a service off the executor, map the result.

use actix_web::http::Method;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, Handler, HttpResponse, Responder, Route, Scope, web};
use schemaforge_services::{App, Store};
use validator::Validate;

use crate::dto::{HealthStatusDto, ReadinessDto};
use crate::error::{ApiError, ApiResult, Envelope};
use crate::extract::blocking;

pub(crate) mod audit;
pub(crate) mod auth;
pub(crate) mod connections;
pub(crate) mod databases;
pub(crate) mod drift;
pub(crate) mod imports;
pub(crate) mod jobs;
pub(crate) mod schemas;

type Data<S> = web::Data<App<S>>;

/// One method's route of a resource.
fn on<F, Args>(method: Method, handler: F) -> (Method, Route)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    (method.clone(), web::method(method).to(handler))
}

/// A route's path as clients send it: under the API prefix.
fn full_path(path: &str) -> String {
    format!("{}{path}", crate::openapi::PREFIX)
}

/// A resource with its routes; other methods get 405 in the error envelope
/// with `Allow` naming the ones it has (HEAD wherever GET: the
/// `head_as_get` middleware answers it).
fn resource(path: &str, routes: Vec<(Method, Route)>) -> actix_web::Resource {
    let mut allow: Vec<&str> = routes.iter().map(|(m, _)| m.as_str()).collect();
    if allow.contains(&"GET") {
        allow.insert(allow.iter().position(|m| *m == "GET").map_or(0, |i| i + 1), "HEAD");
    }
    let allow = allow.join(", ");
    let template = crate::middleware::RouteTemplate(full_path(path));
    let mut resource = web::resource(path).app_data(template).default_service(web::to(move || {
        let allow = allow.clone();
        async move {
            let mut res = actix_web::ResponseError::error_response(&ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "this endpoint does not support that method",
            ));
            if let Ok(v) = header::HeaderValue::from_str(&allow) {
                res.headers_mut().insert(header::ALLOW, v);
            }
            res
        }
    }));
    for (_, route) in routes {
        resource = resource.route(route);
    }
    resource
}

/// Every resource under `/api/v1`, with its methods. The OpenAPI document
/// (`crate::openapi`) lists the same operations; a test holds the two equal.
fn routes<S: Store + 'static>() -> Vec<(&'static str, Vec<(Method, Route)>)> {
    use Method as M;
    vec![
        ("/health", vec![on(M::GET, health)]),
        ("/health/ready", vec![on(M::GET, ready::<S>)]),
        ("/openapi.json", vec![on(M::GET, openapi_json)]),
        ("/auth/register", vec![on(M::POST, auth::register::<S>)]),
        ("/auth/login", vec![on(M::POST, auth::login::<S>)]),
        ("/auth/refresh", vec![on(M::POST, auth::refresh::<S>)]),
        ("/auth/logout", vec![on(M::POST, auth::logout::<S>)]),
        ("/auth/me", vec![on(M::GET, auth::me::<S>), on(M::PATCH, auth::update_me::<S>)]),
        ("/auth/api-keys", vec![on(M::GET, auth::list_keys::<S>), on(M::POST, auth::create_key::<S>)]),
        ("/auth/api-keys/{id}", vec![on(M::DELETE, auth::revoke_key::<S>)]),
        ("/audit", vec![on(M::GET, audit::audit::<S>)]),
        ("/schemas", vec![on(M::GET, schemas::list_schemas::<S>), on(M::POST, schemas::create_schema::<S>)]),
        ("/schemas/validate", vec![on(M::POST, schemas::validate::<S>)]),
        ("/schemas/import", vec![on(M::POST, schemas::import_schema::<S>)]),
        ("/schemas/import/sql", vec![on(M::POST, imports::import_sql::<S>)]),
        ("/schemas/import/database", vec![on(M::POST, imports::import_database::<S>)]),
        (
            "/schemas/{id}",
            vec![
                on(M::GET, schemas::get_schema::<S>),
                on(M::PUT, schemas::replace_schema::<S>),
                on(M::PATCH, schemas::patch_schema::<S>),
                on(M::DELETE, schemas::delete_schema::<S>),
            ],
        ),
        ("/schemas/{id}/versions", vec![on(M::GET, schemas::versions::<S>)]),
        ("/schemas/{id}/versions/{version}", vec![on(M::GET, schemas::version::<S>)]),
        ("/schemas/{id}/export/sql", vec![on(M::GET, schemas::export_sql::<S>)]),
        ("/schemas/{id}/export/json", vec![on(M::GET, schemas::export_json::<S>)]),
        (
            "/schemas/{id}/database",
            vec![
                on(M::POST, databases::provision::<S>),
                on(M::GET, databases::database::<S>),
                on(M::DELETE, databases::drop_database::<S>),
            ],
        ),
        ("/schemas/{id}/database/status", vec![on(M::GET, databases::database_status::<S>)]),
        ("/schemas/{id}/database/drift", vec![on(M::GET, drift::database_drift::<S>)]),
        ("/schemas/{id}/database/sync", vec![on(M::POST, jobs::sync::<S>)]),
        ("/schemas/{id}/database/connection", vec![on(M::GET, databases::database_connection::<S>)]),
        ("/schemas/{id}/database/regenerate", vec![on(M::POST, databases::regenerate::<S>)]),
        ("/schemas/{id}/database/migrate", vec![on(M::POST, databases::migrate::<S>)]),
        ("/schemas/{id}/database/rollback", vec![on(M::POST, databases::rollback::<S>)]),
        ("/schemas/{id}/diff", vec![on(M::GET, databases::diff::<S>)]),
        ("/schemas/{id}/drift", vec![on(M::GET, connections::schema_drift::<S>)]),
        ("/connections", vec![on(M::GET, connections::list::<S>), on(M::POST, connections::create::<S>)]),
        (
            "/connections/{id}",
            vec![
                on(M::GET, connections::get::<S>),
                on(M::PATCH, connections::update::<S>),
                on(M::DELETE, connections::delete::<S>),
            ],
        ),
        ("/connections/{id}/sync", vec![on(M::POST, connections::sync::<S>)]),
        ("/jobs", vec![on(M::GET, jobs::jobs::<S>)]),
        ("/jobs/{id}", vec![on(M::GET, jobs::job::<S>)]),
        ("/jobs/{id}/cancel", vec![on(M::POST, jobs::cancel::<S>)]),
    ]
}

/// The scope of every route.
pub fn scope<S: Store + 'static>() -> Scope {
    routes::<S>()
        .into_iter()
        .fold(web::scope(crate::openapi::PREFIX), |scope, (path, methods)| scope.service(resource(path, methods)))
}

/// Each route's full path and methods (HEAD left out: it is GET's).
pub fn route_table<S: Store + 'static>() -> Vec<(String, Vec<Method>)> {
    routes::<S>()
        .into_iter()
        .map(|(path, methods)| (full_path(path), methods.into_iter().map(|(m, _)| m).collect()))
        .collect()
}

/// `display_name` -> `displayName`, as fields are named on the wire.
fn camel_case(field: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn checked<T: Validate>(dto: T) -> ApiResult<T> {
    dto.validate().map_err(|errors| {
        let mut details: Vec<(String, String)> = errors
            .field_errors()
            .iter()
            .map(|(field, errs)| {
                let messages: Vec<String> = errs
                    .iter()
                    .map(|e| match (e.params.get("min"), e.params.get("max")) {
                        (Some(min), Some(max)) => format!("must be {min} to {max} characters long"),
                        _ => e.code.to_string(),
                    })
                    .collect();
                (camel_case(field), messages.join(", "))
            })
            .collect();
        details.sort();
        let message = details.iter().map(|(f, m)| format!("{f} {m}")).collect::<Vec<_>>().join("; ");
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT", message).with_details(
            details
                .into_iter()
                .map(|(field, message)| serde_json::json!({"field": field, "message": message}))
                .collect(),
        )
    })?;
    Ok(dto)
}

fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// A `true`/`false` query flag (absent: false).
fn flag(name: &str, value: Option<&str>) -> ApiResult<bool> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::invalid_parameter(name, "must be true or false")),
    }
}

fn version_param(name: &str, value: Option<&str>) -> ApiResult<Option<i32>> {
    value
        .map(|v| {
            v.parse::<i32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| ApiError::invalid_parameter(name, "must be a positive integer"))
        })
        .transpose()
}

// ------------------------------------------------------------------ health

/// Liveness: the process answers.
#[utoipa::path(get, path = "/api/v1/health", tag = "health", security(()),
    responses((status = 200, description = "Alive", body = HealthStatusDto)))]
pub(crate) async fn health() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatusDto { status: "ok" })
}

/// Readiness: the metadata database answers and is migrated.
#[utoipa::path(get, path = "/api/v1/health/ready", tag = "health", security(()),
    responses(
        (status = 200, description = "Ready", body = ReadinessDto),
        (status = 503, description = "`DATABASE_UNAVAILABLE`", body = Envelope),
    ))]
pub(crate) async fn ready<S: Store + 'static>(app: Data<S>) -> ApiResult<HttpResponse> {
    let migrations = blocking(&app, |a| a.readiness()).await?;
    Ok(HttpResponse::Ok().json(ReadinessDto { status: "ready", database: "ok", migrations }))
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
pub(crate) async fn openapi_json(doc: web::Data<crate::openapi::OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}
