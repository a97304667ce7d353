//! Validation and SQL generation on generated schemas of 10, 100 and 1000
//! tables. Run with `cargo bench -p schemaforge-sqlgen`; figures are in
//! docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use schemaforge_domain::{SchemaDocument, ValidSchema, parse_document, validate};
use schemaforge_sqlgen::create_script;
use serde_json::json;

/// `n` tables of 8 columns each (identity key, varchar, enum, numeric with a
/// check, timestamptz default, jsonb, text[], a foreign key to the previous
/// table with its index).
fn document(n: usize) -> SchemaDocument {
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
    parse_document(&doc.to_string()).unwrap()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("schema");
    for n in [10, 100, 1000] {
        let doc = document(n);
        let json = serde_json::to_string(&doc).unwrap();
        let schema = ValidSchema::parse(doc.clone()).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("parse_json", n), &json, |b, json| {
            b.iter(|| parse_document(json).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("validate", n), &doc, |b, doc| b.iter(|| validate(doc)));
        group.bench_with_input(BenchmarkId::new("create_script", n), &schema, |b, schema| {
            b.iter(|| create_script(schema).to_sql())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
