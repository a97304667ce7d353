//! `POST /schemas/import/sql` and `/schemas/import/database` against the
//! real server: a schema at version 1 with its report, SQL loaded as a
//! throwaway role (never the admin), every failure told apart, and the
//! URL's password nowhere in an answer or the audit log.

use awc::http::StatusCode;
use schemaforge_testdb::TestDb;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, server_count, spawn_app, spawn_app_with};

impl TestApp {
    async fn import_sql(&self, token: &str, query: &str, sql: &str) -> Reply {
        let req = self
            .client
            .post(self.url(&format!("/schemas/import/sql{query}")))
            .bearer_auth(token)
            .content_type("application/sql");
        self.send(req, Some(sql.as_bytes().to_vec())).await
    }
}

/// The scratch database and role of an import are gone afterwards.
fn assert_scratch_dropped(report: &Value) {
    let name = report["database"].as_str().unwrap();
    assert!(name.starts_with("sf_import_"), "{name}");
    assert_eq!(server_count(&format!("SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'")), 0);
    assert_eq!(server_count(&format!("SELECT count(*) AS n FROM pg_roles WHERE rolname = '{name}'")), 0);
}

const SHOP: &str = "SET client_encoding = 'LATIN1';
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
ALTER TABLE customers OWNER TO someone_who_is_not_here;
CREATE UNLOGGED TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    total numeric(12,2) NOT NULL CHECK (total >= 0)
);
-- The session's encoding is the text's to set: the catalog is still read as UTF-8.
COMMENT ON TABLE orders IS 'café';
-- Who runs this text? The comment tells (the import reads comments).
RESET ROLE;
DO $$ BEGIN
  EXECUTE format('COMMENT ON TABLE customers IS %L',
    current_user || (SELECT ' superuser=' || rolsuper || ' login=' || rolcanlogin FROM pg_roles WHERE rolname = current_user));
END $$;
";

#[actix_web::test]
async fn sql_text_becomes_version_1_loaded_by_a_throwaway_role() {
    let app = spawn_app().await;
    let (token, _) = app.register("importer@example.com").await;
    let r = app.import_sql(&token, "?name=shop&schema=public", SHOP).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let body = r.json();
    let id = body["schema"]["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), Some(format!("/api/v1/schemas/{id}")));
    assert_eq!((body["schema"]["name"].as_str(), body["schema"]["version"].as_i64()), (Some("shop"), Some(1)));
    let tables: Vec<&str> =
        body["schema"]["document"]["tables"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tables, ["customers", "orders"]);
    // Run by the scratch role, not the admin: RESET ROLE led nowhere ...
    let comment = body["schema"]["document"]["tables"][0]["comment"].as_str().unwrap();
    let report = &body["report"];
    // ... and the role could log in no more once its session was open.
    assert_eq!(comment, format!("{} superuser=false login=false", report["database"].as_str().unwrap()));
    assert_scratch_dropped(report);
    // The report: the ownership statement skipped with its line, UNLOGGED adjusted.
    let items = report["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["kind"] == "statement" && i["name"] == "line 3" && i["outcome"] == "skipped"));
    assert!(items.iter().any(|i| i["name"] == "public.orders" && i["outcome"] == "adjusted"), "{items:?}");
    assert_eq!(report["counts"]["tables"], 2);
    assert_eq!(report["counts"]["foreignKeys"], 1);

    // Stored like any schema, visible to its owner only.
    let got = app.get(&format!("/schemas/{id}"), Some(&token)).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["document"], body["schema"]["document"]);
    let (other, _) = app.register("other@example.com").await;
    assert_eq!(app.get(&format!("/schemas/{id}"), Some(&other)).await.status, StatusCode::NOT_FOUND);
    let audit = app.get("/audit", Some(&token)).await.json();
    let entry = audit["items"].as_array().unwrap().iter().find(|e| e["action"] == "schema.import").unwrap().clone();
    assert_eq!((entry["outcome"].as_str(), entry["detail"]["source"].as_str()), (Some("success"), Some("sql")));

    // Without a name, a dated one; the same name twice is a conflict.
    let unnamed = app.import_sql(&token, "", "CREATE TABLE t (id int PRIMARY KEY);").await;
    assert_eq!(unnamed.status, StatusCode::CREATED, "{}", unnamed.text());
    assert!(unnamed.json()["schema"]["name"].as_str().unwrap().starts_with("imported "));
    let again = app.import_sql(&token, "?name=shop", "CREATE TABLE t (id int PRIMARY KEY);").await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "DUPLICATE_NAME".into()));
}

