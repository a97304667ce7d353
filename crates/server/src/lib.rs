//! # schemaforge-server
//!
//! Loads configuration, sets up tracing, builds the pool, runs the embedded
//! migrations, wires the concrete repository into the services and the HTTP
//! adapter, and serves. No business logic lives here.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{App as ActixApp, HttpServer, dev::Server, middleware::from_fn, web};
use schemaforge_http::{
    HttpSettings, MetricsEndpoint, RateLimits, Shared, configure, head_as_get, limit_by_address, not_found,
    request_span, security_headers,
};
use schemaforge_repository::pg::{
    AdminSettings, HostPolicy, PgCatalogReader, PgDatabaseAdmin, PgRepository, PoolSettings,
};
use schemaforge_services::{App, AuthSettings, EncryptionKey, ImportSettings, JobWorkers, ProvisioningSettings};

mod metrics;
mod settings;

use settings::non_empty;
pub use settings::*;

/// Set up the tracing subscriber once, writing to `sink`.
pub fn init_tracing<W>(settings: &LogSettings, sink: W)
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(sink);
    let result = if settings.format == "json" {
        builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init()
    } else {
        builder.try_init()
    };
    // A second initialisation (tests start several servers) is harmless.
    drop(result);
}

/// A running server and where it listens.
pub struct Running {
    /// The server future; await it (or spawn it) to serve.
    pub server: Server,
    /// The bound port.
    pub port: u16,
    /// The job workers: shut them down once the server stopped.
    pub workers: JobWorkers,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Cannot bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database is not usable.
    #[error("database: {0}")]
    Database(#[from] schemaforge_repository::RepoError),
    /// A setting is unusable.
    #[error("configuration: {0}")]
    Config(String),
}

/// Every `interval_secs` (and once at start), finish the drops of deleted
/// schemas' databases that failed or were interrupted. A task on the
/// server's runtime: it stops with the server.
fn spawn_sweeper(app: App<PgRepository>, interval_secs: u64) {
    if interval_secs == 0 {
        return;
    }
    actix_web::rt::spawn(async move {
        loop {
            let a = app.clone();
            match actix_web::rt::task::spawn_blocking(move || a.finish_orphaned_drops()).await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(dropped = n, "finished orphaned database drops"),
                Ok(Err(e)) => tracing::warn!(error = %e, "orphaned-drop sweep failed"),
                Err(e) => tracing::error!(error = %e, "orphaned-drop sweep panicked"),
            }
            actix_web::rt::time::sleep(Duration::from_secs(interval_secs)).await;
        }
    });
}

