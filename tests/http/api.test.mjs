// The JSON API: golden day JSON for every fixture, listings, motion, health,
// and the error answers for bad input.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  FIXTURES, JSON_TYPE, SUITE, assertError, assertJson, copyFixture, fixtureCases, rawRequest, request,
  startServer, tmpdir, writeSegment,
} from './lib.mjs';




// The server's day JSON is camcat dump --json with "/rec/" before playlist paths.
function expectedServerText(golden) {
  return golden.trim().replace(/"playlist":"/g, '"playlist":"/rec/');
}

describe('golden day JSON for every fixture', SUITE, () => {
  const work = tmpdir();
  after(() => fs.rmSync(work, { recursive: true, force: true }));
  for (const c of fixtureCases()) {
    test(c, async () => {
      const root = copyFixture(c, path.join(work, c));
      const srv = await startServer(['--root', root]);
      try {
        const expectDir = path.join(FIXTURES, c, 'expect');
        const goldens = fs.readdirSync(expectDir).filter((f) => /^\d{4}-\d\d-\d\d\.json$/.test(f));
        assert.ok(goldens.length > 0);
        for (const g of goldens) {
          const date = g.slice(0, 10);
          const golden = fs.readFileSync(path.join(expectDir, g), 'utf8');
          const r = await srv.get(`/api/days/${date}`);
          assertJson(r, 200);
          assert.equal(r.body.toString('utf8').trim(), expectedServerText(golden), `${c}/${date}`);
          // Every playlist the JSON names is served under /rec.
          for (const s of JSON.parse(golden).segments) {
            const pr = await srv.get(`/rec/${s.playlist}`);
            assert.equal(pr.status, 200, s.playlist);
            assert.equal(pr.headers['content-type'], 'application/vnd.apple.mpegurl');
          }
        }
        // The listing holds exactly the golden days, each summarised.
        const list = assertJson(await srv.get('/api/days'), 200);
        assert.deepEqual(list.days.map((d) => d.date), goldens.map((g) => g.slice(0, 10)));
        for (const d of list.days) {
          const full = JSON.parse(fs.readFileSync(path.join(expectDir, `${d.date}.json`), 'utf8'));
          assert.equal(d.segments, full.segments.length);
          assert.equal(d.recorded_s, full.totals.recorded_s);
          assert.equal(d.gap_s, full.totals.gap_s);
          assert.equal(d.motion, full.motion.length);
          assert.equal(d.utc_offset, full.utc_offset);
          assert.equal(d.day_start_ms, full.day_start_ms);
        }
      } finally {
        const st = await srv.stop();
        assert.deepEqual(st, { code: 0, signal: null }, srv.log);
      }
    });
  }
});

describe('API', SUITE, () => {
  let work, root, srv;
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'root');
    copyFixture('normal', root);
    // Three more days for the range filters.
    for (const [day, t0] of [['2025-01-20', '2025-01-20T10:00:00Z'], ['2025-01-22', '2025-01-22T10:00:00Z'],
      ['2025-01-26', '2025-01-26T10:00:00Z']]) {
      writeSegment(path.join(root, day, '00001'), { t0: Date.parse(t0), n: 3 });
    }
    fs.mkdirSync(path.join(root, 'not-a-day'));
    srv = await startServer(['--root', root]);
  });
  after(async () => {
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  test('health', async () => {
    const j = assertJson(await srv.get('/api/health'), 200);
    assert.match(j.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof j.uptime_s, 'number');
    assert.deepEqual(j.root, { path: root, ok: true, error: null });
    for (const k of ['hits', 'builds', 'refreshes', 'sidecar_loads', 'sidecar_writes', 'cached_days',
      'cached_bytes']) assert.equal(typeof j.cache[k], 'number', k);
  });

  test('days listing and its from/to filters', async () => {
    const all = assertJson(await srv.get('/api/days'), 200);
    assert.deepEqual(all.days.map((d) => d.date), ['2025-01-20', '2025-01-22', '2025-01-24', '2025-01-26']);
    const d = all.days[2];
    assert.equal(d.utc_offset, '+08:00');
    assert.equal(d.start, '2025-01-24T08:00:00.000+08:00');
    assert.equal(d.start_ms, Date.parse('2025-01-24T08:00:00+08:00'));
    const mid = assertJson(await srv.get('/api/days?from=2025-01-21&to=2025-01-24'), 200);
    assert.deepEqual(mid.days.map((x) => x.date), ['2025-01-22', '2025-01-24']);
    const from = assertJson(await srv.get('/api/days?from=2025-01-24'), 200);
    assert.deepEqual(from.days.map((x) => x.date), ['2025-01-24', '2025-01-26']);
    const to = assertJson(await srv.get('/api/days?to=2025-01-20'), 200);
    assert.deepEqual(to.days.map((x) => x.date), ['2025-01-20']);
    const none = assertJson(await srv.get('/api/days?from=2030-01-01'), 200);
    assert.deepEqual(none.days, []);
    const same = assertJson(await srv.get('/api/days?from=2025-01-22&to=2025-01-22'), 200);
    assert.deepEqual(same.days.map((x) => x.date), ['2025-01-22']);
  });

  test('one day', async () => {
    const r = await srv.get('/api/days/2025-01-24');
    const j = assertJson(r, 200);
    assert.equal(j.date, '2025-01-24');
    assert.equal(j.segments.length, 2);
    assert.equal(j.segments[0].playlist, '/rec/2025-01-24/00001/index.m3u8');
    assert.equal(j.segments[0].start, '2025-01-24T08:00:00.000+08:00');
    assert.equal(j.segments[0].start_ms, Date.parse('2025-01-24T00:00:00Z'));
    // The path is percent-decoded once (%32 is '2').
    assert.deepEqual(assertJson(await srv.get('/api/days/%32025-01-24'), 200), j);
    const head = await request(srv.port, '/api/days/2025-01-24', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers['content-length']), r.body.length);
  });

  test('motion', async () => {
    const j = assertJson(await srv.get('/api/days/2025-01-24/motion'), 200);
    assert.equal(j.date, '2025-01-24');
    const day = assertJson(await srv.get('/api/days/2025-01-24'), 200);
    assert.deepEqual(j.motion, day.motion);
    assert.ok(j.motion.length > 0);
    for (const m of j.motion) {
      assert.equal(Date.parse(m.start), m.start_ms);
      assert.equal(Date.parse(m.end), m.end_ms);
      assert.match(m.start, /\+08:00$/);
    }
  });

  test('bad dates are 400 bad_date', async () => {
    for (const bad of ['2025-13-40', '2025-02-29', '2025-1-24', '20250124', 'today', '2025-01-24x',
      '2025-01-2%34x', '2025-01-24%20']) {
      assertError(await srv.get(`/api/days/${bad}`), 400, 'bad_date');
      assertError(await srv.get(`/api/days/${bad}/motion`), 400, 'bad_date');
    }
    assertError(await srv.get('/api/days/'), 400, 'bad_date');
    for (const q of ['from=2025-13-01', 'to=yesterday', 'from=', 'to=2025-01-32']) {
      assertError(await srv.get(`/api/days?${q}`), 400, 'bad_date');
    }
  });

  test('reversed and absurd ranges are 400', async () => {
    assertError(await srv.get('/api/days?from=2025-01-25&to=2025-01-24'), 400, 'bad_range');
    assertError(await srv.get('/api/days?from=%zz'), 400, 'bad_query');
    assertError(await srv.get('/api/days?from=%00'), 400, 'bad_query');
    assertError(await srv.get(`/api/days?from=${'9'.repeat(5000)}`), 400);
    // Absurd but well-formed: every day, not an error.
    assert.equal(assertJson(await srv.get('/api/days?from=0001-01-01&to=9999-12-31'), 200).days.length, 4);
  });

  test('a day that does not exist is 404', async () => {
    assertError(await srv.get('/api/days/2025-01-23'), 404, 'no_such_day');
    assertError(await srv.get('/api/days/2025-01-23/motion'), 404, 'no_such_day');
    assertError(await srv.get('/api/days/2025-01-23/playlist.m3u8'), 404, 'no_such_day');
  });

  test('unknown API paths are 404 JSON', async () => {
    for (const p of ['/api', '/api/', '/api/nope', '/api/days/2025-01-24/nope', '/api/health/x',
      '/api/days/2025-01-24/motion/x', '/api/Days', '/api/.hidden']) {
      assertError(await srv.get(p), 404);
    }
  });

  test('wrong methods are 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const p of ['/api/health', '/api/days', '/api/days/2025-01-24', '/api/days/2025-01-24/playlist.m3u8',
        '/rec/2025-01-24/00001/index.m3u8', '/index.html']) {
        // A day takes DELETE too (storage.test.mjs tests it).
        const day = p === '/api/days/2025-01-24';
        if (day && method === 'DELETE') continue;
        const r = await request(srv.port, p, { method });
        assertError(r, 405, 'method_not_allowed');
        assert.equal(r.headers.allow, day ? 'GET, HEAD, DELETE' : 'GET, HEAD');
      }
    }
  });

  test('long and hostile input never crashes the server', async () => {
    const long = 'x'.repeat(10 * 1024);
    const r = await srv.get(`/api/days/${long}`);
    assert.ok([400, 414].includes(r.status), String(r.status));
    assert.equal(r.headers['content-type'], JSON_TYPE);
    const longDate = `2025-01-24${'0'.repeat(10 * 1024)}`;
    assert.ok([400, 414].includes((await srv.get(`/api/days/${longDate}`)).status));
    // Beyond the request size limit civetweb answers itself.
    const huge = await rawRequest(srv.port, `/api/days/${'y'.repeat(40 * 1024)}`);
    assert.ok(huge.status === null || (huge.status >= 400 && huge.status < 500), String(huge.status));
    // Still alive and well.
    assertJson(await srv.get('/api/health'), 200);
  });
});

