// The stitched day playlist: it parses back into the sources' chunks,
// durations and PDTs; gzip gives the same bytes; ranges; live days; and 20
// racing first requests build the day once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import { SUITE, copyFixture, keepRecording, parseM3u8, startServer, tmpdir, writeSegment } from './lib.mjs';

const M3U8 = 'application/vnd.apple.mpegurl';

// Source chunks of a day (via its JSON and /rec), keyed "uri|range",
// leaving out chunks whose file is not on disk.
async function sourceChunks(srv, root, date) {
  const day = JSON.parse((await srv.get(`/api/days/${date}`)).body);
  const out = new Map();
  for (const seg of day.segments) {
    const r = await srv.get(seg.playlist);
    assert.equal(r.status, 200, seg.playlist);
    for (const c of parseM3u8(r.body.toString('utf8'), seg.playlist).chunks) {
      if (!fs.existsSync(path.join(root, c.uri.slice('/rec/'.length)))) continue;
      out.set(`${c.uri}|${c.range}`, c);
    }
  }
  return { day, chunks: out };
}

function assertSameChunks(stitched, source, what) {
  const got = new Map(stitched.chunks.map((c) => [`${c.uri}|${c.range}`, c]));
  assert.equal(got.size, stitched.chunks.length, `${what}: a chunk is listed twice`);
  assert.deepEqual([...got.keys()].sort(), [...source.keys()].sort(), what);
  for (const [k, c] of got) {
    const s = source.get(k);
    assert.ok(Math.abs(c.dur - s.dur) <= 1, `${what} ${k}: duration ${c.dur} vs ${s.dur}`);
    assert.notEqual(c.time, null, `${what} ${k}: no date (no PDT to imply it from)`);
    // A tag is exact; a date implied from the previous one is within 1 ms.
    if (s.pdt !== null && c.pdt !== null) assert.equal(c.pdt, s.pdt, `${what} ${k}: PDT`);
    if (s.pdt !== null) assert.ok(Math.abs(c.time - s.pdt) <= 1, `${what} ${k}: implied ${c.time} vs PDT ${s.pdt}`);
    assert.equal(c.map, s.map, `${what} ${k}: map`);
  }
}

