// A stream pushed by ffmpeg (POST /api/ingest, real time) seen as a user sees
// it in headless Chromium: while it runs, Live plays it near its live edge;
// once it ends, the calendar's day holds one recording that plays. Written
// against what the page shows (roles, labels, visible text), not its modules.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startServer, tmpdir } from '../http/lib.mjs';
import { REPO, WWW, openBrowser, until } from './lib.mjs';

const ARTIFACTS = path.join(REPO, 'build/test-artifacts');
const SECONDS = 16;
// The frame's own wall clock and number burnt in, so a screenshot shows what
// plays; plain testsrc2 where ffmpeg has no drawtext or no font.
const LABEL = "drawtext=text='%{localtime\\:%T} frame %{n}':fontsize=28:fontcolor=white:box=1:boxcolor=black:x=16:y=16";
const SRC = 'testsrc2=size=640x360:rate=30';

function source() {
  const probe = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', `${SRC},${LABEL}`,
    '-frames:v', '1', '-f', 'null', '-']);
  return probe.status === 0 ? `${SRC},${LABEL}` : SRC;
}

function push(url) {
  return spawn('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', source(),
    '-t', String(SECONDS), '-c:v', 'libx264', '-g', '30', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-f', 'mpegts', '-method', 'POST', url], { stdio: ['ignore', 'ignore', 'pipe'] });
}

// Local date of now, as the recording folder and the calendar name it.
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// Seconds between the player's visible "HH:MM:SS" and the local time now.
function behindNow(text) {
  const m = /^(\d\d):(\d\d):(\d\d)/.exec(text);
  if (!m) return Infinity;
  const d = new Date();
  const now = d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds();
  return (now - (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) + 86400) % 86400;
}

describe('a pushed stream in the web UI', { timeout: 10 * 60000 }, () => {
  let work; let srv; let ctx; let page; let ff; let ffDone;
  const pageErrors = [];

  before(async () => {
    assert.ok(WWW, 'the built UI is missing: run make www');
    work = tmpdir('camcat-ingest-ui-');
    const root = path.join(work, 'root');
    fs.mkdirSync(root);
    srv = await startServer(['--root', root, '--www', WWW, '--log-level', 'info']);
    ({ ctx, page } = await openBrowser(work));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.route('**/*', (r) => (r.request().url().startsWith(srv.base) ? r.continue() : r.abort()));
    // The page counts the video's 'playing' events: what the player reports.
    await page.addInitScript(() => {
      window.playingEvents = 0;
      document.addEventListener('playing', () => window.playingEvents++, true);
    });
    await page.goto(`${srv.base}/`);
  });

  after(async () => {
    if (ff && ff.exitCode === null) process.kill(ff.pid, 'SIGKILL');
    if (ctx) await ctx.close();
    if (srv) await srv.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const video = () => page.locator('video').evaluate((v) => ({ t: v.currentTime, paused: v.paused }));
  const clock = () => page.getByTestId('wallclock').textContent();

  test('while ffmpeg pushes, Live plays near the live edge', async () => {
    ff = push(`${srv.base}/api/ingest`);
    let err = '';
    ff.stderr.on('data', (d) => (err += d));
    ffDone = new Promise((resolve) => ff.once('close', (code) => resolve({ code, err })));
    // Two chunks listed: the live playlist has something to play.
    await until(async () => /seg\d{5}\.ts[\s\S]*seg\d{5}\.ts/.test((await srv.get('/api/live.m3u8')).body),
      'two live chunks', 30000);
    await page.getByRole('button', { name: 'Live' }).click();
    await until(async () => !(await video()).paused && (await video()).t > 0, 'live playback');
    const t0 = (await video()).t;
    await until(async () => (await video()).t > t0 + 2, 'live currentTime to advance 2 s');
    assert.ok(await page.evaluate(() => window.playingEvents) > 0, 'the video reported playing');
    await until(() => page.getByText('● LIVE').isVisible(), 'the LIVE badge');
    assert.equal(ff.exitCode, null, 'ffmpeg still pushing while Live played');
    // The visible clock is the chunks' PDT: the wall clock at the push, a few
    // chunks behind now at most.
    const behind = behindNow(await clock());
    assert.ok(behind <= 12, `live shows ${await clock()}, ${behind} s behind now`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'ingest-live.png') });
  });

  test('after it ends, the day holds one closed recording that plays', async () => {
    const { code, err } = await ffDone;
    assert.equal(code, 0, err);
    await page.goto(`${srv.base}/`);
    await page.reload();
    const day = page.getByRole('gridcell', { name: new RegExp(`^${today()}: .* in 1 recording,`) });
    await until(() => day.isVisible(), `${today()} with one recording in the calendar`);
    const label = await day.getAttribute('aria-label');
    const m = /: (\d+) s recorded/.exec(label);
    if (m) assert.ok(Math.abs(Number(m[1]) - SECONDS) <= 2, label);
    await day.click();
    await until(async () => (await page.evaluate(() => location.hash)).startsWith(`#/${today()}`), 'the day view');
    await until(async () => !(await video()).paused && (await video()).t > 3, 'playback past 3 s');
    // The recording is closed: no LIVE badge, the clock runs in its past.
    assert.equal(await page.getByText('● LIVE').isVisible(), false);
    assert.ok(behindNow(await clock()) >= 1, `the day view shows ${await clock()}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'ingest-playback.png') });
    assert.deepEqual(pageErrors, []);
    const d = JSON.parse((await srv.get(`/api/days/${today()}`)).body);
    assert.equal(d.segments.length, 1);
    assert.equal(d.segments[0].state, 'closed');
  });
});
