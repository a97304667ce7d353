//! Examples in the documentation work: every ```json block of
//! docs/schema-format.md is a complete document that validates, and its SQL
//! runs on PostgreSQL.

use schemaforge_domain::{ValidSchema, parse_document};
use schemaforge_sqlgen::create_script;
use schemaforge_testdb::TestDb;
use schemaforge_tests::run_script;

fn json_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```json") => current = Some(String::new()),
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