/// Keep provisioned roles out of places they need not be: the metadata
/// database loses PUBLIC's CONNECT (where this user may take it), and
/// databases of the target server that any role can still connect to are
/// named in a warning. Neither stops the server.
fn harden(repo: &PgRepository, admin: &PgDatabaseAdmin) {
    match repo.revoke_public_connect() {
        Ok(database) => tracing::info!(%database, "CONNECT on the metadata database revoked from PUBLIC"),
        Err(e) => tracing::warn!(
            error = %e,
            "could not revoke CONNECT on the metadata database from PUBLIC: provisioned roles may connect to it; \
             revoke it as its owner (docs/provisioning.md)"
        ),
    }
    match admin.public_databases() {
        Ok(open) if !open.is_empty() => tracing::warn!(
            databases = %open.join(", "),
            "any role on the provisioning server, provisioned ones included, may connect to these databases; \
             revoke CONNECT from PUBLIC where that is not meant (docs/provisioning.md)"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not list the databases PUBLIC may connect to"),
    }
}

/// Build the pool, run migrations, bind and build the server.
pub fn build(settings: &Settings) -> Result<Running, StartError> {
    let repo = PgRepository::new(
        &settings.database.url,
        &PoolSettings {
            max_size: settings.database.pool_size,
            connection_timeout: Duration::from_secs(settings.database.connect_timeout_secs),
        },
    )?;
    let applied = repo.run_migrations()?;
    tracing::info!(applied = ?applied, database = %redact_url(&settings.database.url), "migrations up to date");
    match repo.backfill_document_text() {
        Ok(0) => {}
        Ok(n) => tracing::info!(versions = n, "stored the document text of older versions"),
        // Reads fall back to the JSONB's text meanwhile; the next start retries.
        Err(e) => tracing::warn!(error = %e, "could not store the document text of older versions"),
    }
    let p = &settings.provisioning;
    let admin = PgDatabaseAdmin::new(
        &settings.admin_url(),
        AdminSettings {
            template: non_empty(&p.template),
            role_connection_limit: u32::try_from(p.role_connection_limit).ok(),
            connect_timeout_secs: u32::try_from(settings.database.connect_timeout_secs).unwrap_or(u32::MAX),
            lock_timeout_secs: Some(p.lock_timeout_secs).filter(|s| *s > 0),
        },
    );
    harden(&repo, &admin);
    let metrics = match settings.metrics.enabled {
        true => metrics::renderer(repo.clone())
            .map(|render| MetricsEndpoint::new(render, Some(settings.metrics.bearer_token.clone()))),
        false => None,
    };
    let encryption_key = EncryptionKey::from_base64(&p.encryption_key)
        .map_err(|e| StartError::Config(format!("provisioning.encryption_key: {e}")))?;
    let app = App::new(
        Arc::new(repo),
        Arc::new(admin),
        AuthSettings {
            jwt_secret: settings.auth.jwt_secret.clone(),
            access_ttl: chrono::Duration::seconds(settings.auth.access_token_ttl_secs),
            refresh_ttl: chrono::Duration::seconds(settings.auth.refresh_token_ttl_secs),
        },
        ProvisioningSettings {
            encryption_key,
            public_host: non_empty(&p.public_host),
            public_port: Some(p.public_port).filter(|p| *p != 0),
            connection_options: non_empty(&p.connection_options),
            validate_on_server: p.validate_on_server,
        },
    )
    .with_document_cache(settings.database.document_cache_mib * 1024 * 1024)
    .with_imports(
        Arc::new(PgCatalogReader::new(HostPolicy {
            allowed_hosts: settings.import.allowed_hosts.clone(),
            allow_private_networks: settings.import.allow_private_networks,
        })),
        ImportSettings {
            timeout_secs: settings.import.timeout_secs,
            statement_timeout_ms: settings.import.statement_timeout_ms,
            connect_timeout_secs: settings.import.connect_timeout_secs,
        },
    )
    .with_jobs(settings.jobs.settings());
    spawn_sweeper(app.clone(), settings.provisioning.sweep_interval_secs);
    let workers = app.start_workers();
    tracing::info!(workers = workers.len(), "job workers started");
    let addr = format!("{}:{}", settings.server.host, settings.server.port);
    let listener = TcpListener::bind(&addr).map_err(|source| StartError::Bind { addr: addr.clone(), source })?;
    let port = listener.local_addr().map_err(|source| StartError::Bind { addr: addr.clone(), source })?.port();
    let http = HttpSettings {
        body_limit: settings.server.body_limit_bytes,
        sql_body_limit: settings.import.sql_body_limit_bytes,
        hsts_max_age_secs: Some(settings.server.hsts_max_age_secs).filter(|s| *s > 0),
    };
    let r = settings.rate_limit;
    let shared = Shared::new(RateLimits {
        auth_per_minute: r.auth_per_minute,
        auth_burst: r.auth_burst,
        account_per_minute: r.account_per_minute,
        account_burst: r.account_burst,
        trust_forwarded_for: r.trust_forwarded_for,
    });
    let origins = settings.server.cors_origins.clone();
    let body_limit = settings.server.body_limit_bytes;
    let server = HttpServer::new(move || {
        let mut cors = actix_cors::Cors::default()
            .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
            .allowed_headers(["authorization", "content-type", "if-match", "x-request-id"])
            .expose_headers(["etag", "location", "x-request-id"])
            .max_age(3600);
        for origin in &origins {
            cors = cors.allowed_origin(origin);
        }
        let mut actix = ActixApp::new()
            .wrap(from_fn(limit_by_address))
            .wrap(cors)
            .wrap(from_fn(request_span))
            .wrap(from_fn(security_headers))
            .wrap(from_fn(head_as_get))
            .app_data(web::PayloadConfig::new(body_limit))
            .configure(configure(app.clone(), http.clone(), shared.clone()));
        if let Some(endpoint) = &metrics {
            actix = actix.configure(endpoint.clone().configure());
        }
        actix.default_service(web::to(not_found))
    })
    .listen(listener)
    .map_err(|source| StartError::Bind { addr, source })?
    .shutdown_timeout(settings.server.shutdown_timeout_secs)
    .run();
    Ok(Running { server, port, workers })
}
