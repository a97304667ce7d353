//! Import speed against `pg_dump --schema-only`: reads generated databases
//! of 100 and 1000 tables (8 columns, a check, an index, a foreign key and
//! comments on the table and a column each) with the import's catalog
//! queries and mapping, and dumps the same database with `pg_dump
//! --schema-only`, the two alternating within one run.
//!
//! Run with `cargo bench -p schemaforge-tests --bench import`
//! (`IMPORT_BENCH_RUNS=n` sets the runs per size, default 7). It needs the
//! test server (SCHEMAFORGE_TEST_DATABASE_URL) and `pg_dump` on PATH.
//! Figures are in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code

use std::process::{Command, Stdio};
use std::time::Instant;

use schemaforge_domain::ValidSchema;
use schemaforge_introspect::{ImportOptions, import};
use schemaforge_repository::pg::{IntrospectOptions, introspect};
use schemaforge_sqlgen::create_script;
use schemaforge_testdb::TestDb;
use schemaforge_tests::sized::document;
use schemaforge_tests::timing::{median, ms};

fn main() {
    let runs: usize = std::env::var("IMPORT_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(7);
    println!("| tables | catalog read | read + mapping | pg_dump --schema-only | ratio (read + mapping / pg_dump) |");
    println!("|---:|---:|---:|---:|---:|");
    for n in [100, 1000] {
        let mut doc = document(n).unwrap();
        for t in &mut doc.tables {
            t.comment = Some(format!("The {} table.", t.name));
            t.columns[1].comment = Some("Shown to people.".into());
        }
        let script = create_script(&ValidSchema::parse(doc).unwrap()).to_sql();
        let db = TestDb::create().unwrap();
        db.execute(&format!("BEGIN;\n{script}\nCOMMIT;")).unwrap();
        let (mut read, mut full, mut dump) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            let start = Instant::now();
            let catalog = introspect(db.url(), &IntrospectOptions::default()).unwrap();
            read.push(start.elapsed());
            let imported = import(&catalog, &ImportOptions::default());
            full.push(start.elapsed());
            assert_eq!(imported.document.tables.len(), n);
            assert!(imported.report.remaining_errors.is_empty());
            let start = Instant::now();
            let status = Command::new("pg_dump")
                .args(["--schema-only", "--dbname", db.url()])
                .stdout(Stdio::null())
                .status()
                .expect("pg_dump runs");
            dump.push(start.elapsed());
            assert!(status.success());
        }
        let (read, full, dump) = (median(read), median(full), median(dump));
        println!(
            "| {n} | {:.0} ms | {:.0} ms | {:.0} ms | {:.2}x |",
            ms(read),
            ms(full),
            ms(dump),
            full.as_secs_f64() / dump.as_secs_f64()
        );
    }
}
