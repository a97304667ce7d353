//! Random valid documents, full of hostile names, must produce scripts that
//! PostgreSQL accepts, and drop scripts that remove everything again.

use proptest::prelude::*;
use schemaforge_domain::{ValidSchema, parse_document, validate};
use schemaforge_sqlgen::{create_script, drop_script};
use schemaforge_testdb::{count, execute};
use schemaforge_tests::generate::{HOSTILE_NAMES, valid_document};
use schemaforge_tests::{ql, run_on_postgres, run_script};

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

/// Each case creates and drops its objects in a schema of its own, inside a
/// transaction that is rolled back.
#[test]
fn postgres_accepts_generated_scripts() {
    run_on_postgres(128, valid_document(), |conn, doc| {
        let schema = ValidSchema::parse(doc).map_err(|e| TestCaseError::fail(format!("{:#?}", e.report.problems)))?;
        let create = create_script(&schema);
        let drop = drop_script(&schema);
        execute(conn, "CREATE SCHEMA prop_case; SET LOCAL search_path TO prop_case").unwrap();
        run_script(conn, &create)
            .map_err(|f| TestCaseError::fail(format!("create script: {f}\n\n{}", create.to_sql())))?;
        // The document's public objects are in prop_case, the others in
        // their namespaces.
        let mut schemas = vec![ql("prop_case")];
        schemas.extend(schema.model().namespaces.iter().map(|n| ql(n.name.as_str())));
        let tables =
            count(conn, &format!("SELECT count(*) AS n FROM pg_tables WHERE schemaname IN ({})", schemas.join(", ")))
                .unwrap();
        // pg_tables lists partitioned tables and every partition.
        let partitions: usize = schema.model().tables.iter().map(|t| t.partitions.len()).sum();
        prop_assert_eq!(tables, (schema.model().tables.len() + partitions) as i64);
        run_script(conn, &drop).map_err(|f| TestCaseError::fail(format!("drop script: {f}")))?;
        prop_assert_eq!(objects_in(conn, "prop_case"), (0, 0), "the drop script left relations or enums behind");
        let left =
            count(conn, &format!("SELECT count(*) AS n FROM pg_namespace WHERE nspname IN ({})", schemas.join(", ")))
                .unwrap();
        // prop_case itself is the one left.
        prop_assert_eq!(left, 1, "the drop script left a namespace behind");
        Ok(())
    })
    .unwrap();
}
