#!/bin/sh
# golden.sh BUILD — every fixture day, dumped as JSON, must equal its reviewed
# golden file (fixtures/CASE/expect/DAY.json). The tree is copied first so
# sidecars never land in the repo, and every mtime is pinned so untimed
# placement is reproducible. UPDATE_GOLDEN=1 rewrites the golden files.
set -eu
build=${1:-build}
camcat="$build/camcat"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
for case_dir in fixtures/*/; do
    case_name=$(basename "$case_dir")
    [ -d "$case_dir/root" ] || continue
    root="$work/$case_name"
    cp -r "$case_dir/root" "$root"
    find "$root" -exec touch -h -d '2025-06-07T08:00:10Z' {} +
    mkdir -p "$case_dir/expect"
    for day in "$root"/????-??-??; do
        [ -d "$day" ] || continue
        name=$(basename "$day")
        golden="$case_dir/expect/$name.json"
        out="$work/$case_name.$name.json"
        # an unparsable day folder name is not a day: it must be rejected
        if ! "$camcat" dump "$day" --json > "$out" 2>"$out.err"; then
            if grep -q "not a day folder" "$out.err"; then continue; fi
            echo "FAIL $case_name/$name: dump failed: $(cat "$out.err")"
            fail=$((fail + 1))
            continue
        fi
        if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
            cp "$out" "$golden"
        fi
        if cmp -s "$out" "$golden"; then
            pass=$((pass + 1))
        else
            echo "FAIL $case_name/$name: differs from $golden"
            diff "$golden" "$out" | head -20 || true
            fail=$((fail + 1))
        fi
    done
    # Indexing writes sidecars once; a second run writes nothing, and the
    # sidecars then dump to the same golden output and verify clean.
    first=$("$camcat" index "$root" | tail -n 1)
    second=$("$camcat" index "$root" | tail -n 1)
    if [ "$second" != "bytes written: 0" ]; then
        echo "FAIL $case_name: second index run wrote: $second (first: $first)"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
    for side in "$root"/????-??-??/.camcat.idx; do
        [ -f "$side" ] || continue
        name=$(basename "$(dirname "$side")")
        if "$camcat" dump "$side" --json | sed 's/"state":"recording"/"state":"interrupted"/g; s/"closed":false/"closed":true/g' > "$work/side.json" &&
            sed 's/"state":"recording"/"state":"interrupted"/g; s/"closed":false/"closed":true/g' "$case_dir/expect/$name.json" | cmp -s - "$work/side.json"; then
            pass=$((pass + 1))
        else
            echo "FAIL $case_name/$name: sidecar dump differs from golden"
            fail=$((fail + 1))
        fi
    done
    if "$camcat" verify "$root" > "$work/verify.txt"; then
        pass=$((pass + 1))
    else
        echo "FAIL $case_name: verify: $(cat "$work/verify.txt")"
        fail=$((fail + 1))
    fi
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
