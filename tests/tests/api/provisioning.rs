//! Provisioned databases, end to end: real `CREATE DATABASE`s on the test
//! server, used through the connection strings the API hands out.

use std::time::{Duration, Instant};

use awc::http::StatusCode;
use diesel::Connection;
use diesel::PgConnection;
use schemaforge_domain::{ValidSchema, parse_document};
use schemaforge_sqlgen::create_script;
use schemaforge_testdb::TestDb;
use serde_json::{Value, json};

use crate::helpers::{TestApp, example, server_count, spawn_app, spawn_app_with};

/// Create a schema; returns its id.
async fn create(app: &TestApp, token: &str, doc: &Value) -> String {
    let r = app.call("POST", "/schemas", Some(token), Some(doc)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

async fn provision(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app.call("POST", &format!("/schemas/{id}/database"), Some(token), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

async fn status(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app.get(&format!("/schemas/{id}/database/status"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn connection(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app.get(&format!("/schemas/{id}/database/connection"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    r.json()
}

fn connect(url: &str) -> PgConnection {
    PgConnection::establish(url).unwrap_or_else(|e| panic!("cannot connect with the returned URL: {e}"))
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    schemaforge_testdb::count(conn, sql).unwrap()
}

fn exists(kind: &str, name: &str) -> bool {
    let sql = match kind {
        "database" => format!("SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"),
        _ => format!("SELECT count(*) AS n FROM pg_roles WHERE rolname = '{name}'"),
    };
    server_count(&sql) == 1
}

/// A document of `n` tables, each referencing the previous one.
fn chain(name: &str, n: usize) -> Value {
    let tables: Vec<Value> = (0..n)
        .map(|i| {
            let mut columns = vec![
                json!({"id": format!("t{i}_id"), "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true}),
                json!({"id": format!("t{i}_label"), "name": "label", "dataType": "varchar(80)", "nullable": false}),
            ];
            let mut indexes = vec![];
            if i > 0 {
                columns.push(json!({"id": format!("t{i}_prev"), "name": "prev_id", "dataType": "bigint"}));
                indexes.push(json!({"id": format!("t{i}_ix"), "columnIds": [format!("t{i}_prev")]}));
            }
            json!({"id": format!("t{i}"), "name": format!("table_{i}"), "columns": columns, "indexes": indexes})
        })
        .collect();
    let fks: Vec<Value> = (1..n)
        .map(|i| {
            json!({"id": format!("t{i}_fk"), "sourceTableId": format!("t{i}"), "sourceColumnId": format!("t{i}_prev"),
                   "targetTableId": format!("t{}", i - 1), "targetColumnId": format!("t{}_id", i - 1)})
        })
        .collect();
    json!({"name": name, "tables": tables, "foreignKeys": fks})
}

fn table_names(doc: &Value) -> Vec<String> {
    doc["tables"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn every_example_is_provisioned_and_usable_as_its_own_role() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    for name in ["blog", "ecommerce", "clinic"] {
        let doc = example(name);
        let id = create(&app, &token, &doc).await;
        let state = provision(&app, &token, &id).await;
        let tables = table_names(&doc);
        assert_eq!(state["status"], "ready", "{state}");
        assert_eq!((state["appliedVersion"].as_i64(), state["currentVersion"].as_i64()), (Some(1), Some(1)));
        assert_eq!(state["upToDate"], true);
        assert_eq!(state["reachable"], true);
        assert_eq!(state["health"]["tableCount"].as_u64(), Some(tables.len() as u64), "{name}");
        let sql = app.get(&format!("/schemas/{id}/export/sql"), Some(&token)).await.text();
        let history = state["history"].as_array().unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0]["kind"], "create");
        assert_eq!(history[0]["checksum"].as_str().unwrap().len(), 64);
        assert_eq!(history[0]["checksum"], schemaforge_services_checksum(&sql), "the checksum is the export's");

        let c = connection(&app, &token, &id).await;
        let database = state["database"].as_str().unwrap();
        assert_eq!(c["database"], database);
        assert!(c["url"].as_str().unwrap().starts_with(&format!("postgres://{}:", c["user"].as_str().unwrap())));
        let mut conn = connect(c["url"].as_str().unwrap());
        assert_eq!(
            count(&mut conn, &format!("SELECT count(*) AS n WHERE current_user = '{}'", c["user"].as_str().unwrap())),
            1
        );
        // One row in every table, in foreign-key order, as the role.
        let path = format!("{}/fixtures/rows/{name}.sql", env!("CARGO_MANIFEST_DIR"));
        let rows = std::fs::read_to_string(&path).unwrap();
        for statement in rows
            .split(";\n")
            .map(str::trim)
            .filter(|s| !s.is_empty() && !s.lines().all(|l| l.trim_start().starts_with("--") || l.trim().is_empty()))
        {
            schemaforge_testdb::execute(&mut conn, statement).unwrap_or_else(|e| panic!("{name}: {statement}: {e}"));
        }
        for table in &tables {
            let n = count(&mut conn, &format!("SELECT count(*) AS n FROM \"{table}\""));
            assert!(n >= 1, "{name}.{table} has no row");
        }
        // The role reads its history but cannot rewrite it.
        assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM schemaforge.history WHERE version = 1"), 1);
        assert!(schemaforge_testdb::execute(&mut conn, "DELETE FROM schemaforge.history").is_err());
    }
}

fn schemaforge_services_checksum(sql: &str) -> String {
    // The script's text as the export returns it, hashed like the service does.
    use sha2::{Digest, Sha256};
    Sha256::digest(sql.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[actix_web::test]
async fn one_users_role_cannot_reach_another_users_database() {
    let app = spawn_app().await;
    let (ada, _) = app.register("ada@example.com").await;
    let (bob, _) = app.register("bob@example.com").await;
    let ada_id = create(&app, &ada, &chain("shared name", 2)).await;
    let bob_id = create(&app, &bob, &chain("shared name", 2)).await;
    provision(&app, &ada, &ada_id).await;
    provision(&app, &bob, &bob_id).await;
    let ada_conn = connection(&app, &ada, &ada_id).await;
    let bob_conn = connection(&app, &bob, &bob_id).await;
    assert_ne!(ada_conn["database"], bob_conn["database"]);

    // Ada's credentials on Bob's database: refused by PostgreSQL itself.
    let url = role_url(&ada_conn, bob_conn["database"].as_str().unwrap());
    let err = PgConnection::establish(&url).err().expect("ada's role must not connect to bob's database").to_string();
    assert!(err.contains("permission denied"), "{err}");
    // And through the API, Bob's schema does not exist for Ada.
    for path in ["/database", "/database/status", "/database/connection"] {
        let r = app.get(&format!("/schemas/{bob_id}{path}"), Some(&ada)).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::NOT_FOUND, "SCHEMA_NOT_FOUND"), "{path}");
    }
    for (method, path) in
        [("POST", "/database"), ("DELETE", "/database"), ("POST", "/database/regenerate?confirm=true")]
    {
        let r = app.call(method, &format!("/schemas/{bob_id}{path}"), Some(&ada), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    assert!(exists("database", bob_conn["database"].as_str().unwrap()));
}

/// What a role can read from the shared catalogs: every database, role,
/// shared comment and setting name on the server, one line each.
fn catalog_text(conn: &mut PgConnection) -> String {
    let sql = "SELECT datname::text AS t FROM pg_database
               UNION ALL SELECT rolname::text FROM pg_roles
               UNION ALL SELECT description FROM pg_shdescription
               UNION ALL SELECT coalesce(datname, '') || ' ' || coalesce(usename, '') FROM pg_stat_activity
               UNION ALL SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting";
    schemaforge_tests::lines(conn, sql).unwrap().join("\n")
}

/// The URL of the role of `credentials` (a connection response) on another
/// database.
fn role_url(credentials: &Value, database: &str) -> String {
    format!(
        "postgres://{}:{}@{}:{}/{database}",
        credentials["user"].as_str().unwrap(),
        credentials["password"].as_str().unwrap(),
        credentials["host"].as_str().unwrap(),
        credentials["port"]
    )
}

#[actix_web::test]
async fn a_provisioned_role_learns_no_other_schema_name_and_cannot_reach_the_metadata() {
    let app = spawn_app().await;
    let (ada, _) = app.register("ada@example.com").await;
    let (bob, _) = app.register("bob@example.com").await;
    let ada_id = create(&app, &ada, &chain("Ada Secret Ledger", 1)).await;
    let bob_id = create(&app, &bob, &chain("Bob Payroll", 1)).await;
    let ada_db = provision(&app, &ada, &ada_id).await;
    provision(&app, &bob, &bob_id).await;
    assert_eq!(ada_db["database"].as_str(), Some(format!("sf_{}", ada_id.replace('-', "")).as_str()));
    let bob_conn = connection(&app, &bob, &bob_id).await;
    let mut conn = connect(bob_conn["url"].as_str().unwrap());
    let seen = catalog_text(&mut conn).to_lowercase();
    assert!(seen.contains(&bob_id.replace('-', "")), "the catalogs were read: {seen}");
    // Words no hex id can contain by chance.
    for word in ["secret", "ledger", "payroll", "bob"] {
        assert!(!seen.contains(word), "a provisioned role reads {word:?} in the catalogs:\n{seen}");
    }
    // The metadata database (users, schemas, documents) refuses the role.
    let metadata = app.db.url().rsplit_once('/').map(|(_, db)| db.to_string()).unwrap();
    let url = role_url(&bob_conn, &metadata);
    let err = PgConnection::establish(&url).err().expect("a provisioned role must not reach the metadata").to_string();
    assert!(err.contains("permission denied"), "{err}");
}

#[actix_web::test]
async fn a_script_failing_at_statement_n_leaves_nothing_behind_and_says_so() {
    // The template already holds a table named like the schema's third, so
    // its CREATE TABLE fails part-way through the script.
    let template = TestDb::create().unwrap();
    template.execute("CREATE TABLE \"table_2\" (x int)").unwrap();
    let template_name = template.name().to_string();
    let app = spawn_app_with(|s| s.provisioning.template = template_name).await;
    let (token, _) = app.register("ada@example.com").await;
    let doc = chain("doomed", 4);
    let id = create(&app, &token, &doc).await;
    let script = create_script(&ValidSchema::parse(parse_document(&doc.to_string()).unwrap()).unwrap());
    let n = script.statements().iter().position(|s| s.sql.starts_with("CREATE TABLE \"table_2\"")).unwrap() + 1;
    assert!(n > 1, "the failure is mid-script");

    let r = app.call("POST", &format!("/schemas/{id}/database"), Some(&token), None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "PROVISIONING_FAILED"),
        "{}",
        r.text()
    );
    let details = &r.json()["error"]["details"][0];
    assert_eq!(details["statement"].as_u64(), Some(n as u64));
    assert!(details["sql"].as_str().unwrap().starts_with("CREATE TABLE \"table_2\""));
    assert!(details["message"].as_str().unwrap().contains("already exists"), "{details}");

    let state = status(&app, &token, &id).await;
    assert_eq!(state["status"], "failed");
    assert_eq!(state["reachable"], false);
    assert_eq!(state["lastError"]["statement"].as_u64(), Some(n as u64));
    let database = state["database"].as_str().unwrap();
    assert!(!exists("database", database), "the half-made database is dropped");
    assert!(!exists("role", &format!("{database}_owner")), "and its role");
    let r = app.get(&format!("/schemas/{id}/database/connection"), Some(&token)).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::CONFLICT, "DATABASE_NOT_READY"));
}

#[actix_web::test]
async fn regenerate_needs_confirmation_then_rebuilds_an_empty_current_database() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let id = create(&app, &token, &chain("regen", 2)).await;
    provision(&app, &token, &id).await;
    let c = connection(&app, &token, &id).await;
    let url = c["url"].as_str().unwrap().to_string();
    let mut conn = connect(&url);
    schemaforge_testdb::execute(&mut conn, "INSERT INTO table_0 (label) VALUES ('keep me?')").unwrap();

    let r = app
        .call_with("PUT", &format!("/schemas/{id}"), Some(&token), Some(&chain("regen", 3)), &[("If-Match", "\"1\"")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let state = status(&app, &token, &id).await;
    assert_eq!(
        (state["appliedVersion"].as_i64(), state["currentVersion"].as_i64(), &state["upToDate"]),
        (Some(1), Some(2), &json!(false))
    );

    for query in ["", "?confirm=false"] {
        let r = app.call("POST", &format!("/schemas/{id}/database/regenerate{query}"), Some(&token), None).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "CONFIRMATION_REQUIRED"), "{query}");
    }
    let r =
        app.call("POST", &format!("/schemas/{id}/database/regenerate?confirm=yes-please"), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM table_0"), 1, "refused: the data is untouched");

    // `conn` stays open: regenerate terminates it.
    let r = app.call("POST", &format!("/schemas/{id}/database/regenerate?confirm=true"), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let state = r.json();
    assert_eq!((state["appliedVersion"].as_i64(), &state["upToDate"]), (Some(2), &json!(true)));
    assert_eq!(state["health"]["tableCount"].as_u64(), Some(3));
    assert_eq!(state["history"].as_array().unwrap().len(), 1, "a new database, with a new history");
    assert!(schemaforge_testdb::execute(&mut conn, "SELECT 1").is_err(), "the old session was terminated");
    assert_eq!(connection(&app, &token, &id).await["url"], url.as_str(), "same credentials");
    let mut conn = connect(&url);
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM table_0"), 0, "empty");
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM table_2"), 0, "current");
}

#[actix_web::test]
async fn deleting_removes_database_and_role_and_schema_deletion_follows() {
    let app = spawn_app().await;
    let (token, _) = app.register("ada@example.com").await;
    let id = create(&app, &token, &chain("gone", 1)).await;
    let r = app.call("DELETE", &format!("/schemas/{id}/database"), Some(&token), None).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::NOT_FOUND, "DATABASE_NOT_FOUND"));
    assert_eq!(status(&app, &token, &id).await["status"], "none");

    let database = provision(&app, &token, &id).await["database"].as_str().unwrap().to_string();
    let role = connection(&app, &token, &id).await["user"].as_str().unwrap().to_string();
    assert!(exists("database", &database) && exists("role", &role));
    let r = app.call("POST", &format!("/schemas/{id}/database"), Some(&token), None).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::CONFLICT, "DATABASE_EXISTS"));
    let r = app.call("DELETE", &format!("/schemas/{id}/database"), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert!(!exists("database", &database) && !exists("role", &role));
    assert_eq!(status(&app, &token, &id).await["status"], "none");

    // Deleting the schema drops its database...
    provision(&app, &token, &id).await;
    let r = app.call("DELETE", &format!("/schemas/{id}"), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(!exists("database", &database) && !exists("role", &role));
    // ...unless asked to keep it.
    let kept = create(&app, &token, &chain("kept", 1)).await;
    let kept_db = provision(&app, &token, &kept).await["database"].as_str().unwrap().to_string();
    let r = app.call("DELETE", &format!("/schemas/{kept}?keepDatabase=true"), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(exists("database", &kept_db));
    let r = app.call("DELETE", &format!("/schemas/{kept}?keepDatabase=maybe"), Some(&token), None).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "INVALID_PARAMETER"));
    assert_eq!(r.json()["error"]["details"][0]["parameter"], "keepDatabase");
}

/// A template whose event trigger makes every CREATE TABLE take 100 ms, so
/// a provisioning is reliably still running when the next request comes.
fn slow_template() -> TestDb {
    let template = TestDb::create().unwrap();
    template
        .execute(
            "CREATE FUNCTION slow_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN PERFORM pg_sleep(0.1); END';
             CREATE EVENT TRIGGER slow_ddl ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION slow_ddl()",
        )
        .unwrap();
    template
}

#[actix_web::test]
async fn one_operation_per_schema_across_server_processes() {
    let template = slow_template();
    let template_name = template.name().to_string();
    let first = spawn_app_with(|s| s.provisioning.template = template_name.clone()).await;
    // A second server process on the same metadata database.
    let metadata = first.db.url().to_string();
    let second = spawn_app_with(|s| {
        s.database.url = metadata;
        s.provisioning.template = template_name;
    })
    .await;
    let (token, _) = first.register("ada@example.com").await;
    let id = create(&first, &token, &chain("busy", 20)).await;
    let path = format!("/schemas/{id}/database");

    let started = Instant::now();
    let (a, b) = tokio::join!(first.call("POST", &path, Some(&token), None), async {
        // Wait until the first server is building (its status says so while
        // it holds the lock).
        loop {
            let state = second.get(&format!("{path}/status"), Some(&token)).await.json();
            if state["status"] == "provisioning" {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "the build never started: {state}");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        // The first server still answers other requests while it builds...
        let health = first.get("/health", None).await;
        assert_eq!(health.status, StatusCode::OK);
        let still = second.get(&format!("{path}/status"), Some(&token)).await.json();
        assert_eq!(still["status"], "provisioning", "health answered during the build, not after it");
        // ...and the second process refuses a concurrent operation.
        let refused = second.call("POST", &path, Some(&token), None).await;
        let regenerate = second.call("POST", &format!("{path}/regenerate?confirm=true"), Some(&token), None).await;
        (refused, regenerate)
    },);
    let (refused, regenerate) = b;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    assert_eq!((refused.status, refused.code().as_str()), (StatusCode::CONFLICT, "OPERATION_IN_PROGRESS"));
    assert_eq!((regenerate.status, regenerate.code().as_str()), (StatusCode::CONFLICT, "OPERATION_IN_PROGRESS"));
    assert!(started.elapsed() >= Duration::from_secs(2), "20 slow tables took their time");
    // Once it is done, the lock is free again.
    let r = second.call("POST", &format!("{path}/regenerate?confirm=true"), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[actix_web::test]
async fn two_simultaneous_provisions_give_one_success_and_one_conflict() {
    let template = slow_template();
    let template_name = template.name().to_string();
    let app = spawn_app_with(|s| s.provisioning.template = template_name).await;
    let (token, _) = app.register("ada@example.com").await;
    let id = create(&app, &token, &chain("race", 5)).await;
    let path = format!("/schemas/{id}/database");
    let (a, b) = tokio::join!(app.call("POST", &path, Some(&token), None), app.call("POST", &path, Some(&token), None));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} / {}", a.text(), b.text());
    assert_eq!(status(&app, &token, &id).await["status"], "ready");
}

#[actix_web::test]
async fn a_drop_that_failed_after_the_schema_was_deleted_is_finished_by_the_sweeper() {
    let good = spawn_app().await;
    let metadata = good.db.url().to_string();
    let (token, _) = good.register("ada@example.com").await;
    let id = create(&good, &token, &chain("orphan", 1)).await;
    let database = provision(&good, &token, &id).await["database"].as_str().unwrap().to_string();

    // A server process that cannot reach the target server deletes the schema.
    let cut_off = metadata.clone();
    let broken = spawn_app_with(move |s| {
        s.database.url = cut_off;
        s.provisioning.admin_url = "postgres://postgres@127.0.0.1:1/postgres".into();
        s.provisioning.sweep_interval_secs = 0;
    })
    .await;
    let r = broken.call("DELETE", &format!("/schemas/{id}"), Some(&token), None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE"),
        "{}",
        r.text()
    );
    assert_eq!(good.get(&format!("/schemas/{id}"), Some(&token)).await.status, StatusCode::NOT_FOUND);
    assert!(exists("database", &database), "left behind");

    // A process that can reach it sweeps at start.
    let _sweeper = spawn_app_with(move |s| {
        s.database.url = metadata;
        s.provisioning.sweep_interval_secs = 1;
    })
    .await;
    // The database goes first, then its role: wait for both.
    let started = Instant::now();
    let role = format!("{database}_owner");
    while exists("database", &database) || exists("role", &role) {
        assert!(started.elapsed() < Duration::from_secs(20), "the sweeper never dropped {database} and {role}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}
