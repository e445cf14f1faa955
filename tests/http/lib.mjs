// Every describe() gets this bound so a hung server fails the run instead of
// stalling it.
export const SUITE = { timeout: 180000 };

// Helpers for the black-box HTTP tests: a camcatd on 127.0.0.1 (port 0, the
// bound port read from its log) over a tree in a temp dir, raw requests, and
// a small m3u8 reader.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = path.resolve(REPO, process.env.CAMCAT_BUILD || 'build');
export const CAMCATD = path.join(BUILD, 'camcatd');
export const FIXTURES = path.join(REPO, 'fixtures');

// The instant golden.sh pins every mtime to, so untimed placement matches.
export const PINNED_MTIME = new Date('2025-06-07T08:00:10Z');

export function tmpdir(tag = 'camcat-http-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), tag));
}

export function pinMtimes(dir) {
  fs.lutimesSync(dir, PINNED_MTIME, PINNED_MTIME);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) pinMtimes(p);
    else fs.lutimesSync(p, PINNED_MTIME, PINNED_MTIME);
  }
}

// Copies fixtures/<name>/root to dest with mtimes pinned as golden.sh does.
export function copyFixture(name, dest) {
  fs.cpSync(path.join(FIXTURES, name, 'root'), dest, { recursive: true, verbatimSymlinks: true });
  pinMtimes(dest);
  return dest;
}

export function fixtureCases() {
  return fs.readdirSync(FIXTURES).filter((c) =>
    fs.existsSync(path.join(FIXTURES, c, 'root')) && fs.existsSync(path.join(FIXTURES, c, 'expect')));
}

// One HLS playlist with n chunks of durMs from t0 (epoch ms), chunk
// files created beside it in dir (each a few distinct bytes) unless files is
// false (they are then indexed as missing on disk).
// ISO-8601 of ms in a UTC offset (minutes), as a camera writes it.
export function isoAt(ms, offMin = 0) {
  if (offMin === 0) return new Date(ms).toISOString();
  const sign = offMin < 0 ? '-' : '+';
  const a = Math.abs(offMin);
  const off = `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  return new Date(ms + offMin * 60000).toISOString().replace('Z', off);
}

export function writeSegment(dir, { t0, n, durMs = 2000, endlist = true, name = 'index.m3u8', first = 0,
  offMin = 0, files = true }) {
  fs.mkdirSync(dir, { recursive: true });
  let text = `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:${Math.ceil(durMs / 1000)}\n`;
  for (let i = 0; i < n; i++) {
    const chunk = `chunk_${String(first + i).padStart(5, '0')}.ts`;
    text += `#EXT-X-PROGRAM-DATE-TIME:${isoAt(t0 + i * durMs, offMin)}\n`;
    text += `#EXTINF:${(durMs / 1000).toFixed(3)},\n${chunk}\n`;
    if (files) fs.writeFileSync(path.join(dir, chunk), `${dir}/${chunk}\n`);
  }
  if (endlist) text += '#EXT-X-ENDLIST\n';
  fs.writeFileSync(path.join(dir, name), text);
}

// A stand-in recorder for a folder whose playlist has no ENDLIST: the
// playlist is touched every second, as a recorder writing chunks would, so it
// stays "being recorded" (changed within the last 10 s) however slow the run.
// The timer does not keep node alive; returns the function that stops it.
export function keepRecording(dir, playlist = 'index.m3u8') {
  const touch = () => {
    const now = new Date();
    try { fs.utimesSync(path.join(dir, playlist), now, now); } catch { /* removed by the test */ }
  };
  touch();
  const timer = setInterval(touch, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

// Every child a test file started and has not seen exit (camcatd, a broker,
// ffmpeg): a test that fails between start and stop must not leave one
// running, or this file's process waits for it and the next file shares the
// machine with it. The file's last hook stops them by PID: SIGTERM, then
// SIGKILL for one that does not exit within 10 s.
const children = new Set();

export function trackChild(proc) {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return proc;
}

async function stopChild(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, 10000, 'late');
  });
  try {
    process.kill(proc.pid, 'SIGTERM');
    if (await Promise.race([exited, late]) === 'late') process.kill(proc.pid, 'SIGKILL');
  } catch {
    // gone already
  } finally {
    clearTimeout(timer);
  }
}

// Only in a test file: node:test's hook would turn a script that imports
// this file (tests/fuzz/rawhttp.mjs, tools/bench-browser.mjs) into a test
// run printing TAP.
if (process.env.NODE_TEST_CONTEXT !== undefined || /\.test\.mjs$/.test(process.argv[1] ?? '')) {
  after(async () => {
    await Promise.all([...children].map(stopChild));
  });
}
// A file that dies outright still takes its children with it.
process.once('exit', () => {
  for (const proc of children) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

export class Server {
  constructor(proc, port, logRef, closed) {
    this.proc = proc;
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.logRef = logRef;
    this.exited = closed;
  }

  get log() {
    return this.logRef.text;
  }

  // SIGTERM by PID; resolves with the exit status.
  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) process.kill(this.proc.pid, 'SIGTERM');
    return this.exited;
  }

  get(p, headers = {}) {
    return request(this.port, p, { headers });
  }
}

