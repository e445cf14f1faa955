// Measures (asserts nothing) how long a normal GET /api/health takes while N
// connections dribble a request header, one line every 2 s, as in issue 16.
//
//   node tools/slowclients.mjs [--build DIR] [--conns N] [--one-address] [--asks K]
//                              [-- camcatd flags...]
//
// Each dribbler speaks from its own loopback address (127.0.0.2, .3, ...)
// unless --one-address (all from 127.0.0.2). Prints the time of K health
// requests from 127.0.0.1 made one after another once every dribbler has
// sent two lines, and camcatd's resident memory before and during.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const opts = dash >= 0 ? argv.slice(0, dash) : argv;
const opt = (k, d) => { const i = opts.indexOf(k); return i >= 0 ? opts[i + 1] : d; };
if (opt('--build')) process.env.CAMCAT_BUILD = path.resolve(opt('--build'));
// After CAMCAT_BUILD is set: lib.mjs reads it when loaded.
const { copyFixture, startServer, tmpdir } = await import('../tests/http/lib.mjs');
const CONNS = Number(opt('--conns', 50));
const ASKS = Number(opt('--asks', 5));
const ONE = opts.includes('--one-address');

function rssKiB(pid) {
  const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return `${/VmRSS:\s+(\d+)/.exec(st)[1]} KiB, ${/Threads:\s+(\d+)/.exec(st)[1]} threads`;
}

function health(port) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({ host: '127.0.0.1', port, path: '/api/health', agent: false, timeout: 30000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.statusCode }));
    });
    req.on('timeout', () => { req.destroy(); resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: 'timeout' }); });
    req.on('error', (e) => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: e.code }));
  });
}

const work = tmpdir('camcat-slow-');
const srv = await startServer(['--root', copyFixture('normal', path.join(work, 'rec')), ...extra]);
console.log(`camcatd ${process.env.CAMCAT_BUILD || 'build'} ${extra.join(' ')}: idle ${rssKiB(srv.proc.pid)}`);
const socks = [];
const timers = [];
for (let k = 0; k < CONNS; k++) {
  const s = net.connect({ host: '127.0.0.1', port: srv.port, localAddress: ONE ? '127.0.0.2' : `127.0.0.${2 + k}` });
  s.on('error', () => {});
  s.on('close', () => { s.gone = true; });
  s.lines = 0;
  s.write('GET /api/health HTTP/1.1\r\n');
  s.lines++;
  timers.push(setInterval(() => { if (!s.destroyed) { s.write(`X-Slow-${s.lines++}: ${k}\r\n`); } }, 2000));
  socks.push(s);
}
// A connection refused over max_client_conns is closed: it dribbles no more.
while (!socks.every((s) => s.lines >= 2 || s.gone)) await new Promise((r) => setTimeout(r, 50));
const times = [];
for (let i = 0; i < ASKS; i++) {
  const r = await health(srv.port);
  times.push(r);
}
const refused = socks.filter((s) => s.gone).length;
console.log(`${CONNS} dribblers${ONE ? ' from one address' : ''} (${refused} closed by the server): health ${times.map((t) => `${t.ms.toFixed(1)} ms (${t.status})`).join(', ')}`);
console.log(`during: ${rssKiB(srv.proc.pid)}`);
timers.forEach(clearInterval);
socks.forEach((s) => s.destroy());
await srv.stop();
fs.rmSync(work, { recursive: true, force: true });
