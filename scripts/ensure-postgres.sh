#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the tests, and
# that libpq (needed to build diesel) is installed.
#
# - If a server already answers there, use it as it is.
# - Else, if PostgreSQL is installed, start its cluster.
# - Else, install it from the distribution's packages (Debian/Ubuntu), create
#   and start a cluster, and allow password-less connections from 127.0.0.1
#   and ::1 only (this is for throw-away test machines; say so loudly).
set -euo pipefail

HOST=127.0.0.1
PORT=5432

log() { echo "ensure-postgres: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else log "need root to run: $*"; exit 1
    fi
}

answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -h "$HOST" -p "$PORT" -q
    else
        (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
    fi
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# libpq for diesel's build
if ! { [ -e /usr/include/postgresql/libpq-fe.h ] || pkg-config --exists libpq 2>/dev/null; }; then
    log "installing libpq-dev"
    apt_install libpq-dev
fi

# psql and pg_dump: the import tests load fixtures and compare dumps.
if ! command -v pg_dump >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    log "installing PostgreSQL's client (psql, pg_dump)"
    apt_install postgresql-client
fi

if answers; then
    log "PostgreSQL answers on $HOST:$PORT"
    exit 0
fi

installed_now=0
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "PostgreSQL is not installed; installing it from the distribution's packages"
    apt_install postgresql postgresql-client
    installed_now=1
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
if command -v pg_lsclusters >/dev/null 2>&1; then
    if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
        log "creating cluster $version/main"
        as_root pg_createcluster "$version" main >/dev/null
        installed_now=1
    fi
    conf_dir="/etc/postgresql/$version/main"
    if [ "$installed_now" -eq 1 ] && [ -f "$conf_dir/pg_hba.conf" ]; then
        log "WARNING: allowing password-less (trust) connections from 127.0.0.1 and ::1 on this new cluster"
        as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf_dir/pg_hba.conf"
    fi
    log "starting cluster $version/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
else
    log "no pg_ctlcluster found; start PostgreSQL on $HOST:$PORT yourself"
    exit 1
fi

for _ in $(seq 1 60); do
    if answers; then
        log "PostgreSQL answers on $HOST:$PORT"
        exit 0
    fi
    sleep 0.5
done
log "PostgreSQL did not come up on $HOST:$PORT"
exit 1
