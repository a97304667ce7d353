//! `GET /audit`: the caller's own audit log.

use actix_web::{HttpResponse, web};
use schemaforge_services::Store;
use serde::Deserialize;
use utoipa::IntoParams;

use super::Data;
use crate::dto::AuditPageDto;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, blocking};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295_i64)]
    page: Option<u32>,
    /// Page size, 1 to 100 (0 counts as 1, larger values as 100); default 50.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64)]
    limit: Option<u32>,
}

/// Every schema, database and API key operation of the caller, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "auth", params(AuditQuery),
    responses((status = 200, description = "One page", body = AuditPageDto)))]
pub(crate) async fn audit<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    q: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    if q.page == Some(0) {
        return Err(ApiError::invalid_parameter("page", "pages start at 1"));
    }
    let page = blocking(&app, move |a| a.list_audit(auth.0, q.page, q.limit)).await?;
    Ok(HttpResponse::Ok().json(AuditPageDto::from(page)))
}
