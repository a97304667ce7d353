//! Soundness of the check-expression checker: every random expression that
//! validation accepts (without an `UNVERIFIED_EXPRESSION` warning, which
//! says PostgreSQL must decide) must be accepted by PostgreSQL in a CHECK
//! constraint and as a partial-index predicate.

use proptest::prelude::*;
use proptest::sample::select;
use schemaforge_domain::{ValidSchema, parse_document};
use schemaforge_sqlgen::create_script;
use schemaforge_tests::{run_on_postgres, run_script};
use serde_json::json;

const COLUMNS: &[(&str, &str)] = &[
    ("i", "integer"),
    ("s", "smallint"),
    ("bi", "bigint"),
    ("r", "real"),
    ("ba", "bigint[]"),
    ("n", "numeric(8,2)"),
    ("f", "double precision"),
    ("t", "text"),
    ("v", "varchar(10)"),
    ("b", "boolean"),
    ("d", "date"),
    ("ts", "timestamp"),
    ("tz", "timestamptz"),
    ("tm", "time"),
    ("iv", "interval"),
    ("u", "uuid"),
    ("j", "jsonb"),
    ("ip", "inet"),
    ("mac", "macaddr"),
    ("by", "bytea"),
    ("arr", "text[]"),
    ("ia", "integer[]"),
    ("e", "enum"),
];

const LITERALS: &[&str] = &[
    "0",
    "1",
    "2.5",
    "1e3",
    "'1 day'",
    "'2024-01-01'",
    "'2024-01-01 10:00:00+02'",
    "'abc'",
    "'10:00'",
    "'{}'",
    "'{1,2}'",
    "'{abc}'",
    "'{}}'",
    "'99999'",
    "'1e39'",
    "'2024-01-01 10:00+99'",
    "'1 day 2 days'",
    "'{\"a\": \"\\u0000\"}'",
    "'192.168.0.1'",
    "'true'",
    "'sad'",
    "'00000000-0000-0000-0000-000000000000'",
    "'\\x00'",
    "'08:00:2b:01:02:03'",
    "''",
    "TRUE",
    "FALSE",
    "NULL",
];

const BINARY: &[&str] =
    &["AND", "OR", "=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "||", "LIKE", "NOT ILIKE", "~", "!~*"];

const FUNCTIONS: &[&str] = &[
    "lower",
    "upper",
    "length",
    "char_length",
    "trim",
    "abs",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "cardinality",
];

fn expr() -> impl Strategy<Value = String> {
    let leaf =
        prop_oneof![select(COLUMNS).prop_map(|(c, _)| c.to_string()), select(LITERALS).prop_map(str::to_string),];
    leaf.prop_recursive(3, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), select(BINARY), inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            inner.clone().prop_map(|a| format!("NOT ({a})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            (inner.clone(), any::<bool>()).prop_map(|(a, n)| format!("({a} IS {}NULL)", if n { "NOT " } else { "" })),
            (inner.clone(), prop::collection::vec(inner.clone(), 1..3))
                .prop_map(|(a, l)| format!("({a} IN ({}))", l.join(", "))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| format!("({a} BETWEEN {b} AND {c})")),
            (select(FUNCTIONS), prop::collection::vec(inner, 1..3))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
        ]
    })
}

fn document(check: &str) -> serde_json::Value {
    let mut columns = vec![json!({"id": "pk", "name": "pk", "dataType": "integer", "primaryKey": true})];
    for (name, ty) in COLUMNS {
        let mut c = json!({"id": format!("c_{name}"), "name": name, "dataType": ty});
        if *ty == "enum" {
            c["enumId"] = json!("mood");
        }
        columns.push(c);
    }
    json!({
        "name": "expr",
        "enums": [{"id": "mood", "name": "mood", "values": ["happy", "sad"]}],
        "tables": [{
            "id": "t", "name": "t", "columns": columns,
            "checks": [{"id": "k", "expression": check}],
            "indexes": [{"id": "x", "columnIds": ["pk"], "where": check}]
        }]
    })
}

#[test]
fn accepted_expressions_are_accepted_by_postgres() {
    let accepted = std::cell::Cell::new(0u32);
    run_on_postgres(1500, expr(), |conn, source| {
        let doc = parse_document(&document(&source).to_string()).unwrap();
        let Ok(schema) = ValidSchema::parse(doc) else { return Ok(()) };
        // The promise covers what validation decides: an expression it
        // accepts only with UNVERIFIED_EXPRESSION is left to PostgreSQL.
        if schema.warnings().iter().any(|w| w.code.as_str() == "UNVERIFIED_EXPRESSION") {
            return Ok(());
        }
        accepted.set(accepted.get() + 1);
        run_script(conn, &create_script(&schema))
            .map_err(|f| TestCaseError::fail(format!("validation accepted `{source}` but PostgreSQL refused: {f}")))
    })
    .unwrap();
    // The generator must exercise the accepting side, or the test proves nothing.
    assert!(accepted.get() > 75, "only {} expressions were valid", accepted.get());
}
