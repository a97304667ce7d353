//! The API's OpenAPI 3.1 document, generated from the code: the operations
//! from the handlers' `#[utoipa::path]` annotations, the bodies from the
//! DTOs' `ToSchema` derives, the domain's types (the schema document,
//! problems, changes) from the domain's own JSON Schemas, and what every
//! operation shares (authentication, the error envelope for 400, 401, 413,
//! 415, 429, 500 and 503, the `X-Request-Id` header) added here, in one
//! place. `GET /api/v1/openapi.json` serves it; `docs/openapi.json` is a
//! copy that a test keeps current.

use serde_json::{Map, Value, json};
use utoipa::OpenApi;

use crate::handlers::{self, audit, auth, connections, databases, drift, imports, jobs, schemas};

/// Every route's prefix.
pub const PREFIX: &str = "/api/v1";

/// The document, serialized once at start.
#[derive(Debug, Clone)]
pub struct OpenApiJson(pub String);

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Schemaforge",
        description = "Relational schemas as JSON documents, turned into PostgreSQL databases and kept in step. \
                       See docs/api.md for the conventions (errors, paging, ETags, request ids).",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    paths(
        handlers::health, handlers::ready, handlers::openapi_json,
        auth::register, auth::login, auth::refresh, auth::logout, auth::me, auth::update_me,
        auth::list_keys, auth::create_key, auth::revoke_key, audit::audit,
        schemas::list_schemas, schemas::create_schema, schemas::validate, schemas::import_schema,
        imports::import_sql, imports::import_database,
        schemas::get_schema, schemas::replace_schema, schemas::patch_schema, schemas::delete_schema,
        schemas::versions, schemas::version, schemas::export_sql, schemas::export_json,
        databases::provision, databases::database, databases::database_status, databases::database_connection,
        databases::regenerate, databases::drop_database, databases::diff, databases::migrate, databases::rollback,
        drift::database_drift, jobs::sync, jobs::job, jobs::jobs, jobs::cancel,
        connections::create, connections::list, connections::get, connections::update, connections::delete,
        connections::sync, connections::schema_drift,
    ),
    tags(
        (name = "health", description = "Liveness, readiness and this document"),
        (name = "auth", description = "Accounts, sessions, API keys and the audit log"),
        (name = "schemas", description = "Schema documents and their immutable versions"),
        (name = "databases", description = "The live PostgreSQL database of a schema"),
        (name = "migrations", description = "Diffs between versions, and migrating a live database"),
        (name = "connections", description = "Databases Schemaforge did not provision: registered, tested, compared and synced"),
        (name = "jobs", description = "Durable jobs (syncs), their progress and cancelling them"),
    ),
)]
struct ApiDoc;

/// The OpenAPI document as JSON.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    if let Some(info) = doc.pointer_mut("/info").and_then(Value::as_object_mut) {
        info.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    }
    let components = doc.as_object_mut().map(|d| d.entry("components").or_insert_with(|| json!({})));
    if let Some(components) = components.and_then(Value::as_object_mut) {
        components.insert(
            "securitySchemes".into(),
            json!({"bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "An access token from /auth/login or /auth/register, or an API key (`sfk_...`)",
            }}),
        );
        shared_components(components);
        let schemas = components.entry("schemas").or_insert_with(|| json!({}));
        if let Some(schemas) = schemas.as_object_mut() {
            for (name, schema) in schemaforge_domain::api_json_schemas("#/components/schemas/") {
                schemas.entry(name).or_insert(schema);
            }
        }
    }
    if let Some(doc) = doc.as_object_mut() {
        doc.insert("security".into(), json!([{"bearer": []}]));
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                not_nullable(operation);
                add_document_example(operation);
                add_shared_responses(operation);
            }
        }
    }
    doc
}

/// The document, pretty-printed with a final newline (as `docs/openapi.json` holds it).
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

/// The answers every operation can give, as `components/responses`.
const SHARED: [(&str, &str, &str); 7] = [
    ("400", "BadRequest", "`INVALID_PARAMETER`, `INVALID_JSON` or another malformed request"),
    ("401", "Unauthorized", "`UNAUTHORIZED`: no, or no valid, credentials"),
    ("413", "PayloadTooLarge", "`PAYLOAD_TOO_LARGE`"),
    ("415", "UnsupportedMediaType", "`UNSUPPORTED_MEDIA_TYPE`: the body must be JSON"),
    ("429", "RateLimited", "`RATE_LIMITED`: retry after `Retry-After` seconds"),
    ("500", "InternalError", "`INTERNAL_ERROR`"),
    ("503", "Unavailable", "`DATABASE_UNAVAILABLE`: the metadata database does not answer"),
];

