//! Standalone sequences and `serial` kept as what it is (issue 11), on a
//! real server: an owned sequence with a `nextval` default builds as
//! `pg_dump` shows a serial column (`pg_get_serial_sequence`), numbers rows,
//! and migrates by id: renamed (the default follows), altered in place,
//! given up, with rows kept and the result equal to a fresh build.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{assert_fresh_build_equals, lines, run_script, valid_json};
use serde_json::{Value, json};

fn document(sequence: Option<Value>) -> ValidSchema {
    let mut id = json!({"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true});
    let sequences = match sequence {
        Some(s) => {
            id["default"] = json!({"sequence": "s_orders"});
            json!([s])
        }
        None => json!([]),
    };
    valid_json(&json!({"name": "serial", "sequences": sequences, "tables": [{"id": "t", "name": "orders", "columns": [
        id, {"id": "c_what", "name": "what", "dataType": "text"}]}]}))
}

fn serial(name: &str, extra: Value) -> Value {
    let mut s = json!({"id": "s_orders", "name": name, "dataType": "integer",
        "ownedBy": {"tableId": "t", "columnId": "c_id"}, "comment": "numbers orders"});
    if let (Some(s), Some(e)) = (s.as_object_mut(), extra.as_object()) {
        s.extend(e.clone());
    }
    s
}

#[test]
fn serial_columns_build_number_rows_and_migrate_by_id() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(Some(serial("orders_id_seq", json!({}))));
    run_script(&mut conn, &create_script(&v1)).unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT pg_get_serial_sequence('orders', 'id') AS t").unwrap(),
        ["public.orders_id_seq"]
    );
    execute(&mut conn, "INSERT INTO orders (what) VALUES ('a'), ('b')").unwrap();
    assert_eq!(lines(&mut conn, "SELECT string_agg(id::text, ',' ORDER BY id) AS t FROM orders").unwrap(), ["1,2"]);

    // Renamed: a rename alone, and the default follows.
    let v2 = document(Some(serial("order_numbers", json!({"increment": 10, "cache": 5}))));
    let m = migration(&v1, &v2);
    let kinds: Vec<&ChangeKind> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert!(
        matches!(
            kinds.as_slice(),
            [ChangeKind::RenameStandaloneSequence { .. }, ChangeKind::AlterStandaloneSequence { .. }]
        ),
        "{kinds:?}"
    );
    assert!(m.changes.changes().iter().all(|c| c.safety == Safety::Safe));
    run_script(&mut conn, &m.up).unwrap();
    // The sequence goes on from where it was, by the new increment.
    execute(&mut conn, "INSERT INTO orders (what) VALUES ('c'), ('d')").unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT string_agg(id::text, ',' ORDER BY id) AS t FROM orders").unwrap(),
        ["1,2,12,22"]
    );
    assert_fresh_build_equals(&mut conn, &v2);

    // Narrowed below the current value: may_fail, and it fails.
    let low = document(Some(serial("order_numbers", json!({"increment": 10, "cache": 5, "maxValue": 5}))));
    let m = migration(&v2, &low);
    assert_eq!(m.changes.worst(), Some(Safety::MayFail));
    execute(&mut conn, "BEGIN").unwrap();
    assert!(run_script(&mut conn, &m.up).is_err());
    execute(&mut conn, "ROLLBACK").unwrap();

    // Given up: the default goes, the sequence too (data_loss: its position).
    let plain = document(None);
    let m = migration(&v2, &plain);
    assert_eq!(m.changes.worst(), Some(Safety::DataLoss));
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(
        lines(
            &mut conn,
            "SELECT count(*)::text AS t FROM pg_class WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
        )
        .unwrap(),
        ["0"]
    );
    assert_eq!(lines(&mut conn, "SELECT count(*)::text AS t FROM orders").unwrap(), ["4"]);
    // And back: the sequence comes back, owned, with the default.
    run_script(&mut conn, &m.down).unwrap();
    assert_fresh_build_equals(&mut conn, &v2);
}
