// The web UI in headless Chromium against a real camcatd serving a demo tree
// of real H.264 chunks: calendar, playback, the wall clock, timeline seeks,
// motion jumps, and playing through a power cut, a chunk missing on disk and
// a chunk that cannot be decoded.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD = path.resolve(REPO, process.env.CAMCAT_BUILD || 'build');
const CAMCATD = path.join(BUILD, 'camcatd');
const GENTREE = path.join(BUILD, 'camcat-gentree');
// `make www` builds the UI into the plain build folder; a sanitizer build
// (CAMCAT_BUILD=build/san) serves that same UI.
const WWW = [process.env.CAMCAT_WWW, path.join(BUILD, 'www'), path.join(REPO, 'build/www')]
  .find((d) => d && fs.existsSync(path.join(d, 'index.html')));
const ARTIFACTS = path.join(REPO, 'build/test-artifacts');
// playwright-core is a devDependency of the UI package.
const { chromium } = createRequire(path.join(REPO, 'www/package.json'))('playwright-core');

const OFFSET_MIN = 480;
const NOW_S = Date.parse('2025-01-24T15:00:00+08:00') / 1000; // the newest day is still recording
const CHUNK_MS = 2000;
const SLOW = 60000; // a slow 2-core machine, maybe under a sanitizer

const at = (date, hms) => Date.parse(`${date}T${hms}+08:00`);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function get(port, p) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
  });
}

