//! `/schemas/import/sql` and `/schemas/import/database`: a new schema at
//! version 1 from SQL text or from a live database, with the import report.
//! Synchronous: the answer comes when the import is done, within the
//! server's import timeout (`504 IMPORT_TIMEOUT` past it).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::web;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use schemaforge_repository::ImportTarget;
use schemaforge_services::{ImportJobSource, ImportRequest, ImportedSchema, ServiceError, Store};
use utoipa::IntoParams;

use super::{Data, checked, etag, flag};
use crate::HttpSettings;
use crate::dto::{ImportDatabaseRequest, ImportedSchemaDto};
use crate::error::{ApiError, ApiResult, Envelope};
use crate::extract::{Auth, JsonBody, blocking};

/// The query of `POST /schemas/import/sql` (documentation; parsed by
/// [`sql_options`], which takes `schema` more than once).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct ImportSqlQuery {
    /// The new schema's name (1 to 200 characters); absent, `imported <date and time>`.
    #[param(min_length = 1, max_length = 200)]
    name: Option<String>,
    /// A namespace (PostgreSQL schema) of the text to read; repeat for more; absent, all.
    #[param(explode = true, style = Form)]
    schema: Option<Vec<String>>,
    /// `true`: refuse (`422 IMPORT_INCOMPLETE`) when anything was adjusted or omitted.
    strict: Option<bool>,
}

/// The options of an SQL import, from the query string.
fn sql_options(query: &str) -> ApiResult<ImportRequest> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
        .map_err(|e| ApiError::invalid_parameter("query", e))?
        .into_inner();
    let mut request = ImportRequest::default();
    for (key, value) in pairs {
        match key.as_str() {
            "name" if (1..=200).contains(&value.chars().count()) => request.name = Some(value),
            "name" => return Err(ApiError::invalid_parameter("name", "must be 1 to 200 characters long")),
            "schema" if !value.is_empty() && request.namespaces.len() < 100 => request.namespaces.push(value),
            "schema" => return Err(ApiError::invalid_parameter("schema", "must be a name (at most 100 of them)")),
            "strict" => request.strict = flag("strict", Some(&value))?,
            other => return Err(ApiError::invalid_parameter(other, "is not a parameter of this operation")),
        }
    }
    Ok(request)
}

/// A body of SQL text: `application/sql` or `text/plain`, UTF-8, within
/// the server's SQL body limit (larger than the JSON one: dumps are big).
pub(crate) struct SqlBody(String);

impl FromRequest for SqlBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let sql = req.mime_type().ok().flatten().is_some_and(|m| {
            (m.type_() == "application" && m.subtype() == "sql") || (m.type_() == "text" && m.subtype() == "plain")
        });
        let limit = req.app_data::<web::Data<HttpSettings>>().map_or(16 * 1024 * 1024, |s| s.sql_body_limit);
        let payload = web::Payload::from_request(req, payload);
        Box::pin(async move {
            if !sql {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "the request body must be SQL text (Content-Type: application/sql or text/plain)",
                ));
            }
            let too_large = || {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PAYLOAD_TOO_LARGE",
                    format!("the SQL text is larger than {limit} bytes"),
                )
            };
            let read = |e: &dyn std::fmt::Display| {
                ApiError::new(StatusCode::BAD_REQUEST, "INVALID_BODY", format!("cannot read the request body: {e}"))
            };
            let body = payload.await.map_err(|e| read(&e))?.to_bytes_limited(limit).await.map_err(|_| too_large())?;
            let body = body.map_err(|e| read(&e))?;
            let text = String::from_utf8(body.to_vec())
                .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_BODY", "the SQL text is not UTF-8"))?;
            if text.trim().is_empty() {
                return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT", "sql is empty")
                    .with_details(vec![serde_json::json!({"field": "sql", "message": "is empty"})]));
            }
            Ok(SqlBody(text))
        })
    }
}

fn created(imported: ImportedSchema) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(etag(imported.schema.version))
        .insert_header((header::LOCATION, format!("/api/v1/schemas/{}", imported.schema.id)))
        .json(ImportedSchemaDto::from(imported))
}

