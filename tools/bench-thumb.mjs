// bench-thumb.mjs BUILD — figures for thumbnails and time-lapses (issue 13),
// not part of `make test`: a 24 h day of real 720p H.264 chunks (made here by
// ffmpeg, hard-linked 43,000 times into a camcat-gentree bench tree), served
// by BUILD/camcatd on loopback.
//
//   bytes read per thumbnail   camcatd's read(2) bytes (/proc/PID/io rchar)
//                              split into the chunk (its debug log) and the
//                              playlist, beside the keyframe's size
//   thumbnail time             beside nginx (the yardstick, as in
//                              bench-server.sh) and /rec serving a static
//                              file of the thumbnail's size
//   24 h time-lapse            300 frames: time, bytes, peak RSS growth
//                              (VmHWM after minus before)
//
// Prints a markdown section; with KVFILE also writes key=value lines for
// tools/bench.sh's verdict rows. Usage: bench-thumb.mjs BUILD [KVFILE]
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const BUILD = path.resolve(process.argv[2] || 'build');
process.env.CAMCAT_BUILD = BUILD; // tests/http/lib.mjs starts BUILD/camcatd
const { startServer } = await import('../tests/http/lib.mjs');
const KV = process.argv[3] ? path.resolve(process.argv[3]) : null;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'camcat-bench-thumb-'));
const root = path.join(work, 'root');
const newAgent = () => new http.Agent({ keepAlive: true, maxSockets: 1 });
let agent = newAgent();

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

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

