// What any client on the LAN (or an unlucky camera) can do to camcatd: many
// clients at once on a day that does not exist, a day deleted while it is
// being watched, the card pulled while clients poll, and "being recorded"
// decided by the folders themselves for DELETE and the sweep. Run against the
// sanitizer build in `make test`: a freed entry touched is a failed run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SUITE, assertError, keepRecording, request, startServer, tmpdir, waitForLog, writeSegment } from './lib.mjs';

// The local calendar date n days before now, as the camera names day folders.
function dayName(n) {
  const d = new Date();
  d.setDate(d.getDate() - n);
  const p = (v) => String(v).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// n clients, each sending count requests one after another; the statuses.
async function hammer(srv, n, count, next) {
  const statuses = [];
  await Promise.all(Array.from({ length: n }, async (_, k) => {
    for (let i = 0; i < count; i++) {
      const r = await request(srv.port, next(k, i));
      statuses.push(r.status);
    }
  }));
  return statuses;
}

describe('many clients, deletes and a vanishing card', SUITE, () => {
  let work, root, srv;
  const days = ['2025-01-20', '2025-01-21', '2025-01-22'];
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'rec');
    days.forEach((d, i) => writeSegment(path.join(root, d, '00001'),
      { t0: Date.parse(`${d}T08:00:00Z`), n: 50 + i }));
    // The smallest cache; failed builds (a day with no folder) all the time.
    // The catalog's own stress test (tests/unit/test_race.c) adds evictions.
    srv = await startServer(['--root', root, '--cache-mb', '1']);
  });
  after(async () => {
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  test('four clients asking for a day with no folder, over and over', async () => {
    const st = await hammer(srv, 4, 150, () => '/api/days/2020-01-01');
    assert.equal(st.length, 600);
    assert.deepEqual([...new Set(st)], [404]);
    assert.equal((await srv.get('/api/health')).status, 200);
  });

  test('missing and present days mixed', async () => {
    const st = await hammer(srv, 6, 60, (k, i) =>
      ((k + i) % 3 === 0 ? '/api/days/2020-01-01' : `/api/days/${days[(k + i) % 3]}`));
    assert.deepEqual([...new Set(st)].sort(), [200, 404]);
  });

  test('a day deleted while three clients watch it', async () => {
    const d = days[0];
    let stop = false;
    const seen = new Set();
    const viewers = Array.from({ length: 3 }, async (_, k) => {
      while (!stop) {
        const r = await request(srv.port, k === 2 ? `/api/days/${d}/playlist.m3u8` : `/api/days/${d}`);
        seen.add(r.status);
      }
    });
    await new Promise((res) => setTimeout(res, 100));
    const del = await request(srv.port, `/api/days/${d}`, { method: 'DELETE' });
    assert.equal(del.status, 200, del.body.toString());
    await new Promise((res) => setTimeout(res, 100));
    stop = true;
    await Promise.all(viewers);
    assert.ok(!fs.existsSync(path.join(root, d)));
    for (const s of seen) assert.ok(s === 200 || s === 404, `status ${s}`);
    assertError(await srv.get(`/api/days/${d}`), 404, 'no_such_day');
  });

  test('the card pulled and put back while clients poll', async () => {
    const away = `${root}.away`;
    let stop = false;
    const seen = new Set();
    const pollers = Array.from({ length: 3 }, async (_, k) => {
      while (!stop) {
        const r = await request(srv.port, k ? `/api/days/${days[k]}` : '/api/days');
        seen.add(r.status);
      }
    });
    for (let i = 0; i < 5; i++) {
      fs.renameSync(root, away);
      await new Promise((res) => setTimeout(res, 30));
      fs.renameSync(away, root);
      await new Promise((res) => setTimeout(res, 30));
    }
    stop = true;
    await Promise.all(pollers);
    for (const s of seen) assert.ok([200, 404, 503].includes(s), `status ${s}`);
    fs.renameSync(root, away);
    assertError(await srv.get('/api/days'), 503, 'root_unavailable');
    fs.renameSync(away, root);
    assert.equal((await srv.get(`/api/days/${days[1]}`)).status, 200);
  });
});

// A boot with a wrong clock left a day far ahead, and just after midnight the
// recorder made tomorrow's folder before its first playlist: the day being
// recorded is not the newest by name, and still must never be deleted.
describe('the folder being recorded is never deleted, whatever day is newest', SUITE, () => {
  let work;
  before(() => { work = tmpdir(); });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  function makeTree(root) {
    const today = dayName(0);
    const t0 = Date.now() - 60000;
    writeSegment(path.join(root, today, '00001'), { t0: t0 - 3600000, n: 3 });
    const recDir = path.join(root, today, '00002');
    writeSegment(recDir, { t0, n: 3, endlist: false });
    keepRecording(recDir);
    fs.mkdirSync(path.join(root, dayName(-1)), { recursive: true });
    writeSegment(path.join(root, '2037-01-01', '00001'),
      { t0: Date.parse('2037-01-01T00:00:00Z'), n: 3 });
    return { today, recDir };
  }

  test('DELETE of the recording day answers 409, a later day can go', async () => {
    const root = path.join(work, 'delete');
    const { today, recDir } = makeTree(root);
    const srv = await startServer(['--root', root, '--sweep-interval-s', '0']);
    try {
      const day = JSON.parse((await srv.get(`/api/days/${today}`)).body.toString());
      assert.deepEqual(day.segments.map((s) => s.state), ['closed', 'recording']);
      assertError(await request(srv.port, `/api/days/${today}`, { method: 'DELETE' }), 409, 'day_recording');
      assert.ok(fs.existsSync(path.join(recDir, 'chunk_00002.ts')));
      const r = await request(srv.port, '/api/days/2037-01-01', { method: 'DELETE' });
      assert.equal(r.status, 200, r.body.toString());
      assert.ok(!fs.existsSync(path.join(root, '2037-01-01')));
    } finally {
      await srv.stop();
    }
  });

  test('a sweep under the free-space floor keeps the recording folder', async () => {
    const root = path.join(work, 'sweep');
    const { today, recDir } = makeTree(root);
    const srv = await startServer(['--root', root, '--min-free-pct', '90']);
    try {
      await waitForLog(srv, /retention: sweep removed/);
      assert.ok(fs.existsSync(path.join(recDir, 'chunk_00002.ts')));
      assert.ok(fs.existsSync(path.join(recDir, 'index.m3u8')));
      // What could go, went: the closed folder of today and the day ahead.
      assert.ok(!fs.existsSync(path.join(root, today, '00001')));
      assert.ok(!fs.existsSync(path.join(root, '2037-01-01', '00001')));
    } finally {
      await srv.stop();
    }
  });
});
