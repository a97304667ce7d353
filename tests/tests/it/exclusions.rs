//! EXCLUDE constraints (issue 11) on a real server: they build as
//! `pg_get_constraintdef` prints them, refuse conflicting rows, follow
//! renames of the columns they read, and migrate by id: added with rows
//! (failing, as classified, on conflicts), renamed, re-created when their
//! definition changes, dropped; with comments.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{describe_schema, lines, run_script, valid_json};
use serde_json::{Value, json};

fn document(room: &str, exclusions: Value) -> ValidSchema {
    valid_json(&json!({"name": "rooms", "extensions": [{"id": "x_gist", "name": "btree_gist"}], "tables": [
        {"id": "t", "name": "bookings", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "room", "name": room, "dataType": "integer", "nullable": false},
            {"id": "during", "name": "during", "dataType": "tstzrange", "nullable": false},
            {"id": "cancelled", "name": "cancelled", "dataType": "boolean", "nullable": false, "default": false}],
         "exclusions": exclusions}]}))
}

fn no_overlap(name: Option<&str>) -> Value {
    let mut x = json!({"id": "x1", "elements": [{"columnId": "room", "operator": "="}, {"columnId": "during", "operator": "&&"}],
        "where": "NOT cancelled", "comment": "one booking per room at a time"});
    if let Some(n) = name {
        x["name"] = json!(n);
    }
    json!([x])
}

fn definitions(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT conname || ' ' || pg_get_constraintdef(oid) || ' ' || coalesce(obj_description(oid, 'pg_constraint'), '-') AS t
           FROM pg_constraint WHERE contype = 'x' AND connamespace = 'public'::regnamespace ORDER BY conname",
    )
    .unwrap()
}

#[test]
fn exclusions_build_refuse_conflicts_and_migrate_by_id() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document("room", no_overlap(None));
    run_script(&mut conn, &create_script(&v1)).unwrap();
    assert_eq!(
        definitions(&mut conn),
        [
            "bookings_room_during_excl EXCLUDE USING gist (room WITH =, during WITH &&) WHERE ((NOT cancelled)) one booking per room at a time"
        ]
    );
    execute(
        &mut conn,
        "INSERT INTO bookings (id, room, during) VALUES (1, 7, '[2024-01-01 10:00+00,2024-01-01 11:00+00)')",
    )
    .unwrap();
    let overlapping =
        "INSERT INTO bookings (id, room, during) VALUES (2, 7, '[2024-01-01 10:30+00,2024-01-01 12:00+00)')";
    assert!(execute(&mut conn, overlapping).is_err());
    execute(&mut conn, "INSERT INTO bookings (id, room, during, cancelled) VALUES (3, 7, '[2024-01-01 10:30+00,2024-01-01 12:00+00)', true)")
        .unwrap();

    // A rename of a column it reads, and of the constraint: renames.
    let v2 = document("room_no", no_overlap(Some("no_double_booking")));
    let m = migration(&v1, &v2);
    assert!(
        m.changes
            .changes()
            .iter()
            .all(|c| matches!(c.kind, ChangeKind::RenameColumn { .. } | ChangeKind::RenameConstraint { .. })),
        "{:?}",
        m.changes
    );
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(
        definitions(&mut conn),
        [
            "no_double_booking EXCLUDE USING gist (room_no WITH =, during WITH &&) WHERE ((NOT cancelled)) one booking per room at a time"
        ]
    );

    // Without the predicate, the cancelled booking conflicts: may_fail, and it fails.
    let mut wider = no_overlap(Some("no_double_booking"));
    wider[0].as_object_mut().unwrap().remove("where");
    let v3 = document("room_no", wider);
    let m = migration(&v2, &v3);
    assert!(
        m.changes
            .changes()
            .iter()
            .any(|c| matches!(c.kind, ChangeKind::AddExclusion { .. }) && c.safety == Safety::MayFail)
    );
    // Scripts run in one transaction, as the README asks.
    execute(&mut conn, "BEGIN").unwrap();
    assert!(run_script(&mut conn, &m.up).is_err());
    execute(&mut conn, "ROLLBACK").unwrap();
    execute(&mut conn, "DELETE FROM bookings WHERE cancelled").unwrap();
    run_script(&mut conn, &m.up).unwrap();
    // The migrated database is a fresh build of the document, comment included.
    execute(&mut conn, "CREATE SCHEMA fresh; SET search_path TO fresh, public").unwrap();
    let statements: Vec<_> = create_script(&v3).statements().iter().skip(1).cloned().collect();
    for s in statements {
        execute(&mut conn, &s.sql).unwrap();
    }
    execute(&mut conn, "SET search_path TO public").unwrap();
    let strip = |v: Vec<String>| v.into_iter().filter(|l| !l.starts_with("extension ")).collect::<Vec<_>>();
    assert_eq!(
        strip(describe_schema(&mut conn, "public").unwrap()),
        strip(describe_schema(&mut conn, "fresh").unwrap())
    );
    // Down, and dropped altogether: rows kept.
    run_script(&mut conn, &m.down).unwrap();
    let m = migration(&v2, &document("room_no", json!([])));
    assert_eq!(m.changes.worst(), Some(Safety::Safe));
    run_script(&mut conn, &m.up).unwrap();
    assert!(definitions(&mut conn).is_empty());
    assert_eq!(lines(&mut conn, "SELECT count(*)::text AS t FROM bookings").unwrap(), ["1"]);
}
