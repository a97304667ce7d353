//! The Prometheus recorder behind the `metrics` facade: installed once per
//! process (a second server in the same process shares it), with histogram
//! buckets for every `*_seconds` metric, help texts, and build info. The
//! pool's gauges are read when scraped.

use std::sync::{Arc, OnceLock};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use schemaforge_repository::pg::PgRepository;

/// Buckets of the duration histograms, in seconds.
const BUCKETS: [f64; 15] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

fn install() -> Option<PrometheusHandle> {
    let builder = match PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "metrics buckets refused; metrics are off");
            return None;
        }
    };
    match builder.install_recorder() {
        Ok(handle) => {
            describe();
            metrics::gauge!("schemaforge_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            Some(handle)
        }
        Err(e) => {
            tracing::error!(error = %e, "another metrics recorder is installed; /metrics is off");
            None
        }
    }
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!("schemaforge_http_requests_total", "HTTP requests by method, route template and status");
    describe_histogram!(
        "schemaforge_http_request_duration_seconds",
        Unit::Seconds,
        "HTTP request latency by method, route template and status"
    );
    describe_counter!(
        "schemaforge_database_operations_total",
        "Provisioning (provision, regenerate, drop), migration and rollback operations by outcome"
    );
    describe_histogram!(
        "schemaforge_database_operation_duration_seconds",
        Unit::Seconds,
        "Duration of provisioning, migration and rollback operations by outcome"
    );
    describe_histogram!(
        "schemaforge_db_pool_checkout_seconds",
        Unit::Seconds,
        "Time to get a connection from the metadata pool (its count is the checkouts)"
    );
    describe_counter!("schemaforge_db_pool_timeouts_total", "Checkouts from the metadata pool that timed out");
    describe_gauge!("schemaforge_db_pool_connections", "Metadata pool connections by state (idle, in_use)");
    describe_gauge!("schemaforge_db_pool_max_connections", "Size of the metadata pool");
    describe_gauge!("schemaforge_build_info", "Always 1, labelled with the version");
}

/// The renderer of `/metrics` for a server over `repo`, or `None` when no
/// recorder could be installed.
pub fn renderer(repo: PgRepository) -> Option<Arc<schemaforge_http::metrics::Render>> {
    let handle = HANDLE.get_or_init(install).clone()?;
    Some(Arc::new(move || {
        let pool = repo.pool_stats();
        metrics::gauge!("schemaforge_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
        metrics::gauge!("schemaforge_db_pool_connections", "state" => "in_use")
            .set(f64::from(pool.connections.saturating_sub(pool.idle)));
        metrics::gauge!("schemaforge_db_pool_max_connections").set(f64::from(pool.max_size));
        handle.run_upkeep();
        handle.render()
    }))
}
