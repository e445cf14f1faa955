// Access control: digest authentication on every path when auth_file is
// set (a client implemented here with node:crypto), `camcat passwd`, the
// start-up checks, and the same-origin rule for changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BUILD, SUITE, assertError, copyFixture, request, runToExit, startServer, tmpdir, waitForLog, writeSegment,
} from './lib.mjs';

const CAMCAT = path.join(BUILD, 'camcat');
const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');

// `camcat passwd FILE USER [args]` with the password on stdin.
function passwd(file, user, password, args = []) {
  const r = spawnSync(CAMCAT, ['passwd', file, user, ...args], { input: `${password}\n`, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

function challenge(r) {
  assert.equal(r.status, 401, r.body.toString());
  const h = r.headers['www-authenticate'];
  assert.match(h, /^Digest /);
  const get = (k) => new RegExp(`${k}="([^"]*)"`).exec(h)?.[1];
  return { realm: get('realm'), nonce: get('nonce'), qop: get('qop'), opaque: get('opaque'),
    algorithm: /algorithm=([^,\s]+)/.exec(h)?.[1], stale: /(^|[ ,])stale=true(,|$)/i.test(h) };
}

let cnonceSeq = 0;

// The Authorization header RFC 2617 (qop=auth) asks for; nc counts the
// requests made with one nonce.
function digestHeader({ user = 'admin', password = 'secret', realm, nonce, method = 'GET', uri, nc = 1, opaque }) {
  const ncs = nc.toString(16).padStart(8, '0');
  const cnonce = `c${++cnonceSeq}`;
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = md5(`${ha1}:${nonce}:${ncs}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", ` +
    `qop=auth, nc=${ncs}, cnonce="${cnonce}", response="${response}"` +
    (opaque ? `, opaque="${opaque}", algorithm=MD5` : '');
}

// One request with credentials: first the challenge, then the answer.
async function authed(srv, uri, { user = 'admin', password = 'secret', method = 'GET', headers = {}, body } = {}) {
  const c = challenge(await request(srv.port, uri, { method, headers, body }));
  const Authorization = digestHeader({ user, password, realm: c.realm, nonce: c.nonce, method, uri });
  return request(srv.port, uri, { method, body, headers: { ...headers, Authorization } });
}

const PATHS = [
  '/api/health', '/api/days', '/api/days/2025-08-09', '/api/days/2025-08-09/playlist.m3u8',
  '/api/days/2025-08-09/motion', '/api/time', '/api/nope', '/api/days/bad',
  '/rec/2025-08-09/00001/index.m3u8', '/rec/2025-08-09/00001/chunk_00000.ts', '/rec/nope.ts',
  '/', '/index.html', '/js/app.js', '/nope', '/%2e%2e/etc/passwd',
];

describe('with auth_file: every path needs credentials', SUITE, () => {
  let work, srv, authFile;
  before(async () => {
    work = tmpdir();
    const root = copyFixture('clock-back', path.join(work, 'root'));
    const www = path.join(work, 'www');
    fs.mkdirSync(path.join(www, 'js'), { recursive: true });
    fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>camcat</title>\n');
    fs.writeFileSync(path.join(www, 'js', 'app.js'), 'export {};\n');
    authFile = path.join(work, 'users.htdigest');
    assert.equal(passwd(authFile, 'admin', 'secret').code, 0);
    // No limit on failed logins here (they have their own server below); at
    // debug level each refusal is logged with its reason.
    srv = await startServer(['--root', root, '--www', www, '--auth-file', authFile,
      '--auth-max-failures', '0', '--log-level', 'debug'], { readyStatus: 401 });
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('no credentials: 401 with a digest challenge for realm camcat, on GET, HEAD and POST', async () => {
    for (const p of PATHS) {
      for (const method of ['GET', 'HEAD']) {
        const c = challenge(await request(srv.port, p, { method }));
        assert.equal(c.realm, 'camcat', p);
        assert.equal(c.qop, 'auth');
        assert.match(c.nonce, /^[0-9a-f]{32}$/);
        assert.match(c.opaque, /^[0-9a-f]{32}$/);
        assert.equal(c.algorithm, 'MD5');
        assert.equal(c.stale, false);
      }
    }
    challenge(await request(srv.port, '/api/time', {
      method: 'POST', body: '{"epoch_ms":1737676800000}',
      headers: { 'Content-Type': 'application/json', Origin: srv.base },
    }));
  });

  test('the right credentials: every path answers as without auth', async () => {
    const want = {
      '/api/health': 200, '/api/days': 200, '/api/days/2025-08-09': 200,
      '/api/days/2025-08-09/playlist.m3u8': 200, '/api/days/2025-08-09/motion': 200, '/api/time': 200,
      '/api/nope': 404, '/api/days/bad': 400, '/rec/2025-08-09/00001/index.m3u8': 200,
      '/rec/2025-08-09/00001/chunk_00000.ts': 200, '/rec/nope.ts': 404, '/': 200, '/index.html': 200,
      '/js/app.js': 200, '/nope': 404, '/%2e%2e/etc/passwd': 400,
    };
    for (const p of PATHS) {
      const r = await authed(srv, p);
      assert.equal(r.status, want[p], `${p}: ${r.body.toString().slice(0, 200)}`);
    }
    const days = JSON.parse((await authed(srv, '/api/days')).body);
    assert.equal(days.days[0].date, '2025-08-09');
  });

  test('a bad password, an unknown user, a made-up nonce: 401', async () => {
    challenge(await authed(srv, '/api/health', { password: 'Secret' }));
    challenge(await authed(srv, '/api/health', { user: 'root' }));
    const c = challenge(await srv.get('/api/health'));
    const forged = digestHeader({ realm: c.realm, nonce: crypto.randomBytes(16).toString('hex'),
      uri: '/api/health' });
    challenge(await srv.get('/api/health', { Authorization: forged }));
    // garbage and near misses: a challenge, never a crash or a 400
    for (const h of ['Digest', 'Digest username="admin"', 'Digest a=b', `${forged}, nc=00000002`,
      forged.replace('qop=auth', 'qop=auth-int'), forged.replace('"/api/health"', '/api/health'),
      `Digest ${'x'.repeat(8000)}=1`]) {
      challenge(await srv.get('/api/health', { Authorization: h }));
    }
    challenge(await srv.get('/api/health', { Authorization: 'Basic YWRtaW46c2VjcmV0' }));
    await waitForLog(srv, /auth: credentials refused for "admin"/);
  });

  // Issue 17 item 3: civetweb let one captured header through anywhere, again and again.
  test('a header made for one path is refused on every other path', async () => {
    const c = challenge(await srv.get('/api/health'));
    const h = digestHeader({ realm: c.realm, nonce: c.nonce, uri: '/api/health', opaque: c.opaque });
    for (const p of ['/api/storage', '/api/days', '/api/days/2025-08-09/playlist.m3u8',
      '/rec/2025-08-09/00001/chunk_00000.ts', '/', '/api/health?x=1', '/api/%68ealth']) {
      challenge(await srv.get(p, { Authorization: h }));
    }
    // the refusals did not use it up: it still works once where it belongs
    assert.equal((await srv.get('/api/health', { Authorization: h })).status, 200);
    await waitForLog(srv, /auth: credentials refused for "admin"/);
  });

  test('the same header twice: the second is a replay, refused', async () => {
    const c = challenge(await srv.get('/api/health'));
    const h = digestHeader({ realm: c.realm, nonce: c.nonce, uri: '/api/health' });
    assert.equal((await srv.get('/api/health', { Authorization: h })).status, 200);
    const again = challenge(await srv.get('/api/health', { Authorization: h }));
    assert.equal(again.stale, false);
    assert.notEqual(again.nonce, c.nonce);
    await waitForLog(srv, /credentials refused for "admin" from 127\.0\.0\.1 \(.*replayed\)/);
  });

  test('one nonce, nc counting up: every request 200, a count used again 401', async () => {
    const c = challenge(await srv.get('/api/health'));
    const uris = ['/api/health', '/api/days', '/api/days/2025-08-09/playlist.m3u8',
      '/rec/2025-08-09/00001/chunk_00000.ts', '/api/days?from=2025-08-09'];
    for (let nc = 1; nc <= uris.length; nc++) {
      const uri = uris[nc - 1];
      const r = await srv.get(uri, { Authorization: digestHeader({ realm: c.realm, nonce: c.nonce, uri, nc }) });
      assert.equal(r.status, 200, `${uri}: ${r.body.toString().slice(0, 200)}`);
    }
    // a fresh header (new cnonce) with an nc already used: refused
    challenge(await srv.get('/api/health', {
      Authorization: digestHeader({ realm: c.realm, nonce: c.nonce, uri: '/api/health', nc: 3 }) }));
    // a request that overtook another on a parallel connection: still taken, once
    const skipped = digestHeader({ realm: c.realm, nonce: c.nonce, uri: '/api/health', nc: 9 });
    assert.equal((await srv.get('/api/health', { Authorization: skipped })).status, 200);
    const late = digestHeader({ realm: c.realm, nonce: c.nonce, uri: '/api/health', nc: 7 });
    assert.equal((await srv.get('/api/health', { Authorization: late })).status, 200);
    challenge(await srv.get('/api/health', { Authorization: late }));
  });

  test('with auth on, the Host rule does not apply to reads (credentials cover them)', async () => {
    for (const p of ['/api/days', '/rec/2025-08-09/00001/index.m3u8', '/']) {
      const r = await authed(srv, p, { headers: { Host: `evil.example:${srv.port}` } });
      assert.equal(r.status, 200, `${p}: ${r.body.toString().slice(0, 200)}`);
    }
  });

  test('POST /api/time: same-origin 200, cross-origin 403 even with credentials', async () => {
    const body = JSON.stringify({ epoch_ms: Date.now(), utc_offset_min: 0 });
    const json = { 'Content-Type': 'application/json' };
    const ok = await authed(srv, '/api/time', { method: 'POST', body,
      headers: { ...json, Origin: srv.base, 'Sec-Fetch-Site': 'same-origin' } });
    assert.equal(ok.status, 200, ok.body.toString());
    assert.ok(['none', 'would_set'].includes(JSON.parse(ok.body).action));
    // With auth on, a page reached by a DNS name may post (it had to log in).
    const host = `camera.example:${srv.port}`;
    const named = await authed(srv, '/api/time', { method: 'POST', body,
      headers: { ...json, Host: host, Origin: `http://${host}` } });
    assert.equal(named.status, 200, named.body.toString());
    for (const h of [{ Origin: 'http://evil.example' }, { Origin: 'null' },
      { Origin: srv.base, 'Sec-Fetch-Site': 'cross-site' }]) {
      const r = await authed(srv, '/api/time', { method: 'POST', body, headers: { ...json, ...h } });
      assert.equal(r.status, 403, JSON.stringify(h));
      assert.equal(JSON.parse(r.body).error.code, 'cross_origin');
    }
  });

  test('camcat passwd changes take effect without a restart', async () => {
    let r = passwd(authFile, 'viewer', 'pw2');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /viewer added/);
    assert.equal((await authed(srv, '/api/health', { user: 'viewer', password: 'pw2' })).status, 200);
    r = passwd(authFile, 'admin', 'new secret');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /admin password changed/);
    challenge(await authed(srv, '/api/health'));
    assert.equal((await authed(srv, '/api/health', { password: 'new secret' })).status, 200);
    assert.equal((await authed(srv, '/api/health', { user: 'viewer', password: 'pw2' })).status, 200);
  });
});

describe('with auth_file: DELETE headers cannot be replayed', SUITE, () => {
  let work, root, srv;
  const days = ['2025-03-01', '2025-03-02'];
  const makeDay = (day) => writeSegment(path.join(root, day, '00001'),
    { t0: Date.parse(`${day}T08:00:00Z`), n: 2 });
  before(async () => {
    work = tmpdir();
    root = path.join(work, 'rec');
    days.forEach(makeDay);
    const authFile = path.join(work, 'users');
    assert.equal(passwd(authFile, 'admin', 'secret').code, 0);
    srv = await startServer(['--root', root, '--auth-file', authFile], { readyStatus: 401 });
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('a sniffed DELETE header deletes its day once, and no other day', async () => {
    const [a, b] = days;
    const c = challenge(await request(srv.port, `/api/days/${a}`, { method: 'DELETE' }));
    const h = digestHeader({ realm: c.realm, nonce: c.nonce, method: 'DELETE', uri: `/api/days/${a}` });
    const del = (day) => request(srv.port, `/api/days/${day}`, { method: 'DELETE', headers: { Authorization: h } });
    challenge(await del(b));
    assert.ok(fs.existsSync(path.join(root, b, '00001', 'index.m3u8')));
    assert.equal((await del(a)).status, 200);
    assert.ok(!fs.existsSync(path.join(root, a)));
    // the day comes back (a camera still recording into it); the header does not work again
    makeDay(a);
    challenge(await del(a));
    assert.ok(fs.existsSync(path.join(root, a, '00001', 'index.m3u8')));
    challenge(await del(b));
    assert.ok(fs.existsSync(path.join(root, b, '00001', 'index.m3u8')));
    // nor as a GET of the same path
    challenge(await request(srv.port, `/api/days/${a}`, { headers: { Authorization: h } }));
  });
});

// The nonce lifetime is 5 minutes; this server's is cut short through the
// test-only environment variable.
// Issue 16: a guesser on the LAN gets 10 tries a minute per address, then 429
// for the rest of the minute, right password or not; its failures are logged
// once a minute with their count. 127.0.0.2 is another client on loopback.
describe('with auth_file: failed logins are limited per client (429)', SUITE, () => {
  let work, srv;
  before(async () => {
    work = tmpdir();
    const root = copyFixture('clock-back', path.join(work, 'root'));
    const authFile = path.join(work, 'users');
    assert.equal(passwd(authFile, 'admin', 'secret').code, 0);
    srv = await startServer(['--root', root, '--auth-file', authFile], { readyStatus: 401 });
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // GET uri from localAddress, with headers.
  const getFrom = (localAddress, uri, headers = {}) => new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: uri, localAddress, headers,
      agent: false }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
  // A login as admin from localAddress: the challenge, then the answer.
  const loginFrom = async (localAddress, password) => {
    const c = challenge(await getFrom(localAddress, '/api/health'));
    return getFrom(localAddress, '/api/health', { Authorization: digestHeader({ password,
      realm: c.realm, nonce: c.nonce, uri: '/api/health' }) });
  };

  test('ten wrong passwords, then 429 with Retry-After even for the right one', async () => {
    assert.equal((await loginFrom('127.0.0.1', 'secret')).status, 200);
    for (let i = 0; i < 10; i++) challenge(await loginFrom('127.0.0.1', `guess${i}`));
    for (const r of [await getFrom('127.0.0.1', '/api/health'),
      await getFrom('127.0.0.1', '/api/days', { Authorization: 'Digest username="admin"' })]) {
      const j = assertError(r, 429, 'too_many_attempts');
      assert.match(j.error.message, /failed logins/);
      const after = Number(r.headers['retry-after']);
      assert.ok(Number.isInteger(after) && after >= 1 && after <= 60, r.headers['retry-after']);
    }
    // the right password is refused too: a limited guesser learns nothing
    const c = challenge(await getFrom('127.0.0.2', '/api/health'));
    const right = digestHeader({ realm: c.realm, nonce: c.nonce, uri: '/api/health' });
    assertError(await getFrom('127.0.0.1', '/api/health', { Authorization: right }), 429,
      'too_many_attempts');
    // another client is not limited by it
    assert.equal((await getFrom('127.0.0.2', '/api/health', { Authorization: right })).status, 200);
  });

  test('failed logins are logged once a minute per client, with the count', async () => {
    challenge(await loginFrom('127.0.0.2', 'wrong'));
    challenge(await loginFrom('127.0.0.2', 'wrong again'));
    const log = await waitForLog(srv, /auth: 1 failed login from 127\.0\.0\.2 /);
    // 127.0.0.1 failed ten times: reported at its first failure, the other
    // nine wait for a minute to pass; no line per failure
    assert.equal(log.match(/failed logins? from 127\.0\.0\.1 /g)?.length, 1, log);
    assert.match(log, /auth: 1 failed login from 127\.0\.0\.1 since its last report \(the last as "admin"\)/);
    assert.doesNotMatch(log, /credentials refused/);
    assert.equal(log.match(/failed logins? from 127\.0\.0\.2 /g)?.length, 1, log);
  });
});

describe('with auth_file: nonces expire (stale=true)', SUITE, () => {
  const LIFETIME = 3000;
  let work, srv;
  before(async () => {
    work = tmpdir();
    const authFile = path.join(work, 'users');
    assert.equal(passwd(authFile, 'admin', 'secret').code, 0);
    srv = await startServer(['--root', work, '--auth-file', authFile],
      { readyStatus: 401, env: { CAMCAT_TEST_NONCE_LIFETIME_MS: String(LIFETIME) } });
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  // A request with credentials for nonce c; whether the nonce was surely
  // still young when the server checked it (it was issued after t0).
  async function use(c, nc, t0, password = 'secret') {
    const r = await srv.get('/api/health', {
      Authorization: digestHeader({ password, realm: c.realm, nonce: c.nonce, uri: '/api/health', nc }) });
    return { r, young: performance.now() - t0 < LIFETIME };
  }
  const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

  test('an expired nonce: 401 with stale=true, then the new nonce works', async () => {
    let t0 = performance.now();
    const c = challenge(await srv.get('/api/health'));
    const first = await use(c, 1, t0);
    // only a nonce known to be young must work (the machine may be slow)
    if (first.young) assert.equal(first.r.status, 200);
    // it was issued before the answer came: expired once LIFETIME has passed
    await sleep(LIFETIME + 100);
    const s = challenge((await use(c, 2, t0)).r);
    assert.equal(s.stale, true);
    assert.notEqual(s.nonce, c.nonce);
    // the wrong password on an expired nonce is no "stale" invitation
    assert.equal(challenge((await use(c, 3, t0, 'wrong')).r).stale, false);
    t0 = performance.now();
    const fresh = challenge(await srv.get('/api/health'));
    const again = await use(fresh, 1, t0);
    if (again.young) assert.equal(again.r.status, 200);
    assert.ok(first.young || again.young, 'the machine is too slow to check a young nonce');
    assert.match(srv.log, /CAMCAT_TEST_NONCE_LIFETIME_MS: nonces live 3000 ms/);
  });
});

// Issue 17 item 8: without authentication, another site's page could read
// recordings through a DNS name rebound to the camera's address.
describe('without auth_file: the Host rule on every request (DNS rebinding)', SUITE, () => {
  let work, srv;
  before(async () => {
    work = tmpdir();
    const root = copyFixture('clock-back', path.join(work, 'root'));
    const www = path.join(work, 'www');
    fs.mkdirSync(www);
    fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>camcat</title>\n');
    srv = await startServer(['--root', root, '--www', www]);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const PATHS = ['/api/days', '/api/storage', '/api/days/2025-08-09/playlist.m3u8',
    '/rec/2025-08-09/00001/index.m3u8', '/rec/2025-08-09/00001/chunk_00000.ts', '/', '/index.html'];

  test('a DNS name in Host: 403 host_not_literal on reads, HEAD and changes', async () => {
    for (const host of ['evil.example:8080', 'evil.example', `camera.local:${srv.port}`,
      `127.0.0.1.nip.io:${srv.port}`]) {
      for (const p of PATHS) {
        for (const method of ['GET', 'HEAD']) {
          const r = await request(srv.port, p, { method, headers: { Host: host } });
          assert.equal(r.status, 403, `${method} ${p} Host: ${host}`);
          if (method === 'GET') assertError(r, 403, 'host_not_literal');
        }
      }
    }
    const del = await request(srv.port, '/api/days/2025-08-09', { method: 'DELETE', headers: { Host: 'evil.example' } });
    assertError(del, 403, 'host_not_literal');
    assert.ok(fs.existsSync(path.join(work, 'root', '2025-08-09')));
  });

  test('an IP literal, localhost or no Host at all: served', async () => {
    for (const host of [`127.0.0.1:${srv.port}`, `localhost:${srv.port}`, 'LOCALHOST', `[::1]:${srv.port}`, '10.0.0.7']) {
      for (const p of PATHS) {
        const r = await request(srv.port, p, { headers: { Host: host } });
        assert.equal(r.status, 200, `${p} Host: ${host}`);
      }
    }
    // HTTP/1.0 tools may send no Host
    for (const p of PATHS) {
      const raw = await rawHttp10(srv.port, p);
      assert.match(raw, /^HTTP\/1\.[01] 200 /, p);
    }
  });
});

// GET target over HTTP/1.0 with no Host header: the raw answer.
function rawHttp10(port, target) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(`GET ${target} HTTP/1.0\r\n\r\n`));
    const parts = [];
    sock.on('data', (d) => parts.push(d));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
  });
}

describe('an auth_file that goes away: fail closed', SUITE, () => {
  test('503 auth_unavailable instead of serving without authentication', async () => {
    const work = tmpdir();
    const authFile = path.join(work, 'users');
    assert.equal(passwd(authFile, 'admin', 'secret').code, 0);
    const srv = await startServer(['--root', work, '--auth-file', authFile], { readyStatus: 401 });
    try {
      fs.rmSync(authFile);
      for (const p of ['/api/health', '/rec/x.ts', '/']) {
        const r = await srv.get(p);
        assert.equal(r.status, 503, p);
        assert.equal(JSON.parse(r.body).error.code, 'auth_unavailable');
      }
      assert.equal(passwd(authFile, 'admin', 'secret').code, 0);
      assert.equal((await authed(srv, '/api/health')).status, 200);
      // Logged once per outage, not once per request (the pipe keeps order).
      const log = await waitForLog(srv, /is readable again/);
      assert.equal((log.match(/cannot be read: refusing every request/g) || []).length, 1);
    } finally {
      await srv.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('camcat passwd', SUITE, () => {
  let work;
  before(() => { work = tmpdir(); });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('creates a 0600 htdigest file, updates in place, keeps other lines', () => {
    const f = path.join(work, 'users');
    assert.equal(passwd(f, 'admin', 'secret').code, 0);
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(f, 'utf8'), `admin:camcat:${md5('admin:camcat:secret')}\n`);
    fs.appendFileSync(f, ':# a comment the tool must keep\n');
    assert.equal(passwd(f, 'bob', 'x', ['--realm', 'garage']).code, 0);
    let r = passwd(f, 'admin', 'other');
    assert.equal(r.code, 0);
    assert.equal(fs.readFileSync(f, 'utf8'),
      `admin:camcat:${md5('admin:camcat:other')}\n:# a comment the tool must keep\n` +
      `bob:garage:${md5('bob:garage:x')}\n`);
    // The same password again: the file is not rewritten.
    const ino = fs.statSync(f).ino;
    r = passwd(f, 'admin', 'other');
    assert.match(r.out, /unchanged/);
    assert.equal(fs.statSync(f).ino, ino);
  });

  test('refuses bad names, empty or missing passwords, and a malformed file', () => {
    const f = path.join(work, 'refused');
    for (const user of ['', 'a:b', 'a"b']) assert.equal(passwd(f, user, 'pw').code, 2, user);
    assert.equal(passwd(f, 'admin', 'pw', ['--realm', 'a:b']).code, 2);
    assert.equal(passwd(f, 'admin', '').code, 2);
    const r = spawnSync(CAMCAT, ['passwd', f, 'admin'], { input: '', encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(fs.existsSync(f), false);
    fs.writeFileSync(f, 'this is not an htdigest file\n');
    const bad = passwd(f, 'admin', 'pw');
    assert.equal(bad.code, 1);
    assert.match(bad.out, /line 1/);
    assert.equal(fs.readFileSync(f, 'utf8'), 'this is not an htdigest file\n');
  });
});

describe('start-up refusals (nothing is bound)', SUITE, () => {
  let work;
  before(() => { work = tmpdir(); });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('a non-loopback address without auth_file: exit 2 naming --insecure-no-auth', async () => {
    for (const listen of ['0.0.0.0:0', '0', '[::]:0', '192.0.2.1:0']) {
      const r = await runToExit(['--root', work, '--listen', listen]);
      assert.equal(r.code, 2, `${listen}: ${r.output}`);
      assert.match(r.output, /--insecure-no-auth/);
      assert.doesNotMatch(r.output, /listening on/);
    }
  });

  test('--insecure-no-auth: a loud warning (stopped here by a bad realm, before binding)', async () => {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: even a server
    // that got as far as binding could not serve on it.
    const r = await runToExit(['--root', work, '--listen', '192.0.2.1:0', '--insecure-no-auth',
      '--auth-realm', 'a:b']);
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /INSECURE: listening on 192\.0\.2\.1:0\b.*WITHOUT authentication/);
    assert.match(r.output, /auth_realm/);
    assert.doesNotMatch(r.output, /listening on http/);
  });

  test('an unreadable, malformed or empty auth_file: exit 2 saying why', async () => {
    const good = path.join(work, 'good');
    assert.equal(passwd(good, 'admin', 'pw').code, 0);
    const bad = path.join(work, 'bad');
    fs.writeFileSync(bad, 'admin:camcat:NOTAHASH\n');
    const empty = path.join(work, 'empty');
    fs.writeFileSync(empty, ':# nobody yet\n');
    for (const [args, msg] of [
      [['--auth-file', path.join(work, 'missing')], /cannot be read: No such file/],
      [['--auth-file', work], /cannot be read/],
      [['--auth-file', bad], /not an htdigest file .*line 1/],
      [['--auth-file', empty], /no user for realm "camcat".*camcat passwd/],
      [['--auth-file', good, '--auth-realm', 'other'], /no user for realm "other"/],
    ]) {
      const r = await runToExit(['--root', work, '--listen', '127.0.0.1:0', ...args]);
      assert.equal(r.code, 2, `${args}: ${r.output}`);
      assert.match(r.output, msg);
      assert.doesNotMatch(r.output, /listening on/);
    }
  });
});
