//! Identity columns' settings (issue 11), on a real server: `GENERATED
//! ALWAYS` and sequence options build as the catalog shows them
//! (`pg_attribute.attidentity`, `pg_sequence`), and migrations alter them in
//! place with rows kept, failing only where they are classed `may_fail`.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema, parse_document};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{lines, run_script, valid_json};
use serde_json::{Value, json};

fn document(identity: Option<Value>) -> ValidSchema {
    let mut id = json!({"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true});
    match identity {
        Some(spec) => id["identity"] = spec,
        None => id["autoIncrement"] = json!(true),
    }
    let doc = json!({"name": "ids", "tables": [{"id": "t", "name": "tickets", "columns": [
        id, {"id": "c_what", "name": "what", "dataType": "text"}
    ]}]});
    valid_json(&doc)
}

/// attidentity, then the sequence's start, increment, min, max, cache, cycle.
fn catalog(conn: &mut diesel::PgConnection) -> String {
    lines(
        conn,
        "SELECT a.attidentity::text || ' ' || concat_ws(' ', s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle) AS t
         FROM pg_attribute a JOIN pg_sequence s ON s.seqrelid = pg_get_serial_sequence('tickets', 'id')::regclass
         WHERE a.attrelid = 'tickets'::regclass AND a.attname = 'id'",
    )
    .unwrap()
    .concat()
}

#[test]
fn settings_build_and_migrate_in_place() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let always = document(Some(
        json!({"generated": "always", "start": 100, "increment": 5, "maxValue": 1000, "cache": 3, "cycle": true}),
    ));
    run_script(&mut conn, &create_script(&always)).unwrap();
    assert_eq!(catalog(&mut conn), "a 100 5 1 1000 3 t");
    execute(&mut conn, "INSERT INTO tickets (what) VALUES ('a'), ('b')").unwrap();
    assert_eq!(
        lines(&mut conn, "SELECT string_agg(id::text, ',' ORDER BY id) AS t FROM tickets").unwrap(),
        ["100,105"]
    );
    // ALWAYS: a value may not be supplied.
    assert!(execute(&mut conn, "INSERT INTO tickets (id, what) VALUES (1, 'c')").is_err());

    // Back to BY DEFAULT and PostgreSQL's default options: altered in place.
    let plain = document(None);
    let m = migration(&always, &plain);
    let kinds: Vec<_> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert!(
        matches!(
            kinds.as_slice(),
            [ChangeKind::SetIdentityGeneration { always: false, .. }, ChangeKind::AlterSequenceOptions { .. }]
        ),
        "{kinds:?}"
    );
    assert!(m.changes.changes().iter().all(|c| c.safety == Safety::Safe));
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(catalog(&mut conn), format!("d 1 1 1 {} 1 f", i32::MAX));
    execute(&mut conn, "INSERT INTO tickets (id, what) VALUES (1, 'c')").unwrap();
    run_script(&mut conn, &m.down).unwrap();
    assert_eq!(catalog(&mut conn), "a 100 5 1 1000 3 t");
    assert_eq!(lines(&mut conn, "SELECT count(*)::text AS t FROM tickets").unwrap(), ["3"]);

    // A maximum below the current value: may_fail, and it does.
    let low = document(Some(
        json!({"generated": "always", "start": 100, "increment": 5, "maxValue": 101, "cache": 3, "cycle": true}),
    ));
    let m = migration(&always, &low);
    let change =
        m.changes.changes().iter().find(|c| matches!(c.kind, ChangeKind::AlterSequenceOptions { .. })).unwrap();
    assert_eq!(change.safety, Safety::MayFail);
    execute(&mut conn, "BEGIN").unwrap();
    assert!(run_script(&mut conn, &m.up).is_err(), "last_value 105 is above the new maximum");
    execute(&mut conn, "ROLLBACK").unwrap();
}

#[test]
fn adding_identity_with_a_start_starts_after_the_rows_or_at_the_start() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let doc = json!({"name": "ids", "tables": [{"id": "t", "name": "tickets", "columns": [
        {"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true},
        {"id": "c_what", "name": "what", "dataType": "text"}
    ]}]});
    let none = ValidSchema::parse(parse_document(&doc.to_string()).unwrap()).unwrap();
    for (rows, start, next) in [("(1, 'a'), (7, 'b')", 5, "8"), ("(1, 'a')", 50, "50")] {
        execute(&mut conn, "DROP TABLE IF EXISTS tickets").unwrap();
        run_script(&mut conn, &create_script(&none)).unwrap();
        execute(&mut conn, &format!("INSERT INTO tickets VALUES {rows}")).unwrap();
        let m = migration(&none, &document(Some(json!({"start": start}))));
        run_script(&mut conn, &m.up).unwrap();
        assert_eq!(
            lines(&mut conn, "INSERT INTO tickets (what) VALUES ('new') RETURNING id::text AS t").unwrap(),
            [next],
            "rows {rows}, start {start}"
        );
    }
}
