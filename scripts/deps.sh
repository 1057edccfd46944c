#!/usr/bin/env bash
# Installs what ctmon needs to build and test, from Debian's archive.
# Skips the install when everything is already present (offline machines).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libcurl4-openssl-dev libjson-c-dev
      libsqlite3-dev libconfig-dev libssl-dev libcmocka-dev libc-ares-dev
      libpsl-dev libidn2-dev python3 python3-cryptography python3-aiosmtpd
      dnsmasq-base valgrind sqlite3 openssl certspotter
      clang libclang-rt-14-dev scdoc man-db debhelper dpkg-dev fakeroot lintian
      systemd fonts-dejavu-core chromium)
# clang: the second compiler CI builds with; scdoc: the man pages;
# debhelper, dpkg-dev, fakeroot, lintian: the Debian packages
# (scripts/test-deb.sh); systemd: systemd-analyze and systemd-sysusers
# check the unit and the sysusers entry (nothing is started).
# Installed without their Recommends: dnstwist (the typosquat comparison
# test's baseline) recommends a browser stack (chromium, selenium) that only
# its screenshot feature uses; python3-idna and python3-tld are the two
# recommends its candidate lists depend on.
lean=(dnstwist python3-idna python3-tld)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
missing_lean=()
for p in "${lean[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_lean+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#missing_lean[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]} ${missing_lean[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
if [ ${#missing_lean[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${missing_lean[@]}"
fi
