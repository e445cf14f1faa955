// Retention and storage: GET /api/storage, DELETE /api/days/DATE and the
// sweep at start (and its dry run), on temporary trees dated around today.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { JSON_TYPE, SUITE, assertError, keepRecording, request, startServer, tmpdir, waitForLog, writeSegment } from './lib.mjs';


// The local calendar date n days before now, as the camera names day folders.
function dayName(n) {
  const d = new Date();
  d.setDate(d.getDate() - n);
  const p = (v) => String(v).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// A day with closed folders (chunks of real bytes) and, if recording, a last
// folder without ENDLIST. Old days are 10 and 20 days back, far from any
// retain_days boundary the tests use, so midnight passing changes nothing.
function makeDay(root, n, { recording = false, events = false } = {}) {
  const name = dayName(n);
  const t0 = Date.parse(`${name}T08:00:00Z`);
  const folders = recording ? ['00001', '00002'] : ['00001'];
  folders.forEach((f, i) => {
    const dir = path.join(root, name, f);
    const open = recording && i === folders.length - 1;
    writeSegment(dir, { t0: t0 + i * 600000, n: 3, endlist: !open });
    if (open) keepRecording(dir);
    for (const c of fs.readdirSync(dir)) {
      if (c.endsWith('.ts')) fs.writeFileSync(path.join(dir, c), Buffer.alloc(5000 + 3000 * i, 1));
    }
    if (events) fs.writeFileSync(path.join(dir, 'events.txt'), `${name}T08:00:01Z 2 person\n`);
  });
  return name;
}

// What deleting the day frees, as the index counts it: blocks of the files
// it knows (chunks, playlists, events files), never the sidecar.
function dayBytes(root, name) {
  let sum = 0;
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== '.camcat.idx') sum += fs.lstatSync(p).blocks * 512;
    }
  };
  walk(path.join(root, name));
  return sum;
}

function json(r) {
  assert.equal(r.headers['content-type'], JSON_TYPE);
  return JSON.parse(r.body.toString('utf8'));
}



describe('GET /api/storage and DELETE /api/days/DATE', SUITE, () => {
  let work, root, srv, today, old10, old20;
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'rec');
    today = makeDay(root, 0, { recording: true });
    old10 = makeDay(root, 10, { events: true });
    old20 = makeDay(root, 20);
    fs.writeFileSync(path.join(root, 'notes.txt'), 'not a day\n');
    srv = await startServer(['--root', root]);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('storage: file system, bytes per day from the index, policy, next sweep', async () => {
    const r = await srv.get('/api/storage');
    assert.equal(r.status, 200);
    const s = json(r);
    assert.ok(s.filesystem.total_bytes > 0);
    assert.ok(s.filesystem.free_bytes <= s.filesystem.total_bytes);
    assert.ok(s.filesystem.free_pct >= 0 && s.filesystem.free_pct <= 100);
    assert.deepEqual(s.recordings.days.map((d) => d.date), [old20, old10, today]);
    for (const d of s.recordings.days) assert.equal(d.bytes, dayBytes(root, d.date), d.date);
    assert.ok(s.recordings.days[0].bytes >= 3 * 5000);
    assert.equal(s.recordings.bytes, s.recordings.days.reduce((a, d) => a + d.bytes, 0));
    assert.equal(s.oldest_day, old20);
    assert.equal(s.newest_day, today);
    assert.deepEqual(s.policy, { retain_days: 0, min_free_mb: 0, min_free_pct: 0,
      sweep_interval_s: 600, dry_run: false });
    assert.deepEqual(s.next_sweep, { would_remove: [], bytes: 0, floor_unreachable: false });
    assert.match(srv.log, /retention: no policy set/);
  });

  test('storage takes GET and HEAD only', async () => {
    const r = await request(srv.port, '/api/storage', { method: 'POST' });
    assertError(r, 405, 'method_not_allowed');
    assert.equal(r.headers.allow, 'GET, HEAD');
  });

  test('DELETE from another origin is 403 and removes nothing', async () => {
    const r = await request(srv.port, `/api/days/${old20}`,
      { method: 'DELETE', headers: { Origin: 'http://evil.example' } });
    assertError(r, 403, 'cross_origin');
    assert.ok(fs.existsSync(path.join(root, old20, '00001', 'index.m3u8')));
  });

  test('DELETE of the day being recorded is 409', async () => {
    const r = await request(srv.port, `/api/days/${today}`, { method: 'DELETE' });
    assertError(r, 409, 'day_recording');
    assert.ok(fs.existsSync(path.join(root, today, '00002', 'index.m3u8')));
  });

  test('DELETE of an unknown day is 404, of a bad date 400', async () => {
    assertError(await request(srv.port, '/api/days/2001-01-01', { method: 'DELETE' }), 404, 'no_such_day');
    assertError(await request(srv.port, '/api/days/2001-02-30', { method: 'DELETE' }), 400, 'bad_date');
    assertError(await request(srv.port, '/api/days/notes.txt', { method: 'DELETE' }), 400, 'bad_date');
    assertError(await request(srv.port, `/api/days/${old20}/motion`, { method: 'DELETE' }),
      405, 'method_not_allowed');
    assert.ok(fs.existsSync(path.join(root, 'notes.txt')));
  });

  test('DELETE of a closed day removes it: 200, gone from disk and from /api/days', async () => {
    const want = dayBytes(root, old10);
    const r = await request(srv.port, `/api/days/${old10}`,
      { method: 'DELETE', headers: { Origin: `http://127.0.0.1:${srv.port}` } });
    assert.equal(r.status, 200, r.body.toString());
    const b = json(r);
    assert.equal(b.removed.date, old10);
    assert.equal(b.removed.bytes, want);
    assert.ok(b.removed.bytes_freed >= want);
    assert.ok(!fs.existsSync(path.join(root, old10)));
    const days = json(await srv.get('/api/days')).days.map((d) => d.date);
    assert.deepEqual(days, [old20, today]);
    assertError(await srv.get(`/api/days/${old10}`), 404, 'no_such_day');
    const s = json(await srv.get('/api/storage'));
    assert.deepEqual(s.recordings.days.map((d) => d.date), [old20, today]);
    assert.ok(fs.existsSync(path.join(root, 'notes.txt')));
  });
});

