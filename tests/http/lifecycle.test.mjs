// Start-up settings (flags, config file, errors) and stopping on signals.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SUITE, copyFixture, parseM3u8, runToExit, startServer, tmpdir, writeSegment } from './lib.mjs';

describe('start-up settings', SUITE, () => {
  let work, root;
  before(() => {
    work = tmpdir();
    // An underscore in a value must not be taken for a misspelt flag.
    root = copyFixture('normal', path.join(work, 'rec_root'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('--help and --version', async () => {
    const h = await runToExit(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.output, /--root DIR/);
    const v = await runToExit(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.output, /^camcatd \d+\.\d+\.\d+/);
  });

  test('refused settings stop start-up with exit 2 and a message naming them', async () => {
    const conf = path.join(work, 'bad.conf');
    fs.writeFileSync(conf, `# settings\nroot = ${root}\ncolour = blue\n`);
    const cases = [
      [['--config', conf], /bad\.conf:3: unknown key "colour" \(accepted: root, listen, cache_dir/],
      [['--root', root, '--threads', '0'], /threads.*1 to 256/],
      [['--root', root, '--threads', 'many'], /threads/],
      [['--root', root, '--request-timeout-ms', '500'], /request_timeout_ms.*1000 to 60000/],
      [['--root', root, '--max-client-conns', '-1'], /max_client_conns.*0 for no cap/],
      [['--root', root, '--cache-mb', '0'], /cache_mb/],
      [['--root', root, '--log-level', 'loud'], /log_level.*error, warn, info or debug/],
      [['--root', root, '--listen', 'localhost:80'], /listen.*IPv4:PORT/],
      [['--root', root, '--listen', '127.0.0.1:99999'], /listen/],
      [['--root', root, '--colour', 'blue'], /unknown option --colour/],
      [['--root', root, '--cache_dir', '/x'], /unknown option --cache_dir/],
      [['--root'], /--root needs a value/],
      [['stray'], /unexpected argument/],
      [[], /root is not set/],
      [['--config', path.join(work, 'missing.conf')], /missing\.conf/],
    ];
    for (const [args, re] of cases) {
      const r = await runToExit(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.output}`);
      assert.match(r.output, re, args.join(' '));
    }
  });

  test('config file settings, and flags win over the file', async () => {
    const cache = path.join(work, 'cache');
    fs.mkdirSync(cache);
    const conf = path.join(work, 'good.conf');
    fs.writeFileSync(conf, [
      '# camcatd',
      `root = ${path.join(work, 'nowhere')}`,
      `cache_dir = ${cache}`,
      'threads = 3',
      'log_level = debug',
      'cache_mb = 2',
      '',
    ].join('\n'));
    const srv = await startServer(['--config', conf, `--root=${root}`, '--threads', '2']);
    try {
      const h = JSON.parse((await srv.get('/api/health')).body);
      assert.equal(h.root.path, root);
      assert.equal(h.root.ok, true);
      assert.equal(h.threads, 2);
      assert.equal(h.cache.limit_bytes, 2 << 20);
      assert.equal((await srv.get('/api/days/2025-01-24')).status, 200);
      // Sidecars go to cache_dir, and the day folder stays untouched.
      assert.ok(fs.readdirSync(cache).some((f) => f.startsWith('2025-01-24')), fs.readdirSync(cache).join());
      assert.ok(!fs.existsSync(path.join(root, '2025-01-24', '.camcat.idx')));
    } finally {
      assert.deepEqual(await srv.stop(), { code: 0, signal: null }, srv.log);
    }
    // log_level = debug from the file: requests were logged.
    assert.match(srv.log, /debug .*GET \/api\/days\/2025-01-24 -> 200/);
  });
});

describe('stopping', SUITE, () => {
  let work, root;
  before(() => {
    work = tmpdir();
    root = path.join(work, 'root');
    writeSegment(path.join(root, '2025-02-02', '00001'), {
      t0: Date.parse('2025-02-02T00:00:00Z'), n: 20000, files: false,
    });
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('SIGTERM: exit 0', async (t) => {
    const srv = await startServer(['--root', root]);
    t.after(() => srv.stop());
    assert.equal((await srv.get('/api/health')).status, 200);
    assert.deepEqual(await srv.stop(), { code: 0, signal: null }, srv.log);
    assert.match(srv.log, /stopped/);
  });

  test('SIGINT: exit 0', async (t) => {
    const srv = await startServer(['--root', root]);
    t.after(() => srv.stop());
    process.kill(srv.proc.pid, 'SIGINT');
    assert.deepEqual(await srv.exited, { code: 0, signal: null }, srv.log);
  });

  test('a request in flight when SIGTERM arrives is finished', async (t) => {
    const srv = await startServer(['--root', root]);
    t.after(() => srv.stop());
    const whole = (await srv.get('/api/days/2025-02-02/playlist.m3u8')).body;
    const body = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: srv.port, path: '/api/days/2025-02-02/playlist.m3u8', agent: false },
        (res) => {
          // Headers are here, the body is still being stitched: stop now,
          // and read slowly enough that the server has to keep writing.
          process.kill(srv.proc.pid, 'SIGTERM');
          const parts = [];
          res.on('data', (d) => parts.push(d));
          res.on('end', () => resolve(Buffer.concat(parts)));
          res.on('error', reject);
        }).on('error', reject);
    });
    assert.deepEqual(body, whole);
    assert.ok(parseM3u8(body.toString()).endlist);
    assert.deepEqual(await srv.exited, { code: 0, signal: null }, srv.log);
  });
});
