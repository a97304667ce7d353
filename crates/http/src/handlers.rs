//! Route handlers: parse, call a service off the executor, map the result.

use actix_web::http::Method;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, Handler, HttpRequest, HttpResponse, Responder, Route, Scope, web};
use schemaforge_repository::SchemaSort;
use schemaforge_services::{App, DataLoss, ListParams, Store};
use serde::Deserialize;
use validator::Validate;

use crate::dto::*;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, DocumentBody, JsonBody, blocking, if_match, uuid_param};

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

/// A resource with its routes; other methods get 405 in the error envelope
/// with `Allow` naming the ones it has (HEAD wherever GET: the
/// `head_as_get` middleware answers it).
fn resource(path: &str, routes: Vec<(Method, Route)>) -> actix_web::Resource {
    let mut allow: Vec<&str> = routes.iter().map(|(m, _)| m.as_str()).collect();
    if allow.contains(&"GET") {
        allow.insert(allow.iter().position(|m| *m == "GET").map_or(0, |i| i + 1), "HEAD");
    }
    let allow = allow.join(", ");
    let mut resource = web::resource(path).default_service(web::to(move || {
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

/// Every route under `/api/v1`.
pub fn scope<S: Store + 'static>() -> Scope {
    web::scope("/api/v1")
        .service(resource("/health", vec![on(Method::GET, health)]))
        .service(resource("/health/ready", vec![on(Method::GET, ready::<S>)]))
        .service(resource("/auth/register", vec![on(Method::POST, register::<S>)]))
        .service(resource("/auth/login", vec![on(Method::POST, login::<S>)]))
        .service(resource("/auth/refresh", vec![on(Method::POST, refresh::<S>)]))
        .service(resource("/auth/logout", vec![on(Method::POST, logout::<S>)]))
        .service(resource("/auth/me", vec![on(Method::GET, me::<S>), on(Method::PATCH, update_me::<S>)]))
        .service(resource("/auth/api-keys", vec![on(Method::GET, list_keys::<S>), on(Method::POST, create_key::<S>)]))
        .service(resource("/auth/api-keys/{id}", vec![on(Method::DELETE, revoke_key::<S>)]))
        .service(resource("/schemas", vec![on(Method::GET, list_schemas::<S>), on(Method::POST, create_schema::<S>)]))
        .service(resource("/schemas/validate", vec![on(Method::POST, validate::<S>)]))
        .service(resource("/schemas/import", vec![on(Method::POST, create_schema::<S>)]))
        .service(resource(
            "/schemas/{id}",
            vec![
                on(Method::GET, get_schema::<S>),
                on(Method::PUT, replace_schema::<S>),
                on(Method::PATCH, patch_schema::<S>),
                on(Method::DELETE, delete_schema::<S>),
            ],
        ))
        .service(resource("/schemas/{id}/versions", vec![on(Method::GET, versions::<S>)]))
        .service(resource("/schemas/{id}/versions/{version}", vec![on(Method::GET, version::<S>)]))
        .service(resource("/schemas/{id}/export/sql", vec![on(Method::GET, export_sql::<S>)]))
        .service(resource("/schemas/{id}/export/json", vec![on(Method::GET, export_json::<S>)]))
        .service(resource(
            "/schemas/{id}/database",
            vec![
                on(Method::POST, provision::<S>),
                on(Method::GET, database_status::<S>),
                on(Method::DELETE, drop_database::<S>),
            ],
        ))
        .service(resource("/schemas/{id}/database/status", vec![on(Method::GET, database_status::<S>)]))
        .service(resource("/schemas/{id}/database/connection", vec![on(Method::GET, database_connection::<S>)]))
        .service(resource("/schemas/{id}/database/regenerate", vec![on(Method::POST, regenerate::<S>)]))
        .service(resource("/schemas/{id}/database/migrate", vec![on(Method::POST, migrate::<S>)]))
        .service(resource("/schemas/{id}/database/rollback", vec![on(Method::POST, rollback::<S>)]))
        .service(resource("/schemas/{id}/diff", vec![on(Method::GET, diff::<S>)]))
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

// ------------------------------------------------------------------ health

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

async fn ready<S: Store + 'static>(app: Data<S>) -> ApiResult<HttpResponse> {
    let migrations = blocking(&app, |a| a.readiness()).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready", "database": "ok", "migrations": migrations})))
}

// ------------------------------------------------------------------ auth

async fn register<S: Store + 'static>(app: Data<S>, body: JsonBody<RegisterRequest>) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    let session = blocking(&app, move |a| a.register(&r.email, &r.password, r.display_name)).await?;
    Ok(HttpResponse::Created().json(SessionDto { user: session.user.into(), tokens: session.tokens.into() }))
}

async fn login<S: Store + 'static>(app: Data<S>, body: JsonBody<LoginRequest>) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    let session = blocking(&app, move |a| a.login(&r.email, &r.password)).await?;
    Ok(HttpResponse::Ok().json(SessionDto { user: session.user.into(), tokens: session.tokens.into() }))
}

async fn refresh<S: Store + 'static>(app: Data<S>, body: JsonBody<RefreshRequest>) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    let tokens = blocking(&app, move |a| a.refresh(&r.refresh_token)).await?;
    Ok(HttpResponse::Ok().json(TokensDto::from(tokens)))
}

