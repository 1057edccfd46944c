#!/usr/bin/env bash
# The Debian packages as an operator gets them: builds ctmon and
# libctmon-plugin-dev from a copy of this tree (dpkg-buildpackage -b,
# nocheck: the suite runs elsewhere), checks them with lintian (no
# errors), extracts them into a throw-away root (dpkg -x) and checks the
# layout, the conffile, the unit (systemd-analyze verify and security
# exposure <= 2.0), the sysusers entry, the man pages; then runs the
# installed binary with the installed plugins and the installed
# configuration (pointed at a local crt.sh serving samples/) and builds an
# example plugin against the installed SDK.  Nothing is installed on the
# machine and nothing outside 127.0.0.1 is contacted.
#
# usage: scripts/test-deb.sh              (about a minute and a half)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ctmon-deb.XXXXXX")
srv=""
cleanup() {
  if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
step() { echo "== deb: $*"; }
for tool in dpkg-buildpackage dh lintian scdoc systemd-analyze systemd-sysusers man; do
  command -v "$tool" >/dev/null || fail "$tool missing: run scripts/deps.sh"
done
unset CTMON_PLUGIN_DIR CTMON_CONFIG
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -SVersion)

step "copy the tree (tracked and new files, no build folders)"
mkdir -p "$work/src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$src" ls-files -co --exclude-standard -z |
    (cd "$src" && tar --null -cf - -T -) | tar -xf - -C "$work/src"
else
  tar -C "$src" --exclude='./build*' --exclude=./demo-out -cf - . | tar -xf - -C "$work/src"
fi

step "dpkg-buildpackage -b -us -uc (nocheck)"
(cd "$work/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc 2>/dev/null || echo 2)" \
   dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1) ||
  { tail -40 "$work/build.log"; fail "dpkg-buildpackage failed"; }
deb_main=$work/ctmon_${version}_${arch}.deb
deb_dev=$work/libctmon-plugin-dev_${version}_${arch}.deb
[ -f "$deb_main" ] && [ -f "$deb_dev" ] || { ls "$work"; fail "packages missing"; }

step "lintian (no errors)"
lintian --fail-on error \
  "$work/ctmon_${version}_${arch}.changes" || fail "lintian reports errors"

root=$work/root
step "dpkg -x into $root"
dpkg -x "$deb_main" "$root"
dpkg -x "$deb_dev" "$root"
for f in usr/bin/ctmon etc/ctmon/ctmon.cfg lib/systemd/system/ctmon.service \
         usr/lib/sysusers.d/ctmon.conf \
         usr/share/man/man1/ctmon.1.gz usr/share/man/man5/ctmon.cfg.5.gz \
         usr/share/man/man7/ctmon-plugins.7.gz \
         usr/include/ctmon/plugin.h usr/include/ctmon/version.h \
         usr/include/ctmon/fakehost.h \
         "usr/lib/$ma/pkgconfig/ctmon-plugin.pc" \
         "usr/lib/$ma/pkgconfig/ctmon-fakehost.pc" \
         "usr/lib/$ma/cmake/ctmon/ctmonConfig.cmake" \
         "usr/lib/$ma/libctmon-fakehost.so"; do
  [ -e "$root/$f" ] || fail "not in the packages: /$f"
done
for p in crtsh ctlog file unauthorized_ca new_subdomain wildcard short_lived \
         expiring typosquat stdout webhook email exec; do
  [ -f "$root/usr/lib/$ma/ctmon/plugins/$p.so" ] || fail "plugin $p.so not packaged"
done
dpkg-deb -f "$deb_main" Package | grep -qx ctmon || fail "wrong package name"
dpkg-deb -I "$deb_main" conffiles | grep -qx /etc/ctmon/ctmon.cfg ||
  fail "/etc/ctmon/ctmon.cfg is not a conffile"
grep -q '^database = "/var/lib/ctmon/ct_monitor.db";' "$root/etc/ctmon/ctmon.cfg" ||
  fail "the packaged configuration does not keep the store in /var/lib/ctmon"

step "man pages render"
for page in man1/ctmon.1 man5/ctmon.cfg.5 man7/ctmon-plugins.7; do
  out=$(MANWIDTH=80 man --warnings -l "$root/usr/share/man/$page.gz" 2>&1 >/dev/null)
  [ -z "$out" ] || fail "man $page: $out"
  MANWIDTH=80 man -l "$root/usr/share/man/$page.gz" 2>/dev/null | grep -q '^NAME' ||
    fail "man $page renders no NAME section"
done

step "systemd unit and sysusers"
unit=$root/lib/systemd/system/ctmon.service
grep -qx 'User=_ctmon' "$unit" && grep -qx 'StateDirectory=ctmon' "$unit" &&
  grep -qx 'Type=notify' "$unit" && grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit" ||
  fail "unit lacks User/StateDirectory/Type/ExecReload"
