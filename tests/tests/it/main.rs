//! Cross-crate tests. Those that need PostgreSQL use a fresh database per
//! test from `schemaforge-testdb` (server: `SCHEMAFORGE_TEST_DATABASE_URL`,
//! default `postgres://postgres@127.0.0.1:5432/postgres`).

mod architecture;
mod defaults;
mod examples;
mod expressions;
mod generated;
mod invalid;
