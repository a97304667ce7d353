//! Cross-crate tests. Those that need PostgreSQL use a fresh database per
//! test from `schemaforge-testdb` (server: `SCHEMAFORGE_TEST_DATABASE_URL`,
//! default `postgres://postgres@127.0.0.1:5432/postgres`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod architecture;
mod carried;
mod collations;
mod composites;
mod conformance;
mod constraints;
mod defaults;
mod docs;
mod domains;
mod drift;
mod enum_ids;
mod examples;
mod exclusions;
mod expressions;
mod fixtures;
mod full_grammar;
mod generated;
mod generated_columns;
mod identity;
mod import;
mod indexes;
mod invalid;
mod migrations;
mod namespaces;
mod openapi;
mod partitions;
mod regressions;
mod sequences;
mod statements;
mod text_search;
mod types;
mod views;