describe('ROOT missing at start', SUITE, () => {
  let work, srv;
  before(async () => {
    work = tmpdir();
    srv = await startServer(['--root', path.join(work, 'later')]);
  });
  after(async () => {
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  test('health says so, listing is 503, and days appear with the folder', async () => {
    const h = assertJson(await srv.get('/api/health'), 200);
    assert.equal(h.root.ok, false);
    assert.equal(typeof h.root.error, 'string');
    assertError(await srv.get('/api/days'), 503, 'root_unavailable');
    assert.ok([404, 503].includes((await srv.get('/api/days/2025-01-24')).status));
    // A delete says what GET says: the card is away, not "no such day".
    assertError(await request(srv.port, '/api/days/2025-01-24', { method: 'DELETE' }), 503, 'root_unavailable');

    copyFixture('normal', path.join(work, 'later'));
    const h2 = assertJson(await srv.get('/api/health'), 200);
    assert.equal(h2.root.ok, true);
    assert.equal(h2.root.error, null);
    // The catalog re-lists ROOT at most about once a second: ask until the
    // day shows (bounded by the test runner's timeout, not by a clock here).
    for (;;) {
      const r = await srv.get('/api/days');
      if (r.status === 200 && JSON.parse(r.body).days.length === 1) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assertJson(await srv.get('/api/days/2025-01-24'), 200);
  });
});
