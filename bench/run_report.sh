#!/usr/bin/env bash
# Report benchmark: a store of N issuances (bench/fill_report_store.py),
# then `ctmon --report` into report.html and report.json, timed.  The run
# has no source and no check, so its cycle costs ~0.02 s (measured: the
# same command without --report) and the wall time is the report's.
# Usage: bench/run_report.sh BUILD_DIR [N...]
set -euo pipefail
build=${1:-build}; shift || true
sizes=("${@:-1000000}")
bin="$build/bin/ctmon"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now=1795608000
printf "| issuances | fill s | format | ctmon --report wall s | report size | peak RSS MB |\n"
printf "|---|---|---|---|---|---|\n"
for n in ${sizes[@]}; do
  rm -f "$work"/ct.db*
  cat > "$work/ctmon.cfg" <<CFG
database = "$work/ct.db";
domains = [ "example.com", "example.net", "shop.example.org", "bank.test", "corp.example" ];
resolve_dns = false;
sources = ( );
notifiers = ( );
checks = ( );
CFG
  CTMON_NOW=$now "$bin" --config "$work/ctmon.cfg" --status >/dev/null
  t0=$(date +%s.%N)
  python3 "$here/fill_report_store.py" "$work/ct.db" "$n" "$now" >/dev/null
  fill=$(awk "BEGIN{printf \"%.0f\", $(date +%s.%N) - $t0}")
  for fmt in html json; do
    out="$work/report.$fmt"
    /usr/bin/time -f "%e %M" -o "$work/time" env CTMON_NOW=$now \
      "$bin" --config "$work/ctmon.cfg" -q --report "$out" >/dev/null
    read -r wall rss < "$work/time"
    size=$(stat -c %s "$out")
    printf "| %d | %s | %s | %s | %.2f MB | %.1f |\n" "$n" "$fill" "$fmt" \
      "$wall" "$(awk "BEGIN{print $size/1048576}")" \
      "$(awk "BEGIN{print $rss/1024}")"
  done
done