// nginx serving DIR on loopback; null when it is not installed.
async function startNginx(dir) {
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  if (which.status !== 0) return null;
  const port = await freePort();
  const nd = path.join(work, 'nginx');
  fs.mkdirSync(path.join(nd, 'tmp'), { recursive: true });
  const user = process.getuid() === 0 ? 'user root;' : '';
  const tmp = (k) => `${k}_temp_path ${nd}/tmp/${k};`;
  fs.writeFileSync(path.join(nd, 'nginx.conf'), `${user}
daemon off; worker_processes 1; pid ${nd}/nginx.pid; error_log ${nd}/error.log warn;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(tmp).join(' ')}
  server { listen 127.0.0.1:${port}; root ${dir}; } }
`);
  const p = spawn('nginx', ['-p', nd, '-e', path.join(nd, 'error.log'), '-c', path.join(nd, 'nginx.conf')],
    { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (up) return { pid: p.pid, port };
    await new Promise((res) => setTimeout(res, 50));
  }
  process.kill(p.pid, 'SIGTERM');
  return null;
}

// wrk's median latency (ms) of SECS seconds on one connection: the C client
// weighs nothing beside the servers, where node's own parsing was most of
// each figure. PATHS cycle through a Lua request function. null: no wrk.
function wrkMedian(port, paths, secs) {
  if (spawnSync('sh', ['-c', 'command -v wrk']).status !== 0) return null;
  const lua = path.join(work, 'paths.lua');
  fs.writeFileSync(lua, `local p = {${paths.map((x) => JSON.stringify(x)).join(',')}}
local i = 0
request = function() i = i % #p + 1; return wrk.format(nil, p[i]) end
`);
  const out = run('wrk', ['-t1', '-c1', `-d${secs}s`, '--latency', '-s', lua, `http://127.0.0.1:${port}`]);
  const m = /50%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  if (!m || /Non-2xx/.test(out)) throw new Error(`wrk: ${out}`);
  return Number(m[1]) * { us: 1e-3, ms: 1, s: 1e3 }[m[2]];
}

const proc = (pid, file) => fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
const rchar = (pid) => Number(/rchar: (\d+)/.exec(proc(pid, 'io'))[1]);
const hwmKb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(proc(pid, 'status'))[1]);
const ROUNDS = 7;
const WARM = 500;
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function main() {
  const media = makeMedia();
  const chunks = makeTree(media);
  const kf = media.map((m) => JSON.parse(run(path.join(BUILD, 'camcat'), ['probe', m])).keyframe);
  // Bytes are counted under the debug log (it names each chunk read and its
  // bytes); times against a camcatd at its default level, which logs nothing
  // per request: at debug every request wrote 1-3 lines to a pipe this very
  // process drains, which alone made a thumbnail 2.8x nginx (access_log off).
  let srv = await startServer(['--root', root, '--log-level', 'debug']);
  let port = srv.port;
  try {
    const day = fs.readdirSync(root).find((d) => /^\d{4}-/.test(d));
    const dj = JSON.parse((await get(port, `/api/days/${day}`)).body);
    const from = Date.parse(dj.start ?? dj.segments[0].start);
    const to = Date.parse(dj.end ?? dj.segments.at(-1).end);
    await get(port, `/api/thumb.mp4?t=${from + 1000}`); // warm: code paths, day cache
    // thumbnails at 100 instants spread over the day
    const N = 100;
    const sizes = [];
    const tOk = []; // the instants that were recorded
    let chunkBytes = 0;
    const before = rchar(srv.proc.pid);
    const logBefore = srv.log.length;
    for (let i = 0; i < N; i++) {
      const t = Math.floor(from + (to - from) * (i + 0.37) / N);
      const r = await get(port, `/api/thumb.mp4?t=${t}`);
      if (r.status === 404) continue; // the bench day has gaps
      assert.equal(r.status, 200, r.body.toString());
      sizes.push(r.body.length);
      tOk.push(t);
    }
    await new Promise((res) => setTimeout(res, 300));
    const total = rchar(srv.proc.pid) - before;
    for (const m of srv.log.slice(logBefore).matchAll(/thumb: .* read (\d+) bytes/g)) chunkBytes += Number(m[1]);
    const ok = sizes.length;
    const meanSize = Math.round(sizes.reduce((a, b) => a + b, 0) / ok);
    // Times: ROUNDS rounds of the same thumbnails, each followed by as many
    // static files of the thumbnail's size from camcatd's /rec and from
    // nginx; each figure is the median of the rounds' medians, so a burst of
    // load on this shared machine moves one round, not the verdict.
    const dayDir = path.join(root, day);
    fs.writeFileSync(path.join(dayDir, 'static.mp4'), Buffer.alloc(meanSize, 7));
    // /rec serves media types only: a .bin was a 404 of 288 bytes, not
    // the file; check that both servers really send it.
    assert.equal((await get(port, `/rec/${day}/static.mp4`)).body.length, meanSize);
    await srv.stop();
    srv = await startServer(['--root', root]);
    port = srv.port;
    const ng = await startNginx(dayDir);
    if (ng) assert.equal((await get(ng.port, '/static.mp4')).body.length, meanSize);
    const rounds = { lat: [], stat: [], ng: [], ratio: [], wrk: [], wrkNg: [], wrkRatio: [] };
    const thumbPaths = tOk.map((t) => `/api/thumb.mp4?t=${t}`);
    try {
      // Warm both servers alike first: nginx kept speeding up over its
      // first few hundred requests, which flattered the ratio.
      for (let i = 0; i < WARM; i++) {
        await get(port, thumbPaths[i % ok]);
        await get(port, `/rec/${day}/static.mp4`);
        if (ng) await get(ng.port, '/static.mp4');
      }
      for (let k = 0; k < ROUNDS; k++) {
        const l = [], st = [], nl = [];
        for (const p of thumbPaths) {
          const r = await get(port, p);
          assert.equal(r.status, 200);
          l.push(r.ms);
        }
        for (let i = 0; i < ok; i++) st.push((await get(port, `/rec/${day}/static.mp4`)).ms);
        if (ng) for (let i = 0; i < ok; i++) nl.push((await get(ng.port, '/static.mp4')).ms);
        rounds.lat.push(median(l));
        rounds.stat.push(median(st));
        if (ng) {
          rounds.ng.push(median(nl));
          rounds.ratio.push(median(l) / median(nl));
        }
        const w = wrkMedian(port, thumbPaths, 1);
        const wn = ng && w !== null ? wrkMedian(ng.port, ['/static.mp4'], 1) : null;
        agent.destroy(); // camcatd closed the idle keep-alive sockets meanwhile
        agent = newAgent();
        if (wn !== null) {
          rounds.wrk.push(w);
          rounds.wrkNg.push(wn);
          rounds.wrkRatio.push(w / wn);
        }
      }
    } finally {
      if (ng) process.kill(ng.pid, 'SIGTERM');
    }
    // A 24 h time-lapse of 300 frames after a 2-frame one on the same
    // connection: what grows with the length. The first time-lapse a worker
    // thread serves also pays for its first large allocations (a malloc
    // arena's first pages: 0-216 KiB seen), so that is measured too.
    const hwmCold = hwmKb(srv.proc.pid);
    assert.equal((await get(port, `/api/preview.mp4?from=${from}&to=${to}&frames=2`)).status, 200);
    const hwm0 = hwmKb(srv.proc.pid);
    const p = await get(port, `/api/preview.mp4?from=${from}&to=${to}&frames=300`);
    assert.equal(p.status, 200);
    const hwm1 = hwmKb(srv.proc.pid);
    const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
    const au = Math.round(mean(kf.map((k) => k.access_unit_bytes)));
    const perReq = Math.round(total / ok);
    const ngMed = rounds.ng.length ? median(rounds.ng) : null;
    const kv = {
      thumb_read_bytes: perReq, thumb_chunk_bytes: Math.round(chunkBytes / ok),
      thumb_other_bytes: Math.round((total - chunkBytes) / ok), thumb_keyframe_bytes: au,
      thumb_mp4_bytes: meanSize, thumb_ms: median(rounds.lat).toFixed(3),
      thumb_nginx_ms: ngMed === null ? '' : ngMed.toFixed(3), thumb_rec_ms: median(rounds.stat).toFixed(3),
      thumb_ratio: rounds.ratio.length ? median(rounds.ratio).toFixed(2) : '',
      thumb_wrk_ms: rounds.wrk.length ? median(rounds.wrk).toFixed(3) : '',
      thumb_wrk_nginx_ms: rounds.wrk.length ? median(rounds.wrkNg).toFixed(3) : '',
      thumb_wrk_ratio: rounds.wrk.length ? median(rounds.wrkRatio).toFixed(2) : '',
      preview_bytes: p.body.length, preview_ms: p.ms.toFixed(0), preview_hwm_growth_kb: hwm1 - hwm0, preview_hwm_cold_kb: hwm1 - hwmCold,
    };
    if (KV) fs.writeFileSync(KV, Object.entries(kv).map(([k, v]) => `${k}=${v}\n`).join(''));
    console.log(`Tree: ${chunks} chunks of 720p H.264, 2 s (hard links to ${media.length} chunks); ` +
      `keyframe access units ${kf.map((k) => k.access_unit_bytes).join(', ')} B (mean ${au} B).\n`);
    console.log('| Measure | Value |');
    console.log('|---|---|');
    console.log(`| Thumbnails asked / recorded | ${N} / ${ok} (the bench day has gaps) |`);
    console.log(`| read(2) bytes per thumbnail, all of camcatd | ${perReq} B (chunk ${kv.thumb_chunk_bytes} B, ` +
      `anything else ${kv.thumb_other_bytes} B) |`);
    console.log(`| One-frame MP4 | ${meanSize} B mean |`);
    console.log(`| Thumbnail time, median of ${ROUNDS} rounds' medians | ${kv.thumb_ms} ms; nginx sending ${meanSize} B: ` +
      `${ngMed === null ? 'not measured (no nginx)' : `${kv.thumb_nginx_ms} ms`}; camcatd /rec: ${kv.thumb_rec_ms} ms |`);
    const each = (a) => a.map((r) => r.toFixed(3)).join(', ');
    if (ngMed !== null) {
      console.log(`| Thumbnail ÷ nginx, per round | ${rounds.ratio.map((r) => r.toFixed(2)).join(', ')} ` +
        `(median ${kv.thumb_ratio}); thumbnail ${each(rounds.lat)} ms; nginx ${each(rounds.ng)} ms |`);
    }
    if (rounds.wrk.length) {
      console.log(`| The same with wrk (1 connection, 1 s a round; median latency) | ${rounds.wrkRatio.map((r) => r.toFixed(2)).join(', ')} ` +
        `(median ${kv.thumb_wrk_ratio}); thumbnail ${each(rounds.wrk)} ms; nginx ${each(rounds.wrkNg)} ms |`);
    }
    console.log(`| 24 h time-lapse, 300 frames | ${p.body.length} B in ${kv.preview_ms} ms; peak RSS ` +
      `${hwm0} → ${hwm1} KiB after a 2-frame one (growth ${hwm1 - hwm0} KiB); ${hwm1 - hwmCold} KiB counting ` +
      `the worker's first time-lapse |`);
  } finally {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
