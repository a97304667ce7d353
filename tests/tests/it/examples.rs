//! Every example document validates without errors, and its create script
//! and then its drop script run on a real PostgreSQL database.

use schemaforge_domain::{ValidSchema, parse_document};
use schemaforge_sqlgen::{create_script, drop_script};
use schemaforge_testdb::{TestDb, count};
use schemaforge_tests::run_script;

fn example(name: &str) -> ValidSchema {
    let path = format!("{}/../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let doc = parse_document(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    ValidSchema::parse(doc).unwrap_or_else(|e| panic!("{path}: {:#?}", e.report.problems))
}

fn apply_and_drop(name: &str) {
    let schema = example(name);
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    let create = create_script(&schema);
    run_script(&mut conn, &create).unwrap_or_else(|f| panic!("{name}: {f}"));
    let model = schema.model();
    let tables = count(&mut conn, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'").unwrap();
    let partitions: usize = model.tables.iter().map(|t| t.partitions.len()).sum();
    assert_eq!(tables, (model.tables.len() + partitions) as i64);
    let fks = count(&mut conn, "SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f'").unwrap();
    assert_eq!(fks, model.foreign_keys.len() as i64);
    let checks = count(
        &mut conn,
        "SELECT count(*) AS n FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE contype = 'c' AND n.nspname = 'public'",
    )
    .unwrap();
    assert_eq!(checks, model.tables.iter().map(|t| t.checks.len()).sum::<usize>() as i64);
    let enums = count(&mut conn, "SELECT count(*) AS n FROM pg_type WHERE typtype = 'e'").unwrap();
    assert_eq!(enums, model.enums.len() as i64);
    let indexes = count(&mut conn, "SELECT count(*) AS n FROM pg_indexes WHERE schemaname = 'public'").unwrap();
    let expected_indexes: usize = model
        .tables
        .iter()
        .map(|t| {
            let own = usize::from(t.primary_key.is_some()) + t.uniques.len() + t.indexes.len();
            let partitions: usize = t.partitions.iter().map(|p| p.inherited.len() + p.indexes.len()).sum();
            own + partitions
        })
        .sum::<usize>()
        + model.views.iter().filter(|v| v.namespace.is_none()).map(|v| v.indexes.len()).sum::<usize>();
    assert_eq!(indexes, expected_indexes as i64);
    let views = count(&mut conn, "SELECT count(*) AS n FROM pg_class WHERE relkind IN ('v', 'm') AND relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)").unwrap();
    assert_eq!(views, model.views.len() as i64);

    run_script(&mut conn, &drop_script(&schema)).unwrap_or_else(|f| panic!("{name}: {f}"));
    let left = count(
        &mut conn,
        "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
    )
    .unwrap();
    assert_eq!(left, 0, "the drop script left relations behind");
    let enums_left = count(&mut conn, "SELECT count(*) AS n FROM pg_type WHERE typtype = 'e'").unwrap();
    assert_eq!(enums_left, 0);
}

#[test]
fn blog_applies_and_drops() {
    apply_and_drop("blog");
}

#[test]
fn ecommerce_applies_and_drops() {
    apply_and_drop("ecommerce");
}

#[test]
fn clinic_applies_and_drops() {
    apply_and_drop("clinic");
}

#[test]
fn events_applies_and_drops() {
    apply_and_drop("events");
}

#[test]
fn reports_applies_and_drops() {
    apply_and_drop("reports");
}

#[test]
fn examples_have_no_warnings() {
    for name in ["blog", "ecommerce", "clinic"] {
        let schema = example(name);
        assert!(schema.warnings().is_empty(), "{name}: {:#?}", schema.warnings());
    }
}

#[test]
fn examples_cover_the_required_features() {
    let schemas: Vec<ValidSchema> = ["blog", "ecommerce", "clinic"].iter().map(|n| example(n)).collect();
    let any = |f: &dyn Fn(&ValidSchema) -> bool| schemas.iter().any(f);
    assert!(any(&|s| !s.model().enums.is_empty()), "enums");
    assert!(
        any(&|s| s.model().tables.iter().any(|t| t.primary_key.as_ref().is_some_and(|k| k.column_ids.len() > 1))),
        "composite keys"
    );
    assert!(any(&|s| s.summary().self_references > 0), "self-references");
    assert!(any(&|s| s.summary().cycles > 0), "cycles");
}
