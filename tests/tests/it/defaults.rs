//! Soundness of default checking: every (type, default) pair that validation
//! accepts must be accepted by PostgreSQL, both when the table is created and
//! when a row takes the default.

use proptest::prelude::*;
use proptest::sample::select;
use schemaforge_domain::{ValidSchema, parse_document};
use schemaforge_sqlgen::create_script;
use schemaforge_testdb::execute;
use schemaforge_tests::{run_on_postgres, run_script};
use serde_json::{Value, json};

const TYPES: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "numeric(6,2)",
    "numeric",
    "real",
    "double precision",
    "boolean",
    "char(3)",
    "varchar(5)",
    "text",
    "bytea",
    "date",
    "time(2)",
    "timestamp",
    "timestamptz",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "inet",
    "cidr",
    "macaddr",
    "enum",
    "text[]",
    "integer[]",
    "date[]",
];

const STRINGS: &[&str] = &[
    "0",
    "-1",
    "32767",
    "32768",
    "2147483648",
    "9223372036854775808",
    "1.5",
    "1e3",
    "1e400",
    "-0.001",
    "9999.995",
    "NaN",
    "Infinity",
    "-inf",
    "true",
    "off",
    "abc",
    "abcdef",
    "é日本",
    "",
    " ",
    "it's",
    "back\\slash",
    "\\x0a",
    "\\xzz",
    "2024-02-29",
    "2023-02-29",
    "0001-01-01",
    "infinity",
    "2024-01-01 10:00",
    "2024-01-01T10:00:00.123456+05:30",
    "2024-01-01 24:00:00",
    "10:00",
    "24:00:00",
    "24:30",
    "23:59:60",
    "23:59:60.5",
    "2024-01-01 24:30",
    "1 day",
    "P1Y2M",
    "PT36H",
    "3 days ago",
    "1.5 hours",
    "-1 day 02:00",
    "00000000-0000-0000-0000-000000000000",
    "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
    "{}",
    "[1, 2]",
    "{\"a\": null}",
    "null",
    "192.168.0.1",
    "192.168.0.1/24",
    "192.168.0.0/24",
    "::1",
    "fe80::/10",
    "08:00:2b:01:02:03",
    "08002b010203",
    "happy",
    "now",
    "today",
];

fn literal() -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        4 => select(STRINGS).prop_map(|s| json!(s)),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => (-1.0e6f64..1.0e6).prop_map(|f| json!(f)),
        1 => any::<bool>().prop_map(|b| json!(b)),
        1 => "[a-z0-9:./ -]{0,12}".prop_map(|s| json!(s)),
    ];
    prop_oneof![
        5 => scalar.clone(),
        1 => prop::collection::vec(prop_oneof![4 => scalar, 1 => Just(Value::Null)], 0..3).prop_map(Value::Array),
        1 => select(&["now", "current_date", "localtime", "gen_random_uuid", "current_user", "localtimestamp"][..])
            .prop_map(|f| json!({"function": f})),
    ]
}

#[test]
fn accepted_defaults_are_accepted_by_postgres() {
    let accepted = std::cell::Cell::new(0u32);
    run_on_postgres(1500, (select(TYPES), literal()), |conn, (ty, default)| {
        let mut column = json!({"id": "c", "name": "c", "dataType": ty, "default": default});
        if ty == "enum" {
            column["enumId"] = json!("mood");
        }
        let doc = json!({
            "name": "defaults",
            "enums": [{"id": "mood", "name": "mood", "values": ["happy", "sad"]}],
            "tables": [{"id": "t", "name": "t", "columns": [
                {"id": "pk", "name": "pk", "dataType": "integer", "primaryKey": true, "autoIncrement": true},
                column
            ]}]
        });
        let Ok(schema) = ValidSchema::parse(parse_document(&doc.to_string()).unwrap()) else { return Ok(()) };
        accepted.set(accepted.get() + 1);
        run_script(conn, &create_script(&schema))
            .map_err(|f| f.to_string())
            .and_then(|()| execute(conn, "INSERT INTO t DEFAULT VALUES").map_err(|e| e.to_string()))
            .map_err(|f| {
                TestCaseError::fail(format!("validation accepted {ty} DEFAULT {default} but PostgreSQL refused: {f}"))
            })
    })
    .unwrap();
    // The generator must exercise the accepting side, or the test proves nothing.
    assert!(accepted.get() > 60, "only {} defaults were valid", accepted.get());
}

#[test]
fn expression_defaults_build_and_fill_rows() {
    let doc = json!({"name": "d", "tables": [{"id": "t", "name": "t", "columns": [
        {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
        {"id": "due", "name": "due", "dataType": "date", "default": {"expression": "CURRENT_DATE + 30"}},
        {"id": "code", "name": "code", "dataType": "text", "default": {"expression": "upper(substr(md5('seed'), 1, 6))"}},
        {"id": "r", "name": "r", "dataType": "double precision", "default": {"expression": "random()"}},
        {"id": "tags", "name": "tags", "dataType": "text[]", "default": {"expression": "ARRAY['a', 'b']"}}]}]});
    let schema = ValidSchema::parse(parse_document(&doc.to_string()).unwrap()).unwrap();
    let db = schemaforge_testdb::TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&schema)).unwrap();
    execute(&mut conn, "INSERT INTO t (id) VALUES (1), (2)").unwrap();
    let got = schemaforge_tests::lines(
        &mut conn,
        "SELECT concat_ws(' ', (due - CURRENT_DATE)::text, code, (r >= 0 AND r < 1)::text, array_to_string(tags, ',')) AS t FROM t ORDER BY id",
    )
    .unwrap();
    let code = schemaforge_tests::lines(&mut conn, "SELECT upper(substr(md5('seed'), 1, 6)) AS t").unwrap().concat();
    assert_eq!(got, [format!("30 {code} true a,b"), format!("30 {code} true a,b")]);
}
