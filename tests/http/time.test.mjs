// /api/time: the camera's clock, and syncing it from the browser in the
// three clock modes. The machine's real clock is never set: `set` runs only
// with the clockshim preloaded (verified to be the clock_settime camcatd
// calls) AND without CAP_SYS_TIME (verified in /proc), and the EPERM path
// runs without the shim but equally without the capability.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BUILD, SUITE, assertError, assertJson, copyFixture, request, startServer, tmpdir, waitForLog } from './lib.mjs';

const SHIM = path.join(BUILD, 'tests', 'clockshim.so');
const CAP_SYS_TIME = 25n;
const HOUR = 3600000;



// A same-origin POST as the UI sends it.
function post(srv, body, headers = {}) {
  return request(srv.port, '/api/time', {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: {
      'Content-Type': 'application/json',
      Origin: srv.base,
      'Sec-Fetch-Site': 'same-origin',
      ...headers,
    },
  });
}

// Runs the server as nobody when the tests run as root: without
// CAP_SYS_TIME, clock_settime cannot change the machine's clock.
function unprivileged() {
  if (process.getuid() !== 0) return [];
  return ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all',
    '--ambient-caps=-all', '--'];
}

function procStatus(pid) {
  const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    uid: Number(/^Uid:\s+(\d+)/m.exec(st)[1]),
    capEff: BigInt(`0x${/^CapEff:\s+([0-9a-f]+)/m.exec(st)[1]}`),
  };
}

// Throws (failing the test, before any POST) unless the kernel would refuse
// the server a clock change.
function assertCannotSetClock(srv) {
  const { uid, capEff } = procStatus(srv.proc.pid);
  if (capEff & (1n << CAP_SYS_TIME)) {
    throw new Error(`REFUSING to test clock = set: camcatd (pid ${srv.proc.pid}, uid ${uid}) has ` +
      'CAP_SYS_TIME and could change this machine\'s clock');
  }
}

