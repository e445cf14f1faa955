// A mutation fuzzer for raw HTTP requests against a running camcatd (the
// sanitizer build in tests): request lines, headers, chunked bodies,
// pipelining, NUL bytes, huge and many headers. Each case goes on a fresh
// loopback connection; the server must keep answering /api/health and stop
// cleanly on SIGTERM with nothing reported by the sanitizers. A case that
// kills the server is saved for replay (`node tests/fuzz/rawhttp.mjs --replay FILE`).
//
// As a program: node tests/fuzz/rawhttp.mjs [--seconds N] [--cases N] [--seed N]
// (used by `make fuzz`); tests/http/rawfuzz.test.mjs runs a short, seeded run.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// xorshift32: the same seed gives the same cases, so a failure replays.
export function rng(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  return { next, below: (n) => next() % n, pick: (a) => a[next() % a.length] };
}

const CRLF = '\r\n';

// Valid requests the mutations start from: every kind of route and body.
export function seeds(day, chunk) {
  const h = 'Host: 127.0.0.1' + CRLF;
  const json = '{"epoch_ms":1700000000000}';
  return [
    `GET /api/health HTTP/1.1${CRLF}${h}${CRLF}`,
    `GET /api/days HTTP/1.1${CRLF}${h}Accept-Encoding: gzip${CRLF}${CRLF}`,
    `GET /api/days?from=2025-01-01&to=2025-12-31 HTTP/1.1${CRLF}${h}${CRLF}`,
    `GET /api/days/${day} HTTP/1.1${CRLF}${h}If-None-Match: "abc"${CRLF}${CRLF}`,
    `GET /api/days/${day}/playlist.m3u8?from=${day}T00:00:00Z&to=${day}T23:00:00Z HTTP/1.1${CRLF}${h}Accept-Encoding: gzip, deflate${CRLF}${CRLF}`,
    `GET /api/days/${day}/motion HTTP/1.1${CRLF}${h}${CRLF}`,
    `HEAD /rec/${chunk} HTTP/1.1${CRLF}${h}${CRLF}`,
    `GET /rec/${chunk} HTTP/1.1${CRLF}${h}Range: bytes=10-20,30-${CRLF}${CRLF}`,
    `GET /api/export.ts?from=${day}T00:00:00Z&to=${day}T00:01:00Z HTTP/1.1${CRLF}${h}${CRLF}`,
    `GET /api/live.m3u8 HTTP/1.1${CRLF}${h}${CRLF}`,
    `GET /api/storage HTTP/1.1${CRLF}${h}${CRLF}`,
    `GET /api/time HTTP/1.1${CRLF}${h}${CRLF}`,
    `POST /api/time HTTP/1.1${CRLF}${h}Content-Type: application/json${CRLF}Content-Length: ${json.length}${CRLF}${CRLF}${json}`,
    `POST /api/time HTTP/1.1${CRLF}${h}Content-Type: application/json${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}` +
      `${json.length.toString(16)}${CRLF}${json}${CRLF}0${CRLF}${CRLF}`,
    `DELETE /api/days/2020-01-01 HTTP/1.1${CRLF}${h}Origin: http://127.0.0.1${CRLF}${CRLF}`,
    `GET /index.html HTTP/1.1${CRLF}${h}${CRLF}GET /api/health HTTP/1.1${CRLF}${h}${CRLF}`,
    `GET / HTTP/1.0${CRLF}${CRLF}`,
    `GET /api/days HTTP/1.1${CRLF}${h}Authorization: Digest username="admin", realm="camcat", ` +
      `nonce="0123456789abcdef", uri="/api/days", qop=auth, nc=00000001, cnonce="x", response="00"${CRLF}${CRLF}`,
  ];
}

const NASTY = ['\0', '\r', '\n', '\r\n', ' ', '\t', '%', '%00', '%2e%2e/', '../', '?', '#', ':', ',',
  '"', '\\', '\xff', '\x80', '-1', '18446744073709551616', '99999999999999999999', '0x10', '1e9',
  'NaN', '9'.repeat(40), '/'.repeat(300), 'a'.repeat(5000)];

function mutate(r, input) {
  let s = input;
  const n = 1 + r.below(4);
  for (let i = 0; i < n; i++) {
    const at = r.below(s.length + 1);
    switch (r.below(11)) {
      case 0: // flip a byte
        s = s.slice(0, at) + String.fromCharCode(r.below(256)) + s.slice(at + 1);
        break;
      case 1: // insert something nasty
        s = s.slice(0, at) + r.pick(NASTY) + s.slice(at);
        break;
      case 2: // cut a piece out
        s = s.slice(0, at) + s.slice(at + r.below(40));
        break;
      case 3: // truncate
        s = s.slice(0, at);
        break;
      case 4: // a huge header
        s = s.replace(CRLF, `${CRLF}X-Big: ${'b'.repeat(1000 + r.below(70000))}${CRLF}`);
        break;
      case 5: // many headers
        s = s.replace(CRLF, CRLF + Array.from({ length: 50 + r.below(2000) }, (_, k) => `X-H${k}: ${k}`).join(CRLF) + CRLF);
        break;
      case 6: // a number made extreme
        s = s.replace(/\d+/, r.pick(['0', '-1', '4294967296', '18446744073709551615', '9'.repeat(30)]));
        break;
      case 7: // a chunked body with a bad size line
        s = s.replace(/\r\n\r\n[\s\S]*$/, `${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}` +
          `${r.pick(['ffffffffffffffff', '-1', 'zz', '1;ext=1', '7fffffff', ''])}${CRLF}abc${CRLF}0${CRLF}${CRLF}`);
        break;
      case 8: // duplicate a header line
        s = s.replace(/(\r\n[^\r\n]+)/, '$1$1');
        break;
      case 9: // a strange method or version
        s = s.replace(/^\S+/, r.pick(['PUT', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'G\0T', 'get', '']));
        if (r.below(2)) s = s.replace(/HTTP\/1\.[01]/, r.pick(['HTTP/2.0', 'HTTP/1.10', 'HTTP/', 'HTTP/1.1 x']));
        break;
      default: // splice with itself (pipelining, repeated parts)
        s = s + s.slice(r.below(s.length + 1));
        break;
    }
  }
  return s;
}

