use super::*;
use crate::document::parse_document;
use serde_json::{Value, json};

fn doc(v: Value) -> SchemaDocument {
    parse_document(&v.to_string()).unwrap()
}

/// A users table (id pk, email) and an orders table (id pk, user_id), plus `extra` merged in.
fn base() -> Value {
    json!({
        "name": "test",
        "tables": [
            {"id": "tu", "name": "users", "columns": [
                {"id": "u_id", "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
                {"id": "u_email", "name": "email", "dataType": "varchar(255)", "nullable": false, "unique": true}
            ]},
            {"id": "to", "name": "orders", "columns": [
                {"id": "o_id", "name": "id", "dataType": "bigint", "primaryKey": true},
                {"id": "o_user", "name": "user_id", "dataType": "bigint", "nullable": false}
            ], "indexes": [{"id": "o_user_ix", "columnIds": ["o_user"]}]}
        ],
        "foreignKeys": [
            {"id": "fk1", "sourceTableId": "to", "sourceColumnId": "o_user", "targetTableId": "tu", "targetColumnId": "u_id", "onDelete": "cascade"}
        ]
    })
}

fn problems(v: Value) -> Vec<(String, &'static str, Severity)> {
    validate(&doc(v)).problems.into_iter().map(|p| (p.path, p.code.as_str(), p.severity)).collect()
}

/// Each problem's path and code.
pub(super) fn codes_at(v: Value) -> Vec<(String, &'static str)> {
    problems(v).into_iter().map(|(p, c, _)| (p, c)).collect()
}

fn codes(v: Value) -> Vec<&'static str> {
    problems(v).into_iter().map(|(_, c, _)| c).collect()
}

fn with_column(col: Value) -> Value {
    let mut v = base();
    v["tables"][0]["columns"].as_array_mut().unwrap().push(col);
    v
}

#[test]
fn the_base_document_is_clean() {
    assert_eq!(problems(base()), vec![]);
    let schema = ValidSchema::parse(doc(base())).unwrap();
    let m = schema.model();
    assert_eq!(m.tables[0].uniques[0].name.as_str(), "users_email_key");
    assert_eq!(m.foreign_keys[0].name.as_str(), "orders_user_id_fkey");
    assert_eq!(m.tables[1].indexes[0].name.as_str(), "orders_user_id_idx");
    assert!(!m.tables[0].columns[0].nullable);
    assert_eq!(m.tables[0].columns[0].identity.as_ref().map(|i| i.sequence.as_str()), Some("users_id_seq"));
}

#[test]
fn reports_every_problem_at_once() {
    let v = json!({"name": "", "tables": [
        {"id": "t", "name": "", "columns": [{"id": "t", "name": "x\u{1}", "dataType": "moolah"}]},
        {"id": "t2", "name": "select", "columns": [{"id": "c", "name": "id", "dataType": "int", "primaryKey": true}]}
    ]});
    let got = problems(v);
    let expected = [
        ("/name", "INVALID_TEXT", Severity::Error),
        ("/tables/0/columns/0/id", "DUPLICATE_ID", Severity::Error),
        ("/tables/0/name", "INVALID_IDENTIFIER", Severity::Error),
        ("/tables/0/columns/0/name", "INVALID_IDENTIFIER", Severity::Error),
        ("/tables/0/columns/0/dataType", "UNSUPPORTED_DATA_TYPE", Severity::Error),
        ("/tables/0", "MISSING_PRIMARY_KEY", Severity::Error),
        ("/tables/1/name", "RESERVED_WORD", Severity::Warning),
    ];
    let got: Vec<(&str, &str, Severity)> = got.iter().map(|(p, c, s)| (p.as_str(), *c, *s)).collect();
    assert_eq!(got, expected);
}

