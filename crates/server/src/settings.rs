//! Settings: config/default.toml, then config/{SCHEMAFORGE_ENV}.toml, then
//! `SCHEMAFORGE__SECTION__KEY` environment variables. Secrets have a
//! redacting `Debug`.

use schemaforge_repository::pg::with_database;
use schemaforge_services::EncryptionKey;
use serde::Deserialize;

/// The default JWT secret of config/default.toml; refused in production.
pub const DEFAULT_JWT_SECRET: &str = "insecure-development-secret-change-me";
/// The default encryption key of config/default.toml; refused in production.
pub const DEFAULT_ENCRYPTION_KEY: &str = "c2NoZW1hZm9yZ2UtZGV2LWtleS1jaGFuZ2UtbWUhISE=";

/// All settings.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// `local`, `production`, ...
    pub environment: String,
    /// HTTP server.
    pub server: ServerSettings,
    /// Metadata database.
    pub database: DatabaseSettings,
    /// Tokens.
    pub auth: AuthConfig,
    /// Logging.
    pub log: LogSettings,
    /// Provisioned databases.
    pub provisioning: ProvisioningConfig,
    /// Request rate limits.
    pub rate_limit: RateLimitSettings,
    /// The Prometheus endpoint.
    pub metrics: MetricsSettings,
    /// Import of SQL text and of live databases.
    #[serde(default)]
    pub import: ImportConfig,
    /// Durable jobs and their workers.
    #[serde(default)]
    pub jobs: JobsConfig,
}

/// `[jobs]`: the workers of durable jobs (docs/drift-and-sync.md).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default)]
pub struct JobsConfig {
    /// Worker threads of this process (0: none).
    pub workers: usize,
    /// Seconds a claim or heartbeat holds a job.
    pub lease_secs: u64,
    /// Seconds between heartbeats.
    pub heartbeat_secs: u64,
    /// Milliseconds an idle worker waits between looks for a job.
    pub poll_ms: u64,
    /// Claims of one job before a lost lease fails it.
    pub max_attempts: i32,
    /// Seconds a job waits for its schema's operation lock.
    pub lock_wait_secs: u64,
    /// Milliseconds a statement of a job's script may run (0: no limit).
    pub statement_timeout_ms: u64,
    /// Milliseconds a statement of a job's script may wait for a lock.
    pub lock_timeout_ms: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        let d = schemaforge_services::JobSettings::default();
        Self {
            workers: d.workers,
            lease_secs: d.lease.as_secs(),
            heartbeat_secs: d.heartbeat.as_secs(),
            poll_ms: u64::try_from(d.poll.as_millis()).unwrap_or(1000),
            max_attempts: d.max_attempts,
            lock_wait_secs: d.lock_wait.as_secs(),
            statement_timeout_ms: d.statement_timeout_ms,
            lock_timeout_ms: d.lock_timeout_ms,
        }
    }
}

impl JobsConfig {
    /// The services' settings.
    pub fn settings(&self) -> schemaforge_services::JobSettings {
        use std::time::Duration;
        schemaforge_services::JobSettings {
            workers: self.workers,
            lease: Duration::from_secs(self.lease_secs),
            heartbeat: Duration::from_secs(self.heartbeat_secs),
            poll: Duration::from_millis(self.poll_ms),
            max_attempts: self.max_attempts,
            lock_wait: Duration::from_secs(self.lock_wait_secs),
            statement_timeout_ms: self.statement_timeout_ms,
            lock_timeout_ms: self.lock_timeout_ms,
        }
    }
}

/// `[import]`: limits of `POST /schemas/import/sql` and `/import/database`,
/// and where the latter may connect.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ImportConfig {
    /// Largest SQL text accepted, in bytes.
    pub sql_body_limit_bytes: usize,
    /// Seconds one import may take in all.
    pub timeout_secs: u64,
    /// Milliseconds one statement may run: the catalog read (one statement), or a statement of the text.
    pub statement_timeout_ms: u64,
    /// Seconds to wait for a client's database server to answer.
    pub connect_timeout_secs: u32,
    /// Hosts a client's URL may name whatever address they resolve to.
    pub allowed_hosts: Vec<String>,
    /// Let clients' URLs lead to loopback, private and link-local
    /// addresses (development only: it opens the service's own network).
    pub allow_private_networks: bool,
}