async fn logout<S: Store + 'static>(app: Data<S>, body: JsonBody<RefreshRequest>) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    blocking(&app, move |a| a.logout(&r.refresh_token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn me<S: Store + 'static>(app: Data<S>, auth: Auth) -> ApiResult<HttpResponse> {
    let user = blocking(&app, move |a| a.me(auth.0)).await?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

async fn update_me<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    body: JsonBody<UpdateMeRequest>,
) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    let password = match (r.current_password, r.new_password) {
        (Some(current), Some(new)) => Some((current, new)),
        (None, None) => None,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_INPUT",
                "currentPassword and newPassword go together",
            )
            .with_details(vec![
                serde_json::json!({"field": "currentPassword", "message": "required with newPassword"}),
            ]));
        }
    };
    let user = blocking(&app, move |a| {
        a.update_me(auth.0, r.display_name, password.as_ref().map(|(c, n)| (c.as_str(), n.as_str())))
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

async fn create_key<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    body: JsonBody<CreateApiKeyRequest>,
) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    let created = blocking(&app, move |a| a.create_api_key(auth.0, &r.name)).await?;
    Ok(HttpResponse::Created().json(ApiKeyDto::new(created.key, Some(created.secret))))
}

async fn list_keys<S: Store + 'static>(app: Data<S>, auth: Auth) -> ApiResult<HttpResponse> {
    let keys = blocking(&app, move |a| a.list_api_keys(auth.0)).await?;
    let items: Vec<ApiKeyDto> = keys.into_iter().map(|k| ApiKeyDto::new(k, None)).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

async fn revoke_key<S: Store + 'static>(app: Data<S>, auth: Auth, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    blocking(&app, move |a| a.revoke_api_key(auth.0, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ------------------------------------------------------------------ schemas

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    page: Option<u32>,
    limit: Option<u32>,
    search: Option<String>,
    sort: Option<String>,
}

async fn list_schemas<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    q: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let sort = match q.sort.as_deref() {
        None | Some("-updated") | Some("-updatedAt") => SchemaSort::UpdatedDesc,
        Some("updated") | Some("updatedAt") => SchemaSort::UpdatedAsc,
        Some("name") => SchemaSort::NameAsc,
        Some("-name") => SchemaSort::NameDesc,
        Some(other) => {
            return Err(ApiError::invalid_parameter(
                "sort",
                format!("`{other}` is not one of name, -name, updated, -updated"),
            ));
        }
    };
    if q.page == Some(0) {
        return Err(ApiError::invalid_parameter("page", "pages start at 1"));
    }
    let params = ListParams { page: q.page, limit: q.limit, search: q.search, sort };
    let page = blocking(&app, move |a| a.list_schemas(auth.0, params)).await?;
    Ok(HttpResponse::Ok().json(PageDto {
        items: page.items.into_iter().map(SchemaSummaryDto::from).collect(),
        page: page.page,
        limit: page.limit,
        total: page.total,
    }))
}

async fn create_schema<S: Store + 'static>(app: Data<S>, auth: Auth, body: DocumentBody) -> ApiResult<HttpResponse> {
    let doc = body.0;
    let record = blocking(&app, move |a| a.create_schema(auth.0, doc)).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(record.version))
        .insert_header((header::LOCATION, format!("/api/v1/schemas/{}", record.id)))
        .json(SchemaDto::from(record)))
}

async fn validate<S: Store + 'static>(app: Data<S>, _auth: Auth, body: DocumentBody) -> ApiResult<HttpResponse> {
    let doc = body.0;
    let report = app.validate_document(&doc);
    Ok(HttpResponse::Ok().json(ValidationDto {
        valid: report.valid,
        problems: report.problems,
        summary: report.summary,
    }))
}

async fn get_schema<S: Store + 'static>(app: Data<S>, auth: Auth, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let record = blocking(&app, move |a| a.get_schema(auth.0, id)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(record.version)).json(SchemaDto::from(record)))
}

async fn replace_schema<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
    body: DocumentBody,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let expected = if_match(&req)?;
    let doc = body.0;
    let record = blocking(&app, move |a| a.replace_schema(auth.0, id, expected, doc)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(record.version)).json(SchemaDto::from(record)))
}

