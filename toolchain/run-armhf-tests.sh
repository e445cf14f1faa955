#!/bin/sh
# run-armhf-tests.sh [--static|--all] BUILD SYSROOT
#
# Runs camcat's armhf binaries in BUILD under qemu-arm and ends with one line:
# "armhf: N passed, M failed" (exit status 1 when anything failed).
#
#   (default)  every unit test, the golden dumps, the fuzz replays over the
#              fixtures, and a camcatd smoke test
#   --static   the golden dumps and the camcatd smoke test (static binaries)
#   --all      the project's own runner, tests/run.sh, over the same binaries
#              (adds large.sh and the HTTP suites; slow under emulation)
#
# binfmt_misc is not mounted in containers, so nothing can exec an ARM binary
# directly. BUILD/qemu/ therefore mirrors BUILD's binaries as small scripts
# that exec qemu-arm on the real one: the project's test scripts take that
# folder as their BUILD unchanged, and the PID a test stops is qemu's, which
# forwards signals to the guest.
#
# The dynamic binaries' loader is the cross libc's (-L /usr/arm-linux-gnueabihf,
# where lib/ld-linux-armhf.so.3 is; `-L /` finds no armhf loader unless
# libc6:armhf is installed, which we avoid). Its libc must come from the same
# glibc build, but without help the guest loader reads the host's
# /etc/ld.so.cache and, once libc6:armhf is installed, takes its libc from
# /lib/arm-linux-gnueabihf, a different build (reported to segfault). So the
# cross libc's folder comes first on the guest's LD_LIBRARY_PATH, which the
# loader searches before its cache; the sysroot's libraries (civetweb, zlib,
# cmocka) follow.
set -u
mode=dynamic
label=armhf
case "${1:-}" in
--static) mode=static; label=armhf-static; shift ;;
--all) mode=all; shift ;;
esac
build=$(cd "${1:?usage: run-armhf-tests.sh [--static|--all] BUILD SYSROOT}" && pwd)
sysroot=$(cd "${2:?usage: run-armhf-tests.sh [--static|--all] BUILD SYSROOT}" && pwd)
cross=/usr/arm-linux-gnueabihf
triplet=arm-linux-gnueabihf
command -v qemu-arm >/dev/null || { echo "qemu-arm not found: apt-get install qemu-user" >&2; exit 1; }

if [ $mode = static ]; then
    run="qemu-arm"
else
    run="qemu-arm -L $cross -E LD_LIBRARY_PATH=$cross/lib:$sysroot/usr/lib/$triplet:$sysroot/lib/$triplet"
fi

wrap=$build/qemu
rm -rf "$wrap"
for bin in "$build"/camcat "$build"/camcatd "$build"/camcat-gentree "$build"/tests/test_* \
    "$build"/fuzz/fuzz_*; do
    if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
    w=$wrap/${bin#"$build"/}
    mkdir -p "$(dirname "$w")"
    printf '#!/bin/sh\nexec %s %s "$@"\n' "$run" "$bin" >"$w"
    chmod +x "$w"
done

if [ $mode = all ]; then
    tests/run.sh "$wrap" | tee "$build/run-armhf.log"
    summary=$(tail -1 "$build/run-armhf.log")
    echo "armhf: $summary"
    case "$summary" in *" 0 failed"*) exit 0 ;; *) exit 1 ;; esac
fi

pass=0
fail=0
logs=$build/test-logs
mkdir -p "$logs"
check() { # name, command...
    name=$1
    shift
    log=$logs/$(echo "$name" | tr ' /' '__').log
    if "$@" >"$log" 2>&1; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name (log: $log)"
        tail -20 "$log"
    fi
}

# The fuzz targets over the fixture corpus, sidecars included: the ones camcat
# index writes here are armhf's, so this also reads what armhf wrote.
fuzz_replay() {
    tmp=$(mktemp -d)
    cp -r fixtures/normal/root "$tmp/root" &&
        "$wrap/camcat" index "$tmp/root" &&
        find fixtures -name '*.m3u8' -exec "$wrap/fuzz/fuzz_m3u8" {} + &&
        find fixtures -name events.txt -exec "$wrap/fuzz/fuzz_events" {} + &&
        find "$tmp" -name .camcat.idx -exec "$wrap/fuzz/fuzz_sidecar" {} +
    rc=$?
    rm -rf "$tmp"
    return $rc
}

# camcatd on 127.0.0.1 (port 0: it logs the one it got) over a copy of a
# fixture; /api/health must answer and /api/days must list the day; stopped by
# PID.
camcatd_smoke() {
    tmp=$(mktemp -d)
    cp -r fixtures/normal/root "$tmp/root"
    "$wrap/camcatd" --root "$tmp/root" --listen 127.0.0.1:0 --www "$tmp" \
        --cache-dir "$tmp/cache" 2>"$tmp/log" &
    pid=$!
    port=""
    i=0
    while [ -z "$port" ] && [ $i -lt 300 ] && kill -0 $pid 2>/dev/null; do
        port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/log")
        [ -n "$port" ] || sleep 0.1
        i=$((i + 1))
    done
    rc=1
    if [ -n "$port" ]; then
        # the port is bound before the handlers exist: retry health a while
        up=0
        for _ in $(seq 100); do
            if curl -fsS "http://127.0.0.1:$port/api/health"; then
                up=1
                break
            fi
            kill -0 $pid 2>/dev/null || break
            sleep 0.2
        done
        [ $up = 1 ] && curl -fsS "http://127.0.0.1:$port/api/days" | grep -q '2025-01-24' &&
            rc=0
    fi
    kill $pid 2>/dev/null
    wait $pid
    cat "$tmp/log"
    rm -rf "$tmp"
    return $rc
}

if [ $mode = dynamic ]; then
    for t in "$wrap"/tests/test_*; do
        [ -x "$t" ] && check "unit/$(basename "$t")" "$t"
    done
    check "fuzz replay" fuzz_replay
fi
check "golden dumps" tests/golden.sh "$wrap"
check "camcatd smoke" camcatd_smoke
echo "$label: $pass passed, $fail failed"
[ $fail -eq 0 ]
