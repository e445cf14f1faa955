#!/usr/bin/env node
// soak.mjs BUILD — `make soak`: camcatd over a generated tree on 127.0.0.1,
// SOAK_REQUESTS (default 1,000,000) mixed requests at SOAK_CONNS (default 50)
// keep-alive connections: day list, day JSON, stitched playlists (whole and
// from/to), chunk byte ranges, thumbnails, 404s and bad input.
//
// Every URL's status is learnt once before the load (and must be one its kind
// allows); during the load any other status, or a failed connection, is an
// error. Every 100k requests (a tenth of fewer) it prints camcatd's RSS and open fds; it fails
// when either grew after the first fifth (the warm-up) by more than
// SOAK_RSS_GROWTH_KB (default 8192) or SOAK_FD_GROWTH (default 8). Loopback
// only; camcatd is stopped by its PID; bounded by the count and SOAK_MAX_S
// (default 3600).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const BUILD = path.resolve(process.argv[2] || 'build');
const TOTAL = Number(process.env.SOAK_REQUESTS || 1000000);
const CONNS = Number(process.env.SOAK_CONNS || 50);
const RSS_GROWTH_KB = Number(process.env.SOAK_RSS_GROWTH_KB || 8192);
const FD_GROWTH = Number(process.env.SOAK_FD_GROWTH || 8);
const MAX_S = Number(process.env.SOAK_MAX_S || 3600);
// every 100k, or every tenth of a smaller count
const EVERY = Math.min(100000, Math.max(1000, Math.floor(TOTAL / 10)));
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.env.CAMCAT_BUILD = BUILD;
const { startServer } = await import('../tests/http/lib.mjs');

function die(msg) {
  console.error(`soak: ${msg}`);
  process.exitCode = 1;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'camcat-soak-'));
const root = path.join(work, 'rec');
const gen = spawnSync(path.join(BUILD, 'camcat-gentree'), ['demo', '--root', root, '--media',
  path.join(REPO, 'fixtures/media'), '--end-date', '2025-08-09', '--now', '1754740800'], { encoding: 'utf8' });
if (gen.status !== 0) throw new Error(`camcat-gentree failed: ${gen.stderr}`);

// All CONNS connections come from 127.0.0.1: no per-client cap.
const srv = await startServer(['--root', root, '--max-client-conns', '0']);
const { port } = srv;

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNS });
function get(p, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, headers, agent }, (res) => {
      let n = 0;
      res.on('data', (d) => { n += d.length; });
      res.on('end', () => resolve({ status: res.statusCode, bytes: n, body: null }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
async function getJson(p) {
  const body = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent }, (res) => {
      let s = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { s += d; });
      res.on('end', () => resolve(s));
    }).on('error', reject);
  });
  return JSON.parse(body);
}

// The request mix: [kind, path, headers, statuses the kind allows].
async function buildMix() {
  const mix = [['days', '/api/days', {}, [200]], ['health', '/api/health', {}, [200]]];
  const { days } = await getJson('/api/days');
  for (const d of days) {
    mix.push(['day', `/api/days/${d.date}`, {}, [200]]);
    mix.push(['playlist', `/api/days/${d.date}/playlist.m3u8`, {}, [200]]);
    mix.push(['playlist', `/api/days/${d.date}/playlist.m3u8?from=${d.start_ms + 60000}&to=${d.start_ms + 600000}`, {}, [200]]);
    const day = await getJson(`/api/days/${d.date}`);
    for (const s of day.segments) {
      for (const k of [0, 7, 50]) {
        const chunk = `${s.playlist.replace(/[^/]*$/, '')}chunk_${String(k).padStart(5, '0')}.ts`;
        mix.push(['range', chunk, { Range: `bytes=${k * 1000}-${k * 1000 + 65535}` }, [206, 404, 416]]);
        mix.push(['thumb', `/api/thumb.mp4?t=${s.start_ms + k * 2000 + 500}`, {}, [200, 404]]);
      }
    }
  }
  for (const [p, st] of [['/api/nope', 404], ['/nope.html', 404], ['/api/days/2025-13-40', 400],
    ['/api/days/2031-01-01', 404], ['/api/days?from=yesterday', 400], ['/rec/%2e%2e/etc/passwd', 400],
    ['/api/thumb.mp4', 400], ['/api/thumb.mp4?t=2001-01-01T00:00:00Z', 404],
    ['/rec/2025-08-09/00008/chunk_99999.ts', 404], ['/api/days/2025-08-09/playlist.m3u8?from=9&to=1', 400]]) {
    mix.push(['bad', p, {}, [st]]);
  }
  // What each URL answers: learnt once, then held to.
  for (const m of mix) {
    const r = await get(m[1], m[2]);
    if (!m[3].includes(r.status)) throw new Error(`${m[1]}: ${r.status}, not one of ${m[3]}`);
    m.push(r.status);
  }
  return mix;
}

