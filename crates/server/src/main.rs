//! `schemaforge-server`: serve the REST API. Stops gracefully on SIGTERM or
//! SIGINT (actix-web lets in-flight requests finish within
//! `server.shutdown_timeout_secs`).

use anyhow::Context;
use schemaforge_server::{Settings, build, init_tracing, redact_url};

fn main() -> anyhow::Result<()> {
    let config_dir = std::env::var("SCHEMAFORGE_CONFIG_DIR").unwrap_or_else(|_| "config".into());
    let settings = Settings::load(std::path::Path::new(&config_dir)).context("cannot load the configuration")?;
    init_tracing(&settings.log, std::io::stdout);
    actix_web::rt::System::new().block_on(async move {
        let running = build(&settings).context("cannot start")?;
        let msg = format!(
            "schemaforge listening on http://{}:{} (database {})",
            settings.server.host,
            running.port,
            redact_url(&settings.database.url)
        );
        tracing::info!("{msg}");
        eprintln!("{msg}");
        let served = running.server.await;
        // No new jobs from here; a job still under way after the shutdown
        // timeout is taken over by another process once its lease runs out.
        let grace = std::time::Duration::from_secs(settings.server.shutdown_timeout_secs);
        if !running.workers.shutdown(grace) {
            tracing::warn!("a job was still running at shutdown: another process takes it over after its lease");
        }
        served.context("server failed")?;
        tracing::info!("stopped");
        Ok(())
    })
}
