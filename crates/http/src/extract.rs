//! Extractors: JSON bodies with precise errors, the authenticated caller,
//! `If-Match`, and running blocking service calls off the executor.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use schemaforge_services::{App, Principal, ServiceError, ServiceResult, Store};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use crate::{AuthState, HttpSettings};

/// Run a blocking service call on actix's blocking pool, inside the
/// current tracing span (Diesel is synchronous; the executor must not wait
/// on it).
pub async fn blocking<S, T, F>(app: &App<S>, f: F) -> ApiResult<T>
where
    S: Store + 'static,
    T: Send + 'static,
    F: FnOnce(&App<S>) -> ServiceResult<T> + Send + 'static,
{
    let app = app.clone();
    let span = tracing::Span::current();
    match web::block(move || span.in_scope(|| f(&app))).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(ApiError::internal(&e)),
    }
}

/// A JSON body: the content type must be JSON, the size within the limit,
/// and parse errors name the JSON pointer where they happened.
pub struct JsonBody<T>(pub T);

/// A schema document body, parsed by the document parser (JSON-pointer path,
/// line and column in errors).
pub struct DocumentBody(pub schemaforge_domain::SchemaDocument);

impl FromRequest for DocumentBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let raw = RawJson::from_request(req, payload);
        Box::pin(async move {
            let bytes = raw.await?.0;
            let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::invalid_json("", "the body is not UTF-8"))?;
            schemaforge_domain::parse_document(text)
                .map(DocumentBody)
                .map_err(|e| ApiError::invalid_json(&e.path, &e.to_problem().message))
        })
    }
}

/// The raw bytes of a JSON body, with the content-type and size checks.
struct RawJson(Bytes);

fn is_json(req: &HttpRequest) -> bool {
    req.mime_type().ok().flatten().is_some_and(|m| {
        m.type_() == "application" && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
    })
}

/// Parse JSON with the path of the first error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        use serde_path_to_error::Segment;
        let mut pointer = String::new();
        for segment in e.path().iter() {
            match segment {
                Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
                Segment::Map { key } => {
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                Segment::Enum { .. } | Segment::Unknown => {}
            }
        }
        ApiError::invalid_json(&pointer, &e.inner().to_string())
    })?;
    de.end().map_err(|e| ApiError::invalid_json("", &e.to_string()))?;
    Ok(value)
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let raw = RawJson::from_request(req, payload);
        Box::pin(async move { parse_json(&raw.await?.0).map(JsonBody) })
    }
}

impl FromRequest for RawJson {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let limit = req.app_data::<web::Data<HttpSettings>>().map_or(2 * 1024 * 1024, |s| s.body_limit);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "the request body must be JSON (Content-Type: application/json)",
                ));
            }
            let too_large = || {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PAYLOAD_TOO_LARGE",
                    format!("the request body is larger than {limit} bytes"),
                )
            };
            if declared.is_some_and(|n| n > limit) {
                return Err(too_large());
            }
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    ApiError::new(StatusCode::BAD_REQUEST, "INVALID_BODY", format!("cannot read the request body: {e}"))
                }
            })?;
            if bytes.len() > limit {
                return Err(too_large());
            }
            Ok(RawJson(bytes))
        })
    }
}

/// The authenticated caller (JWT access token or API key).
pub struct Auth(pub Principal);

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AuthState>>().cloned();
        let limiters = req.app_data::<web::Data<crate::limits::Limiters>>().cloned();
        let request_id = req.extensions().get::<schemaforge_services::RequestId>().copied();
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_string());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(&ServiceError::Internal("state missing".into())))?;
            let bearer = bearer.ok_or_else(|| {
                ApiError::unauthorized("authentication required: send Authorization: Bearer <token or API key>")
            })?;
            let auth = state.into_inner();
            // An access token is checked in memory (microseconds); only an
            // API key needs the store, on the blocking pool.
            let mut principal = if bearer.starts_with(schemaforge_services::API_KEY_PREFIX) {
                let span = tracing::Span::current();
                match web::block(move || span.in_scope(|| (auth.0)(&bearer))).await {
                    Ok(result) => result?,
                    Err(e) => return Err(ApiError::internal(&e)),
                }
            } else {
                (auth.0)(&bearer)?
            };
            principal.request_id = request_id;
            tracing::Span::current().record("user_id", tracing::field::display(principal.user_id));
            if let Some(limiters) = limiters {
                limiters.account(principal.user_id)?;
            }
            Ok(Auth(principal))
        })
    }
}

/// The version in an `If-Match` header (`"3"`, `W/"3"` or `3`), if any.
pub fn if_match(req: &HttpRequest) -> ApiResult<Option<i32>> {
    let Some(value) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().map_err(|_| ApiError::invalid_parameter("If-Match", "is not ASCII"))?.trim();
    if text == "*" {
        return Ok(None);
    }
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse::<i32>()
        .ok()
        .filter(|v| *v >= 1)
        .map(Some)
        .ok_or_else(|| ApiError::invalid_parameter("If-Match", "must be an ETag returned by this API, e.g. \"3\""))
}

/// Parse a path segment as a UUID.
pub fn uuid_param(name: &str, value: &str) -> ApiResult<uuid::Uuid> {
    uuid::Uuid::parse_str(value).map_err(|_| ApiError::invalid_parameter(name, "is not a UUID"))
}
