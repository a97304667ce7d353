#!/usr/bin/env bash
# The read benchmark (tests/benches/reads.rs): builds the release server,
# then alternates pgbench -S and GET /schemas/{id} at 32 clients.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
cargo build --release --locked -p schemaforge-server
cargo bench --locked -p schemaforge-tests --bench reads
