// HTTPS: `camcat cert` makes the certificate, camcatd serves plain HTTP and
// TLS side by side, and the fingerprint it logs and reports in /api/health
// is the one node sees on the wire and `openssl x509` computes. Bad
// certificate files stop the start with a message saying what is wrong.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BUILD, SUITE, copyFixture, request, runToExit, startServer, tmpdir, waitForLog } from './lib.mjs';

const CAMCAT = path.join(BUILD, 'camcat');

function camcat(args, input) {
  const r = spawnSync(CAMCAT, args, { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

// `camcat cert`: the file and the fingerprint it printed.
function makeCert(file, args = ['--san', '127.0.0.1']) {
  const r = camcat(['cert', '--out', file, ...args]);
  assert.equal(r.code, 0, r.out);
  const fp = /SHA-256 fingerprint: ([0-9A-F:]{95})\n/.exec(r.out);
  assert.ok(fp, r.out);
  return fp[1];
}

// GET over TLS: status, body and the certificate the server presented.
// opts.ca set: verified against it (as a browser that pinned it would);
// otherwise unverified, like the first visit that shows the warning.
function get(port, p, { headers = {}, ca } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: p, headers, agent: false,
      rejectUnauthorized: Boolean(ca), ca }, (res) => {
      const peer = res.socket.getPeerCertificate();
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
        body: Buffer.concat(parts).toString('utf8'), peer, protocol: res.socket.getProtocol() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function tlsPort(srv) {
  const log = await waitForLog(srv, /listening on https:\/\/127\.0\.0\.1:(\d+)\//);
  return Number(/listening on https:\/\/127\.0\.0\.1:(\d+)\//.exec(log)[1]);
}

describe('HTTPS with a camcat cert certificate', SUITE, () => {
  let work, srv, port, cert, fp;
  before(async () => {
    work = tmpdir();
    const root = copyFixture('clock-back', path.join(work, 'root'));
    cert = path.join(work, 'cert.pem');
    fp = makeCert(cert, ['--san', '127.0.0.1', '--san', 'camera.local', '--cn', 'cam1']);
    srv = await startServer(['--root', root, '--listen', '127.0.0.1:0,127.0.0.1:0s', '--tls-cert', cert]);
    port = await tlsPort(srv);
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('camcat cert writes key + certificate with mode 0600 and keeps an existing file', () => {
    assert.equal(fs.statSync(cert).mode & 0o777, 0o600);
    const pem = fs.readFileSync(cert, 'utf8');
    assert.match(pem, /-----BEGIN PRIVATE KEY-----/);
    assert.match(pem, /-----BEGIN CERTIFICATE-----/);
    const x = new crypto.X509Certificate(pem);
    assert.equal(x.fingerprint256, fp);
    assert.equal(x.subjectAltName, 'IP Address:127.0.0.1, DNS:camera.local');
    assert.equal(x.ca, false);
    assert.equal(x.publicKey.asymmetricKeyDetails.namedCurve, 'prime256v1');
    const again = camcat(['cert', '--out', cert]);
    assert.equal(again.code, 1);
    assert.match(again.out, /exists; --force/);
    assert.equal(new crypto.X509Certificate(fs.readFileSync(cert)).fingerprint256, fp);
    assert.equal(camcat(['cert', '--out', cert, '--days', '0']).code, 2);
  });

  test('the fingerprint: camcat cert = camcatd log = /api/health = the wire = openssl x509', async () => {
    assert.match(srv.log, new RegExp(`tls: certificate .*, SHA-256 fingerprint ${fp}`));
    const r = await get(port, '/api/health');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body).tls, { sha256: fp });
    assert.equal(r.peer.fingerprint256, fp);
    const o = spawnSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    assert.equal(o.status, 0, o.stderr);
    assert.equal(o.stdout.trim(), `sha256 Fingerprint=${fp}`);
  });

  test('a client that pins the certificate verifies it for 127.0.0.1; TLS 1.2 or newer', async () => {
    const r = await get(port, '/api/health', { ca: fs.readFileSync(cert) });
    assert.equal(r.status, 200);
    assert.match(r.protocol, /^TLSv1\.[23]$/);
    // Another certificate pinned: refused.
    const other = makeCert(path.join(work, 'other.pem'));
    assert.notEqual(other, fp);
    await assert.rejects(get(port, '/api/health', { ca: fs.readFileSync(path.join(work, 'other.pem')) }));
  });

  test('plain HTTP on the TLS port fails cleanly; both ports keep answering', async () => {
    await assert.rejects(request(port, '/api/health'));
    assert.equal((await get(port, '/api/health')).status, 200);
    assert.equal((await srv.get('/api/health')).status, 200);
  });

  test('a warning civetweb repeats is logged once a minute, so plain HTTP cannot flood the log', async () => {
    // Its own server at debug level: each request answered is logged, so the
    // line of a request sent after the plain attempts failed marks the point
    // where every warning about them is in the log.
    const dbg = await startServer(['--root', path.join(work, 'root'), '--listen', '127.0.0.1:0,127.0.0.1:0s',
      '--tls-cert', cert, '--log-level', 'debug']);
    try {
      const p = await tlsPort(dbg);
      const plain = () => new Promise((resolve) => {
        const c = net.connect({ host: '127.0.0.1', port: p }, () => c.write('GET / HTTP/1.1\r\n\r\n'));
        c.on('error', () => {});
        c.on('close', resolve);
        c.resume();
      });
      for (let i = 0; i < 8; i++) await plain();
      assert.equal((await get(p, '/api/health?after-plain')).status, 200);
      await waitForLog(dbg, /GET \/api\/health\?\.\.\. -> 200/);
      const warned = dbg.log.split('\n').filter((l) => /civetweb: .*http request/.test(l));
      assert.equal(warned.length, 1, dbg.log);
    } finally {
      await dbg.stop();
    }
  });
});

describe('HTTPS with auth_file', SUITE, () => {
  let work, srv, port;
  before(async () => {
    work = tmpdir();
    const root = copyFixture('clock-back', path.join(work, 'root'));
    const cert = path.join(work, 'cert.pem');
    makeCert(cert);
    const users = path.join(work, 'users');
    assert.equal(camcat(['passwd', users, 'admin'], 'secret\n').code, 0);
    srv = await startServer(['--root', root, '--listen', '127.0.0.1:0,127.0.0.1:0s', '--tls-cert', cert,
      '--auth-file', users], { readyStatus: 401 });
    port = await tlsPort(srv);
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('digest authentication works over TLS', async () => {
    const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');
    const r = await get(port, '/api/health');
    assert.equal(r.status, 401);
    const h = r.headers['www-authenticate'];
    const realm = /realm="([^"]*)"/.exec(h)[1];
    const nonce = /nonce="([^"]*)"/.exec(h)[1];
    const ha1 = md5(`admin:${realm}:secret`);
    const response = md5(`${ha1}:${nonce}:00000001:c1:auth:${md5('GET:/api/health')}`);
    const auth = `Digest username="admin", realm="${realm}", nonce="${nonce}", uri="/api/health", ` +
      `qop=auth, nc=00000001, cnonce="c1", response="${response}"`;
    const ok = await get(port, '/api/health', { headers: { Authorization: auth } });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(typeof JSON.parse(ok.body).tls.sha256, 'string');
  });
});

describe('HTTPS start-up errors', SUITE, () => {
  let work, root, good;
  before(() => {
    work = tmpdir();
    root = path.join(work, 'root');
    fs.mkdirSync(root);
    good = fs.readFileSync(makeWork('good.pem'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  function makeWork(name) {
    const f = path.join(work, name);
    makeCert(f);
    return f;
  }

  function write(name, text, mode = 0o600) {
    const f = path.join(work, name);
    fs.writeFileSync(f, text, { mode });
    return f;
  }

  async function refused(cert, re, listen = '127.0.0.1:0s') {
    const args = ['--root', root, '--listen', listen];
    if (cert) args.push('--tls-cert', cert);
    const r = await runToExit(args);
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, re);
    assert.doesNotMatch(r.output, /listening on/);
  }

  test('each bad tls_cert says what is wrong and nothing is served', async () => {
    const pem = good.toString('utf8');
    const key = pem.slice(0, pem.indexOf('-----BEGIN CERTIFICATE'));
    const crt = pem.slice(pem.indexOf('-----BEGIN CERTIFICATE'));
    await refused(path.join(work, 'missing.pem'), /tls_cert .*missing\.pem cannot be read: No such file/);
    await refused(write('garbage.pem', 'hello\n'), /has no PRIVATE KEY block/);
    await refused(write('crt-only.pem', crt), /has no PRIVATE KEY block/);
    await refused(write('key-only.pem', key), /has no complete CERTIFICATE block/);
    await refused(write('cut.pem', key + crt.slice(0, 200)), /has no complete CERTIFICATE block/);
    await refused(write('bad64.pem', key + crt.replace(/\n[A-Za-z0-9+/]{10}/, '\n**********')),
      /is not a certificate/);
    await refused(write('enc.pem', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIH\n' +
      '-----END ENCRYPTED PRIVATE KEY-----\n' + crt), /encrypted private key/);
    // Well-formed, but the key is another certificate's: OpenSSL's check,
    // reported through civetweb.
    const other = fs.readFileSync(makeWork('other.pem'), 'utf8');
    await refused(write('mismatch.pem', other.slice(0, other.indexOf('-----BEGIN CERTIFICATE')) + crt),
      /cannot open private key file .*key values mismatch/);
    await refused(null, /tls_cert is not set: make one with camcat cert/);
    await refused(write('plain.pem', pem), /no listen address uses TLS/, '127.0.0.1:0');
  });

  test('without TLS configured camcatd maps no OpenSSL and reports tls null', async () => {
    const srv = await startServer(['--root', root]);
    try {
      const r = await srv.get('/api/health');
      assert.equal(JSON.parse(r.body.toString()).tls, null);
      const maps = fs.readFileSync(`/proc/${srv.proc.pid}/maps`, 'utf8');
      assert.doesNotMatch(maps, /libssl|libcrypto/);
    } finally {
      await srv.stop();
    }
  });
});