# verify checks ExecStart exists: point it at the extracted binary (the
# one thing changed), and look up the man pages in the extracted root.
mkdir -p "$work/units"
sed "s|^ExecStart=/usr/bin/ctmon|ExecStart=$root/usr/bin/ctmon|" "$unit" \
  > "$work/units/ctmon.service"
MANPATH=$root/usr/share/man systemd-analyze verify "$work/units/ctmon.service" \
  >"$work/verify" 2>&1 || { cat "$work/verify"; fail "systemd-analyze verify"; }
[ ! -s "$work/verify" ] || { cat "$work/verify"; fail "systemd-analyze verify is not clean"; }
systemd-analyze security --offline=true "$unit" >"$work/security" 2>&1 || true
exposure=$(sed -n 's/.*Overall exposure level for ctmon.service: \([0-9.]*\).*/\1/p' "$work/security")
[ -n "$exposure" ] || { cat "$work/security"; fail "no exposure level"; }
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure > 2.0"
echo "exposure $exposure"
mkdir -p "$work/sysroot/etc"
systemd-sysusers --dry-run --root="$work/sysroot" "$root/usr/lib/sysusers.d/ctmon.conf" \
  >"$work/sysusers" 2>&1 || { cat "$work/sysusers"; fail "systemd-sysusers"; }
grep -q "_ctmon" "$work/sysusers" || { cat "$work/sysusers"; fail "sysusers creates no _ctmon"; }

step "installed binary, plugins and configuration, on samples/"
bin=$root/usr/bin/ctmon
plugins=$root/usr/lib/$ma/ctmon/plugins
export CTMON_PLUGIN_DIR=$plugins
"$bin" --version | grep -q "^ctmon $version " || fail "installed binary's version"
"$bin" --list-plugins > "$work/list"
grep -qF "$plugins/crtsh.so" "$work/list" || { cat "$work/list"; fail "plugins not loaded from the package"; }
# The installed configuration as the service reads it, domains added.
CTMON_CONFIG=$root/etc/ctmon/ctmon.cfg "$bin" --domains example.com --check-config \
  >"$work/check" 2>&1 || { cat "$work/check"; fail "installed configuration refused"; }
grep -qF "configuration: $root/etc/ctmon/ctmon.cfg (from \$CTMON_CONFIG)" "$work/check" ||
  { cat "$work/check"; fail "ctmon did not say which configuration it read"; }
python3 "$src/tests/servers/crtsh_server.py" --data "$src/samples/crtsh" \
  --port-file "$work/port" >/dev/null 2>&1 &
srv=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "crt.sh test server did not start"
# Only the crt.sh URL and the store move (no network, no /var/lib).
mkdir -p "$work/state"
sed -e "s|https://crt.sh/|http://127.0.0.1:$(cat "$work/port")/|" \
    -e "s|/var/lib/ctmon/ct_monitor.db|$work/state/ct_monitor.db|" \
    "$root/etc/ctmon/ctmon.cfg" > "$work/ctmon.cfg"
changed=$({ diff "$root/etc/ctmon/ctmon.cfg" "$work/ctmon.cfg" || true; } | grep -c '^>' || true)
[ "$changed" = 2 ] ||
  fail "the run's configuration differs from the installed one in $changed lines, not 2"
CTMON_CONFIG=$work/ctmon.cfg "$bin" --domains example.com --no-resolve-dns \
  --report "$work/report.json" >"$work/out" 2>&1 || { cat "$work/out"; fail "monitoring cycle failed"; }
[ -s "$work/state/ct_monitor.db" ] || fail "no store written"
CTMON_CONFIG=$work/ctmon.cfg "$bin" --list-alerts --state all >"$work/alerts" 2>&1 ||
  { cat "$work/alerts"; fail "--list-alerts"; }
grep -q "example.com" "$work/alerts" || { cat "$work/out" "$work/alerts"; fail "no alerts for example.com"; }
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r' "$work/report.json" ||
  fail "report is not JSON"

step "an example plugin built against the installed SDK"
cmake -S "$src/examples/file_lines" -B "$work/example" -DCMAKE_PREFIX_PATH="$root/usr" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_C_FLAGS=-Werror >/dev/null
found=$(sed -n 's/^ctmon_DIR:PATH=//p' "$work/example/CMakeCache.txt")
[ "$found" = "$root/usr/lib/$ma/cmake/ctmon" ] || fail "example found ctmon in $found"
cmake --build "$work/example" -j2 >/dev/null || fail "example plugin does not build"
LD_LIBRARY_PATH=$root/usr/lib/$ma ctest --test-dir "$work/example" --output-on-failure >/dev/null ||
  fail "example plugin's tests fail against the packaged fake host"
echo "test-deb: OK"
