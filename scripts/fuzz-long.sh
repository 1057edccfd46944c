#!/usr/bin/env bash
# The longer fuzzing run (docs/security.md): every target (or the ones
# named) for SECONDS each, keeping the grown corpus between runs in
# $CTMON_FUZZ_BUILD/long-corpus/<target> so each run starts where the last
# stopped.  A finding stops that target; its input is written to
# $CTMON_FUZZ_BUILD/artifacts/ and the script exits 1 at the end.
#
# usage: scripts/fuzz-long.sh SECONDS_PER_TARGET [TARGET ...]
#   e.g. scripts/fuzz-long.sh 3600                      (an hour each)
#        scripts/fuzz-long.sh 600 fuzz_crtsh_parse fuzz_ct_entries
# Reproduce a finding: build-fuzz/fuzz/<target> <artifact file>
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
secs=$1
shift
build=${CTMON_FUZZ_BUILD:-build-fuzz}
jobs=${JOBS:-2}

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
  work="$build/long-corpus/$t"
  mkdir -p "$work"
  echo "== $t for ${secs}s (corpus $work)"
  if ! "$build/fuzz/$t" -max_total_time="$secs" -timeout=10 \
       -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$t-" \
       "$work" "fuzz/corpus/$t"; then
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz long run: findings in: ${failed[*]} (inputs in $build/artifacts/)" >&2
  exit 1
fi