// Polls fn until it returns something truthy; fails with what() otherwise.
async function until(fn, what, timeout = SLOW) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) {
      const why = typeof what === 'function' ? await what() : what;
      throw new Error(`timed out waiting for ${why}; player: ${JSON.stringify(await state())}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

let state = async () => null;

// The stitched playlist as the server sends it: each chunk's media start (the
// sum of the EXTINF before it), duration, PDT (its tag, or implied from the
// previous chunk's PDT plus its EXTINF) and URI.
function parsePlaylist(text) {
  const out = [];
  let start = 0;
  let pdt = null;
  let dur = null;
  let next = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) dur = parseFloat(line.slice(8));
    else if (line && !line.startsWith('#')) {
      const t = pdt ?? next;
      out.push({ start, dur, pdt: t, uri: line.trim() });
      start += dur;
      next = t + dur * 1000;
      pdt = null;
    }
  }
  return out;
}

describe('web UI in Chromium', { timeout: 15 * 60000 }, () => {
  let work;
  let root;
  let srv;
  let srvLog = '';
  let port;
  let base;
  let ctx;
  let page;
  const pageErrors = [];

  before(async () => {
    assert.ok(fs.existsSync(CAMCATD), `${CAMCATD} missing: run make`);
    assert.ok(fs.existsSync(GENTREE), `${GENTREE} missing: run make`);
    assert.ok(WWW, 'the built UI is missing: run make www');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'camcat-browser-'));
    root = path.join(work, 'root');
    const g = spawnSync(GENTREE, ['demo', '--root', root, '--media', path.join(REPO, 'fixtures/media'),
      '--end-date', '2025-01-24', '--now', String(NOW_S), '--offset', '+08:00', '--seed', '1'],
    { encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    // A chunk that cannot be decoded: garbage in place of 2025-01-22's
    // second folder's sixth chunk. The file is a hard link to the fixture
    // media, so it is unlinked first, never written through.
    const bad = path.join(root, '2025-01-22/00002/chunk_00005.ts');
    fs.unlinkSync(bad);
    fs.writeFileSync(bad, Buffer.alloc(188 * 40, 0x5a));

    port = await freePort();
    srv = spawn(CAMCATD, ['--root', root, '--listen', `127.0.0.1:${port}`, '--www', WWW,
      '--cache-dir', path.join(work, 'cache'), '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
    srv.stderr.setEncoding('utf8');
    srv.stderr.on('data', (d) => (srvLog += d));
    base = `http://127.0.0.1:${port}`;
    await until(async () => {
      if (srv.exitCode !== null) throw new Error(`camcatd exited:\n${srvLog}`);
      const r = await get(port, '/api/health').catch(() => null);
      return r && r.status === 200;
    }, '/api/health', 30000);

    ctx = await chromium.launchPersistentContext(path.join(work, 'profile'), {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1280, height: 860 },
      acceptDownloads: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--autoplay-policy=no-user-gesture-required'],
    });
    page = ctx.pages()[0] || (await ctx.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Offline: the UI must ask nothing of any host but ours.
    await page.route('**/*', (r) => (r.request().url().startsWith(base) ? r.continue() : r.abort()));
  });

  after(async () => {
    try {
      if (page) {
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, 'player.png') }).catch(() => {});
      }
      if (ctx) await ctx.close();
    } finally {
      if (srv && srv.exitCode === null) {
        const closed = new Promise((r) => srv.once('close', r));
        process.kill(srv.pid, 'SIGTERM');
        await closed;
      }
      if (work) fs.rmSync(work, { recursive: true, force: true });
    }
  });

  const wall = () => page.evaluate(() => {
    const ms = document.querySelector('[data-testid=wallclock]').dataset.ms;
    return ms ? Number(ms) : null;
  });
  const media = () => page.evaluate(() => {
    const v = document.querySelector('video');
    return { t: v.currentTime, paused: v.paused, seeking: v.seeking,
      wall: Number(document.querySelector('[data-testid=wallclock]').dataset.ms || NaN) };
  });
  state = () => page.evaluate(() => {
    const v = document.querySelector('video');
    const n = document.querySelector('[data-testid=notice]');
    return { hash: location.hash, wall: document.querySelector('[data-testid=wallclock]').textContent,
      t: v.currentTime, paused: v.paused, seeking: v.seeking, readyState: v.readyState, rate: v.playbackRate,
      buffered: Array.from({ length: v.buffered.length }, (_, i) => [v.buffered.start(i), v.buffered.end(i)]),
      notice: n.hidden ? null : n.textContent };
  }).catch((e) => e.message);
  const playlist = async (date) => parsePlaylist((await get(port, `/api/days/${date}/playlist.m3u8`)).body);
  const dayJson = async (date) => JSON.parse((await get(port, `/api/days/${date}`)).body);

  async function pause() {
    if (!(await media()).paused) await page.getByTestId('play').click();
    await until(async () => (await media()).paused, 'pause');
  }

  // Clicks the timeline at wall-clock ms (which must be in view); returns the
  // time under the pixel actually clicked.
  async function clickTimeline(ms) {
    const tl = page.getByTestId('timeline');
    const box = await tl.boundingBox();
    const v = await tl.evaluate((c) => ({ from: Number(c.dataset.from), to: Number(c.dataset.to) }));
    assert.ok(ms > v.from && ms < v.to, `${new Date(ms).toISOString()} is not in the timeline's view`);
    const x = Math.round(((ms - v.from) / (v.to - v.from)) * box.width);
    await page.mouse.click(box.x + x, box.y + 36);
    return v.from + (x / box.width) * (v.to - v.from);
  }

  test('the calendar marks exactly the days with recordings', async () => {
    await page.goto(`${base}/`);
    const tree = fs.readdirSync(root).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) &&
      fs.readdirSync(path.join(root, d)).some((f) => fs.existsSync(path.join(root, d, f, 'index.m3u8')))).sort();
    assert.deepEqual(tree, ['2025-01-22', '2025-01-23', '2025-01-24']);
    await until(() => page.locator('[data-testid=cal-day][data-has="1"]').count(), 'marked days');
    const marked = await page.locator('[data-testid=cal-day][data-has="1"]')
      .evaluateAll((els) => els.map((e) => e.dataset.date));
    assert.deepEqual(marked.sort(), tree);
    assert.equal(await page.getByTestId('cal-title').textContent(), 'January 2025');
    // Every other day of the month is shown, empty and not a button.
    const empty = await page.locator('[data-testid=cal-day]:not([data-has])')
      .evaluateAll((els) => els.map((e) => [e.tagName, e.getAttribute('aria-disabled')]));
    assert.equal(empty.length, 31 - tree.length);
    for (const e of empty) assert.deepEqual(e, ['DIV', 'true']);
    await page.locator('[data-testid=cal-day][data-date="2025-01-10"]').click({ force: true });
    assert.equal(await page.evaluate(() => location.hash), '');
    // Motion counts are the API's.
    for (const d of tree) {
      const n = (await dayJson(d)).motion.length;
      const txt = await page.locator(`[data-testid=cal-day][data-date="${d}"] [data-testid=cal-motion]`).textContent();
      assert.equal(txt, `●${n}`, d);
    }
  });

  test('clicking a day plays it, showing the wall clock of the chunk on screen', async () => {
    await page.locator('[data-testid=cal-day][data-date="2025-01-22"]').click();
    await until(async () => (await page.evaluate(() => location.hash)).startsWith('#/2025-01-22'), 'the URL');
    await until(async () => (await media()).t > 3, 'currentTime to advance past 3 s');
    const chunks = await playlist('2025-01-22');
    const m = await media();
    const c = chunks.findLast((x) => x.start <= m.t);
    const expect = c.pdt + (m.t - c.start) * 1000;
    assert.ok(Math.abs(m.wall - expect) <= CHUNK_MS, `shows ${new Date(m.wall).toISOString()} for media ${m.t}, ` +
      `chunk ${c.uri} starts ${new Date(c.pdt).toISOString()}`);
    // ... and that chunk was really fetched.
    const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    assert.ok(fetched.some((u) => u.endsWith(c.uri)), `${c.uri} never loaded`);
    assert.equal(await page.getByTestId('wall-offset').textContent(), 'UTC+08:00');
    assert.equal(await page.getByTestId('wall-date').textContent(), '2025-01-22');
  });

  test('a timeline click inside the second folder seeks there', async () => {
    await pause();
    // Zoom in on 08:10:40 (inside folder 00002, 08:10:00-08:11:30).
    const target = at('2025-01-22', '08:10:40');
    await page.getByTestId('zoom-1h').click();
    const tl = page.getByTestId('timeline');
    const box = await tl.boundingBox();
    for (let i = 0; i < 12; i++) {
      const v = await tl.evaluate((cv) => ({ from: Number(cv.dataset.from), to: Number(cv.dataset.to) }));
      if (v.to - v.from <= 5 * 60000) break;
      await page.mouse.move(box.x + ((target - v.from) / (v.to - v.from)) * box.width, box.y + 36);
      await page.mouse.wheel(0, -400);
      await until(async () => Number(await tl.getAttribute('data-to')) - Number(await tl.getAttribute('data-from')) <
        v.to - v.from, 'the timeline to zoom in');
    }
    const clicked = await clickTimeline(target);
    await until(async () => {
      const m = await media();
      return !m.seeking && Math.abs(m.wall - clicked) <= CHUNK_MS;
    }, async () => `wall clock near ${new Date(clicked).toISOString()}`);
    await until(async () => (await page.evaluate(() => location.hash)).startsWith('#/2025-01-22/08:10:'),
      'the URL to carry the time');
    await page.getByTestId('play').click();
    const w0 = await wall();
    await until(async () => (await wall()) > w0 + 1000, 'playback to go on after the seek');
  });

  test('keyboard: arrows jump 10 s, space plays', async () => {
    await pause();
    await page.locator('body').click({ position: { x: 5, y: 845 } }); // focus off the buttons
    const w0 = await wall();
    await page.keyboard.press('ArrowRight');
    await until(async () => Math.abs((await wall()) - (w0 + 10000)) <= CHUNK_MS, 'ArrowRight to jump 10 s');
    await page.keyboard.press('Space');
    await until(async () => !(await media()).paused, 'space to play');
  });

  test('a timeline click in a gap lands on the next recording and says so', async () => {
    await page.getByTestId('zoom-24h').click();
    const day = await dayJson('2025-01-22');
    const gap = day.gaps.find((g) => g.end_ms - g.start_ms > 3600000);
    await clickTimeline((gap.start_ms + gap.end_ms) / 2);
    await until(async () => Math.abs((await wall()) - gap.end_ms) <= CHUNK_MS, 'the seek to the next recording');
    assert.match(await page.getByTestId('notice').textContent(), /No recording at .* jumped to 12:30:00/);
  });

  test('snapshot saves the frame as a PNG named by the wall clock', async () => {
    await pause();
    const w = await wall();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('snapshot').click()]);
    const t = new Date(w + OFFSET_MIN * 60000).toISOString().slice(0, 19).replaceAll(':', '-');
    assert.equal(dl.suggestedFilename(), `camera-${t}.png`);
    const file = await dl.path();
    const png = fs.readFileSync(file);
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    // 320x180: the camera's frame, not the page's size.
    assert.equal(png.readUInt32BE(16), 320);
    assert.equal(png.readUInt32BE(20), 180);
  });

  test('next motion jumps to the next event', async () => {
    const motion = (await dayJson('2025-01-22')).motion.map((m) => m.start_ms).sort((a, b) => a - b);
    for (let i = 0; i < 2; i++) {
      await pause();
      const now = await wall();
      const next = motion.find((t) => t > now + 1000);
      assert.ok(next, 'a later motion event');
      await page.getByTestId('next-motion').click();
      await until(async () => Math.abs((await wall()) - next) <= CHUNK_MS,
        async () => `the wall clock at ${new Date(next).toISOString()} (shows ${new Date(await wall()).toISOString()})`);
    }
  });

  test('a chunk that cannot be decoded is skipped', async () => {
    // chunk_00005 of 00002 is 08:10:10-08:10:12.
    await page.evaluate(() => {
      window.notices = [];
      const n = document.querySelector('[data-testid=notice]');
      new MutationObserver(() => n.hidden || window.notices.push(n.textContent))
        .observe(n, { attributes: true, childList: true, characterData: true, subtree: true });
      location.hash = '#/2025-01-22/08:10:06';
    });
    await until(async () => Math.abs((await wall()) - at('2025-01-22', '08:10:06')) <= CHUNK_MS, 'the seek to 08:10:06');
    if ((await media()).paused) await page.getByTestId('play').click();
    await until(async () => (await wall()) > at('2025-01-22', '08:10:14'), async () =>
      `playback past the bad chunk (at ${new Date(await wall()).toISOString()})`);
    const notices = await page.evaluate(() => window.notices);
    assert.ok(notices.some((n) => /08:10:10 could not be played/.test(n)), `notices: ${notices}`);
  });

  test('the power-cut day plays through the missing chunk and the cut folder', async () => {
    const day = await dayJson('2025-01-23');
    const cut = day.segments.find((s) => s.state === 'interrupted');
    assert.ok(cut, 'a folder cut by a power failure');
    assert.ok(day.segments.some((s) => s.missing_chunks > 0), 'a chunk missing on disk');
    // 00004's chunk 20 (08:00:40) is missing: start just before it at 8x.
    await page.evaluate(() => (location.hash = '#/2025-01-23/08:00:34'));
    await until(async () => (await page.getByTestId('wall-date').textContent()) === '2025-01-23', 'the day to open');
    while ((await page.getByTestId('speed').textContent()) !== '8×') await page.getByTestId('speed').click();
    await until(async () => (await wall()) > at('2025-01-23', '08:00:46'), async () =>
      `playback past the missing chunk (at ${new Date(await wall()).toISOString()})`);
    // Near the end of the cut folder: on into the next one (12:30).
    await pause();
    await page.evaluate((h) => (location.hash = h), `#/2025-01-23/08:11:20`);
    await until(async () => Math.abs((await wall()) - at('2025-01-23', '08:11:20')) <= CHUNK_MS, 'the seek to 08:11:20');
    await page.getByTestId('play').click();
    await until(async () => (await wall()) >= day.segments[2].start_ms, async () =>
      `playback past the end of the cut folder (at ${new Date(await wall()).toISOString()})`);
    assert.equal((await media()).paused, false);
    assert.deepEqual(pageErrors, []);
  });

  test('a browser clock 3 h behind the camera: the UI offers a sync and reports the outcome', async () => {
    // A second page whose Date says three hours ago (timers keep running).
    const p2 = await ctx.newPage();
    try {
      await p2.clock.setFixedTime(Date.now() - 3 * 3600000);
      await p2.route('**/*', (r) => (r.request().url().startsWith(base) ? r.continue() : r.abort()));
      await p2.goto(`${base}/`);
      const text = () => p2.getByTestId('clock-sync-text').textContent();
      await until(async () => (await text()) === 'camera clock is 3 h 00 min ahead', async () =>
        `the sync offer (got "${await text()}")`);
      await p2.getByTestId('clock-sync-btn').click();
      // The server runs with the default clock = report.
      await until(async () => (await text()).startsWith('report mode: would set the clock (3 h 00 min off)'),
        async () => `the report-mode answer (got "${await text()}")`);
      assert.equal(await p2.getByTestId('clock-sync-btn').isHidden(), true);
    } finally {
      await p2.close();
    }
  });

  test('a day without recordings says so', async () => {
    await page.evaluate(() => (location.hash = '#/2025-01-10'));
    await until(async () => (await page.getByTestId('player-message').textContent()).includes('No recordings on 2025-01-10'),
      'the no-recordings message');
    await page.evaluate(() => (location.hash = '#/2025-01-22/08:00:30'));
    await until(async () => Math.abs((await wall()) - at('2025-01-22', '08:00:30')) <= 3 * CHUNK_MS, 'the player back');
    await until(async () => (await media()).t > 31, 'playback');
  });

  // The demo's newest folder is recording: it gets a new chunk every 2 s
  // (hard links to its own earlier chunks) with the PDTs running on.
  const liveDir = () => path.join(root, '2025-01-24/00010');
  const pad = (i) => String(i).padStart(5, '0');
  const isoPlus8 = (ms) => new Date(ms + OFFSET_MIN * 60000).toISOString().replace('Z', '+08:00');

  test('Live plays the recording folder near its live edge; back to live; to a day and back', async () => {
    const dir = liveDir();
    const pl = path.join(dir, 'index.m3u8');
    let n = 200;
    let t = at('2025-01-24', '15:00:00');
    const grow = () => {
      fs.linkSync(path.join(dir, `chunk_${pad(n - 15)}.ts`), path.join(dir, `chunk_${pad(n)}.ts`));
      fs.appendFileSync(pl, `#EXT-X-PROGRAM-DATE-TIME:${isoPlus8(t)}\n#EXTINF:2.000000,\nchunk_${pad(n)}.ts\n`);
      n++;
      t += CHUNK_MS;
    };
    grow();
    const timer = setInterval(grow, CHUNK_MS);
    try {
      await page.getByTestId('live').click();
      await until(async () => (await page.evaluate(() => location.hash)) === '#/live', 'the URL');
      await until(async () => !(await media()).paused && (await media()).t > 0, 'live playback');
      const t0 = (await media()).t;
      await until(async () => (await media()).t > t0 + 2, 'live currentTime to advance');
      // The wall clock shows the newest chunks' time, not the start of the day.
      const w = await wall();
      assert.ok(w >= at('2025-01-24', '14:59:30') && w <= t + CHUNK_MS,
        `live shows ${new Date(w).toISOString()}`);
      await until(() => page.getByTestId('live-badge').isVisible(), 'the LIVE badge');
      assert.equal(await page.getByTestId('back-to-live').isVisible(), false);
      // Pausing offers the way back; it plays again near the edge.
      await pause();
      await until(() => page.getByTestId('back-to-live').isVisible(), 'back to live after pausing');
      await page.getByTestId('back-to-live').click();
      await until(async () => !(await media()).paused, 'playing after back to live');
      await until(async () => !(await page.getByTestId('back-to-live').isVisible()), 'back to live hidden');
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'live.png') });
      // A recorded day and back: the same player, no reload.
      await page.locator('[data-testid=cal-day][data-date="2025-01-22"]').click();
      await until(async () => (await wall()) !== null && (await wall()) < at('2025-01-23', '00:00:00'), 'the recorded day');
      await page.getByTestId('live').click();
      await until(async () => (await wall()) >= at('2025-01-24', '14:59:30') && !(await media()).paused, 'live again');
      assert.deepEqual(pageErrors, []);
    } finally {
      clearInterval(timer);
    }
  });

  test('Live says "camera is not recording" when nothing records', async () => {
    // The recording folder stopped changing an hour ago (a power cut).
    const hourAgo = new Date(Date.now() - 3600000);
    fs.utimesSync(path.join(liveDir(), 'index.m3u8'), hourAgo, hourAgo);
    await page.evaluate(() => (location.hash = '#/2025-01-22'));
    await until(async () => (await wall()) !== null && (await wall()) < at('2025-01-23', '00:00:00'), 'the recorded day');
    await page.getByTestId('live').click();
    await until(async () => (await page.evaluate(() => location.hash)) === '#/live', 'the URL');
    await until(async () => (await page.getByTestId('player-message').textContent()).includes('camera is not recording'),
      'the not-recording message');
    assert.equal(await page.getByTestId('player-message').isVisible(), true);
    assert.deepEqual(pageErrors, []);
  });
});
