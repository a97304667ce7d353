//! Expressions in PostgreSQL's full grammar (issue 11), against a real
//! server: every kind the issue names builds as a check and (where
//! immutable) as a partial-index predicate, and what PostgreSQL prints back
//! (`pg_get_constraintdef`, `pg_get_expr`) goes through the document again
//! to the very same catalog text. Renaming a column that such an expression
//! reads is a rename, not a changed check.

use diesel::PgConnection;
use schemaforge_domain::{ChangeKind, ValidSchema, parse_document};
use schemaforge_sqlgen::{create_script, migration};
use schemaforge_testdb::{TestDb, execute};
use schemaforge_tests::{lines, ql, run_script, valid_json};
use serde_json::json;

/// Expression kinds from the issue, as people write them. The boolean says
/// whether the expression is immutable (so it can also be an index
/// predicate).
const KINDS: &[(&str, bool)] = &[
    ("price > 0::numeric", true),
    ("CAST(qty AS bigint) < 1000000", true),
    ("flag IS NOT TRUE OR flag IS FALSE", true),
    ("note IS NOT DISTINCT FROM NULL OR note <> ''", true),
    ("status = ANY (ARRAY['new'::text, 'paid'::text])", true),
    ("qty <> ALL (ARRAY[13, 666])", true),
    ("qty > SOME (ARRAY[0, 1])", true),
    ("qty BETWEEN SYMMETRIC 10 AND 1", true),
    ("CASE WHEN status = 'paid' THEN price > 0 ELSE true END", true),
    ("tags[1] <> '' AND cardinality(tags[2:3]) <= 2", true),
    ("ARRAY[qty, 1] <> ARRAY[0, 0]", true),
    ("note LIKE 'a%' OR note ILIKE '%B' OR note SIMILAR TO '(x|y)+' OR note ~ '^z' OR note !~* 'q'", true),
    ("day + 1 > day AND day - interval '1 day' < day", true),
    ("ends_at - starts_at <= '30 days'::interval AND ends_at > starts_at + interval '1 hour'", false),
    ("lower(note) = btrim(note) AND length(note::text) < 100", true),
    ("date_trunc('day', starts_at) <= ends_at", false),
    ("ends_at <= now() + interval '10 years'", false),
    ("COALESCE(note, '') <> 'x' AND NULLIF(qty, 0) IS NOT NULL AND GREATEST(qty, 1) < 10", true),
    ("(doc ->> 'kind') IS NOT NULL AND doc ? 'kind' AND jsonb_typeof(doc) = 'object'", true),
    ("\"Mixed Case\" >= 0 AND \"select\" IS NOT NULL", true),
    ("status::text <> 'it''s'", true),
];

fn document(check: &str, predicate: Option<&str>) -> ValidSchema {
    valid(document_json(check, predicate))
}

fn valid(doc: serde_json::Value) -> ValidSchema {
    valid_json(&doc)
}

fn document_json(check: &str, predicate: Option<&str>) -> serde_json::Value {
    let mut index = json!({"id": "x", "columnIds": ["pk"]});
    if let Some(p) = predicate {
        index["where"] = json!(p);
    }
    json!({
        "name": "full",
        "tables": [{
            "id": "t", "name": "t",
            "columns": [
                {"id": "pk", "name": "pk", "dataType": "integer", "primaryKey": true},
                {"id": "c_price", "name": "price", "dataType": "numeric(10,2)"},
                {"id": "c_qty", "name": "qty", "dataType": "integer"},
                {"id": "c_flag", "name": "flag", "dataType": "boolean"},
                {"id": "c_note", "name": "note", "dataType": "varchar(50)"},
                {"id": "c_status", "name": "status", "dataType": "text"},
                {"id": "c_tags", "name": "tags", "dataType": "text[]"},
                {"id": "c_day", "name": "day", "dataType": "date"},
                {"id": "c_starts", "name": "starts_at", "dataType": "timestamptz"},
                {"id": "c_ends", "name": "ends_at", "dataType": "timestamptz"},
                {"id": "c_doc", "name": "doc", "dataType": "jsonb"},
                {"id": "c_mixed", "name": "Mixed Case", "dataType": "integer"},
                {"id": "c_select", "name": "select", "dataType": "integer"}
            ],
            "checks": [{"id": "k", "name": "t_k", "expression": check}],
            "indexes": [index]
        }]
    })
}

/// Build `schema` in a rolled-back transaction; return the printed check
/// and, if any, the printed index predicate.
fn printed(conn: &mut PgConnection, schema: &ValidSchema) -> (String, Option<String>) {
    execute(conn, "BEGIN").unwrap();
    let built = run_script(conn, &create_script(schema));
    let out = built.map(|()| {
        let check = lines(
            conn,
            "SELECT pg_get_constraintdef(oid) AS t FROM pg_constraint WHERE conname = 't_k' AND contype = 'c'",
        )
        .unwrap();
        let pred = lines(
            conn,
            "SELECT pg_get_expr(indpred, indrelid) AS t FROM pg_index WHERE indrelid = 't'::regclass AND indpred IS NOT NULL",
        )
        .unwrap();
        (check.concat(), pred.into_iter().next())
    });
    execute(conn, "ROLLBACK").unwrap();
    out.unwrap_or_else(|f| panic!("PostgreSQL refused the script: {f}"))
}

