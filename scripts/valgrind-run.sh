#!/usr/bin/env bash
# Runs one monitoring cycle of the built binary under valgrind against the
# local crt.sh server with the bundled sample data; fails on any leak or
# memory error.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; exec 3>&-; wait; rm -rf "$work"' EXIT
python3 tests/servers/crtsh_server.py --data samples/crtsh --port-file "$work/port" &
srv=$!
# DNS goes to a local dnsmasq (it runs until fd 3 closes), never to the
# system's resolvers; the names get real answers (here: REFUSED).
mkfifo "$work/dns.in"
python3 tests/dns/dnsmasq_env.py --info "$work/dns" < "$work/dns.in" &
exec 3>"$work/dns.in"
for _ in $(seq 100); do [ -s "$work/port" ] && [ -s "$work/dns" ] && break; sleep 0.1; done
port=$(cat "$work/port")
dport=$(sed -n 's/^port=\([0-9]*\).*/\1/p' "$work/dns")
cat > "$work/ctmon.cfg" <<CFG
sources = ( { plugin = "crtsh"; config = { url = "http://127.0.0.1:$port/"; }; } );
dns_servers = [ "127.0.0.1:$dport" ];
CFG
CTMON_NO_DLCLOSE=1 valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
  "$build/bin/ctmon" --config "$work/ctmon.cfg" --domains example.com \
  --db "$work/ct.db" --report "$work/report.json" >/dev/null
echo "valgrind: no leaks, no memory errors"
