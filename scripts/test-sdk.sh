#!/usr/bin/env bash
# The plugin SDK as a third party gets it: installs a built ctmon into a
# temporary prefix, builds and tests both examples/ against that
# installation only - with CMake find_package and with pkg-config + make -
# then runs the installed ctmon with both example plugins loaded from a
# plugin directory outside the installation.
#
# usage: scripts/test-sdk.sh [BUILD_DIR]      (default: build)
# A build configured with CTMON_SANITIZE=ON installs sanitized libraries,
# so the examples are then built with the same sanitizer flags.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ctmon-sdk.XXXXXX")
srv=""
cleanup() {
  if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-sdk: FAIL: $*" >&2; exit 1; }
step() { echo "== sdk: $*"; }
# Nothing may leak in from the caller: plugins come from plugin_dir only.
unset CTMON_PLUGIN_DIR

prefix=$work/prefix
step "install $build into $prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

san=""
if grep -q '^CTMON_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
  san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
fi
export CFLAGS="-O1 -g $san" LDFLAGS="$san"

step "installed SDK files"
for f in include/ctmon/plugin.h include/ctmon/version.h include/ctmon/fakehost.h \
         lib/libctmon-fakehost.so lib/pkgconfig/ctmon-plugin.pc \
         lib/pkgconfig/ctmon-fakehost.pc lib/cmake/ctmon/ctmonConfig.cmake \
         lib/cmake/ctmon/ctmonConfigVersion.cmake bin/ctmon; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
# The package exports the tree's own helper, not a copy that could drift.
cmp -s "$src/cmake/ctmonPluginHelpers.cmake" \
  "$prefix/lib/cmake/ctmon/ctmonPluginHelpers.cmake" ||
  fail "installed ctmonPluginHelpers.cmake differs from the tree's"
# An installation that still points into the source or build tree would
# make everything below prove nothing.
if grep -rlF -e "$src" -e "$build" "$prefix/lib/cmake" "$prefix/lib/pkgconfig" \
     "$prefix/include"; then
  fail "installed SDK files refer to the source or build tree"
fi

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
step "pkg-config"
abi=$(sed -n 's/^#define CTMON_PLUGIN_ABI_\(MAJOR\|MINOR\) \+\([0-9]\+\).*/\2/p' \
      "$prefix/include/ctmon/plugin.h" | paste -sd.)
[ "$(pkg-config --variable=abi_version ctmon-plugin)" = "$abi" ] ||
  fail "ctmon-plugin.pc abi_version is not plugin.h's $abi"
[ -z "$(pkg-config --libs ctmon-plugin | tr -d ' ')" ] ||
  fail "ctmon-plugin.pc must not link anything: $(pkg-config --libs ctmon-plugin)"
[ "$(realpath "$(pkg-config --variable=plugindir ctmon-plugin)")" = \
  "$(realpath "$prefix/lib/ctmon/plugins")" ] || fail "wrong plugindir"
pkg-config --cflags ctmon-fakehost | grep -qF -- "-I$prefix/" ||
  fail "ctmon-fakehost.pc has no include path into the prefix"

for ex in weak_key file_lines; do
  step "$ex: CMake find_package(ctmon)"
  cmake -S "$src/examples/$ex" -B "$work/$ex-cmake" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$CFLAGS -Werror" >/dev/null
  found=$(sed -n 's/^ctmon_DIR:PATH=//p' "$work/$ex-cmake/CMakeCache.txt")
  [ "$found" = "$prefix/lib/cmake/ctmon" ] || fail "$ex found ctmon in $found"
  cmake --build "$work/$ex-cmake" -j2 >/dev/null
  ctest --test-dir "$work/$ex-cmake" --output-on-failure
  # ctmon_add_plugin's install rule: <prefix>/lib/ctmon/plugins/<name>.so.
  cmake --install "$work/$ex-cmake" --prefix "$work/site" >/dev/null
  [ -f "$work/site/lib/ctmon/plugins/$ex.so" ] || fail "$ex: not installed"

  step "$ex: pkg-config + make"
  mkdir -p "$work/$ex-pc"
  make -s -C "$work/$ex-pc" -f "$src/examples/$ex/Makefile" \
    CFLAGS="$CFLAGS -Werror" check
  # `make install` puts it into pkg-config's plugindir (under DESTDIR).
  make -s -C "$work/$ex-pc" -f "$src/examples/$ex/Makefile" \
    DESTDIR="$work/destdir" install
  [ -f "$work/destdir$(pkg-config --variable=plugindir ctmon-plugin)/$ex.so" ] ||
    fail "$ex: make install did not use plugindir"
done

# The examples as their own `cmake --install` left them: a plugin folder
# of the site's, outside ctmon's installation.
plugins=$work/site/lib/ctmon/plugins
step "installed ctmon with both examples from $plugins"
mkdir -p "$work/run"
python3 "$src/tests/servers/crtsh_server.py" --data "$src/samples/crtsh" \
  --port-file "$work/port" >/dev/null 2>&1 &
srv=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "crt.sh test server did not start"
cat > "$work/run/ctmon.cfg" <<CFG
database = "$work/run/ct.db";
domains = [ "example.com" ];
plugin_dir = "$plugins";
notify_baseline = true;
resolve_dns = false;
sources = ( { plugin = "crtsh"; config = { url = "http://127.0.0.1:$(cat "$work/port")/"; }; } );
checks = ( { plugin = "weak_key"; config = { issuers = [ "DigiCert Inc" ]; }; } );
notifiers = ( { plugin = "file_lines"; config = { path = "$work/run/alerts.log"; }; } );
CFG
"$prefix/bin/ctmon" --config "$work/run/ctmon.cfg" --list-plugins > "$work/run/list"
for p in weak_key file_lines; do
  grep -qF "$plugins/$p.so" "$work/run/list" ||
    { cat "$work/run/list"; fail "$p not listed from $plugins"; }
done
grep -qF "$prefix/lib/ctmon/plugins/crtsh.so" "$work/run/list" ||
  { cat "$work/run/list"; fail "crtsh not found in the installation"; }
"$prefix/bin/ctmon" --config "$work/run/ctmon.cfg" >"$work/run/out" 2>&1 ||
  { cat "$work/run/out"; fail "ctmon cycle failed"; }
[ -s "$work/run/alerts.log" ] || { cat "$work/run/out"; fail "file_lines wrote nothing"; }
# The sample holds certificates from thawte, Symantec, SunGard and a test CA
# besides DigiCert Inc: each is one issuance outside the list.
python3 - "$work/run/alerts.log" "$work/run/ct.db" <<'PY'
import sqlite3, sys
lines = open(sys.argv[1]).read().splitlines()
types = {l.split(" ")[2] for l in lines}
assert types == {"issuer_not_allowed"}, types
assert all(l.split(" ")[3] == "example.com" for l in lines), lines
db = sqlite3.connect(sys.argv[2])
n = db.execute("select count(*) from alerts where type = 'issuer_not_allowed'").fetchone()[0]
assert n == len(lines) and n >= 3, (n, lines)
print("sdk: %d issuer_not_allowed alerts stored and written by file_lines" % n)
PY
echo "sdk: all passed"
