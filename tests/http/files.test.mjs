// Recordings under /rec and the UI from --www: types, cache headers, ranges,
// precompressed siblings, and nothing outside ROOT or www ever served.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import { SUITE, rawRequest, request, startServer, tmpdir, writeSegment } from './lib.mjs';

const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('files', SUITE, () => {
  let work, root, www, srv, secret, chunkBytes;
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'root');
    www = path.join(work, 'www');
    secret = `TOPSECRET-${crypto.randomBytes(8).toString('hex')}`;
    // Secrets outside ROOT and www, reachable only by escaping them.
    fs.writeFileSync(path.join(work, 'secret.txt'), secret);
    fs.writeFileSync(path.join(work, 'secret.ts'), secret);
    fs.writeFileSync(path.join(work, 'secret.m3u8'), secret);
    fs.mkdirSync(path.join(work, 'outside'));
    fs.writeFileSync(path.join(work, 'outside', 'secret.ts'), secret);

    const seg = path.join(root, '2025-01-24', '00001');
    writeSegment(seg, { t0: Date.parse('2025-01-24T00:00:00Z'), n: 3 });
    chunkBytes = crypto.randomBytes(1000);
    fs.writeFileSync(path.join(seg, 'big.ts'), chunkBytes);
    fs.writeFileSync(path.join(seg, 'init.mp4'), 'init');
    fs.writeFileSync(path.join(seg, 'part.m4s'), 'part');
    fs.writeFileSync(path.join(seg, 'events.txt'), '2025-01-24T00:00:01Z 2 person\n');
    fs.writeFileSync(path.join(seg, 'notes.bin'), 'x');
    fs.writeFileSync(path.join(seg, '.hidden.ts'), secret);
    // Symlinks leaving ROOT: relative, absolute, and a directory.
    fs.symlinkSync('../../../secret.ts', path.join(seg, 'leak.ts'));
    fs.symlinkSync(path.join(work, 'secret.m3u8'), path.join(root, 'leak.m3u8'));
    fs.symlinkSync(path.join(work, 'outside'), path.join(root, '2025-01-24', '00009'));
    // A symlink that stays inside ROOT is fine.
    fs.symlinkSync('big.ts', path.join(seg, 'alias.ts'));

    fs.mkdirSync(path.join(www, 'js'), { recursive: true });
    fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>camcat</title>\n');
    fs.writeFileSync(path.join(www, 'index.html.gz'), zlib.gzipSync('<!doctype html><title>camcat gz</title>\n'));
    fs.writeFileSync(path.join(www, 'js', 'app.js'), 'export const x = 1;\n');
    fs.writeFileSync(path.join(www, 'style.css'), 'body{}\n');
    fs.writeFileSync(path.join(www, 'blob.xyz'), 'blob');
    fs.symlinkSync(path.join(work, 'secret.txt'), path.join(www, 'leak.html'));
    fs.mkdirSync(path.join(www, 'sub'));
    srv = await startServer(['--root', root, '--www', www]);
    // Index the day so its sidecar exists (it must not be served).
    assert.equal((await srv.get('/api/days/2025-01-24')).status, 200);
  });
  after(async () => {
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  test('recordings have media types and cache headers', async () => {
    const cases = [
      ['/rec/2025-01-24/00001/index.m3u8', 'application/vnd.apple.mpegurl', 'no-store'],
      ['/rec/2025-01-24/00001/chunk_00000.ts', 'video/mp2t', IMMUTABLE],
      ['/rec/2025-01-24/00001/init.mp4', 'video/mp4', IMMUTABLE],
      ['/rec/2025-01-24/00001/part.m4s', 'video/mp4', IMMUTABLE],
      ['/rec/2025-01-24/00001/alias.ts', 'video/mp2t', IMMUTABLE],
    ];
    for (const [p, type, cache] of cases) {
      const r = await srv.get(p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers['content-type'], type, p);
      assert.equal(r.headers['cache-control'], cache, p);
      assert.equal(r.headers['accept-ranges'], 'bytes', p);
      assert.ok(r.headers.etag, p);
      const file = path.join(root, p.slice(5));
      assert.deepEqual(r.body, fs.readFileSync(file), p);
    }
    const head = await request(srv.port, '/rec/2025-01-24/00001/big.ts', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '1000');
    assert.equal(head.body.length, 0);
  });

  test('non-media files and folders under ROOT are 404', async () => {
    for (const p of ['/rec/2025-01-24/00001/events.txt', '/rec/2025-01-24/00001/notes.bin',
      '/rec/2025-01-24/.camcat.idx', '/rec/2025-01-24/00001/.hidden.ts', '/rec/2025-01-24/00001',
      '/rec/2025-01-24/', '/rec/', '/rec', '/rec/2025-01-24/00001/nope.ts', '/rec/x.m3u8']) {
      const r = await srv.get(p);
      assert.equal(r.status, 404, p);
      assert.equal(r.headers['content-type'], 'application/json; charset=utf-8', p);
      assert.ok(!r.body.includes(secret));
    }
    assert.ok(fs.existsSync(path.join(root, '2025-01-24', '.camcat.idx')), 'the sidecar exists');
  });

  test('Range', async () => {
    const p = '/rec/2025-01-24/00001/big.ts';
    let r = await srv.get(p, { Range: 'bytes=0-99' });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], 'bytes 0-99/1000');
    assert.equal(r.headers['content-length'], '100');
    assert.deepEqual(r.body, chunkBytes.subarray(0, 100));
    r = await srv.get(p, { Range: 'bytes=900-' });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], 'bytes 900-999/1000');
    assert.deepEqual(r.body, chunkBytes.subarray(900));
    r = await srv.get(p, { Range: 'bytes=-10' });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], 'bytes 990-999/1000');
    assert.deepEqual(r.body, chunkBytes.subarray(990));
    r = await srv.get(p, { Range: 'bytes=990-5000' });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], 'bytes 990-999/1000');
    r = await srv.get(p, { Range: 'bytes=1000-' });
    assert.equal(r.status, 416);
    assert.equal(r.headers['content-range'], 'bytes */1000');
    // Malformed or multiple ranges: the whole file.
    for (const h of ['bytes=5-1', 'bytes=0-1,5-6', 'items=0-1', 'bytes=x-y', 'bytes=-']) {
      r = await srv.get(p, { Range: h });
      assert.equal(r.status, 200, h);
      assert.deepEqual(r.body, chunkBytes, h);
    }
    // If-Range with another validator: the whole file.
    r = await srv.get(p, { Range: 'bytes=0-9', 'If-Range': '"other"' });
    assert.equal(r.status, 200);
    const etag = (await srv.get(p)).headers.etag;
    r = await srv.get(p, { Range: 'bytes=0-9', 'If-Range': etag });
    assert.equal(r.status, 206);
  });

  test('conditional requests', async () => {
    const p = '/rec/2025-01-24/00001/big.ts';
    const first = await srv.get(p);
    const r = await srv.get(p, { 'If-None-Match': first.headers.etag });
    assert.equal(r.status, 304);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers.etag, first.headers.etag);
    assert.equal((await srv.get(p, { 'If-None-Match': '"nope"' })).status, 200);
  });

  test('www: index, types, precompressed siblings, no listings', async () => {
    let r = await srv.get('/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.body.toString(), '<!doctype html><title>camcat</title>\n');
    assert.equal(r.headers['content-encoding'], undefined);
    assert.equal(r.headers.vary, 'Accept-Encoding');
    r = await srv.get('/', { 'Accept-Encoding': 'gzip, deflate' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(zlib.gunzipSync(r.body).toString(), '<!doctype html><title>camcat gz</title>\n');
    r = await srv.get('/index.html', { 'Accept-Encoding': 'gzip;q=0, deflate' });
    assert.equal(r.headers['content-encoding'], undefined);
    // A range is of the original bytes.
    r = await srv.get('/index.html', { 'Accept-Encoding': 'gzip', Range: 'bytes=0-8' });
    assert.equal(r.status, 206);
    assert.equal(r.body.toString(), '<!doctype');
    r = await srv.get('/js/app.js');
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.equal((await srv.get('/style.css')).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await srv.get('/blob.xyz')).headers['content-type'], 'application/octet-stream');
    for (const p of ['/js', '/js/', '/sub/', '/sub', '/nope.html']) {
      r = await srv.get(p);
      assert.equal(r.status, 404, p);
    }
  });

  // Every way out of ROOT or www answers 400/403/404 and leaks nothing.
  const escapes = [
    '/rec/../secret.txt',
    '/rec/2025-01-24/../../secret.ts',
    '/rec/./2025-01-24/00001/index.m3u8',
    '/rec/..%2fsecret.ts',
    '/rec/..%2Fsecret.ts',
    '/rec/%2e%2e/secret.ts',
    '/rec/%2E%2E/secret.ts',
    '/rec/.%2e/secret.ts',
    '/rec%2f..%2fsecret.ts',
    '/rec/%252e%252e/secret.ts',
    '/rec/%252e%252e%252fsecret.ts',
    '/rec/..\\secret.ts',
    '/rec/2025-01-24/00001/..\\..\\..\\secret.ts',
    '/rec/%5c..%5csecret.ts',
    '/rec/2025-01-24/00001/big.ts%00.m3u8',
    '/rec/%00/../secret.ts',
    '/rec//etc/passwd',
    '/rec/%2fetc/passwd',
    '/rec/%2Fetc%2Fpasswd',
    '/rec/%c0%ae%c0%ae/secret.ts',
    '/rec/2025-01-24/00001/leak.ts',
    '/rec/leak.m3u8',
    '/rec/2025-01-24/00009/secret.ts',
    '/rec/2025-01-24/00001/.hidden.ts',
    '/../secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/leak.html',
    '/api/../../secret.txt',
    '/api/days/../../../secret.txt',
    '/api/days/%2e%2e%2f%2e%2e%2fsecret.txt',
    '//secret.txt',
    '/.%2e/secret.txt',
    '/index.html/../../secret.txt',
  ];

  test('traversal attempts (raw request targets)', async () => {
    for (const target of escapes) {
      const r = await rawRequest(srv.port, target);
      assert.ok([400, 403, 404].includes(r.status), `${target}: ${r.status}`);
      assert.ok(!r.raw.includes(secret), `${target} leaked the secret`);
      assert.match(r.raw, /content-type: application\/json/i, target);
    }
  });

  test('raw NUL, control and high bytes, absolute-form targets', async () => {
    const targets = [
      Buffer.from('/rec/2025-01-24/00001/big.ts\x00/../../../secret.ts', 'latin1'),
      Buffer.from('/rec/\x01/secret.ts', 'latin1'),
      Buffer.from('/rec/\xc0\xae\xc0\xae/secret.ts', 'latin1'),
      Buffer.from('/rec/\x7f/../secret.ts', 'latin1'),
      Buffer.from(`http://127.0.0.1:${srv.port}/rec/../secret.ts`, 'latin1'),
      Buffer.from(`http://127.0.0.1:${srv.port}/rec/%2e%2e/secret.ts`, 'latin1'),
      Buffer.from('http://example.com/../secret.txt', 'latin1'),
      Buffer.from('*', 'latin1'),
      Buffer.from('../secret.txt', 'latin1'),
      Buffer.from(path.join(work, 'secret.txt'), 'latin1'),
    ];
    for (const t of targets) {
      const r = await rawRequest(srv.port, t);
      // civetweb may refuse some of these before our handlers (a 4xx of its
      // own or a closed connection); what matters is nothing else.
      assert.ok(r.status === null || (r.status >= 400 && r.status < 500), `${t}: ${r.status}`);
      assert.ok(!r.raw.includes(secret), `${t} leaked the secret`);
    }
    assert.equal((await srv.get('/api/health')).status, 200);
  });

  test('the same escapes through a URL-normalising client never reach the secret', async () => {
    for (const target of escapes) {
      const r = await fetch(`${srv.base}${target}`).catch(() => null);
      if (!r) continue;
      const body = await r.text();
      assert.ok(!body.includes(secret), `${target} leaked the secret`);
    }
  });
});
