//! Validation, SQL generation and migrations on generated schemas of 10,
//! 100 and 1000 tables (migrations also 10,000), and validation of checks
//! in PostgreSQL's grammar against the small language, and namespaces
//! (every table moved into one, against every table edited), views over
//! every table, a table of many partitions, and a trigger on every table.
//! Run with
//! `cargo bench -p schemaforge-sqlgen`; figures are in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use schemaforge_domain::{ValidSchema, parse_document, validate};
use schemaforge_sqlgen::{create_script, migration};

// The same generated schemas as the provisioning benchmark.
#[path = "../../../tests/src/sized.rs"]
mod sized;
use sized::{document, edited};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("schema");
    for n in [10, 100, 1000] {
        let doc = document(n).unwrap();
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

/// The diff and both scripts between a schema and its edit of every table.
fn bench_migration(c: &mut Criterion) {
    let mut group = c.benchmark_group("migration");
    group.sample_size(10);
    for n in [10, 100, 1000, 10_000] {
        let old = ValidSchema::parse(document(n).unwrap()).unwrap();
        let new = ValidSchema::parse(edited(n).unwrap()).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("diff_and_scripts", n), &(old, new), |b, (old, new)| {
            b.iter(|| migration(old, new))
        });
    }
    group.finish();
}

/// Validation when every check is written as PostgreSQL prints it (the
/// full grammar, parsed by libpg_query) against the same checks in the small
/// language, side by side for each size.
fn bench_full_grammar(c: &mut Criterion) {
    let mut group = c.benchmark_group("full_grammar");
    group.sample_size(20);
    for n in [100, 1000] {
        let small = document(n).unwrap();
        let mut full = small.clone();
        for t in &mut full.tables {
            for k in &mut t.checks {
                k.expression = "((price >= (0)::numeric) AND (length((name)::text) > 0))".into();
            }
        }
        assert!(ValidSchema::parse(full.clone()).is_ok());
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("validate_small_language", n), &small, |b, d| b.iter(|| validate(d)));
        group
            .bench_with_input(BenchmarkId::new("validate_postgresql_grammar", n), &full, |b, d| b.iter(|| validate(d)));
    }
    group.finish();
}

/// Every table (and the enum) moved into a namespace of its own, against
/// the edit of every table above, side by side for each size; and the
/// moved document validated against the one in public.
fn bench_namespaces(c: &mut Criterion) {
    let mut group = c.benchmark_group("namespaces");
    group.sample_size(10);
    for n in [100, 1000, 10_000] {
        let doc = document(n).unwrap();
        let mut moved = doc.clone();
        moved.namespaces.push(schemaforge_domain::Namespace {
            id: "n_archive".into(),
            name: "archive".into(),
            comment: None,
        });
        for t in &mut moved.tables {
            t.namespace_id = Some("n_archive".into());
        }
        for e in &mut moved.enums {
            e.namespace_id = Some("n_archive".into());
        }
        let old = ValidSchema::parse(doc.clone()).unwrap();
        let edit = ValidSchema::parse(edited(n).unwrap()).unwrap();
        let moved_schema = ValidSchema::parse(moved.clone()).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("validate_public", n), &doc, |b, d| b.iter(|| validate(d)));
        group.bench_with_input(BenchmarkId::new("validate_in_namespace", n), &moved, |b, d| b.iter(|| validate(d)));
        group.bench_with_input(BenchmarkId::new("edit_every_table", n), &(&old, &edit), |b, (o, e)| {
            b.iter(|| migration(o, e))
        });
        group.bench_with_input(BenchmarkId::new("move_every_table", n), &(&old, &moved_schema), |b, (o, m)| {
            b.iter(|| migration(o, m))
        });
    }
    group.finish();
}

