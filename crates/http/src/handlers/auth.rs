//! `/auth/*`: accounts, sessions and API keys.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use schemaforge_services::Store;

use super::{Data, checked};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, Envelope};
use crate::extract::{Auth, JsonBody, blocking, uuid_param};

/// Create an account; answers with the user and a session.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", security(()),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = SessionDto),
        (status = 409, description = "`DUPLICATE_EMAIL`", body = Envelope),
        (status = 422, description = "`INVALID_INPUT`: a field is out of bounds", body = Envelope),
    ))]
pub(crate) async fn register<S: Store + 'static>(
    app: Data<S>,
    body: JsonBody<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    let session = blocking(&app, move |a| a.register(&r.email, &r.password, r.display_name)).await?;
    Ok(HttpResponse::Created().json(SessionDto { user: session.user.into(), tokens: session.tokens.into() }))
}

/// Exchange an email and password for a session.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = SessionDto),
        (status = 401, description = "`UNAUTHORIZED`: wrong email or password", body = Envelope),
        (status = 422, description = "`INVALID_INPUT`", body = Envelope),
    ))]
pub(crate) async fn login<S: Store + 'static>(app: Data<S>, body: JsonBody<LoginRequest>) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    let session = blocking(&app, move |a| a.login(&r.email, &r.password)).await?;
    Ok(HttpResponse::Ok().json(SessionDto { user: session.user.into(), tokens: session.tokens.into() }))
}

/// Exchange a refresh token for new tokens (the old one stops working).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokensDto),
        (status = 401, description = "`UNAUTHORIZED`: unknown, used or expired refresh token", body = Envelope),
        (status = 422, description = "`INVALID_INPUT`", body = Envelope),
    ))]
pub(crate) async fn refresh<S: Store + 'static>(
    app: Data<S>,
    body: JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    let tokens = blocking(&app, move |a| a.refresh(&r.refresh_token)).await?;
    Ok(HttpResponse::Ok().json(TokensDto::from(tokens)))
}

/// Revoke a refresh token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(()),
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "`UNAUTHORIZED`: unknown refresh token", body = Envelope),
        (status = 422, description = "`INVALID_INPUT`", body = Envelope),
    ))]
pub(crate) async fn logout<S: Store + 'static>(
    app: Data<S>,
    body: JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    blocking(&app, move |a| a.logout(&r.refresh_token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The authenticated user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, description = "The user", body = UserDto)))]
pub(crate) async fn me<S: Store + 'static>(app: Data<S>, auth: Auth) -> ApiResult<HttpResponse> {
    let user = blocking(&app, move |a| a.me(auth.0)).await?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// Change the display name or the password.
#[utoipa::path(patch, path = "/api/v1/auth/me", tag = "auth",
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The user afterwards", body = UserDto),
        (status = 422, description = "`INVALID_INPUT`", body = Envelope),
    ))]
pub(crate) async fn update_me<S: Store + 'static>(
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

/// Create an API key; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/auth/api-keys", tag = "auth",
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "The key, with its secret", body = ApiKeyDto),
        (status = 422, description = "`INVALID_INPUT`", body = Envelope),
    ))]
pub(crate) async fn create_key<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    body: JsonBody<CreateApiKeyRequest>,
) -> ApiResult<HttpResponse> {
    let r = checked(body.0)?;
    let created = blocking(&app, move |a| a.create_api_key(auth.0, &r.name)).await?;
    Ok(HttpResponse::Created().json(ApiKeyDto::new(created.key, Some(created.secret))))
}

/// The user's API keys (never their secrets).
#[utoipa::path(get, path = "/api/v1/auth/api-keys", tag = "auth",
    responses((status = 200, description = "The keys", body = ApiKeyListDto)))]
pub(crate) async fn list_keys<S: Store + 'static>(app: Data<S>, auth: Auth) -> ApiResult<HttpResponse> {
    let keys = blocking(&app, move |a| a.list_api_keys(auth.0)).await?;
    let items: Vec<ApiKeyDto> = keys.into_iter().map(|k| ApiKeyDto::new(k, None)).collect();
    Ok(HttpResponse::Ok().json(ApiKeyListDto { items }))
}

/// Revoke an API key.
#[utoipa::path(delete, path = "/api/v1/auth/api-keys/{id}", tag = "auth",
    params(("id" = uuid::Uuid, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "`API_KEY_NOT_FOUND`", body = Envelope),
    ))]
pub(crate) async fn revoke_key<S: Store + 'static>(
    app: Data<S>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = uuid_param("id", &path)?;
    blocking(&app, move |a| a.revoke_api_key(auth.0, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
