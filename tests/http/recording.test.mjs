// One recording folder of a day: GET /api/days/DATE/SEGID/download.ts (its
// chunks in order, as one file) and DELETE /api/days/DATE/SEGID (the day
// DELETE's rules: same origin, 409 while recording, only folders the index
// knows, retention's remover).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { JSON_TYPE, SUITE, assertError, request, startServer, tmpdir, writeSegment } from './lib.mjs';

// Today's local date, as the camera names day folders (the recording rule
// looks at the newest day).
function today() {
  const d = new Date();
  const p = (v) => String(v).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

describe('one recording: download and delete', SUITE, () => {
  let work, root, srv, day;
  const same = () => ({ Origin: `http://127.0.0.1:${srv.port}` });

  before(async () => {
    work = tmpdir();
    root = path.join(work, 'rec');
    day = today();
    const t0 = Date.parse(`${day}T08:00:00Z`);
    // 00001 and 00002 closed; 00003 being recorded (no ENDLIST, newest day).
    writeSegment(path.join(root, day, '00001'), { t0, n: 3 });
    writeSegment(path.join(root, day, '00002'), { t0: t0 + 600000, n: 4 });
    writeSegment(path.join(root, day, '00003'), { t0: t0 + 1200000, n: 2, endlist: false });
    srv = await startServer(['--root', root]);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('download.ts is the folder\'s chunks in playlist order, named by day and folder', async () => {
    const dir = path.join(root, day, '00002');
    const want = Buffer.concat([0, 1, 2, 3].map((i) => fs.readFileSync(path.join(dir, `chunk_0000${i}.ts`))));
    const r = await srv.get(`/api/days/${day}/00002/download.ts`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'video/mp2t');
    assert.equal(r.headers['content-disposition'], `attachment; filename="camera-${day}-00002.ts"`);
    assert.equal(Number(r.headers['content-length']), want.length);
    assert.deepEqual(r.body, want);
    const h = await request(srv.port, `/api/days/${day}/00002/download.ts`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(Number(h.headers['content-length']), want.length);
    assert.equal(h.body.length, 0);
  });

  test('unknown folders, days and paths are 404; other methods 405', async () => {
    assertError(await srv.get(`/api/days/${day}/00009/download.ts`), 404, 'no_such_recording');
    assertError(await srv.get(`/api/days/${day}/..%2F..%2Fetc/download.ts`), 400, 'bad_path');
    assertError(await srv.get(`/api/days/${day}/index.m3u8/download.ts`), 404, 'no_such_recording');
    assertError(await srv.get('/api/days/2001-01-01/00001/download.ts'), 404, 'no_such_day');
    assertError(await srv.get(`/api/days/${day}/00001/other`), 404, 'not_found');
    assertError(await request(srv.port, `/api/days/${day}/00001/download.ts`, { method: 'POST' }),
      405, 'method_not_allowed');
    const r = await srv.get(`/api/days/${day}/00001`);
    assertError(r, 405, 'method_not_allowed');
    assert.equal(r.headers.allow, 'DELETE');
    assertError(await srv.get(`/api/days/${day}/nope`), 404, 'no_such_recording');
  });

  test('DELETE from another origin is 403 and removes nothing', async () => {
    const r = await request(srv.port, `/api/days/${day}/00001`,
      { method: 'DELETE', headers: { Origin: 'http://evil.example' } });
    assertError(r, 403, 'cross_origin');
    assert.ok(fs.existsSync(path.join(root, day, '00001', 'index.m3u8')));
  });

  test('DELETE of the folder being recorded is 409', async () => {
    const r = await request(srv.port, `/api/days/${day}/00003`, { method: 'DELETE', headers: same() });
    assertError(r, 409, 'recording');
    assert.ok(fs.existsSync(path.join(root, day, '00003', 'index.m3u8')));
  });

  test('DELETE of a closed folder removes it alone, from disk and from the day', async () => {
    const r = await request(srv.port, `/api/days/${day}/00001`, { method: 'DELETE', headers: same() });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['content-type'], JSON_TYPE);
    const b = JSON.parse(r.body.toString());
    assert.equal(b.removed.date, day);
    assert.equal(b.removed.id, '00001');
    assert.ok(b.removed.bytes_freed > 0);
    assert.equal(fs.existsSync(path.join(root, day, '00001')), false);
    assert.ok(fs.existsSync(path.join(root, day, '00002', 'index.m3u8')));
    const d = JSON.parse((await srv.get(`/api/days/${day}`)).body.toString());
    assert.deepEqual(d.segments.map((s) => s.id), ['00002', '00003']);
    assertError(await request(srv.port, `/api/days/${day}/00001`, { method: 'DELETE', headers: same() }),
      404, 'no_such_recording');
  });
});