async fn patch_schema<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody<PatchSchemaRequest>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let expected = if_match(&req)?;
    let r = checked(body.0)?;
    let name = match r.name {
        Some(None) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT", "name cannot be null")
                .with_details(vec![serde_json::json!({"field": "name", "message": "cannot be null"})]));
        }
        Some(Some(name)) => Some(name),
        None => None,
    };
    let record = blocking(&app, move |a| a.patch_schema(auth.0, id, expected, name, r.description)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(record.version)).json(SchemaDto::from(record)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DeleteQuery {
    keep_database: Option<String>,
}

async fn delete_schema<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<DeleteQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let expected = if_match(&req)?;
    let keep = flag("keepDatabase", q.keep_database.as_deref())?;
    blocking(&app, move |a| a.delete_schema_and_database(auth.0, id, expected, keep)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn versions<S: Store + 'static>(app: Data<S>, auth: Auth, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let versions = blocking(&app, move |a| a.list_versions(auth.0, id)).await?;
    let items: Vec<VersionDto> = versions.into_iter().map(|v| VersionDto::new(v, false)).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

async fn version<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, n) = path.into_inner();
    let id = uuid_param("id", &id)?;
    let n: i32 = n
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ApiError::invalid_parameter("version", "must be a positive integer"))?;
    let v = blocking(&app, move |a| a.get_version(auth.0, id, n)).await?;
    // No ETag: a version is immutable, and its number is not the schema's
    // concurrency token.
    Ok(HttpResponse::Ok().json(VersionDto::new(v, true)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    drop: Option<bool>,
    download: Option<bool>,
}

/// A file name safe for Content-Disposition (the schema name is user text).
fn file_name(name: &str, extension: &str) -> String {
    let base: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(64)
        .collect();
    format!("{}.{extension}", if base.trim_matches('_').is_empty() { "schema" } else { &base })
}

async fn export_sql<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<ExportQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let drop = q.drop.unwrap_or(false);
    let (record, sql) = blocking(&app, move |a| a.export_sql(auth.0, id, drop)).await?;
    let mut res = HttpResponse::Ok();
    res.insert_header(etag(record.version)).content_type("text/plain; charset=utf-8");
    if q.download.unwrap_or(false) {
        let suffix = if drop { "drop.sql" } else { "sql" };
        res.insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file_name(&record.name, suffix)),
        ));
    }
    Ok(res.body(sql))
}

async fn export_json<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<ExportQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    if q.drop.is_some() {
        return Err(ApiError::invalid_parameter("drop", "applies to the SQL export only"));
    }
    let record = blocking(&app, move |a| a.get_schema(auth.0, id)).await?;
    let mut res = HttpResponse::Ok();
    res.insert_header(etag(record.version));
    if q.download.unwrap_or(false) {
        res.insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file_name(&record.name, "json")),
        ));
    }
    Ok(res.json(record.document))
}

// ------------------------------------------------------------------ provisioned databases

async fn provision<S: Store + 'static>(app: Data<S>, auth: Auth, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let state = blocking(&app, move |a| a.provision_database(auth.0, id)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/schemas/{id}/database/status")))
        .json(DatabaseStatusDto::from(state)))
}

async fn database_status<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let state = blocking(&app, move |a| a.database_status(auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(DatabaseStatusDto::from(state)))
}

async fn database_connection<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let info = blocking(&app, move |a| a.database_connection(auth.0, id)).await?;
    // It holds a password: no cache may keep it.
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(ConnectionDto::from(info)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmQuery {
    confirm: Option<String>,
}

async fn regenerate<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<ConfirmQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let confirm = flag("confirm", q.confirm.as_deref())?;
    let state = blocking(&app, move |a| a.regenerate_database(auth.0, id, confirm)).await?;
    Ok(HttpResponse::Ok().json(DatabaseStatusDto::from(state)))
}

async fn drop_database<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    blocking(&app, move |a| a.drop_database(auth.0, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ------------------------------------------------------------------ migrations

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<DiffQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let from = version_param("from", q.from.as_deref())?;
    let to = version_param("to", q.to.as_deref())?;
    let d = blocking(&app, move |a| a.diff_versions(auth.0, id, from, to)).await?;
    Ok(HttpResponse::Ok().json(DiffDto::from(d)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MigrateQuery {
    allow_data_loss: Option<String>,
}

fn data_loss(value: Option<&str>) -> ApiResult<DataLoss> {
    Ok(if flag("allowDataLoss", value)? { DataLoss::Allow } else { DataLoss::Refuse })
}

async fn migrate<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<MigrateQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let allow = data_loss(q.allow_data_loss.as_deref())?;
    let outcome = blocking(&app, move |a| a.migrate_database(auth.0, id, allow)).await?;
    Ok(HttpResponse::Ok().json(MigrationDto::from(outcome)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RollbackQuery {
    to: Option<String>,
    allow_data_loss: Option<String>,
}

async fn rollback<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<RollbackQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let to = version_param("to", q.to.as_deref())?
        .ok_or_else(|| ApiError::invalid_parameter("to", "is required: the version to roll back to"))?;
    let allow = data_loss(q.allow_data_loss.as_deref())?;
    let outcome = blocking(&app, move |a| a.rollback_database(auth.0, id, to, allow)).await?;
    Ok(HttpResponse::Ok().json(MigrationDto::from(outcome)))
}
