//! `/schemas/*`: documents, versions, validation and export.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use schemaforge_repository::SchemaSort;
use schemaforge_services::{ListParams, Store};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Data, checked, etag, flag};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, Envelope};
use crate::extract::{Auth, DocumentBody, JsonBody, blocking, if_match, uuid_param};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295_i64)]
    page: Option<u32>,
    /// Page size, 1 to 100 (0 counts as 1, larger values as 100); default 20.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64)]
    limit: Option<u32>,
    /// Case-insensitive substring of the name.
    search: Option<String>,
    /// `name`, `-name`, `updated` or `-updated` (the default).
    #[param(pattern = "^(-?name|-?updated|-?updatedAt)$")]
    sort: Option<String>,
}

/// The user's schemas, a page at a time.
#[utoipa::path(get, path = "/api/v1/schemas", tag = "schemas", params(ListQuery),
    responses((status = 200, description = "One page", body = SchemaPageDto)))]
pub(crate) async fn list_schemas<S: Store + 'static>(
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
    Ok(HttpResponse::Ok().json(SchemaPageDto {
        items: page.items.into_iter().map(SchemaSummaryDto::from).collect(),
        page: page.page,
        limit: page.limit,
        total: page.total,
    }))
}

/// Store a new schema (version 1) from a valid document; `/schemas/import` is the same operation.
#[utoipa::path(post, path = "/api/v1/schemas", tag = "schemas",
    request_body(content = inline(DocumentSchema), description = "A schema document"),
    responses(
        (status = 201, description = "Created", body = SchemaDto, headers(("ETag" = String, description = "The schema's current version, quoted"),
            ("Location" = String, description = "The schema's URL"))),
        (status = 409, description = "`DUPLICATE_NAME`", body = Envelope),
        (status = 422, description = "`VALIDATION_ERROR`: every problem in `details`", body = Envelope),
    ))]
pub(crate) async fn create_schema<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    body: DocumentBody,
) -> ApiResult<HttpResponse> {
    let doc = body.0;
    let record = blocking(&app, move |a| a.create_schema(auth.0, doc)).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(record.version))
        .insert_header((header::LOCATION, format!("/api/v1/schemas/{}", record.id)))
        .json(SchemaDto::from(record)))
}

/// The same as `POST /schemas`, under the name the designer's import uses.
#[utoipa::path(post, path = "/api/v1/schemas/import", tag = "schemas",
    request_body(content = inline(DocumentSchema), description = "A schema document"),
    responses(
        (status = 201, description = "Created", body = SchemaDto, headers(("ETag" = String, description = "The schema's current version, quoted"),
            ("Location" = String, description = "The schema's URL"))),
        (status = 409, description = "`DUPLICATE_NAME`", body = Envelope),
        (status = 422, description = "`VALIDATION_ERROR`: every problem in `details`", body = Envelope),
    ))]
pub(crate) async fn import_schema<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    body: DocumentBody,
) -> ApiResult<HttpResponse> {
    create_schema(app, auth, body).await
}

/// Validate a document without storing it.
#[utoipa::path(post, path = "/api/v1/schemas/validate", tag = "schemas",
    request_body(content = inline(DocumentSchema), description = "A schema document"),
    responses((status = 200, description = "Every problem and the complexity summary", body = ValidationDto)))]
pub(crate) async fn validate<S: Store + 'static>(
    app: Data<S>,
    _auth: Auth,
    body: DocumentBody,
) -> ApiResult<HttpResponse> {
    let doc = body.0;
    // On the blocking pool: with `validate_on_server` it talks to a server.
    let report = blocking(&app, move |a| Ok(a.validate_document(&doc))).await?;
    Ok(HttpResponse::Ok().json(ValidationDto {
        valid: report.valid,
        problems: report.problems,
        summary: report.summary,
    }))
}

/// A schema with its current document.
#[utoipa::path(get, path = "/api/v1/schemas/{id}", tag = "schemas", params(("id" = uuid::Uuid, Path, description = "The schema's id"), ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer: `304` without a body while it is current")),
    responses(
        (status = 200, description = "The schema", body = SchemaDto, headers(("ETag" = String, description = "The schema's current version, quoted"))),
        (status = 304, description = "Not modified since the ETag sent", headers(("ETag" = String, description = "The schema's current version, quoted"))),
        (status = 404, description = "`SCHEMA_NOT_FOUND`", body = Envelope),
    ))]