impl Default for ImportConfig {
    fn default() -> Self {
        Self {
            sql_body_limit_bytes: 16 * 1024 * 1024,
            timeout_secs: 120,
            statement_timeout_ms: 30_000,
            connect_timeout_secs: 10,
            allowed_hosts: Vec::new(),
            allow_private_networks: false,
        }
    }
}

/// Request rate limits (`[rate_limit]`); a rate of 0 turns a limit off.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct RateLimitSettings {
    /// Requests per minute to `/auth/*` from one client address.
    pub auth_per_minute: u32,
    /// How many of those may come at once.
    pub auth_burst: u32,
    /// Authenticated requests per minute of one account.
    pub account_per_minute: u32,
    /// How many of those may come at once.
    pub account_burst: u32,
    /// Take the client address from `Forwarded`/`X-Forwarded-For`.
    pub trust_forwarded_for: bool,
}

/// `GET /metrics` (`[metrics]`; `Debug` redacts the token).
#[derive(Clone, Deserialize)]
pub struct MetricsSettings {
    /// Serve `/metrics` at all.
    pub enabled: bool,
    /// When not empty, scrapes must send `Authorization: Bearer <token>`.
    pub bearer_token: String,
}

impl std::fmt::Debug for MetricsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsSettings")
            .field("enabled", &self.enabled)
            .field("bearer_token", &if self.bearer_token.is_empty() { "" } else { "<redacted>" })
            .finish()
    }
}

/// Where and how schemas' databases are provisioned (`Debug` redacts the
/// key and the admin URL's password).
#[derive(Clone, Deserialize)]
pub struct ProvisioningConfig {
    /// Admin URL of the target server; empty: the metadata server.
    pub admin_url: String,
    /// 32 bytes, standard base64.
    pub encryption_key: String,
    /// Host in connection strings; empty: the admin URL's.
    pub public_host: String,
    /// Port in connection strings; 0: the admin URL's.
    pub public_port: u16,
    /// Query string added to connection strings.
    pub connection_options: String,
    /// Template database; empty: the server's default.
    pub template: String,
    /// Most sessions per provisioned role; -1: no limit.
    pub role_connection_limit: i32,
    /// Seconds a migration statement may wait for a table lock; 0: forever.
    pub lock_timeout_secs: u32,
    /// Seconds between sweeps finishing deleted schemas' drops; 0: never.
    pub sweep_interval_secs: u64,
    /// `POST /schemas/validate` also tries a valid document's create script
    /// on this server (rolled back, as a throwaway role).
    pub validate_on_server: bool,
}

impl std::fmt::Debug for ProvisioningConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvisioningConfig")
            .field("admin_url", &redact_url(&self.admin_url))
            .field("encryption_key", &"<redacted>")
            .field("public_host", &self.public_host)
            .field("public_port", &self.public_port)
            .field("connection_options", &self.connection_options)
            .field("template", &self.template)
            .field("role_connection_limit", &self.role_connection_limit)
            .field("lock_timeout_secs", &self.lock_timeout_secs)
            .field("sweep_interval_secs", &self.sweep_interval_secs)
            .field("validate_on_server", &self.validate_on_server)
            .finish()
    }
}

impl Settings {
    /// The admin URL of the provisioning server.
    pub fn admin_url(&self) -> String {
        if self.provisioning.admin_url.is_empty() {
            with_database(&self.database.url, "postgres")
        } else {
            self.provisioning.admin_url.clone()
        }
    }
}

pub(crate) fn non_empty(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// HTTP server settings.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    /// Bind address.
    pub host: String,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Largest request body in bytes.
    pub body_limit_bytes: usize,
    /// Grace period for in-flight requests at shutdown.
    pub shutdown_timeout_secs: u64,
    /// Allowed CORS origins.
    pub cors_origins: Vec<String>,
    /// `Strict-Transport-Security: max-age=...` on every response when not
    /// 0 (only behind TLS).
    pub hsts_max_age_secs: u64,
}

