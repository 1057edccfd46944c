#!/usr/bin/env bash
# DNS benchmark (issue 5), baseline in the same run:
#  1. N names (default 10,000) against a local dnsmasq: ctmon's resolver at
#     several concurrencies vs one-at-a-time getaddrinfo() pointed at the
#     same dnsmasq; every answer is checked.
#  2. D names (default 1,000) whose server never answers, 2 s timeout:
#     ctmon's defaults (fail-fast on), fail-fast off at concurrency 64 and
#     at D, and getaddrinfo on a few names (extrapolated).
# Usage: bench/run_dns.sh BUILD_DIR [N] [D]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-10000}
dead=${3:-1000}
bin="$build/bench/bench_dns"
work=$(mktemp -d)
relays=()
cleanup() {
  for r in "${relays[@]}"; do kill "$r" 2>/dev/null || true; done
  exec 3>&-; wait "${helper:-0}" 2>/dev/null || true; rm -rf "$work"
}
trap cleanup EXIT
mkfifo "$work/in"
python3 tests/dns/dnsmasq_env.py --info "$work/info" --bulk "$n" --no-log \
  < "$work/in" &
helper=$!
exec 3>"$work/in" # the helper runs until this closes
for _ in $(seq 200); do [ -s "$work/info" ] && break; sleep 0.1; done
port=$(sed -n 's/^port=\([0-9]*\).*/\1/p' "$work/info")

echo "### $n names, local dnsmasq (port $port)"
echo
echo "| resolver | in flight | seconds | names/s | correct | vs getaddrinfo |"
echo "|---|---|---|---|---|---|"
read -r _ gs grate gok < <("$bin" gai "$port" "$n")
printf "| getaddrinfo, one at a time | 1 | %s | %s | %s | 1.0x |\n" \
  "$gs" "$grate" "$gok"
drops() { awk '/^Udp:/ && $2 ~ /^[0-9]/ {print $6}' /proc/net/snmp; }
for c in 1 16 64 256 1024; do
  d0=$(drops)
  read -r _ cs crate cok _ < <("$bin" ctmon "$port" "$n" "$c")
  printf "| ctmon | %d | %s | %s | %s | %s |\n" "$c" "$cs" "$crate" "$cok" \
    "$(awk "BEGIN{printf \"%.1fx\", $crate/$grate}")"
  [ "$(drops)" = "$d0" ] || echo "  (UDP receive-buffer drops during this run: $(( $(drops) - d0 )))"
done
echo
# The same through a relay that adds a round trip (real resolvers answer
# in 1-50 ms, loopback in ~0.05 ms), fewer names: the baseline is slow.
m=$(( n < 2000 ? n : 2000 ))
for rtt in 2 10; do
  "$bin" relay "$port" "$rtt" "$work/relay.$rtt" & relays+=($!)
  for _ in $(seq 50); do [ -s "$work/relay.$rtt" ] && break; sleep 0.1; done
  rport=$(cat "$work/relay.$rtt")
  echo "### $m names, local dnsmasq behind a relay adding $rtt ms round trip"
  echo
  echo "| resolver | in flight | seconds | names/s | correct | vs getaddrinfo |"
  echo "|---|---|---|---|---|---|"
  read -r _ gs grate gok < <("$bin" gai "$rport" "$m")
  printf "| getaddrinfo, one at a time | 1 | %s | %s | %s | 1.0x |\n" \
    "$gs" "$grate" "$gok"
  for c in 64 256; do
    read -r _ cs crate cok _ < <("$bin" ctmon "$rport" "$m" "$c")
    printf "| ctmon | %d | %s | %s | %s | %s |\n" "$c" "$cs" "$crate" "$cok" \
      "$(awk "BEGIN{printf \"%.1fx\", $crate/$grate}")"
  done
  echo
done
echo "### $dead names, server never answers, 2 s timeout"
echo
echo "| resolver | in flight | fail-fast | seconds | timeout | not asked | queries at server |"
echo "|---|---|---|---|---|---|---|"
for spec in "64 1" "64 0" "$dead 0"; do
  set -- $spec
  read -r _ ds dt dk dq < <("$bin" dead "$dead" "$1" 2000 "$2")
  printf "| ctmon | %s | %s | %s | %s | %s | %s |\n" "$1" \
    "$([ "$2" = 1 ] && echo on || echo off)" "$ds" "$dt" "$dk" "$dq"
done
read -r gn gsec gper _ gq < <("$bin" gai-dead 3 2)
printf "| getaddrinfo, one at a time | 1 | - | %s for %s names (%s s/name; %s names: ~%.0f s) | | | %s |\n" \
  "$gsec" "$gn" "$gper" "$dead" "$(awk "BEGIN{print $gper*$dead}")" "$gq"
