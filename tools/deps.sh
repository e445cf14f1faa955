#!/bin/sh
# deps.sh PROFILE... — make sure the Debian packages a make target needs are installed.
#
# Profiles: build, test, www, bench. As root on Debian, missing packages are
# installed with apt-get (and we say so); otherwise the exact command is printed
# and we stop, so nothing is half-done behind the user's back.
set -eu

# libssl3: the HTTPS shims link it (src/tlsshim), camcat cert loads its libcrypto.
pkgs_build="gcc make libc6-dev libcivetweb-dev zlib1g-dev libmosquitto-dev libssl3"
# node and npm may come from Debian or from NodeSource (which bundles npm):
# checked by command, not by package name.
pkgs_www=""
pkgs_test="$pkgs_build libcmocka-dev cppcheck clang-format chromium ffmpeg curl mosquitto mosquitto-clients openssl"
pkgs_bench="$pkgs_build wrk nginx-light valgrind libsqlite3-dev strace chromium ffmpeg"

want=""
need_node=0
for profile in "$@"; do
    case "$profile" in
    build) want="$want $pkgs_build" ;;
    www) want="$want $pkgs_www"; need_node=1 ;;
    test) want="$want $pkgs_test"; need_node=1 ;;
    bench) want="$want $pkgs_bench" ;;
    *) echo "deps.sh: unknown profile '$profile' (build, www, test, bench)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $want; do
    case " $missing " in *" $p "*) continue ;; esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ "$need_node" = 1 ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "camcat needs these Debian packages:$missing" >&2
    echo "Install them as root, then run make again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi

echo "deps.sh: installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# One broken index (e.g. a foreign architecture's) must not stop the install.
apt-get update -q >/dev/null || true
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "deps.sh: installed:$missing"
