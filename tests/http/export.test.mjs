// Clip export: /api/export.ts concatenates the chunks overlapping a range,
// across folders and midnight, skipping chunks missing on disk; fMP4 gets its
// init section first; limits and bad ranges answer with JSON errors; a chunk
// that disappears mid-download cuts the connection.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { FIXTURES, SUITE, assertError, copyFixture, isoAt, startServer, tmpdir } from './lib.mjs';

const MEDIA = path.join(FIXTURES, 'media');
const OFF = 480; // the camera runs at +08:00
const media = (i) => path.join(MEDIA, `chunk_${String(i % 15).padStart(2, '0')}.ts`);

// A recording folder of real 2 s chunks: media chunk numbers `idx` (their
// timestamps run on across folders when the numbers do), PDTs from t0.
// Chunks listed in `gone` stay in the playlist but not on disk.
// With linkFrom (a folder holding copies of the media on the tree's own file
// system), chunks are hard links: a long recording costs no space.
function mediaFolder(dir, t0, idx, { gone = [], linkFrom = null } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  let text = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n';
  idx.forEach((m, k) => {
    const name = `chunk_${String(k).padStart(5, '0')}.ts`;
    text += `#EXT-X-PROGRAM-DATE-TIME:${isoAt(t0 + k * 2000, OFF)}\n#EXTINF:2.000000,\n${name}\n`;
    if (gone.includes(m)) return;
    if (linkFrom) fs.linkSync(path.join(linkFrom, path.basename(media(m))), path.join(dir, name));
    else fs.copyFileSync(media(m), path.join(dir, name));
  });
  fs.writeFileSync(path.join(dir, 'index.m3u8'), `${text}#EXT-X-ENDLIST\n`);
}

const concat = (idx) => Buffer.concat(idx.map((i) => fs.readFileSync(media(i))));
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, k) => a + k);
const q = (from, to) => `/api/export.ts?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

function probeDuration(bytes, dir) {
  const f = path.join(dir, `probe-${process.pid}.ts`);
  fs.writeFileSync(f, bytes);
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', f],
    { encoding: 'utf8' });
  fs.rmSync(f);
  assert.equal(r.status, 0, `ffprobe failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}


// 2025-01-24T23:59:54+08:00: folder 00001 (media 0-4) runs past midnight;
// 2025-01-25 has 00002 (media 5-9) from 00:00:10 and 00003 (media 10-14,
// media 12 missing on disk) from 00:01:00.
const T = Date.parse('2025-01-24T23:59:54+08:00');

describe('clip export over MPEG-TS recordings', SUITE, () => {
  const work = tmpdir();
  const root = path.join(work, 'root');
  let srv;
  before(async () => {
    mediaFolder(path.join(root, '2025-01-24/00001'), T, range(0, 4));
    mediaFolder(path.join(root, '2025-01-25/00002'), T + 16000, range(5, 9));
    mediaFolder(path.join(root, '2025-01-25/00003'), T + 66000, range(10, 14), { gone: [12] });
    srv = await startServer(['--root', root]);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('across two folders and midnight: the chunks concatenated, ffprobe reads their length', async () => {
    const r = await srv.get(q('2025-01-24T23:59:56+08:00', '2025-01-25T00:00:16+08:00'));
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['content-type'], 'video/mp2t');
    assert.equal(r.headers['content-disposition'], 'attachment; filename="camera-2025-01-24T23-59-56.ts"');
    assert.equal(r.headers['cache-control'], 'no-store');
    const want = concat([1, 2, 3, 4, 5, 6, 7]);
    assert.equal(Number(r.headers['content-length']), want.length);
    assert.equal(r.body.length, want.length);
    assert.ok(r.body.equals(want), 'the bytes are the chunks in order');
    const d = probeDuration(r.body, work);
    assert.ok(Math.abs(d - 14) <= 2, `ffprobe duration ${d} s, want 14 s`);
  });

  test('a range within the second day still takes the first day\'s folder that ran into it', async () => {
    const from = Date.parse('2025-01-25T00:00:00+08:00');
    const r = await srv.get(q(from, from + 4000));
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(concat([3, 4])));
    assert.equal(r.headers['content-disposition'], 'attachment; filename="camera-2025-01-25T00-00-00.ts"');
  });

  test('a time without zone is the camera\'s local time; epoch ms work too', async () => {
    const a = await srv.get(q('2025-01-24T23:59:56', '2025-01-25T00:00:00'));
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-disposition'], 'attachment; filename="camera-2025-01-24T23-59-56.ts"');
    assert.ok(a.body.equals(concat([1, 2])));
    const b = await srv.get(q(T + 2000, T + 6000));
    assert.ok(b.body.equals(a.body));
  });

  test('a chunk missing on disk is skipped', async () => {
    const r = await srv.get(q('2025-01-25T00:01:00+08:00', '2025-01-25T00:01:10+08:00'));
    assert.equal(r.status, 200);
    const want = concat([10, 11, 13, 14]);
    assert.equal(Number(r.headers['content-length']), want.length);
    assert.ok(r.body.equals(want));
  });

  test('HEAD: the same headers and Content-Length, no body', async () => {
    const url = q('2025-01-24T23:59:54+08:00', '2025-01-25T00:01:10+08:00');
    const g = await srv.get(url);
    const h = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, path: url, method: 'HEAD' }, (res) => {
        let n = 0;
        res.on('data', (d) => (n += d.length));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, n }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(h.status, 200);
    assert.equal(h.n, 0);
    assert.equal(h.headers['content-length'], g.headers['content-length']);
    assert.equal(h.headers['content-disposition'], g.headers['content-disposition']);
    assert.equal(Number(g.headers['content-length']), concat([...range(0, 11), 13, 14]).length);
  });

  test('bad ranges: 400', async () => {
    assertError(await srv.get(q('2025-01-25T00:00:10+08:00', '2025-01-25T00:00:10+08:00')), 400, 'bad_range');
    assertError(await srv.get(q('2025-01-25T00:00:20+08:00', '2025-01-25T00:00:10+08:00')), 400, 'bad_range');
    assertError(await srv.get('/api/export.ts?from=2025-01-25T00:00:10Z'), 400, 'bad_range');
    assertError(await srv.get('/api/export.ts?to=2025-01-25T00:00:10Z'), 400, 'bad_range');
    assertError(await srv.get('/api/export.ts'), 400, 'bad_range');
    assertError(await srv.get(q('yesterday', '2025-01-25T00:00:10Z')), 400, 'bad_time');
    assertError(await srv.get(q('2025-01-25T00:00:00Z', '99999999999999999')), 400, 'bad_time');
  });

  test('nothing recorded in the range: 404', async () => {
    assertError(await srv.get(q('2025-01-25T00:00:20+08:00', '2025-01-25T00:00:50+08:00')), 404, 'no_recordings');
    assertError(await srv.get(q('2024-06-01T08:00:00Z', '2024-06-01T08:10:00Z')), 404, 'no_recordings');
  });

  test('only GET and HEAD', async () => {
    const r = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST',
        path: q(T, T + 2000) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(r.statusCode, 405);
  });
});

