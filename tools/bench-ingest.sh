#!/bin/bash
# bench-ingest.sh BUILD OUT.kv — ingest of a 4 Mb/s MPEG-TS stream (issue 15
# targets), printed as Markdown rows with verdicts; figures also go to OUT.kv.
#
# The stream: BENCH_INGEST_S (60) seconds of testsrc2 in libx264 at a
# constant 4 Mb/s, -g 30, made once under BUILD/bench/. Then:
# - `camcat record` from the file (as fast as it reads): CPU seconds per
#   second of stream (= % of one core at real time), peak RSS growth (see
#   below), instructions per input byte (callgrind), and writes per
#   chunk (strace -f of write, writev, pwrite64, rename, fsync, fdatasync);
# - camcatd fed at real time (ffmpeg -re -c copy, POST /api/ingest): CPU %
#   of one core (utime + stime from /proc), VmHWM growth over the idle
#   server, and what keeping the day's index current costs per chunk while
#   a client asks for the day every second (as the UI does when live):
#   playlist bytes parsed, playlists read and chunks noted by the ingest
#   (/api/health cache stats) and the catalog's system calls.
#
# Peak RSS growth of `camcat record`: over an empty stream (as before), and
# over a one-frame stream that runs the same code. The first counts the
# shared code pages (libc, the binary) that a run maps on first use, with
# the kernel's fault-around, which the empty run never touches (about
# 250-600 KiB here, none of it the process's own memory); the second is the
# growth a longer stream brings: its peak minus the one-frame run's, plus
# that run's whole chunk (the memory it held is counted as growth too).
set -eu

B=${1:-build}
KV=${2:-$B/bench/ingest.kv}
D=$B/bench
SECS=${BENCH_INGEST_S:-60}
mkdir -p "$D"
: >"$KV"
put() { echo "$1=$2" >>"$KV"; }
ok() { awk -v v="$1" -v l="$2" 'BEGIN { if (v == "") print "not measured"; else if (v <= l) print "met"; else print "**missed**" }'; }

command -v ffmpeg >/dev/null || { echo "| Ingest | ffmpeg missing: not measured | |"; exit 0; }
TS=$D/ingest-4m-$SECS.ts
if [ ! -s "$TS" ]; then
    ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -t "$SECS" -c:v libx264 \
        -preset veryfast -g 30 -b:v 3600k -minrate 3600k -maxrate 3600k -bufsize 1M -x264-params nal-hrd=cbr \
        -f mpegts -muxrate 4000k -y "$TS.tmp"
    mv "$TS.tmp" "$TS"
fi
TS1=$D/ingest-4m-1frame.ts
if [ ! -s "$TS1" ]; then
    ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -frames:v 1 -c:v libx264 \
        -preset veryfast -g 30 -b:v 3600k -f mpegts -y "$TS1.tmp"
    mv "$TS1.tmp" "$TS1"
fi
BYTES=$(stat -c %s "$TS")
RATE=$(awk -v b="$BYTES" -v s="$SECS" 'BEGIN { printf "%.2f", b * 8 / s / 1e6 }')
W=$(mktemp -d "$D/ingest-run.XXXXXX")
trap 'rm -rf "$W"' EXIT

# ---- camcat record ---------------------------------------------------------
rss_of() { /usr/bin/time -f '%M %U %S' "$B/camcat" record --root "$1" <"$2" 2>&1 >/dev/null | tail -1; }
mkdir -p "$W/r0" "$W/r1" "$W/r4"
# The median of three runs each: page mapping varies a little from run to run.
med() { sort -n | sed -n 2p; }
rss0=$(for i in 1 2 3; do rss_of "$W/r0" /dev/null | awk '{ print $1 }'; done | med)
rss_tiny=$(for i in 1 2 3; do rm -rf "$W/r4"; mkdir -p "$W/r4"; rss_of "$W/r4" "$TS1" | awk '{ print $1 }'; done | med)
tiny_kb=$(( ($(find "$W/r4" -name 'seg*.ts' -printf '%s\n' | sort -n | tail -1) + 1023) / 1024 ))
read -r rss1 u1 s1 <<<"$(rss_of "$W/r1" "$TS")"
rss1=$( (echo "$rss1"; for i in 1 2; do rm -rf "$W/r1b"; mkdir -p "$W/r1b"; rss_of "$W/r1b" "$TS" | awk '{ print $1 }'; done) | med)
chunks=$(find "$W/r1" -name 'seg*.ts' | wc -l)
maxchunk=$(find "$W/r1" -name 'seg*.ts' -printf '%s\n' | sort -n | tail -1)
cpu_rec=$(awk -v u="$u1" -v s="$s1" -v t="$SECS" 'BEGIN { printf "%.2f", (u + s) / t * 100 }')
growth=$((rss1 - rss0))
growth_own=$((rss1 - rss_tiny + tiny_kb))
bound=$(( (maxchunk + 1023) / 1024 + 256 ))
put rec_cpu_pct "$cpu_rec"
put rec_rss_growth_kb "$growth"
put rec_rss_growth_same_code_kb "$growth_own"
put rec_chunks "$chunks"
put rec_max_chunk_kb $(( (maxchunk + 1023) / 1024 ))

