// GET /api/live.m3u8: a sliding window over the folder being recorded, fed
// by a playlist that grows while the tests run; what is not live; and the
// live_start_cmd / live_stop_cmd hook with marker files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BUILD, FIXTURES, SUITE, isoAt, parseM3u8, request, startServer, tmpdir, writeSegment } from './lib.mjs';

const M3U8 = 'application/vnd.apple.mpegurl';
const LIVE = '/api/live.m3u8';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A recorder: a playlist in ROOT/DATE/FOLDER that chunks are appended to,
// each with its PDT and a chunk file, as a camera writes it.
class Recorder {
  constructor(root, folder, { t0 = Date.now() - 60000, durMs = 2000, mediaSeq = null } = {}) {
    this.date = new Date(t0).toISOString().slice(0, 10);
    this.rel = `${this.date}/${folder}`;
    this.dir = path.join(root, this.date, folder);
    this.file = path.join(this.dir, 'index.m3u8');
    this.t0 = t0;
    this.durMs = durMs;
    this.n = 0;
    fs.mkdirSync(this.dir, { recursive: true });
    let head = `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:${Math.ceil(durMs / 1000)}\n`;
    if (mediaSeq !== null) head += `#EXT-X-MEDIA-SEQUENCE:${mediaSeq}\n`;
    fs.writeFileSync(this.file, head);
  }

  chunkText(i) {
    const name = `chunk_${String(i).padStart(5, '0')}.ts`;
    fs.writeFileSync(path.join(this.dir, name), `${this.rel}/${name}\n`);
    return `#EXT-X-PROGRAM-DATE-TIME:${isoAt(this.t0 + i * this.durMs)}\n` +
      `#EXTINF:${(this.durMs / 1000).toFixed(3)},\n${name}\n`;
  }

  append(k) {
    let text = '';
    for (let i = 0; i < k; i++) text += this.chunkText(this.n++);
    fs.appendFileSync(this.file, text);
  }

  end() {
    fs.appendFileSync(this.file, '#EXT-X-ENDLIST\n');
  }

  age(ms) {
    const t = new Date(Date.now() - ms);
    fs.utimesSync(this.file, t, t);
  }
}

