#!/usr/bin/env bash
# Install schemathesis (from PyPI, at a pinned version) into a virtual
# environment this script creates at .tools/schemathesis, once; print the
# path of its `schemathesis` command. The API contract test
# (tests/tests/api/contract.rs) runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV=.tools/schemathesis
BIN="$VENV/bin/schemathesis"

log() { echo "ensure-schemathesis: $*" >&2; }

if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "$VERSION"; then
    echo "$PWD/$BIN"
    exit 0
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
    log "python3 with venv is needed; installing it from the distribution's packages"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq python3 python3-venv >&2
    else sudo apt-get update -qq && sudo apt-get install -y -qq python3 python3-venv >&2
    fi
fi

log "creating $VENV with schemathesis $VERSION"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
echo "$PWD/$BIN"
