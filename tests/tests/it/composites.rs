//! Composite types (issue 11) on a real server: the create script builds
//! what the document says, and every kind of edit migrates by id with rows
//! kept (a NULL row stays NULL, a row of NULLs stays one, arrays and nested
//! types included), equal to a fresh build, and back down.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{assert_fresh_build_equals, describe_schema, lines, migrate_and_back, run_script, valid_json};
use serde_json::{Value, json};

/// People with an `address` (k1) held as a value and as an array, and a
/// `contact` (k2) that holds an address; `edit` changes the JSON first.
fn document(edit: impl FnOnce(&mut Value)) -> ValidSchema {
    let mut doc = json!({"name": "people",
        "enums": [{"id": "e1", "name": "kind", "values": ["home", "work"]}],
        "domains": [{"id": "d1", "name": "zip_code", "dataType": "varchar(10)", "checks": [{"id": "dk", "expression": "VALUE <> ''"}]}],
        "composites": [
            {"id": "k1", "name": "address", "comment": "where someone lives", "attributes": [
                {"id": "a1", "name": "street", "dataType": "text", "collation": "C"},
                {"id": "a2", "name": "zip", "dataType": "domain", "domainId": "d1"},
                {"id": "a3", "name": "kind", "dataType": "enum", "enumId": "e1"}]},
            {"id": "k2", "name": "contact", "attributes": [
                {"id": "b1", "name": "at", "dataType": "composite", "compositeId": "k1"},
                {"id": "b2", "name": "phones", "dataType": "text[]"}]}
        ],
        "tables": [{"id": "t1", "name": "person", "columns": [
            {"id": "c1", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "c2", "name": "home", "dataType": "composite", "compositeId": "k1"},
            {"id": "c3", "name": "others", "dataType": "composite", "compositeId": "k1", "isArray": true},
            {"id": "c4", "name": "contact", "dataType": "composite", "compositeId": "k2"}
        ], "indexes": [{"id": "i1", "columnIds": [{"expression": "(home).street"}]}]}]});
    edit(&mut doc);
    valid_json(&doc)
}

/// The rows as JSON by attribute name: the same values whatever the
/// attributes' order.
fn rows(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(conn, "SELECT string_agg(to_jsonb(p)::text, ';' ORDER BY id) AS t FROM person p").unwrap()
}

const ROWS: &str = "INSERT INTO person VALUES
    (1, ('Main St', '12345', 'home'), ARRAY[('Side St', '1', 'work')::address, NULL], (('Dock', '9', NULL), '{555}')),
    (2, NULL, '{}', NULL),
    (3, (NULL, NULL, NULL), NULL, (NULL, NULL))";

/// Migrate `from` → `to` and back with the rows in place
/// (`migrate_and_back`), comparing the rows by attribute name.
fn round_trip(conn: &mut diesel::PgConnection, from: &ValidSchema, to: &ValidSchema) -> (Vec<ChangeKind>, Vec<String>) {
    migrate_and_back(conn, from, to, rows)
}

#[test]
fn composites_build_as_the_document_says() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    let facts: Vec<String> =
        describe_schema(&mut conn, "public").unwrap().into_iter().filter(|f| f.starts_with("composite")).collect();
    assert_eq!(
        facts,
        [
            "composite address (street text collate=C, zip zip_code, kind kind) comment=where someone lives",
            "composite contact (at address, phones text[]) comment=-",
        ]
    );
    execute(&mut conn, ROWS).unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT ((contact).at).street || '/' || (others[1]).kind AS t FROM person WHERE id = 1")
            .unwrap(),
        ["Dock/work"]
    );
    // The domain inside holds.
    assert!(execute(&mut conn, "INSERT INTO person (id, home) VALUES (9, ('x', '', 'home'))").is_err());
}