function readLive(r) {
  const text = r.body.toString('utf8');
  const num = (tag) => {
    const m = new RegExp(`^#EXT-X-${tag}:(\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return { text, ...parseM3u8(text, LIVE), seq: num('MEDIA-SEQUENCE'), dseq: num('DISCONTINUITY-SEQUENCE') };
}

async function getLive(srv, status = 200) {
  const r = await srv.get(LIVE);
  assert.equal(r.status, status, r.body.toString('utf8'));
  return r.status === 200 ? readLive(r) : JSON.parse(r.body);
}

// Polls until pred(answer) holds: behaviour, not speed, is asserted.
async function until(srv, pred, what, deadlineMs = 20000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = await srv.get(LIVE);
    const a = r.status === 200 ? readLive(r) : { status: r.status, body: r.body.toString('utf8') };
    if (pred(a)) return a;
    if (Date.now() > end) assert.fail(`${what}: last answer ${JSON.stringify(a.text ?? a.body)}`);
    await sleep(100);
  }
}

function assertNotRecording(body) {
  assert.deepEqual(body, { error: { code: 'not_recording', message: 'camera is not recording' } });
}

describe('the live playlist follows a growing recording', SUITE, () => {
  const root = tmpdir();
  let srv;
  let rec;
  before(async () => {
    rec = new Recorder(root, '00001');
    rec.append(2);
    srv = await startServer(['--root', root, '--live-window', '4']);
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('fewer chunks than the window: all of them', async () => {
    const l = await getLive(srv);
    assert.equal(l.chunks.length, 2);
    assert.equal(l.seq, 0);
    assert.equal(l.targetDuration, 2);
    assert.equal(l.endlist, false);
    assert.equal(l.playlistType, null);
  });

  test('the window holds live_window chunks; the sequence advances by the chunks appended', async () => {
    rec.append(8); // 10 chunks
    let l = await getLive(srv);
    assert.equal(l.chunks.length, 4);
    assert.equal(l.seq, 6);
    assert.deepEqual(l.chunks.map((c) => c.uri),
      [6, 7, 8, 9].map((i) => `/rec/${rec.rel}/chunk_${String(i).padStart(5, '0')}.ts`));
    for (const [k, c] of l.chunks.entries()) {
      assert.equal(c.pdt, rec.t0 + (6 + k) * 2000, `PDT of ${c.uri}`);
      assert.equal(c.dur, 2000);
      assert.equal(c.discontinuity, false);
    }
    for (const add of [1, 3, 2]) {
      const before = l.seq;
      rec.append(add);
      l = await getLive(srv);
      assert.equal(l.seq, before + add);
      assert.equal(l.chunks.length, 4);
      assert.equal(l.chunks[3].uri, `/rec/${rec.rel}/chunk_${String(rec.n - 1).padStart(5, '0')}.ts`);
    }
  });

  test('chunk URIs resolve under /rec', async () => {
    const l = await getLive(srv);
    for (const c of l.chunks) {
      const r = await srv.get(c.uri);
      assert.equal(r.status, 200, c.uri);
      assert.equal(r.body.toString('utf8'), `${c.uri.slice('/rec/'.length)}\n`);
    }
  });

  test('a half-written last line is not served until it is complete', async () => {
    const before = await getLive(srv);
    const name = `chunk_${String(rec.n).padStart(5, '0')}.ts`;
    const whole = rec.chunkText(rec.n);
    fs.appendFileSync(rec.file, whole.slice(0, whole.length - 4));
    const mid = await getLive(srv);
    assert.equal(mid.seq, before.seq);
    assert.deepEqual(mid.chunks.map((c) => c.uri), before.chunks.map((c) => c.uri));
    fs.appendFileSync(rec.file, whole.slice(whole.length - 4));
    rec.n++;
    const l = await getLive(srv);
    assert.equal(l.seq, before.seq + 1);
    assert.equal(l.chunks[3].uri, `/rec/${rec.rel}/${name}`);
  });

  test('a playlist rewritten by rename (same bytes first) continues its numbering', async () => {
    const before = await getLive(srv);
    const text = fs.readFileSync(rec.file, 'utf8') + rec.chunkText(rec.n++);
    fs.writeFileSync(`${rec.file}.tmp`, text);
    fs.renameSync(`${rec.file}.tmp`, rec.file);
    const l = await getLive(srv);
    assert.equal(l.seq, before.seq + 1);
    assert.equal(l.chunks.length, 4);
  });

  test('HEAD: the same headers, no body; Cache-Control no-store', async () => {
    const g = await srv.get(LIVE);
    const h = await request(srv.port, LIVE, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
    for (const r of [g, h]) {
      assert.equal(r.headers['content-type'], M3U8);
      assert.equal(r.headers['cache-control'], 'no-store');
    }
    assert.equal(h.headers['content-length'], String(g.body.length));
  });

  test('other methods: 405', async () => {
    const r = await request(srv.port, LIVE, { method: 'POST' });
    assert.equal(r.status, 405);
  });

  test('ENDLIST: not recording any more', async () => {
    rec.end();
    const r = await srv.get(LIVE);
    assert.equal(r.status, 404);
    assert.equal(r.headers['cache-control'], 'no-store');
    assertNotRecording(JSON.parse(r.body));
    const h = await request(srv.port, LIVE, { method: 'HEAD' });
    assert.equal(h.status, 404);
  });
});

describe('what is not live', SUITE, () => {
  const work = tmpdir();
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  async function withServer(root, fn, args = []) {
    const srv = await startServer(['--root', root, ...args]);
    try {
      await fn(srv);
    } finally {
      await srv.stop();
    }
  }

  test('an empty ROOT', async () => {
    const root = path.join(work, 'empty');
    fs.mkdirSync(root);
    await withServer(root, async (srv) => assertNotRecording(await getLive(srv, 404)));
  });

  test('a folder left open an hour ago (power cut) is not live', async () => {
    const root = path.join(work, 'stale');
    const rec = new Recorder(root, '00001', { t0: Date.now() - 2 * 3600000 });
    rec.append(5);
    rec.age(3600000);
    await withServer(root, async (srv) => {
      assertNotRecording(await getLive(srv, 404));
      rec.append(1); // it records again: live
      const l = await getLive(srv);
      assert.equal(l.seq, 2);
      assert.equal(l.chunks.length, 4);
    }, ['--live-window', '4']);
  });

  test('a closed newest folder is not live, nor an older one left open', async () => {
    const root = path.join(work, 'closed');
    const old = new Recorder(root, '00001');
    old.append(3);
    old.age(3600000);
    const rec = new Recorder(root, '00002');
    rec.append(3);
    rec.end();
    await withServer(root, async (srv) => assertNotRecording(await getLive(srv, 404)));
  });

  // "Being recorded" is decided by the folders themselves: a folder without
  // ENDLIST that changed in the last seconds is followed, whichever folder or
  // day is newest by name (a boot with a clock set far ahead left 2037-01-01).
  test('the folder being written is live wherever it is', async () => {
    const root = path.join(work, 'older-open');
    const old = new Recorder(root, '00001');
    old.append(3);
    const rec = new Recorder(root, '00002');
    rec.append(3);
    rec.end();
    const ahead = path.join(root, '2037-01-01', '00001');
    writeSegment(ahead, { t0: Date.parse('2037-01-01T00:00:00Z'), n: 3, endlist: false });
    const t = new Date('2037-01-01T00:00:06Z');
    fs.utimesSync(path.join(ahead, 'index.m3u8'), t, t);
    fs.utimesSync(ahead, t, t);
    await withServer(root, async (srv) => {
      const l = await getLive(srv);
      assert.equal(l.chunks.length, 3);
      for (const c of l.chunks) assert.ok(c.uri.startsWith(`/rec/${old.rel}/`), c.uri);
    });
  });

  test('the newest folder wins over an older open one', async () => {
    const root = path.join(work, 'two-open');
    const old = new Recorder(root, '00001');
    old.append(5);
    const rec = new Recorder(root, '00002', { mediaSeq: 100 });
    rec.append(3);
    await withServer(root, async (srv) => {
      const l = await getLive(srv);
      assert.equal(l.chunks.length, 3);
      assert.equal(l.seq, 100); // the source's media sequence + index
      for (const c of l.chunks) assert.ok(c.uri.startsWith(`/rec/${rec.rel}/`), c.uri);
    });
  });
});

describe('a new folder while watching: numbering goes on', SUITE, () => {
  const root = tmpdir();
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the sequence never goes back; a discontinuity separates the folders', async () => {
    const a = new Recorder(root, '00001');
    a.append(5);
    const srv = await startServer(['--root', root, '--live-window', '4']);
    try {
      const first = await getLive(srv);
      assert.equal(first.seq, 1);
      const b = new Recorder(root, '00002', { t0: Date.now() - 20000 });
      b.append(2);
      // The day's folder list is re-read at most once a second.
      const l = await until(srv, (x) => x.chunks && x.chunks.some((c) => c.uri.includes('/00002/')),
        'the new folder appears');
      assert.ok(l.seq >= first.seq, `sequence went back: ${l.seq} < ${first.seq}`);
      const news = l.chunks.filter((c) => c.uri.includes('/00002/'));
      assert.equal(news.length, 2);
      const firstNew = l.chunks.indexOf(news[0]);
      if (firstNew > 0) assert.equal(news[0].discontinuity, true, l.text);
      else assert.ok(l.dseq > first.dseq, 'discontinuity sequence');
      // 5 chunks of the old folder (0..4) then the new ones number on: 5, 6
      assert.equal(l.seq + l.chunks.length - 1, 6);
      b.append(3);
      const m = await getLive(srv);
      assert.equal(m.seq + m.chunks.length - 1, 9);
      assert.ok(m.chunks.every((c) => c.uri.includes('/00002/')));
      assert.equal(m.dseq, 1);
    } finally {
      await srv.stop();
    }
  });
});

describe('live source hook', SUITE, () => {
  const root = tmpdir();
  const marks = tmpdir('camcat-live-marks-');
  let srv;
  let rec;
  const mark = (f) => path.join(marks, f);
  const waitFile = async (f, what) => {
    const end = Date.now() + 20000;
    while (!fs.existsSync(mark(f))) {
      if (Date.now() > end) assert.fail(`${what}: ${f} did not appear\n${srv.log}`);
      await sleep(50);
    }
  };
  before(async () => {
    rec = new Recorder(root, '00001');
    rec.append(3);
    srv = await startServer(['--root', root, '--live-idle-s', '1',
      '--live-start-cmd', `echo x >> '${mark('starts')}'; touch '${mark('started')}'`,
      '--live-stop-cmd', `echo x >> '${mark('stops')}'; touch '${mark('stopped')}'`]);
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(marks, { recursive: true, force: true });
  });

  test('a HEAD probe is not a viewer', async () => {
    const h = await request(srv.port, LIVE, { method: 'HEAD' });
    assert.equal(h.status, 200);
    await sleep(300);
    assert.equal(fs.existsSync(mark('starts')), false);
  });

  test('the first viewer starts live, once; it stops after the last one idles', async () => {
    await getLive(srv);
    await waitFile('started', 'start');
    // Two viewers polling for a while: no second start, no stop.
    const end = Date.now() + 2500;
    while (Date.now() < end) {
      await Promise.all([getLive(srv), getLive(srv)]);
      assert.equal(fs.existsSync(mark('stopped')), false, 'stopped while watched');
      await sleep(200);
    }
    assert.equal(fs.readFileSync(mark('starts'), 'utf8'), 'x\n');
    await waitFile('stopped', 'stop after idling');
    assert.equal(fs.readFileSync(mark('stops'), 'utf8'), 'x\n');
  });

  test('a viewer while not recording counts too, and again starts once', async () => {
    rec.end();
    assertNotRecording(await getLive(srv, 404));
    const end = Date.now() + 20000;
    while (fs.readFileSync(mark('starts'), 'utf8') !== 'x\nx\n') {
      if (Date.now() > end) assert.fail(`no second start\n${srv.log}`);
      await getLive(srv, 404);
      await sleep(50);
    }
  });

  test('shutdown runs live_stop_cmd when live is on', async () => {
    const st = await srv.stop();
    assert.equal(st.code, 0);
    assert.equal(fs.readFileSync(mark('stops'), 'utf8'), 'x\nx\n');
    assert.match(srv.log, /live: running live_stop_cmd/);
  });
});

// `make run` keeps the demo live with camcat-gentree record: it appends real
// chunks to the demo's recording folder, and the live playlist follows.
describe('the demo recorder (camcat-gentree record)', SUITE, () => {
  const GENTREE = path.join(BUILD, 'camcat-gentree');
  const MEDIA = path.join(FIXTURES, 'media');
  let work, root, srv;
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'demo');
    const g = spawnSync(GENTREE, ['demo', '--root', root, '--media', MEDIA, '--days', '1'], { encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    srv = await startServer(['--root', root]);
  });
  after(async () => {
    if (srv) await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('appends finished chunks with contiguous PDTs; the live window advances by them', async () => {
    const first = readLive(await request(srv.port, LIVE));
    assert.ok(first.seq !== null, first.text);
    const rec = spawnSync(GENTREE, ['record', '--root', root, '--media', MEDIA, '--chunks', '2'],
      { encoding: 'utf8' });
    assert.equal(rec.status, 0, rec.stderr);
    let live;
    // The catalog re-checks a day at most once a second: poll, no timing assert.
    for (;;) {
      live = readLive(await request(srv.port, LIVE));
      if (live.seq === first.seq + 2) break;
      assert.ok(live.seq <= first.seq + 2, `sequence ${live.seq}`);
      await sleep(200);
    }
    const c = live.chunks;
    for (let i = 1; i < c.length; i++) {
      if (!c[i].discontinuity) assert.equal(c[i].pdt, c[i - 1].pdt + c[i - 1].dur, `chunk ${i}`);
    }
    for (const ch of c.slice(-2)) {
      const r = await request(srv.port, ch.uri);
      assert.equal(r.status, 200);
      assert.ok(r.body.length > 1000, 'a real chunk, not a stub');
    }
  });

  test('refuses a tree with nothing recording', () => {
    const closed = path.join(work, 'closed', '2025-01-24', '00001');
    fs.mkdirSync(closed, { recursive: true });
    fs.writeFileSync(path.join(closed, 'index.m3u8'), '#EXTM3U\n#EXT-X-ENDLIST\n');
    const rec = spawnSync(GENTREE, ['record', '--root', path.join(work, 'closed'), '--media', MEDIA, '--chunks', '1'],
      { encoding: 'utf8' });
    assert.equal(rec.status, 1);
    assert.match(rec.stderr, /not recording/);
  });
});
