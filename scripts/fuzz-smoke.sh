#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan + UBSan) into build-fuzz
# and runs each one for a short bounded time from its seed corpus
# (fuzz/corpus/<target>/).  Any crash, leak, sanitizer report or timeout
# fails the run; the input is left in build-fuzz/artifacts/.
#
# usage: scripts/fuzz-smoke.sh [SECONDS_PER_TARGET] [TARGET ...]
#   default 20 s per target, every target (11 targets: under 5 minutes).
# The longer, documented run is scripts/fuzz-long.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-20}
shift || true
build=${CTMON_FUZZ_BUILD:-build-fuzz}
jobs=${JOBS:-2}

echo "== build fuzz targets (clang, libFuzzer + ASan + UBSan) in $build"
CC=${CC_FUZZ:-clang} cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCTMON_FUZZ=ON -DCTMON_WERROR=OFF -DCTMON_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_all >/dev/null

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi

mkdir -p "$build/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp}
failed=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  [ -x "$bin" ] || { echo "no such fuzz target: $t" >&2; exit 2; }
  # New inputs go to a scratch corpus, never into the committed seeds.
  work="$build/smoke-corpus/$t"
  rm -rf "$work"
  mkdir -p "$work"
  log="$build/artifacts/$t.log"
  printf '== %-20s %3ss ... ' "$t" "$secs"
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$t-" \
       "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "ok (${runs:-?} runs)"
  else
    echo "FAILED (see $log)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 || true
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz smoke: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz smoke: all ${#targets[@]} targets ran ${secs}s each without a finding"
