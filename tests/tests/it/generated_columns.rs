//! Generated columns (issue 11) on a real server: they build as the catalog
//! shows them (`attgenerated`, `pg_get_expr`), follow renames of the columns
//! they read, and migrate with rows kept: a new expression or a type change
//! under one drops and adds the column again with its index, key and
//! foreign key re-created around it, and the result equals a fresh build.

use diesel::PgConnection;
use schemaforge_domain::{ChangeKind, Safety, ValidSchema};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{describe_schema, lines, run_script, valid_json};
use serde_json::json;

/// `lines` with a generated `total`, unique and referenced by `audits`.
fn document(qty_name: &str, qty_type: &str, total: &str) -> ValidSchema {
    valid_json(&json!({"name": "gen", "tables": [
        {"id": "t", "name": "lines", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "p", "name": "price", "dataType": "numeric(10,2)", "nullable": false},
            {"id": "q", "name": qty_name, "dataType": qty_type, "nullable": false},
            {"id": "g", "name": "total", "dataType": "numeric", "generated": {"expression": total},
             "unique": true, "comment": "computed"}]},
        {"id": "a", "name": "audits", "columns": [
            {"id": "aid", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "at", "name": "total", "dataType": "numeric"}],
         "indexes": [{"id": "xa", "columnIds": ["at"]}]}
    ], "foreignKeys": [{"id": "f", "sourceTableId": "a", "sourceColumnId": "at", "targetTableId": "t", "targetColumnId": "g"}]}))
}

fn catalog(conn: &mut PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT a.attname || ' ' || a.attgenerated::text || ' ' || pg_get_expr(d.adbin, d.adrelid) AS t
           FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = 'lines'::regclass",
    )
    .unwrap()
}

fn totals(conn: &mut PgConnection) -> Vec<String> {
    lines(conn, "SELECT string_agg(total::text, ',' ORDER BY id) AS t FROM lines").unwrap()
}

#[test]
fn generated_columns_build_follow_renames_and_migrate_with_rows_kept() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document("qty", "integer", "price * qty");
    run_script(&mut conn, &create_script(&v1)).unwrap();
    assert_eq!(catalog(&mut conn), ["total s (price * (qty)::numeric)"]);
    execute(&mut conn, "INSERT INTO lines (id, price, qty) VALUES (1, 2.50, 4), (2, 1.25, 2)").unwrap();
    execute(&mut conn, "INSERT INTO audits VALUES (1, 10.00)").unwrap();
    assert_eq!(totals(&mut conn), ["10.00,2.50"]);
    assert!(execute(&mut conn, "INSERT INTO lines (id, price, qty, total) VALUES (3, 1, 1, 5)").is_err());

    // A rename of a column it reads is a rename: the expression follows.
    let v2 = document("quantity", "integer", "price * quantity");
    let m = migration(&v1, &v2);
    assert!(matches!(m.changes.changes(), [c] if matches!(c.kind, ChangeKind::RenameColumn { .. })), "{:?}", m.changes);
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(catalog(&mut conn), ["total s (price * (quantity)::numeric)"]);

    // A new expression: dropped and added again, key and foreign key
    // re-created; the rows keep their values and the totals are computed.
    let v3 = document("quantity", "integer", "price * quantity + 0");
    let m = migration(&v2, &v3);
    let kinds: Vec<String> = m.changes.changes().iter().map(|c| format!("{} {}", c.safety, c.description)).collect();
    assert!(kinds.iter().any(|k| k.starts_with("safe drop generated column lines.total")), "{kinds:#?}");
    assert!(
        kinds.iter().any(|k| k.starts_with("locks_table add again the generated column lines.total")),
        "{kinds:#?}"
    );
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(totals(&mut conn), ["10.00,2.50"]);
    execute(&mut conn, "CREATE SCHEMA fresh").unwrap();
    execute(&mut conn, "SET search_path TO fresh").unwrap();
    run_script(&mut conn, &create_script(&v3)).unwrap();
    execute(&mut conn, "SET search_path TO public").unwrap();
    assert_eq!(describe_schema(&mut conn, "public").unwrap(), describe_schema(&mut conn, "fresh").unwrap());
    run_script(&mut conn, &m.down).unwrap();
    assert_eq!(catalog(&mut conn), ["total s (price * (quantity)::numeric)"]);
    assert_eq!(lines(&mut conn, "SELECT count(*)::text AS t FROM audits").unwrap(), ["1"]);

    // A type change of a column it reads: PostgreSQL refuses it under the
    // generated column, so the column goes around the change.
    let v4 = document("quantity", "bigint", "price * quantity");
    let m = migration(&v2, &v4);
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(totals(&mut conn), ["10.00,2.50"]);
    let comment = lines(
        &mut conn,
        "SELECT col_description(attrelid, attnum) AS t FROM pg_attribute WHERE attrelid = 'lines'::regclass AND attname = 'total'",
    )
    .unwrap();
    assert_eq!(comment, ["computed"]);

    // Made plain, the values stay (DROP EXPRESSION); made generated again,
    // a value written by hand gives way to the computed one.
    let plain = valid_json(&json!({"name": "gen", "tables": [
        {"id": "t", "name": "lines", "columns": [
            {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "p", "name": "price", "dataType": "numeric(10,2)", "nullable": false},
            {"id": "q", "name": "quantity", "dataType": "bigint", "nullable": false},
            {"id": "g", "name": "total", "dataType": "numeric", "unique": true, "comment": "computed"}]},
        {"id": "a", "name": "audits", "columns": [
            {"id": "aid", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "at", "name": "total", "dataType": "numeric"}],
         "indexes": [{"id": "xa", "columnIds": ["at"]}]}
    ], "foreignKeys": [{"id": "f", "sourceTableId": "a", "sourceColumnId": "at", "targetTableId": "t", "targetColumnId": "g"}]}));
    let m = migration(&v4, &plain);
    assert_eq!(m.changes.worst(), Some(Safety::Safe));
    run_script(&mut conn, &m.up).unwrap();
    execute(&mut conn, "UPDATE lines SET total = 99 WHERE id = 2").unwrap();
    let m = migration(&plain, &v4);
    assert_eq!(m.changes.worst(), Some(Safety::DataLoss));
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(totals(&mut conn), ["10.00,2.50"]);
}
