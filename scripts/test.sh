#!/usr/bin/env bash
# Run every check and test: formatting, lints, unit, snapshot, property and
# PostgreSQL integration tests. Starts (or installs) PostgreSQL if needed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-postgres.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --no-fail-fast
else
    cargo test --workspace --locked --no-fail-fast --lib --bins --tests
fi

echo "== doc tests"
cargo test --workspace --locked --doc