/// A view over every table (and the tables renamed under them, which keeps
/// every view), against the same documents without views; and one table
/// with `n` partitions, validated and given one more.
fn bench_views_and_partitions(c: &mut Criterion) {
    let mut group = c.benchmark_group("views_partitions");
    group.sample_size(10);
    let with_views = |mut doc: schemaforge_domain::SchemaDocument| {
        let views: Vec<schemaforge_domain::View> = doc
            .tables
            .iter()
            .map(|t| schemaforge_domain::View {
                id: format!("v_{}", t.id),
                name: format!("{}_report", t.id),
                namespace_id: None,
                materialized: false,
                query: format!("SELECT x.id, x.name, x.price FROM {} x WHERE x.price > 0", t.name),
                indexes: Vec::new(),
                comment: None,
                position: None,
            })
            .collect();
        doc.views = views;
        doc
    };
    for n in [100, 1000, 10_000] {
        let doc = document(n).unwrap();
        let viewed = with_views(doc.clone());
        let old = ValidSchema::parse(viewed.clone()).unwrap();
        let renamed = ValidSchema::parse(with_views(edited(n).unwrap())).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("validate_without_views", n), &doc, |b, d| b.iter(|| validate(d)));
        group.bench_with_input(BenchmarkId::new("validate_with_views", n), &viewed, |b, d| b.iter(|| validate(d)));
        group.bench_with_input(BenchmarkId::new("edit_every_table_under_views", n), &(&old, &renamed), |b, (o, r)| {
            b.iter(|| migration(o, r))
        });
        let partitioned = |count: usize| {
            let partitions: Vec<serde_json::Value> = (0..count)
                .map(|i| {
                    serde_json::json!({"id": format!("p{i}"), "name": format!("events_{i}"),
                    "bound": {"from": [i * 10], "to": [i * 10 + 10]}})
                })
                .collect();
            parse_document(
                &serde_json::json!({"name": "p", "tables": [{"id": "t", "name": "events", "columns": [
                    {"id": "c1", "name": "id", "dataType": "bigint"}, {"id": "c2", "name": "at", "dataType": "integer", "nullable": false}],
                    "primaryKey": ["c1", "c2"], "partitionBy": {"strategy": "range", "columns": ["c2"]},
                    "partitions": partitions}]})
                .to_string(),
            )
            .unwrap()
        };
        let (p_old, p_new) = (partitioned(n), partitioned(n + 1));
        let (s_old, s_new) = (ValidSchema::parse(p_old.clone()).unwrap(), ValidSchema::parse(p_new).unwrap());
        group.bench_with_input(BenchmarkId::new("validate_partitions", n), &p_old, |b, d| b.iter(|| validate(d)));
        group.bench_with_input(BenchmarkId::new("add_a_partition", n), &(&s_old, &s_new), |b, (o, m)| {
            b.iter(|| migration(o, m))
        });
    }
    group.finish();
}

/// A trigger function and a trigger on every table, validated against the
/// same documents without them; and every function's body changed (each
/// replaced in place, its trigger kept).
fn bench_carried(c: &mut Criterion) {
    let mut group = c.benchmark_group("carried");
    group.sample_size(10);
    let with_triggers = |mut doc: schemaforge_domain::SchemaDocument, body: &str| {
        let object = |id: String, definition: String| schemaforge_domain::SqlObject { id, definition };
        doc.functions = doc
            .tables
            .iter()
            .map(|t| {
                object(
                    format!("f_{}", t.id),
                    format!(
                        "CREATE FUNCTION touch_{}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$",
                        t.id
                    ),
                )
            })
            .collect();
        doc.triggers = doc
            .tables
            .iter()
            .map(|t| {
                object(
                    format!("g_{}", t.id),
                    format!(
                        "CREATE TRIGGER touch BEFORE UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION touch_{}()",
                        t.name, t.id
                    ),
                )
            })
            .collect();
        doc
    };
    for n in [100, 1000, 10_000] {
        let doc = document(n).unwrap();
        let carried = with_triggers(doc.clone(), "RETURN NEW;");
        let old = ValidSchema::parse(carried.clone()).unwrap();
        let new = ValidSchema::parse(with_triggers(doc.clone(), "NEW.price := NEW.price; RETURN NEW;")).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("validate_without", n), &doc, |b, d| b.iter(|| validate(d)));
        group.bench_with_input(BenchmarkId::new("validate_with_a_trigger_per_table", n), &carried, |b, d| {
            b.iter(|| validate(d))
        });
        group.bench_with_input(BenchmarkId::new("replace_every_function", n), &(&old, &new), |b, (o, m)| {
            b.iter(|| migration(o, m))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench,
    bench_migration,
    bench_full_grammar,
    bench_namespaces,
    bench_views_and_partitions,
    bench_carried
);
criterion_main!(benches);
