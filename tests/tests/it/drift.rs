//! Drift, as a property: a random valid document is built, one random edit
//! is made outside with SQL (a table, column or index added, an index or
//! check dropped, a comment set, NOT NULL dropped, a column renamed), and the drift reports exactly that edit (one
//! element, of the expected kind and status, with the design's id where
//! the design has the element); the drift's script then brings the
//! database back in step. Before any edit, a fresh build is in step.

use diesel::PgConnection;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use proptest::test_runner::{Config, TestRunner};
use schemaforge_domain::{Model, SchemaDocument, TableModel, ValidSchema};
use schemaforge_drift::{Drift, IdentityRecord, Status, assess, managed_namespaces, read_managed};
use schemaforge_introspect::Catalog;
use schemaforge_repository::IntrospectOptions;
use schemaforge_repository::pg::introspect::introspect_on;
use schemaforge_sqlgen::{Dialect, Postgres, create_script};
use schemaforge_testdb::TestDb;
use schemaforge_testdb::execute;
use schemaforge_tests::generate::valid_document;
use schemaforge_tests::{qi, run_script};

/// An edit made outside, and the one drift element it must give.
#[derive(Debug)]
struct Edit {
    sql: String,
    kind: &'static str,
    status: Status,
    /// The design's id of the element (`None`: a new element).
    id: Option<String>,
}

fn qualified(t: &TableModel) -> String {
    match &t.namespace {
        Some(ns) => format!("{}.{}", qi(ns.name.as_str()), qi(t.name.as_str())),
        None => format!("public.{}", qi(t.name.as_str())),
    }
}

/// Types whose values a plain btree index takes.
fn btree_type(sql: &str) -> bool {
    ["integer", "bigint", "smallint", "text", "date", "uuid", "boolean"].contains(&sql)
        || sql.starts_with("character varying")
        || sql.starts_with("numeric")
        || sql.starts_with("timestamp")
}

/// Every edit this document allows; `text` is its JSON, where a column
/// whose name shows up once only (its own) is safe to rename (no check,
/// expression, view or carried statement names it).
fn edits(model: &Model, text: &str) -> Vec<Edit> {
    let mut out = vec![Edit {
        sql: "CREATE TABLE public.sf_drift_extra (id integer)".into(),
        kind: "table",
        status: Status::Redundant,
        id: None,
    }];
    let simple = |t: &&TableModel| t.partition_by.is_none() && t.partitions.is_empty();
    for t in model.tables.iter().filter(simple) {
        let table = qualified(t);
        out.push(Edit {
            sql: format!("COMMENT ON TABLE {table} IS 'set outside'"),
            kind: "table",
            status: Status::Different,
            id: Some(t.id.clone()),
        });
        if !t.columns.iter().any(|c| c.name.as_str() == "sf_extra") {
            out.push(Edit {
                sql: format!("ALTER TABLE {table} ADD COLUMN sf_extra integer"),
                kind: "column",
                status: Status::Redundant,
                id: None,
            });
        }
        let schema = t.namespace.as_ref().map_or_else(|| "public".to_string(), |n| qi(n.name.as_str()));
        for i in &t.indexes {
            out.push(Edit {
                sql: format!("DROP INDEX {schema}.{}", qi(i.name.as_str())),
                kind: "index",
                status: Status::Missing,
                id: Some(i.id.clone()),
            });
        }
        for c in &t.checks {
            out.push(Edit {
                sql: format!("ALTER TABLE {table} DROP CONSTRAINT {}", qi(c.name.as_str())),
                kind: "check",
                status: Status::Missing,
                id: Some(c.id.clone()),
            });
        }
        let keyed: Vec<&String> = t.primary_key.iter().flat_map(|k| &k.column_ids).collect();
        for c in &t.columns {
            let column = qi(c.name.as_str());
            let plain = c.generated.is_none() && c.identity.is_none() && !c.ty.array;
            if plain && btree_type(&Postgres.render_type(&c.ty)) {
                out.push(Edit {
                    sql: format!("CREATE INDEX sf_drift_idx ON {table} ({column})"),
                    kind: "index",
                    status: Status::Redundant,
                    id: None,
                });
            }
            if !c.nullable && c.identity.is_none() && !keyed.contains(&&c.id) {
                out.push(Edit {
                    sql: format!("ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL"),
                    kind: "column",
                    status: Status::Different,
                    id: Some(c.id.clone()),
                });
            }
            if text.matches(c.name.as_str()).count() == 1 {
                out.push(Edit {
                    sql: format!("ALTER TABLE {table} RENAME COLUMN {column} TO {}", qi("sf_renamed")),
                    kind: "column",
                    status: Status::Renamed,
                    id: Some(c.id.clone()),
                });
            }
        }
    }
    out
}

