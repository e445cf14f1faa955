#!/bin/bash
# bench.sh BUILD — every figure of `make bench`, written to BUILD/bench.md and printed.
#
# Generates (once; kept while the generator and its arguments stay the same)
# the trees under BUILD/bench/: 30 days of 2 s chunks, 3 days with --vary,
# 365 days of 60 s chunks for the server's memory bound, and one day for each
# chunk naming (ffmpeg's seg%05d.ts and index%d.ts, chunk_%06d.ts). Then: the
# SQLite peer, the library figures (tools/bench.c), callgrind and strace of a
# cold index, the server against nginx (tools/bench-server.sh), the browser's
# time to first frame (tools/bench-browser.mjs), thumbnails and time-lapses
# of a day of real 720p chunks (tools/bench-thumb.mjs), ingest of a pushed
# stream (tools/bench-ingest.sh) and the footprint. Environment:
# GENTREE (the generator), BENCH_DAYS (30), BENCH_YEAR_DAYS (365), BENCH_SECONDS,
# BENCH_CONNS.
set -eu

B=${1:-build}
D=$B/bench
GEN=${GENTREE:-$B/camcat-gentree}
DAYS=${BENCH_DAYS:-30}
START=2025-03-01
OUT=$B/bench.md
mkdir -p "$D"

# ---- trees ---------------------------------------------------------------
avail_kb=$(df -Pk "$D" | awk 'NR == 2 { print $4 }')
if [ "$avail_kb" -lt 4000000 ]; then
    echo "bench.sh: less than 4 GB free under $D; not generating trees" >&2
    exit 1
fi
if [ ! -x "$GEN" ]; then
    echo "bench.sh: $GEN is missing (tools/gentree.c builds it)" >&2
    exit 1
fi

# tree NAME ARGS...: (re)generates BUILD/bench/NAME unless it was made with
# the same generator and arguments.
tree() {
    local name=$1
    shift
    local stamp src=tools/gentree.c
    # The generator's source decides what it writes; a mere relink does not.
    [ -f "$src" ] || src=$GEN
    stamp="$(cksum <"$src") $*"
    if [ -f "$D/$name.stamp" ] && [ "$(cat "$D/$name.stamp")" = "$stamp" ] && [ -d "$D/$name" ]; then
        return 0
    fi
    rm -rf "$D/$name" "$D/$name.stamp"
    local t0 t1
    t0=$(date +%s)
    "$GEN" bench --root "$D/$name" "$@" >/dev/null
    t1=$(date +%s)
    echo "$stamp" >"$D/$name.stamp"
    echo "bench.sh: generated $D/$name ($*) in $((t1 - t0)) s" >&2
}
tree tree --days "$DAYS" --start-date "$START" --seed 1 --ts empty
tree vary --days 3 --start-date "$START" --seed 2 --vary --ts empty
tree year --days "${BENCH_YEAR_DAYS:-365}" --start-date 2024-01-01 --seed 3 --chunk-ms 60000 --ts empty
NAMINGS="seg index chunk"
NDAY=2025-03-01
for n in $NAMINGS; do
    tree "naming-$n" --days 1 --start-date "$NDAY" --seed 4 --ts empty --naming "$n"
done
# A fresh tree leaves the kernel writing back for a while: not our cost.
sync

# ---- runs ------------------------------------------------------------------
load0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$D/lib.kv"
: >"$D/sql.kv"
: >"$D/sql-incr.kv"
: >"$D/srv.kv"
kv() { awk -F= -v k="$2" '$1 == k { v = substr($0, length(k) + 2) } END { print v }' "$1"; }

"$B/camcat-bench-sqlite" index "$D/tree" "$D/peer.db" --kv "$D/sql.kv" >"$D/sql.md"
naming_args=()
for n in $NAMINGS; do naming_args+=(--naming "$n=$D/naming-$n/$NDAY"); done
"$B/camcat-bench" --root "$D/tree" --vary-root "$D/vary" "${naming_args[@]}" --kv "$D/lib.kv" \
    >"$D/lib.md"
incr=$(kv "$D/lib.kv" incr_playlist)
if [ -n "$incr" ]; then
    "$B/camcat-bench-sqlite" update "$D/tree" "$D/peer.db" "$incr" --kv "$D/sql-incr.kv" \
        >"$D/sql-incr.md"
else
    echo "| Incremental | skipped: no live playlist | |" >"$D/sql-incr.md"