/// Database settings (the URL may hold a password: `Debug` redacts it).
#[derive(Clone, Deserialize)]
pub struct DatabaseSettings {
    /// Connection URL.
    pub url: String,
    /// Pool size.
    pub pool_size: u32,
    /// Seconds to wait for a connection.
    pub connect_timeout_secs: u64,
    /// MiB of versions' document text each server keeps in memory for the
    /// cheap reads (0: none).
    #[serde(default = "default_document_cache_mib")]
    pub document_cache_mib: u64,
}

fn default_document_cache_mib() -> u64 {
    schemaforge_services::DOCUMENT_CACHE_BYTES / (1024 * 1024)
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("pool_size", &self.pool_size)
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("document_cache_mib", &self.document_cache_mib)
            .finish()
    }
}

/// Token settings (`Debug` redacts the secret).
#[derive(Clone, Deserialize)]
pub struct AuthConfig {
    /// HMAC secret of access tokens.
    pub jwt_secret: String,
    /// Access token lifetime.
    pub access_token_ttl_secs: i64,
    /// Refresh token lifetime.
    pub refresh_token_ttl_secs: i64,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("jwt_secret", &"<redacted>")
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .field("refresh_token_ttl_secs", &self.refresh_token_ttl_secs)
            .finish()
    }
}

/// Log settings.
#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    /// `pretty` or `json`.
    pub format: String,
    /// EnvFilter directives.
    pub level: String,
}

/// `postgres://user:secret@host/db` -> `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(colon) => format!("{}:***{}", &url[..s + 3 + colon], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The files or variables do not parse.
    #[error("invalid configuration: {0}")]
    Load(#[from] config::ConfigError),
    /// A value is unacceptable.
    #[error("{0}")]
    Invalid(String),
}

impl Settings {
    /// Load `config/default.toml`, then `config/<SCHEMAFORGE_ENV>.toml`, then
    /// `SCHEMAFORGE__SECTION__KEY` variables (and `DATABASE_URL`), from the
    /// directory `config_dir`.
    pub fn load(config_dir: &std::path::Path) -> Result<Self, SettingsError> {
        let env = std::env::var("SCHEMAFORGE_ENV").unwrap_or_else(|_| "local".into());
        let mut builder = config::Config::builder()
            .add_source(config::File::from(config_dir.join("default.toml")))
            .add_source(config::File::from(config_dir.join(format!("{env}.toml"))).required(false));
        // DATABASE_URL is honoured, but SCHEMAFORGE__DATABASE__URL wins.
        if let (Ok(url), Err(_)) = (std::env::var("DATABASE_URL"), std::env::var("SCHEMAFORGE__DATABASE__URL")) {
            builder = builder.set_override("database.url", url)?;
        }
        builder = builder.add_source(
            config::Environment::with_prefix("SCHEMAFORGE")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("server.cors_origins")
                .with_list_parse_key("import.allowed_hosts")
                .try_parsing(true),
        );
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.check()?;
        Ok(settings)
    }

