//! Cheap reads: the stored document text served as is, `304` for a
//! current `If-None-Match`, and database health reused for a few seconds.

use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::{example, spawn_app};

#[actix_web::test]
async fn a_current_if_none_match_gets_304_and_a_stale_one_the_new_version() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let created = app.call("POST", "/schemas", Some(&token), Some(&example("ecommerce"))).await;
    let id = created.json()["id"].as_str().unwrap().to_string();
    let path = format!("/schemas/{id}");

    let got = app.get(&path, Some(&token)).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(got.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(got.json(), created.json(), "the same representation as the create answer");
    assert_eq!(got.body, created.body, "byte for byte");

    for tag in ["\"1\"", "W/\"1\"", "*", "\"7\", \"1\""] {
        let r = app.call_with("GET", &path, Some(&token), None, &[("if-none-match", tag)]).await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{tag}");
        assert!(r.body.is_empty());
        assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    }
    let mut doc = example("ecommerce");
    doc["description"] = json!("v2");
    assert_eq!(app.call("PUT", &path, Some(&token), Some(&doc)).await.status, StatusCode::OK);
    let r = app.call_with("GET", &path, Some(&token), None, &[("if-none-match", "\"1\"")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(r.json()["document"]["description"], "v2");
    assert_eq!(r.json()["version"], 2);

    // A version: immutable, tagged "v<n>".
    let v1 = app.get(&format!("{path}/versions/1"), Some(&token)).await;
    assert_eq!(v1.header("etag").as_deref(), Some("\"v1\""));
    assert_eq!(v1.json()["document"], created.json()["document"]);
    assert_eq!(v1.json()["version"], 1);
    let again =
        app.call_with("GET", &format!("{path}/versions/1"), Some(&token), None, &[("if-none-match", "\"v1\"")]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(app.get(&format!("{path}/versions/3"), Some(&token)).await.code(), "VERSION_NOT_FOUND");

    // Another user learns nothing, not even through a matching tag.
    let (bob, _) = app.register("bob@example.com").await;
    let r = app.call_with("GET", &path, Some(&bob), None, &[("if-none-match", "*")]).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "SCHEMA_NOT_FOUND".to_string()));
    let r = app.get(&format!("{path}/versions/1"), Some(&bob)).await;
    assert_eq!(r.code(), "SCHEMA_NOT_FOUND");

    let export = app.get(&format!("{path}/export/json"), Some(&token)).await;
    let current = app.get(&path, Some(&token)).await.json();
    assert_eq!(export.json(), current["document"]);
    assert_eq!(export.header("etag").as_deref(), Some("\"2\""));
}

#[actix_web::test]
async fn database_health_is_reused_briefly_and_read_again_after_an_operation() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let created = app.call("POST", "/schemas", Some(&token), Some(&example("blog"))).await;
    let id = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.call("POST", &format!("/schemas/{id}/database"), Some(&token), None).await.status,
        StatusCode::CREATED
    );
    let status = || async { app.get(&format!("/schemas/{id}/database/status"), Some(&token)).await.json() };
    let first = status().await;
    let second = status().await;
    assert_eq!(first["reachable"], true);
    let checked = first["health"]["checkedAt"].as_str().unwrap().to_string();
    assert_eq!(second["health"]["checkedAt"], checked.as_str(), "the same figures, not a new connection");
    let mut doc = example("blog");
    doc["description"] = json!("v2");
    app.call("PUT", &format!("/schemas/{id}"), Some(&token), Some(&doc)).await;
    let migrated = app.call("POST", &format!("/schemas/{id}/database/migrate"), Some(&token), None).await;
    assert_eq!(migrated.status, StatusCode::OK, "{}", migrated.text());
    let after = status().await;
    assert_ne!(after["health"]["checkedAt"], checked.as_str(), "read again after the migration");
    assert_eq!(after["appliedVersion"], 2);
    assert_eq!(after["history"].as_array().unwrap().len(), 2);
}