// Sends one case; resolves when the server closed, or after a bound (the
// case is then dropped: a half request legitimately waits for more bytes).
function send(port, bytes, waitMs) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = 0;
    const done = () => { clearTimeout(t); sock.destroy(); resolve(got); };
    const t = setTimeout(done, waitMs);
    sock.on('connect', () => sock.end(Buffer.from(bytes, 'latin1')));
    sock.on('data', (d) => (got += d.length));
    sock.on('error', done);
    sock.on('close', done);
  });
}

async function healthy(port) {
  const r = await new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let raw = '';
    const t = setTimeout(() => { sock.destroy(); resolve(''); }, 20000);
    sock.on('connect', () => sock.write(`GET /api/health HTTP/1.1${CRLF}Host: 127.0.0.1${CRLF}Connection: close${CRLF}${CRLF}`));
    sock.on('data', (d) => (raw += d.toString('latin1')));
    sock.on('error', () => { clearTimeout(t); resolve(''); });
    sock.on('close', () => { clearTimeout(t); resolve(raw); });
  });
  return /^HTTP\/1\.1 (200|401)/.test(r);
}

// Runs cases until cases or seconds run out; several in flight at once.
// Returns {cases, seed, failure} where failure names the saved case.
export async function fuzz({ port, seed = 1, cases = 2000, seconds = 60, day, chunk, saveDir, alive }) {
  const r = rng(seed);
  const corpus = seeds(day, chunk);
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const recent = [];
  while (n < cases && Date.now() < end) {
    const batch = Array.from({ length: 8 }, () => mutate(r, r.pick(corpus)));
    recent.push(...batch);
    if (recent.length > 64) recent.splice(0, recent.length - 64);
    await Promise.all(batch.map((b) => send(port, b, 1500)));
    n += batch.length;
    if (n % 200 === 0 || n >= cases) {
      if (!alive() || !(await healthy(port))) {
        const file = path.join(saveDir, `rawhttp-crash-seed${seed}-${n}.txt`);
        fs.mkdirSync(saveDir, { recursive: true });
        fs.writeFileSync(file, recent.map((c) => Buffer.from(c, 'latin1').toString('base64')).join('\n'));
        return { cases: n, seed, failure: file };
      }
    }
  }
  return { cases: n, seed, failure: null };
}

async function main() {
  const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
  const { startServer, copyFixture, tmpdir, BUILD } = await import('../http/lib.mjs');
  const work = tmpdir('camcat-rawfuzz-');
  const root = copyFixture('normal', path.join(work, 'rec'));
  const srv = await startServer(['--root', root, '--max-client-conns', '0']);
  const day = fs.readdirSync(root).find((d) => /^\d{4}-\d\d-\d\d$/.test(d));
  const folder = fs.readdirSync(path.join(root, day)).find((f) => /^\d+$/.test(f));
  const chunk = `${day}/${folder}/${fs.readdirSync(path.join(root, day, folder)).find((f) => f.endsWith('.ts'))}`;
  const alive = () => srv.proc.exitCode === null && srv.proc.signalCode === null;
  let res;
  if (process.argv.includes('--replay')) {
    const lines = fs.readFileSync(arg('--replay'), 'utf8').split('\n').filter(Boolean);
    for (const l of lines) await send(srv.port, Buffer.from(l, 'base64').toString('latin1'), 1500);
    res = { cases: lines.length, seed: 0, failure: alive() && (await healthy(srv.port)) ? null : arg('--replay') };
  } else {
    res = await fuzz({
      port: srv.port, seed: Number(arg('--seed', Date.now() % 1e9)), cases: Number(arg('--cases', 1e9)),
      seconds: Number(arg('--seconds', 60)), day, chunk, saveDir: path.join(BUILD, 'fuzz'), alive,
    });
  }
  const st = await srv.stop();
  const bad = /ERROR: AddressSanitizer|runtime error:|ThreadSanitizer/.test(srv.log);
  console.log(`rawhttp: ${res.cases} cases, seed ${res.seed}, server exit ${JSON.stringify(st)}` +
    (res.failure ? `, server died: cases saved in ${res.failure}` : ''));
  fs.rmSync(work, { recursive: true, force: true });
  if (res.failure || bad || st.code !== 0) {
    if (bad) console.log(srv.log.slice(-4000));
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
