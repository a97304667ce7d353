//! `spawn_app`: start the server against a fresh database.

use awc::http::StatusCode;
use schemaforge_server::{
    AuthConfig, DEFAULT_ENCRYPTION_KEY, DatabaseSettings, ImportConfig, JobsConfig, LogSettings, MetricsSettings,
    ProvisioningConfig, RateLimitSettings, ServerSettings, Settings, build, init_tracing,
};
use schemaforge_testdb::TestDb;
use serde_json::{Value, json};

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub client: awc::Client,
    _server: actix_web::dev::ServerHandle,
    workers: Option<schemaforge_services::JobWorkers>,
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    /// The error code of an error envelope.
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }
}

pub const BODY_LIMIT: usize = 256 * 1024;

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Start a server whose settings `customize` may change first.
pub async fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::create().unwrap();
    let mut settings = Settings {
        environment: "test".into(),
        server: ServerSettings {
            host: "127.0.0.1".into(),
            port: 0,
            body_limit_bytes: BODY_LIMIT,
            shutdown_timeout_secs: 1,
            cors_origins: vec![],
            hsts_max_age_secs: 0,
        },
        database: DatabaseSettings {
            url: db.url().to_string(),
            pool_size: 4,
            connect_timeout_secs: 2,
            document_cache_mib: 16,
        },
        auth: AuthConfig {
            jwt_secret: "end-to-end test secret of enough length".into(),
            access_token_ttl_secs: 600,
            refresh_token_ttl_secs: 3600,
        },
        log: LogSettings { format: "pretty".into(), level: "info".into() },
        provisioning: ProvisioningConfig {
            admin_url: String::new(),
            encryption_key: DEFAULT_ENCRYPTION_KEY.into(),
            public_host: String::new(),
            public_port: 0,
            connection_options: String::new(),
            template: String::new(),
            role_connection_limit: 10,
            lock_timeout_secs: 5,
            sweep_interval_secs: 300,
            validate_on_server: false,
        },
        // Off unless a test turns them on: tests send bursts on purpose.
        rate_limit: RateLimitSettings {
            auth_per_minute: 0,
            auth_burst: 0,
            account_per_minute: 0,
            account_burst: 0,
            trust_forwarded_for: false,
        },
        metrics: MetricsSettings { enabled: true, bearer_token: String::new() },
        // As in production: no client URL may lead to this machine unless
        // a test allows it.
        import: ImportConfig { connect_timeout_secs: 2, ..ImportConfig::default() },
        jobs: JobsConfig { lease_secs: 4, heartbeat_secs: 1, poll_ms: 100, ..JobsConfig::default() },
    };
    customize(&mut settings);
    if std::env::var("TEST_LOG").is_ok_and(|v| v == "1") {
        init_tracing(&settings.log, std::io::stdout);
    } else {
        init_tracing(&settings.log, std::io::sink);
    }
    let running = build(&settings).unwrap();
    let handle = running.server.handle();
    actix_web::rt::spawn(running.server);
    let client = awc::Client::builder().timeout(std::time::Duration::from_secs(30)).finish();
    TestApp {
        base: format!("http://127.0.0.1:{}/api/v1", running.port),
        db,
        client,
        _server: handle,
        workers: Some(running.workers),
    }
}

/// Databases and roles a test provisioned are dropped with it, even when it
/// fails half-way (unless SCHEMAFORGE_KEEP_TEST_DB=1).
impl Drop for TestApp {
    fn drop(&mut self) {
        // Worker threads must not outlive the test's process exit midway
        // through a libpq call.
        if let Some(workers) = self.workers.take() {
            workers.shutdown(std::time::Duration::from_secs(10));
        }
        if std::env::var("SCHEMAFORGE_KEEP_TEST_DB").is_ok_and(|v| v == "1") {
            return;
        }
        let Ok(mut conn) = self.db.connect() else { return };
        let Ok(names) = provisioned_names(&mut conn) else { return };
        drop(conn);
        let Ok(mut admin) = admin_connection() else { return };
        for (database, role) in names {
            let _ = schemaforge_testdb::execute(
                &mut admin,
                &format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"),
            );
            let _ = schemaforge_testdb::execute(&mut admin, &format!("DROP ROLE IF EXISTS \"{role}\""));
        }
    }
}

/// (database, role) of every record in the metadata store.
fn provisioned_names(conn: &mut diesel::PgConnection) -> diesel::QueryResult<Vec<(String, String)>> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Names {
        #[diesel(sql_type = diesel::sql_types::Text)]
        database_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        role_name: String,
    }
    let rows: Vec<Names> = diesel::sql_query("SELECT database_name, role_name FROM schema_databases").load(conn)?;
    Ok(rows.into_iter().map(|n| (n.database_name, n.role_name)).collect())
}

/// A superuser session on the test server.
pub fn admin_connection() -> diesel::ConnectionResult<diesel::PgConnection> {
    use diesel::Connection;
    diesel::PgConnection::establish(&schemaforge_testdb::server_url())
}

/// A number from a query on the test server (column `n`).
pub fn server_count(sql: &str) -> i64 {
    schemaforge_testdb::count(&mut admin_connection().unwrap(), sql).unwrap()
}

impl TestApp {
    pub async fn send(&self, req: awc::ClientRequest, body: Option<Vec<u8>>) -> Reply {
        let mut res = match body {
            Some(b) => req.send_body(b).await,
            None => req.send().await,
        }
        .unwrap();
        let body = res.body().limit(64 * 1024 * 1024).await.unwrap().to_vec();
        Reply { status: res.status(), headers: res.headers().clone(), body }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req, None).await
    }

    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Reply {
        self.call_with(method, path, token, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        match body {
            Some(b) => {
                req = req.content_type("application/json");
                self.send(req, Some(serde_json::to_vec(b).unwrap())).await
            }
            None => self.send(req, None).await,
        }
    }

    /// Register a user; returns (access token, refresh token).
    pub async fn register(&self, email: &str) -> (String, String) {
        let r = self
            .call("POST", "/auth/register", None, Some(&json!({"email": email, "password": "correct horse battery"})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = r.json();
        (v["accessToken"].as_str().unwrap().to_string(), v["refreshToken"].as_str().unwrap().to_string())
    }
}

/// An example document from examples/.
pub fn example(name: &str) -> Value {
    let path = format!("{}/../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
