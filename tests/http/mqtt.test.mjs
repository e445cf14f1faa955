// MQTT: camcatd against Debian's mosquitto on 127.0.0.1 (a free port, a
// password file), watched with mosquitto_sub and commanded with
// mosquitto_pub. Availability and the last will, retained state, motion and
// events from a DATERANGE appended to the live folder, every command and
// malformed ones, Home Assistant discovery, a broker restart, a broker never
// up, refused credentials; /api/log and /api/snapshot.jpg alongside.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SUITE, isoAt, keepRecording, startServer, tmpdir, trackChild, waitForLog } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const USER = 'cam';
const PASS = 'sekrit-pw';
const PREFIX = 'camcat/testcam';

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

class Broker {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    this.pwfile = path.join(dir, 'broker.pw');
    fs.writeFileSync(this.pwfile, '');
    const r = spawnSync('mosquitto_passwd', ['-b', this.pwfile, USER, PASS]);
    assert.equal(r.status, 0, String(r.stderr));
    this.conf = path.join(dir, 'mosquitto.conf');
    fs.writeFileSync(this.conf, `listener ${port} 127.0.0.1\nallow_anonymous false\n` +
      `password_file ${this.pwfile}\npersistence false\nlog_dest stderr\n` +
      // Started as root, mosquitto would drop to its own user, who cannot
      // read our private temporary folder.
      `user ${os.userInfo().username}\n`);
  }

  async start() {
    this.log = '';
    this.proc = trackChild(spawn('mosquitto', ['-c', this.conf], { stdio: ['ignore', 'ignore', 'pipe'] }));
    this.proc.stderr.on('data', (d) => (this.log += d));
    this.closed = new Promise((res) => this.proc.once('close', res));
    while (!/running|Opening ipv4 listen socket/.test(this.log)) {
      assert.equal(this.proc.exitCode, null, this.log);
      await sleep(20);
    }
    // Listening once a client gets through.
    for (;;) {
      const r = spawnSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(this.port), '-u', USER,
        '-P', PASS, '-t', 'probe', '-m', 'x']);
      if (r.status === 0) break;
      await sleep(50);
    }
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) process.kill(this.proc.pid, 'SIGTERM');
    await this.closed;
  }
}

// Every message on the topics, as mosquitto_sub prints them: topic, retained
// flag and payload in hex.
class Watch {
  constructor(port, topics, { user = USER, pass = PASS } = {}) {
    this.msgs = [];
    const args = ['-h', '127.0.0.1', '-p', String(port), '-u', user, '-P', pass, '-F', '%t\t%r\t%x'];
    for (const t of topics) args.push('-t', t);
    this.proc = trackChild(spawn('mosquitto_sub', args, { stdio: ['ignore', 'pipe', 'ignore'] }));
    let rest = '';
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (d) => {
      rest += d;
      let nl;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const [topic, retained, hex] = rest.slice(0, nl).split('\t');
        rest = rest.slice(nl + 1);
        const payload = Buffer.from(hex || '', 'hex');
        this.msgs.push({ topic, retained: retained === '1', payload, text: payload.toString('utf8') });
      }
    });
  }

  // The first message from `from` on that matches; the suite's timeout bounds it.
  async next(pred, from = 0) {
    for (;;) {
      const i = this.msgs.findIndex((m, k) => k >= from && pred(m));
      if (i >= 0) return this.msgs[i];
      await sleep(20);
    }
  }

  stop() {
    this.proc.kill('SIGTERM');
  }
}

function pub(port, topic, message) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-u', USER, '-P', PASS, '-t', topic, '-q', '1'];
  const r = message.length ? spawnSync('mosquitto_pub', [...args, '-s'], { input: message })
    : spawnSync('mosquitto_pub', [...args, '-n']);
  assert.equal(r.status, 0, String(r.stderr));
}

// A recorder appending 2 s chunks to ROOT/DATE/00001 (no ENDLIST), touched
// every second so it stays "being recorded".
function recorder(root) {
  const t0 = Date.now() - 20000;
  const date = new Date(t0).toISOString().slice(0, 10);
  const dir = path.join(root, date, '00001');
  fs.mkdirSync(dir, { recursive: true });
  let text = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n';
  for (let i = 0; i < 10; i++) {
    const name = `chunk_${String(i).padStart(5, '0')}.ts`;
    fs.writeFileSync(path.join(dir, name), 'x\n');
    text += `#EXT-X-PROGRAM-DATE-TIME:${isoAt(t0 + i * 2000)}\n#EXTINF:2.000,\n${name}\n`;
  }
  const file = path.join(dir, 'index.m3u8');
  fs.writeFileSync(file, text);
  return { date, dir, file, stop: keepRecording(dir) };
}

