//! The hand-made fixture that uses every element at once
//! (`tests/fixtures/everything.json`): it validates with only the warnings
//! it must have, builds on a real server and drops without a trace, reads
//! back through its own JSON unchanged, and every expression PostgreSQL
//! prints back (checks, index predicates, index expressions) goes through
//! the document again to the very same catalog text.

use diesel::PgConnection;
use schemaforge_domain::{SchemaDocument, ValidSchema, parse_document};
use schemaforge_sqlgen::{create_script, drop_script, migration};
use schemaforge_testdb::{TestDb, count, execute};
use schemaforge_tests::{lines, run_script};

const FIXTURE: &str = include_str!("../../fixtures/everything.json");

fn valid(text: &str) -> ValidSchema {
    let doc = parse_document(text).unwrap_or_else(|e| panic!("{e}"));
    ValidSchema::parse(doc).unwrap_or_else(|e| panic!("{:#?}", e.report.problems))
}

/// Every check, predicate and index definition, as PostgreSQL prints them.
fn printed(conn: &mut PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT conname || ': ' || pg_get_constraintdef(oid) AS t FROM pg_constraint
           WHERE connamespace = 'public'::regnamespace
         UNION ALL
         SELECT indexrelid::regclass::text || ': ' || pg_get_indexdef(indexrelid) FROM pg_index
           WHERE indrelid::regclass::text IN ('shops', 'orders', 'order_lines')
         ORDER BY 1",
    )
    .unwrap()
}

#[test]
fn the_fixture_validates_builds_and_drops() {
    let schema = valid(FIXTURE);
    let mut codes: Vec<&str> = schema.warnings().iter().map(|w| w.code.as_str()).collect();
    codes.dedup();
    // Checks in the full grammar and a money default (read by the server),
    // an extension's operator class, a keyless table.
    assert_eq!(codes, ["UNVERIFIED_EXPRESSION", "UNVERIFIED_REFERENCE", "UNVERIFIED_EXPRESSION", "NO_PRIMARY_KEY"]);
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&schema)).unwrap();
    let model = schema.model();
    let constraints = count(
        &mut conn,
        "SELECT count(*) AS n FROM pg_constraint WHERE connamespace IN ('public'::regnamespace, 'audit'::regnamespace)",
    )
    .unwrap();
    let expected: usize = model
        .tables
        .iter()
        .map(|t| usize::from(t.primary_key.is_some()) + t.uniques.len() + t.checks.len())
        .sum::<usize>()
        + model.foreign_keys.len()
        + model.domains.iter().map(|d| d.checks.len()).sum::<usize>();
    assert_eq!(constraints, expected as i64);
    // Rows go in as the constraints allow (a deferred foreign key, a
    // generated-always identity).
    execute(
        &mut conn,
        "BEGIN;
         SET CONSTRAINTS ALL DEFERRED;
         INSERT INTO order_lines VALUES (1000, 1, 'sku', 2);
         INSERT INTO shops (code, \"Name\") VALUES ('S1', 'First');
         INSERT INTO orders (shop_id, number, total) VALUES (1000, 1, 10);
         COMMIT",
    )
    .unwrap();
    assert!(execute(&mut conn, "INSERT INTO shops (code, \"Name\") VALUES (NULL, 'x')").is_err());
    // The wider types hold their values; citext is unique whatever the case.
    execute(
        &mut conn,
        "INSERT INTO shops (code, \"Name\", email, location, open_hours, closes_at, grid)
         VALUES ('S2', 'Second', 'Shop@Example.org', '(1,2)', '{[2024-01-01,2024-01-02)}', '18:00+01', '{{1,2},{3,4}}')",
    )
    .unwrap();
    assert!(
        execute(&mut conn, "INSERT INTO shops (code, \"Name\", email) VALUES ('S3', 'x', 'shop@example.ORG')").is_err()
    );
    assert_eq!(
        lines(&mut conn, "SELECT concat_ws(' ', fee::numeric, flags, grid[2][1]) AS t FROM shops WHERE code = 'S2'")
            .unwrap(),
        ["0.00 00000000 3"]
    );
    // The audit namespace: its table references a shop across schemas, its
    // enum types a column of its own.
    execute(&mut conn, "INSERT INTO audit.events (shop_id) SELECT id FROM shops WHERE code = 'S2'").unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT kind::text || ' ' || pg_typeof(kind)::text AS t FROM audit.events").unwrap(),
        ["opened audit.event_kind"]
    );
    assert!(execute(&mut conn, "INSERT INTO audit.events (shop_id) VALUES (999)").is_err());
    run_script(&mut conn, &drop_script(&schema)).unwrap();
    let left =
        count(&mut conn, "SELECT count(*) AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace").unwrap();
    assert_eq!(left, 0);
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'audit'").unwrap(), 0);
    let types = count(
        &mut conn,
        "SELECT count(*) AS n FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd', 'c')",
    )
    .unwrap();
    assert_eq!(types, 0);
}

