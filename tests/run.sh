#!/bin/sh
# run.sh BUILD — runs every test suite against the binaries in BUILD and
# prints one closing line: "N passed, N failed".
set -u
build=${1:-build/san}
export CAMCAT_BUILD="$build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
suites_pass=0
suites_fail=0
failed=""

run_suite() {
    name=$1
    shift
    echo "== $name"
    if "$@"; then
        suites_pass=$((suites_pass + 1))
    else
        suites_fail=$((suites_fail + 1))
        failed="$failed $name"
    fi
}

# The fuzz targets over the fixture corpus: playlists, events files, the
# sidecars that indexing the fixtures produces, JSON request bodies,
# Authorization headers, tiny MPEG-TS chunks (every prefix: each truncation)
# and their SPS, MQTT commands, config and password files, query strings,
# request paths and chunk URIs, and Range headers.
# Targets whose seeds are their own folder in tests/fuzz.
fuzz_replay_seeds() {
    for t in "$@"; do
        "$build/fuzz/fuzz_$t" tests/fuzz/"$t"/* || return 1
    done
}

fuzz_replay() {
    tmp=$(mktemp -d)
    for r in fixtures/*/root; do
        cp -r "$r" "$tmp/$(basename "$(dirname "$r")")"
    done
    for r in "$tmp"/*; do
        "$build/camcat" index "$r" >/dev/null || return 1
    done
    "$build/fuzz/fuzz_m3u8" $(find fixtures -name '*.m3u8') tests/fuzz/m3u8/* &&
        "$build/fuzz/fuzz_events" $(find fixtures -name 'events.txt') &&
        "$build/fuzz/fuzz_sidecar" $(find "$tmp" -name .camcat.idx) &&
        "$build/fuzz/fuzz_jflat" tests/fuzz/jflat/*.json &&
        "$build/fuzz/fuzz_digest" tests/fuzz/digest/* &&
        "$build/fuzz/fuzz_ts" tests/fuzz/ts/*.ts &&
        "$build/fuzz/fuzz_sps" tests/fuzz/sps/*.bin &&
        "$build/fuzz/fuzz_mqttcmd" tests/fuzz/mqttcmd/*.json &&
        "$build/fuzz/fuzz_segmenter" tests/fuzz/segmenter/* &&
        fuzz_replay_seeds config htdigest query urlpath byterange httphdr
    rc=$?
    rm -rf "$tmp"
    return $rc
}

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    run_suite "unit/$(basename "$t")" "$t"
done
# The threaded tests again under ThreadSanitizer, when built (make test).
if [ -n "${TSAN_BUILD:-}" ]; then
    for t in "$TSAN_BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        run_suite "tsan/$(basename "$t")" env TSAN_OPTIONS=halt_on_error=1:exitcode=66 "$t"
    done
fi
run_suite golden tests/golden.sh "$build"
run_suite fuzz-replay fuzz_replay
for suite in tests/large.sh; do
    [ -f "$suite" ] && run_suite "$(basename "$suite" .sh)" sh "$suite" "$build"
done
# Chunks made by ffmpeg at test time: properties against ffprobe, thumbnails
# and time-lapses against ffmpeg's decode (framemd5).
if ls tests/media/*.test.mjs >/dev/null 2>&1; then
    run_suite media node --test --test-concurrency=1 tests/media/
fi
# The UI's pure modules under node's test runner, and eslint (pinned in
# www/package.json) over the UI, every JavaScript test and the JavaScript tools.
if ls tests/www/*.test.mjs >/dev/null 2>&1; then
    run_suite www node --test tests/www/
fi
run_suite lint www/node_modules/.bin/eslint -c eslint.config.mjs www/js eslint.config.mjs tests tools
if ls tests/http/*.test.mjs >/dev/null 2>&1; then
    run_suite http node --test --test-concurrency=1 tests/http/
fi
if ls tests/browser/*.test.mjs >/dev/null 2>&1; then
    run_suite browser node --test --test-concurrency=1 tests/browser/
fi

echo
[ -z "$failed" ] || echo "failed suites:$failed"
echo "suites: $suites_pass passed, $suites_fail failed"
[ "$suites_fail" -eq 0 ]
