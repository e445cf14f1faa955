#!/bin/sh
# setup-armhf.sh [--civetweb-source] [SYSROOT]
#
# The ARMv7 hard-float cross toolchain, qemu-user, and SYSROOT (default
# build/sysroot-armhf) holding the armhf libraries camcat links: civetweb,
# zlib, cmocka. With --civetweb-source it also unpacks Debian's civetweb source
# package into build/armhf-cache/source/civetweb (for the static build).
#
# Only the amd64 cross packages are installed into the system (as root; other
# users get the command to run). Nothing armhf is: libc6-dev:armhf conflicts
# with the cross libc, and `dpkg --add-architecture` would make every later
# `apt-get update` on this machine fetch armhf indexes (the armhf security
# index is often inconsistent on the mirror, failing the whole update). Instead
# apt runs with a private state folder under build/armhf-cache/apt that knows
# only armhf and the Debian repositories the host already uses; that needs
# neither root nor any change under /etc. Its .debs are unpacked with dpkg -x.
#
# Re-running is a no-op (no network) once everything is present.
set -eu

want_src=0
if [ "${1:-}" = --civetweb-source ]; then
    want_src=1
    shift
fi
sysroot=${1:-build/sysroot-armhf}
cache=$(dirname "$sysroot")/armhf-cache
host_pkgs="gcc-arm-linux-gnueabihf libc6-dev-armhf-cross binutils-arm-linux-gnueabihf qemu-user"
[ $want_src = 1 ] && host_pkgs="$host_pkgs dpkg-dev xz-utils"
# libcivetweb1 needs only libc at link time (its OpenSSL is dlopen()ed): checked
# with `dpkg -I` and `readelf -d`, so no libssl here.
# libmosquitto1 links libssl3 (needed at link time through -rpath-link), and
# camcatd's HTTPS shims (src/tlsshim) link its libssl.so.3 and libcrypto.so.3.
armhf_pkgs="libcivetweb-dev libcivetweb1 zlib1g-dev zlib1g libcmocka-dev libcmocka0 \
libmosquitto-dev libmosquitto1 libssl3"

say() { echo "setup-armhf: $*"; }
die() {
    echo "setup-armhf: $*" >&2
    exit 1
}

install_host_packages() {
    missing=""
    for p in $host_pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
            missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "The ARMv7 cross build needs these Debian packages:$missing" >&2
        echo "    sudo apt-get install -y --no-install-recommends$missing" >&2
        exit 1
    fi
    say "installing (apt-get install):$missing"
    # The lists are usually fresh; only refresh them when the install fails.
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing \
        >/dev/null || {
        apt-get update -q >/dev/null || true
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing \
            >/dev/null
    }
}

# apt with a private state folder ($apt): armhf only, no installed packages.
# Its chatter goes to $apt/log, shown when a download fails: the armhf security
# index fails often and harmlessly. (Root's downloads into build/ cannot be
# sandboxed as user _apt, which apt also reports on every file.)
apt_armhf() {
    apt-get -q -o Dir::State="$apt" -o Dir::State::lists="$apt/lists" \
        -o Dir::State::status="$apt/status" -o Dir::Cache="$apt/cache" \
        -o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts="$apt/none" \
        -o Acquire::Languages=none -o APT::Architecture=armhf -o APT::Architectures=armhf \
        "$@" >>"$apt/log" 2>&1
}

apt_failed() {
    grep -v -e unsandboxed "$apt/log" | tail -15 >&2
    die "$*"
}

# The Debian repositories the host uses, from its own apt configuration (so a
# mirror or snapshot set up there is honoured); bookworm's defaults otherwise.
write_sources() {
    types=$1
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    opt=""
    [ -f $keyring ] && opt="[signed-by=$keyring]"
    # shellcheck disable=SC2016 # apt expands $(...) in --format itself
    repos=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
        "Origin: Debian" "Created-By: Packages" \
        "Architecture: $(dpkg --print-architecture)" 2>/dev/null | sort -u)
    if [ -z "$repos" ]; then
        # shellcheck disable=SC1091
        codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
        repos="http://deb.debian.org/debian $codename main
http://deb.debian.org/debian $codename-updates main
http://deb.debian.org/debian-security $codename-security main"
    fi
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/none"
    : >"$apt/status"
    : >"$apt/log"
    echo "$repos" | while read -r uri rel comp; do
        for t in $types; do
            echo "$t $opt $uri $rel $comp"
        done
    done >"$apt/sources.list.new"
    if ! cmp -s "$apt/sources.list.new" "$apt/sources.list"; then
        mv "$apt/sources.list.new" "$apt/sources.list"
        rm -f "$apt/.updated"
    fi
    rm -f "$apt/sources.list.new"
}

