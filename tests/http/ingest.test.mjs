// POST /api/ingest: ffmpeg pushes a real stream at real time (-re) and curl
// -T - pipes one; the recording grows while it runs, /api/live.m3u8 follows
// it, and it closes with ENDLIST; a killed sender leaves an interrupted
// folder whose chunks all play; bad bodies and a second stream are refused.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SUITE, startServer, tmpdir, trackChild, waitForLog } from './lib.mjs';

const SRC = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30'];
const H264 = ['-c:v', 'libx264', '-g', '30', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

function ffmpegPush(url, seconds) {
  return trackChild(spawn('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', ...SRC,
    '-t', String(seconds), ...H264, '-f', 'mpegts', '-method', 'POST', url],
  { stdio: ['ignore', 'ignore', 'pipe'] }));
}

const exited = (p) => new Promise((resolve) => p.once('close', (code, signal) => resolve({ code, signal })));
const canUnshare = spawnSync('unshare', ['-m', '--', 'true']).status === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function folders(root) {
  const out = [];
  for (const d of fs.existsSync(root) ? fs.readdirSync(root).sort() : []) {
    for (const f of fs.readdirSync(path.join(root, d)).sort()) if (/^\d{5}$/.test(f)) out.push(path.join(root, d, f));
  }
  return out;
}

function chunksOf(dir) {
  const text = fs.readFileSync(path.join(dir, 'index.m3u8'), 'utf8');
  const pdt = [...text.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(.*)/g)].map((m) => Date.parse(m[1]));
  const dur = [...text.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
  const names = text.split('\n').filter((l) => l.endsWith('.ts'));
  return { text, pdt, dur, names, endlist: text.includes('#EXT-X-ENDLIST') };
}

// ffprobe reads the chunk alone, without errors: its start PTS in seconds.
function probeStart(file) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=start_time', '-select_streams',
    'v:0', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', `${file}: ${r.stderr}`);
  return parseFloat(r.stdout.trim());
}

function decodes(file) {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  return r.status === 0 && r.stderr === '';
}

