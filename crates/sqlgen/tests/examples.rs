//! Snapshot tests of the whole create and drop scripts of every example.
//! The same scripts are executed on PostgreSQL by `tests/tests/it/examples.rs`.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use schemaforge_domain::{ValidSchema, parse_document};
use schemaforge_sqlgen::{create_script, drop_script};

fn example(name: &str) -> ValidSchema {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    ValidSchema::parse(parse_document(&text).unwrap()).unwrap()
}

fn check(name: &str) {
    let schema = example(name);
    let create = create_script(&schema).to_sql();
    let drop = drop_script(&schema).to_sql();
    insta::assert_snapshot!(format!("{name}_create"), create);
    insta::assert_snapshot!(format!("{name}_drop"), drop);
    // Same document, same bytes.
    assert_eq!(create, create_script(&example(name)).to_sql());
}

#[test]
fn blog() {
    check("blog");
}

#[test]
fn ecommerce() {
    check("ecommerce");
}

#[test]
fn clinic() {
    check("clinic");
}

#[test]
fn reports() {
    check("reports");
}

#[test]
fn events() {
    check("events");
}