#[test]
fn the_fixture_reads_back_through_its_own_json() {
    let doc: SchemaDocument = parse_document(FIXTURE).unwrap();
    let again = parse_document(&serde_json::to_string(&doc).unwrap()).unwrap();
    assert_eq!(doc, again);
    let (a, b) = (valid(FIXTURE), ValidSchema::parse(again).unwrap());
    assert_eq!(create_script(&a).to_sql(), create_script(&b).to_sql());
    assert!(migration(&a, &b).changes.changes().is_empty());
}

#[test]
fn printed_expressions_round_trip_through_the_document() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&valid(FIXTURE))).unwrap();
    let first = printed(&mut conn);
    // Put PostgreSQL's printing of each check, predicate and expression
    // element back into the document.
    let mut doc: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    let check_defs = lines(
        &mut conn,
        "SELECT c.relname || '|' || k.conname || '|' || pg_get_constraintdef(k.oid) AS t FROM pg_constraint k
           JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = 'c' AND k.connamespace = 'public'::regnamespace",
    )
    .unwrap();
    let schema = valid(FIXTURE);
    for line in check_defs {
        let mut parts = line.splitn(3, '|');
        let (table, name, def) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let ti = schema.model().tables.iter().position(|t| t.name.as_str() == table).unwrap();
        let ki = schema.model().tables[ti].checks.iter().position(|k| k.name.as_str() == name).unwrap();
        doc["tables"][ti]["checks"][ki]["expression"] = def.strip_prefix("CHECK ").unwrap().into();
    }
    let domain_defs = lines(
        &mut conn,
        "SELECT t.typname || '|' || k.conname || '|' || pg_get_constraintdef(k.oid) AS t FROM pg_constraint k
           JOIN pg_type t ON t.oid = k.contypid WHERE k.contype = 'c' AND k.connamespace = 'public'::regnamespace",
    )
    .unwrap();
    assert_eq!(domain_defs.len(), 2);
    for line in domain_defs {
        let mut parts = line.splitn(3, '|');
        let (domain, name, def) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let di = schema.model().domains.iter().position(|d| d.name.as_str() == domain).unwrap();
        let ki = schema.model().domains[di].checks.iter().position(|k| k.name.as_str() == name).unwrap();
        doc["domains"][di]["checks"][ki]["expression"] = def.strip_prefix("CHECK ").unwrap().into();
    }
    let predicate =
        lines(&mut conn, "SELECT pg_get_expr(indpred, indrelid) AS t FROM pg_index WHERE indpred IS NOT NULL").unwrap();
    doc["tables"][1]["indexes"][0]["where"] = predicate[0].clone().into();
    let element = lines(&mut conn, "SELECT pg_get_indexdef('\"shops_Name_idx\"'::regclass, 1, true) AS t").unwrap();
    doc["tables"][0]["indexes"][0]["columnIds"][0]["expression"] = element[0].clone().into();

    let again = valid(&doc.to_string());
    let db2 = TestDb::create().unwrap();
    let mut conn2 = db2.connect().unwrap();
    run_script(&mut conn2, &create_script(&again)).unwrap();
    assert_eq!(printed(&mut conn2), first, "PostgreSQL's printing did not reach a fixed point");
}
