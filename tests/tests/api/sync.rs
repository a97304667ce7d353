//! Sync as durable jobs, end to end: hand-made edits synced to-live (the
//! design restored, rows intact, data loss only with consent, indexes
//! alone when asked) and to-design (adopted as a new version whose ids
//! match: the renamed column keeps its id); one sync per database at a
//! time; cancel; another user sees nothing.

use std::time::{Duration, Instant};

use awc::http::StatusCode;
use diesel::{Connection, PgConnection};
use serde_json::{Value, json};

use crate::drift::{EDITS, ROWS, design};
use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// A schema of `design()` with a provisioned database holding rows: its
/// id and a session on the database as its role.
async fn built(app: &TestApp, token: &str) -> (String, PgConnection) {
    let r = app.call("POST", "/schemas", Some(token), Some(&design())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let r = app.call("POST", &format!("/schemas/{id}/database"), Some(token), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let url = app.get(&format!("/schemas/{id}/database/connection"), Some(token)).await.json()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let mut conn = PgConnection::establish(&url).unwrap();
    schemaforge_testdb::execute(&mut conn, ROWS).unwrap();
    (id, conn)
}

/// Ask for a sync; the job as answered.
async fn sync(app: &TestApp, token: &str, id: &str, body: Value) -> Value {
    let r = app.call("POST", &format!("/schemas/{id}/database/sync"), Some(token), Some(&body)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let job = r.json();
    assert_eq!(r.header("location"), Some(format!("/api/v1/jobs/{}", job["id"].as_str().unwrap())));
    assert_eq!(job["status"], "pending", "{job:#}");
    job
}

/// Poll the job until it ends.
pub(crate) async fn finished(app: &TestApp, token: &str, job: &Value) -> Value {
    let path = format!("/jobs/{}", job["id"].as_str().unwrap());
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let j = app.get(&path, Some(token)).await.json();
        if ["succeeded", "failed", "cancelled"].contains(&j["status"].as_str().unwrap_or_default()) {
            return j;
        }
        assert!(Instant::now() < until, "the job did not end: {j:#}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run(app: &TestApp, token: &str, id: &str, body: Value) -> Value {
    let job = sync(app, token, id, body).await;
    finished(app, token, &job).await
}

async fn drift(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app.get(&format!("/schemas/{id}/database/drift"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    schemaforge_testdb::count(conn, sql).unwrap()
}

#[actix_web::test]
async fn to_live_restores_the_design_and_to_design_adopts_the_edits_keeping_ids() {
    let app = spawn_app().await;
    let (token, _) = app.register("sync@example.com").await;
    let (id, mut conn) = built(&app, &token).await;
    schemaforge_testdb::execute(&mut conn, EDITS).unwrap();

    // Only the indexes, as a dry run: the plan touches indexes alone.
    let plan = run(&app, &token, &id, json!({"direction": "to-live", "elements": "indexes", "dryRun": true})).await;
    assert_eq!(plan["status"], "succeeded", "{plan:#}");
    let statements = plan["result"]["statements"].as_array().unwrap();
    assert!(!statements.is_empty() && statements.iter().all(|s| s.as_str().unwrap().contains("INDEX")), "{plan:#}");
    assert_eq!(plan["result"]["applied"], false);
    assert_eq!((plan["progress"]["done"].clone(), plan["progress"]["total"].clone()), (json!(4), json!(4)));

    // Everything: dropping the hand-made table destroys data, refused
    // without consent, and nothing is applied.
    let refused = run(&app, &token, &id, json!({"direction": "to-live"})).await;
    assert_eq!(
        (refused["status"].as_str(), refused["error"]["code"].as_str()),
        (Some("failed"), Some("DATA_LOSS_REFUSED"))
    );
    assert!(refused["result"]["changes"].as_array().unwrap().iter().any(|c| c["safety"] == "data_loss"), "{refused:#}");
    assert_eq!(drift(&app, &token, &id).await["inStep"], false);

    let done = run(&app, &token, &id, json!({"direction": "to-live", "allowDataLoss": true})).await;
    assert_eq!(done["status"], "succeeded", "{done:#}");
    assert_eq!((done["result"]["applied"].clone(), done["result"]["inStep"].clone()), (json!(true), json!(true)));
    assert_eq!(done["attempts"], 1);
    let d = drift(&app, &token, &id).await;
    assert_eq!((d["inStep"].clone(), d["matching"].clone()), (json!(true), json!("identity")), "{d:#}");
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM customers WHERE full_name IN ('Ada Lovelace', 'Grace Hopper')"),
        2
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM orders WHERE total = 12.50"), 2);
    let history = app.get(&format!("/schemas/{id}/database/status"), Some(&token)).await.json();
    assert_eq!(history["appliedVersion"], 1, "{history:#}");

    // The same edits again, adopted: a new version, ids kept.
    schemaforge_testdb::execute(&mut conn, EDITS).unwrap();
    let preview = run(&app, &token, &id, json!({"direction": "to-design", "dryRun": true})).await;
    assert_eq!(preview["status"], "succeeded", "{preview:#}");
    assert!(preview["result"]["document"]["tables"].is_array(), "{preview:#}");
    assert_eq!(app.get(&format!("/schemas/{id}"), Some(&token)).await.json()["version"], 1, "a dry run stores nothing");

    let adopted = run(&app, &token, &id, json!({"direction": "to-design"})).await;
    assert_eq!(adopted["status"], "succeeded", "{adopted:#}");
    assert_eq!((adopted["result"]["version"].clone(), adopted["result"]["inStep"].clone()), (json!(2), json!(true)));
    let v2 = app.get(&format!("/schemas/{id}/versions/2"), Some(&token)).await.json();
    let doc = &v2["document"];
    let customers = doc["tables"].as_array().unwrap().iter().find(|t| t["id"] == "customers").unwrap();
    let renamed = customers["columns"].as_array().unwrap().iter().find(|c| c["id"] == "c_name").unwrap();
    assert_eq!(renamed["name"], "name", "the renamed column keeps its id: {customers:#}");
    assert!(customers.get("checks").is_none_or(|c| c.as_array().unwrap().is_empty()), "{customers:#}");
    assert!(doc["tables"].as_array().unwrap().iter().any(|t| t["name"] == "notes"), "{doc:#}");
    let orders = doc["tables"].as_array().unwrap().iter().find(|t| t["id"] == "orders").unwrap();
    let indexes: Vec<&str> =
        orders["indexes"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(indexes, ["orders_total_idx"], "{orders:#}");
    assert!(
        doc["triggers"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["definition"].as_str().unwrap().contains("customers_touch"))),
        "{doc:#}"
    );
    // Matched elements keep the designer's own spelling.
    let points = customers["columns"].as_array().unwrap().iter().find(|c| c["id"] == "c_points").unwrap();
    assert_eq!(points["dataType"], "smallint", "{points:#}");
    // The database is at the adopted version, in step with it.
    let d = drift(&app, &token, &id).await;
    assert_eq!(d["inStep"], true, "{d:#}");
    let status = app.get(&format!("/schemas/{id}/database/status"), Some(&token)).await.json();
    assert_eq!(status["appliedVersion"], 2, "{status:#}");
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM customers"), 2);
}

#[actix_web::test]
async fn one_sync_per_database_cancel_and_isolation() {
    // No workers: jobs stay pending.
    let app = spawn_app_with(|s| s.jobs.workers = 0).await;
    let (token, _) = app.register("queue@example.com").await;
    let (id, _conn) = built(&app, &token).await;
    let first = sync(&app, &token, &id, json!({"direction": "to-live"})).await;
    let r = app
        .call("POST", &format!("/schemas/{id}/database/sync"), Some(&token), Some(&json!({"direction": "to-design"})))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "JOB_IN_PROGRESS".to_string()), "{}", r.text());
    assert_eq!(r.json()["error"]["details"][0]["jobId"], first["id"]);

    // Another user: the schema and the job are not found.
    let (other, _) = app.register("other@example.com").await;
    let job_path = format!("/jobs/{}", first["id"].as_str().unwrap());
    assert_eq!(app.get(&job_path, Some(&other)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.call("POST", &format!("{job_path}/cancel"), Some(&other), None).await.status, StatusCode::NOT_FOUND);
    let r = app
        .call("POST", &format!("/schemas/{id}/database/sync"), Some(&other), Some(&json!({"direction": "to-live"})))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/jobs", Some(&other)).await.json()["total"], 0);

    // Bad requests.
    for (body, status) in [
        (json!({"direction": "sideways"}), StatusCode::BAD_REQUEST),
        (json!({"direction": "to-live", "elements": {"ids": []}}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"direction": "to-live", "version": 9}), StatusCode::NOT_FOUND),
    ] {
        let r = app.call("POST", &format!("/schemas/{id}/database/sync"), Some(&token), Some(&body)).await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
    }

    // Cancelled while pending: at once, and the database is free again.
    let r = app.call("POST", &format!("{job_path}/cancel"), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "cancelled");
    assert_eq!(app.call("POST", &format!("{job_path}/cancel"), Some(&token), None).await.status, StatusCode::OK);
    let second = sync(&app, &token, &id, json!({"direction": "to-design", "elements": {"ids": ["c_name"]}})).await;
    assert_eq!(second["params"]["elements"], json!({"ids": ["c_name"]}));
    let page = app.get(&format!("/jobs?schema={id}&limit=1"), Some(&token)).await.json();
    assert_eq!((page["total"].clone(), page["items"][0]["id"].clone()), (json!(2), second["id"].clone()), "{page:#}");
    let cancelled = app.get("/jobs?status=cancelled", Some(&token)).await.json();
    assert_eq!(cancelled["items"][0]["id"], first["id"]);
    assert_eq!(app.get("/jobs?status=lost", Some(&token)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get(&format!("/jobs/{}", uuid::Uuid::new_v4()), Some(&token)).await.code(), "JOB_NOT_FOUND");

    // Every sync request that docs/drift-and-sync.md shows is accepted.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/drift-and-sync.md")).unwrap();
    let examples: Vec<Value> = text
        .split("```json\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .map(|b| serde_json::from_str::<Value>(b).unwrap())
        .filter(|v| v.get("direction").is_some())
        .collect();
    assert_eq!(examples.len(), 3, "the documented requests");
    let second_path = format!("/jobs/{}/cancel", second["id"].as_str().unwrap());
    assert_eq!(app.call("POST", &second_path, Some(&token), None).await.status, StatusCode::OK);
    for example in examples {
        let job = sync(&app, &token, &id, example.clone()).await;
        assert_eq!(job["params"]["direction"], example["direction"]);
        let cancel = format!("/jobs/{}/cancel", job["id"].as_str().unwrap());
        assert_eq!(app.call("POST", &cancel, Some(&token), None).await.status, StatusCode::OK);
    }
}

#[actix_web::test]
async fn provisioning_migrating_and_rolling_back_run_as_jobs_when_asked() {
    let app = spawn_app().await;
    let (token, _) = app.register("async@example.com").await;
    let r = app.call("POST", "/schemas", Some(&token), Some(&design())).await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    let accepted = |r: crate::helpers::Reply| {
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        let job = r.json();
        assert_eq!((job["kind"].as_str(), job["status"].as_str()), (Some("database"), Some("pending")), "{job:#}");
        job
    };
    let job = accepted(app.call("POST", &format!("/schemas/{id}/database?async=true"), Some(&token), None).await);
    let built = finished(&app, &token, &job).await;
    assert_eq!(
        (built["status"].as_str(), built["result"]["status"].as_str()),
        (Some("succeeded"), Some("ready")),
        "{built:#}"
    );

    let mut doc = design();
    doc["tables"][0]["columns"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "c_note", "name": "note", "dataType": "text"}));
    let r = app.call_with("PUT", &format!("/schemas/{id}"), Some(&token), Some(&doc), &[("If-Match", "\"1\"")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let job =
        accepted(app.call("POST", &format!("/schemas/{id}/database/migrate?async=true"), Some(&token), None).await);
    let migrated = finished(&app, &token, &job).await;
    assert_eq!(
        (migrated["status"].clone(), migrated["result"]["to"].clone()),
        (json!("succeeded"), json!(2)),
        "{migrated:#}"
    );

    // Back to 1 drops the column: refused without consent, with the changes.
    let path = format!("/schemas/{id}/database/rollback?async=true&to=1");
    let refused = finished(&app, &token, &accepted(app.call("POST", &path, Some(&token), None).await)).await;
    assert_eq!(refused["error"]["code"], "DATA_LOSS_REFUSED", "{refused:#}");
    assert!(refused["result"]["changes"].as_array().is_some_and(|c| !c.is_empty()), "{refused:#}");
    let path = format!("{path}&allowDataLoss=true");
    let back = finished(&app, &token, &accepted(app.call("POST", &path, Some(&token), None).await)).await;
    assert_eq!((back["status"].clone(), back["result"]["to"].clone()), (json!("succeeded"), json!(1)), "{back:#}");
    let status = app.get(&format!("/schemas/{id}/database/status"), Some(&token)).await.json();
    assert_eq!(status["appliedVersion"], 1, "{status:#}");
}

#[actix_web::test]
async fn database_imports_run_as_jobs_when_asked_and_keep_the_url_to_themselves() {
    let source = schemaforge_testdb::TestDb::create().unwrap();
    source.execute("CREATE TABLE shelves (id int PRIMARY KEY, label text NOT NULL)").unwrap();
    let app = crate::helpers::spawn_app_with(|s| s.import.allowed_hosts = vec!["127.0.0.1".into()]).await;
    let (token, _) = app.register("queued-import@example.com").await;
    let secret = "queued-import-secret";
    let mut url = url::Url::parse(source.url()).unwrap();
    url.set_password(Some(secret)).unwrap();
    let r = app
        .call("POST", "/schemas/import/database?async=true", Some(&token), Some(&json!({"url": url.as_str()})))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    assert!(!r.text().contains(secret), "{}", r.text());
    let job = r.json();
    assert_eq!((job["kind"].as_str(), job["params"]["source"]["kind"].as_str()), (Some("import"), Some("database")));
    let done = finished(&app, &token, &job).await;
    assert_eq!(done["status"], "succeeded", "{done:#}");
    assert!(!serde_json::to_string(&done).unwrap().contains(secret));
    // The schema's id is the job's: a run taken over finds it, not a second.
    assert_eq!(done["result"]["schemaId"], job["id"]);
    let schema = app.get(&format!("/schemas/{}", job["id"].as_str().unwrap()), Some(&token)).await.json();
    assert_eq!(schema["document"]["tables"][0]["name"], "shelves", "{schema:#}");

    // SQL text is imported synchronously: `async` is not one of its parameters.
    let req =
        app.client.post(app.url("/schemas/import/sql?async=true")).bearer_auth(&token).content_type("application/sql");
    let r = app.send(req, Some(b"CREATE TABLE crates (id int PRIMARY KEY);".to_vec())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(app.get("/schemas", Some(&token)).await.json()["total"], 1);
}
