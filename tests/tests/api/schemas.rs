//! The schema API from sign-up to export, isolation, and optimistic concurrency.

use crate::helpers::{example, server_count, spawn_app, spawn_app_with};
use awc::http::StatusCode;
use serde_json::json;

#[actix_web::test]
async fn sign_up_to_export() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let t = Some(token.as_str());

    let created = app.call("POST", "/schemas", t, Some(&example("blog"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    let id = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(created.header("location"), Some(format!("/api/v1/schemas/{id}")));

    let got = app.get(&format!("/schemas/{id}"), t).await;
    assert_eq!(got.status, StatusCode::OK);
    // The stored document is the same document (serialized canonically).
    let doc = |v: &serde_json::Value| schemaforge_domain::parse_document(&v.to_string()).unwrap();
    assert_eq!(doc(&got.json()["document"]), doc(&example("blog")));

    let mut doc = example("blog");
    doc["description"] = json!("second draft");
    let put = app.call_with("PUT", &format!("/schemas/{id}"), t, Some(&doc), &[("if-match", "\"1\"")]).await;
    assert_eq!((put.status, put.header("etag").as_deref()), (StatusCode::OK, Some("\"2\"")));

    let patched = app
        .call_with("PATCH", &format!("/schemas/{id}"), t, Some(&json!({"name": "Blog v2"})), &[("if-match", "\"2\"")])
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    assert_eq!(patched.json()["name"], "Blog v2");

    let versions = app.get(&format!("/schemas/{id}/versions"), t).await.json();
    assert_eq!(versions["items"].as_array().unwrap().len(), 3);
    let v1 = app.get(&format!("/schemas/{id}/versions/1"), t).await;
    // Not the schema's concurrency token: If-Match refuses it.
    assert_eq!(v1.header("etag").as_deref(), Some("\"v1\""));
    let stale = app
        .call_with("PATCH", &format!("/schemas/{id}"), t, Some(&json!({"description": "x"})), &[("if-match", "\"v1\"")])
        .await;
    assert_eq!(stale.code(), "INVALID_PARAMETER");
    let v1 = v1.json();
    assert_eq!(v1["document"]["name"], example("blog")["name"]);
    assert_eq!(app.get(&format!("/schemas/{id}/versions/9"), t).await.code(), "VERSION_NOT_FOUND");

    let sql = app.get(&format!("/schemas/{id}/export/sql"), t).await;
    assert_eq!(sql.status, StatusCode::OK);
    assert!(sql.header("content-type").unwrap().starts_with("text/plain"));
    assert!(sql.text().contains("CREATE TABLE \"posts\""));
    let drop = app.get(&format!("/schemas/{id}/export/sql?drop=true&download=true"), t).await;
    assert!(drop.text().contains("DROP TABLE IF EXISTS \"posts\""));
    assert_eq!(drop.header("content-disposition").as_deref(), Some("attachment; filename=\"Blog_v2.drop.sql\""));
    let json_export = app.get(&format!("/schemas/{id}/export/json"), t).await;
    assert_eq!(json_export.json()["name"], "Blog v2");

    // an export can be imported again (a new name: names are unique per owner)
    let mut exported = json_export.json();
    exported["name"] = json!("Blog copy");
    let imported = app.call("POST", "/schemas/import", t, Some(&exported)).await;
    assert_eq!(imported.status, StatusCode::CREATED);
    let dup = app.call("POST", "/schemas/import", t, Some(&exported)).await;
    assert_eq!((dup.status, dup.code().as_str()), (StatusCode::CONFLICT, "DUPLICATE_NAME"));

    let list = app.get("/schemas?sort=name&limit=1", t).await.json();
    assert_eq!((list["total"].as_i64(), list["items"].as_array().unwrap().len()), (Some(2), 1));
    assert_eq!(list["items"][0]["name"], "Blog copy");
    let found = app.get("/schemas?search=v2", t).await.json();
    assert_eq!(found["total"], 1);

    let deleted = app.call("DELETE", &format!("/schemas/{id}"), t, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/schemas/{id}"), t).await.code(), "SCHEMA_NOT_FOUND");
}

#[actix_web::test]
async fn users_cannot_see_each_others_schemas() {
    let app = spawn_app().await;
    let (ada, _) = app.register("ada@example.com").await;
    let (bob, _) = app.register("bob@example.com").await;
    let id = app.call("POST", "/schemas", Some(&ada), Some(&example("clinic"))).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();

    for path in [format!("/schemas/{id}"), format!("/schemas/{id}/versions"), format!("/schemas/{id}/export/sql")] {
        let r = app.get(&path, Some(&bob)).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::NOT_FOUND, "SCHEMA_NOT_FOUND"), "{path}");
    }
    let put = app.call("PUT", &format!("/schemas/{id}"), Some(&bob), Some(&example("clinic"))).await;
    assert_eq!(put.status, StatusCode::NOT_FOUND);
    let del = app.call("DELETE", &format!("/schemas/{id}"), Some(&bob), None).await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/schemas", Some(&bob)).await.json()["total"], 0);
    // and the same name is free for Bob
    assert_eq!(app.call("POST", "/schemas", Some(&bob), Some(&example("clinic"))).await.status, StatusCode::CREATED);
    assert_eq!(app.get(&format!("/schemas/{id}"), Some(&ada)).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_stale_if_match_gets_409_and_changes_nothing() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let t = Some(token.as_str());
    let id =
        app.call("POST", "/schemas", t, Some(&example("ecommerce"))).await.json()["id"].as_str().unwrap().to_string();
    let mut doc = example("ecommerce");
    doc["description"] = json!("first writer");
    let first = app.call_with("PUT", &format!("/schemas/{id}"), t, Some(&doc), &[("if-match", "\"1\"")]).await;
    assert_eq!(first.status, StatusCode::OK);
    doc["description"] = json!("second writer");
    let second = app.call_with("PUT", &format!("/schemas/{id}"), t, Some(&doc), &[("if-match", "\"1\"")]).await;
    assert_eq!((second.status, second.code().as_str()), (StatusCode::CONFLICT, "CONFLICT"));
    let now = app.get(&format!("/schemas/{id}"), t).await;
    assert_eq!(now.json()["description"], "first writer");
    assert_eq!(now.header("etag").as_deref(), Some("\"2\""));
    let stale_delete = app.call_with("DELETE", &format!("/schemas/{id}"), t, None, &[("if-match", "\"1\"")]).await;
    assert_eq!(stale_delete.status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn validate_returns_problems_and_summary_without_saving() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let r = app.call("POST", "/schemas/validate", Some(&token), Some(&example("blog"))).await.json();
    assert_eq!(r["valid"], true);
    assert_eq!(r["summary"]["tables"], 11);
    let bad = json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [{"id": "c", "name": "c", "dataType": "geography"}]}]});
    let r = app.call("POST", "/schemas/validate", Some(&token), Some(&bad)).await.json();
    assert_eq!(r["valid"], false);
    assert_eq!(r["problems"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/schemas", Some(&token)).await.json()["total"], 0);
}

/// With `provisioning.validate_on_server`, a valid document's create script
/// is tried on the provisioning server (rolled back, as a throwaway role):
/// what PostgreSQL refuses is an error at the element's path, what it
/// accepts (a trusted extension included) stays valid, and nothing is left.
#[actix_web::test]
async fn validate_tries_the_script_on_the_server_when_configured() {
    let app = spawn_app_with(|s| s.provisioning.validate_on_server = true).await;
    let (token, _) = app.register("ada@example.com").await;
    let t = Some(token.as_str());
    let table = |checks: serde_json::Value| {
        json!({"name": "x", "extensions": [{"id": "x1", "name": "citext"}], "tables": [{"id": "t", "name": "t",
            "columns": [{"id": "c", "name": "n", "dataType": "integer", "primaryKey": true},
                        {"id": "e", "name": "email", "dataType": "citext"}],
            "checks": checks}]})
    };
    let r = app.call("POST", "/schemas/validate", t, Some(&table(json!([])))).await.json();
    assert_eq!(r["valid"], true, "{r}");
    let unknown = table(json!([{"id": "k", "expression": "no_such_function(n) > 0"}]));
    let r = app.call("POST", "/schemas/validate", t, Some(&unknown)).await.json();
    assert_eq!(r["valid"], false, "{r}");
    let refused: Vec<&serde_json::Value> =
        r["problems"].as_array().unwrap().iter().filter(|p| p["code"] == "REJECTED_BY_POSTGRESQL").collect();
    assert_eq!(refused.len(), 1, "{r}");
    assert_eq!(refused[0]["path"], "/tables/0/checks/0/expression");
    assert!(refused[0]["message"].as_str().unwrap().contains("no_such_function"), "{r}");
    // The try runs as a throwaway role, not as the (superuser) admin: an
    // extension only a superuser may create is refused.
    let mut untrusted = table(json!([]));
    untrusted["extensions"] = json!([{"id": "x1", "name": "citext"}, {"id": "x2", "name": "file_fdw"}]);
    let r = app.call("POST", "/schemas/validate", t, Some(&untrusted)).await.json();
    assert_eq!(r["valid"], false, "{r}");
    let refused = r["problems"].as_array().unwrap().iter().find(|p| p["code"] == "REJECTED_BY_POSTGRESQL").unwrap();
    assert_eq!(refused["path"], "/extensions/1", "{r}");
    assert!(refused["message"].as_str().unwrap().contains("permission denied"), "{r}");
    assert_eq!(server_count("SELECT count(*) AS n FROM pg_roles WHERE rolname LIKE 'schemaforge_try_%'"), 0);
    assert_eq!(server_count("SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'schemaforge_try_%'"), 0);
}
