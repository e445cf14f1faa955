// Issue 16, slow and greedy clients: while dozens of connections dribble
// request headers, one client keeps 6 keep-alive connections busy and others
// read a large file slowly, a normal request from another address is still
// answered; a client over max_client_conns has its extra connections
// refused while its first ones keep working. Each client speaks from its own
// loopback address (127.0.0.x), as neighbours on a LAN would.
//
// No time is asserted: the request timeout is raised so that every
// attacker is certainly still connected when the normal request is sent,
// and a server whose workers they all hold fails the suite by its timeout.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SUITE, assertJson, request, startServer, tmpdir, waitForLog, writeSegment } from './lib.mjs';

const DRIBBLERS = 30;
const DRIBBLE_MS = 2000;
const KEEPALIVE_CONNS = 6;
const SLOW_READERS = 4;
const BIG = 32 << 20; // more than loopback's socket buffers hold
const CAP = 16; // the default max_client_conns

// A connection from localAddress; resolves once connected. Counts what it
// received and records when it ended.
function connect(port, localAddress) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress });
    s.received = 0;
    s.head = ''; // the first bytes received
    s.ended = false;
    s.on('data', (d) => {
      if (s.head.length < 64) s.head += d.toString('latin1', 0, 64);
      s.received += d.length;
    });
    s.on('close', () => { s.ended = true; });
    s.on('error', () => {}); // a refused connection may be reset
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// Resolves when s closes.
function closed(s) {
  return s.ended ? Promise.resolve() : new Promise((resolve) => s.once('close', resolve));
}

// Sends a request line, then one header line every DRIBBLE_MS, never the
// blank line that ends the header. Returns the function that stops it.
function dribble(s, k) {
  s.write('GET /api/health HTTP/1.1\r\n');
  s.lines = 1;
  const timer = setInterval(() => {
    if (!s.ended) s.write(`X-Slow-${s.lines++}: ${k}\r\n`);
  }, DRIBBLE_MS);
  return () => clearInterval(timer);
}

// A keep-alive connection that asks for /api/health again as soon as an
// answer is complete (it never lets the keep-alive timeout close it).
function busyKeepAlive(s) {
  let buf = '';
  let answers = 0;
  const ask = () => s.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  s.on('data', (d) => {
    buf += d.toString('latin1');
    for (;;) {
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const m = /\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, head));
      const end = head + 4 + (m ? Number(m[1]) : 0);
      if (buf.length < end) return;
      buf = buf.slice(end);
      answers++;
      if (!s.ended && !s.stopped) ask();
    }
  });
  ask();
  return { count: () => answers, stop: () => { s.stopped = true; } };
}

// Resolves when fn() holds, checking on every event-loop turn that lets
// sockets make progress (no deadline: the suite's timeout bounds it).
async function until(fn) {
  while (!fn()) await new Promise((res) => setTimeout(res, 20));
}

describe('slow and greedy clients', SUITE, () => {
  let work, srv;
  const sockets = [];
  const stops = [];
  const chunk = '2025-03-03/00001/chunk_00000.ts';
  before(async () => {
    work = tmpdir();
    const root = path.join(work, 'rec');
    writeSegment(path.join(root, '2025-03-03', '00001'), { t0: Date.parse('2025-03-03T10:00:00Z'), n: 2 });
    fs.writeFileSync(path.join(root, chunk), Buffer.alloc(BIG, 0x47));
    // Long enough that no attacker is cut before the checks below.
    srv = await startServer(['--root', root, '--request-timeout-ms', '60000']);
  });
  after(async () => {
    stops.forEach((f) => f());
    sockets.forEach((s) => s.destroy());
    const st = await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(st, { code: 0, signal: null });
  });

  test('a normal request is answered while slow and greedy clients hold connections', async () => {
    const dribblers = [];
    for (let k = 0; k < DRIBBLERS; k++) {
      const s = await connect(srv.port, `127.0.0.${2 + k}`);
      dribblers.push(s);
      stops.push(dribble(s, k));
    }
    const keepAlive = [];
    for (let k = 0; k < KEEPALIVE_CONNS; k++) {
      const s = await connect(srv.port, '127.0.0.100');
      const b = busyKeepAlive(s);
      keepAlive.push({ s, b });
      stops.push(b.stop);
    }
    const readers = [];
    for (let k = 0; k < SLOW_READERS; k++) {
      const s = await connect(srv.port, `127.0.0.${110 + k}`);
      s.write(`GET /rec/${chunk} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      // Reads the first bytes, then nothing: the server's writes block.
      s.once('data', () => s.pause());
      readers.push(s);
    }
    sockets.push(...dribblers, ...keepAlive.map((c) => c.s), ...readers);
    // Every attacker is at work: each dribbler has sent a header line after
    // its request line, the readers got their first bytes and each
    // keep-alive connection its first answer.
    await until(() => dribblers.every((s) => s.lines >= 2) && readers.every((s) => s.received > 0) &&
      keepAlive.every((c) => c.b.count() > 0));

    const health = await request(srv.port, '/api/health');
    assertJson(health, 200);

    // ...and it was answered while they all still held their connections.
    for (const s of dribblers) {
      assert.equal(s.ended, false, 'a dribbler was cut before the normal request was answered');
      assert.equal(s.received, 0, 'a dribbler got an answer to a header it never finished');
    }
    for (const s of readers) {
      assert.equal(s.ended, false);
      assert.ok(s.received < BIG, 'a slow reader got the whole file');
    }
    for (const { s } of keepAlive) assert.equal(s.ended, false);
    // The greedy client's six are within its cap: none was refused.
    assert.doesNotMatch(srv.log, /127\.0\.0\.100: refused/);
  });

  test('a client over max_client_conns: the extra connections are refused, the first ones work', async () => {
    // CAP + 2 connections from one address, each holding its worker by
    // dribbling. Which ones the server takes first is up to its threads, so
    // what is asserted is that exactly two are closed unanswered.
    const conns = [];
    for (let k = 0; k < CAP + 2; k++) {
      const s = await connect(srv.port, '127.0.0.200');
      s.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      conns.push(s);
    }
    sockets.push(...conns);
    await until(() => conns.filter((s) => s.ended).length >= 2);
    await waitForLog(srv, new RegExp(`127\\.0\\.0\\.200: refused [12] connections? over max_client_conns \\(${CAP}\\)`));
    const refused = conns.filter((s) => s.ended);
    assert.equal(refused.length, 2);
    for (const s of refused) assert.equal(s.received, 0);

    // The first CAP finish their requests and are answered.
    const kept = conns.filter((s) => !s.ended);
    for (const s of kept) s.end('Connection: close\r\n\r\n');
    await Promise.all(kept.map(closed));
    for (const s of kept) assert.match(s.head, /^HTTP\/1\.1 200 /, 'a connection within the cap got no answer');

    // Another address is not touched by that client's cap.
    assertJson(await request(srv.port, '/api/health'), 200);
  });
});
