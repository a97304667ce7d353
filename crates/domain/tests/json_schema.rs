//! docs/schema.json is generated from the Rust types; this keeps it current.
//! Regenerate with `UPDATE_JSON_SCHEMA=1 cargo test -p schemaforge-domain --test json_schema`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

#[test]
fn published_json_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/schema.json");
    let expected = serde_json::to_string_pretty(&schemaforge_domain::json_schema()).unwrap() + "\n";
    if std::env::var("UPDATE_JSON_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/schema.json is stale; regenerate it with UPDATE_JSON_SCHEMA=1 cargo test -p schemaforge-domain --test json_schema"
    );
}

#[test]
fn json_schema_describes_the_document() {
    let schema = schemaforge_domain::json_schema();
    assert_eq!(schema["required"], serde_json::json!(["name"]));
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    let defs = schema["$defs"].as_object().unwrap();
    for def in ["Table", "Column", "ForeignKey", "Index", "Check", "EnumType", "ReferentialAction"] {
        assert!(defs.contains_key(def), "{def} missing");
    }
}
