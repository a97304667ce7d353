//! Two server processes share one job queue (the metadata database). One
//! is killed with SIGKILL in the middle of a to-live sync; its lease runs
//! out, the other process takes the job over and finishes it. The killed
//! process's transaction never committed (PostgreSQL rolled it back when
//! its session died), so the job applies exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use schemaforge_testdb::{TestDb, connect, execute, texts};
use serde_json::{Value, json};

/// A server process on the metadata database at `url`.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(url: &str, workers: u32) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_schemaforge-server"))
            .env("SCHEMAFORGE_CONFIG_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"))
            .env("SCHEMAFORGE_ENV", "local")
            .env_remove("DATABASE_URL")
            .env("SCHEMAFORGE__DATABASE__URL", url)
            .env("SCHEMAFORGE__SERVER__PORT", "0")
            .env("SCHEMAFORGE__RATE_LIMIT__AUTH_PER_MINUTE", "0")
            .env("SCHEMAFORGE__JOBS__WORKERS", workers.to_string())
            .env("SCHEMAFORGE__JOBS__LEASE_SECS", "3")
            .env("SCHEMAFORGE__JOBS__HEARTBEAT_SECS", "1")
            .env("SCHEMAFORGE__JOBS__POLL_MS", "100")
            // The sync waits on the test's lock for as long as it holds it.
            .env("SCHEMAFORGE__JOBS__LOCK_TIMEOUT_MS", "120000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("the server exited before listening").unwrap();
            if let Some(rest) = line.strip_prefix("schemaforge listening on ") {
                break format!("{}/api/v1", rest.split_whitespace().next().unwrap());
            }
        };
        // Keep reading, so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Drops the databases and roles of the metadata database's records,
/// however the test ends.
struct Provisioned<'a>(&'a TestDb);

impl Drop for Provisioned<'_> {
    fn drop(&mut self) {
        let Ok(mut conn) = self.0.connect() else { return };
        let names = texts(&mut conn, "SELECT database_name || ' ' || role_name AS t FROM schema_databases");
        let Ok(mut admin) = connect(&schemaforge_testdb::server_url()) else { return };
        for pair in names.unwrap_or_default() {
            let Some((database, role)) = pair.split_once(' ') else { continue };
            let _ = execute(
                &mut admin,
                &format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE); DROP ROLE IF EXISTS \"{role}\""),
            );
        }
    }
}

/// A call to `server`: the status and the JSON answer.
async fn call(
    client: &awc::Client,
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(method, format!("{}{path}", server.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let mut res = match body {
        Some(b) => req.send_json(&b).await,
        None => req.send().await,
    }
    .unwrap();
    let bytes = res.body().limit(16 * 1024 * 1024).await.unwrap();
    (res.status().as_u16(), serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Poll the job on `server` until `done` says so (at most a minute).
async fn wait_for(
    client: &awc::Client,
    server: &Server,
    path: &str,
    token: Option<&str>,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, j) = call(client, server, "GET", path, token, None).await;
        if done(&j) {
            return j;
        }
        assert!(Instant::now() < until, "waited a minute for the job: {j:#}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

const DESIGN: &str = r#"{"name": "shop", "tables": [{"id": "customers", "name": "customers", "columns": [
    {"id": "c_id", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
    {"id": "c_name", "name": "full_name", "dataType": "text", "nullable": false}]}]}"#;

#[actix_web::test]
async fn a_job_whose_process_is_killed_is_taken_over_and_applied_once() {
    let db = TestDb::create().unwrap();
    let _cleanup = Provisioned(&db);
    let client = awc::Client::builder().timeout(Duration::from_secs(60)).finish();
    let mut a = Server::start(db.url(), 1);
    let credentials = json!({"email": "kill@example.com", "password": "correct horse battery"});
    let (status, reg) = call(&client, &a, "POST", "/auth/register", None, Some(credentials)).await;
    assert_eq!(status, 201, "{reg}");
    let token = reg["accessToken"].as_str().unwrap().to_string();
    let t = Some(token.as_str());
    let (status, schema) = call(&client, &a, "POST", "/schemas", t, Some(serde_json::from_str(DESIGN).unwrap())).await;
    assert_eq!(status, 201, "{schema}");
    let id = schema["id"].as_str().unwrap().to_string();
    let (status, built) = call(&client, &a, "POST", &format!("/schemas/{id}/database"), t, None).await;
    assert_eq!(status, 201, "{built}");
    let (_, connection) = call(&client, &a, "GET", &format!("/schemas/{id}/database/connection"), t, None).await;
    let url = connection["url"].as_str().unwrap().to_string();
    let mut role = connect(&url).unwrap();
    execute(
        &mut role,
        "INSERT INTO customers (full_name) VALUES ('Ada'), ('Grace');
         ALTER TABLE customers RENAME COLUMN full_name TO name;",
    )
    .unwrap();

    // The test reads the table in an open transaction: reads go on, the
    // sync's rename waits in its transaction.
    let mut holder = connect(&url).unwrap();
    execute(&mut holder, "BEGIN; LOCK TABLE customers IN ACCESS SHARE MODE").unwrap();
    let ask = Some(json!({"direction": "to-live"}));
    let (status, job) = call(&client, &a, "POST", &format!("/schemas/{id}/database/sync"), t, ask).await;
    assert_eq!(status, 202, "{job}");
    let job_path = format!("/jobs/{}", job["id"].as_str().unwrap());
    let first = wait_for(&client, &a, &job_path, t, |j| {
        assert_ne!(j["status"], "failed", "{j:#}");
        j["status"] == "running" && j["progress"]["current"].as_str().is_some_and(|c| c.starts_with("applying"))
    })
    .await;

    // A second process joins; the first dies in the middle of the transaction.
    let b = Server::start(db.url(), 1);
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    execute(&mut holder, "COMMIT").unwrap();

    let done = wait_for(&client, &b, &job_path, t, |j| {
        ["succeeded", "failed", "cancelled"].contains(&j["status"].as_str().unwrap_or_default())
    })
    .await;
    assert_eq!(done["status"], "succeeded", "{done:#}");
    assert_eq!(done["attempts"], 2, "{done:#}");
    assert_ne!(done["worker"], first["worker"], "another process finished it: {done:#}");
    assert_eq!((done["result"]["applied"].clone(), done["result"]["inStep"].clone()), (json!(true), json!(true)));
    // Applied once: the column has its design's name, the rows are there.
    let n = schemaforge_testdb::count(&mut role, "SELECT count(full_name) AS n FROM customers").unwrap();
    assert_eq!(n, 2);
    let (status, drift) = call(&client, &b, "GET", &format!("/schemas/{id}/database/drift"), t, None).await;
    assert_eq!((status, drift["inStep"].clone()), (200, json!(true)), "{drift:#}");
    let (_, database) = call(&client, &b, "GET", &format!("/schemas/{id}/database"), t, None).await;
    let syncs = database["history"].as_array().map_or(0, |h| h.iter().filter(|e| e["kind"] == "sync").count());
    assert_eq!(syncs, 1, "one sync in the database's history: {database:#}");
}
