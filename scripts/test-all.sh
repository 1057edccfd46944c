#!/usr/bin/env bash
# The README's test command: installs dependencies, builds ctmon, runs every
# test (unit, plugin, integration against local servers on 127.0.0.1, the
# man pages, the Debian packages through scripts/test-deb.sh), builds with
# gcc -O3, clang and Debian's hardening flags (warnings are errors in all
# of them), then builds with AddressSanitizer + UBSan and runs every test
# again.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (RelWithDebInfo, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCTMON_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

# Warning-free elsewhere too (build only, no second test run): gcc -O3,
# clang, and Debian's hardening flags as the package build uses them.
echo "== build (gcc -O3 Release, -Werror)"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DCTMON_WERROR=ON >/dev/null
cmake --build build-release -j"$jobs"
if command -v clang >/dev/null; then
  echo "== build (clang, -Werror)"
  CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCTMON_WERROR=ON >/dev/null
  cmake --build build-clang -j"$jobs"
else
  echo "clang missing: run scripts/deps.sh" >&2
  exit 1
fi
echo "== build (dpkg-buildflags hardening, -Werror)"
(
  export DEB_BUILD_MAINT_OPTIONS=hardening=+all
  CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
  LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" \
    cmake -S . -B build-hardened -DCMAKE_BUILD_TYPE=None -DCTMON_WERROR=ON >/dev/null
)
cmake --build build-hardened -j"$jobs"

echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCTMON_SANITIZE=ON -DCTMON_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" \
    -E '^service_deb_package$'  # builds its own packages: ran above

echo "== fuzz smoke (libFuzzer, ASan + UBSan; longer: scripts/fuzz-long.sh)"
./scripts/fuzz-smoke.sh 10

echo "== valgrind: the main binary's run"
./scripts/valgrind-run.sh build
