//! Views' queries and carried statements from random token soup: parsing
//! never panics, and what is accepted prints to a fixpoint (the printed
//! text parses back to the same printing), so a script never holds text
//! PostgreSQL's parser would read differently.

use proptest::prelude::*;
use schemaforge_domain::{ValidSchema, parse_document, validate};
use serde_json::json;

const TOKENS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "JOIN",
    "ON",
    "GROUP BY",
    "ORDER BY",
    "UNION",
    "WITH",
    "AS",
    "(",
    ")",
    ",",
    "*",
    "=",
    "<",
    "+",
    "'x'",
    "1",
    "NULL",
    "t",
    "u.a",
    "a",
    "\"Odd name\"",
    "count(*)",
    "lower(a)",
    "EXISTS",
    "NOT",
    "AND",
    "CREATE",
    "FUNCTION",
    "f()",
    "RETURNS",
    "int",
    "LANGUAGE",
    "sql",
    "$$ select 1 $$",
    "TRIGGER",
    "BEFORE",
    "UPDATE",
    "FOR EACH ROW",
    "EXECUTE FUNCTION",
    "POLICY",
    "USING",
    "RULE",
    "DO INSTEAD NOTHING",
    "GRANT",
    "TO",
    "PUBLIC",
    ";",
    "--",
    "/*",
    "$1",
    "VALUES",
    "INTO",
    "FOR UPDATE",
    "LATERAL",
    "CASE WHEN a THEN 1 END",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..24).prop_map(|t| t.join(" "))
}

/// Well-formed view queries, sometimes with tokens after.
fn query() -> impl Strategy<Value = String> {
    let starts = prop::sample::select(vec![
        "SELECT a FROM t",
        "SELECT u.a, count(*) AS n FROM t u GROUP BY u.a",
        "SELECT \"Odd name\", lower(\"Odd name\") AS l FROM t WHERE a IS NOT NULL",
        "WITH w AS (SELECT a FROM t) SELECT a FROM w",
    ]);
    let rest = prop_oneof![2 => Just(String::new()), 1 => soup()];
    prop_oneof![1 => soup(), 3 => (starts, rest).prop_map(|(s, rest)| format!("{s} {rest}"))]
}

/// Well-formed carried statements with the list that holds them,
/// sometimes with tokens after (and sometimes in the wrong list).
fn carried() -> impl Strategy<Value = (&'static str, String)> {
    let starts = prop::sample::select(vec![
        ("functions", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ select 1 $$"),
        ("functions", "CREATE PROCEDURE p(a int) LANGUAGE sql AS $$ select a $$"),
        ("triggers", "CREATE TRIGGER g BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()"),
        ("policies", "CREATE POLICY p ON t USING (a > 0)"),
        ("grants", "GRANT SELECT ON t TO PUBLIC"),
        ("rules", "CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING"),
    ]);
    let lists = prop::sample::select(vec!["functions", "triggers", "policies", "rules", "grants"]);
    let rest = prop_oneof![3 => Just(String::new()), 1 => soup()];
    prop_oneof![
        4 => (starts, rest).prop_map(|((list, s), rest)| (list, format!("{s} {rest}"))),
        1 => (lists, soup()),
    ]
}

/// A document with table `t` (id, a, "Odd name"), a view of `query` (if
/// any) and the carried `definition` in `list` (if any).
fn doc(query: Option<&str>, carried: Option<(&str, &str)>) -> schemaforge_domain::SchemaDocument {
    let mut d = json!({"name": "x", "tables": [{"id": "t", "name": "t", "columns": [
        {"id": "id", "name": "id", "dataType": "integer", "primaryKey": true},
        {"id": "a", "name": "a", "dataType": "integer"}, {"id": "o", "name": "Odd name", "dataType": "text"}]}]});
    if let Some(q) = query {
        d["views"] = json!([{"id": "v", "name": "v", "query": q}]);
    }
    if let Some((list, definition)) = carried {
        d[list] = json!([{"id": "c", "definition": definition}]);
    }
    parse_document(&d.to_string()).unwrap()
}

fn paths_are_pointers(doc: &schemaforge_domain::SchemaDocument) -> Result<(), TestCaseError> {
    for p in &validate(doc).problems {
        prop_assert!(p.path.starts_with('/'), "{p:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn view_queries_validate_without_panicking_and_print_to_a_fixpoint(q in query()) {
        paths_are_pointers(&doc(Some(&q), None))?;
        if let Ok(schema) = ValidSchema::parse(doc(Some(&q), None)) {
            let sql = &schema.model().views[0].sql;
            let again = ValidSchema::parse(doc(Some(sql), None))
                .map_err(|e| TestCaseError::fail(format!("{sql}: {:#?}", e.report.problems)))?;
            prop_assert_eq!(&again.model().views[0].sql, sql);
            prop_assert_eq!(&again.model().views[0].canonical, &schema.model().views[0].canonical);
        }
    }

    #[test]
    fn carried_statements_validate_without_panicking_and_print_to_a_fixpoint((list, definition) in carried()) {
        paths_are_pointers(&doc(None, Some((list, &definition))))?;
        if let Ok(schema) = ValidSchema::parse(doc(None, Some((list, &definition)))) {
            let c = &schema.model().carried[0];
            let again = ValidSchema::parse(doc(None, Some((list, &c.sql))))
                .map_err(|e| TestCaseError::fail(format!("{}: {:#?}", c.sql, e.report.problems)))?;
            let d = &again.model().carried[0];
            prop_assert_eq!((&d.sql, &d.drop_sql, &d.replace_sql, &d.canonical), (&c.sql, &c.drop_sql, &c.replace_sql, &c.canonical));
        }
    }
}