#[test]
fn names_are_unique_per_scope_and_case_collisions_warn() {
    let mut v = base();
    v["tables"][1]["name"] = json!("users");
    assert_eq!(codes(v), vec!["DUPLICATE_NAME"]);
    let mut v = base();
    v["tables"][1]["name"] = json!("Users");
    assert_eq!(codes(v), vec!["CASE_COLLISION"]);
    let v = with_column(json!({"id": "dup", "name": "email", "dataType": "text"}));
    assert_eq!(problems(v)[0], ("/tables/0/columns/2/name".to_string(), "DUPLICATE_NAME", Severity::Error));
    // an enum shares the type namespace with tables
    let mut v = base();
    v["enums"] = json!([{"id": "e", "name": "orders", "values": ["a"]}]);
    assert_eq!(codes(v), vec!["DUPLICATE_NAME"]);
    // a user-named index must not reuse a table name
    let mut v = base();
    v["tables"][1]["indexes"][0]["name"] = json!("users");
    assert_eq!(codes(v), vec!["DUPLICATE_NAME"]);
}

#[test]
fn sixty_three_bytes_is_the_limit() {
    let mut v = base();
    v["tables"][0]["name"] = json!("é".repeat(32));
    let p = &problems(v)[0];
    assert_eq!((p.0.as_str(), p.1), ("/tables/0/name", "INVALID_IDENTIFIER"));
    let mut v = base();
    v["tables"][0]["name"] = json!(format!("{}x", "é".repeat(31)));
    assert_eq!(codes(v), Vec::<&str>::new());
}

#[test]
fn a_table_without_a_primary_key_must_say_so() {
    let mut v = base();
    v["tables"][1]["columns"][0]["primaryKey"] = json!(false);
    v["tables"][1]["withoutPrimaryKey"] = json!(true);
    let expected = vec![("/tables/1/withoutPrimaryKey".to_string(), "NO_PRIMARY_KEY", Severity::Warning)];
    assert_eq!(problems(v.clone()), expected, "a warning, not an error");
    let schema = ValidSchema::parse(doc(v)).unwrap();
    assert!(schema.model().tables[1].primary_key.is_none());
    assert!(schema.model().tables[0].primary_key.is_some());
    // Saying so while declaring a key is a contradiction.
    let mut v = base();
    v["tables"][1]["withoutPrimaryKey"] = json!(true);
    assert_eq!(problems(v)[0].0, "/tables/1/withoutPrimaryKey");
    let mut v = base();
    v["tables"][1]["withoutPrimaryKey"] = json!(true);
    v["tables"][1]["columns"][0]["primaryKey"] = json!(false);
    v["tables"][1]["primaryKey"] = json!(["o_id"]);
    assert_eq!(codes(v), vec!["INVALID_PRIMARY_KEY"]);
}

#[test]
fn a_primary_key_may_be_named() {
    let mut v = base();
    v["tables"][1]["primaryKeyName"] = json!("pk_orders");
    let schema = ValidSchema::parse(doc(v.clone())).unwrap();
    let key = |s: &ValidSchema, t: usize| s.model().tables[t].primary_key.as_ref().unwrap().name.to_string();
    assert_eq!((key(&schema, 0), key(&schema, 1)), ("users_pkey".to_string(), "pk_orders".to_string()));
    // Generated names avoid it: users' key cannot be named users_pkey when
    // orders' is.
    v["tables"][1]["primaryKeyName"] = json!("users_pkey");
    let schema = ValidSchema::parse(doc(v.clone())).unwrap();
    assert_eq!((key(&schema, 0), key(&schema, 1)), ("users_pkey1".to_string(), "users_pkey".to_string()));
    // A relation of the namespace already has the name; an unreadable name.
    v["tables"][1]["primaryKeyName"] = json!("users");
    assert_eq!(codes_at(v.clone()), vec![("/tables/1/primaryKeyName".to_string(), "DUPLICATE_NAME")]);
    v["tables"][1]["primaryKeyName"] = json!("");
    assert_eq!(codes(v.clone()), vec!["INVALID_IDENTIFIER"]);
    // Without a key it names nothing.
    let mut v = base();
    v["tables"][1]["columns"][0]["primaryKey"] = json!(false);
    v["tables"][1]["withoutPrimaryKey"] = json!(true);
    v["tables"][1]["primaryKeyName"] = json!("pk_orders");
    assert!(codes(v).contains(&"IGNORED_SETTING"));
}