#[actix_web::test]
async fn sql_text_that_postgres_refuses_or_that_breaks_the_limits_stores_nothing() {
    let app = spawn_app_with(|s| {
        s.import.sql_body_limit_bytes = 4096;
        s.import.timeout_secs = 2;
    })
    .await;
    let (token, _) = app.register("refused@example.com").await;
    let r = app.import_sql(&token, "", "CREATE TABLE a (id int);\n\nCREATE TABLE b (id nosuchtype);\n").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "SQL_STATEMENT_REFUSED".into()),
        "{}",
        r.text()
    );
    let detail = &r.json()["error"]["details"][0];
    assert_eq!(detail["line"], 3);
    assert!(detail["message"].as_str().unwrap().contains("nosuchtype"), "{detail}");

    // A deferred check that the text breaks fails at COMMIT: still the text's fault.
    let deferred = "CREATE TABLE d (id int PRIMARY KEY, p int REFERENCES d DEFERRABLE INITIALLY DEFERRED);\n\
                    INSERT INTO d VALUES (1, 2);\n";
    let r = app.import_sql(&token, "", deferred).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "SQL_STATEMENT_REFUSED".into()),
        "{}",
        r.text()
    );
    assert!(r.json()["error"]["details"][0]["message"].as_str().unwrap().starts_with("at COMMIT"), "{}", r.text());

    // strict: an adjusted object refuses the import, with the report.
    let r = app.import_sql(&token, "?strict=true", "CREATE UNLOGGED TABLE u (id int PRIMARY KEY);").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "IMPORT_INCOMPLETE".into()), "{}", r.text());
    let report = &r.json()["error"]["details"][0]["report"];
    assert_eq!(report["items"][0]["name"], "public.u");
    assert_scratch_dropped(report);

    // A namespace the text does not have.
    let r = app.import_sql(&token, "?schema=sales", "CREATE TABLE t (id int);").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "IMPORT_SCHEMA_NOT_FOUND".into()));

    // Past the deadline the scratch database's sessions are terminated,
    // whatever the text did to its own statement timeout.
    let started = std::time::Instant::now();
    let r = app.import_sql(&token, "", "SET statement_timeout = 0;\nSELECT pg_sleep(30);").await;
    assert_eq!((r.status, r.code()), (StatusCode::GATEWAY_TIMEOUT, "IMPORT_TIMEOUT".into()), "{}", r.text());
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "{:?}", started.elapsed());

    let too_big = format!("CREATE TABLE t (id int);\n{}", "-- padding\n".repeat(500));
    let r = app.import_sql(&token, "", &too_big).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE".into()));
    let json = app.call("POST", "/schemas/import/sql", Some(&token), Some(&json!({"sql": "x"}))).await;
    assert_eq!((json.status, json.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE".into()));
    for query in ["?strict=yes", "?nme=x", "?name="] {
        let r = app.import_sql(&token, query, "CREATE TABLE t (id int);").await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "INVALID_PARAMETER".into()), "{query}");
    }
    for nothing in ["  \n", "-- a comment and nothing else\n", "[]"] {
        let r = app.import_sql(&token, "", nothing).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{nothing:?}: {}", r.text());
    }
    assert_eq!(app.get("/schemas", Some(&token)).await.json()["total"], 0);
    let unauthenticated = app.client.post(app.url("/schemas/import/sql")).content_type("application/sql");
    assert_eq!(app.send(unauthenticated, Some(b"CREATE TABLE t ();".to_vec())).await.status, StatusCode::UNAUTHORIZED);
}

/// `url` with a password in it (the test server trusts local sessions, so
/// any password logs in), and that password.
fn with_secret(url: &str) -> (String, String) {
    let parsed = url::Url::parse(url).unwrap();
    if let Some(p) = parsed.password() {
        return (url.to_string(), p.to_string());
    }
    let secret = "hunter2-never-shown".to_string();
    let mut with = parsed.clone();
    with.set_password(Some(&secret)).unwrap();
    (with.to_string(), secret)
}

fn without_password(url: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_password(None).unwrap();
    u.to_string()
}

