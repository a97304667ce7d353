#!/usr/bin/env bash
# Make sure libclang is installed: pg_query (crates/pgparse) runs bindgen over
# libpg_query's header, and bindgen loads libclang (Debian: libclang-dev).
# libpq, which diesel links, is scripts/ensure-postgres.sh's business.
# pg_query also regenerates its protobuf code when `protoc` is on the PATH;
# it is not needed (the crate ships the generated code), so it is not installed.
# Installs from the distribution's packages (Debian/Ubuntu) when missing.
set -euo pipefail

log() { echo "ensure-build-deps: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else log "need root to run: $*"; exit 1
    fi
}

missing=()
ldconfig -p 2>/dev/null | grep -q 'libclang\(-[0-9.]*\)\?\.so ' || compgen -G '/usr/lib/llvm-*/lib/libclang.so' >/dev/null || missing+=(libclang-dev)

if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        log "missing ${missing[*]} and no apt-get here: install them with your package manager"
        exit 1
    fi
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