#[test]
fn primary_key_rules() {
    let mut v = base();
    v["tables"][1]["primaryKey"] = json!(["o_id"]);
    assert_eq!(codes(v), vec!["INVALID_PRIMARY_KEY"]);
    let mut v = base();
    v["tables"][1]["columns"][0]["primaryKey"] = json!(false);
    v["tables"][1]["primaryKey"] = json!(["o_id", "o_user", "o_id", "nope"]);
    assert_eq!(codes(v), vec!["INVALID_PRIMARY_KEY", "UNKNOWN_REFERENCE"]);
    let mut v = base();
    v["tables"][1]["columns"][0]["primaryKey"] = json!(false);
    v["tables"][1]["primaryKey"] = json!([]);
    assert_eq!(codes(v), vec!["MISSING_PRIMARY_KEY"]);
    let mut v = base();
    v["tables"][1]["columns"][0]["nullable"] = json!(true);
    assert_eq!(problems(v)[0].1, "IGNORED_SETTING");
    let mut v = base();
    v["tables"][1]["columns"][0]["dataType"] = json!("json");
    v["tables"][0]["columns"][0]["dataType"] = json!("json");
    v["tables"][0]["columns"][0]["autoIncrement"] = json!(false);
    assert!(codes(v).contains(&"INVALID_PRIMARY_KEY"));
}

#[test]
fn auto_increment_rules() {
    let v = with_column(json!({"id": "x", "name": "x", "dataType": "text", "autoIncrement": true}));
    assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
    let v = with_column(json!({"id": "x", "name": "x", "dataType": "integer", "autoIncrement": true, "default": 1}));
    assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
    let v = with_column(json!({"id": "x", "name": "x", "dataType": "integer[]", "autoIncrement": true}));
    assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
    let v = with_column(json!({"id": "x", "name": "x", "dataType": "serial[]"}));
    assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
    let v = with_column(json!({"id": "x", "name": "x", "dataType": "bigserial", "default": 1}));
    assert_eq!(codes(v), vec!["INVALID_AUTO_INCREMENT"]);
    let v = with_column(json!({"id": "x", "name": "x", "dataType": "serial", "nullable": true}));
    assert_eq!(codes(v), vec!["IGNORED_SETTING"]);
    let v = with_column(json!({"id": "x", "name": "x", "dataType": "SERIAL"}));
    let s = ValidSchema::parse(doc(v)).unwrap();
    let col = &s.model().tables[0].columns[2];
    assert!(col.identity.is_some() && !col.nullable && col.ty.base == BaseType::Integer);
}

fn default_codes(data_type: &str, default: Value) -> Vec<&'static str> {
    let mut v = with_column(json!({"id": "x", "name": "x", "dataType": data_type, "default": default}));
    v["enums"] = json!([{"id": "e1", "name": "mood", "values": ["happy", "sad"]}]);
    if data_type == "enum" {
        v["tables"][0]["columns"][2]["enumId"] = json!("e1");
    }
    codes(v)
}