fi
probe=$(kv "$D/lib.kv" probe_day)

callgrind_md=$D/callgrind.md
# cg_md NAME TITLE KEY: the total and the top functions of one callgrind run.
cg_md() {
    local ir chunks
    ir=$(awk '/Collected :/ { print $NF }' "$D/$1.log")
    chunks=$(kv "$D/lib.kv" day_chunks)
    echo "$2: **$ir instructions**," \
        "$(awk -v i="$ir" -v c="$chunks" 'BEGIN { printf "%.0f", i / c }') per chunk" \
        "($chunks chunks). Kernel time (readdir, read) is not counted. Top functions, self cost:"
    echo ""
    echo '```'
    callgrind_annotate "$D/$1.out" 2>/dev/null |
        awk '/file:function/ { on = 1; getline; next } on && NF { print } on && !NF && n++ { exit }' |
        head -14 | sed -e "s|$(pwd)/||" -e 's| \[[^]]*\]$||'
    echo '```'
    echo "$3=$ir" >>"$D/lib.kv"
}
if command -v valgrind >/dev/null; then
    valgrind --tool=callgrind --callgrind-out-file="$D/cg-index.out" \
        "$B/camcat-bench" --cold-index-only "$D/tree/$probe" >/dev/null 2>"$D/cg-index.log"
    valgrind --tool=callgrind --callgrind-out-file="$D/cg-stitch.out" --toggle-collect=cc_stitch_day \
        "$B/camcat-bench" --stitch-only "$D/tree/$probe" >/dev/null 2>"$D/cg-stitch.log"
    {
        cg_md cg-index "Cold index of $probe (\`cc_scan_update\`) under callgrind, x86-64" callgrind_ir
        echo ""
        cg_md cg-stitch "Stitched playlist of $probe (\`cc_stitch_day\` only)" callgrind_stitch_ir
        echo ""
        echo "Cold index of one day per chunk naming, whole process (start-up included):"
        echo ""
        for n in $NAMINGS; do
            valgrind --tool=callgrind --callgrind-out-file="$D/cg-$n.out" \
                "$B/camcat-bench" --cold-index-only "$D/naming-$n/$NDAY" >"$D/cg-$n.txt" 2>"$D/cg-$n.log"
            ir=$(awk '/Collected :/ { print $NF }' "$D/cg-$n.log")
            ch=$(awk '{ print $2; exit }' "$D/cg-$n.txt")
            per=$(awk -v i="$ir" -v c="$ch" 'BEGIN { printf "%.0f", i / c }')
            echo "- \`$n\`: $ir instructions, $per per chunk ($ch chunks)"
            echo "cg_per_chunk_$n=$per" >>"$D/lib.kv"
        done
    } >"$callgrind_md"
else
    echo "callgrind: valgrind missing" >"$callgrind_md"
fi

# System calls of a cold index (strace -c -f over the whole process: start-up
# included), per naming tree and for the probe day.
syscalls_md=$D/syscalls.md
if command -v strace >/dev/null; then
    {
        echo "| Day | Chunks | System calls (whole process) | Per chunk | \`newfstatat\` | \`getdents64\` |"
        echo "|---|---|---|---|---|---|"
        for t in "tree/$probe" $(for n in $NAMINGS; do echo "naming-$n/$NDAY"; done); do
            strace -f -c -o "$D/strace.txt" "$B/camcat-bench" --cold-index-only "$D/$t" >"$D/strace-out.txt"
            ch=$(awk '{ print $2; exit }' "$D/strace-out.txt")
            # strace -c columns: % time, seconds, usecs/call, calls, [errors,] name
            calls() { awk -v s="$1" '$NF == s { print $4; exit }' "$D/strace.txt"; }
            tot=$(calls total)
            per=$(awk -v a="$tot" -v c="$ch" 'BEGIN { printf "%.4f", a / c }')
            echo "| \`$t\` | $ch | $tot | $per | $(calls newfstatat) | $(calls getdents64) |"
            maxper=$(awk -v a="$per" -v b="${maxper:-0}" 'BEGIN { print (a > b ? a : b) }')
        done
    } >"$syscalls_md"
    echo "syscalls_per_chunk_max=$maxper" >>"$D/lib.kv"
else
    echo "strace missing: not measured" >"$syscalls_md"
fi