ipb=
if command -v valgrind >/dev/null; then
    mkdir -p "$W/r2"
    valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" "$B/camcat" record --root "$W/r2" \
        <"$TS" >/dev/null 2>"$W/cg.log" || true
    ir=$(awk '/^summary:/ { print $2 }' "$W/cg.out" 2>/dev/null)
    [ -n "$ir" ] && ipb=$(awk -v i="$ir" -v b="$BYTES" 'BEGIN { printf "%.2f", i / b }')
    put rec_instr_per_byte "$ipb"
fi

wpc= sys_detail=
if command -v strace >/dev/null; then
    mkdir -p "$W/r3"
    strace -f -qq -o "$W/st.log" -e trace=write,writev,pwrite64,rename,fsync,fdatasync \
        "$B/camcat" record --root "$W/r3" <"$TS" >/dev/null 2>&1
    c3=$(find "$W/r3" -name 'seg*.ts' | wc -l)
    n() { grep -c "^[0-9]* *$1(" "$W/st.log" || true; }
    # The process's own output (stdout, stderr) is no write to the card.
    out=$(grep -cE "^[0-9]* *write\((1|2)," "$W/st.log" || true)
    total=$(( $(n write) + $(n writev) + $(n pwrite64) + $(n rename) + $(n fsync) + $(n fdatasync) - out ))
    wpc=$(awk -v t="$total" -v c="$c3" 'BEGIN { printf "%.2f", t / c }')
    sys_detail="writev $(n writev), write $(( $(n write) - out )), rename $(n rename), fsync $(n fsync), fdatasync $(n fdatasync) for $c3 chunks"
    # Met: one writev per chunk file, one rename per playlist update (one
    # more for the closing ENDLIST).
    wv=$(n writev) rn=$(n rename)
    wverdict=$([ "$wv" -eq "$c3" ] && [ "$rn" -le $((c3 + 1)) ] && echo met || echo '**missed**')
    put rec_writes_per_chunk "$wpc"
fi

# ---- camcatd at real time ----------------------------------------------------
mkdir -p "$W/root"
"$B/camcatd" --root "$W/root" --listen 127.0.0.1:0 --www "$W" --log-level info 2>"$W/srv.log" &
SRV=$!
trap 'kill "$SRV" 2>/dev/null || true; wait "$SRV" 2>/dev/null || true; rm -rf "$W"' EXIT
port=
for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$W/srv.log" | head -1)
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break
    sleep 0.1
