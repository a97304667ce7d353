//! Documents that once validated but failed on PostgreSQL (found in review);
//! each must now either apply cleanly or be refused with the right code.

use schemaforge_domain::{ValidSchema, parse_document, validate};
use schemaforge_sqlgen::{create_script, drop_script};
use schemaforge_testdb::TestDb;
use schemaforge_tests::run_script;
use serde_json::{Value, json};

fn table(id: &str, name: &str, columns: Value, extra: Value) -> Value {
    let mut t = json!({"id": id, "name": name, "columns": columns});
    if let Value::Object(map) = extra {
        for (k, v) in map {
            t[k] = v;
        }
    }
    t
}

fn applies(doc: Value) {
    let doc = parse_document(&doc.to_string()).unwrap();
    let schema = ValidSchema::parse(doc).unwrap_or_else(|e| panic!("{:#?}", e.report.problems));
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&schema)).unwrap_or_else(|f| panic!("{f}"));
    run_script(&mut conn, &drop_script(&schema)).unwrap_or_else(|f| panic!("{f}"));
}

fn refused(doc: Value, code: &str) {
    let report = validate(&parse_document(&doc.to_string()).unwrap());
    assert!(report.errors().any(|p| p.code.as_str() == code), "expected {code}: {:#?}", report.problems);
}

#[test]
fn a_foreign_key_may_target_a_unique_index() {
    applies(json!({"name": "x", "tables": [
        table("a", "a", json!([{"id": "a_id", "name": "id", "dataType": "int", "primaryKey": true},
                               {"id": "a_c", "name": "c", "dataType": "text"}]),
              json!({"indexes": [{"id": "ix", "columnIds": ["a_c"], "unique": true}]})),
        table("b", "b", json!([{"id": "b_id", "name": "id", "dataType": "int", "primaryKey": true},
                               {"id": "b_c", "name": "c", "dataType": "text"}]),
              json!({"indexes": [{"id": "ix2", "columnIds": ["b_c"]}]}))
    ], "foreignKeys": [{"id": "f", "sourceTableId": "b", "sourceColumnId": "b_c", "targetTableId": "a", "targetColumnId": "a_c"}]}));
}

#[test]
fn identity_sequences_do_not_collide_with_tables() {
    applies(json!({"name": "x", "tables": [
        table("t", "t", json!([{"id": "t_id", "name": "id", "dataType": "int", "primaryKey": true, "autoIncrement": true}]), json!({})),
        table("s", "t_id_seq", json!([{"id": "s_id", "name": "id", "dataType": "bigserial", "primaryKey": true}]),
              json!({"indexes": [{"id": "ix", "name": "t_id_seq1", "columnIds": ["s_id"]}]}))
    ]}));
}

#[test]
fn names_postgres_shadows_are_refused() {
    let pk = json!([{"id": "c", "name": "id", "dataType": "int", "primaryKey": true}]);
    refused(json!({"name": "x", "tables": [table("t", "pg_class", pk.clone(), json!({}))]}), "RESERVED_NAME");
    refused(
        json!({"name": "x", "tables": [table("t", "t", pk.clone(), json!({}))],
               "enums": [{"id": "e", "name": "uuid", "values": ["a"]}]}),
        "RESERVED_NAME",
    );
    refused(
        json!({"name": "x", "tables": [table("t", "t", json!([{"id": "c", "name": "ctid", "dataType": "int", "primaryKey": true}]), json!({}))]}),
        "RESERVED_NAME",
    );
}

#[test]
fn array_foreign_keys_need_identical_unmodified_types() {
    let doc = |ty: &str| {
        json!({"name": "x", "tables": [
            table("p", "p", json!([{"id": "pk", "name": "k", "dataType": ty, "primaryKey": true}]), json!({})),
            table("c", "c", json!([{"id": "ck", "name": "id", "dataType": "int", "primaryKey": true},
                                   {"id": "cf", "name": "f", "dataType": ty}]),
                  json!({"indexes": [{"id": "ix", "columnIds": ["cf"]}]}))
        ], "foreignKeys": [{"id": "f", "sourceTableId": "c", "sourceColumnId": "cf", "targetTableId": "p", "targetColumnId": "pk"}]})
    };
    applies(doc("text[]"));
    applies(doc("uuid[]"));
    refused(doc("varchar(5)[]"), "TYPE_MISMATCH");
    refused(doc("numeric(5,2)[]"), "TYPE_MISMATCH");
}

#[test]
fn top_level_arrays_are_not_documents() {
    assert!(parse_document(r#"[null, "x", null, [], [], []]"#).is_err());
}