#[actix_web::test]
async fn a_live_database_becomes_version_1_and_its_password_is_nowhere() {
    let source = TestDb::create().unwrap();
    source
        .execute(
            "CREATE SCHEMA sales;
             CREATE TABLE sales.orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL DEFAULT now());
             CREATE INDEX orders_placed ON sales.orders (placed_at DESC);
             CREATE TABLE notes (id int PRIMARY KEY, body text);",
        )
        .unwrap();
    let app = spawn_app_with(|s| s.import.allowed_hosts = vec!["127.0.0.1".into(), "localhost".into()]).await;
    let (token, _) = app.register("live@example.com").await;
    let (url, secret) = with_secret(source.url());
    let r = app
        .call("POST", "/schemas/import/database", Some(&token), Some(&json!({"url": url, "schemas": ["sales"]})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(!r.text().contains(&secret));
    let body = r.json();
    assert_eq!(body["schema"]["name"], source.name());
    let doc = &body["schema"]["document"];
    assert_eq!(doc["tables"].as_array().unwrap().len(), 1, "only sales was asked for");
    assert_eq!(doc["tables"][0]["name"], "orders");
    assert_eq!(doc["tables"][0]["indexes"][0]["name"], "orders_placed");
    assert_eq!(body["report"]["namespaces"], json!(["sales"]));

    // Every kind of failure is its own answer; none repeats the password.
    let named = |u: &str| json!({"url": u, "name": "again"});
    let db = url::Url::parse(&url).unwrap();
    let mut no_db = db.clone();
    no_db.set_path("/sf_no_such_database");
    let mut no_role = db.clone();
    no_role.set_username("sf_no_such_role").unwrap();
    let mut closed = db.clone();
    closed.set_port(Some(1)).unwrap();
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (named(no_db.as_str()), StatusCode::UNPROCESSABLE_ENTITY, "IMPORT_DATABASE_NOT_FOUND"),
        (named(no_role.as_str()), StatusCode::UNPROCESSABLE_ENTITY, "IMPORT_AUTHENTICATION_FAILED"),
        (named(closed.as_str()), StatusCode::UNPROCESSABLE_ENTITY, "IMPORT_UNREACHABLE"),
        (json!({"url": url, "schemas": ["nope"]}), StatusCode::UNPROCESSABLE_ENTITY, "IMPORT_SCHEMA_NOT_FOUND"),
        (named(&format!("mysql://u:{secret}@127.0.0.1/x")), StatusCode::UNPROCESSABLE_ENTITY, "INVALID_CONNECTION_URL"),
        (named(&format!("{url}?sslkey=/etc/passwd")), StatusCode::UNPROCESSABLE_ENTITY, "INVALID_CONNECTION_URL"),
        (
            named(&format!("postgres://u:{secret}@/x?host=/var/run/postgresql")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_CONNECTION_URL",
        ),
        (json!({"url": ""}), StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT"),
        // No password: libpq would use the server's own PGPASSWORD or ~/.pgpass.
        (named(&without_password(&url)), StatusCode::UNPROCESSABLE_ENTITY, "INVALID_CONNECTION_URL"),
    ];
    for (request, status, code) in cases {
        let r = app.call("POST", "/schemas/import/database", Some(&token), Some(&request)).await;
        assert_eq!((r.status, r.code().as_str()), (status, code), "{request}: {}", r.text());
        assert!(!r.text().contains(&secret), "{}", r.text());
    }
    let audit = app.get("/audit?limit=100", Some(&token)).await;
    assert!(!audit.text().contains(&secret));
    assert!(audit.text().contains("import_source"), "failures are audited: {}", audit.text());
}

#[actix_web::test]
async fn by_default_a_url_cannot_lead_to_the_service_s_own_network() {
    let app = spawn_app().await;
    let (token, _) = app.register("ssrf@example.com").await;
    let (url, _) = with_secret(&schemaforge_testdb::server_url());
    for target in [url.clone(), url.replace("127.0.0.1", "localhost"), "postgres://u:p@169.254.169.254/x".into()] {
        let r = app.call("POST", "/schemas/import/database", Some(&token), Some(&json!({"url": target}))).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "IMPORT_TARGET_FORBIDDEN".into()),
            "{target}: {}",
            r.text()
        );
    }
    assert_eq!(app.get("/schemas", Some(&token)).await.json()["total"], 0);
}