done
ticks() { awk '{ print $14 + $15 }' "/proc/$SRV/stat"; }
hz=$(getconf CLK_TCK)
cache() { curl -s "http://127.0.0.1:$port/api/health" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
parsed() { cache bytes_parsed; }
rss_idle=$(awk '/VmRSS/ { print $2 }' "/proc/$SRV/status")
p0=$(parsed)
r0=$(cache playlists_read)
n0=$(cache notes)
t0=$(ticks)
w0=$(date +%s.%N)
# The catalog's own system calls while it follows the day (threads of
# camcatd other than the ingest's: counted per thread, see below).
strace -f -qq -p "$SRV" -o "$W/srv-st.log" -e trace=openat,read,pread64,newfstatat,statx,fstat,getdents64,close 2>/dev/null &
STR=$!
sleep 0.5
ffmpeg -nostdin -v error -re -i "$TS" -c copy -f mpegts -method POST "http://127.0.0.1:$port/api/ingest" &
FF=$!
day=$(date +%F)
polls=0
while kill -0 "$FF" 2>/dev/null; do
    curl -s -o /dev/null "http://127.0.0.1:$port/api/days/$day"
    polls=$((polls + 1))
    sleep 1
done
wait "$FF" || true
curl -s -o /dev/null "http://127.0.0.1:$port/api/days/$day"
w1=$(date +%s.%N)
t1=$(ticks)
p1=$(parsed)
r1=$(cache playlists_read)
n1=$(cache notes)
kill "$STR" 2>/dev/null || true
wait "$STR" 2>/dev/null || true
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$SRV/status")
schunks=$(find "$W/root" -name 'seg*.ts' | wc -l)
cpu_srv=$(awk -v a="$t0" -v b="$t1" -v h="$hz" -v x="$w0" -v y="$w1" 'BEGIN { printf "%.2f", (b - a) / h / (y - x) * 100 }')
sgrowth=$((hwm - rss_idle))
pp=$(awk -v a="$p0" -v b="$p1" -v c="$schunks" 'BEGIN { if (c > 0) printf "%.0f", (b - a) / c }')
reads=$(( ${r1:-0} - ${r0:-0} ))
notes=$(( ${n1:-0} - ${n0:-0} ))
# System calls on the playlist's and folder's paths, per chunk: the ones
# naming index.m3u8 or the recording folder, made by the threads that serve
# the day (the ingest's thread, which writes the folder, is left out: it is
# the one that opened a chunk file O_EXCL).
ingest_tids=$(grep -E 'seg[0-9]{5}\.ts".*O_EXCL' "$W/srv-st.log" | awk '{ print $1 }' | sort -u | tr '\n' ' ')
cat_calls=$(awk -v skip=" $ingest_tids" 'index(skip, " " $1 " ") == 0' "$W/srv-st.log" |
    grep -cE 'index\.m3u8|/[0-9]{5}"' || true)
cat_detail=$(awk -v skip=" $ingest_tids" 'index(skip, " " $1 " ") == 0' "$W/srv-st.log" |
    grep -E 'index\.m3u8|/[0-9]{5}"' | sed -E 's/^[0-9]+ +([a-z0-9]+)\(.*/\1/' | sort | uniq -c |
    awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }')
cpc=$(awk -v a="$cat_calls" -v c="$schunks" 'BEGIN { if (c > 0) printf "%.1f", a / c }')
put srv_cpu_pct "$cpu_srv"
put srv_rss_growth_kb "$sgrowth"
put srv_parsed_per_chunk "$pp"
put srv_playlists_read "$reads"
put srv_notes "$notes"
put srv_catalog_calls_per_chunk "$cpc"
put srv_chunks "$schunks"

echo "Stream: $SECS s of testsrc2 1280x720, libx264 CBR, $RATE Mb/s ($BYTES B), -g 30, 2 s chunks."
echo ""
echo "| Target | Measured | Verdict |"
echo "|---|---|---|"
echo "| \`camcat record\` CPU ≤ 3% of one core at real time | $cpu_rec% (${u1} s user + ${s1} s sys for $SECS s of stream) | $(ok "$cpu_rec" 3) |"
echo "| \`camcat record\` instructions per input byte (callgrind, whole process) | ${ipb:-not measured} | reported |"
echo "| Writes per chunk: 1 chunk file + 1 playlist update (strace -f: write, writev, pwrite64, rename, fsync, fdatasync) | ${wpc:-not measured} calls per chunk (${sys_detail:-strace missing}) | ${wverdict:-not measured} |"
echo "| \`camcat record\` peak RSS growth ≤ one chunk + 256 KiB | $growth_own KiB over a one-frame stream through the same code (its $tiny_kb KiB chunk counted in); $growth KiB over an empty stream, which maps less shared code (largest chunk $(( (maxchunk + 1023) / 1024 )) KiB, bound $bound KiB; medians of 3) | $(ok "$growth_own" "$bound") (empty-stream figure: $(ok "$growth" "$bound")) |"
echo "| camcatd CPU ≤ 3% of one core, fed at real time (ffmpeg -re, POST /api/ingest) | $cpu_srv% over $(awk -v x="$w0" -v y="$w1" 'BEGIN { printf "%.0f", y - x }') s, $schunks chunks, the day asked $polls times | $(ok "$cpu_srv" 3) |"
echo "| camcatd peak RSS growth ≤ one chunk + 256 KiB | $sgrowth KiB (VmHWM after − VmRSS idle) | $(ok "$sgrowth" "$bound") |"
echo "| Keeping the day's index current, per chunk (the day asked every second) | ${pp:-n/a} B of playlist read and parsed; ${cpc:-n/a} system calls naming the playlist or its folder by the threads serving the day (${cat_detail:-none}); $notes chunks noted by the ingest, $reads playlist reads in all | reported |"
