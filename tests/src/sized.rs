//! Generated schemas of a given size, for benchmarks (shared by the SQL
//! generation and the provisioning benchmarks).

use schemaforge_domain::{DocumentParseError, SchemaDocument, parse_document};
use serde_json::json;

/// `n` tables of 8 columns each (identity key, varchar, enum, numeric with a
/// check, timestamptz default, jsonb, text[], a foreign key to the previous
/// table with its index).
pub fn document(n: usize) -> Result<SchemaDocument, DocumentParseError> {
    let tables: Vec<_> = (0..n)
        .map(|i| {
            json!({
                "id": format!("t{i}"), "name": format!("table_{i}"),
                "columns": [
                    {"id": format!("t{i}_id"), "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true},
                    {"id": format!("t{i}_name"), "name": "name", "dataType": "varchar(100)", "nullable": false},
                    {"id": format!("t{i}_status"), "name": "status", "dataType": "enum", "enumId": "status", "default": "active"},
                    {"id": format!("t{i}_price"), "name": "price", "dataType": "numeric(10,2)", "default": 0},
                    {"id": format!("t{i}_created"), "name": "created_at", "dataType": "timestamptz", "default": {"function": "now"}},
                    {"id": format!("t{i}_data"), "name": "data", "dataType": "jsonb"},
                    {"id": format!("t{i}_tags"), "name": "tags", "dataType": "text[]"},
                    {"id": format!("t{i}_parent"), "name": "parent_id", "dataType": "bigint"}
                ],
                "checks": [{"id": format!("t{i}_ck"), "expression": "price >= 0 AND length(name) > 0"}],
                "indexes": [{"id": format!("t{i}_ix"), "columnIds": [format!("t{i}_parent")]}]
            })
        })
        .collect();
    let fks: Vec<_> = (1..n)
        .map(|i| {
            json!({"id": format!("fk{i}"), "sourceTableId": format!("t{i}"), "sourceColumnId": format!("t{i}_parent"),
                   "targetTableId": format!("t{}", i - 1), "targetColumnId": format!("t{}_id", i - 1), "onDelete": "SET NULL"})
        })
        .collect();
    let doc = json!({
        "name": "bench",
        "enums": [{"id": "status", "name": "status", "values": ["active", "archived"]}],
        "tables": tables,
        "foreignKeys": fks
    });
    parse_document(&doc.to_string())
}
