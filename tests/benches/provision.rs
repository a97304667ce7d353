//! Provisioning speed against `psql -1 -f`: provisions generated schemas of
//! 100 and 1000 tables through the services (role, database, one-transaction
//! script, history row, metadata) and applies the same script with
//! `psql -1 -f` to a fresh database on the same server.
//!
//! Run with `cargo bench -p schemaforge-tests --bench provision`
//! (`PROVISION_BENCH_RUNS=n` sets the runs per size, default 5). It needs
//! the test server (SCHEMAFORGE_TEST_DATABASE_URL) and `psql` on PATH.
//! Figures are in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use schemaforge_repository::pg::{AdminSettings, PgDatabaseAdmin, PgRepository, PoolSettings, with_database};
use schemaforge_services::{App, AuthSettings, EncryptionKey, ProvisioningSettings};
use schemaforge_testdb::{TestDb, execute, server_url};
use schemaforge_tests::sized::document;
use schemaforge_tests::timing::{median, ms};

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let runs: usize = std::env::var("PROVISION_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let metadata = TestDb::create().unwrap();
    let repo = PgRepository::new(metadata.url(), &PoolSettings::default()).unwrap();
    repo.run_migrations().unwrap();
    let admin = PgDatabaseAdmin::new(&server_url(), AdminSettings::default());
    let app = App::new(
        Arc::new(repo),
        Arc::new(admin),
        AuthSettings {
            jwt_secret: "benchmark secret of sufficient length".into(),
            access_ttl: chrono::Duration::minutes(15),
            refresh_ttl: chrono::Duration::days(1),
        },
        ProvisioningSettings {
            encryption_key: EncryptionKey::from_bytes([9; 32]),
            public_host: None,
            public_port: None,
            connection_options: None,
            validate_on_server: false,
        },
    );
    let session = app.register("bench@example.com", "benchmark password", None).unwrap();
    let principal = app.authenticate(&session.tokens.access_token).unwrap();
    let mut admin_conn = <diesel::PgConnection as diesel::Connection>::establish(&server_url()).unwrap();

    println!("runs per size: {runs} (median shown)");
    println!(
        "{:>7} {:>11} {:>12} {:>10} {:>12} {:>14} {:>8}",
        "tables", "statements", "provision", "of which", "createdb", "psql -1 -f", "ratio"
    );
    println!("{:>7} {:>11} {:>12} {:>10} {:>12} {:>14} {:>8}", "", "", "(total)", "script", "", "", "");
    for n in [100, 1000] {
        let mut doc = document(n).unwrap();
        doc.name = format!("bench {n}");
        let schema = app.create_schema(principal, doc).unwrap();
        let (_, sql) = app.export_sql(principal, schema.id, false).unwrap();
        let statements = sql.matches(";\n").count();
        let file = std::env::temp_dir().join(format!("schemaforge-bench-{}.sql", schema.id));
        std::fs::write(&file, &sql).unwrap();

        let (mut ours, mut script, mut create, mut psql) = (vec![], vec![], vec![], vec![]);
        for _ in 0..runs {
            let start = Instant::now();
            let state = app.provision_database(principal, schema.id).unwrap();
            ours.push(start.elapsed());
            script.push(Duration::from_millis(state.history()[0].duration_ms as u64));
            app.drop_database(principal, schema.id).unwrap();

            let db = format!("sf_bench_psql_{}", uuid::Uuid::new_v4().simple());
            let start = Instant::now();
            execute(&mut admin_conn, &format!("CREATE DATABASE \"{db}\"")).unwrap();
            create.push(start.elapsed());
            let start = Instant::now();
            let out = Command::new("psql")
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f"])
                .arg(&file)
                .arg("-d")
                .arg(with_database(&server_url(), &db))
                .output()
                .expect("psql on PATH");
            psql.push(start.elapsed());
            assert!(out.status.success(), "psql failed: {}", String::from_utf8_lossy(&out.stderr));
            execute(&mut admin_conn, &format!("DROP DATABASE \"{db}\" WITH (FORCE)")).unwrap();
        }
        std::fs::remove_file(&file).ok();
        let (ours, script, create, psql) = (median(ours), median(script), median(create), median(psql));
        println!(
            "{n:>7} {statements:>11} {:>9.0} ms {:>7.0} ms {:>9.0} ms {:>11.0} ms {:>7.2}x",
            ms(ours),
            ms(script),
            ms(create),
            ms(psql),
            ms(ours) / ms(create + psql)
        );
    }
    println!("ratio = provision (total) / (createdb + psql -1 -f)");
}
