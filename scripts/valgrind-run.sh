#!/usr/bin/env bash
# Runs one monitoring cycle of the built binary under valgrind against the
# local crt.sh server with the bundled sample data; fails on any leak or
# memory error.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT
python3 tests/servers/crtsh_server.py --data samples/crtsh --port-file "$work/port" &
srv=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
cat > "$work/ctmon.cfg" <<CFG
sources = ( { plugin = "crtsh"; config = { url = "http://127.0.0.1:$port/"; }; } );
CFG
CTMON_NO_DLCLOSE=1 valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
  "$build/bin/ctmon" --config "$work/ctmon.cfg" --domains example.com \
  --db "$work/ct.db" --report "$work/report.json" >/dev/null
echo "valgrind: no leaks, no memory errors"