function mqttArgs(port, dir, extra = []) {
  const pw = path.join(dir, 'client.pw');
  fs.writeFileSync(pw, `${PASS}\n`);
  return ['--mqtt-host', '127.0.0.1', '--mqtt-port', String(port), '--mqtt-user', USER,
    '--mqtt-password-file', pw, '--camera-id', 'testcam', ...extra];
}

async function health(srv) {
  const r = await srv.get('/api/health');
  assert.equal(r.status, 200);
  return JSON.parse(r.body).mqtt;
}

async function until(fn) {
  for (;;) {
    if (await fn()) return;
    await sleep(50);
  }
}

describe('MQTT', SUITE, () => {
  let dir, root, broker, srv, watch, rec;
  const snapshotCmd = "printf '\\377\\330\\377\\340camcat-jpeg\\377\\331'";

  before(async () => {
    dir = tmpdir('camcat-mqtt-');
    root = path.join(dir, 'root');
    fs.mkdirSync(root);
    rec = recorder(root);
    broker = new Broker(dir, await freePort());
    await broker.start();
    watch = new Watch(broker.port, ['#']);
    await sleep(300); // the subscription is in place before camcatd says anything
    srv = await startServer(['--root', root, '--retain-days', '3650', '--sweep-interval-s', '0',
      '--live-start-cmd', 'true', '--live-stop-cmd', 'true', '--snapshot-cmd', snapshotCmd,
      '--mqtt-discovery', ...mqttArgs(broker.port, dir, ['--mqtt-state-interval-s', '5'])]);
  });

  after(async () => {
    rec?.stop();
    await srv?.stop();
    watch?.stop();
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('availability online (retained) and the state as JSON, retained', async () => {
    const on = await watch.next((m) => m.topic === `${PREFIX}/availability`);
    assert.equal(on.text, 'online');
    const st = await watch.next((m) => m.topic === `${PREFIX}/state`);
    const s = JSON.parse(st.text);
    assert.equal(s.recording, true);
    assert.equal(s.folder, `${rec.date}/00001`);
    assert.equal(s.days, 1);
    assert.equal(s.oldest_day, rec.date);
    assert.equal(s.newest_day, rec.date);
    assert.ok(s.total_bytes > 0 && s.free_bytes <= s.total_bytes);
    // A client arriving later gets both from the broker, flagged retained.
    const late = new Watch(broker.port, [`${PREFIX}/state`, `${PREFIX}/availability`]);
    const a = await late.next((m) => m.topic === `${PREFIX}/availability`);
    const b = await late.next((m) => m.topic === `${PREFIX}/state`);
    late.stop();
    assert.ok(a.retained && b.retained);
    assert.equal(a.text, 'online');
    const h = await health(srv);
    assert.equal(h.state, 'connected');
    assert.equal(h.prefix, PREFIX);
  });

  test('Home Assistant discovery: six entities with their required fields', async () => {
    const need = { binary_sensor: 'state_topic', sensor: 'state_topic', button: 'command_topic', camera: 'topic' };
    await watch.next((m) => m.topic.startsWith('homeassistant/camera/'));
    // A subscriber arriving now gets them from the broker: they are retained.
    const late = new Watch(broker.port, ['homeassistant/#']);
    const seen = new Map();
    await until(() => {
      for (const m of late.msgs) seen.set(m.topic, m);
      return seen.size >= 6;
    });
    late.stop();
    assert.deepEqual([...seen.keys()].sort(), [
      'homeassistant/binary_sensor/testcam/motion/config',
      'homeassistant/binary_sensor/testcam/recording/config',
      'homeassistant/button/testcam/sweep/config',
      'homeassistant/camera/testcam/snapshot/config',
      'homeassistant/sensor/testcam/free_space/config',
      'homeassistant/sensor/testcam/last_event/config',
    ]);
    for (const [topic, m] of seen) {
      assert.ok(m.retained, topic);
      const c = JSON.parse(m.text);
      const comp = topic.split('/')[1];
      assert.match(c[need[comp]], new RegExp(`^${PREFIX}/`), topic);
      assert.ok(c.unique_id && c.name, topic);
      assert.equal(c.availability_topic, `${PREFIX}/availability`);
      assert.deepEqual(c.device.identifiers, ['camcat_testcam']);
    }
    const btn = JSON.parse(seen.get('homeassistant/button/testcam/sweep/config').text);
    assert.equal(JSON.parse(btn.payload_press).cmd, 'sweep');
  });

  test('a DATERANGE appended to the live folder: event JSON, motion ON then OFF', async () => {
    const from = watch.msgs.length;
    const start = Date.now() - 1000;
    fs.appendFileSync(rec.file, `#EXT-X-DATERANGE:ID="mq1",CLASS="motion",START-DATE="${isoAt(start)}",` +
      'DURATION=3.0,X-LABEL="person"\n');
    const ev = await watch.next((m) => m.topic === `${PREFIX}/event`, from);
    const e = JSON.parse(ev.text);
    assert.equal(e.day, rec.date);
    assert.equal(e.start_ms, start);
    assert.equal(e.end_ms, start + 3000);
    assert.equal(e.label, 'person');
    assert.equal(e.play, `/api/days/${rec.date}/playlist.m3u8?from=${start}&to=${start + 3000}`);
    const on = await watch.next((m) => m.topic === `${PREFIX}/motion` && m.text === 'ON', from);
    const off = await watch.next((m) => m.topic === `${PREFIX}/motion` && m.text === 'OFF',
      watch.msgs.indexOf(on));
    assert.ok(off);
    // The state names the last motion; the snapshot went out for the camera entity.
    await watch.next((m) => m.topic === `${PREFIX}/state` && JSON.parse(m.text).last_motion, from);
    const snap = await watch.next((m) => m.topic === `${PREFIX}/snapshot`, from);
    assert.equal(snap.payload[0], 0xff);
    assert.equal(snap.payload[1], 0xd8);
    // Published once: a second append of other lines brings no second event.
    fs.appendFileSync(rec.file, '#EXT-X-PROGRAM-DATE-TIME:' + isoAt(Date.now()) + '\n#EXTINF:2.000,\nchunk_00010.ts\n');
    const mark = watch.msgs.length;
    await watch.next((m) => m.topic === `${PREFIX}/state`, mark); // at least one poll later
    assert.equal(watch.msgs.filter((m) => m.topic === `${PREFIX}/event`).length, 1);
  });

  async function command(payload) {
    const from = watch.msgs.length;
    pub(broker.port, `${PREFIX}/cmd`, payload);
    const r = await watch.next((m) => m.topic === `${PREFIX}/cmd/result`, from);
    return JSON.parse(r.text);
  }

  test('every command gets its result', async () => {
    let r = await command('{"cmd":"live_start","id":"l1"}');
    assert.deepEqual(r, { id: 'l1', cmd: 'live_start', ok: true, changed: true });
    await waitForLog(srv, /live: running live_start_cmd/);
    r = await command('{"cmd":"live_stop","id":"l2"}');
    assert.deepEqual(r, { id: 'l2', cmd: 'live_stop', ok: true, changed: true });
    await waitForLog(srv, /live: running live_stop_cmd/);
    r = await command('{"cmd":"sweep","id":"s1"}');
    assert.deepEqual(r, { id: 's1', cmd: 'sweep', ok: true, dry_run: false, removed: 0, failed: 0, bytes_freed: 0 });
    assert.ok(fs.existsSync(rec.file), 'the recording folder stays');
    r = await command('{"cmd":"snapshot","id":"p1"}');
    assert.equal(r.ok, true);
    assert.equal(r.bytes, 17);
    assert.equal(r.topic, `${PREFIX}/snapshot`);
    const now = Date.now();
    r = await command(`{"cmd":"sync_clock","id":"c1","epoch_ms":${now + 3600000}}`);
    assert.equal(r.ok, true);
    assert.equal(r.action, 'would_set'); // clock = report (the default): nothing changed
    assert.ok(Math.abs(r.diff_ms - 3600000) < 600000);
  });

  test('malformed commands get an error result, and camcatd carries on', async () => {
    const cases = [
      ['{"cmd":"reboot","id":"u1"}', 'unknown_cmd'],
      ['{"cmd":42}', 'bad_cmd'],
      ['{"cmd":"sync_clock","epoch_ms":"soon"}', 'bad_time'],
      ['{"cmd":"sweep","id":{"a":1}}', 'bad_json'],
      ['not json at all', 'bad_json'],
      [Buffer.from([0, 0xff, 0xfe, 0x7b, 0x22, 0x80, 0x0a, 0x00]), 'bad_json'],
      ['{"cmd":"sweep","pad":"' + 'x'.repeat(100000) + '"}', 'too_large'],
      ['', 'bad_json'],
    ];
    for (const [payload, code] of cases) {
      const r = await command(payload);
      assert.equal(r.ok, false);
      assert.equal(r.error.code, code, String(payload).slice(0, 40));
    }
    assert.equal((await command('{"cmd":"reboot","id":"u1"}')).id, 'u1');
    assert.equal((await srv.get('/api/days')).status, 200);
  });

  test('GET /api/snapshot.jpg runs the hook; GET /api/log tails the log', async () => {
    const r = await srv.get('/api/snapshot.jpg');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'image/jpeg');
    assert.equal(r.body.toString('latin1'), '\xff\xd8\xff\xe0camcat-jpeg\xff\xd9');
    const l = await srv.get('/api/log?lines=5');
    assert.equal(l.status, 200);
    assert.match(l.headers['content-type'], /^text\/plain/);
    const lines = l.body.toString().split('\n').filter(Boolean);
    assert.equal(lines.length, 5);
    const all = (await srv.get('/api/log?lines=10000')).body.toString();
    assert.match(all, /mqtt: connected to 127\.0\.0\.1/);
    assert.ok(all.endsWith(lines.join('\n') + '\n'));
    assert.equal((await srv.get('/api/log?lines=0')).status, 400);
    assert.equal((await srv.get('/api/log?lines=x')).status, 400);
  });

  test('broker restart: camcatd reconnects and publishes its state again', async () => {
    await broker.stop();
    await until(async () => (await health(srv)).state === 'down');
    await broker.start();
    const w = new Watch(broker.port, [`${PREFIX}/#`]);
    // persistence is off: whatever is retained now, camcatd published again.
    const a = await w.next((m) => m.topic === `${PREFIX}/availability`);
    const s = await w.next((m) => m.topic === `${PREFIX}/state`);
    w.stop();
    assert.equal(a.text, 'online');
    assert.equal(JSON.parse(s.text).recording, true);
    assert.equal((await health(srv)).state, 'connected');
    assert.equal(srv.log.match(/mqtt: connected to/g).length, 2);
    watch.stop();
    watch = new Watch(broker.port, ['#']);
  });

  test('camcatd killed: the broker publishes its last will, offline', async () => {
    await watch.next((m) => m.topic === `${PREFIX}/availability` && m.text === 'online');
    const from = watch.msgs.length;
    process.kill(srv.proc.pid, 'SIGKILL');
    await srv.exited;
    const off = await watch.next((m) => m.topic === `${PREFIX}/availability`, from);
    assert.equal(off.text, 'offline');
    srv = null;
  });

  test('a clean stop says offline itself', async () => {
    srv = await startServer(['--root', root, ...mqttArgs(broker.port, dir)]);
    await until(async () => (await health(srv)).state === 'connected');
    const from = watch.msgs.length;
    assert.equal((await srv.stop()).code, 0);
    const off = await watch.next((m) => m.topic === `${PREFIX}/availability`, from);
    assert.equal(off.text, 'offline');
    srv = null;
  });

  test('broker never up: HTTP answers, MQTT is down, logged once', async () => {
    const port = await freePort();
    const s = await startServer(['--root', root, ...mqttArgs(port, dir)]);
    try {
      await until(async () => (await health(s)).state === 'down');
      assert.equal((await s.get('/api/days')).status, 200);
      assert.equal((await s.get('/api/live.m3u8')).status, 200);
      await sleep(3500); // a few reconnect attempts
      assert.equal(s.log.match(/mqtt: broker .* down/g).length, 1);
    } finally {
      await s.stop();
    }
  });

  test('refused credentials: state refused, logged once, HTTP unaffected', async () => {
    const bad = path.join(dir, 'bad.pw');
    fs.writeFileSync(bad, 'wrong\n');
    const s = await startServer(['--root', root, ...mqttArgs(broker.port, dir),
      '--mqtt-password-file', bad]);
    try {
      await until(async () => (await health(s)).state === 'refused');
      assert.equal((await s.get('/api/days')).status, 200);
      await sleep(3500);
      assert.equal(s.log.match(/mqtt: broker .* refused/g).length, 1);
    } finally {
      await s.stop();
    }
  });
});

describe('without MQTT or hooks', SUITE, () => {
  test('no snapshot_cmd: 404 no_snapshot_cmd; health says mqtt off', async () => {
    const dir = tmpdir('camcat-mqtt-');
    const s = await startServer(['--root', dir]);
    try {
      const r = await s.get('/api/snapshot.jpg');
      assert.equal(r.status, 404);
      assert.equal(JSON.parse(r.body).error.code, 'no_snapshot_cmd');
      const h = await health(s);
      assert.deepEqual(h, { enabled: false, state: 'off' });
    } finally {
      await s.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
