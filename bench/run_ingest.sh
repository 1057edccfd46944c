#!/usr/bin/env bash
# Ingest benchmark: a crt.sh response of N records (shapes of the real
# fixtures) through ctmon's streamed path and through the naive baseline, in
# the same script on the same file.  Usage: bench/run_ingest.sh BUILD_DIR [N...]
set -euo pipefail
build=${1:-build}; shift || true
sizes=("${@:-100000 1000000}")
bin="$build/bench/bench_ingest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "| records | body MB | ctmon rec/s | ctmon peak RSS MB | naive rec/s | naive peak RSS MB | ratio |\n"
printf "|---|---|---|---|---|---|---|\n"
for n in ${sizes[@]}; do
  "$bin" gen "$n" "$work/body.json"
  mb=$(( $(stat -c %s "$work/body.json") / 1048576 ))
  read -r cr cs crate crss < <("$bin" ctmon "$work/body.json" "$work/ctmon.db")
  rm -f "$work"/ctmon.db*
  if [ "$n" -le 200000 ] || [ "${NAIVE_ALL:-0}" = 1 ]; then
    read -r nr ns nrate nrss < <("$bin" naive "$work/body.json" "$work/naive.db")
    rm -f "$work"/naive.db*
    ratio=$(awk "BEGIN{printf \"%.1fx\", $crate/$nrate}")
    printf "| %d | %d | %d | %.1f | %d | %.1f | %s |\n" "$n" "$mb" "$crate" \
      "$(awk "BEGIN{print $crss/1024}")" "$nrate" "$(awk "BEGIN{print $nrss/1024}")" "$ratio"
  else
    printf "| %d | %d | %d | %.1f | (skipped) | | |\n" "$n" "$mb" "$crate" \
      "$(awk "BEGIN{print $crss/1024}")"
  fi
done
