#!/usr/bin/env bash
# Installs what ctmon needs to build and test, from Debian's archive.
# Skips the install when everything is already present (offline machines).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libcurl4-openssl-dev libjson-c-dev
      libsqlite3-dev libconfig-dev libssl-dev libcmocka-dev libc-ares-dev
      libpsl-dev libidn2-dev python3 python3-cryptography python3-aiosmtpd
      dnsmasq-base valgrind sqlite3 openssl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
