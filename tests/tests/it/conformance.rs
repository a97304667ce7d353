//! The safety classes against PostgreSQL: every change kind, and column
//! type changes in every context, measured for rewrites, scans, locks,
//! failures and value changes (see `schemaforge_tests::conformance`).
//!
//! `SCHEMAFORGE_CONFORMANCE=full` runs every type pair in every context with
//! every edge value; `SCHEMAFORGE_CONFORMANCE_REPORT=FILE` writes the
//! evidence table (one Markdown row per case) to FILE.

use schemaforge_tests::conformance::cases::{Scope, all};
use schemaforge_tests::conformance::{prepare, run};

#[test]
fn safety_classes_hold_on_postgres() {
    let scope = Scope::from_env();
    let db = schemaforge_testdb::TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    prepare(&mut conn);
    let cases = all(scope);
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    for case in &cases {
        let outcome = run(&mut conn, case);
        problems.extend(outcome.problems());
        evidence.push(outcome.evidence());
    }
    if let Ok(path) = std::env::var("SCHEMAFORGE_CONFORMANCE_REPORT") {
        let header = "| change (context) | class | rewrite | scan | fails | changes values | lock |\n|---|---|---|---|---|---|---|\n";
        std::fs::write(&path, format!("{header}{}\n", evidence.join("\n"))).unwrap();
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases break their class:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}