// Starts camcatd with args (--listen 127.0.0.1:0 added) and waits until
// /api/health answers readyStatus (401 when authentication is on). wrap is a
// command that execs camcatd (e.g. setpriv ...), so the PID stays the
// server's. Rejects with the log if it exits first.
export async function startServer(args, { env = {}, wrap = [], readyStatus = 200 } = {}) {
  const argv = [...wrap, CAMCATD, '--listen', '127.0.0.1:0', ...args];
  const proc = trackChild(spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  }));
  const logRef = { text: '' };
  // 'close', not 'exit': by then everything it logged has been read.
  const closed = new Promise((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  proc.stderr.setEncoding('utf8');
  const port = await new Promise((resolve, reject) => {
    const onData = (d) => {
      logRef.text += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(logRef.text);
      if (m) resolve(Number(m[1]));
    };
    proc.stderr.on('data', onData);
    proc.once('error', reject);
    proc.once('exit', (code, signal) =>
      reject(new Error(`camcatd exited (${code ?? signal}) before listening:\n${logRef.text}`)));
  });
  const srv = new Server(proc, port, logRef, closed);
  // The port is bound before the handlers are registered: wait for health.
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`camcatd exited:\n${logRef.text}`);
    const r = await srv.get('/api/health').catch(() => null);
    if (r && r.status === readyStatus) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  return srv;
}

// Resolves with the server's log once it matches re. stderr is a pipe read
// apart from the HTTP answers, so a line logged before a response may arrive
// after it; the suite's timeout bounds the wait.
export async function waitForLog(srv, re) {
  while (!re.test(srv.log)) {
    if (srv.proc.exitCode !== null || srv.proc.signalCode !== null) {
      assert.match(srv.log, re);
    }
    await new Promise((res) => setTimeout(res, 10));
  }
  return srv.log;
}

export const JSON_TYPE = 'application/json; charset=utf-8';

// A JSON answer with this status: the parsed body.
export function assertJson(r, status) {
  assert.equal(r.status, status, r.body.toString());
  assert.equal(r.headers['content-type'], JSON_TYPE);
  return JSON.parse(r.body.toString('utf8'));
}

// camcatd's error shape, {"error":{"code","message"}}, with this status and code.
export function assertError(r, status, code) {
  const j = assertJson(r, status);
  assert.equal(typeof j.error, 'object', JSON.stringify(j));
  if (code) assert.equal(j.error.code, code, JSON.stringify(j));
  assert.equal(typeof j.error.message, 'string');
  assert.ok(j.error.message.length > 0);
  return j;
}

// Runs camcatd to completion (for start-up errors): {code, signal, output}.
export function runToExit(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(CAMCATD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    proc.once('error', reject);
    proc.once('close', (code, signal) => resolve({ code, signal, output: out }));
  });
}

const noKeepAlive = new http.Agent({ keepAlive: false });

// GET (or another method) with exact headers and the path sent as given;
// body (a string or Buffer) is sent as is.
export function request(port, p, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers, agent: noKeepAlive }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Sends bytes exactly as given on a fresh connection and returns everything
// the server wrote until it closed: {status (null if none), raw}.
export function rawRequest(port, target, extraHeaders = '') {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const parts = [];
    sock.on('connect', () => {
      sock.write(Buffer.concat([
        Buffer.from('GET ', 'latin1'),
        Buffer.isBuffer(target) ? target : Buffer.from(target, 'latin1'),
        Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extraHeaders}\r\n`, 'latin1'),
      ]));
    });
    sock.on('data', (d) => parts.push(d));
    sock.on('error', (e) => (e.code === 'ECONNRESET' ? null : reject(e)));
    sock.on('close', () => {
      const raw = Buffer.concat(parts).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      resolve({ status: m ? Number(m[1]) : null, raw });
    });
  });
}

// Reads a media playlist: one entry per media URI with its duration (ms),
// program date-time tag (epoch ms or null), its date as a player implies it
// (time: the tag, else the previous chunk's time plus its exact EXTINF, RFC
// 8216 4.3.2.6; null after a discontinuity without a tag), byte range, map URI
// and whether a discontinuity came before it. URIs are resolved against base
// (a URL path).
export function parseM3u8(text, base = '/') {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out = [];
  const tags = { endlist: false, playlistType: null, targetDuration: null };
  let pending = {};
  let map = null;
  let next = null; // the implied time of the next chunk, exact (ms)
  const lastEnd = new Map();
  const resolve = (u) => new URL(u, `http://h${base}`).pathname;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pending.pdt = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) {
      pending.exact = parseFloat(line.slice(8)) * 1000;
      pending.dur = Math.round(pending.exact);
    }
    else if (line.startsWith('#EXT-X-BYTERANGE:')) {
      const [len, off] = line.slice(17).split('@');
      pending.range = { len: Number(len), off: off === undefined ? null : Number(off) };
    } else if (line.startsWith('#EXT-X-MAP:')) map = resolve(/URI="([^"]*)"/.exec(line)[1]);
    else if (line === '#EXT-X-DISCONTINUITY') pending.discontinuity = true;
    else if (line === '#EXT-X-ENDLIST') tags.endlist = true;
    else if (line.startsWith('#EXT-X-PLAYLIST-TYPE:')) tags.playlistType = line.slice(21);
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) tags.targetDuration = Number(line.slice(22));
    else if (line && !line.startsWith('#')) {
      if (pending.dur === undefined) { pending = {}; continue; }
      const uri = resolve(line.trim());
      let range = null;
      if (pending.range) {
        const off = pending.range.off ?? lastEnd.get(uri) ?? 0;
        range = `${pending.range.len}@${off}`;
        lastEnd.set(uri, off + pending.range.len);
      }
      const time = pending.pdt ?? (pending.discontinuity ? null : next);
      next = time === null ? null : time + pending.exact;
      out.push({ uri, dur: pending.dur, pdt: pending.pdt ?? null, time, range, map,
                 discontinuity: !!pending.discontinuity });
      pending = {};
    }
  }
  return { chunks: out, ...tags };
}
