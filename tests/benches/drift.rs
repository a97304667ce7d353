//! Drift of a live database against `pg_dump --schema-only` of it: a
//! database built from generated schemas of 100 and 1000 tables is compared
//! with its design as the server does it (`services::drift`): the live
//! catalog read (introspection), both imports, the element walk and the
//! migration diff (skipped when every element matched). "warm" is a drift
//! whose design as printed is cached (every drift of a version after its
//! first); "cold" builds the design on a scratch database and imports it
//! first. Each run times pg_dump, warm and
//! cold one after the other, alternating.
//!
//! Run with `cargo bench -p schemaforge-tests --bench drift`
//! (`DRIFT_BENCH_RUNS=n` sets the runs per size, default 5). It needs the
//! test server (SCHEMAFORGE_TEST_DATABASE_URL) and `pg_dump` on PATH.
//! Figures are in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code

use std::process::Command;
use std::time::Instant;

use schemaforge_domain::ValidSchema;
use schemaforge_drift::{assess, assess_printed, desired_as_printed, managed_namespaces, read_managed};
use schemaforge_repository::pg::{introspect, load_sql};
use schemaforge_repository::{IntrospectOptions, LoadOptions};
use schemaforge_sqlgen::create_script;
use schemaforge_testdb::{TestDb, server_url};
use schemaforge_tests::run_script;
use schemaforge_tests::sized::document;
use schemaforge_tests::timing::{median, ms};

fn main() {
    let runs: usize = std::env::var("DRIFT_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    println!("runs per size: {runs} (median shown)");
    println!(
        "{:>7} {:>14} {:>10} {:>12} {:>10} {:>10} {:>10}",
        "tables", "pg_dump -s", "read", "drift warm", "ratio", "drift cold", "ratio"
    );
    for n in [100, 1000] {
        let desired = ValidSchema::parse(document(n).unwrap()).unwrap();
        let db = TestDb::create().unwrap();
        run_script(&mut db.connect().unwrap(), &create_script(&desired)).unwrap();
        let sql = create_script(&desired).to_sql();
        let built = load_sql(&server_url(), &sql, &LoadOptions::default()).unwrap().catalog;
        let printed = desired_as_printed(&desired, &built);
        let namespaces = managed_namespaces(&desired);
        let read = || {
            read_managed(&namespaces, |namespaces| {
                introspect(db.url(), &IntrospectOptions { namespaces, ..Default::default() })
            })
            .unwrap()
        };
        let (mut dump, mut reads, mut warm, mut cold) = (vec![], vec![], vec![], vec![]);
        for _ in 0..runs {
            let start = Instant::now();
            let out = Command::new("pg_dump")
                .args(["--schema-only", "-f", "/dev/null", "-d"])
                .arg(db.url())
                .output()
                .expect("pg_dump on PATH");
            dump.push(start.elapsed());
            assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));

            let start = Instant::now();
            let (live, others) = read();
            reads.push(start.elapsed());
            let drift = assess_printed(&desired, &printed, &live, others, None);
            warm.push(start.elapsed());
            assert!(drift.in_step, "a fresh build drifts: {:?}", drift.elements.first());

            let start = Instant::now();
            let scratch = load_sql(&server_url(), &sql, &LoadOptions::default()).unwrap().catalog;
            let (live, others) = read();
            let drift = assess(&desired, &scratch, &live, others, None);
            cold.push(start.elapsed());
            assert!(drift.in_step);
        }
        let (dump, reads, warm, cold) = (median(dump), median(reads), median(warm), median(cold));
        println!(
            "{n:>7} {:>11.0} ms {:>7.0} ms {:>9.0} ms {:>9.2}x {:>7.0} ms {:>9.2}x",
            ms(dump),
            ms(reads),
            ms(warm),
            ms(warm) / ms(dump),
            ms(cold),
            ms(cold) / ms(dump)
        );
    }
    println!("ratio = drift / pg_dump --schema-only; read = the live catalog read alone (inside warm)");
}