describe('POST /api/ingest', SUITE, () => {
  let work; let root; let srv;
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'root');
    fs.mkdirSync(root);
    srv = await startServer(['--root', root, '--www', work]);
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('ffmpeg -re: grows while it runs, live follows, closes within a chunk, PDT follows PTS', async () => {
    const ff = ffmpegPush(`${srv.base}/api/ingest`, 7);
    const done = exited(ff);
    let grew = 0; let live = null; let last = 0; let asked = false;
    for (let i = 0; i < 60 && ff.exitCode === null; i++) {
      await sleep(200);
      const f = folders(root);
      if (f.length && fs.existsSync(path.join(f[0], 'index.m3u8'))) {
        const n = chunksOf(f[0]).names.length;
        if (n > last) grew++;
        last = n;
        if (n >= 1 && !asked) { // the day is cached from here on: later chunks are noted
          asked = (await srv.get(`/api/days/${path.basename(path.dirname(f[0]))}`)).status === 200;
        }
        if (n >= 2 && !live) live = await srv.get('/api/live.m3u8');
      }
    }
    assert.equal((await done).code, 0);
    assert.ok(grew >= 2, `the playlist grew ${grew} times while ffmpeg ran`);
    assert.ok(live, 'live was asked');
    assert.equal(live.status, 200, String(live.body));
    assert.match(String(live.body), /#EXTINF:2\.000000,\n\/rec\/.*seg\d{5}\.ts/);
    const f = folders(root);
    assert.equal(f.length, 1);
    const c = chunksOf(f[0]);
    assert.ok(c.endlist);
    assert.match(c.text, /#EXT-X-TARGETDURATION:2\n/);
    const total = c.dur.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 7) <= 2, `recorded ${total} s of 7`);
    const starts = c.names.map((n) => probeStart(path.join(f[0], n)));
    for (let i = 1; i < starts.length; i++) {
      const drift = (c.pdt[i] - c.pdt[0]) - (starts[i] - starts[0]) * 1000;
      assert.ok(Math.abs(drift) <= 1, `chunk ${i}: PDT drift ${drift} ms`);
    }
    const day = path.basename(path.dirname(f[0]));
    const d = JSON.parse((await srv.get(`/api/days/${day}`)).body);
    assert.equal(d.segments.length, 1);
    assert.equal(d.segments[0].state, 'closed');
    assert.equal(d.totals.chunks, c.names.length);
    // the chunks after the day was first asked came from the ingest's notes
    const cache = JSON.parse((await srv.get('/api/health')).body).cache;
    assert.ok(asked && cache.notes >= 1, `notes ${cache.notes}`);
  });

  test('curl -T - from a pipe, a killed sender, bad bodies, busy', async () => {
    // a killed ffmpeg: interrupted folder, every listed chunk plays
    const ff = ffmpegPush(`${srv.base}/api/ingest`, 30);
    for (let i = 0; i < 100; i++) {
      await sleep(100);
      const f = folders(root);
      if (f.length === 2 && fs.existsSync(path.join(f[1], 'index.m3u8')) &&
          chunksOf(f[1]).names.length >= 2) break;
    }
    // a second stream meanwhile: 409 busy
    const busy = spawnSync('curl', ['-s', '-o', '-', '-w', '%{http_code}', '-T', '/dev/null',
      `${srv.base}/api/ingest`], { encoding: 'utf8' });
    assert.match(busy.stdout, /"busy".*409$/s);
    process.kill(ff.pid, 'SIGKILL');
    await exited(ff);
    await sleep(500);
    let f = folders(root);
    const k = chunksOf(f[1]);
    assert.ok(!k.endlist);
    for (const n of k.names) assert.ok(decodes(path.join(f[1], n)), n);

    // curl -T - reading a pipe
    const file = path.join(work, 'a.ts');
    assert.equal(spawnSync('ffmpeg', ['-nostdin', '-v', 'error', ...SRC, '-t', '3', ...H264, '-f', 'mpegts',
      '-y', file]).status, 0);
    const curl = spawnSync('sh', ['-c', `cat ${file} | curl -s -T - ${srv.base}/api/ingest`],
      { encoding: 'utf8' });
    const ok = JSON.parse(curl.stdout);
    assert.equal(ok.chunks, 2);
    assert.equal(ok.duration_ms, 3000);
    f = folders(root);
    assert.equal(f.length, 3);
    assert.ok(chunksOf(f[2]).endlist);

    // not TS: 415 not_mpegts, no folder
    fs.writeFileSync(path.join(work, 'junk'), 'not a stream '.repeat(10000));
    const junk = spawnSync('curl', ['-s', '-T', path.join(work, 'junk'), `${srv.base}/api/ingest`],
      { encoding: 'utf8' });
    assert.match(junk.stdout, /not_mpegts/);
    assert.equal(folders(root).length, 3);
    const get = await srv.get('/api/ingest');
    assert.equal(get.status, 405);
  });

  test('a sender that stalls: after request_timeout_ms the folder is left interrupted, chunks whole', async () => {
    const file = path.join(work, 'stall.ts');
    assert.equal(spawnSync('ffmpeg', ['-nostdin', '-v', 'error', ...SRC, '-t', '5', ...H264, '-f', 'mpegts',
      '-y', file]).status, 0);
    const body = fs.readFileSync(file);
    const before = folders(root).length;
    const stalls = () => (srv.log.match(/dropped or stalled/g) || []).length;
    const stalls0 = stalls();
    const sock = net.connect(Number(new URL(srv.base).port), '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let answer = '';
    sock.on('data', (d) => { answer += d; });
    const part = body.subarray(0, Math.floor(body.length * 0.7)); // about 3.5 s, then silence
    sock.write('POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `${part.length.toString(16)}\r\n`);
    sock.write(part);
    sock.write('\r\n');
    while (stalls() === stalls0) {
      assert.equal(srv.proc.exitCode, null, srv.log);
      await sleep(50);
    }
    sock.destroy();
    assert.match(srv.log.split('dropped or stalled').pop(), /left interrupted/);
    const f = folders(root);
    assert.equal(f.length, before + 1);
    const c = chunksOf(f[f.length - 1]);
    assert.ok(!c.endlist, 'no ENDLIST after a stall');
    assert.ok(c.names.length >= 1);
    for (const n of c.names) assert.ok(decodes(path.join(f[f.length - 1], n)), n);
    assert.ok(answer === '' || /408/.test(answer), answer);
  });
});

describe('ingest_token', SUITE, () => {
  test('Bearer or ?token=, else 401; a non-loopback listen needs a token or auth_file', async () => {
    const work = tmpdir();
    const srv = await startServer(['--root', work, '--www', work, '--ingest-token', 'sixteen-chars-ok']);
    try {
      const file = path.join(work, 'b.ts');
      spawnSync('ffmpeg', ['-nostdin', '-v', 'error', ...SRC, '-t', '1', ...H264, '-f', 'mpegts', '-y', file]);
      const code = (args) => spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-T', file,
        ...args], { encoding: 'utf8' }).stdout;
      assert.equal(code([`${srv.base}/api/ingest`]), '401');
      assert.equal(code(['-H', 'Authorization: Bearer sixteen-chars-nO', `${srv.base}/api/ingest`]), '401');
      assert.equal(code(['-H', 'Authorization: Bearer sixteen-chars-ok', `${srv.base}/api/ingest`]), '200');
      assert.equal(code([`${srv.base}/api/ingest?token=sixteen-chars-ok`]), '200');
    } finally {
      await srv.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
    const r = spawnSync(path.join(process.env.CAMCAT_BUILD || 'build', 'camcatd'),
      ['--root', '/tmp', '--listen', '192.0.2.1:0', '--insecure-no-auth'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ingest_token/);
  });
});

// A full card: ROOT is a small tmpfs in camcatd's own mount namespace
// (unshare -m, as in faults.test.mjs), holding an old day that takes most of
// it. The stream cannot fit beside it: the write fails with ENOSPC, a
// retention sweep removes the old day (min_free_pct), and the same chunk is
// written again, so the whole stream is recorded. Without a policy the
// stream stops with 507 and the folder stays closed and readable.
describe('ingest on a full disk', { ...SUITE, skip: !canUnshare && 'no mount namespaces here' }, () => {
  let work; let stream; let size;
  before(() => {
    work = tmpdir();
    stream = path.join(work, 's.ts');
    assert.equal(spawnSync('ffmpeg', ['-nostdin', '-v', 'error', ...SRC, '-t', '8', ...H264, '-qp', '10',
      '-f', 'mpegts', '-y', stream]).status, 0);
    size = fs.statSync(stream).size;
    const old = path.join(work, 'stage', '2020-01-01', '00001');
    fs.mkdirSync(old, { recursive: true });
    fs.writeFileSync(path.join(old, 'seg00000.ts'), Buffer.alloc(Math.round(size * 0.6), 0x47));
    fs.writeFileSync(path.join(old, 'index.m3u8'), '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n' +
      '#EXT-X-PROGRAM-DATE-TIME:2020-01-01T08:00:00.000Z\n#EXTINF:2.000000,\nseg00000.ts\n#EXT-X-ENDLIST\n');
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  // camcatd on a tmpfs of 1.3 x the stream, the old day copied in first.
  async function serve(name, args) {
    const root = path.join(work, name);
    fs.mkdirSync(root);
    const kib = Math.ceil((size * 1.3) / 4096) * 4;
    const setup = `mount -t tmpfs -o size=${kib}k tmpfs ${root} && cp -r ${work}/stage/2020-01-01 ${root}/`;
    const srv = await startServer(['--root', root, '--www', work, '--sweep-interval-s', '0', ...args],
      { wrap: ['unshare', '-m', '--', 'sh', '-c', `mount --make-rprivate / && ${setup} && exec "$0" "$@"`] });
    return { srv, root: `/proc/${srv.proc.pid}/root${root}` };
  }
  const push = (srv) => spawnSync('curl', ['-s', '-T', stream, `${srv.base}/api/ingest`], { encoding: 'utf8' });

  test('ENOSPC: a sweep frees the old day, the chunk is written again, the stream completes', async () => {
    const { srv, root } = await serve('swept', ['--min-free-pct', '20']);
    try {
      assert.ok(fs.existsSync(path.join(root, '2020-01-01')), 'the start-up sweep kept the old day');
      const r = push(srv);
      const ok = JSON.parse(r.stdout);
      assert.equal(ok.duration_ms, 8000, r.stdout);
      await waitForLog(srv, /ingest: disk full, running a retention sweep/);
      await waitForLog(srv, /retention: sweep removed 1 items/);
      assert.ok(!fs.existsSync(path.join(root, '2020-01-01')));
      const f = folders(root);
      assert.equal(f.length, 1);
      const c = chunksOf(f[0]);
      assert.ok(c.endlist);
      assert.equal(c.names.length, ok.chunks);
      for (const n of c.names) assert.ok(decodes(path.join(f[0], n)), n);
      assert.deepEqual(fs.readdirSync(f[0]).filter((n) => n.endsWith('.ts')).sort(), [...c.names].sort());
    } finally {
      await srv.stop();
    }
  });

  test('ENOSPC without a retention policy: 507 storage_full, the folder closed and readable', async () => {
    const { srv, root } = await serve('full', []);
    try {
      const r = push(srv);
      assert.match(r.stdout, /"storage_full"/);
      await waitForLog(srv, /no retention policy .* to free space with/);
      assert.ok(fs.existsSync(path.join(root, '2020-01-01')));
      const f = folders(root).filter((d) => !d.includes('2020-01-01'));
      assert.equal(f.length, 1);
      const c = chunksOf(f[0]);
      assert.ok(c.endlist);
      assert.ok(c.names.length >= 1 && c.names.length < 4, `${c.names.length} chunks kept`);
      for (const n of c.names) assert.ok(decodes(path.join(f[0], n)), n);
      assert.deepEqual(fs.readdirSync(f[0]).filter((n) => n.endsWith('.ts')).sort(), [...c.names].sort());
    } finally {
      await srv.stop();
    }
  });
});