#[test]
fn composite_edits_migrate_by_id_with_rows_kept() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, ROWS).unwrap();

    // In place: a type renamed, an attribute renamed, one added.
    let v2 = document(|d| {
        d["composites"][0]["name"] = json!("postal_address");
        d["composites"][0]["attributes"][0]["name"] = json!("road");
        d["composites"][0]["attributes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "a4", "name": "city", "dataType": "text"}));
        d["tables"][0]["indexes"][0]["columnIds"][0]["expression"] = json!("(home).road");
    });
    let (kinds, _) = round_trip(&mut conn, &v1, &v2);
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::RenameComposite { .. })), "{kinds:?}");
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::RenameAttribute { .. })), "{kinds:?}");
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::AddAttribute { .. })), "{kinds:?}");
    assert!(!kinds.iter().any(|k| matches!(k, ChangeKind::RebuildComposite { .. })), "{kinds:?}");
    // The index over (home).street reads attribute a1 by id: renamed, it
    // is the same index (PostgreSQL keeps it by attribute number), and the
    // migrated database still equals a fresh build.
    assert!(
        !kinds.iter().any(|k| matches!(k, ChangeKind::AddIndex { .. } | ChangeKind::DropIndex { .. })),
        "{kinds:?}"
    );

    // Two attributes swap their names: through temporary names, values
    // stay with their ids.
    let v3 = document(|d| {
        d["composites"][1]["attributes"][0]["name"] = json!("phones");
        d["composites"][1]["attributes"][1]["name"] = json!("at");
    });
    let (_, after) = round_trip(&mut conn, &v1, &v3);
    assert!(after[0].contains(r#""contact": {"at": ["555"], "phones": {"zip": "9""#), "{after:?}");

    // Retyped and reordered while in use: rebuilt, every row converted
    // attribute by name, the nested type with it.
    let v4 = document(|d| {
        let attributes = d["composites"][0]["attributes"].as_array_mut().unwrap();
        attributes.swap(0, 2);
        attributes[1] = json!({"id": "a2", "name": "zip", "dataType": "varchar(20)"});
    });
    let m = migration(&v1, &v4);
    assert!(m.changes.changes().iter().all(|c| c.safety <= Safety::LocksTable), "{:?}", m.changes);
    let (kinds, after) = round_trip(&mut conn, &v1, &v4);
    assert_eq!(kinds.iter().filter(|k| matches!(k, ChangeKind::RebuildComposite { .. })).count(), 2, "{kinds:?}");
    // Back at v1: the same values by attribute name.
    assert_eq!(after, rows(&mut conn));

    // A new check on a domain an attribute holds: PostgreSQL cannot check
    // it in place, so the domain is rebuilt, and the types over it.
    let v7 = document(|d| {
        d["domains"][0]["checks"].as_array_mut().unwrap().push(json!({"id": "dk2", "expression": "length(VALUE) < 9"}));
    });
    let (kinds, _) = round_trip(&mut conn, &v1, &v7);
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::RebuildDomain { .. })), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| matches!(k, ChangeKind::RebuildComposite { .. })).count(), 2, "{kinds:?}");

    // An attribute dropped from a type in use loses its values: data_loss.
    let v5 = document(|d| {
        d["composites"][1]["attributes"].as_array_mut().unwrap().pop();
    });
    let m = migration(&v1, &v5);
    assert_eq!(m.changes.worst(), Some(Safety::DataLoss));
    run_script(&mut conn, &m.up).unwrap();
    assert_fresh_build_equals(&mut conn, &v5);
    run_script(&mut conn, &m.down).unwrap();
    assert_fresh_build_equals(&mut conn, &v1);
    execute(&mut conn, "DELETE FROM person; ").unwrap();
    execute(&mut conn, ROWS).unwrap();

    // A type that goes away with its columns, one that comes.
    let v6 = document(|d| {
        d["composites"].as_array_mut().unwrap().remove(1);
        d["tables"][0]["columns"].as_array_mut().unwrap().remove(3);
        d["composites"].as_array_mut().unwrap().push(
            json!({"id": "k3", "name": "contact", "attributes": [{"id": "x1", "name": "email", "dataType": "text"}]}),
        );
    });
    let m = migration(&v1, &v6);
    run_script(&mut conn, &m.up).unwrap_or_else(|e| panic!("{e}\n{}", m.up.to_sql()));
    assert_fresh_build_equals(&mut conn, &v6);
    run_script(&mut conn, &m.down).unwrap();
    assert_fresh_build_equals(&mut conn, &v1);
}