#[test]
fn defaults_are_type_checked() {
    let ok: &[(&str, Value)] = &[
        ("smallint", json!(-32768)),
        ("integer", json!("42")),
        ("bigint", json!("9223372036854775807")),
        ("numeric(5,2)", json!(123.45)),
        ("numeric(5,2)", json!("-999.994")),
        ("real", json!("Infinity")),
        ("boolean", json!(false)),
        ("boolean", json!("yes")),
        ("varchar(3)", json!("abc")),
        ("char(2)", json!("é!")),
        ("text", json!("anything ' \\ goes")),
        ("bytea", json!("\\x00ff")),
        ("date", json!("2000-02-29")),
        ("timestamptz", json!("2024-01-01T00:00:00Z")),
        ("timestamptz", json!({"function": "CURRENT_TIMESTAMP"})),
        ("date", json!({"function": "current_date"})),
        ("interval", json!("P1D")),
        ("uuid", json!({"function": "gen_random_uuid()"})),
        ("uuid", json!("00000000-0000-0000-0000-000000000000")),
        ("jsonb", json!("{\"a\": 1}")),
        ("inet", json!("::1")),
        ("macaddr", json!("08-00-2b-01-02-03")),
        ("enum", json!("sad")),
        ("text[]", json!(["a", null])),
        ("varchar", json!({"function": "current_user"})),
        ("varchar(63)", json!({"function": "session_user"})),
    ];
    for (ty, d) in ok {
        assert_eq!(default_codes(ty, d.clone()), Vec::<&str>::new(), "{ty} {d}");
    }
    let bad: &[(&str, Value, &str)] = &[
        ("smallint", json!(32768), "INVALID_DEFAULT"),
        ("integer", json!(1.5), "INVALID_DEFAULT"),
        ("integer", json!("1; DROP TABLE x"), "INVALID_DEFAULT"),
        ("numeric(5,2)", json!(1000), "INVALID_DEFAULT"),
        ("numeric(5,2)", json!("999.995"), "INVALID_DEFAULT"),
        ("boolean", json!(1), "TYPE_MISMATCH"),
        ("integer", json!(true), "TYPE_MISMATCH"),
        ("varchar(3)", json!("abcd"), "INVALID_DEFAULT"),
        ("date", json!("2001-02-29"), "INVALID_DEFAULT"),
        ("timestamp", json!("2024-01-01 00:00:00+02"), "INVALID_DEFAULT"),
        ("uuid", json!("not-a-uuid"), "INVALID_DEFAULT"),
        ("jsonb", json!("{oops"), "INVALID_DEFAULT"),
        ("cidr", json!("10.0.0.1/8"), "INVALID_DEFAULT"),
        ("enum", json!("angry"), "INVALID_DEFAULT"),
        ("text", json!(["a"]), "TYPE_MISMATCH"),
        ("text[]", json!("a"), "TYPE_MISMATCH"),
        ("text[]", json!([["nested"]]), "INVALID_DEFAULT"),
        ("uuid", json!({"function": "now"}), "TYPE_MISMATCH"),
        ("varchar(5)", json!({"function": "current_user"}), "TYPE_MISMATCH"),
        ("real", json!("1e39"), "INVALID_DEFAULT"),
        ("double precision", json!("1e-400"), "INVALID_DEFAULT"),
        ("time", json!("today"), "INVALID_DEFAULT"),
        ("timestamptz", json!({"function": "pg_sleep"}), "INVALID_DEFAULT"),
        ("text", json!("nul\u{0}byte"), "INVALID_DEFAULT"),
    ];
    for (ty, d, code) in bad {
        assert_eq!(default_codes(ty, d.clone()), vec![*code], "{ty} {d}");
    }
    assert_eq!(default_codes("timestamptz", json!("now")), vec!["FROZEN_DEFAULT"]);
    assert_eq!(default_codes("date", json!("TODAY")), vec!["FROZEN_DEFAULT"]);
}

