//! What operators see: `/metrics` after traffic, the audit log of a
//! provision, migrate and delete flow, and HSTS when configured.

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{example, spawn_app, spawn_app_with};

/// The value of the sample `name{labels}` (labels in the order rendered), if any.
fn sample(exposition: &str, name_and_labels: &str) -> Option<f64> {
    exposition.lines().find_map(|l| l.strip_prefix(name_and_labels).and_then(|rest| rest.trim().parse::<f64>().ok()))
}

fn counter_with(exposition: &str, name: &str, parts: &[&str]) -> f64 {
    exposition
        .lines()
        .filter(|l| l.starts_with(name) && parts.iter().all(|p| l.contains(p)))
        .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
        .sum()
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_operations_by_outcome() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let created = app.call("POST", "/schemas", Some(&token), Some(&example("blog"))).await;
    let id = created.json()["id"].as_str().unwrap().to_string();
    let scrape = || async { app.client.get(app.base.replace("/api/v1", "/metrics")).send().await.unwrap() };
    let before = String::from_utf8(scrape().await.body().await.unwrap().to_vec()).unwrap();
    for _ in 0..3 {
        assert_eq!(app.get(&format!("/schemas/{id}"), Some(&token)).await.status, StatusCode::OK);
    }
    assert_eq!(
        app.call("POST", &format!("/schemas/{id}/database"), Some(&token), None).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.call("POST", &format!("/schemas/{id}/database"), Some(&token), None).await.status,
        StatusCode::CONFLICT
    );
    app.get("/no/such/path", None).await;

    let mut res = scrape().await;
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers().get("content-type").unwrap().to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let after = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();

    // Other tests in this process share the recorder: compare before/after.
    let reads = |text: &str| {
        counter_with(
            text,
            "schemaforge_http_requests_total",
            &[r#"route="/api/v1/schemas/{id}""#, r#"method="GET""#, r#"status="200""#],
        )
    };
    assert!(reads(&after) - reads(&before) >= 3.0, "{after}");
    assert!(after.contains(r#"route="unmatched""#), "unknown paths share one label");
    assert!(!after.contains("/no/such/path"));
    assert!(after.contains("schemaforge_http_request_duration_seconds_bucket{"), "a histogram");
    let provisions = |text: &str, outcome: &str| {
        counter_with(
            text,
            "schemaforge_database_operations_total",
            &[r#"operation="provision""#, &format!(r#"outcome="{outcome}""#)],
        )
    };
    assert!(provisions(&after, "success") - provisions(&before, "success") >= 1.0);
    assert!(provisions(&after, "failure") - provisions(&before, "failure") >= 1.0);
    assert!(after.contains("schemaforge_database_operation_duration_seconds_bucket{"));
    assert!(after.contains("schemaforge_db_pool_checkout_seconds_count"));
    assert!(sample(&after, "schemaforge_db_pool_max_connections").unwrap() >= 1.0);
    assert!(after.contains(r#"schemaforge_db_pool_connections{state="idle"}"#));
    assert!(after.contains(&format!(r#"schemaforge_build_info{{version="{}"}} 1"#, env!("CARGO_PKG_VERSION"))));
    assert!(!after.contains("ada@example.com") && !after.contains(&id), "no user data in labels");
}

#[actix_web::test]
async fn metrics_can_require_a_token_and_can_be_off() {
    let app = spawn_app_with(|s| s.metrics.bearer_token = "scrape-secret".into()).await;
    let url = app.base.replace("/api/v1", "/metrics");
    let r = app.send(app.client.get(&url), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.send(app.client.get(&url).bearer_auth("wrong"), None).await.status, StatusCode::UNAUTHORIZED);
    let ok = app.send(app.client.get(&url).bearer_auth("scrape-secret"), None).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.text().contains("schemaforge_http_requests_total"));

    let off = spawn_app_with(|s| s.metrics.enabled = false).await;
    let r = off.send(off.client.get(off.base.replace("/api/v1", "/metrics")), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_audit_log_records_a_provision_migrate_delete_flow_for_its_owner_only() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let mut doc = example("blog");
    let req = |id: &str| [("x-request-id", id.to_string())];
    let with_id = |method: &'static str, path: String, body: Option<Value>, rid: &'static str| {
        let token = token.clone();
        let app = &app;
        async move {
            let headers = req(rid);
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call_with(method, &path, Some(&token), body.as_ref(), &h).await
        }
    };
    let created = with_id("POST", "/schemas".into(), Some(doc.clone()), "req-create").await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let r = with_id("POST", format!("/schemas/{id}/database"), None, "req-provision").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    doc["description"] = json!("now with a description");
    assert_eq!(with_id("PUT", format!("/schemas/{id}"), Some(doc), "req-update").await.status, StatusCode::OK);
    let r = with_id("POST", format!("/schemas/{id}/database/migrate"), None, "req-migrate").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let stale = app.call_with("DELETE", &format!("/schemas/{id}"), Some(&token), None, &[("if-match", "\"1\"")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(with_id("DELETE", format!("/schemas/{id}"), None, "req-delete").await.status, StatusCode::NO_CONTENT);

    let log = app.get("/audit", Some(&token)).await;
    assert_eq!(log.status, StatusCode::OK);
    let log = log.json();
    let entries: Vec<(String, String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
                e["requestId"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected = [
        ("schema.delete", "success", "req-delete"),
        ("schema.delete", "failure", ""),
        ("database.migrate", "success", "req-migrate"),
        ("schema.update", "success", "req-update"),
        ("database.provision", "success", "req-provision"),
        ("schema.create", "success", "req-create"),
    ];
    assert_eq!(entries.len(), expected.len(), "{log}");
    for (got, want) in entries.iter().zip(expected) {
        assert_eq!((got.0.as_str(), got.1.as_str()), (want.0, want.1), "{log}");
        if !want.2.is_empty() {
            assert_eq!(got.2, want.2);
        } else {
            assert!(!got.2.is_empty(), "a generated request id");
        }
    }
    assert_eq!(log["items"][1]["errorCode"], "version_conflict");
    assert_eq!(log["items"][2]["detail"]["from"], 1);
    assert_eq!(log["items"][2]["detail"]["to"], 2);
    assert_eq!(log["items"][0]["targetName"], example("blog")["name"]);
    assert_eq!(log["items"][0]["targetId"], id.as_str());
    assert_eq!(log["total"], 6);
    let text = log.to_string();
    assert!(!text.contains("password") && !text.contains("postgres://"), "no secrets: {text}");

    let page = app.get("/audit?page=2&limit=4", Some(&token)).await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][1]["action"], "schema.create");

    let (bob, _) = app.register("bob@example.com").await;
    let theirs = app.get("/audit", Some(&bob)).await.json();
    assert_eq!(theirs["total"], 0, "another user sees nothing of it");
}

#[actix_web::test]
async fn hsts_is_sent_only_when_configured() {
    let plain = spawn_app().await;
    assert!(plain.get("/health", None).await.header("strict-transport-security").is_none());
    let tls = spawn_app_with(|s| s.server.hsts_max_age_secs = 31_536_000).await;
    for path in ["/health", "/nope"] {
        let r = tls.get(path, None).await;
        assert_eq!(
            r.header("strict-transport-security").as_deref(),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
    }
}
