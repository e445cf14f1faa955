// Issue 17: files in ROOT that are not files (FIFOs, links to devices),
// playlists with unbounded lines, chunk names /rec refuses, and reason
// phrases. No timing is asserted: a worker stuck for good fails the suite by
// its timeout.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BUILD, SUITE, assertError, assertJson, copyFixture, isoAt, request, startServer, tmpdir,
  waitForLog,
  writeSegment } from './lib.mjs';

const MiB = 1 << 20;

function vmHWM(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

// The URIs of a media playlist exactly as written (no resolution).
function uris(text) {
  return text.split('\n').filter((l) => l && !l.startsWith('#'));
}

describe('files that are not files', SUITE, () => {
  let work, root, srv;
  before(async () => {
    work = tmpdir();
    root = copyFixture('normal', path.join(work, 'root'));
    const day = path.join(root, '2025-01-24');
    execFileSync('mkfifo', [path.join(day, '00001', 'evil.ts')]);
    // A day whose playlist is a FIFO, one whose sidecar is, one whose
    // sidecar links to /dev/zero.
    const t0 = Date.parse('2025-01-25T00:00:00Z');
    for (const [i, d] of ['2025-01-25', '2025-01-26', '2025-01-27'].entries()) {
      writeSegment(path.join(root, d, '00001'), { t0: t0 + i * 86400000, n: 2 });
    }
    writeSegment(path.join(root, '2025-01-25', '00002'), { t0: t0 + 60000, n: 1 });
    fs.rmSync(path.join(root, '2025-01-25', '00002', 'index.m3u8'));
    execFileSync('mkfifo', [path.join(root, '2025-01-25', '00002', 'index.m3u8')]);
    execFileSync('mkfifo', [path.join(root, '2025-01-26', '.camcat.idx')]);
    fs.symlinkSync('/dev/zero', path.join(root, '2025-01-27', '.camcat.idx'));
    // 12 requests at once from 127.0.0.1: no per-client cap.
    srv = await startServer(['--root', root, '--threads', '4', '--max-client-conns', '0']);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('concurrent GETs of FIFOs and devices answer; health answers; SIGTERM stops', async () => {
    const asks = [];
    for (let i = 0; i < 6; i++) asks.push(srv.get('/rec/2025-01-24/00001/evil.ts'));
    for (const d of ['2025-01-25', '2025-01-26', '2025-01-27']) {
      asks.push(srv.get(`/api/days/${d}`), srv.get(`/api/days/${d}/playlist.m3u8`));
    }
    const r = await Promise.all(asks);
    for (const x of r.slice(0, 6)) assertError(x, 404, 'not_found');
    // The FIFO playlist is skipped; the days index from their real playlists.
    const d25 = assertJson(r[6], 200);
    assert.equal(d25.segments.length, 1);
    assert.equal(d25.totals.chunks, 2);
    for (const x of [r[8], r[10]]) assert.equal(assertJson(x, 200).totals.chunks, 2);
    for (const x of [r[7], r[9], r[11]]) {
      assert.equal(x.status, 200);
      assert.equal(uris(x.body.toString()).length, 2);
    }
    assert.equal((await srv.get('/api/health')).status, 200);
    const h = assertJson(await srv.get('/api/health'), 200);
    assert.equal(h.root.ok, true);
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  });
});

describe('unbounded lines', SUITE, () => {
  let work, root, srv, expected, baseline;
  const day = '2025-03-01';
  const t0 = Date.parse(`${day}T10:00:00Z`);
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'root');
    const dir = path.join(root, day, '00001');
    writeSegment(dir, { t0, n: 6 });
    // 50 MB of garbage without a newline between two chunks, as a power
    // cut can leave; and a 70 KB line in events.txt.
    const pl = fs.readFileSync(path.join(dir, 'index.m3u8'), 'utf8');
    const cut = pl.indexOf('chunk_00002.ts\n') + 'chunk_00002.ts\n'.length;
    const fd = fs.openSync(path.join(dir, 'index.m3u8'), 'w');
    fs.writeSync(fd, pl.slice(0, cut));
    const junk = Buffer.alloc(MiB, 0x41);
    for (let i = 0; i < 50; i++) fs.writeSync(fd, junk);
    fs.writeSync(fd, `\n${pl.slice(cut)}`);
    fs.closeSync(fd);
    fs.writeFileSync(path.join(dir, 'events.txt'),
      `${'x'.repeat(70000)}\n${isoAt(t0 + 1000)} 2 person\n`);
    expected = Buffer.concat([0, 1, 2, 3, 4, 5].map((i) =>
      fs.readFileSync(path.join(dir, `chunk_0000${i}.ts`))));
    srv = await startServer(['--root', root, '--cache-mb', '2']);
    baseline = vmHWM(srv.proc.pid);
  });
  after(async () => {
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  test('indexed, stitched 4x in parallel and exported in bounded memory', async () => {
    const j = assertJson(await srv.get(`/api/days/${day}`), 200);
    assert.equal(j.totals.chunks, 6);
    assert.equal(j.segments[0].bad_lines, 1);
    assert.equal(j.motion.length, 1);
    assert.equal(j.events_files[0].bad_lines, 1);
    const lists = await Promise.all([1, 2, 3, 4].map(() => srv.get(`/api/days/${day}/playlist.m3u8`)));
    for (const r of lists) {
      assert.equal(r.status, 200);
      assert.equal(uris(r.body.toString()).length, 6);
    }
    const q = `from=${encodeURIComponent(isoAt(t0))}&to=${encodeURIComponent(isoAt(t0 + 12000))}`;
    const ex = await srv.get(`/api/export.ts?${q}`);
    assert.equal(ex.status, 200, ex.body.toString().slice(0, 200));
    assert.ok(ex.body.equals(expected));
    // Reading the 50 MB line at once would add 50 MB or more; the bound per
    // request is a few hundred KiB (README, Limits).
    const grew = vmHWM(srv.proc.pid) - baseline;
    assert.ok(grew < 16 * MiB, `VmHWM grew by ${grew} bytes`);
  });
});

describe('chunk URLs the stitched playlist lists', SUITE, () => {
  let work, root, srv, dir;
  const names = ['ok.ts', 'a%b.ts', 'é.ts', 'sp ace.ts', 'q?x.ts', 'h#x.ts', 'link.ts'];
  const served = { 'ok.ts': './ok.ts', 'sp ace.ts': 'sp ace.ts', 'q?x.ts': 'q?x.ts', 'h#x.ts': 'h#x.ts' };
  // Today in UTC, the newest day: also the live window's source.
  const now = Date.now();
  const today = new Date(now).toISOString().slice(0, 10);
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'root');
    dir = path.join(root, today, '00001');
    fs.mkdirSync(dir, { recursive: true });
    let text = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n';
    const t0 = now - 2000 * names.length;
    names.forEach((n, i) => {
      const uri = n === 'ok.ts' ? './ok.ts' : n;
      text += `#EXT-X-PROGRAM-DATE-TIME:${isoAt(t0 + i * 2000)}\n#EXTINF:2.000,\n${uri}\n`;
      if (n !== 'link.ts') fs.writeFileSync(path.join(dir, n), `bytes of ${n}\n`);
    });
    fs.symlinkSync('ok.ts', path.join(dir, 'link.ts'));
    fs.writeFileSync(path.join(dir, 'index.m3u8'), text); // no ENDLIST: recording
    srv = await startServer(['--root', root], { env: { TZ: 'UTC' } });
  });
  after(async () => {
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  async function assertAllServed(list) {
    const got = [];
    for (const u of list) {
      const r = await request(srv.port, u);
      assert.equal(r.status, 200, `${u}: ${r.body}`);
      const name = r.body.toString().replace(/^bytes of /, '').trim();
      assert.ok(u.startsWith(`/rec/${today}/00001/`), u);
      got.push(name);
    }
    return got;
  }

  test('every listed URI fetches 200 and names its file; refused names are missing', async () => {
    const r = await srv.get(`/api/days/${today}/playlist.m3u8`);
    assert.equal(r.status, 200);
    const got = await assertAllServed(uris(r.body.toString()));
    assert.deepEqual(got, Object.keys(served));
    const j = assertJson(await srv.get(`/api/days/${today}`), 200);
    assert.equal(j.segments[0].missing_chunks, 3); // a%b.ts, é.ts and the symlink
  });

  test('the live window lists only what /rec serves', async () => {
    const r = await srv.get('/api/live.m3u8');
    assert.equal(r.status, 200, r.body.toString());
    const list = uris(r.body.toString());
    const got = await assertAllServed(list);
    // a%b.ts and é.ts are left out by name; the symlink stays inside ROOT,
    // so /rec serves it (the live window does not stat chunks)
    assert.deepEqual(got, [...Object.keys(served), 'ok.ts']);
  });
});

describe('reason phrases', SUITE, () => {
  let work, srv;
  before(async () => {
    work = tmpdir();
    fs.mkdirSync(path.join(work, 'root'));
    srv = await startServer(['--root', path.join(work, 'root')]);
  });
  after(async () => {
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  test('415 says Unsupported Media Type', async () => {
    const body = '{"epoch_ms":1737676800000}';
    const raw = await new Promise((resolve, reject) => {
      const sock = net.connect(srv.port, '127.0.0.1');
      const parts = [];
      sock.on('connect', () => sock.write('POST /api/time HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
      sock.on('data', (d) => parts.push(d));
      sock.on('error', reject);
      sock.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
    });
    assert.match(raw, /^HTTP\/1\.1 415 Unsupported Media Type\r\n/);
    assert.match(raw, /"code":"unsupported_media_type"/);
  });
});

describe('stale sidecar temp files', SUITE, () => {
  let work, root, cache;
  const old = new Date(Date.now() - 3600 * 1000);
  function plant(dir, name, mtime = old) {
    fs.writeFileSync(path.join(dir, name), 'half a sidecar');
    fs.utimesSync(path.join(dir, name), mtime, mtime);
  }
  before(() => {
    work = tmpdir();
    root = copyFixture('normal', path.join(work, 'root'));
    cache = path.join(work, 'cache');
    fs.mkdirSync(cache);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('camcatd removes them at start; fresh and other names stay', async (t) => {
    const day = path.join(root, '2025-01-24');
    plant(day, '.camcat.idx.tmp.31337');
    plant(day, '.camcat.idx.tmp.31338', new Date());
    plant(day, '.camcat.idx.tmp.31337x');
    plant(cache, '2025-01-24.camcat.idx.tmp.99');
    const srv = await startServer(['--root', root, '--cache-dir', cache]);
    t.after(() => srv.stop());
    await waitForLog(srv, /stale temp files: \d+ removed/);
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
    assert.match(srv.log, /stale temp files: 2 removed/);
    assert.ok(!fs.existsSync(path.join(day, '.camcat.idx.tmp.31337')));
    assert.ok(!fs.existsSync(path.join(cache, '2025-01-24.camcat.idx.tmp.99')));
    assert.ok(fs.existsSync(path.join(day, '.camcat.idx.tmp.31338')));
    assert.ok(fs.existsSync(path.join(day, '.camcat.idx.tmp.31337x')));
  });

  test('camcat verify reports and removes them', () => {
    const day = path.join(root, '2025-01-24');
    plant(day, '.camcat.idx.tmp.4711');
    const out = execFileSync(path.join(BUILD, 'camcat'), ['verify', root], { encoding: 'utf8' });
    assert.match(out, /2025-01-24\/\.camcat\.idx\.tmp\.4711: stale temp file/);
    assert.ok(!fs.existsSync(path.join(day, '.camcat.idx.tmp.4711')));
    assert.match(out, /0 with problems\n$/);
  });
});
