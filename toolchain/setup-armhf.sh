#!/bin/sh
# setup-armhf.sh SYSROOT — the ARMv7 hard-float cross toolchain, qemu-user, and
# a sysroot holding the armhf libraries camcat links (civetweb, zlib, cmocka).
#
# The cross compiler and qemu come from Debian's amd64 packages. The armhf
# libraries are NOT installed into the system (libc6-dev:armhf conflicts with
# the cross libc, and the armhf security index can fail to download): their
# .debs are fetched with `apt-get download` and unpacked with `dpkg -x` into
# SYSROOT under build/. Re-running is a no-op once everything is present.
set -eu
sysroot=${1:-build/sysroot-armhf}
host_pkgs="gcc-arm-linux-gnueabihf libc6-dev-armhf-cross binutils-arm-linux-gnueabihf qemu-user"
armhf_pkgs="libcivetweb-dev libcivetweb1 zlib1g-dev zlib1g libcmocka-dev libcmocka0"

missing=""
for p in $host_pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "The ARMv7 cross build needs:$missing" >&2
        echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
        exit 1
    fi
    echo "setup-armhf: installing$missing"
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

stamp="$sysroot/.complete"
[ -f "$stamp" ] && exit 0

if ! dpkg --print-foreign-architectures | grep -qx armhf; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "The armhf sysroot needs the armhf package lists:" >&2
        echo "    sudo dpkg --add-architecture armhf && sudo apt-get update" >&2
        exit 1
    fi
    echo "setup-armhf: adding the armhf architecture to apt (package lists only)"
    dpkg --add-architecture armhf
    # A failing armhf security index must not stop us: the main index suffices.
    apt-get update -q >/dev/null 2>&1 || true
fi
debs="$sysroot.debs"
mkdir -p "$debs" "$sysroot"
for p in $armhf_pkgs; do
    if ! ls "$debs/${p}_"*_armhf.deb >/dev/null 2>&1; then
        echo "setup-armhf: downloading $p:armhf"
        # apt warns that root downloads unsandboxed into a folder _apt cannot
        # enter; that is expected here.
        (cd "$debs" && apt-get download -q "$p:armhf" 2>&1 >/dev/null | grep -v unsandboxed >&2) || {
            apt-get update -q >/dev/null 2>&1 || true
            (cd "$debs" && apt-get download -q "$p:armhf" >/dev/null)
        }
    fi
done
for deb in "$debs"/*.deb; do
    dpkg -x "$deb" "$sysroot"
done
# Absolute symlinks (libz.so -> /lib/...) would point at the build host: make
# them point inside the sysroot.
abs=$(cd "$sysroot" && pwd)
find "$sysroot" -type l | while read -r link; do
    target=$(readlink "$link")
    case "$target" in /*) ln -sfn "$abs$target" "$link" ;; esac
done
touch "$stamp"
echo "setup-armhf: sysroot ready in $sysroot"
