//! Enum labels with ids (issue 11), on a real server: a new text under the
//! same id is `RENAME VALUE` (rows keep their value under the new text), a
//! swap of two texts goes through temporary labels, and without ids the
//! same edit is what it looks like (a reorder, rebuilt, rows keep their
//! text).

use schemaforge_domain::{ChangeKind, Safety, ValidSchema, parse_document};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{lines, run_script, valid_json};
use serde_json::{Value, json};

fn document(values: Value) -> ValidSchema {
    let doc = json!({"name": "labels",
    "enums": [{"id": "e_state", "name": "state", "values": values}],
    "tables": [{"id": "t", "name": "jobs", "columns": [
        {"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true},
        {"id": "c_state", "name": "state", "dataType": "enum", "enumId": "e_state"}
    ]}]});
    valid_json(&doc)
}

fn with_ids(labels: [&str; 3]) -> ValidSchema {
    document(json!(
        labels.iter().enumerate().map(|(i, l)| json!({"id": format!("v{i}"), "value": l})).collect::<Vec<_>>()
    ))
}

fn states(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(conn, "SELECT string_agg(state::text, ',' ORDER BY id) AS t FROM jobs").unwrap()
}

fn labels(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) AS t FROM pg_enum WHERE enumtypid = 'state'::regtype",
    )
    .unwrap()
}

#[test]
fn labels_with_ids_are_renamed_and_swapped_by_id() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = with_ids(["new", "running", "done"]);
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO jobs VALUES (1, 'new'), (2, 'running'), (3, 'done')").unwrap();

    // A new text under the same id, and another label swapped by id.
    let v2 = with_ids(["queued", "done", "running"]);
    let m = migration(&v1, &v2);
    assert!(
        m.changes
            .changes()
            .iter()
            .all(|c| matches!(c.kind, ChangeKind::RenameEnumValue { .. }) && c.safety == Safety::Safe),
        "{:?}",
        m.changes.changes()
    );
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(labels(&mut conn), ["queued,done,running"]);
    assert_eq!(states(&mut conn), ["queued,done,running"], "rows follow their label's id");
    run_script(&mut conn, &m.down).unwrap();
    assert_eq!(labels(&mut conn), ["new,running,done"]);
    assert_eq!(states(&mut conn), ["new,running,done"]);
}

#[test]
fn without_ids_the_same_edit_is_a_reorder() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(json!(["new", "running", "done"]));
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO jobs VALUES (1, 'new'), (2, 'running'), (3, 'done')").unwrap();
    let v2 = document(json!(["new", "done", "running"]));
    let m = migration(&v1, &v2);
    assert!(
        m.changes.changes().iter().any(|c| matches!(c.kind, ChangeKind::RebuildEnum { .. })),
        "{:?}",
        m.changes.changes()
    );
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(labels(&mut conn), ["new,done,running"]);
    assert_eq!(states(&mut conn), ["new,running,done"], "rows keep their text");
}

#[test]
fn a_label_id_is_an_id() {
    let doc = json!({"name": "x", "enums": [{"id": "e", "name": "e", "values": [{"id": "e", "value": "a"}, {"id": "v", "value": "b"}, {"id": "v", "value": "c"}]}]});
    let err = ValidSchema::parse(parse_document(&doc.to_string()).unwrap()).unwrap_err();
    let paths: Vec<_> = err.report.errors().map(|p| (p.path.as_str(), p.code.as_str())).collect();
    assert_eq!(paths, [("/enums/0/values/0/id", "DUPLICATE_ID"), ("/enums/0/values/2/id", "DUPLICATE_ID")]);
    for bad in [json!([["a"]]), json!([{"value": "a"}]), json!([{"id": "x", "value": "a", "extra": 1}])] {
        let doc = json!({"name": "x", "enums": [{"id": "e", "name": "e", "values": bad}]});
        assert!(parse_document(&doc.to_string()).is_err(), "{bad}");
    }
}

#[test]
fn a_renamed_label_can_take_the_text_of_a_label_that_goes() {
    // B renames label v0 to "a_old" and adds a new label "a"; going down,
    // v0 takes "a" back while B's other "a" goes (found by the migration
    // property test: RENAME VALUE refused the text the type still had).
    let a = document(json!([{"id": "v0", "value": "a"}]));
    let b = document(json!([{"id": "v0", "value": "a_old"}, "a"]));
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&a)).unwrap();
    execute(&mut conn, "INSERT INTO jobs VALUES (1, 'a')").unwrap();
    let m = migration(&a, &b);
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(labels(&mut conn), ["a_old,a"]);
    assert_eq!(states(&mut conn), ["a_old"]);
    run_script(&mut conn, &m.down).unwrap();
    assert_eq!(labels(&mut conn), ["a"]);
    assert_eq!(states(&mut conn), ["a"]);
}
