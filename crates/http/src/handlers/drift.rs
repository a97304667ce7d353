//! `GET /schemas/{id}/database/drift`: the provisioned database compared
//! with its design, element by element, with the script that makes it
//! match (docs/drift-and-sync.md).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use schemaforge_domain::Change;
use schemaforge_services::{Drift, ElementDrift, Matching, Store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Data, version_param};
use crate::dto::{ImportItemDto, SafetySummaryDto, changes};
use crate::error::{ApiError, ApiResult, Envelope};
use crate::extract::{Auth, blocking, uuid_param};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DriftQuery {
    /// The design's version to compare with (default: the current one).
    #[param(value_type = Option<i32>, minimum = 1)]
    version: Option<String>,
    /// `json` (the default) or `sql`: the statements that make the
    /// database match the design, as one transaction.
    #[param(value_type = Option<String>, pattern = "^(json|sql)$")]
    format: Option<String>,
}

/// One attribute that differs.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeDiffDto {
    /// The document's field (`default`, `nullable`, `expression`, ...).
    attribute: String,
    /// The design's value as PostgreSQL prints it (`null`: absent).
    #[schema(value_type = Object)]
    desired: serde_json::Value,
    /// The live value (`null`: absent).
    #[schema(value_type = Object)]
    live: serde_json::Value,
}

/// One element that is not simply matched.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ElementDriftDto {
    /// `table`, `column`, `index`, `check`, `foreign key`, ...
    kind: String,
    /// The design's id (for a redundant element: one made from its name).
    id: String,
    /// Its name, within its table where it has one.
    name: String,
    /// `missing`, `redundant`, `different` or `renamed` (renamed outside).
    #[schema(pattern = "^(missing|redundant|different|renamed)$")]
    status: String,
    /// The live name of an element renamed outside.
    #[serde(skip_serializing_if = "Option::is_none")]
    live_name: Option<String>,
    /// What differs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<AttributeDiffDto>,
}

impl From<ElementDrift> for ElementDriftDto {
    fn from(e: ElementDrift) -> Self {
        Self {
            kind: e.kind.into(),
            id: e.id,
            name: e.name,
            status: e.status.as_str().into(),
            live_name: e.live_name,
            attributes: e
                .attributes
                .into_iter()
                .map(|a| AttributeDiffDto { attribute: a.attribute, desired: a.desired, live: a.live })
                .collect(),
        }
    }
}

/// `GET /schemas/{id}/database/drift`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DriftDto {
    /// Whether the database matches the design.
    in_step: bool,
    /// `identity` (by the catalog identities recorded at each build and
    /// migration, then by name) or `names`.
    #[schema(pattern = "^(identity|names)$")]
    matching: String,
    /// How many elements have each status (`matched` included).
    counts: BTreeMap<String, usize>,
    /// Every element that is not matched.
    elements: Vec<ElementDriftDto>,
    /// Live objects the design does not cover: never drift, never dropped.
    unmanaged: Vec<ImportItemDto>,
    /// Counts per safety class of the changes.
    summary: SafetySummaryDto,
    /// The changes that make the database match the design.
    #[schema(schema_with = changes)]
    changes: Vec<Change>,
    /// Their statements (one transaction).
    to_design: Vec<String>,
    /// The reverse statements, for a person to run by hand.
    to_live: Vec<String>,
    /// Why there is no script, when one side is not a valid document.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
}

impl From<Drift> for DriftDto {
    fn from(d: Drift) -> Self {
        Self {
            in_step: d.in_step,
            matching: match d.matching {
                Matching::Identity => "identity",
                Matching::Names => "names",
            }
            .into(),
            counts: d.counts.into_iter().map(|(s, n)| (s.as_str().to_string(), n)).collect(),
            elements: d.elements.into_iter().map(ElementDriftDto::from).collect(),
            unmanaged: d.unmanaged.into_iter().map(ImportItemDto::from).collect(),
            summary: SafetySummaryDto::from(&d.changes),
            changes: d.changes.into_iter().collect(),
            to_design: d.to_design,
            to_live: d.to_live,
            errors: d.errors,
        }
    }
}

/// The drift of the schema's database from its design.
#[utoipa::path(get, path = "/api/v1/schemas/{id}/database/drift", tag = "databases",
    params(("id" = uuid::Uuid, Path, description = "The schema's id"), DriftQuery),
    responses(
        (status = 200, description = "The drift (JSON), or with `format=sql` its script",
            content((DriftDto = "application/json"), (String = "application/sql"))),
        (status = 404, description = "`SCHEMA_NOT_FOUND`, `VERSION_NOT_FOUND` or `DATABASE_NOT_FOUND`", body = Envelope),
        (status = 409, description = "`DATABASE_NOT_READY`, or `OPERATION_IN_PROGRESS`: a build, migration or drop of the database is under way", body = Envelope),
        (status = 422, description = "`INVALID_INPUT`", body = Envelope),
        (status = 503, description = "`UNAVAILABLE`: the database server cannot be reached", body = Envelope),
    ))]
pub(crate) async fn database_drift<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<DriftQuery>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    let version = version_param("version", q.version.as_deref())?;
    let sql = wants_sql(q.format.as_deref())?;
    let drift = blocking(&app, move |a| a.database_drift(auth.0, id, version)).await?;
    Ok(answer(drift, sql))
}

/// Whether `format` asks for the script (`sql`) rather than JSON.
pub(crate) fn wants_sql(format: Option<&str>) -> ApiResult<bool> {
    match format {
        None | Some("json") => Ok(false),
        Some("sql") => Ok(true),
        Some(_) => Err(ApiError::invalid_parameter("format", "must be json or sql")),
    }
}

/// A drift as JSON, or (`sql`) its script.
pub(crate) fn answer(drift: Drift, sql: bool) -> HttpResponse {
    if sql {
        return HttpResponse::Ok().content_type("application/sql; charset=utf-8").body(drift.script_sql());
    }
    HttpResponse::Ok().json(DriftDto::from(drift))
}
