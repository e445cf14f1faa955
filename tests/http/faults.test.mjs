// Faults the card and the clients bring: ROOT on a read-only mount, no space
// left for sidecars, clients that go away mid-export or mid-playlist, and
// kill -9 in the middle of sidecar writes and of a retention sweep. Mounts
// are made in a private mount namespace of camcatd's own (unshare -m), so the
// machine's mounts are never touched; a sandbox without namespaces skips them.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BUILD, FIXTURES, SUITE, copyFixture, keepRecording, request, startServer, tmpdir, waitForLog,
  writeSegment } from './lib.mjs';

const CAMCAT = path.join(BUILD, 'camcat');
const canUnshare = spawnSync('unshare', ['-m', '--', 'true']).status === 0;

// A wrap for startServer: camcatd runs in a mount namespace of its own after
// `script` (sh, with $1.. the given args) has set its mounts up.
function inNamespace(script, ...args) {
  return ['unshare', '-m', '--', 'sh', '-c', `mount --make-rprivate / && ${script} && exec "$0" "$@"`];
}

function fdCount(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

async function until(fn) {
  for (;;) {
    if (await fn()) return;
    await new Promise((res) => setTimeout(res, 50));
  }
}

function sidecars(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.startsWith('.camcat.idx')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe('the card read-only or full', { ...SUITE, skip: !canUnshare && 'no mount namespaces here' }, () => {
  let work;
  before(() => { work = tmpdir(); });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('read-only ROOT: serves from scratch, writes nothing, says so once', async () => {
    const root = copyFixture('normal', path.join(work, 'ro'));
    const srv = await startServer(['--root', root],
      { wrap: inNamespace(`mount --bind ${root} ${root} && mount -o remount,ro,bind ${root}`) });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await srv.get('/api/days/2025-01-24');
        assert.equal(r.status, 200);
        const golden = fs.readFileSync(path.join(FIXTURES, 'normal', 'expect', '2025-01-24.json'), 'utf8');
        assert.equal(JSON.parse(r.body.toString()).totals.chunks, JSON.parse(golden).totals.chunks);
      }
      await waitForLog(srv, /cannot write sidecar .*Read-only file system \(working from memory\)/);
      assert.equal(srv.log.match(/cannot write sidecar/g).length, 1);
      const del = await request(srv.port, '/api/days/2025-01-24', { method: 'DELETE' });
      assert.equal(del.status, 500);
      assert.ok(fs.existsSync(path.join(root, '2025-01-24', '00001', 'index.m3u8')));
    } finally {
      assert.deepEqual(await srv.stop(), { code: 0, signal: null });
    }
    assert.deepEqual(sidecars(root), []);
  });

  test('no space left for sidecars: serves from memory, no partial file', async () => {
    const root = copyFixture('normal', path.join(work, 'full'));
    const cache = path.join(work, 'cache');
    fs.mkdirSync(cache);
    // A 64 KiB tmpfs over the cache folder, filled to the last byte.
    const fill = `mount -t tmpfs -o size=64k tmpfs ${cache} && ` +
      `(dd if=/dev/zero of=${cache}/filler bs=4k 2>/dev/null; true)`;
    const srv = await startServer(['--root', root, '--cache-dir', cache], { wrap: inNamespace(fill) });
    try {
      const r = await srv.get('/api/days/2025-01-24');
      assert.equal(r.status, 200);
      await waitForLog(srv, /cannot write sidecar .*No space left on device \(working from memory\)/);
      const listing = fs.readdirSync(`/proc/${srv.proc.pid}/root${cache}`);
      assert.deepEqual(listing, ['filler']);
    } finally {
      assert.deepEqual(await srv.stop(), { code: 0, signal: null });
    }
  });
});

