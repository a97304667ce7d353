//! Examples in the documentation work: every ```json block of
//! docs/schema-format.md is a complete document that validates, and its SQL
//! runs on PostgreSQL; the worked example of docs/migrations.md shows the
//! real up script, which runs on a database with rows.

use schemaforge_domain::{ValidSchema, parse_document};
use schemaforge_sqlgen::create_script;
use schemaforge_testdb::TestDb;
use schemaforge_tests::run_script;

fn json_blocks(markdown: &str) -> Vec<String> {
    blocks(markdown, "json")
}

/// The fenced blocks of one language, in order.
fn blocks(markdown: &str, language: &str) -> Vec<String> {
    let fence = format!("```{language}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, open) if open == fence => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn schema_format_examples_validate_and_apply() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/schema-format.md");
    let text = std::fs::read_to_string(path).unwrap();
    let blocks = json_blocks(&text);
    assert!(!blocks.is_empty(), "no ```json examples found");
    for (i, block) in blocks.iter().enumerate() {
        let doc = parse_document(block).unwrap_or_else(|e| panic!("json block {i}: {e}\n{block}"));
        let schema = ValidSchema::parse(doc).unwrap_or_else(|e| panic!("json block {i}: {:#?}", e.report.problems));
        let db = TestDb::create().unwrap();
        let mut conn = db.connect().unwrap();
        run_script(&mut conn, &create_script(&schema)).unwrap_or_else(|f| panic!("json block {i}: {f}"));
    }
}

#[test]
fn migrations_worked_example_is_current_and_runs() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/migrations.md");
    let text = std::fs::read_to_string(path).unwrap();
    let docs = json_blocks(&text);
    assert_eq!(docs.len(), 2, "v1 and v2");
    let schema = |block: &str| ValidSchema::parse(parse_document(block).unwrap()).unwrap();
    let (v1, v2) = (schema(&docs[0]), schema(&docs[1]));
    let m = schemaforge_sqlgen::migration(&v1, &v2);
    assert_eq!(blocks(&text, "sql"), [m.up.to_sql()], "docs/migrations.md shows another up script");
    let db = TestDb::create().unwrap();
    let mut conn = db.connect().unwrap();
    run_script(&mut conn, &create_script(&v1)).unwrap();
    schemaforge_testdb::execute(
        &mut conn,
        "INSERT INTO users (email, name, legacy_id) VALUES ('a@example.com', 'Ann', 'x')",
    )
    .unwrap();
    schemaforge_testdb::execute(&mut conn, "BEGIN").unwrap();
    run_script(&mut conn, &m.up).unwrap_or_else(|f| panic!("{f}"));
    schemaforge_testdb::execute(&mut conn, "COMMIT").unwrap();
    let n = schemaforge_testdb::count(
        &mut conn,
        "SELECT count(*) AS n FROM accounts WHERE display_name = 'Ann' AND plan = 'free' AND id = 1",
    )
    .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn partitions_domains_composites_namespaces_and_views_examples_render_as_shown() {
    for heading in [
        "### 8.1 Domains",
        "### 8.2 Composite types",
        "### 8.3 Namespaces",
        "### 8.4 Views and materialized views",
        "### 8.6 Collations",
    ] {
        example_renders_as_shown(heading);
    }
}

/// The first json block under `heading` renders the statements of the
/// first sql block there.
fn example_renders_as_shown(heading: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/schema-format.md");
    let text = std::fs::read_to_string(path).unwrap();
    let section = text.split(heading).nth(1).unwrap();
    let section = section.split("\n#").next().unwrap();
    let (json, sql) = (&json_blocks(section)[0], &blocks(section, "sql")[0]);
    let script = create_script(&ValidSchema::parse(parse_document(json).unwrap()).unwrap()).to_sql();
    for statement in sql.split("\n\n") {
        assert!(script.contains(statement.trim()), "not in the create script:\n{statement}\n\n{script}");
    }
}