describe('clip export limit (export_max_s)', SUITE, () => {
  const work = tmpdir();
  const root = path.join(work, 'root');
  let srv;
  before(async () => {
    mediaFolder(path.join(root, '2025-01-24/00001'), T, range(0, 14));
    srv = await startServer(['--root', root, '--export-max-s', '10']);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('longer than the limit: 413 naming it; at the limit: the clip', async () => {
    const e = assertError(await srv.get(q(T, T + 10001)), 413, 'clip_too_long').error;
    assert.match(e.message, /10 s/);
    assert.match(e.message, /export_max_s/);
    const r = await srv.get(q(T, T + 10000));
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(concat(range(0, 4))));
    const d = probeDuration(r.body, work);
    assert.ok(Math.abs(d - 10) <= 2, `ffprobe duration ${d} s, want 10 s`);
  });
});

describe('clip export of fMP4 recordings', SUITE, () => {
  const work = tmpdir();
  let srv;
  let root;
  const init = Buffer.from('INIT-SECTION'.repeat(10));
  const frag = Buffer.alloc(3300);
  before(async () => {
    root = copyFixture('fmp4', path.join(work, 'root'));
    for (let i = 0; i < frag.length; i++) frag[i] = (i * 7) & 255;
    const dir = path.join(root, '2026-01-14/00001');
    fs.writeFileSync(path.join(dir, 'init.mp4'), init);
    fs.writeFileSync(path.join(dir, 'media.m4s'), frag);
    srv = await startServer(['--root', root]);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the init section first, then only the byte ranges of the fragments', async () => {
    const r = await srv.get(q('2026-01-14T08:00:00Z', '2026-01-14T08:00:08Z'));
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['content-type'], 'video/mp4');
    assert.equal(r.headers['content-disposition'], 'attachment; filename="camera-2026-01-14T08-00-00.mp4"');
    // ranges 1000@0, 1500 (after it), gone.m4s (not on disk), 800@2500
    const want = Buffer.concat([init, frag.subarray(0, 1000), frag.subarray(1000, 2500), frag.subarray(2500, 3300)]);
    assert.equal(Number(r.headers['content-length']), want.length);
    assert.ok(r.body.equals(want));
  });

  test('a later fragment alone still gets the init section', async () => {
    const r = await srv.get(q('2026-01-14T08:00:06Z', '2026-01-14T08:00:08Z'));
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(Buffer.concat([init, frag.subarray(2500, 3300)])));
  });
});

describe('a chunk that vanishes during the download', SUITE, () => {
  const work = tmpdir();
  const root = path.join(work, 'root');
  const N = 900; // 30 min of ~43 KB chunks: far more than socket buffers hold
  let srv;
  before(async () => {
    const copies = path.join(work, 'media');
    fs.cpSync(MEDIA, copies, { recursive: true });
    mediaFolder(path.join(root, '2025-01-24/00001'), T, range(0, N - 1), { linkFrom: copies });
    srv = await startServer(['--root', root]);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('cuts the connection: the download is visibly short, never silently', async () => {
    const last = path.join(root, '2025-01-24/00001', `chunk_${String(N - 1).padStart(5, '0')}.ts`);
    const res = await new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: srv.port, path: q(T, T + N * 2000) }, (r) => {
        // Not reading yet: the server blocks on a full socket long before the
        // last chunk, which goes away now.
        r.pause();
        fs.rmSync(last);
        let n = 0;
        r.on('data', (d) => (n += d.length));
        r.on('error', () => {});
        r.on('close', () => resolve({ status: r.statusCode, length: Number(r.headers['content-length']),
          n, complete: r.complete }));
        r.resume();
      });
      req.on('error', reject);
    });
    assert.equal(res.status, 200);
    assert.ok(res.n < res.length, `got ${res.n} of ${res.length} bytes`);
    assert.equal(res.complete, false);
    assert.match(srv.log, /changed while it was being sent/);
  });
});
