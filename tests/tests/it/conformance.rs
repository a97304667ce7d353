//! The safety classes against PostgreSQL: every change kind, and column
//! type changes in every context, measured for rewrites, scans, locks,
//! failures and value changes (see `schemaforge_tests::conformance`).
//!
//! `SCHEMAFORGE_CONFORMANCE=full` runs every type pair in every context with
//! every edge value; `SCHEMAFORGE_CONFORMANCE_REPORT=DIR` writes the evidence
//! tables (one Markdown row per case) into DIR.

use schemaforge_tests::conformance::cases::{Scope, other_changes, type_changes};
use schemaforge_tests::conformance::{Case, prepare, run};

fn check(name: &str, cases: Vec<Case>) {
    let db = schemaforge_testdb::TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    prepare(&mut conn);
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    for case in &cases {
        let outcome = run(&mut conn, case);
        problems.extend(outcome.problems());
        evidence.push(outcome.evidence());
    }
    if let Ok(dir) = std::env::var("SCHEMAFORGE_CONFORMANCE_REPORT") {
        let header = "| change (context) | class | rewrite | scan | fails | changes values | lock |\n|---|---|---|---|---|---|---|\n";
        std::fs::write(format!("{dir}/{name}.md"), format!("{header}{}\n", evidence.join("\n"))).unwrap();
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases break their class:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}

#[test]
fn every_change_kind_keeps_its_class() {
    check("changes", other_changes());
}

#[test]
fn type_changes_on_a_bare_column_keep_their_class() {
    check("types-bare", type_changes(Scope::from_env(), false));
}

#[test]
fn type_changes_under_checks_and_indexes_keep_their_class() {
    check("types-in-context", type_changes(Scope::from_env(), true));
}
