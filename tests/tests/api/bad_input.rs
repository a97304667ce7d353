//! Every kind of bad input gets a clear 4xx in the error envelope, never a
//! 500, and every response carries a request id.

use crate::helpers::{BODY_LIMIT, spawn_app};
use awc::http::StatusCode;
use serde_json::json;

#[actix_web::test]
async fn bad_requests_get_clear_errors() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let t = Some(token.as_str());

    // malformed JSON
    let req = app.client.post(app.url("/schemas")).bearer_auth(&token).content_type("application/json");
    let r = app.send(req, Some(b"{\"name\": ".to_vec())).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_JSON"));

    // wrong content type
    let req = app.client.post(app.url("/schemas")).bearer_auth(&token).content_type("text/plain");
    let r = app.send(req, Some(b"{}".to_vec())).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE"));

    // oversized body
    let big = json!({"name": "x".repeat(BODY_LIMIT + 10)});
    let r = app.call("POST", "/schemas", t, Some(&big)).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"));

    // unknown fields, with the path of the offending element
    let r = app.call("POST", "/schemas", t, Some(&json!({"name": "x", "tables": [{"id": "t", "nmae": "y"}]}))).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_JSON"));
    assert!(r.text().contains("nmae"), "{}", r.text());
    let r = app.call("POST", "/auth/login", None, Some(&json!({"email": "a@b.c", "password": "x", "extra": 1}))).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_JSON"));

    // non-UUID ids and bad query parameters
    let r = app.get("/schemas/not-a-uuid", t).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_PARAMETER"));
    let r = app.get("/schemas?page=abc", t).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_PARAMETER"));
    let r = app.get("/schemas?sort=size", t).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_PARAMETER"));
    let r = app.get("/schemas?page=0", t).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_PARAMETER"));
    let r = app
        .call_with(
            "PUT",
            &format!("/schemas/{}", uuid::Uuid::new_v4()),
            t,
            Some(&json!({"name": "x"})),
            &[("if-match", "soon")],
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_PARAMETER"));

    // a document's shape errors carry the path, line and column
    let r = app.call("POST", "/schemas", t, Some(&json!({"name": "x", "tables": [{"id": 5}]}))).await;
    assert_eq!(r.json()["error"]["details"][0]["path"], "/tables/0/id");
    assert!(r.text().contains("line 1"), "{}", r.text());
    let r = app.call("PATCH", &format!("/schemas/{}", uuid::Uuid::new_v4()), t, Some(&json!({"name": null}))).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT"));
    let r = app.call("POST", "/auth/register", None, Some(&json!({"email": "", "password": "long enough pw"}))).await;
    assert_eq!(r.json()["error"]["details"][0]["field"], "email");

    // invalid documents: every problem, with paths
    let bad = json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [{"id": "c", "name": "c", "dataType": "geography"}]}]});
    let r = app.call("POST", "/schemas", t, Some(&bad)).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_ERROR"));
    let details = r.json()["error"]["details"].as_array().unwrap().clone();
    assert_eq!(details.len(), 2);
    assert_eq!(details[0]["path"], "/tables/0/columns/0/dataType");

    // authentication
    let r = app.get("/schemas", None).await;
    assert_eq!(r.code(), "UNAUTHORIZED");
    assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
    let req = app.client.get(app.url("/auth/me")).insert_header(("authorization", format!("BEARER {token}")));
    assert_eq!(app.send(req, None).await.status, StatusCode::OK, "the scheme is case-insensitive");
    assert_eq!(app.get("/schemas", Some("garbage")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/schemas", Some("sfk_0000")).await.status, StatusCode::UNAUTHORIZED);

    // unknown routes and methods
    assert_eq!(app.get("/nope", None).await.code(), "NOT_FOUND");
    assert_eq!(app.call("DELETE", "/health", None, None).await.code(), "METHOD_NOT_ALLOWED");
}

#[actix_web::test]
async fn every_response_has_a_request_id() {
    let app = spawn_app().await;
    let ok = app.get("/health", None).await;
    let err = app.get("/schemas", None).await;
    for r in [&ok, &err] {
        let id = r.header("x-request-id").expect("x-request-id");
        assert!(!id.is_empty());
    }
    let req = app.client.get(app.url("/health")).insert_header(("x-request-id", "trace-123"));
    assert_eq!(app.send(req, None).await.header("x-request-id").as_deref(), Some("trace-123"));
}
