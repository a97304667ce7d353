#!/usr/bin/env bash
# The read benchmark (tests/benches/reads.rs): builds the release server,
# installs wrk (the HTTP load generator) when it is missing, then alternates
# pgbench -S and GET /schemas/{id} at 32 clients.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
if ! command -v wrk >/dev/null 2>&1 && [ "${READS_BENCH_CLIENT:-}" != awc ]; then
    echo "bench-reads: installing wrk from the distribution's packages" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --locked -p schemaforge-server
cargo bench --locked -p schemaforge-tests --bench reads
