#!/bin/sh
# make-media.sh — how fixtures/media was made, once, with Debian's ffmpeg.
# Not part of the build: the chunks are committed (about 0.5 MB).
# 30 s of ffmpeg's testsrc (a colour pattern with a running timestamp),
# 320x180 at 15 fps, H.264 baseline, a keyframe every 2 s, cut by the HLS
# muxer into fifteen 2-second MPEG-TS chunks with continuous timestamps.
set -eu
out=${1:-fixtures/media}
mkdir -p "$out"
cd "$out"
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc=size=320x180:rate=15" -t 30 \
    -c:v libx264 -profile:v baseline -preset veryfast -pix_fmt yuv420p \
    -b:v 120k -maxrate 150k -bufsize 300k -g 30 -keyint_min 30 -sc_threshold 0 \
    -force_key_frames "expr:gte(t,n_forced*2)" \
    -f hls -hls_time 2 -hls_list_size 0 -hls_segment_filename 'chunk_%02d.ts' media.m3u8
rm -f media.m3u8