fn header_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/headers/{name}")})
}

/// `components/headers` and `components/responses`.
fn shared_components(components: &mut Map<String, Value>) {
    components.insert(
        "headers".into(),
        json!({
            "RequestId": {
                "description": "The request's id (the client's, when it sent a short printable one), as in the logs",
                "required": true,
                "schema": {"type": "string"},
            },
            "RetryAfter": {"description": "Seconds to wait", "required": true, "schema": {"type": "integer", "minimum": 0}},
            "WwwAuthenticate": {"description": "`Bearer`", "required": true, "schema": {"type": "string"}},
        }),
    );
    let mut responses = Map::new();
    for (status, name, description) in SHARED {
        let mut headers = json!({"X-Request-Id": header_ref("RequestId")});
        match status {
            "429" => headers["Retry-After"] = header_ref("RetryAfter"),
            "401" => headers["WWW-Authenticate"] = header_ref("WwwAuthenticate"),
            _ => {}
        }
        responses.insert(
            name.into(),
            json!({
                "description": description,
                "headers": headers,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
            }),
        );
    }
    components.insert("responses".into(), Value::Object(responses));
}

/// A real document as the example of every body that is one (schemathesis
/// sends it in its examples phase).
fn add_document_example(operation: &mut Map<String, Value>) {
    const ECOMMERCE: &str = include_str!("../../../examples/ecommerce.json");
    let media = operation.get_mut("requestBody").and_then(|b| b.pointer_mut("/content/application~1json"));
    let Some(media) = media.and_then(Value::as_object_mut) else { return };
    if media.get("schema").and_then(|s| s.get("$ref")).and_then(Value::as_str)
        == Some("#/components/schemas/SchemaDocument")
    {
        if let Ok(example) = serde_json::from_str::<Value>(ECOMMERCE) {
            media.insert("example".into(), example);
        }
    }
}

/// Parameters in a path, query or header are text: absent, never `null`
/// (utoipa types an optional one as `[T, "null"]`).
fn not_nullable(operation: &mut Map<String, Value>) {
    let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) else { return };
    for schema in parameters.iter_mut().filter_map(|p| p.get_mut("schema")) {
        if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
            types.retain(|t| t != "null");
            if types.len() == 1 {
                let only = types.remove(0);
                schema["type"] = only;
            }
        }
    }
}

/// Refer to the shared answers an operation can give, and put the request
/// id header on its own.
fn add_shared_responses(operation: &mut Map<String, Value>) {
    // `security: [{}]` marks the operations that need no credentials.
    let public = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().all(|r| r.as_object().is_some_and(Map::is_empty)));
    let has_body = operation.contains_key("requestBody");
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
    for response in responses.values_mut().filter_map(Value::as_object_mut) {
        let headers = response.entry("headers").or_insert_with(|| json!({}));
        if let Some(headers) = headers.as_object_mut() {
            headers.insert("X-Request-Id".into(), header_ref("RequestId"));
        }
    }
    for (status, name, _) in SHARED {
        let applies = match status {
            "401" => !public,
            "413" | "415" => has_body,
            _ => true,
        };
        if applies {
            responses.entry(status).or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_schemas_do_not_collide_with_the_dtos() {
        let dtos = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let dtos = dtos["components"]["schemas"].as_object().unwrap();
        for name in schemaforge_domain::api_json_schemas("#/components/schemas/").keys() {
            assert!(!dtos.contains_key(name), "{name} is both a DTO and a domain type");
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(refs.len() > 20);
        for r in refs {
            let pointer = r.strip_prefix('#').unwrap();
            assert!(doc.pointer(pointer).is_some(), "dangling reference {r}");
        }
    }

    fn collect_refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| collect_refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_operation_answers_with_the_shared_errors_and_a_request_id() {
        let doc = document();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                operations += 1;
                let responses = op["responses"].as_object().unwrap();
                for status in ["400", "429", "500", "503"] {
                    assert!(responses.contains_key(status), "{method} {path} lacks {status}");
                }
                for (status, r) in responses {
                    let r = match r["$ref"].as_str() {
                        Some(name) => doc.pointer(name.strip_prefix('#').unwrap()).unwrap(),
                        None => r,
                    };
                    assert!(r["headers"]["X-Request-Id"].is_object(), "{method} {path} {status}");
                }
            }
        }
        assert!(operations >= 34, "{operations}");
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