#[test]
fn foreign_key_rules() {
    let fk = |f: Value| {
        let mut v = base();
        v["foreignKeys"] = json!([f]);
        codes(v)
    };
    let good = json!({"id": "f", "sourceTableId": "to", "sourceColumnIds": ["o_user"], "targetTableId": "tu", "targetColumnIds": ["u_id"]});
    assert_eq!(fk(good.clone()), Vec::<&str>::new());
    let mut f = good.clone();
    f["targetTableId"] = json!("nope");
    assert_eq!(fk(f), vec!["UNKNOWN_REFERENCE"]);
    let mut f = good.clone();
    f["targetColumnIds"] = json!(["u_id", "u_email"]);
    assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
    let mut f = good.clone();
    f["targetColumnIds"] = json!(["nope"]);
    assert_eq!(fk(f), vec!["UNKNOWN_REFERENCE"]);
    // the referenced column must be a key
    let mut f = good.clone();
    f["targetTableId"] = json!("to");
    f["targetColumnIds"] = json!(["o_user"]);
    assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
    // types must be comparable
    let mut f = good.clone();
    f["targetColumnIds"] = json!(["u_email"]);
    assert_eq!(fk(f), vec!["TYPE_MISMATCH"]);
    // SET NULL on a NOT NULL column
    let mut f = good.clone();
    f["onDelete"] = json!("SET NULL");
    assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
    // forms that contradict each other
    let mut f = good.clone();
    f["sourceColumnId"] = json!("o_id");
    assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
    let mut f = good;
    f.as_object_mut().unwrap().remove("sourceColumnIds");
    assert_eq!(fk(f), vec!["INVALID_FOREIGN_KEY"]);
}

#[test]
fn designer_warnings() {
    let mut v = base();
    v["tables"][1]["indexes"] = json!([]);
    assert_eq!(problems(v), vec![("/foreignKeys/0".into(), "UNINDEXED_FOREIGN_KEY", Severity::Warning)]);
    // users.best_order_id NOT NULL -> orders and orders.user_id NOT NULL -> users
    let mut v = with_column(json!({"id": "u_best", "name": "best_order_id", "dataType": "bigint", "nullable": false}));
    v["tables"][0]["indexes"] = json!([{"id": "ix_best", "columnIds": ["u_best"]}]);
    v["foreignKeys"].as_array_mut().unwrap().push(json!({"id": "fk2", "sourceTableId": "tu", "sourceColumnId": "u_best", "targetTableId": "to", "targetColumnId": "o_id"}));
    assert_eq!(codes(v.clone()), vec!["UNINSERTABLE_CYCLE"]);
    let summary = validate(&doc(v.clone())).summary;
    assert_eq!(
        (summary.cycles, summary.cycle_groups.clone()),
        (1, vec![vec!["table \"orders\"".to_string(), "table \"users\"".to_string()]]).clone().into_summary_check()
    );
    v["tables"][0]["columns"][2]["nullable"] = json!(true);
    assert_eq!(codes(v), Vec::<&str>::new());
    let many: Vec<Value> = (0..=MANY_COLUMNS_WARNING)
        .map(|i| json!({"id": format!("m{i}"), "name": format!("m{i}"), "dataType": "text"}))
        .collect();
    let mut v = base();
    v["tables"][0]["columns"].as_array_mut().unwrap().extend(many);
    assert_eq!(codes(v), vec!["TOO_MANY_COLUMNS"]);
}

trait IntoSummaryCheck {
    fn into_summary_check(self) -> (usize, Vec<Vec<String>>);
}

impl IntoSummaryCheck for (usize, Vec<Vec<String>>) {
    fn into_summary_check(self) -> (usize, Vec<Vec<String>>) {
        (
            self.0,
            self.1
                .into_iter()
                .map(|g| {
                    g.into_iter().map(|n| n.trim_start_matches("table \"").trim_end_matches('"').to_string()).collect()
                })
                .collect(),
        )
    }
}

