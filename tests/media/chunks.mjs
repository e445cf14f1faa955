// Test chunks made by Debian's ffmpeg at test time (nothing large is
// committed): each variant is a 2 s HLS recording cut into two 1 s chunks,
// so the second chunk shows what a keyframe mid-recording looks like (for
// x265's open GOP, a CRA rather than an IDR). Also ffprobe / framemd5 helpers
// that the media and HTTP tests compare camcat's answers against.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SRC = (size) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`];
const AAC = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-ac', '2', '-c:a', 'aac'];
const X264 = (...a) => ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', ...a];
const X265 = (params) => ['-c:v', 'libx265', '-preset', 'fast',
  '-x265-params', `keyint=25:min-keyint=25:log-level=error:${params}`];

export const VARIANTS = {
  'h264-baseline': [...SRC('320x180'), ...X264('-profile:v', 'baseline')],
  'h264-main-aac': [...SRC('640x360'), ...AAC, ...X264('-profile:v', 'main')],
  'h264-high-aac': [...SRC('1280x720'), ...AAC, ...X264('-profile:v', 'high')],
  'h264-high422': [...SRC('640x360'), ...X264('-pix_fmt', 'yuv422p', '-profile:v', 'high422')],
  'h264-1080p': [...SRC('1920x1080'), ...X264('-profile:v', 'high')],
  'h264-4slices': [...SRC('640x360'), ...X264('-x264-params', 'slices=4')],
  'h265-closed': [...SRC('640x360'), ...X265('open-gop=0')],
  'h265-open': [...SRC('640x360'), ...X265('open-gop=1:bframes=4')],
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: opts.encoding ?? 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

let made = null;

// { name: [chunk0, chunk1] } (paths), made once per process.
export function makeChunks() {
  if (made) return made;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'camcat-media-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  made = {};
  for (const [name, args] of Object.entries(VARIANTS)) {
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args, '-t', '2', '-f', 'hls',
      '-hls_time', '1', '-hls_list_size', '0', '-hls_segment_filename',
      path.join(dir, `${name}-%d.ts`), path.join(dir, `${name}.m3u8`)]);
    made[name] = [0, 1].map((i) => path.join(dir, `${name}-${i}.ts`));
  }
  return made;
}

export function ffprobe(file) {
  return JSON.parse(run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file])).streams;
}

// The MD5s of the decoded frames of a file (or of its first n frames).
export function frameMd5s(file, n = 0) {
  const lim = n ? ['-frames:v', String(n)] : [];
  const out = run('ffmpeg', ['-v', 'error', '-i', file, ...lim, '-map', '0:v', '-f', 'framemd5', '-']);
  return out.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').pop().trim());
}