/// `CHECK ((expr))` → `(expr)`: what a designer or an import puts back.
fn inner(def: &str) -> &str {
    def.strip_prefix("CHECK ").unwrap_or(def)
}

#[test]
fn every_kind_builds_and_round_trips_through_postgresql() {
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    for (source, immutable) in KINDS {
        let predicate = immutable.then_some(*source);
        let first = printed(&mut conn, &document(source, predicate));
        assert!(!first.0.is_empty(), "`{source}`: no check in the catalog");
        assert_eq!(first.1.is_some(), *immutable, "`{source}`: index predicate");
        // What PostgreSQL printed, as the next document's expression.
        let again = document(inner(&first.0), first.1.as_deref());
        let second = printed(&mut conn, &again);
        assert_eq!(second, first, "`{source}` did not reach a fixed point");
        // And it is still read as the same expression (by ids).
        let (a, b) = (document(source, None), document(inner(&first.0), None));
        let m = migration(&a, &b);
        let changed: Vec<_> = m.changes.changes().iter().map(|c| format!("{:?}", c.kind)).collect();
        if changed.iter().any(|c| c.contains("Check")) {
            // PostgreSQL's printing adds casts and parentheses, which is a
            // different tree; then the migration must be a real re-creation
            // that applies.
            execute(&mut conn, "BEGIN").unwrap();
            run_script(&mut conn, &create_script(&a)).unwrap();
            run_script(&mut conn, &m.up).unwrap_or_else(|f| panic!("`{source}`: {f}"));
            execute(&mut conn, "ROLLBACK").unwrap();
        }
    }
}

#[test]
fn refused_by_postgresql_means_refused_by_validation() {
    // Each of these is refused by validation with INVALID_EXPRESSION, and
    // PostgreSQL refuses it too (checked here, so the list cannot drift).
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    execute(&mut conn, "CREATE TABLE r (qty integer, starts_at timestamptz, tags text[])").unwrap();
    for (source, as_check) in [
        ("qty > (SELECT 1)", true),
        ("count(*) > 0", true),
        ("row_number() OVER () > 1", true),
        ("unnest(tags) = 'x'", true),
        ("qty > $1", true),
        ("starts_at < now()", false),
        ("starts_at < current_timestamp", false),
    ] {
        let sql = if as_check {
            format!("ALTER TABLE r ADD CONSTRAINT k CHECK ({source})")
        } else {
            format!("CREATE INDEX ON r (qty) WHERE {source}")
        };
        execute(&mut conn, "BEGIN").unwrap();
        let refused = execute(&mut conn, &sql).is_err();
        execute(&mut conn, "ROLLBACK").unwrap();
        assert!(refused, "PostgreSQL accepted {sql}");
        let doc = json!({"name": "r", "tables": [{"id": "t", "name": "r", "columns": [
            {"id": "pk", "name": "pk", "dataType": "integer", "primaryKey": true},
            {"id": "q", "name": "qty", "dataType": "integer"},
            {"id": "s", "name": "starts_at", "dataType": "timestamptz"},
            {"id": "g", "name": "tags", "dataType": "text[]"}],
            "checks": if as_check { json!([{"id": "k", "expression": source}]) } else { json!([]) },
            "indexes": if as_check { json!([]) } else { json!([{"id": "x", "columnIds": ["q"], "where": source}]) }}]});
        let problems = ValidSchema::parse(parse_document(&doc.to_string()).unwrap()).unwrap_err();
        assert!(problems.report.errors().any(|p| p.code.as_str() == "INVALID_EXPRESSION"), "`{source}`: {problems:?}");
    }
}

#[test]
fn renaming_a_column_under_a_full_grammar_check_is_a_rename() {
    let v1 = document("status = ANY (ARRAY['new'::text, 'paid'::text]) AND qty::numeric >= 0::numeric", None);
    let mut doc =
        document_json("(state = ANY (ARRAY['new'::text, 'paid'::text])) AND (qty)::numeric >= (0)::numeric", None);
    doc["tables"][0]["columns"][5]["name"] = json!("state");
    let v2 = valid(doc);
    let m = migration(&v1, &v2);
    let kinds: Vec<_> = m.changes.changes().iter().map(|c| &c.kind).collect();
    assert!(
        matches!(kinds.as_slice(), [ChangeKind::RenameColumn { from, to, .. }] if from == "status" && to == "state"),
        "{kinds:?}"
    );
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&v1)).unwrap();
    execute(&mut conn, "INSERT INTO t (pk, status, qty) VALUES (1, 'paid', 2)").unwrap();
    run_script(&mut conn, &m.up).unwrap();
    let def =
        lines(&mut conn, "SELECT pg_get_constraintdef(oid) AS t FROM pg_constraint WHERE conname = 't_k'").unwrap();
    assert!(def[0].contains("state = ANY"), "{def:?}");
    let bad = format!("INSERT INTO t (pk, state, qty) VALUES (2, {}, 1)", ql("void"));
    assert!(execute(&mut conn, &bad).is_err(), "the renamed check still holds");
}