pub(crate) async fn get_schema<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let found = blocking(&app, move |a| a.get_schema_json(auth.0, id)).await?;
    let tag = etag(found.summary.version);
    if not_modified(&req, &tag.1) {
        return Ok(HttpResponse::NotModified().insert_header(tag).finish());
    }
    let body = with_raw_document(&SchemaSummaryDto::from(found.summary), &found.document)?;
    Ok(HttpResponse::Ok().insert_header(tag).content_type("application/json").body(body))
}

/// Replace the document: a new version.
#[utoipa::path(put, path = "/api/v1/schemas/{id}", tag = "schemas", params(("id" = uuid::Uuid, Path, description = "The schema's id"), ("If-Match" = Option<String>, Header, pattern = r#"^(\*|(W/)?"[1-9][0-9]{0,8}")$"#, description = "The ETag the change is based on, e.g. `\"3\"`; without it the change applies to whatever is current")),
    request_body(content = inline(DocumentSchema), description = "A schema document"),
    responses(
        (status = 200, description = "The schema at its new version", body = SchemaDto, headers(("ETag" = String, description = "The schema's current version, quoted"))),
        (status = 404, description = "`SCHEMA_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`CONFLICT` (If-Match is stale) or `DUPLICATE_NAME`", body = Envelope),
        (status = 422, description = "`VALIDATION_ERROR`", body = Envelope),
    ))]
pub(crate) async fn replace_schema<S: Store + 'static>(
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

/// Rename the schema or change its description: a new version.
#[utoipa::path(patch, path = "/api/v1/schemas/{id}", tag = "schemas", params(("id" = uuid::Uuid, Path, description = "The schema's id"), ("If-Match" = Option<String>, Header, pattern = r#"^(\*|(W/)?"[1-9][0-9]{0,8}")$"#, description = "The ETag the change is based on, e.g. `\"3\"`; without it the change applies to whatever is current")),
    request_body = PatchSchemaRequest,
    responses(
        (status = 200, description = "The schema at its new version", body = SchemaDto, headers(("ETag" = String, description = "The schema's current version, quoted"))),
        (status = 404, description = "`SCHEMA_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`CONFLICT` or `DUPLICATE_NAME`", body = Envelope),
        (status = 422, description = "`INVALID_INPUT` or `VALIDATION_ERROR`", body = Envelope),
    ))]
pub(crate) async fn patch_schema<S: Store + 'static>(
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct DeleteQuery {
    /// Keep the provisioned database (it is then reachable by no endpoint).
    #[param(value_type = Option<bool>)]
    keep_database: Option<String>,
}

/// Delete the schema, its versions and (unless `keepDatabase=true`) its database.
#[utoipa::path(delete, path = "/api/v1/schemas/{id}", tag = "schemas", params(("id" = uuid::Uuid, Path, description = "The schema's id"), ("If-Match" = Option<String>, Header, pattern = r#"^(\*|(W/)?"[1-9][0-9]{0,8}")$"#, description = "The ETag the change is based on, e.g. `\"3\"`; without it the change applies to whatever is current"), DeleteQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`SCHEMA_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`CONFLICT` or `OPERATION_IN_PROGRESS`", body = Envelope),
        (status = 422, description = "`PROVISIONING_FAILED`: the database could not be dropped", body = Envelope),
    ))]
pub(crate) async fn delete_schema<S: Store + 'static>(
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

/// Every version of the schema, without documents.
#[utoipa::path(get, path = "/api/v1/schemas/{id}/versions", tag = "schemas", params(("id" = uuid::Uuid, Path, description = "The schema's id")),
    responses(
        (status = 200, description = "The versions", body = VersionListDto),
        (status = 404, description = "`SCHEMA_NOT_FOUND`", body = Envelope),
    ))]
pub(crate) async fn versions<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let versions = blocking(&app, move |a| a.list_versions(auth.0, id)).await?;
    let items: Vec<VersionDto> = versions.into_iter().map(|v| VersionDto::new(v, false)).collect();
    Ok(HttpResponse::Ok().json(VersionListDto { items }))
}