#[test]
fn index_rules() {
    let ix = |i: Value, extra_col: Option<Value>| {
        let mut v = base();
        if let Some(c) = extra_col {
            v["tables"][1]["columns"].as_array_mut().unwrap().push(c);
        }
        v["tables"][1]["indexes"].as_array_mut().unwrap().push(i);
        codes(v)
    };
    assert_eq!(ix(json!({"id": "i", "columnIds": []}), None), vec!["INVALID_INDEX"]);
    assert_eq!(ix(json!({"id": "i", "columnIds": ["nope"]}), None), vec!["UNKNOWN_REFERENCE"]);
    assert_eq!(ix(json!({"id": "i", "columnIds": ["o_id", "o_id"]}), None), vec!["INVALID_INDEX"]);
    assert_eq!(
        ix(json!({"id": "i", "columnIds": ["o_id"], "method": "hash", "unique": true}), None),
        vec!["INVALID_INDEX"]
    );
    assert_eq!(ix(json!({"id": "i", "columnIds": ["o_id", "o_user"], "method": "hash"}), None), vec!["INVALID_INDEX"]);
    assert_eq!(ix(json!({"id": "i", "columnIds": ["o_id"], "method": "gin"}), None), vec!["INVALID_INDEX"]);
    let tags = json!({"id": "tags", "name": "tags", "dataType": "text[]"});
    assert_eq!(ix(json!({"id": "i", "columnIds": ["tags"], "method": "GIN"}), Some(tags)), Vec::<&str>::new());
    let ip = json!({"id": "ip", "name": "ip", "dataType": "inet"});
    assert_eq!(ix(json!({"id": "i", "columnIds": ["ip"], "method": "gist"}), Some(ip)), Vec::<&str>::new());
    assert_eq!(
        ix(json!({"id": "i", "columnIds": [{"columnId": "o_id", "order": "desc"}], "method": "brin"}), None),
        vec!["INVALID_INDEX"]
    );
    assert_eq!(ix(json!({"id": "i", "columnIds": ["o_id"], "where": "user_id > 0"}), None), Vec::<&str>::new());
    assert_eq!(ix(json!({"id": "i", "columnIds": ["o_id"], "where": "now() > 0"}), None), vec!["INVALID_EXPRESSION"]);
}

#[test]
fn generated_names_avoid_collisions_deterministically() {
    let mut v = base();
    // A user index already called like the generated primary key name.
    v["tables"][1]["indexes"][0]["name"] = json!("orders_pkey");
    v["tables"][1]["checks"] = json!([
        {"id": "k1", "expression": "id > 0"},
        {"id": "k2", "expression": "id > 0 AND user_id > 0"},
        {"id": "k3", "expression": "user_id > 0 OR user_id < 0"},
        {"id": "k4", "name": "orders_check", "expression": "TRUE"}
    ]);
    let s = ValidSchema::parse(doc(v)).unwrap();
    let t = &s.model().tables[1];
    assert_eq!(t.primary_key.as_ref().unwrap().name.as_str(), "orders_pkey1");
    let names: Vec<&str> = t.checks.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["orders_id_check", "orders_check1", "orders_user_id_check", "orders_check"]);
}

#[test]
fn generated_constraint_names_are_unique_in_the_schema() {
    let v = json!({"name": "x", "tables": [
        {"id": "t1", "name": "a_b", "columns": [{"id": "c1", "name": "c", "dataType": "int", "primaryKey": true}],
         "checks": [{"id": "k1", "expression": "c > 0"}]},
        {"id": "t2", "name": "a", "columns": [{"id": "c2", "name": "b_c", "dataType": "int", "primaryKey": true}],
         "checks": [{"id": "k2", "expression": "b_c > 0"}]}
    ]});
    let s = ValidSchema::parse(doc(v)).unwrap();
    let names: Vec<&str> = s.model().tables.iter().map(|t| t.checks[0].name.as_str()).collect();
    assert_eq!(names, ["a_b_c_check", "a_b_c_check1"]);
}

