//! Snapshot tests of whole migration scripts (up and down) between example
//! documents. The same scripts are executed on PostgreSQL, with rows in the
//! tables, by `tests/tests/it/migrations.rs`.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use schemaforge_domain::{ValidSchema, parse_document};
use schemaforge_sqlgen::migration;

fn example(name: &str) -> ValidSchema {
    let path = format!("{}/../../examples/migrations/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    ValidSchema::parse(parse_document(&text).unwrap()).unwrap()
}

#[test]
fn shop_v1_to_v2() {
    let (v1, v2) = (example("shop_v1"), example("shop_v2"));
    let m = migration(&v1, &v2);
    insta::assert_snapshot!("shop_up", m.up.to_sql());
    insta::assert_snapshot!("shop_down", m.down.to_sql());
    insta::assert_snapshot!("shop_changes", serde_json::to_string_pretty(&m.changes).unwrap());
    // Deterministic, and down is the migration from v2 to v1.
    assert_eq!(m, migration(&example("shop_v1"), &example("shop_v2")));
    assert_eq!(migration(&v2, &v1).up.statements(), m.down.statements());
}

fn events(keyed: bool) -> ValidSchema {
    let (flag, key) = if keyed { ("", r#", "primaryKey": true"#) } else { (r#", "withoutPrimaryKey": true"#, "") };
    let text = format!(
        r#"{{"name": "log", "tables": [{{"id": "t", "name": "events"{flag}, "columns": [
            {{"id": "c", "name": "id", "dataType": "bigint", "nullable": false{key}}}]}}]}}"#
    );
    ValidSchema::parse(parse_document(&text).unwrap()).unwrap()
}

#[test]
fn a_table_without_a_primary_key_is_created_without_one_and_keyed_by_a_migration() {
    let (keyless, keyed) = (events(false), events(true));
    let create = schemaforge_sqlgen::create_script(&keyless).to_sql();
    assert!(create.contains("CREATE TABLE \"events\" (\n    \"id\" bigint NOT NULL\n);"), "{create}");
    let m = migration(&keyless, &keyed);
    let sql = |s: &schemaforge_sqlgen::Script| s.statements().iter().map(|st| st.sql.clone()).collect::<Vec<_>>();
    assert_eq!(sql(&m.up), ["ALTER TABLE \"events\" ADD CONSTRAINT \"events_pkey\" PRIMARY KEY (\"id\")"]);
    assert_eq!(sql(&m.down), ["ALTER TABLE \"events\" DROP CONSTRAINT \"events_pkey\""]);
    let kinds: Vec<String> = m.changes.changes().iter().map(|c| format!("{:?}", c.safety)).collect();
    assert_eq!(kinds, ["MayFail"]);
    assert!(migration(&keyless, &events(false)).changes.is_empty());
}
