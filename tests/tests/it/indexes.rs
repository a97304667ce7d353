//! Index elements beyond plain columns (issue 11), on a real server:
//! expressions, collations, operator classes, INCLUDE and NULLS NOT
//! DISTINCT build exactly as `pg_get_indexdef` prints them, renames of the
//! columns they read are renames, and changed elements rebuild the index
//! with rows kept.

use schemaforge_domain::{ChangeKind, ValidSchema};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{lines, run_script, valid_json};
use serde_json::{Value, json};

fn document(email: &str, lower: &str) -> Value {
    json!({
        "name": "indexes",
        "tables": [{
            "id": "t", "name": "people",
            "columns": [
                {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
                {"id": "email", "name": email, "dataType": "text"},
                {"id": "code", "name": "code", "dataType": "varchar(20)"},
                {"id": "doc", "name": "doc", "dataType": "jsonb"},
                {"id": "n", "name": "n", "dataType": "integer"}
            ],
            "indexes": [
                {"id": "x_lower", "name": "people_lower", "columnIds": [
                    {"expression": lower, "collation": "C", "opclass": "text_pattern_ops", "order": "desc", "nulls": "last"}
                ], "include": ["n"]},
                {"id": "x_code", "name": "people_code", "unique": true, "nullsNotDistinct": true,
                 "columnIds": [{"columnId": "code", "collation": "POSIX"}]},
                {"id": "x_kind", "name": "people_kind", "columnIds": [{"expression": "(doc ->> 'kind')"}, "n"],
                 "where": "doc ? 'kind'"},
                {"id": "x_doc", "name": "people_doc", "method": "gin", "columnIds": [{"columnId": "doc", "opclass": "jsonb_path_ops"}]}
            ]
        }]
    })
}

fn valid(v: &Value) -> ValidSchema {
    valid_json(v)
}

fn indexdefs(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT pg_get_indexdef(indexrelid) AS t FROM pg_index WHERE indrelid = 'people'::regclass AND NOT indisprimary ORDER BY indexrelid::regclass::text",
    )
    .unwrap()
}

#[test]
fn index_elements_build_as_postgresql_prints_them() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&valid(&document("email", "lower(email)")))).unwrap();
    assert_eq!(
        indexdefs(&mut conn),
        [
            "CREATE UNIQUE INDEX people_code ON public.people USING btree (code COLLATE \"POSIX\") NULLS NOT DISTINCT",
            "CREATE INDEX people_doc ON public.people USING gin (doc jsonb_path_ops)",
            "CREATE INDEX people_kind ON public.people USING btree (((doc ->> 'kind'::text)), n) WHERE (doc ? 'kind'::text)",
            "CREATE INDEX people_lower ON public.people USING btree (lower(email) COLLATE \"C\" text_pattern_ops DESC NULLS LAST) INCLUDE (n)",
        ]
    );
    // NULLS NOT DISTINCT holds: a second NULL code collides.
    execute(&mut conn, "INSERT INTO people (id, code) VALUES (1, NULL)").unwrap();
    assert!(execute(&mut conn, "INSERT INTO people (id, code) VALUES (2, NULL)").is_err());
}

#[test]
fn renames_under_index_elements_are_renames_and_changes_rebuild_with_rows() {
    let v1 = valid(&document("email", "lower(email)"));
    let v2 = valid(&document("mail", "lower(mail)"));
    let m = migration(&v1, &v2);
    let kinds: Vec<_> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert!(matches!(kinds.as_slice(), [ChangeKind::RenameColumn { .. }]), "{kinds:?}");

    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO people (id, email, code, n) VALUES (1, 'A@x', 'a', 1), (2, 'b@x', 'b', 2)")
        .unwrap();
    run_script(&mut conn, &m.up).unwrap();
    assert!(indexdefs(&mut conn).iter().any(|d| d.contains("lower(mail)")));

    // A different expression is a different index: dropped and built again.
    let v3 = valid(&document("mail", "upper(mail)"));
    let m = migration(&v2, &v3);
    let kinds: Vec<_> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert!(
        matches!(kinds.as_slice(), [ChangeKind::DropIndex { index_id, .. }, ChangeKind::AddIndex { index_id: added, .. }]
            if index_id == "x_lower" && added == "x_lower"),
        "{kinds:?}"
    );
    run_script(&mut conn, &m.up).unwrap();
    assert!(indexdefs(&mut conn).iter().any(|d| d.contains("upper(mail)")));
    run_script(&mut conn, &m.down).unwrap();
    assert!(indexdefs(&mut conn).iter().any(|d| d.contains("lower(mail)")));
    assert_eq!(lines(&mut conn, "SELECT count(*)::text AS t FROM people").unwrap(), ["2"]);

    // Spelling is not meaning: spaces, parentheses and case of key words
    // do not change the tree. (A cast PostgreSQL adds when it prints, as in
    // `'kind'::text`, does: telling those apart needs the catalog's types,
    // which is drift's business, not the document's.)
    let mut respelled = document("mail", "lower(mail)");
    respelled["tables"][0]["indexes"][2]["columnIds"][0]["expression"] = json!("((doc->>'kind'))");
    respelled["tables"][0]["indexes"][2]["where"] = json!("(DOC ? 'kind')");
    let same = migration(&v2, &valid(&respelled));
    assert!(same.changes.changes().is_empty(), "{:?}", same.changes.changes());
}