describe('stitched playlists of the fixtures parse back into their sources', SUITE, () => {
  const work = tmpdir();
  after(() => fs.rmSync(work, { recursive: true, force: true }));
  for (const c of ['normal', 'powercut', 'discont', 'fmp4', 'multi', 'crlf-bom', 'offsets', 'pdt-first',
    'clock-back', 'midnight']) {
    test(c, async () => {
      const root = copyFixture(c, path.join(work, c));
      const srv = await startServer(['--root', root]);
      try {
        const days = JSON.parse((await srv.get('/api/days')).body).days;
        assert.ok(days.length > 0);
        for (const { date } of days) {
          const src = await sourceChunks(srv, root, date);
          const r = await srv.get(`/api/days/${date}/playlist.m3u8`);
          assert.equal(r.status, 200);
          assert.equal(r.headers['content-type'], M3U8);
          assert.equal(r.headers['transfer-encoding'], 'chunked');
          const recording = src.day.segments.some((s) => s.state === 'recording');
          assert.equal(r.headers['cache-control'], recording ? 'no-store' : 'public, max-age=60');
          const text = r.body.toString('utf8');
          assert.match(text, /^#EXTM3U\n/);
          const pl = parseM3u8(text, '/');
          assert.equal(pl.endlist, !recording, `${c}/${date} ENDLIST`);
          for (const ch of pl.chunks) assert.ok(ch.uri.startsWith(`/rec/${date}/`), ch.uri);
          assertSameChunks(pl, src.chunks, `${c}/${date}`);
          // Folder boundaries are discontinuities.
          for (let i = 1; i < pl.chunks.length; i++) {
            const a = pl.chunks[i - 1].uri.split('/')[3];
            const b = pl.chunks[i].uri.split('/')[3];
            if (a !== b) assert.ok(pl.chunks[i].discontinuity, `${c}/${date}: no discontinuity at ${b}`);
          }
          const gz = await srv.get(`/api/days/${date}/playlist.m3u8`, { 'Accept-Encoding': 'gzip' });
          assert.equal(gz.headers['content-encoding'], 'gzip');
          assert.deepEqual(zlib.gunzipSync(gz.body), r.body);
        }
      } finally {
        assert.deepEqual(await srv.stop(), { code: 0, signal: null }, srv.log);
      }
    });
  }
});

describe('a large multi-folder day', SUITE, () => {
  const DAY = '2025-03-04';
  const T0 = Date.parse('2025-03-04T06:00:00+02:00');
  let work, root, srv;
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'root');
    // Three power-ups; the second starts after a 10-minute gap.
    // The camera runs at +02:00.
    writeSegment(path.join(root, DAY, '00001'), { t0: T0, n: 1500, offMin: 120 });
    writeSegment(path.join(root, DAY, '00002'), { t0: T0 + 3000 * 1000 + 600000, n: 1500, offMin: 120 });
    writeSegment(path.join(root, DAY, '00010'), {
      t0: T0 + 6000 * 1000 + 1200000, n: 1000, durMs: 1500, offMin: 120,
    });
    // A newer day still recording: the last folder has no ENDLIST.
    writeSegment(path.join(root, '2025-03-05', '00001'), { t0: Date.parse('2025-03-05T01:00:00Z'), n: 5 });
    writeSegment(path.join(root, '2025-03-05', '00002'), {
      t0: Date.parse('2025-03-05T02:00:00Z'), n: 5, endlist: false,
    });
    keepRecording(path.join(root, '2025-03-05', '00002'));
    srv = await startServer(['--root', root]);
  });
  after(async () => {
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  test('streams in order, same chunks and PDTs as the sources', async () => {
    const src = await sourceChunks(srv, root, DAY);
    assert.equal(src.chunks.size, 4000);
    const r = await srv.get(`/api/days/${DAY}/playlist.m3u8`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    assert.ok(r.body.length > 64 * 1024, 'spans many transfer chunks');
    const pl = parseM3u8(r.body.toString('utf8'));
    assert.ok(pl.endlist);
    assertSameChunks(pl, src.chunks, DAY);
    // Recording order: exactly the source order.
    assert.deepEqual(pl.chunks.map((c) => c.uri), [...src.chunks.values()].map((c) => c.uri));
    assert.equal(pl.chunks.filter((c) => c.discontinuity).length, 2);
    assert.equal(pl.chunks[1500].time, T0 + 3600000);
    // Regular chunks imply their dates: a tag only where a folder starts.
    assert.equal(pl.chunks.filter((c) => c.pdt !== null).length, 3);
    assert.ok(r.body.includes('#EXTINF:2,\n'), 'whole seconds in the short form');
  });

  test('gzip decompresses to the same bytes', async () => {
    const plain = await srv.get(`/api/days/${DAY}/playlist.m3u8`);
    const gz = await srv.get(`/api/days/${DAY}/playlist.m3u8`, { 'Accept-Encoding': 'deflate, gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers.vary, 'Accept-Encoding');
    assert.ok(gz.body.length < plain.body.length / 4);
    assert.deepEqual(zlib.gunzipSync(gz.body), plain.body);
    const q0 = await srv.get(`/api/days/${DAY}/playlist.m3u8`, { 'Accept-Encoding': 'gzip;q=0' });
    assert.equal(q0.headers['content-encoding'], undefined);
    assert.deepEqual(q0.body, plain.body);
  });

  test('HTTP/1.0: no chunked encoding, the body ends at close', async () => {
    const plain = await srv.get(`/api/days/${DAY}/playlist.m3u8`);
    const r = await new Promise((resolve, reject) => {
      const sock = net.connect(srv.port, '127.0.0.1', () =>
        sock.write(`GET /api/days/${DAY}/playlist.m3u8 HTTP/1.0\r\n\r\n`));
      const parts = [];
      sock.on('data', (d) => parts.push(d));
      sock.on('error', reject);
      sock.on('close', () => resolve(Buffer.concat(parts)));
    });
    const sep = r.indexOf('\r\n\r\n');
    const head = r.subarray(0, sep).toString('latin1');
    assert.match(head, /^HTTP\/1\.0 200/);
    assert.doesNotMatch(head, /transfer-encoding/i);
    assert.match(head, /connection: close/i);
    assert.deepEqual(r.subarray(sep + 4), plain.body);
  });

  test('from/to as ISO-8601 or epoch ms', async () => {
    const all = parseM3u8((await srv.get(`/api/days/${DAY}/playlist.m3u8`)).body.toString()).chunks;
    const from = T0 + 100 * 2000 + 500; // inside chunk 100
    const to = T0 + 3600000 + 20 * 2000; // start of the second folder's chunk 20
    const want = all.filter((c) => c.time < to && c.time + c.dur > from).map((c) => c.uri);
    assert.equal(want.length, 1400 + 20);
    const iso = (ms) => new Date(ms).toISOString();
    const local = (ms) => new Date(ms + 2 * 3600000).toISOString().replace('Z', '+02:00');
    const zoneless = (ms) => new Date(ms + 2 * 3600000).toISOString().replace('Z', '');
    for (const q of [`from=${from}&to=${to}`, `from=${iso(from)}&to=${iso(to)}`,
      `from=${local(from)}&to=${local(to)}`, `from=${encodeURIComponent(local(from))}&to=${to}`,
      `from=${zoneless(from)}&to=${zoneless(to)}`]) {
      const r = await srv.get(`/api/days/${DAY}/playlist.m3u8?${q}`);
      assert.equal(r.status, 200, q);
      const pl = parseM3u8(r.body.toString());
      assert.deepEqual(pl.chunks.map((c) => c.uri), want, q);
      assert.equal(pl.chunks[0].pdt, T0 + 100 * 2000, q); // the first chunk has its tag
    }
    const open = parseM3u8((await srv.get(`/api/days/${DAY}/playlist.m3u8?from=${to}`)).body.toString());
    assert.equal(open.chunks.length, 4000 - 1520);
    const beyond = await srv.get(`/api/days/${DAY}/playlist.m3u8?from=253402300799999`);
    assert.equal(beyond.status, 200);
    assert.equal(parseM3u8(beyond.body.toString()).chunks.length, 0);
  });

  test('bad and reversed ranges are 400', async () => {
    const bad = [
      ['from=2&to=1', 'bad_range'],
      [`from=${T0 + 10000}&to=${T0}`, 'bad_range'],
      ['from=2025-03-04T10:00:00Z&to=2025-03-04T09:00:00Z', 'bad_range'],
      ['from=yesterday', 'bad_time'],
      ['to=2025-03-04T25:00:00Z', 'bad_time'],
      ['from=12.5', 'bad_time'],
      ['from=99999999999999999999999', 'bad_time'],
      ['from=-99999999999999999', 'bad_time'],
      ['from=', 'bad_time'],
      ['from=%zz', 'bad_query'],
      [`from=${'1'.repeat(200)}`, 'bad_query'],
    ];
    for (const [q, code] of bad) {
      const r = await srv.get(`/api/days/${DAY}/playlist.m3u8?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(JSON.parse(r.body).error.code, code, q);
    }
  });

  test('a day still recording: EVENT playlist, no ENDLIST, no-store', async () => {
    const day = JSON.parse((await srv.get('/api/days/2025-03-05')).body);
    assert.deepEqual(day.segments.map((s) => s.state), ['closed', 'recording']);
    const r = await srv.get('/api/days/2025-03-05/playlist.m3u8');
    assert.equal(r.headers['cache-control'], 'no-store');
    const pl = parseM3u8(r.body.toString());
    assert.equal(pl.endlist, false);
    assert.equal(pl.playlistType, 'EVENT');
    assert.equal(pl.chunks.length, 10);
    const done = await srv.get(`/api/days/${DAY}/playlist.m3u8`);
    assert.equal(done.headers['cache-control'], 'public, max-age=60');
    assert.equal(parseM3u8(done.body.toString()).playlistType, 'VOD');
  });

  test('HEAD sends headers only', async () => {
    const r = await new Promise((resolve, reject) => {
      http.request({ host: '127.0.0.1', port: srv.port, method: 'HEAD', path: `/api/days/${DAY}/playlist.m3u8`,
        agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      }).on('error', reject).end();
    });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], M3U8);
  });
});

describe('20 racing first requests for one day', SUITE, () => {
  let work, srv;
  before(async () => {
    work = tmpdir();
    const root = path.join(work, 'root');
    for (let f = 1; f <= 4; f++) {
      writeSegment(path.join(root, '2025-05-05', String(f).padStart(5, '0')), {
        t0: Date.parse('2025-05-05T00:00:00Z') + (f - 1) * 6 * 3600000, n: 10000, files: false,
      });
    }
    // A big day (40,000 chunks) so the build takes a while, and enough
    // workers that all 20 requests can be inside the handler together.
    // 20 connections at once from 127.0.0.1: no per-client cap.
    srv = await startServer(['--root', root, '--threads', '24', '--max-client-conns', '0']);
  });
  after(async () => {
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  test('one build, at most one sidecar write, identical answers', async () => {
    const before = JSON.parse((await srv.get('/api/health')).body).cache;
    assert.equal(before.builds, 0);
    const agent = new http.Agent({ keepAlive: false, maxSockets: 32 });
    const one = () => new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: srv.port, path: '/api/days/2025-05-05', agent }, (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString() }));
      }).on('error', reject);
    });
    const answers = await Promise.all(Array.from({ length: 20 }, one));
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.equal(a.body, answers[0].body);
    }
    assert.equal(JSON.parse(answers[0].body).totals.chunks, 40000);
    const h = JSON.parse((await srv.get('/api/health')).body).cache;
    assert.equal(h.builds, 1);
    assert.ok(h.sidecar_writes <= 1, `sidecar_writes ${h.sidecar_writes}`);
    assert.equal(h.sidecar_loads, 0);
    assert.equal(h.hits + h.builds + h.refreshes >= 1, true);
  });
});