# The stitched playlist as served (gzip -6, the server's level) of a day named
# as ffmpeg names chunks (seg%05d.ts: the day issue 11 measured); the probe
# day's longer chunk_%06d.ts names are in the Library rows.
"$B/camcat-bench" --out "$D/stitched.m3u8" --stitch-only "$D/naming-seg/$NDAY" >/dev/null
st_bytes=$(stat -c %s "$D/stitched.m3u8")
st_gz=$(gzip -6 -c "$D/stitched.m3u8" | wc -c)
st_chunks=$(grep -c '^#EXTINF' "$D/stitched.m3u8")
st_pc=$(awk -v a="$st_bytes" -v c="$st_chunks" 'BEGIN { printf "%.1f", a / c }')
st_gzpc=$(awk -v a="$st_gz" -v c="$st_chunks" 'BEGIN { printf "%.2f", a / c }')

# The camera's CPU: the armhf camcat (make armhf) under qemu-arm, a cold
# `camcat dump` of the seg%05d.ts day: its system calls (qemu-arm -strace)
# and, with BENCH_QEMU_INSN=1 (minutes: one log line per instruction), its
# guest instructions (-singlestep -d nochain,exec).
qemu_md=$D/qemu.md
ARMT=arm-linux-gnueabihf
if [ -x "build/$ARMT/camcat" ] && command -v qemu-arm >/dev/null; then
    asys=$(pwd)/build/sysroot-armhf
    Q=(qemu-arm -L "/usr/$ARMT" -E "LD_LIBRARY_PATH=/usr/$ARMT/lib:$asys/usr/lib/$ARMT:$asys/lib/$ARMT")
    qday=$D/naming-seg/$NDAY
    qch=$(awk '{ print $2; exit }' "$D/cg-seg.txt" 2>/dev/null)
    qsc=$("${Q[@]}" -strace "build/$ARMT/camcat" dump "$qday" --json 2>&1 >/dev/null | wc -l)
    qins="not counted (BENCH_QEMU_INSN=1)"
    if [ "${BENCH_QEMU_INSN:-0}" = 1 ]; then
        qins=$("${Q[@]}" -singlestep -d nochain,exec -D /dev/fd/3 "build/$ARMT/camcat" dump "$qday" --json \
            3>&1 1>/dev/null | wc -l)
    fi
    echo "armhf \`camcat dump\` of \`$qday\` under qemu-arm ($qch chunks): $qsc system calls" \
        "(whole process), guest instructions: $qins." >"$qemu_md"
else
    echo "qemu-arm or build/$ARMT/camcat missing (make armhf): not measured" >"$qemu_md"
fi

# The browser: time to first frame (playwright-core + Debian chromium).
browser_kv=$D/browser.kv
: >"$browser_kv"
if command -v "${CHROMIUM:-chromium}" >/dev/null && [ -d www/node_modules/playwright-core ]; then
    node tools/bench-browser.mjs "$B" "$browser_kv" >"$D/browser.md" 2>"$D/browser.log" ||
        echo "bench-browser.mjs failed: see $D/browser.log" >"$D/browser.md"
else
    echo "chromium or playwright-core missing: not measured" >"$D/browser.md"
fi

# Thumbnails and a 24 h time-lapse of real 720p chunks, nginx beside (issue 13).
thumb_kv=$D/thumb.kv
: >"$thumb_kv"
if command -v ffmpeg >/dev/null; then
    node tools/bench-thumb.mjs "$B" "$thumb_kv" >"$D/thumb.md" 2>"$D/thumb.log" ||
        echo "bench-thumb.mjs failed: see $D/thumb.log" >"$D/thumb.md"
else
    echo "ffmpeg missing: not measured" >"$D/thumb.md"
fi

# Ingest of a pushed 4 Mb/s stream: camcat record and camcatd (issue 15).
tools/bench-ingest.sh "$B" "$D/ingest.kv" >"$D/ingest.md" 2>"$D/ingest.log" ||
    echo "bench-ingest.sh failed: see $D/ingest.log" >"$D/ingest.md"
tools/bench-server.sh "$B" "$D/tree" "$D/year" "$probe" "$D/srv.kv" >"$D/srv.md" ||
    echo "| server rows | bench-server.sh failed | | | | | | |" >>"$D/srv.md"