#[test]
fn include_and_nulls_not_distinct_changes_rebuild() {
    let v1 = document("email", "lower(email)");
    let mut v2 = v1.clone();
    v2["tables"][0]["indexes"][0]["include"] = json!([]);
    v2["tables"][0]["indexes"][1]["nullsNotDistinct"] = json!(false);
    let m = migration(&valid(&v1), &valid(&v2));
    let dropped: Vec<_> = m
        .changes
        .changes()
        .iter()
        .filter_map(|c| match &c.kind {
            ChangeKind::DropIndex { index_id, .. } => Some(index_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(dropped, ["x_lower", "x_code"]);
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&valid(&v1))).unwrap();
    run_script(&mut conn, &m.up).unwrap();
    let defs = indexdefs(&mut conn);
    assert!(defs.iter().all(|d| !d.contains("INCLUDE") && !d.contains("NULLS NOT DISTINCT")), "{defs:?}");
}

#[test]
fn storage_parameters_build_and_change_in_place() {
    let v1 = document("email", "lower(email)");
    let mut v2 = v1.clone();
    v2["tables"][0]["indexes"][1]["with"] = json!({"fillfactor": 70, "deduplicate_items": false});
    v2["tables"][0]["indexes"][3]["with"] = json!({"fastupdate": false, "gin_pending_list_limit": 128});
    let mut v3 = v2.clone();
    v3["tables"][0]["indexes"][1]["with"] = json!({"fillfactor": 90});
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let options = |conn: &mut diesel::PgConnection| {
        lines(
            conn,
            "SELECT relname || ' ' || coalesce(array_to_string(reloptions, ','), '-') AS t FROM pg_class
              WHERE relname IN ('people_code', 'people_doc') ORDER BY relname",
        )
        .unwrap()
    };
    run_script(&mut conn, &create_script(&valid(&v2))).unwrap();
    assert_eq!(
        options(&mut conn),
        ["people_code deduplicate_items=off,fillfactor=70", "people_doc fastupdate=off,gin_pending_list_limit=128"]
    );
    execute(&mut conn, "INSERT INTO people (id, email, code) VALUES (1, 'a@b', 'x')").unwrap();
    // Changed in place, never rebuilt: the index keeps its file.
    let file = |conn: &mut diesel::PgConnection| {
        lines(conn, "SELECT relfilenode::text AS t FROM pg_class WHERE relname = 'people_code'").unwrap()
    };
    let before = file(&mut conn);
    let m = migration(&valid(&v2), &valid(&v3));
    assert!(m.changes.changes().iter().all(|c| matches!(c.kind, ChangeKind::SetIndexStorage { .. })));
    run_script(&mut conn, &m.up).unwrap();
    assert_eq!(options(&mut conn)[0], "people_code fillfactor=90");
    assert_eq!(file(&mut conn), before);
    run_script(&mut conn, &m.down).unwrap();
    assert_eq!(options(&mut conn)[0], "people_code deduplicate_items=off,fillfactor=70");
    // Unknown parameters and values out of range are refused.
    let mut bad = v1.clone();
    bad["tables"][0]["indexes"][3]["with"] = json!({"fillfactor": 70});
    assert!(ValidSchema::parse(schemaforge_domain::parse_document(&bad.to_string()).unwrap()).is_err());
    bad["tables"][0]["indexes"][3]["with"] = json!({"gin_pending_list_limit": 1});
    assert!(ValidSchema::parse(schemaforge_domain::parse_document(&bad.to_string()).unwrap()).is_err());
}
