//! Broken documents are rejected with the right code, and nothing panics on
//! arbitrary input.

use proptest::prelude::*;
use schemaforge_domain::{ValidSchema, parse_document, validate};
use schemaforge_tests::generate::invalid_document;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn broken_documents_report_the_expected_code((doc, breakage) in invalid_document()) {
        let report = validate(&doc);
        prop_assert!(!report.valid, "{breakage:?} was accepted");
        prop_assert!(
            report.errors().any(|p| p.code.as_str() == breakage.expected_code()),
            "{breakage:?} should report {}, got {:#?}", breakage.expected_code(), report.problems
        );
        for p in &report.problems {
            prop_assert!(p.path.starts_with('/') || p.path.is_empty(), "bad path {}", p.path);
            prop_assert!(!p.message.is_empty());
        }
        prop_assert!(ValidSchema::parse(doc).is_err());
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        if let Ok(doc) = parse_document(&text) {
            let _ = validate(&doc);
        }
    }

    #[test]
    fn arbitrary_field_values_never_panic(
        names in prop::collection::vec(".{0,70}", 12),
        expressions in prop::collection::vec(".{0,40}", 2),
        number in any::<i64>(),
    ) {
        let json = serde_json::json!({
            "name": names[0],
            "enums": [{"id": names[1], "name": names[2], "values": [names[3], names[3]]}],
            "tables": [{
                "id": names[4], "name": names[5],
                "columns": [
                    {"id": names[6], "name": names[7], "dataType": names[8], "default": names[9], "primaryKey": true},
                    {"id": names[10], "name": names[11], "dataType": "integer", "default": number, "length": 3}
                ],
                "checks": [{"id": "k", "expression": expressions[0]}],
                "indexes": [{"id": "x", "columnIds": [names[6]], "where": expressions[1]}]
            }],
            "foreignKeys": [{"id": "f", "sourceTableId": names[4], "sourceColumnId": names[10], "targetTableId": names[4], "targetColumnId": names[6]}]
        });
        let doc = parse_document(&json.to_string()).unwrap();
        let report = validate(&doc);
        if report.valid {
            let schema = ValidSchema::parse(doc).unwrap();
            let _ = schemaforge_sqlgen::create_script(&schema);
        }
    }
}