describe('clients that go away', SUITE, () => {
  let work, root, srv;
  const DAY = '2025-01-24';
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'rec');
    // 300 chunks of 200 KB (hard links to one file): a long export.
    const dir = path.join(root, DAY, '00001');
    fs.mkdirSync(dir, { recursive: true });
    const blob = path.join(work, 'blob.ts');
    fs.writeFileSync(blob, Buffer.alloc(200000, 0x47));
    let text = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n';
    const t0 = Date.parse(`${DAY}T08:00:00Z`);
    for (let k = 0; k < 300; k++) {
      const name = `chunk_${String(k).padStart(5, '0')}.ts`;
      fs.linkSync(blob, path.join(dir, name));
      text += `#EXT-X-PROGRAM-DATE-TIME:${new Date(t0 + k * 2000).toISOString()}\n#EXTINF:2.000,\n${name}\n`;
    }
    fs.writeFileSync(path.join(dir, 'index.m3u8'), `${text}#EXT-X-ENDLIST\n`);
    srv = await startServer(['--root', root]);
  });
  after(async () => {
    assert.deepEqual(await srv?.stop(), { code: 0, signal: null });
    fs.rmSync(work, { recursive: true, force: true });
  });

  // Reads the first bytes of a response, then drops the connection.
  function dropAfterFirstBytes(target) {
    return new Promise((resolve) => {
      const sock = net.connect(srv.port, '127.0.0.1');
      sock.on('connect', () => sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
      let got = 0;
      sock.on('data', (d) => {
        got += d.length;
        if (got > 1000) { sock.destroy(); resolve(got); }
      });
      sock.on('error', () => resolve(got));
      sock.on('close', () => resolve(got));
    });
  }

  test('mid-export and mid-playlist: workers freed, descriptors closed', async () => {
    await srv.get(`/api/days/${DAY}`);
    const base = fdCount(srv.proc.pid);
    const from = encodeURIComponent(`${DAY}T08:00:00Z`), to = encodeURIComponent(`${DAY}T08:09:00Z`);
    for (let i = 0; i < 8; i++) {
      const got = await dropAfterFirstBytes(i % 2 ? `/api/export.ts?from=${from}&to=${to}`
        : `/api/days/${DAY}/playlist.m3u8`);
      assert.ok(got > 1000);
    }
    // Every worker is back: as many whole exports at once as there are
    // workers for them, and the descriptors are where they were.
    await until(() => fdCount(srv.proc.pid) <= base);
    const r = await srv.get(`/api/export.ts?from=${from}&to=${encodeURIComponent(`${DAY}T08:00:10Z`)}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 5 * 200000); // chunks starting at 0, 2, 4, 6 and 8 s
    assert.equal((await srv.get('/api/health')).status, 200);
  });
});

describe('kill -9 in the middle', SUITE, () => {
  let work;
  before(() => { work = tmpdir(); });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('while `camcat index` writes sidecars: every sidecar left is whole', async () => {
    const root = path.join(work, 'index');
    for (let d = 1; d <= 12; d++) {
      const day = `2025-02-${String(d).padStart(2, '0')}`;
      writeSegment(path.join(root, day, '00001'),
        { t0: Date.parse(`${day}T00:00:00Z`), n: 3000, files: false });
    }
    for (let i = 0; i < 12; i++) {
      const proc = spawn(CAMCAT, ['index', root], { stdio: 'ignore' });
      const closed = new Promise((res) => proc.once('close', res));
      await new Promise((res) => setTimeout(res, 5 + i * 7));
      proc.kill('SIGKILL');
      await closed;
      // A fresh start each round, so every round writes again.
      for (const f of sidecars(root)) if (i % 3 === 0) fs.rmSync(f);
      const v = spawnSync(CAMCAT, ['verify', root], { encoding: 'utf8' });
      assert.doesNotMatch(v.stdout + v.stderr, /corrupt|invalid|bad crc/i, v.stdout + v.stderr);
    }
    const done = spawnSync(CAMCAT, ['index', root], { encoding: 'utf8' });
    assert.equal(done.status, 0, done.stderr);
    const v = spawnSync(CAMCAT, ['verify', root], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stdout + v.stderr);
  });

  test('during a retention sweep: whole days or none, the kept days intact', async (t) => {
    const root = path.join(work, 'sweep');
    const dayName = (n) => {
      const d = new Date();
      d.setDate(d.getDate() - n);
      const p = (v) => String(v).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
    };
    const old = [];
    for (let n = 20; n < 60; n++) {
      old.push(dayName(n));
      writeSegment(path.join(root, dayName(n), '00001'), { t0: Date.now() - n * 86400000, n: 40 });
    }
    const today = dayName(0);
    writeSegment(path.join(root, today, '00001'), { t0: Date.now() - 3600000, n: 40 });
    const rec = path.join(root, today, '00002');
    writeSegment(rec, { t0: Date.now() - 60000, n: 5, endlist: false });
    keepRecording(rec);
    const before = Object.fromEntries(old.map((d) => [d, fs.readdirSync(path.join(root, d, '00001')).length]));

    const srv = await startServer(['--root', root, '--retain-days', '10']);
    t.after(() => srv.stop());
    await waitForLog(srv, /retention: removed day/);
    process.kill(srv.proc.pid, 'SIGKILL');
    await srv.exited;
    // What is left of each old day is either all of it or a folder being
    // emptied (the one removal in flight); nothing else was touched.
    let partial = 0;
    for (const d of old) {
      const dir = path.join(root, d, '00001');
      if (!fs.existsSync(path.join(root, d))) continue;
      const n = fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;
      if (n !== before[d]) partial++;
    }
    assert.ok(partial <= 1, `${partial} days half-removed`);
    assert.ok(fs.existsSync(path.join(rec, 'chunk_00004.ts')));
    assert.equal(fs.readdirSync(path.join(root, today, '00001')).filter((f) => f.endsWith('.ts')).length, 40);

    // A restart finishes the job and leaves a consistent tree and index.
    const again = await startServer(['--root', root, '--retain-days', '10']);
    try {
      await waitForLog(again, /retention: sweep removed/);
      for (const d of old) assert.ok(!fs.existsSync(path.join(root, d)), d);
      const day = JSON.parse((await again.get(`/api/days/${today}`)).body.toString());
      assert.deepEqual(day.segments.map((s) => s.state), ['closed', 'recording']);
      const v = spawnSync(CAMCAT, ['verify', root], { encoding: 'utf8' });
      assert.equal(v.status, 0, v.stdout + v.stderr);
    } finally {
      assert.deepEqual(await again.stop(), { code: 0, signal: null });
    }
  });
});