fn read(conn: &mut PgConnection, desired: &ValidSchema) -> Result<Catalog, TestCaseError> {
    let (catalog, _) = read_managed(&managed_namespaces(desired), |namespaces| {
        introspect_on(conn, &IntrospectOptions { namespaces, ..Default::default() })
    })
    .map_err(|e| TestCaseError::fail(format!("catalog read: {e}")))?;
    Ok(catalog)
}

fn explain(d: &Drift) -> String {
    let elements: Vec<String> =
        d.elements.iter().map(|e| format!("{} {} {} {:?}", e.kind, e.id, e.status.as_str(), e.attributes)).collect();
    format!("elements {elements:#?}\nerrors {:?}\nscript {:#?}", d.errors, d.to_design)
}

fn case(conn: &mut PgConnection, doc: SchemaDocument, pick: usize) -> Result<(), TestCaseError> {
    let desired = ValidSchema::parse(doc).map_err(|e| TestCaseError::fail(format!("{:#?}", e.report)))?;
    let text = serde_json::to_string(desired.document()).unwrap_or_default();
    run_script(conn, &create_script(&desired)).map_err(|f| TestCaseError::fail(format!("build: {f}")))?;
    let built = read(conn, &desired)?;
    let record = IdentityRecord::of(&desired, &built);
    let fresh = assess(&desired, &built, &built, Vec::new(), Some(&record));
    prop_assert!(fresh.in_step && fresh.elements.is_empty(), "a fresh build drifts:\n{}", explain(&fresh));

    let all = edits(desired.model(), &text);
    let edit = &all[pick % all.len()];
    execute(conn, &edit.sql).map_err(|e| TestCaseError::fail(format!("{}: {e}", edit.sql)))?;
    let live = read(conn, &desired)?;
    let d = assess(&desired, &built, &live, Vec::new(), Some(&record));
    let context = || format!("edit {edit:?}\n{}", explain(&d));
    prop_assert!(!d.in_step, "the edit is not drift\n{}", context());
    prop_assert_eq!(d.elements.len(), 1, "exactly the edit\n{}", context());
    let e = &d.elements[0];
    prop_assert_eq!((e.kind, e.status), (edit.kind, edit.status), "{}", context());
    if let Some(id) = &edit.id {
        prop_assert_eq!(&e.id, id, "{}", context());
    }

    // The drift's script (what a to-live sync applies) brings it back.
    for s in &d.to_design {
        execute(conn, s).map_err(|e| TestCaseError::fail(format!("{s}: {e}\n{}", context())))?;
    }
    let after = assess(&desired, &built, &read(conn, &desired)?, Vec::new(), Some(&record));
    prop_assert!(
        after.in_step && after.elements.is_empty(),
        "not in step after the script\n{}\n{}",
        context(),
        explain(&after)
    );
    Ok(())
}

#[test]
fn drift_reports_exactly_an_edit_made_outside_and_its_script_undoes_it() {
    // A database of its own per case: the catalog read runs in a
    // transaction of its own (repeatable read), so the case cannot run in
    // one that is rolled back.
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&(valid_document(), any::<usize>()), |(doc, pick)| {
            let db = TestDb::create().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut conn = db.connect().map_err(|e| TestCaseError::fail(e.to_string()))?;
            case(&mut conn, doc, pick)
        })
        .unwrap();
}
