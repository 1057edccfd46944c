#!/usr/bin/env bash
# The main job on bundled sample data, offline: builds ctmon, serves the
# sample crt.sh response for example.com from a local crt.sh-compatible
# server, runs a monitoring cycle into a fresh database, prints the alerts
# and writes report.json and report.html (the same findings as one
# self-contained page; open it in any browser).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
out=${DEMO_OUT:-demo-out}
mkdir -p "$out"
rm -f "$out/ct_monitor.db" "$out/ct_monitor.db-wal" "$out/ct_monitor.db-shm"
work=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT
python3 tests/servers/crtsh_server.py --data samples/crtsh --port-file "$work/port" &
srv=$!
# DNS answers come from a local dnsmasq with sample records (support.* is
# a dangling CNAME, dev.* does not exist): no resolver outside is asked.
dport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
  --listen-address=127.0.0.1 --bind-interfaces --port="$dport" --user="$(id -un)" \
  --pid-file= --addn-hosts="$PWD/samples/dns/example.com.hosts" \
  --cname=support.example.com,gone.example.com --local=/example.com/ &
dns=$!
trap 'kill $srv $dns 2>/dev/null || true; rm -rf "$work"' EXIT
dns_up() { ! python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $dport))" 2>/dev/null; }
for _ in $(seq 50); do [ -s "$work/port" ] && dns_up && break; sleep 0.1; done
port=$(cat "$work/port")
cat > "$out/ctmon.cfg" <<CFG
# Demo configuration: crt.sh is replaced by the local server on port $port.
database = "$out/ct_monitor.db";
domains = [ "example.com" ];
notify_baseline = true;   # show the first cycle's findings on stdout
dns_servers = [ "127.0.0.1:$dport" ];
sources = ( { plugin = "crtsh"; config = { url = "http://127.0.0.1:$port/"; }; } );
CFG
# The sample answer was captured in 2023: the clock is pinned to then, so
# the expiry timeline and the expiring alerts show what they showed.
export CTMON_NOW=${CTMON_NOW:-1685620800} # 2023-06-01T12:00:00Z
./build/bin/ctmon --config "$out/ctmon.cfg" --report "$out/report.json"
# A second run fetches nothing new; it writes the HTML page of the store.
./build/bin/ctmon --config "$out/ctmon.cfg" --report "$out/report.html" >/dev/null
echo
echo "alerts in the store:"
./build/bin/ctmon --config "$out/ctmon.cfg" --list-alerts --state all
echo
echo "reports: $out/report.json $out/report.html"
