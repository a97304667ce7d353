#!/usr/bin/env bash
# Run every check and test: formatting, lints, unit, snapshot, property and
# PostgreSQL integration tests. Starts (or installs) PostgreSQL if needed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-postgres.sh
scripts/ensure-build-deps.sh
# The API contract test (tests/tests/api/contract.rs) runs schemathesis.
SCHEMATHESIS="$(scripts/ensure-schemathesis.sh)"
export SCHEMATHESIS

# Property tests are deterministic here (same cases on every run, so CI is
# reproducible); set PROPTEST_RNG_SEED to another number, or run cargo
# nextest directly, to explore new cases.
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261122}"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== doc tests"
cargo test --workspace --locked --doc

echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --no-fail-fast
else
    cargo test --workspace --locked --no-fail-fast --lib --bins --tests
fi