# One index refresh per set of sources. An index that fails (the armhf
# security one often does: "File has unexpected size") must not stop us: the
# downloads below say whether what we need was found.
update_indexes() {
    [ -f "$apt/.updated" ] && return 0
    say "fetching the package indexes into $apt"
    apt_armhf update || true
    touch "$apt/.updated"
}

have_deb() { ls "$debs/${1}_"*_armhf.deb >/dev/null 2>&1; }

fetch_debs() {
    need=""
    for p in $armhf_pkgs; do
        have_deb "$p" || need="$need $p"
    done
    [ -z "$need" ] && return 0
    write_sources deb
    update_indexes
    say "downloading armhf:$need"
    # shellcheck disable=SC2086
    (cd "$debs" && apt_armhf download $need) || {
        # Indexes from an earlier run may name versions the mirror dropped.
        rm -f "$apt/.updated"
        update_indexes
        (cd "$debs" && apt_armhf download $need) || true
    }
    for p in $need; do
        have_deb "$p" || apt_failed "apt-get download $p:armhf failed (log: $apt/log)"
    done
}

# Unpacks every .deb into a fresh sysroot when the set of .debs changed.
build_sysroot() {
    want=$(cd "$debs" && ls ./*_armhf.deb)
    [ -f "$sysroot/.debs" ] && [ "$want" = "$(cat "$sysroot/.debs")" ] && return 0
    say "unpacking the armhf .debs into $sysroot"
    rm -rf "$sysroot"
    mkdir -p "$sysroot"
    for deb in "$debs"/*_armhf.deb; do
        dpkg -x "$deb" "$sysroot"
    done
    # Absolute symlinks (libz.so -> /lib/...) would point into the build host.
    abs=$(cd "$sysroot" && pwd)
    find "$sysroot" -type l | while read -r link; do
        target=$(readlink "$link")
        case "$target" in /*) ln -sfn "$abs$target" "$link" ;; esac
    done
    echo "$want" >"$sysroot/.debs"
    say "sysroot ready in $sysroot"
}

# Debian's civetweb source, the same version as the headers in the sysroot.
fetch_civetweb_source() {
    for deb in "$debs"/libcivetweb-dev_*_armhf.deb; do :; done
    ver=$(dpkg-deb -f "$deb" Version)
    src=$(dpkg-deb -f "$deb" Source)
    src=${src%% *}
    dl=$cache/source
    srcdir=$dl/civetweb
    [ -f "$srcdir/.version" ] && [ "$(cat "$srcdir/.version")" = "$src=$ver" ] && return 0
    mkdir -p "$dl"
    dsc=$(ls "$dl/${src}_${ver#*:}.dsc" 2>/dev/null || true)
    if [ -z "$dsc" ]; then
        # deb-src lines live only in a second private state (so the binary
        # indexes are not fetched again); /etc is untouched.
        apt=$apt_src
        write_sources deb-src
        update_indexes
        say "downloading the source package $src=$ver"
        (cd "$dl" && apt_armhf source --download-only "$src=$ver") || {
            rm -f "$apt/.updated"
            update_indexes
            (cd "$dl" && apt_armhf source --download-only "$src=$ver") || true
        }
        dsc=$(ls "$dl/${src}_${ver#*:}.dsc" 2>/dev/null) ||
            apt_failed "apt-get source --download-only $src=$ver failed (log: $apt/log)"
    fi
    rm -rf "$srcdir"
    # apt checked every file against the signed Sources index; dpkg-source
    # only warns that it has no keyring for the uploader's signature.
    dpkg-source -x "$dsc" "$srcdir" >"$dl/dpkg-source.log" 2>&1 ||
        die "dpkg-source -x $dsc failed: $(cat "$dl/dpkg-source.log")"
    echo "$src=$ver" >"$srcdir/.version"
    say "civetweb source ready in $srcdir"
}

install_host_packages
mkdir -p "$cache"
apt=$(cd "$cache" && pwd)/apt
apt_src=$apt-src
debs=$cache/debs
mkdir -p "$debs"
fetch_debs
build_sysroot
[ $want_src = 1 ] && fetch_civetweb_source
exit 0