/// Import SQL text (hand-written DDL, `pg_dump --schema-only` output, a
/// `structure.sql`): loaded into a scratch database on the provisioning
/// server by a throwaway role, read, dropped; a new schema at version 1.
#[utoipa::path(post, path = "/api/v1/schemas/import/sql", tag = "schemas", params(ImportSqlQuery),
    request_body(content = String, content_type = "application/sql",
        description = "SQL text (UTF-8); `text/plain` is accepted too"),
    responses(
        (status = 201, description = "Created, with the import report", body = ImportedSchemaDto,
            headers(("ETag" = String, description = "The schema's current version, quoted"),
                ("Location" = String, description = "The schema's URL"))),
        (status = 409, description = "`DUPLICATE_NAME`", body = Envelope),
        (status = 415, description = "`UNSUPPORTED_MEDIA_TYPE`: the body must be SQL text", body = Envelope),
        (status = 422, description = "`SQL_STATEMENT_REFUSED` (the line and PostgreSQL's message in `details`), \
            `IMPORT_INCOMPLETE` (the report in `details`), `IMPORT_SCHEMA_NOT_FOUND` or `INVALID_INPUT`", body = Envelope),
        (status = 504, description = "`IMPORT_TIMEOUT`: the load took longer than the server allows", body = Envelope),
    ))]
pub(crate) async fn import_sql<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    req: HttpRequest,
    body: SqlBody,
) -> ApiResult<HttpResponse> {
    let request = sql_options(req.query_string())?;
    let sql = body.0;
    let imported = blocking(&app, move |a| a.import_sql(auth.0, &sql, request)).await?;
    Ok(created(imported))
}

/// Import a live PostgreSQL database: its catalog read once, in a read-only
/// transaction, through a URL that is stored nowhere; a new schema at
/// version 1.
#[utoipa::path(post, path = "/api/v1/schemas/import/database", tag = "schemas",
    params(crate::handlers::databases::AsyncQuery),
    request_body(content = ImportDatabaseRequest, description = "The database to read"),
    responses(
        (status = 202, description = "With `async=true`: the import job, pending (the URL kept encrypted until it runs)", body = crate::handlers::jobs::JobDto),
        (status = 201, description = "Created, with the import report", body = ImportedSchemaDto,
            headers(("ETag" = String, description = "The schema's current version, quoted"),
                ("Location" = String, description = "The schema's URL"))),
        (status = 403, description = "`IMPORT_TARGET_FORBIDDEN`: the server does not connect to that address", body = Envelope),
        (status = 409, description = "`DUPLICATE_NAME`", body = Envelope),
        (status = 422, description = "`INVALID_CONNECTION_URL`, `IMPORT_UNREACHABLE`, \
            `IMPORT_AUTHENTICATION_FAILED`, `IMPORT_DATABASE_NOT_FOUND`, `IMPORT_SCHEMA_NOT_FOUND`, \
            `IMPORT_PRIVILEGES`, `IMPORT_SERVER_ERROR`, `IMPORT_INCOMPLETE` or `INVALID_INPUT`", body = Envelope),
        (status = 504, description = "`IMPORT_TIMEOUT`: reading took longer than the server allows", body = Envelope),
    ))]
pub(crate) async fn import_database<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    q: web::Query<crate::handlers::databases::AsyncQuery>,
    body: JsonBody<ImportDatabaseRequest>,
) -> ApiResult<HttpResponse> {
    let dto = checked(body.0)?;
    if flag("async", q.run_async.as_deref())? {
        let request = ImportRequest { name: dto.name, namespaces: dto.schemas, strict: dto.strict };
        let source = ImportJobSource::Database(dto.url);
        let job = blocking(&app, move |a| a.request_import_job(auth.0, source, request)).await?;
        return Ok(crate::handlers::jobs::accepted(job));
    }
    let target = ImportTarget::parse(&dto.url).map_err(|e| ApiError::from(ServiceError::ImportSource(e)))?;
    let request = ImportRequest { name: dto.name, namespaces: dto.schemas, strict: dto.strict };
    let imported = blocking(&app, move |a| a.import_database(auth.0, &target, request)).await?;
    Ok(created(imported))
}
