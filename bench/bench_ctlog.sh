#!/usr/bin/env bash
# CT log backfill: ctmon's ctlog source vs Debian's certspotter against the
# same local RFC 6962 log, in the same run.  Prints one JSON line.
# Usage: bench/bench_ctlog.sh BUILD_DIR [ENTRIES] [BATCH]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/bench_ctlog.py" "${1:-build}" "${2:-1000000}" "${3:-1000}"
