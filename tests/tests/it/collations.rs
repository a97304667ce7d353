//! The document's own collations on a real server: an ICU collation that
//! ignores case, in a namespace, used by a column, a domain and an index
//! element; built, behaving as PostgreSQL promises, dropped cleanly, and
//! migrated by id (a rename keeps every user on the same collation, rows
//! kept), and imported back.

use schemaforge_domain::{ChangeKind, Safety, ValidSchema};
use schemaforge_sqlgen::{create_script, drop_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{lines, migrate_and_back, run_script, valid_json};
use serde_json::{Value, json};

fn document(edit: impl FnOnce(&mut Value)) -> ValidSchema {
    let mut doc = json!({"name": "people",
        "namespaces": [{"id": "n_app", "name": "app"}],
        "collations": [{"id": "co_ci", "name": "case_insensitive", "namespaceId": "n_app", "provider": "icu",
                        "locale": "und-u-ks-level2", "deterministic": false, "comment": "Ignores case."}],
        "domains": [{"id": "d_handle", "name": "handle", "dataType": "text", "collationId": "co_ci"}],
        "tables": [{"id": "t", "name": "people", "columns": [
            {"id": "c_id", "name": "id", "dataType": "integer", "primaryKey": true},
            {"id": "c_email", "name": "email", "dataType": "text", "collationId": "co_ci"},
            {"id": "c_handle", "name": "handle", "dataType": "domain", "domainId": "d_handle"},
            {"id": "c_name", "name": "name", "dataType": "text"}],
          "uniques": [{"id": "u_email", "columnIds": ["c_email"]}],
          "indexes": [{"id": "i_name", "columnIds": [{"columnId": "c_name", "collationId": "co_ci"}]}]}]});
    edit(&mut doc);
    valid_json(&doc)
}

fn rows(conn: &mut diesel::PgConnection) -> Vec<String> {
    lines(conn, "SELECT string_agg(id || ':' || email, ' ' ORDER BY id) AS t FROM people").unwrap()
}

#[test]
fn a_document_collation_builds_compares_as_it_says_and_drops_cleanly() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let doc = document(|_| {});
    let script = create_script(&doc);
    let sql = script.to_sql();
    assert!(
        sql.contains(
            "CREATE COLLATION \"app\".\"case_insensitive\" (provider = icu, locale = 'und-u-ks-level2', deterministic = false)"
        ),
        "{sql}"
    );
    assert!(sql.contains("\"email\" text COLLATE \"app\".\"case_insensitive\""), "{sql}");
    run_script(&mut conn, &script).unwrap();
    execute(&mut conn, "INSERT INTO people (id, email, handle, name) VALUES (1, 'Ann@Example.com', 'Ann', 'x')")
        .unwrap();
    // Case-insensitive: the same address in other letters is a duplicate.
    assert!(execute(&mut conn, "INSERT INTO people (id, email) VALUES (2, 'ann@example.COM')").is_err());
    assert_eq!(lines(&mut conn, "SELECT count(*)::text AS t FROM people WHERE handle = 'ANN'").unwrap(), ["1"]);
    let used = "SELECT string_agg(DISTINCT c.collname, ',') AS t FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation \
                WHERE a.attrelid = 'people'::regclass AND a.attname IN ('email')";
    assert_eq!(lines(&mut conn, used).unwrap(), ["case_insensitive"]);
    let comment =
        "SELECT obj_description(oid, 'pg_collation') AS t FROM pg_collation WHERE collname = 'case_insensitive'";
    assert_eq!(lines(&mut conn, comment).unwrap(), ["Ignores case."]);
    run_script(&mut conn, &drop_script(&doc)).unwrap();
    let left = "SELECT count(*)::text AS t FROM pg_collation WHERE collname = 'case_insensitive'";
    assert_eq!(lines(&mut conn, left).unwrap(), ["0"]);
}

#[test]
fn a_renamed_collation_is_a_rename_and_its_users_follow_it() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO people (id, email) VALUES (1, 'a@x'), (2, 'b@x')").unwrap();
    let v2 = document(|d| {
        d["collations"][0]["name"] = json!("ci");
        d["collations"][0]["comment"] = json!("Case does not matter.");
    });
    let (kinds, after) = migrate_and_back(&mut conn, &v1, &v2, rows);
    assert!(
        kinds.iter().all(|k| matches!(k, ChangeKind::RenameCollation { .. } | ChangeKind::SetCollationComment { .. })),
        "{kinds:?}"
    );
    assert_eq!(after, ["1:a@x 2:b@x"]);
    let m = migration(&v1, &v2);
    assert!(m.changes.changes().iter().all(|c| c.safety == Safety::Safe));
    assert!(
        m.up.to_sql().contains("ALTER COLLATION \"app\".\"case_insensitive\" RENAME TO \"ci\""),
        "{}",
        m.up.to_sql()
    );
}

#[test]
fn a_new_collation_and_a_column_moved_to_it_migrate_and_back_with_rows() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO people (id, email) VALUES (1, 'a@x'), (2, 'b@x')").unwrap();
    let v2 = document(|d| {
        d["collations"].as_array_mut().unwrap().push(json!(
            {"id": "co_de", "name": "german", "provider": "icu", "locale": "de-DE"}));
        d["tables"][0]["columns"][3]["collationId"] = json!("co_de");
    });
    let (kinds, after) = migrate_and_back(&mut conn, &v1, &v2, rows);
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::CreateCollation { .. })), "{kinds:?}");
    assert_eq!(after, ["1:a@x 2:b@x"]);
    // Its definition changed while nothing uses it: dropped and created again.
    let v3 = document(|d| {
        d["collations"].as_array_mut().unwrap().push(json!(
            {"id": "co_de", "name": "german", "provider": "icu", "locale": "de-AT"}));
    });
    let v4 = document(|d| {
        d["collations"].as_array_mut().unwrap().push(json!(
            {"id": "co_de", "name": "german", "provider": "icu", "locale": "de-DE"}));
    });
    let m = migration(&v1, &v3);
    run_script(&mut conn, &m.up).unwrap();
    let (kinds, _) = migrate_and_back(&mut conn, &v3, &v4, rows);
    assert_eq!(kinds.iter().filter(|k| matches!(k, ChangeKind::RecreateCollation { .. })).count(), 1, "{kinds:?}");
    let recreate = migration(&v3, &v4);
    assert_eq!(recreate.changes.changes()[0].safety, Safety::MayFail);
}

#[test]
fn a_new_collation_may_take_the_name_of_one_that_goes_and_its_users_move_to_it() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let v1 = document(|_| {});
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO people (id, email) VALUES (1, 'a@x'), (2, 'b@x')").unwrap();
    // Another id, the same name: the old one is renamed away, the users move.
    let v2 = document(|d| {
        d["collations"][0]["id"] = json!("co_other");
        d["collations"][0]["locale"] = json!("und-u-ks-level1");
        d["domains"][0]["collationId"] = json!("co_other");
        d["tables"][0]["columns"][1]["collationId"] = json!("co_other");
        d["tables"][0]["indexes"][0]["columnIds"][0]["collationId"] = json!("co_other");
    });
    let (kinds, after) = migrate_and_back(&mut conn, &v1, &v2, rows);
    assert!(kinds.iter().any(|k| matches!(k, ChangeKind::DropCollation { .. })), "{kinds:?}");
    assert_eq!(after, ["1:a@x 2:b@x"]);
}
