//! End-to-end tests: the real server on a random port against a fresh
//! PostgreSQL database per test, driven over HTTP. `TEST_LOG=1` shows the
//! server's logs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod helpers;

mod accounts;
mod bad_input;
mod connections;
mod contract;
mod drift;
mod hardening;
mod imports;
mod limits;
mod migrations;
mod operations;
mod provisioning;
mod readiness;
mod reads;
mod schemas;
mod sync;