# ---- footprint -------------------------------------------------------------
stripped() { # FILE STRIP → bytes, or a reason
    local f=$1 s=$2
    [ -f "$f" ] || { echo "not built"; return; }
    command -v "$s" >/dev/null || { echo "no $s"; return; }
    "$s" -o "$D/stripped.tmp" "$f" 2>/dev/null || { echo "$s failed"; return; }
    stat -c %s "$D/stripped.tmp"
    rm -f "$D/stripped.tmp"
}
ARM=build/arm-linux-gnueabihf
ARMSTRIP=arm-linux-gnueabihf-strip
command -v "$ARMSTRIP" >/dev/null || ARMSTRIP=$(ls toolchain/*/bin/*-strip 2>/dev/null | head -1 || true)
[ -n "$ARMSTRIP" ] || ARMSTRIP=arm-linux-gnueabihf-strip
footprint_md=$D/footprint.md
{
    echo "| Binary | x86-64 stripped | armhf stripped | Target |"
    echo "|---|---|---|---|"
    for bin in camcatd camcat; do
        x=$(stripped "$B/$bin" strip)
        if [ -d "$ARM" ]; then a=$(stripped "$ARM/$bin" "$ARMSTRIP"); else a="no $ARM (make armhf)"; fi
        t="—"
        if [ "$bin" = camcatd ]; then
            case $a in
            *[!0-9]*) t="≤ 256 KB: not measured" ;;
            *) t="≤ 256 KB: $([ "$a" -le 262144 ] && echo met || echo '**missed**')" ;;
            esac
            echo "armhf_camcatd=$a" >>"$D/lib.kv"
        fi
        echo "| \`$bin\` | $x | $a | $t |"
    done
    if [ -f "$B/camcatd" ]; then
        needed=$(readelf -d "$B/camcatd" 2>/dev/null | awk -F'[][]' '/NEEDED/ { printf "%s ", $2 }')
        civet=$(ldconfig -p | awk '/libcivetweb\.so/ { print $NF; exit }')
        echo ""
        echo "camcatd links dynamically against: ${needed:-?}(libcivetweb: $( [ -n "$civet" ] && stat -L -c %s "$civet" || echo ?) B on x86-64, not counted above)."
    fi
} >"$footprint_md"

# ---- summary ---------------------------------------------------------------
L=$D/lib.kv S=$D/sql.kv I=$D/sql-incr.kv V=$D/srv.kv
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
ok() { awk -v v="$1" -v l="$2" -v dir="${3:-le}" 'BEGIN { if (v == "n/a" || v == "") print "not measured"; else if (dir == "le" ? v <= l : v >= l) print "met"; else print "**missed**" }'; }

our_wb=$(kv "$L" idx_write_bytes) our_wc=$(kv "$L" idx_wchar)
sql_wb=$(kv "$S" sql_write_bytes_close) sql_wc=$(kv "$S" sql_wchar_close)
wb_frac=$(awk -v a="$our_wb" -v b="$sql_wb" 'BEGIN { if (a > 0 && b > 0) printf "%.0f", b / a; else print "n/a" }')
wc_frac=$(awk -v a="$our_wc" -v b="$sql_wc" 'BEGIN { if (a > 0 && b > 0) printf "%.0f", b / a; else print "n/a" }')
rerun=$(( $(kv "$L" rerun_fs_bytes) + $(kv "$L" rerun_wchar) ))
day_r=$(ratio "$(kv "$V" srv_day_rps)" "$(kv "$V" srv_day_nginx_rps)")
day_pct=$(awk -v r="$day_r" 'BEGIN { if (r == "n/a") print ""; else printf "%.0f", r * 100 }')
hwm=$(kv "$V" year_hwm_kb)
armd=$(kv "$L" armhf_camcatd)
case $armd in *[!0-9]* | "") armd_v="not measured ($armd)" ;; *) armd_v="$armd B: $(ok "$armd" 262144)" ;; esac

{
    echo "# camcat benchmark"
    echo ""
    echo "Machine: $(uname -m), $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo);" \
        "$(uname -sr); $(date -u +%Y-%m-%dT%H:%MZ). Trees generated by \`camcat-gentree bench\`" \
        "under \`$D\`: $DAYS days of 2 s chunks (\`--ts empty\`: chunk files exist, empty)," \
        "3 \`--vary\` days, 365 days of 60 s chunks."
    echo ""
    echo "Load average (1/5/15 min) at the start of the runs: $load0; at the end: $(cut -d' ' -f1-3 /proc/loadavg)." \
        "Times are the best of several runs, but a busy machine still inflates them: compare ratios" \
        "from the same run, and instruction counts."
    echo ""
    echo "## Targets"
    echo ""
    echo "| Target | Measured | Verdict |"
    echo "|---|---|---|"
    echo "| Cold day index ($(kv "$L" day_chunks) chunks) ≤ 1.5× the read + list floor, same run | $(ratio "$(kv "$L" cold_index_ms)" "$(kv "$L" floor_list_ms)")× ($(kv "$L" cold_index_ms) ms vs $(kv "$L" floor_list_ms) ms; read alone $(kv "$L" floor_read_ms) ms) | $(ok "$(kv "$L" cold_index_ratio)" 1.5) |"
    for n in $NAMINGS; do
        r=$(kv "$L" "naming_ratio_$n")
        echo "| … chunks named as \`$n\` (see Library) | ${r:-n/a}× | $(ok "$r" 1.5) |"
    done
    echo "| System calls per chunk, cold index ≤ 0.01 (strace, whole process) | max $(kv "$L" syscalls_per_chunk_max) (see System calls) | $(ok "$(kv "$L" syscalls_per_chunk_max)" 0.01) |"
    cg_main=$(awk -v i="$(kv "$L" callgrind_ir)" -v c="$(kv "$L" day_chunks)" 'BEGIN { if (i == "" || c == "") print "n/a"; else printf "%.0f", i / c }')
    cg_max=$cg_main
    for n in $NAMINGS; do
        v=$(kv "$L" "cg_per_chunk_$n")
        cg_max=$(awk -v a="$v" -v b="$cg_max" 'BEGIN { if (b == "n/a" || a + 0 > b + 0) print (a == "" ? b : a); else print b }')
    done
    echo "| User-space instructions per chunk, cold index ≤ 800 (callgrind) | $cg_main (probe day); max over the namings $cg_max | $(ok "$cg_max" 800) |"
    echo "| Stitched 24 h playlist ≤ 48 B per chunk / ≤ 4 B gzipped (chunks named seg%05d.ts) | $st_pc B / $st_gzpc B per chunk ($st_bytes B, $st_gz B gzipped, $st_chunks chunks) | $(ok "$st_pc" 48) / $(ok "$st_gzpc" 4) |"
    BR=$browser_kv
    ff1=$(kv "$BR" first_frame_1h_ms) ff24=$(kv "$BR" first_frame_24h_ms) ffc=$(kv "$BR" first_frame_click_ms)
    ffr=$(ratio "$ff24" "$ff1")
    echo "| Browser first frame, 24 h day ≤ 1.25× a 1 h day, same run (median of 5) | ${ffr}× (${ff24:-n/a} ms vs ${ff1:-n/a} ms) | $(ok "$ffr" 1.25) |"
    ffc_s=$(awk -v m="$ffc" 'BEGIN { if (m == "") print "n/a"; else printf "%.3f", m / 1000 }')
    echo "| Browser first frame after a calendar click, demo day, loopback ≤ 0.8 s (median of 5) | ${ffc_s} s | $(ok "$ffc_s" 0.8) |"
    echo "| Stitched day playlist ≤ 2× the read floor | $(ratio "$(kv "$L" stitch_ms)" "$(kv "$L" floor_read_ms)")× ($(kv "$L" stitch_ms) ms) | $(ok "$(kv "$L" stitch_ratio)" 2) |"
    echo "| Bytes written to index $DAYS days ≤ 1/200 of SQLite | write_bytes: $our_wb B vs $sql_wb B = 1/$wb_frac; our payload (wchar) $our_wc B vs $sql_wc B = 1/$wc_frac | $(ok "$wb_frac" 200 ge) |"
    echo "| 0 bytes written on a re-run | $rerun B written by camcat (payload + wchar); write_bytes $(kv "$L" rerun_write_bytes) B, on a third run $(kv "$L" rerun3_write_bytes) B | $( [ "$rerun" = 0 ] && echo met || echo '**missed**') |"
    echo "| Sidecar ≤ 4 KiB per day | regular max $(kv "$L" sidecar_max) B; \`--vary\` max $(kv "$L" vary_sidecar_max) B ($(kv "$L" vary_bytes_per_chunk) B/chunk) | regular $(ok "$(kv "$L" sidecar_max)" 4096); vary $(ok "$(kv "$L" vary_sidecar_max)" 4096) |"
    echo "| Warm \`/api/days/DATE\` ≥ 50% of nginx req/s (static file of the same size) | ${day_pct:-n/a}${day_pct:+%} | $(ok "$day_pct" 50 ge) |"
    echo "| Server peak RSS ≤ 8 MiB, 365-day tree | ${hwm:-n/a} KiB | $(ok "${hwm:-}" 8192) |"
    echo "| armhf \`camcatd\` stripped ≤ 256 KB | $armd_v | |"
    TH=$thumb_kv
    th_read=$(kv "$TH" thumb_read_bytes) th_kf=$(kv "$TH" thumb_keyframe_bytes)
    th_lim=$(awk -v k="$th_kf" 'BEGIN { if (k == "") print ""; else print k + 4096 }')
    # the medians of 7 rounds' ratios, node's client and wrk's (bench-thumb.mjs):
    # the verdict takes the worse of the two
    th_rn=$(kv "$TH" thumb_ratio) th_rw=$(kv "$TH" thumb_wrk_ratio)
    th_r=$(awk -v a="$th_rn" -v b="$th_rw" 'BEGIN { if (a == "") print "n/a"; else if (b == "" || a + 0 >= b + 0) print a; else print b }')
    th_rss=$(kv "$TH" preview_hwm_growth_kb)
    echo "| Thumbnail: bytes read from disk ≤ keyframe + 4 KiB (all read(2) of camcatd per thumbnail) | ${th_read:-n/a} B vs ${th_lim:-n/a} B (keyframe ${th_kf:-n/a} B; chunk $(kv "$TH" thumb_chunk_bytes) B, other $(kv "$TH" thumb_other_bytes) B) | $(ok "$th_read" "${th_lim:-0}") |"
    echo "| Thumbnail request ≤ 2× nginx sending a file of the same size (median of 7 rounds, the worse client) | node ${th_rn:-n/a}× ($(kv "$TH" thumb_ms) ms vs $(kv "$TH" thumb_nginx_ms) ms); wrk ${th_rw:-n/a}× ($(kv "$TH" thumb_wrk_ms) ms vs $(kv "$TH" thumb_wrk_nginx_ms) ms) | $(ok "$th_r" 2) |"
    echo "| 24 h time-lapse of 300 frames: peak RSS growth ≤ 256 KiB | ${th_rss:-n/a} KiB after a 2-frame one; $(kv "$TH" preview_hwm_cold_kb) KiB with the worker's first ($(kv "$TH" preview_bytes) B in $(kv "$TH" preview_ms) ms) | $(ok "$th_rss" 256) |"
    echo "| armhf \`camcatd\` stripped ≤ 256 KB with thumbnails (issue 13; the row above) | $armd_v | |"
    echo ""
    echo "## Library (tools/bench.c)"
    echo ""
    cat "$D/lib.md"
    echo ""
    echo "## SQLite peer (tools/bench_sqlite.c: WAL, synchronous=NORMAL, one row per chunk)"
    echo ""
    echo "| Measure | SQLite peer | Note |"
    echo "|---|---|---|"
    cat "$D/sql.md" "$D/sql-incr.md"
    echo ""
    echo "camcat for the same work: $DAYS days indexed with $our_wc B of sidecars ($our_wb B write_bytes);" \
        "a warm day query $(kv "$L" warm_query_us) µs from a fresh catalog, $(kv "$L" cached_hit_us) µs cached," \
        "$(kv "$L" iterate_us) µs to walk all chunks; the 30 appended chunks cost" \
        "$(kv "$L" incr_parsed) B parsed and $(kv "$L" incr_fs_bytes) B written."
    echo ""
    echo "## Instruction counts"
    echo ""
    cat "$callgrind_md"
    echo ""
    echo "## System calls of a cold index (strace -c -f)"
    echo ""
    cat "$syscalls_md"
    echo ""
    echo "### On the camera's CPU (qemu-arm)"
    echo ""
    cat "$qemu_md"
    echo ""
    echo "## Browser (tools/bench-browser.mjs: playwright-core + Debian chromium, loopback)"
    echo ""
    cat "$D/browser.md"
    echo ""
    echo "## Server (tools/bench-server.sh)"
    echo ""
    cat "$D/srv.md"
    echo ""
    echo "## Thumbnails and time-lapses (tools/bench-thumb.mjs, loopback, one connection)"
    echo ""
    cat "$D/thumb.md"
    echo ""
    echo "## Ingest (tools/bench-ingest.sh)"
    echo ""
    cat "$D/ingest.md"
    echo ""
    echo "## Footprint"
    echo ""
    cat "$footprint_md"
} >"$OUT"
cat "$OUT"
