//! Random valid documents, full of hostile names, must produce scripts that
//! PostgreSQL accepts, and drop scripts that remove everything again.

use proptest::prelude::*;
use schemaforge_domain::{ValidSchema, parse_document, validate};
use schemaforge_sqlgen::{create_script, drop_script};
use schemaforge_testdb::{TestDb, count, execute};
use schemaforge_tests::generate::{HOSTILE_NAMES, valid_document};
use schemaforge_tests::{ql, run_script};

#[test]
fn hostile_names_are_valid_identifiers() {
    for name in HOSTILE_NAMES {
        assert!(schemaforge_domain::Ident::parse(name).is_ok(), "{name:?} ({} bytes)", name.len());
    }
    assert!(HOSTILE_NAMES.iter().any(|n| n.len() == 63 && n.chars().count() < 63), "a 63-byte multibyte name");
    assert!(HOSTILE_NAMES.iter().any(|n| n.len() == 63 && n.is_ascii()), "a 63-byte ascii name");
}

fn objects_in(conn: &mut diesel::PgConnection, schema: &str) -> (i64, i64) {
    let relations = count(
        conn,
        &format!(
            "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = {}",
            ql(schema)
        ),
    )
    .unwrap();
    let types = count(
        conn,
        &format!(
            "SELECT count(*) AS n FROM pg_type t JOIN pg_namespace s ON s.oid = t.typnamespace WHERE s.nspname = {} AND t.typtype = 'e'",
            ql(schema)
        ),
    )
    .unwrap();
    (relations, types)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_are_valid_and_round_trip(doc in valid_document()) {
        let report = validate(&doc);
        prop_assert!(report.valid, "generator made an invalid document: {:#?}", report.problems);
        let json = serde_json::to_string(&doc).unwrap();
        let back = parse_document(&json).unwrap();
        prop_assert_eq!(&back, &doc);
        let a = create_script(&ValidSchema::parse(doc.clone()).unwrap());
        let b = create_script(&ValidSchema::parse(back).unwrap());
        prop_assert_eq!(a.to_sql(), b.to_sql(), "output must be deterministic");
    }
}

/// One database for the whole property run; each case works in its own
/// transaction and schema, which is rolled back.
#[test]
fn postgres_accepts_generated_scripts() {
    let db = TestDb::create().unwrap();
    let conn = std::cell::RefCell::new(db.connect().unwrap());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128),
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&valid_document(), |doc| {
            let schema = ValidSchema::parse(doc.clone())
                .map_err(|e| TestCaseError::fail(format!("{:#?}", e.report.problems)))?;
            let create = create_script(&schema);
            let drop = drop_script(&schema);
            let mut guard = conn.borrow_mut();
            let conn = &mut *guard;
            execute(conn, "BEGIN; CREATE SCHEMA prop_case; SET LOCAL search_path TO prop_case").unwrap();
            let outcome = (|| {
                run_script(conn, &create).map_err(|f| format!("create script: {f}\n\n{}", create.to_sql()))?;
                let tables = count(conn, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'prop_case'")
                    .map_err(|e| e.to_string())?;
                if tables != schema.model().tables.len() as i64 {
                    return Err(format!("{tables} tables created, expected {}", schema.model().tables.len()));
                }
                run_script(conn, &drop).map_err(|f| format!("drop script: {f}"))?;
                let left = objects_in(conn, "prop_case");
                if left != (0, 0) {
                    return Err(format!("drop script left {left:?} relations/enums behind"));
                }
                Ok(())
            })();
            execute(conn, "ROLLBACK").unwrap();
            outcome.map_err(TestCaseError::fail)
        })
        .unwrap();
}
