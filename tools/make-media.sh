#!/bin/sh
# make-media.sh [OUT] — how fixtures/media was made, once, with Debian's ffmpeg
# (and fonts-dejavu-core for the burnt-in text). Not part of the build: the
# chunks are committed, and ffmpeg is no build dependency.
#
# 30 s of ffmpeg's testsrc2 (moving shapes, so motion shows) with the media
# time, chunk and frame number burnt in; 320x180 at 15 fps, H.264 baseline at
# a low bitrate, a keyframe every 30 frames (2 s), no audio. One run of the HLS
# muxer cuts it into fifteen 2-second MPEG-TS chunks whose timestamps run on
# from chunk to chunk; media.m3u8 keeps the exact EXTINF of each, which
# camcat-gentree reads.
set -eu
out=${1:-fixtures/media}
font=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf
[ -f "$font" ] || { echo "make-media.sh: $font missing (apt-get install fonts-dejavu-core)" >&2; exit 1; }
mkdir -p "$out"
cd "$out"
rm -f chunk_*.ts media.m3u8
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=320x180:rate=15" -t 30 \
    -vf "drawtext=fontfile=$font:fontsize=14:fontcolor=white:box=1:boxcolor=black@0.6:x=(w-tw)/2:y=h-th-8:text='chunk %{eif\:floor(t/2)\:d\:2}  t=%{pts\:hms}  frame %{eif\:n\:d\:3}'" \
    -an -c:v libx264 -profile:v baseline -preset veryfast -pix_fmt yuv420p \
    -b:v 150k -maxrate 200k -bufsize 400k -g 30 -keyint_min 30 -sc_threshold 0 \
    -force_key_frames "expr:gte(t,n_forced*2)" \
    -f hls -hls_time 2 -hls_list_size 0 -hls_flags independent_segments \
    -hls_segment_filename 'chunk_%02d.ts' media.m3u8
