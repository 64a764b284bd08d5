#!/bin/sh
# Checks that the build dependencies are present. When one is missing and we
# run as root on Debian, installs them with apt-get; otherwise prints the exact
# command to run and fails.
set -u
PKGS="build-essential pkg-config libyaml-dev re2c lemon libcmocka-dev libsodium-dev libyajl-dev libjansson-dev libssl-dev clang libclang-rt-14-dev"
missing=""
for p in yaml-0.1 libsodium yajl jansson cmocka libcrypto; do
	pkg-config --exists "$p" 2>/dev/null || missing="$missing $p"
done
for t in re2c lemon cc pkg-config; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -f /usr/share/lemon/lempar.c ] || missing="$missing lempar.c"
[ -z "$missing" ] && exit 0
echo "nomos: missing build dependencies:$missing" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "nomos: installing them with apt-get" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PKGS >&2 && exit 0
fi
echo "nomos: install them with: sudo apt-get install $PKGS" >&2
exit 1