/// One version with its document (versions are immutable).
#[utoipa::path(get, path = "/api/v1/schemas/{id}/versions/{version}", tag = "schemas",
    params(("id" = uuid::Uuid, Path, description = "The schema's id"), ("version" = i32, Path, minimum = 1, description = "The version number"), ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer: `304` without a body while it is current")),
    responses(
        (status = 200, description = "The version", body = VersionDto, headers(("ETag" = String, description = "`\"v<version>\"`: a version never changes"))),
        (status = 304, description = "Not modified (it never is)", headers(("ETag" = String, description = "`\"v<version>\"`"))),
        (status = 404, description = "`SCHEMA_NOT_FOUND` or `VERSION_NOT_FOUND`", body = Envelope),
    ))]
pub(crate) async fn version<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, n) = path.into_inner();
    let id = uuid_param("id", &id)?;
    let n: i32 = n
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ApiError::invalid_parameter("version", "must be a positive integer"))?;
    let v = blocking(&app, move |a| a.get_version_json(auth.0, id, n)).await?;
    // A version never changes; its tag is not the schema's concurrency
    // token (If-Match), hence the `v`.
    let tag = (header::ETAG, format!("\"v{}\"", v.version));
    if not_modified(&req, &tag.1) {
        return Ok(HttpResponse::NotModified().insert_header(tag).finish());
    }
    let body = with_raw_document(&VersionDto::summary(v.version, v.created_at), &v.document)?;
    Ok(HttpResponse::Ok().insert_header(tag).content_type("application/json").body(body))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExportQuery {
    /// The drop script instead of the create script (SQL export only).
    drop: Option<bool>,
    /// Send `Content-Disposition: attachment` with a file name.
    download: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct JsonExportQuery {
    /// Send `Content-Disposition: attachment` with a file name.
    download: Option<bool>,
}

/// Whether `If-None-Match` names `tag` (weak comparison, as for GET) or is `*`.
fn not_modified(req: &HttpRequest, tag: &str) -> bool {
    let Some(value) = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    value.split(',').map(str::trim).any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

/// `dto` (an object) with a `document` member holding the stored text as
/// it is: the document is neither parsed nor serialized again.
fn with_raw_document(dto: &impl serde::Serialize, document: &str) -> ApiResult<Vec<u8>> {
    let mut out = serde_json::to_vec(dto).map_err(|e| ApiError::internal(&e))?;
    out.reserve(document.len() + ",\"document\":}".len());
    if out.pop() != Some(b'}') {
        return Err(ApiError::internal(&std::io::Error::other("a DTO did not serialize to an object")));
    }
    if out.len() > 1 {
        out.push(b',');
    }
    out.extend_from_slice(b"\"document\":");
    out.extend_from_slice(document.as_bytes());
    out.push(b'}');
    Ok(out)
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

/// The create (or, with `drop=true`, drop) script of the current version.
#[utoipa::path(get, path = "/api/v1/schemas/{id}/export/sql", tag = "schemas", params(("id" = uuid::Uuid, Path, description = "The schema's id"), ExportQuery),
    responses(
        (status = 200, description = "The script", content_type = "text/plain; charset=utf-8", body = String,
            headers(("ETag" = String, description = "The schema's current version, quoted"), ("Content-Disposition" = Option<String>, description = "With `download=true`"))),
        (status = 404, description = "`SCHEMA_NOT_FOUND`", body = Envelope),
    ))]
pub(crate) async fn export_sql<S: Store + 'static>(
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

/// The current document.
#[utoipa::path(get, path = "/api/v1/schemas/{id}/export/json", tag = "schemas", params(("id" = uuid::Uuid, Path, description = "The schema's id"), JsonExportQuery),
    responses(
        (status = 200, description = "The document", body = inline(DocumentSchema),
            headers(("ETag" = String, description = "The schema's current version, quoted"), ("Content-Disposition" = Option<String>, description = "With `download=true`"))),
        (status = 404, description = "`SCHEMA_NOT_FOUND`", body = Envelope),
    ))]
pub(crate) async fn export_json<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<JsonExportQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let found = blocking(&app, move |a| a.get_schema_json(auth.0, id)).await?;
    let mut res = HttpResponse::Ok();
    res.insert_header(etag(found.summary.version)).content_type("application/json");
    if q.download.unwrap_or(false) {
        res.insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file_name(&found.summary.name, "json")),
        ));
    }
    Ok(res.body(web::Bytes::from_owner(Text(found.document))))
}

/// Shared document text as a body, without copying it.
struct Text(std::sync::Arc<str>);

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}