describe('the sweep at start', SUITE, () => {
  let work;
  before(() => { work = tmpdir(); });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('dry run: logs what it would remove, removes nothing', async () => {
    const root = path.join(work, 'dry');
    const today = makeDay(root, 0, { recording: true });
    const o10 = makeDay(root, 10);
    const o20 = makeDay(root, 20);
    const srv = await startServer(['--root', root, '--retain-days', '5', '--sweep-dry-run',
      '--sweep-interval-s', '0']);
    try {
      await waitForLog(srv, /retention \(dry run\): sweep would remove/);
      assert.match(srv.log, new RegExp(`would remove day ${o20} \\(older than retain_days\\)`));
      assert.match(srv.log, new RegExp(`would remove day ${o10} `));
      assert.match(srv.log, /sweep would remove 2 items/);
      for (const d of [today, o10, o20]) assert.ok(fs.existsSync(path.join(root, d, '00001', 'index.m3u8')));
      const s = json(await srv.get('/api/storage'));
      assert.deepEqual(s.next_sweep.would_remove.map((w) => [w.date, w.folder, w.reason]),
        [[o20, null, 'age'], [o10, null, 'age']]);
      assert.equal(s.next_sweep.would_remove[0].bytes, dayBytes(root, o20));
      assert.equal(s.next_sweep.bytes, dayBytes(root, o20) + dayBytes(root, o10));
      assert.equal(s.policy.dry_run, true);
    } finally {
      await srv.stop();
    }
  });

  test('retain_days: old days gone, the recording folder intact, the log says so', async () => {
    const root = path.join(work, 'sweep');
    const today = makeDay(root, 0, { recording: true });
    const o10 = makeDay(root, 10);
    const o20 = makeDay(root, 20);
    const outside = path.join(work, 'outside');
    makeDay(outside, 30);
    fs.symlinkSync(path.join(outside, dayName(30)), path.join(root, dayName(30)));
    fs.mkdirSync(path.join(root, 'lost+found'));
    const freed = dayBytes(root, o10) + dayBytes(root, o20);
    const srv = await startServer(['--root', root, '--retain-days', '5']);
    try {
      await waitForLog(srv, /retention: sweep removed/);
      assert.match(srv.log, new RegExp(`removed day ${o20} \\(older than retain_days\\)`));
      assert.match(srv.log, new RegExp(`removed day ${o10} `));
      assert.match(srv.log, /sweep removed 3 items/);
      const m = /sweep removed 3 items, (\d+) bytes freed/.exec(srv.log);
      assert.ok(Number(m[1]) >= freed, m[0]);
      assert.ok(!fs.existsSync(path.join(root, o10)));
      assert.ok(!fs.existsSync(path.join(root, o20)));
      // The link went as a link; what it pointed to is untouched.
      assert.ok(!fs.existsSync(path.join(root, dayName(30))));
      assert.ok(fs.existsSync(path.join(outside, dayName(30), '00001', 'index.m3u8')));
      assert.ok(fs.existsSync(path.join(root, 'lost+found')));
      assert.ok(fs.existsSync(path.join(root, today, '00002', 'chunk_00002.ts')));
      assert.ok(fs.existsSync(path.join(root, today, '00001', 'index.m3u8')));
      const s = json(await srv.get('/api/storage'));
      assert.deepEqual(s.recordings.days.map((d) => d.date), [today]);
      assert.deepEqual(s.next_sweep.would_remove, []);
    } finally {
      await srv.stop();
    }
  });
});
