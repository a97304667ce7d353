//! Generated schemas of a given size, for benchmarks (shared by the SQL
//! generation and the provisioning benchmarks).

use schemaforge_domain::{DocumentParseError, SchemaDocument, parse_document};
use serde_json::json;

/// `n` tables of 8 columns each (identity key, varchar, enum, numeric with a
/// check, timestamptz default, jsonb, text[], a foreign key to the previous
/// table with its index).
pub fn document(n: usize) -> Result<SchemaDocument, DocumentParseError> {
    parse_document(&value(n, false).to_string())
}

/// [`document`] after an edit of every table: renamed, `name` widened to
/// `text` (under the check that reads it), a nullable `note` column with a
/// unique constraint added, and the foreign keys' `ON DELETE` changed: the
/// diff benchmark's new version.
pub fn edited(n: usize) -> Result<SchemaDocument, DocumentParseError> {
    parse_document(&value(n, true).to_string())
}

fn value(n: usize, edit: bool) -> serde_json::Value {
    let tables: Vec<_> = (0..n)
        .map(|i| {
            let mut columns = vec![
                json!({"id": format!("t{i}_id"), "name": "id", "dataType": "bigint", "primaryKey": true, "autoIncrement": true}),
                json!({"id": format!("t{i}_name"), "name": "name", "dataType": if edit { "text" } else { "varchar(100)" }, "nullable": false}),
                json!({"id": format!("t{i}_status"), "name": "status", "dataType": "enum", "enumId": "status", "default": "active"}),
                json!({"id": format!("t{i}_price"), "name": "price", "dataType": "numeric(10,2)", "default": 0}),
                json!({"id": format!("t{i}_created"), "name": "created_at", "dataType": "timestamptz", "default": {"function": "now"}}),
                json!({"id": format!("t{i}_data"), "name": "data", "dataType": "jsonb"}),
                json!({"id": format!("t{i}_tags"), "name": "tags", "dataType": "text[]"}),
                json!({"id": format!("t{i}_parent"), "name": "parent_id", "dataType": "bigint"}),
            ];
            if edit {
                columns.push(json!({"id": format!("t{i}_note"), "name": "note", "dataType": "text", "unique": true}));
            }
            json!({
                "id": format!("t{i}"), "name": if edit { format!("table_{i}_v2") } else { format!("table_{i}") },
                "columns": columns,
                "checks": [{"id": format!("t{i}_ck"), "expression": "price >= 0 AND length(name) > 0"}],
                "indexes": [{"id": format!("t{i}_ix"), "columnIds": [format!("t{i}_parent")]}]
            })
        })
        .collect();
    let fks: Vec<_> = (1..n)
        .map(|i| {
            json!({"id": format!("fk{i}"), "sourceTableId": format!("t{i}"), "sourceColumnId": format!("t{i}_parent"),
                   "targetTableId": format!("t{}", i - 1), "targetColumnId": format!("t{}_id", i - 1),
                   "onDelete": if edit { "CASCADE" } else { "SET NULL" }})
        })
        .collect();
    json!({
        "name": "bench",
        "enums": [{"id": "status", "name": "status", "values": ["active", "archived"]}],
        "tables": tables,
        "foreignKeys": fks
    })
}