function sample() {
  const st = fs.readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8');
  return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(st)[1]), fds: fs.readdirSync(`/proc/${srv.proc.pid}/fd`).length };
}

const mix = await buildMix();
const statuses = {};
const kinds = {};
let sent = 0, done = 0, errors = 0, warm = null;
const series = [];
const t0 = Date.now();
const deadline = t0 + MAX_S * 1000;

async function worker() {
  while (sent < TOTAL && Date.now() < deadline && errors < 10) {
    const m = mix[sent++ % mix.length];
    try {
      const r = await get(m[1], m[2]);
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      kinds[m[0]] = (kinds[m[0]] || 0) + 1;
      if (r.status !== m[4]) {
        errors++;
        console.error(`soak: ${m[1]} answered ${r.status}, expected ${m[4]}`);
      }
    } catch (e) {
      errors++;
      console.error(`soak: ${m[1]}: ${e.message}`);
    }
    if (++done % EVERY === 0) {
      const s = sample();
      if (done === 2 * EVERY) warm = s; // the first fifth is the warm-up
      const rate = Math.round(done / ((Date.now() - t0) / 1000));
      series.push(`${done / 1000}k: RSS ${s.rssKb} KiB, fds ${s.fds}`);
      console.log(`soak: ${done} requests, ${rate}/s: camcatd RSS ${s.rssKb} KiB, ${s.fds} open fds`);
    }
  }
}

try {
  console.log(`soak: ${BUILD}/camcatd on 127.0.0.1:${port}, ${TOTAL} requests at ${CONNS} connections over ${mix.length} URLs`);
  await Promise.all(Array.from({ length: CONNS }, worker));
  const end = sample();
  console.log(`soak: statuses ${JSON.stringify(statuses)}; kinds ${JSON.stringify(kinds)}`);
  console.log(`soak: series ${series.join('; ')}`);
  if (errors) die(`${errors} unexpected answers or failed requests`);
  if (done < TOTAL) die(`only ${done} of ${TOTAL} requests in ${MAX_S} s`);
  if (warm && end.rssKb - warm.rssKb > RSS_GROWTH_KB)
    die(`RSS grew ${end.rssKb - warm.rssKb} KiB after warm-up (bound ${RSS_GROWTH_KB})`);
  if (warm && end.fds - warm.fds > FD_GROWTH)
    die(`open fds grew ${end.fds - warm.fds} after warm-up (bound ${FD_GROWTH})`);
  if (/ERROR|AddressSanitizer|runtime error/.test(srv.log)) die(`camcatd logged errors:\n${srv.log}`);
  if (!process.exitCode) console.log(`soak: ok, ${done} requests in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  agent.destroy();
  const { code } = await srv.stop();
  if (code) die(`camcatd exited ${code}:\n${srv.log}`);
  fs.rmSync(work, { recursive: true, force: true });
}