    /// Refuse settings that would be unsafe or cannot work.
    pub fn check(&self) -> Result<(), SettingsError> {
        let production = self.environment == "production";
        if production && (self.auth.jwt_secret == DEFAULT_JWT_SECRET || self.auth.jwt_secret.len() < 32) {
            return Err(SettingsError::Invalid(
                "refusing to start in production with the default or a short JWT secret: set SCHEMAFORGE__AUTH__JWT_SECRET to at least 32 random characters".into(),
            ));
        }
        if self.auth.jwt_secret.is_empty() {
            return Err(SettingsError::Invalid("auth.jwt_secret must not be empty".into()));
        }
        if self.auth.access_token_ttl_secs <= 0 || self.auth.refresh_token_ttl_secs <= 0 {
            return Err(SettingsError::Invalid("token lifetimes must be positive".into()));
        }
        let j = &self.jobs;
        if j.lease_secs == 0 || j.heartbeat_secs == 0 || j.heartbeat_secs * 2 > j.lease_secs {
            return Err(SettingsError::Invalid(
                "jobs.heartbeat_secs must be positive and at most half of jobs.lease_secs".into(),
            ));
        }
        if j.max_attempts < 1 {
            return Err(SettingsError::Invalid("jobs.max_attempts must be at least 1".into()));
        }
        if !["pretty", "json"].contains(&self.log.format.as_str()) {
            return Err(SettingsError::Invalid(format!("log.format must be pretty or json, not {}", self.log.format)));
        }
        if production && self.provisioning.encryption_key == DEFAULT_ENCRYPTION_KEY {
            return Err(SettingsError::Invalid(
                "refusing to start in production with the default encryption key: set SCHEMAFORGE__PROVISIONING__ENCRYPTION_KEY to the output of `openssl rand -base64 32`".into(),
            ));
        }
        EncryptionKey::from_base64(&self.provisioning.encryption_key)
            .map_err(|e| SettingsError::Invalid(format!("provisioning.encryption_key: {e}")))?;
        if self.provisioning.role_connection_limit < -1 {
            return Err(SettingsError::Invalid("provisioning.role_connection_limit must be -1 or more".into()));
        }
        if self.database.document_cache_mib > 4096 {
            return Err(SettingsError::Invalid("database.document_cache_mib must be at most 4096".into()));
        }
        if self.database.pool_size == 0 {
            return Err(SettingsError::Invalid("database.pool_size must be at least 1".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config")).unwrap()
    }

    #[test]
    fn the_shipped_configuration_loads() {
        let s = settings();
        assert_eq!(s.auth.jwt_secret, DEFAULT_JWT_SECRET);
        assert!(s.server.body_limit_bytes > 0);
        assert!(["pretty", "json"].contains(&s.log.format.as_str()));
        assert_eq!(s.database.document_cache_mib, 16, "the shipped value is the services' default");
        let mut big = settings();
        big.database.document_cache_mib = 5000;
        assert!(big.check().unwrap_err().to_string().contains("document_cache_mib"));
    }

    #[test]
    fn production_refuses_the_default_secret_and_says_why() {
        let mut s = settings();
        s.environment = "production".into();
        let err = s.check().unwrap_err().to_string();
        assert!(err.contains("SCHEMAFORGE__AUTH__JWT_SECRET"), "{err}");
        s.auth.jwt_secret = "short".into();
        assert!(s.check().is_err());
        s.auth.jwt_secret = "x".repeat(40);
        let err = s.check().unwrap_err().to_string();
        assert!(err.contains("SCHEMAFORGE__PROVISIONING__ENCRYPTION_KEY"), "{err}");
        s.provisioning.encryption_key = "c2hvcnQ=".into();
        assert!(s.check().unwrap_err().to_string().contains("32 bytes"));
        s.provisioning.encryption_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into();
        assert!(s.check().is_ok());
        s.log.format = "xml".into();
        assert!(s.check().is_err());
    }

    #[test]
    fn provisioning_defaults_to_the_metadata_server() {
        let mut s = settings();
        s.database.url = "postgres://app:pw@db:6000/schemaforge?sslmode=require".into();
        assert_eq!(s.admin_url(), "postgres://app:pw@db:6000/postgres?sslmode=require");
        s.provisioning.admin_url = "postgres://admin@other/postgres".into();
        assert_eq!(s.admin_url(), "postgres://admin@other/postgres");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let mut s = settings();
        s.database.url = "postgres://app:hunter2@db/schemaforge".into();
        s.auth.jwt_secret = "super-secret-value".into();
        s.provisioning.admin_url = "postgres://admin:adminpw@db/postgres".into();
        let text = format!("{s:?}");
        assert!(!text.contains("hunter2") && !text.contains("super-secret-value"), "{text}");
        assert!(!text.contains("adminpw") && !text.contains(DEFAULT_ENCRYPTION_KEY), "{text}");
        assert_eq!(redact_url("postgres://app:hunter2@db/x"), "postgres://app:***@db/x");
    }
}
