// bench-thumb.mjs BUILD — figures for thumbnails and time-lapses (issue 13),
// not part of `make test`: a 24 h day of real 720p H.264 chunks (made here by
// ffmpeg, hard-linked 43,000 times into a camcat-gentree bench tree), served
// by BUILD/camcatd on loopback.
//
//   bytes read per thumbnail   camcatd's read(2) bytes (/proc/PID/io rchar)
//                              split into the chunk (its debug log) and the
//                              playlist, beside the keyframe's size
//   thumbnail time             beside /rec serving a file of the same size
//   24 h time-lapse            300 frames: time, bytes, peak RSS growth
//                              (VmHWM after minus before)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const BUILD = path.resolve(process.argv[2] || 'build');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'camcat-bench-thumb-'));
const root = path.join(work, 'root');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
}

function makeMedia() {
  const dir = path.join(work, 'media');
  fs.mkdirSync(dir);
  run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25',
    '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-b:v', '2M', '-f', 'hls',
    '-hls_time', '2', '-hls_list_size', '0', '-hls_segment_filename', path.join(dir, 'm%d.ts'),
    path.join(dir, 'm.m3u8')]);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

function makeTree(media) {
  run(path.join(BUILD, 'camcat-gentree'), ['bench', '--root', root, '--days', '1', '--ts', 'empty']);
  let k = 0;
  for (const day of fs.readdirSync(root)) {
    for (const seg of fs.readdirSync(path.join(root, day))) {
      const d = path.join(root, day, seg);
      if (!fs.statSync(d).isDirectory()) continue;
      for (const f of fs.readdirSync(d).filter((n) => n.endsWith('.ts')).sort()) {
        fs.rmSync(path.join(d, f));
        fs.linkSync(media[k++ % media.length], path.join(d, f));
      }
    }
  }
  return k;
}

function get(port, p) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http.get({ host: '127.0.0.1', port, path: p, agent }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts),
        ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    }).on('error', reject);
  });
}

const proc = (pid, file) => fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
const rchar = (pid) => Number(/rchar: (\d+)/.exec(proc(pid, 'io'))[1]);
const hwmKb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(proc(pid, 'status'))[1]);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function main() {
  const media = makeMedia();
  const chunks = makeTree(media);
  const kf = media.map((m) => JSON.parse(run(path.join(BUILD, 'camcat'), ['probe', m])).keyframe);
  const srv = spawn(path.join(BUILD, 'camcatd'), ['--root', root, '--listen', '127.0.0.1:0', '--log-level', 'debug'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  srv.stderr.setEncoding('utf8');
  const port = await new Promise((resolve) => srv.stderr.on('data', (d) => {
    log += d;
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
    if (m) resolve(Number(m[1]));
  }));
  try {
    const day = fs.readdirSync(root).find((d) => /^\d{4}-/.test(d));
    const dj = JSON.parse((await get(port, `/api/days/${day}`)).body);
    const from = Date.parse(dj.start ?? dj.segments[0].start);
    const to = Date.parse(dj.end ?? dj.segments.at(-1).end);
    await get(port, `/api/thumb.mp4?t=${from + 1000}`); // warm: code paths, day cache
    // thumbnails at 100 instants spread over the day
    const N = 100;
    const lat = [], sizes = [];
    let chunkBytes = 0;
    const before = rchar(srv.pid);
    const logBefore = log.length;
    for (let i = 0; i < N; i++) {
      const t = Math.floor(from + (to - from) * (i + 0.37) / N);
      const r = await get(port, `/api/thumb.mp4?t=${t}`);
      if (r.status === 404) continue; // the bench day has gaps
      assert.equal(r.status, 200, r.body.toString());
      lat.push(r.ms);
      sizes.push(r.body.length);
    }
    await new Promise((res) => setTimeout(res, 300));
    const total = rchar(srv.pid) - before;
    for (const m of log.slice(logBefore).matchAll(/thumb: .* read (\d+) bytes/g)) chunkBytes += Number(m[1]);
    const ok = sizes.length;
    const meanSize = Math.round(sizes.reduce((a, b) => a + b, 0) / ok);
    // the same number of static files of the thumbnail's size through /rec
    const dayDir = path.join(root, day);
    fs.writeFileSync(path.join(dayDir, 'static.bin'), Buffer.alloc(meanSize, 7));
    const stat = [];
    for (let i = 0; i < ok; i++) stat.push((await get(port, `/rec/${day}/static.bin`)).ms);
    // a 24 h time-lapse of 300 frames
    const hwm0 = hwmKb(srv.pid);
    const p = await get(port, `/api/preview.mp4?from=${from}&to=${to}&frames=300`);
    assert.equal(p.status, 200);
    const hwm1 = hwmKb(srv.pid);
    const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
    console.log(`tree: ${chunks} chunks of 720p H.264, 2 s; keyframes ${kf.map((k) => k.access_unit_bytes).join(', ')} bytes`);
    console.log(`thumbnail: ${meanSize} bytes mean MP4; ${ok} of ${N} instants recorded; read(2) per request ${Math.round(total / N)} bytes, ` +
      `of which chunk ${Math.round(chunkBytes / ok)} per thumbnail (keyframe span mean ${Math.round(mean(kf.map((k) => k.size)))} ` +
      `+ ${kf[0].offset} head), playlists ${Math.round((total - chunkBytes) / N)} per request`);
    console.log(`thumbnail time: median ${median(lat).toFixed(2)} ms; /rec static file of the same size: ` +
      `median ${median(stat).toFixed(2)} ms (ratio ${(median(lat) / median(stat)).toFixed(2)})`);
    console.log(`24 h time-lapse, 300 frames: ${p.body.length} bytes in ${p.ms.toFixed(0)} ms; ` +
      `peak RSS ${hwm0} -> ${hwm1} KiB (growth ${hwm1 - hwm0} KiB)`);
  } finally {
    process.kill(srv.pid, 'SIGTERM');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
