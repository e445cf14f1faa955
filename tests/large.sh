#!/bin/sh
# large.sh BUILD — a 100,000-chunk playlist, generated here (never committed):
# indexed whole, then incrementally after an append; the second index run
# writes nothing and the sidecar stays small.
set -eu
build=${1:-build}
camcat="$build/camcat"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir="$work/root/2025-01-24/00001"
mkdir -p "$dir"
gen() { # first count -> playlist lines, 2 s chunks from 2025-01-24T00:00:00Z
    awk -v first="$1" -v n="$2" 'BEGIN {
        for (i = first; i < first + n; i++) {
            t = 1737676800 + 2 * i
            printf "#EXT-X-PROGRAM-DATE-TIME:%s.000Z\n#EXTINF:2.000,\nc%06d.ts\n",
                strftime("%Y-%m-%dT%H:%M:%S", t, 1), i
        }
    }'
}
{ printf '#EXTM3U\n#EXT-X-TARGETDURATION:2\n'; gen 0 100000; } > "$dir/index.m3u8"
# chunk files are not created: every chunk is "missing on disk" except these
touch "$dir/c000000.ts" "$dir/c099999.ts"

pass=0
fail=0
check() { # description, actual, expected
    if [ "$2" = "$3" ]; then
        echo "ok   $1"
        pass=$((pass + 1))
    else
        echo "FAIL $1: got '$2', want '$3'"
        fail=$((fail + 1))
    fi
}
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" | head -n 1; }

"$camcat" dump "$work/root/2025-01-24" --json > "$work/a.json"
check "chunks" "$(field chunks < "$work/a.json")" 100000
check "duration" "$(field duration_s < "$work/a.json")" 200000.000
check "missing chunks" "$(field missing_chunks < "$work/a.json")" 99998
check "one span" "$(grep -c '"kind"' "$work/a.json" || true)" 0

"$camcat" index "$work/root" > "$work/index1.txt"
side="$work/root/2025-01-24/.camcat.idx"
size=$(stat -c %s "$side")
check "sidecar under 4 KiB ($size bytes)" "$([ "$size" -le 4096 ] && echo yes)" yes
check "second index writes nothing" "$("$camcat" index "$work/root" | tail -n 1)" "bytes written: 0"

# the recorder appends 30 chunks: only those bytes are parsed
before=$(stat -c %s "$dir/index.m3u8")
gen 100000 30 >> "$dir/index.m3u8"
after=$(stat -c %s "$dir/index.m3u8")
"$camcat" index "$work/root" > "$work/index2.txt"
parsed=$(sed -n 's/^playlist bytes parsed: //p' "$work/index2.txt")
check "append parsed alone ($parsed of $after bytes)" \
    "$([ "$parsed" -ge $((after - before)) ] && [ "$parsed" -le $((after - before + 4096)) ] && echo yes)" yes
"$camcat" dump "$side" --json > "$work/b.json"
check "chunks after append" "$(field chunks < "$work/b.json")" 100030
check "verify" "$("$camcat" verify "$work/root" | tail -n 1)" "1 days, 0 with problems"

echo "large: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