// A directory and shim log file the unprivileged server can write.
function shimLog(work) {
  const dir = path.join(work, 'shim');
  fs.mkdirSync(dir, { mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  const log = path.join(dir, 'log');
  fs.writeFileSync(log, '');
  fs.chmodSync(log, 0o666);
  return log;
}

function shimEnv(log) {
  const asan = process.env.ASAN_OPTIONS ? `${process.env.ASAN_OPTIONS}:` : '';
  return {
    LD_PRELOAD: SHIM,
    CAMCAT_CLOCKSHIM_LOG: log,
    // The shim must come before the sanitizer runtime to win the lookup.
    ASAN_OPTIONS: `${asan}verify_asan_link_order=0`,
  };
}

// Throws unless the shim says it is the clock_settime of camcatd's process.
function assertShimActive(srv, log) {
  const lines = fs.readFileSync(log, 'utf8').split('\n');
  const mine = lines.filter((l) => l.startsWith(`loaded pid=${srv.proc.pid} `) && /exe=\S*\/camcatd /.test(l));
  if (!mine.length || !mine.every((l) => l.endsWith(' interposed=yes'))) {
    throw new Error(`REFUSING to test clock = set: the clock shim is not camcatd's clock_settime:\n${lines.join('\n')}`);
  }
}

function settimeCalls(log) {
  return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('clock_settime '));
}

describe('GET /api/time', SUITE, () => {
  let work, srv;
  before(async () => {
    work = tmpdir();
    srv = await startServer(['--root', work], { env: { TZ: 'Asia/Tokyo' } });
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the camera time, its offset and zone, and the clock mode', async () => {
    const t0 = Date.now();
    const r = await srv.get('/api/time');
    const t1 = Date.now();
    const j = assertJson(r, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.ok(j.epoch_ms >= t0 && j.epoch_ms <= t1, `${j.epoch_ms} outside [${t0}, ${t1}]`);
    assert.equal(j.utc_offset_min, 540);
    assert.equal(j.timezone, 'Asia/Tokyo');
    assert.match(j.iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00$/);
    assert.equal(Date.parse(j.iso), j.epoch_ms);
    assert.equal(j.clock_mode, 'report');
    assert.equal(j.threshold_ms, 2000);
  });

  test('HEAD answers; other methods get 405 with Allow', async () => {
    const h = await request(srv.port, '/api/time', { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const r = await request(srv.port, '/api/time', { method });
      assertError(r, 405, 'method_not_allowed');
      assert.equal(r.headers.allow, 'GET, HEAD, POST');
    }
  });
});

describe('POST /api/time in report mode (the default)', SUITE, () => {
  let work, srv;
  before(async () => {
    work = tmpdir();
    srv = await startServer(['--root', work]);
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('a clock two hours off: would_set, and nothing changes', async () => {
    const t0 = Date.now();
    const browser = t0 + 2 * HOUR;
    const j = assertJson(await post(srv, { epoch_ms: browser, utc_offset_min: 60 }), 200);
    const t1 = Date.now();
    assert.equal(j.action, 'would_set');
    assert.equal(j.browser_ms, browser);
    assert.ok(j.camera_ms >= t0 && j.camera_ms <= t1);
    assert.equal(j.diff_ms, browser - j.camera_ms);
    assert.equal(j.browser_utc_offset_min, 60);
    assert.equal(j.now.clock_mode, 'report');
    // The camera's clock is where it was, give or take the time passed.
    assert.ok(j.now.epoch_ms >= t0 && j.now.epoch_ms <= Date.now());
    await waitForLog(srv, /clock = report, left alone/);
  });

  test('behind or ahead the same; the offset is optional', async () => {
    const j = assertJson(await post(srv, { epoch_ms: Date.now() - 2 * HOUR }), 200);
    assert.equal(j.action, 'would_set');
    assert.ok(j.diff_ms < -HOUR);
    assert.equal(j.browser_utc_offset_min, null);
  });

  test('bad bodies are 400 with a code saying what is wrong', async () => {
    const now = Date.now();
    const cases = [
      ['', 'bad_json'], ['{', 'bad_json'], ['[]', 'bad_json'], ['{}', 'bad_json'],
      ['{"epoch_ms":"1737676800000"}', 'bad_json'], [`{"epoch_ms":${now}.5}`, 'bad_json'],
      [`{"epoch_ms":${now},"epoch_ms":${now}}`, 'bad_json'], [`{"epoch_ms":${now},"x":{}}`, 'bad_json'],
      [`{"epoch_ms":${now},"utc_offset_min":"60"}`, 'bad_json'], [`{"epoch_ms":${now}} x`, 'bad_json'],
      ['{"epoch_ms":946684799999}', 'bad_time'], ['{"epoch_ms":4102444800001}', 'bad_time'],
      ['{"epoch_ms":-1}', 'bad_time'], ['{"epoch_ms":99999999999999999999999}', 'bad_time'],
      [`{"epoch_ms":${now},"utc_offset_min":841}`, 'bad_offset'],
      [`{"epoch_ms":${now},"utc_offset_min":-900}`, 'bad_offset'],
    ];
    for (const [body, code] of cases) assertError(await post(srv, body), 400, code);
  });

  test('JSON only, at most 1 KiB', async () => {
    const body = JSON.stringify({ epoch_ms: Date.now() });
    assertError(await post(srv, body, { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type');
    assertError(await post(srv, body, { 'Content-Type': 'application/jsonx' }), 415, 'unsupported_media_type');
    assertJson(await post(srv, body, { 'Content-Type': 'application/json; charset=utf-8' }), 200);
    const big = `{"epoch_ms":${Date.now()},"pad":"${'x'.repeat(2000)}"}`;
    assertError(await post(srv, big), 413, 'body_too_large');
  });

  test('another site cannot post: foreign or opaque Origin, cross-site fetch', async () => {
    const body = { epoch_ms: Date.now() };
    for (const h of [
      { Origin: 'http://evil.example' },
      { Origin: 'null' },
      { Origin: `https://127.0.0.1:${srv.port + 1}` },
      { Origin: srv.base, 'Sec-Fetch-Site': 'cross-site' },
      { Origin: srv.base, 'Sec-Fetch-Site': 'same-site' },
      { Origin: undefined, 'Sec-Fetch-Site': 'cross-site' },
    ]) {
      const headers = { ...h };
      if (headers.Origin === undefined) delete headers.Origin;
      const r = await request(srv.port, '/api/time', {
        method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers },
      });
      assertError(r, 403, 'cross_origin');
    }
    // A tool without Origin (curl) is not a page of another site.
    const r = await request(srv.port, '/api/time', {
      method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
    });
    assertJson(r, 200);
  });

  test('without auth, a page reached by DNS name cannot post (DNS rebinding)', async () => {
    const host = `camera.example:${srv.port}`;
    const r = await request(srv.port, '/api/time', {
      method: 'POST',
      body: JSON.stringify({ epoch_ms: Date.now() }),
      headers: { 'Content-Type': 'application/json', Host: host, Origin: `http://${host}` },
    });
    assertError(r, 403, 'host_not_literal');
    const ok = await request(srv.port, '/api/time', {
      method: 'POST',
      body: JSON.stringify({ epoch_ms: Date.now() }),
      headers: { 'Content-Type': 'application/json', Host: `localhost:${srv.port}`, Origin: `http://localhost:${srv.port}` },
    });
    assertJson(ok, 200);
  });

  test('no CORS: a preflight gets no Access-Control-Allow-Origin', async () => {
    const r = await request(srv.port, '/api/time', {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(r.status, 405);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });
});

describe('POST /api/time with a threshold and with clock = off', SUITE, () => {
  let work;
  before(() => { work = tmpdir(); });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('a difference under clock_threshold_ms: none', async () => {
    const srv = await startServer(['--root', work, '--clock-threshold-ms', String(HOUR)]);
    try {
      const j = assertJson(await post(srv, { epoch_ms: Date.now() + 60000 }), 200);
      assert.equal(j.action, 'none');
      assert.equal(j.now.threshold_ms, HOUR);
    } finally {
      await srv.stop();
    }
  });

  test('clock = off: 403 clock_sync_off, GET still says the time', async () => {
    const srv = await startServer(['--root', work, '--clock', 'off']);
    try {
      assertError(await post(srv, { epoch_ms: Date.now() + 2 * HOUR }), 403, 'clock_sync_off');
      assert.equal(assertJson(await srv.get('/api/time'), 200).clock_mode, 'off');
    } finally {
      await srv.stop();
    }
  });
});

describe('clock = set, through the clock shim and without CAP_SYS_TIME', SUITE, () => {
  let work;
  before(() => {
    work = tmpdir();
    fs.chmodSync(work, 0o755);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  // `make unit` builds the shim (make test does); a cross build's qemu
  // wrappers have none and could not preload it into the guest anyway.
  const noShim = !fs.existsSync(SHIM) && `no ${SHIM} (make unit builds it): clock = set not tested`;

  test('over the threshold: set, asking clock_settime for the browser time', { skip: noShim }, async () => {
    const log = shimLog(work);
    // A wide threshold keeps "within it" true however slow the machine is.
    const srv = await startServer(['--root', work, '--clock', 'set', '--clock-threshold-ms', String(HOUR)],
      { env: shimEnv(log), wrap: unprivileged() });
    try {
      assertCannotSetClock(srv);
      assertShimActive(srv, log);
      // Within the threshold: nothing is asked of the clock.
      assert.equal(assertJson(await post(srv, { epoch_ms: Date.now() }), 200).action, 'none');
      assert.deepEqual(settimeCalls(log), []);

      const browser = Date.now() + 2 * HOUR + 345;
      const j = assertJson(await post(srv, { epoch_ms: browser, utc_offset_min: 0 }), 200);
      assert.equal(j.action, 'set');
      assert.equal(j.diff_ms, browser - j.camera_ms);
      const calls = settimeCalls(log);
      assert.equal(calls.length, 1, calls.join('\n'));
      assert.equal(calls[0],
        `clock_settime pid=${srv.proc.pid} id=0 sec=${Math.floor(browser / 1000)} nsec=${(browser % 1000) * 1e6}`);
      await waitForLog(srv, /warn +clock: set from .* to .* \(\+\d+ ms\), asked by 127\.0\.0\.1/);
    } finally {
      await srv.stop();
    }
  });

  test('the guard itself: a server without the shim is refused before any POST', async () => {
    const log = path.join(work, 'no-shim.log');
    fs.writeFileSync(log, '');
    const srv = await startServer(['--root', work, '--clock', 'report'], { env: { CAMCAT_CLOCKSHIM_LOG: log } });
    try {
      assert.throws(() => assertShimActive(srv, log), /REFUSING/);
    } finally {
      await srv.stop();
    }
  });

  test('EPERM from the kernel: 500 clock_permission naming CAP_SYS_TIME', async () => {
    const srv = await startServer(['--root', work, '--clock', 'set'], { wrap: unprivileged() });
    try {
      assertCannotSetClock(srv);
      const r = await post(srv, { epoch_ms: Date.now() + 2 * HOUR });
      const j = assertError(r, 500, 'clock_permission');
      assert.match(j.error.message, /CAP_SYS_TIME/);
      await waitForLog(srv, /clock: setting it .* failed: Operation not permitted/);
    } finally {
      await srv.stop();
    }
  });
});

describe('recordings on both sides of a clock jump', SUITE, () => {
  let work, srv;
  before(async () => {
    work = tmpdir();
    srv = await startServer(['--root', copyFixture('clock-back', path.join(work, 'root'))]);
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('a clock set back: both recordings are listed and the overlap is shown', async () => {
    const d = assertJson(await srv.get('/api/days/2025-08-09'), 200);
    const a = d.segments.find((s) => s.id === '00001');
    const b = d.segments.find((s) => s.id === '00002');
    assert.ok(a && b, 'both folders are indexed');
    assert.ok(b.start_ms < a.end_ms, 'the second recording starts before the first ended');
    assert.equal(d.overlaps.length, 1);
    assert.ok(d.overlaps[0].start_ms < d.overlaps[0].end_ms);
    assert.ok(a.breaks.some((x) => x.kind === 'overlap'));
  });
});