#[test]
fn foreign_key_type_compatibility_matches_postgres() {
    let fk = |src: &str, dst: &str| {
        let v = json!({"name": "x", "tables": [
            {"id": "p", "name": "p", "columns": [{"id": "pk", "name": "k", "dataType": dst, "primaryKey": true}]},
            {"id": "c", "name": "c", "columns": [
                {"id": "ck", "name": "k", "dataType": "int", "primaryKey": true},
                {"id": "cf", "name": "f", "dataType": src}], "indexes": [{"id": "ix", "columnIds": ["cf"]}]}
        ], "foreignKeys": [{"id": "f", "sourceTableId": "c", "sourceColumnId": "cf", "targetTableId": "p", "targetColumnId": "pk"}]});
        codes(v).is_empty()
    };
    // pairs PostgreSQL 15 accepts
    for (s, d) in [
        ("smallint", "bigint"),
        ("bigint", "integer"),
        ("integer", "numeric"),
        ("integer", "real"),
        ("numeric", "double precision"),
        ("real", "double precision"),
        ("double precision", "real"),
        ("char(2)", "text"),
        ("text", "varchar(5)"),
        ("date", "timestamptz"),
        ("timestamp", "date"),
        ("inet", "cidr"),
        ("text[]", "text[]"),
    ] {
        assert!(fk(s, d), "{s} -> {d}");
    }
    // pairs it refuses
    for (s, d) in [
        ("varchar(5)[]", "varchar(5)[]"),
        ("timestamp[]", "timestamp(3)[]"),
        ("numeric(5,2)[]", "numeric(5,2)[]"),
        ("real", "numeric"),
        ("double precision", "numeric"),
        ("numeric", "integer"),
        ("text", "integer"),
        ("time", "interval"),
        ("uuid", "text"),
        ("text[]", "text"),
        ("integer[]", "bigint[]"),
    ] {
        assert!(!fk(s, d), "{s} -> {d}");
    }
}

#[test]
fn names_postgres_would_shadow_are_refused() {
    let mut v = base();
    v["tables"][0]["name"] = json!("pg_class");
    assert_eq!(codes(v), vec!["RESERVED_NAME"]);
    let mut v = base();
    v["enums"] = json!([{"id": "e", "name": "uuid", "values": ["a"]}, {"id": "e2", "name": "_int4", "values": ["a"]},
                        {"id": "e3", "name": "UUID", "values": ["a"]}]);
    assert_eq!(codes(v), vec!["RESERVED_NAME", "RESERVED_NAME", "CASE_COLLISION"]);
    let v = with_column(json!({"id": "x", "name": "ctid", "dataType": "text"}));
    assert_eq!(codes(v), vec!["RESERVED_NAME"]);
    let v = with_column(json!({"id": "x", "name": "oid", "dataType": "text"}));
    assert_eq!(codes(v), Vec::<&str>::new());
}

#[test]
fn json_pointer_escapes() {
    assert_eq!(ptr(&[&"a/b", &"c~d", &3]), "/a~1b/c~0d/3");
}

#[test]
fn enums_are_checked() {
    let mut v = base();
    v["enums"] = json!([
        {"id": "e1", "name": "empty", "values": []},
        {"id": "e2", "name": "bad", "values": ["a", "a", "", "x".repeat(64)]}
    ]);
    let got = problems(v);
    let paths: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, ["/enums/0/values", "/enums/1/values/1", "/enums/1/values/2", "/enums/1/values/3"]);
    assert!(got.iter().all(|(_, c, _)| *c == "INVALID_ENUM"));
}

#[test]
fn expression_defaults_are_checked() {
    let at = |ty: &str, expression: &str| {
        let mut v = with_column(json!({"id": "c", "name": "c", "dataType": ty, "default": {"expression": expression}}));
        v["name"] = json!("x");
        problems(v).into_iter().map(|(p, c, _)| (p, c)).collect::<Vec<_>>()
    };
    let path = "/tables/0/columns/2/default".to_string();
    assert_eq!(at("text", "lower('ABC')"), vec![], "the small language");
    assert_eq!(at("timestamptz", "now() + '1 day'::interval"), vec![(path.clone(), "UNVERIFIED_EXPRESSION")]);
    assert_eq!(at("double precision", "random()"), vec![(path.clone(), "UNVERIFIED_EXPRESSION")]);
    assert_eq!(at("integer", "lower('ABC')"), vec![(path.clone(), "TYPE_MISMATCH")]);
    assert_eq!(at("integer", "id + 1"), vec![(path.clone(), "INVALID_DEFAULT")]);
    assert_eq!(at("integer", "(SELECT 1)"), vec![(path, "INVALID_EXPRESSION")]);
}
