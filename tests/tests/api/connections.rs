//! Registered connections end to end: a database Schemaforge did not build
//! is imported, registered (tested, its password never shown again), edited
//! in the design and synced to-live, with drift empty afterwards and its
//! rows kept; an edit made on it by hand is adopted to-design. Isolation,
//! paging, a refused delete while a job is pending, and the host policy.

use awc::http::StatusCode;
use schemaforge_testdb::TestDb;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};
use crate::sync::finished;

/// `url` with a password (the test server trusts local sessions, so any
/// password logs in).
fn with_password(url: &str, password: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_password(Some(password)).unwrap();
    u.to_string()
}

async fn drift(app: &TestApp, token: &str, schema: &str, connection: &str) -> Value {
    let r = app.get(&format!("/schemas/{schema}/drift?connection={connection}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn sync(app: &TestApp, token: &str, connection: &str, body: Value) -> Value {
    let r = app.call("POST", &format!("/connections/{connection}/sync"), Some(token), Some(&body)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    finished(app, token, &r.json()).await
}

const SECRET: &str = "library-secret-never-shown";

#[actix_web::test]
async fn an_external_database_imported_edited_in_the_design_and_synced_is_in_step() {
    let external = TestDb::create().unwrap();
    external
        .execute(
            "CREATE TABLE authors (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
             CREATE TABLE books (id bigint PRIMARY KEY, author_id bigint NOT NULL REFERENCES authors, title text);
             INSERT INTO authors (name) VALUES ('Le Guin'), ('Lem');
             INSERT INTO books SELECT id, id, 'a book' FROM authors;",
        )
        .unwrap();
    let app = spawn_app_with(|s| s.import.allowed_hosts = vec!["127.0.0.1".into()]).await;
    let (token, _) = app.register("library@example.com").await;
    let url = with_password(external.url(), SECRET);
    let r = app.call("POST", "/schemas/import/database", Some(&token), Some(&json!({"url": url}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let schema = r.json()["schema"]["id"].as_str().unwrap().to_string();

    // Registered and bound to the imported schema: tested, the password gone.
    let body = json!({"name": "library", "url": url, "schemaId": schema});
    let r = app.call("POST", "/connections", Some(&token), Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(!r.text().contains(SECRET), "{}", r.text());
    let c = r.json();
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), Some(format!("/api/v1/connections/{id}")));
    let test = &c["lastTest"];
    assert_eq!(
        (test["ok"].clone(), test["canRead"].clone(), test["canWrite"].clone()),
        (json!(true), json!(true), json!(true)),
        "{c:#}"
    );
    assert!(test["testedAt"].is_string() && test["serverVersion"].is_string(), "{c:#}");
    assert_eq!(
        (c["host"].clone(), c["database"].clone(), c["user"].clone()),
        (json!("127.0.0.1"), json!(external.name()), json!("postgres"))
    );
    let listed = app.get("/connections?search=libr", Some(&token)).await;
    assert!(!listed.text().contains(SECRET));
    assert_eq!(listed.json()["total"], 1);

    let d = drift(&app, &token, &schema, &id).await;
    assert_eq!((d["inStep"].clone(), d["matching"].clone()), (json!(true), json!("names")), "{d:#}");

    // The design gains a column and an index; synced to-live.
    let current = app.get(&format!("/schemas/{schema}"), Some(&token)).await.json();
    let mut doc = current["document"].clone();
    let books = doc["tables"].as_array_mut().unwrap().iter_mut().find(|t| t["name"] == "books").unwrap();
    books["columns"].as_array_mut().unwrap().push(json!({"id": "isbn", "name": "isbn", "dataType": "varchar(17)"}));
    books["indexes"] = json!([{"id": "books_isbn", "name": "books_isbn_idx", "columnIds": ["isbn"]}]);
    let r =
        app.call_with("PUT", &format!("/schemas/{schema}"), Some(&token), Some(&doc), &[("If-Match", "\"1\"")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = drift(&app, &token, &schema, &id).await;
    let missing: Vec<&str> = d["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "missing")
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["isbn", "books_isbn"], "{d:#}");
    let job = sync(&app, &token, &id, json!({"direction": "to-live"})).await;
    assert_eq!(job["status"], "succeeded", "{job:#}");
    assert_eq!(
        (job["result"]["applied"].clone(), job["result"]["inStep"].clone()),
        (json!(true), json!(true)),
        "{job:#}"
    );
    assert!(drift(&app, &token, &schema, &id).await["inStep"].as_bool().unwrap());
    assert_eq!(external.count("SELECT count(*) AS n FROM books WHERE isbn IS NULL AND title = 'a book'").unwrap(), 2);
    let jobs = app.get(&format!("/jobs?connection={id}"), Some(&token)).await.json();
    assert_eq!(jobs["total"], 1, "{jobs:#}");

    // A column added by hand, adopted as version 3.
    external.execute("ALTER TABLE authors ADD COLUMN born date").unwrap();
    let job = sync(&app, &token, &id, json!({"direction": "to-design"})).await;
    assert_eq!((job["status"].clone(), job["result"]["version"].clone()), (json!("succeeded"), json!(3)), "{job:#}");
    let v3 = app.get(&format!("/schemas/{schema}/versions/3"), Some(&token)).await.json();
    let authors = v3["document"]["tables"].as_array().unwrap().iter().find(|t| t["name"] == "authors").unwrap().clone();
    assert!(authors["columns"].as_array().unwrap().iter().any(|c| c["name"] == "born"), "{authors:#}");
    assert!(drift(&app, &token, &schema, &id).await["inStep"].as_bool().unwrap());

    // Another user sees nothing; renaming keeps it, a new password is tested.
    let (other, _) = app.register("other@example.com").await;
    assert_eq!(app.get(&format!("/connections/{id}"), Some(&other)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/schemas/{schema}/drift?connection={id}"), Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/connections", Some(&other)).await.json()["total"], 0);
    let r = app
        .call(
            "PATCH",
            &format!("/connections/{id}"),
            Some(&token),
            Some(&json!({"name": "books", "password": "another"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["name"], "books");
    assert_ne!(r.json()["lastTest"]["testedAt"], c["lastTest"]["testedAt"], "tested again");
    assert_eq!(
        app.call("DELETE", &format!("/connections/{id}"), Some(&token), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&format!("/connections/{id}"), Some(&token)).await.code(), "CONNECTION_NOT_FOUND");
}

#[actix_web::test]
async fn a_connection_with_a_pending_job_is_not_deleted_and_the_host_policy_holds() {
    let external = TestDb::create().unwrap();
    external.execute("CREATE TABLE t (id int PRIMARY KEY)").unwrap();
    let app = spawn_app_with(|s| {
        s.jobs.workers = 0;
        s.import.allowed_hosts = vec!["127.0.0.1".into()];
    })
    .await;
    let (token, _) = app.register("pending@example.com").await;
    let url = with_password(external.url(), SECRET);
    let r = app.call("POST", "/schemas/import/database", Some(&token), Some(&json!({"url": url}))).await;
    let schema = r.json()["schema"]["id"].as_str().unwrap().to_string();

    // Unbound, it cannot be synced; a name is unique; an unreachable one is stored, failed.
    let r = app.call("POST", "/connections", Some(&token), Some(&json!({"name": "t", "url": url}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .call("POST", &format!("/connections/{id}/sync"), Some(&token), Some(&json!({"direction": "to-live"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app.call("POST", "/connections", Some(&token), Some(&json!({"name": "t", "url": url}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "DUPLICATE_CONNECTION".to_string()));
    let mut closed = url::Url::parse(&url).unwrap();
    closed.set_port(Some(1)).unwrap();
    let r =
        app.call("POST", "/connections", Some(&token), Some(&json!({"name": "closed", "url": closed.as_str()}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["lastTest"]["ok"], false, "{}", r.text());
    assert!(!r.text().contains(SECRET));

    // A host this server does not connect to is refused, and nothing stored.
    let mut local = url::Url::parse(&url).unwrap();
    local.set_host(Some("localhost")).unwrap();
    let r =
        app.call("POST", "/connections", Some(&token), Some(&json!({"name": "local", "url": local.as_str()}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "IMPORT_TARGET_FORBIDDEN".to_string()), "{}", r.text());
    let r = app
        .call(
            "POST",
            "/connections",
            Some(&token),
            Some(&json!({"name": "parts", "host": "127.0.0.1", "database": external.name(), "user": "postgres"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a password is required: {}", r.text());
    let bad_host = json!({"name": "h", "host": "db.example/x?y", "database": "d", "user": "u", "password": "p"});
    let r = app.call("POST", "/connections", Some(&token), Some(&bad_host)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(app.get("/connections", Some(&token)).await.json()["total"], 2);

    // The example of docs/drift-and-sync.md §7 (for this user's schema) is
    // read whole and reaches the host policy: 203.0.113.10 is a
    // documentation address, which this server does not connect to.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/drift-and-sync.md")).unwrap();
    let mut example: Value = text
        .split("```json\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .map(|b| serde_json::from_str::<Value>(b).unwrap())
        .find(|v| v.get("url").is_some())
        .unwrap();
    example["schemaId"] = json!(schema);
    let r = app.call("POST", "/connections", Some(&token), Some(&example)).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "IMPORT_TARGET_FORBIDDEN".to_string()), "{}", r.text());

    // Bound, a pending job holds it.
    let r = app.call("PATCH", &format!("/connections/{id}"), Some(&token), Some(&json!({"schemaId": schema}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .call("POST", &format!("/connections/{id}/sync"), Some(&token), Some(&json!({"direction": "to-live"})))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let job = r.json();
    let r = app.call("DELETE", &format!("/connections/{id}"), Some(&token), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "JOB_IN_PROGRESS".to_string()), "{}", r.text());
    assert_eq!(r.json()["error"]["details"][0]["jobId"], job["id"]);
    let cancel = format!("/jobs/{}/cancel", job["id"].as_str().unwrap());
    assert_eq!(app.call("POST", &cancel, Some(&token), None).await.status, StatusCode::OK);
    assert_eq!(
        app.call("DELETE", &format!("/connections/{id}"), Some(&token), None).await.status,
        StatusCode::NO_CONTENT
    );

    // A provisioned database is a connection too, bound to its schema,
    // without being registered: listed, compared (by identity) and synced.
    let r = app.call("POST", &format!("/schemas/{schema}/database"), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let list = app.get("/connections", Some(&token)).await.json();
    let provisioned = list["items"].as_array().unwrap().iter().find(|c| c["kind"] == "provisioned").unwrap().clone();
    assert_eq!(
        (provisioned["id"].as_str(), provisioned["schemaId"].as_str()),
        (Some(schema.as_str()), Some(schema.as_str())),
        "{list:#}"
    );
    assert!(provisioned["port"].as_u64().unwrap() > 0 && !provisioned["host"].as_str().unwrap().is_empty(), "{list:#}");
    assert_eq!(list["total"], 2, "the closed one and the provisioned one: {list:#}");
    let r = app.call("PATCH", &format!("/connections/{schema}"), Some(&token), Some(&json!({"name": "x"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        app.call("DELETE", &format!("/connections/{schema}"), Some(&token), None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let d = app.get(&format!("/schemas/{schema}/drift?connection={schema}"), Some(&token)).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());
    assert_eq!((d.json()["inStep"].clone(), d.json()["matching"].clone()), (json!(true), json!("identity")));
    let r = app
        .call(
            "POST",
            &format!("/connections/{schema}/sync"),
            Some(&token),
            Some(&json!({"direction": "to-live", "dryRun": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let jobs = app.get(&format!("/jobs?connection={schema}"), Some(&token)).await.json();
    assert_eq!((jobs["total"].clone(), jobs["items"][0]["id"].clone()), (json!(1), r.json()["id"].clone()), "{jobs:#}");
}
