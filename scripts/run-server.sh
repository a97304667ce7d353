#!/usr/bin/env bash
# Start the Schemaforge server against a local PostgreSQL: starts (or
# installs) PostgreSQL like the tests do (and libclang, which the build needs), creates the metadata database if it
# is missing, and runs the server (it applies its migrations at start and
# prints where it listens). Stop it with Ctrl-C (graceful shutdown).
#
# DATABASE_URL or SCHEMAFORGE__DATABASE__URL choose another database;
# SCHEMAFORGE__SERVER__PORT another port (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-postgres.sh
scripts/ensure-build-deps.sh

url="${SCHEMAFORGE__DATABASE__URL:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/schemaforge}}"
db="${url##*/}"
db="${db%%\?*}"
admin="${url%/*}/postgres"
if command -v psql >/dev/null 2>&1; then
    if [ "$(psql "$admin" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
        echo "run-server: creating database $db" >&2
        psql "$admin" -qc "CREATE DATABASE \"$db\""
    fi
fi
export DATABASE_URL="$url"
exec cargo run --release -p schemaforge-server
