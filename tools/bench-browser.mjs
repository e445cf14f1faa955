// bench-browser.mjs BUILD KVFILE — the browser's time to first frame, for
// `make bench` (tools/bench.sh): playwright-core driving Debian's chromium
// against a real camcatd on loopback. Markdown to stdout, key=value pairs to
// KVFILE. A yardstick, not a test: nothing here asserts a time.
//
// - A 1-hour and a 24-hour day of real H.264 chunks (fixtures/media, hard
//   links cycled), one folder each, 2 s chunks with PDT on every chunk as a
//   camera writes them: the UI opened at /#/DAY in a fresh browser context,
//   from navigation to the first video frame presented.
// - A demo day (camcat-gentree demo): the UI showing another day, from the
//   click on the day in the calendar to the first frame of the new day.
// Each is the median of RUNS (5) runs, the cases interleaved so a burst of
// load on the shared machine spreads over all of them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [build = 'build', kvPath] = process.argv.slice(2);
process.env.CAMCAT_BUILD = build;
const { REPO, WWW, chromium, serveDemo } = await import('../tests/browser/lib.mjs');
const { startServer } = await import('../tests/http/lib.mjs');
const RUNS = Number(process.env.BENCH_BROWSER_RUNS || 5);
const TIMEOUT = 120000;
const OFF = '+08:00';

// Marks, in performance.now() time of the page: every media load start, and
// the first frame presented after each (requestVideoFrameCallback).
const HOOK = () => {
  window.__loads = [];
  const hook = (v) => {
    if (v.__benchHooked) return;
    v.__benchHooked = true;
    v.addEventListener('loadstart', () => {
      const mark = { at: performance.now(), frame: null };
      window.__loads.push(mark);
      v.requestVideoFrameCallback(() => { mark.frame = performance.now(); });
    });
  };
  new MutationObserver(() => document.querySelectorAll('video').forEach(hook))
    .observe(document, { childList: true, subtree: true });
};

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ROOT/DAY/00001/index.m3u8 of n 2-second chunks from local midnight, each
// chunk a hard link to one of the fixture media chunks in turn.
function writeDay(root, day, n) {
  const dir = path.join(root, day, '00001');
  fs.mkdirSync(dir, { recursive: true });
  const media = fs.readdirSync(path.join(REPO, 'fixtures/media')).filter((f) => f.endsWith('.ts')).sort();
  const t0 = Date.parse(`${day}T00:00:00${OFF}`);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:0'];
  for (let i = 0; i < n; i++) {
    const local = new Date(t0 + i * 2000 + 8 * 3600000).toISOString().replace('Z', OFF);
    const name = `seg${String(i).padStart(5, '0')}.ts`;
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${local}`, '#EXTINF:2.000000,', name);
    fs.linkSync(path.join(REPO, 'fixtures/media', media[i % media.length]), path.join(dir, name));
  }
  lines.push('#EXT-X-ENDLIST', '');
  fs.writeFileSync(path.join(dir, 'index.m3u8'), lines.join('\n'));
}

function serve(root, work) {
  return startServer(['--root', root, '--www', WWW, '--cache-dir', path.join(work, 'cache')]);
}

async function firstFrameAfter(page, since) {
  const h = await page.waitForFunction((t) => {
    const l = window.__loads.filter((m) => m.at >= t && m.frame !== null);
    return l.length ? l[0].frame : null;
  }, since, { timeout: TIMEOUT, polling: 20 });
  return h.jsonValue();
}

// Navigation to /#/DAY in a fresh context, to the first frame (ms).
async function openDay(browser, port, day) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    await ctx.addInitScript(HOOK);
    const page = await ctx.newPage();
    await page.goto(`http://127.0.0.1:${port}/#/${day}`);
    return await firstFrameAfter(page, 0);
  } finally {
    await ctx.close();
  }
}

// The UI at /#/from; the click on `to` in the calendar, to its first frame (ms).
async function clickDay(browser, port, from, to) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    await ctx.addInitScript(HOOK);
    const page = await ctx.newPage();
    await page.goto(`http://127.0.0.1:${port}/#/${from}`);
    await firstFrameAfter(page, 0);
    const cell = page.locator(`[data-testid=cal-day][data-date="${to}"]`);
    await cell.waitFor({ timeout: TIMEOUT });
    const t0 = await page.evaluate(() => performance.now());
    await cell.click();
    return (await firstFrameAfter(page, t0)) - t0;
  } finally {
    await ctx.close();
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'camcat-bench-browser-'));
const root = path.join(work, 'root');
const H1 = '2025-01-23';
const H24 = '2025-01-24';
writeDay(root, H1, 1800);
writeDay(root, H24, 43200);
const srv = await serve(root, work);
const demo = await serveDemo('bench-click', { days: 3, endDate: '2025-01-24', nowIso: '2025-01-24T15:00:00+08:00' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required'],
});
const t = { h1: [], h24: [], click: [] };
try {
  // The first open of each day builds its index: not what a user waits for
  // twice, so one untimed round first.
  await openDay(browser, srv.port, H1);
  await openDay(browser, srv.port, H24);
  await clickDay(browser, demo.port, '2025-01-24', '2025-01-23');
  for (let r = 0; r < RUNS; r++) {
    t.h1.push(await openDay(browser, srv.port, H1));
    t.h24.push(await openDay(browser, srv.port, H24));
    t.click.push(await clickDay(browser, demo.port, r % 2 ? '2025-01-23' : '2025-01-24',
      r % 2 ? '2025-01-22' : '2025-01-23'));
  }
} finally {
  await browser.close();
  await srv.stop();
  await demo.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
const m = { h1: median(t.h1), h24: median(t.h24), click: median(t.click) };
const fmt = (v) => v.map((x) => x.toFixed(0)).join(', ');
const chromiumVersion = spawnSync(process.env.CHROMIUM || '/usr/bin/chromium', ['--version'],
  { encoding: 'utf8' }).stdout.trim();
console.log(`${chromiumVersion}, headless, loopback; median of ${RUNS} runs, each in a fresh browser context.`);
console.log('');
console.log('| Case | Median | Runs (ms) |');
console.log('|---|---|---|');
console.log(`| \`/#/${H1}\`: 1-hour day (1,800 chunks), navigation to first frame | ${m.h1.toFixed(0)} ms | ${fmt(t.h1)} |`);
console.log(`| \`/#/${H24}\`: 24-hour day (43,200 chunks), navigation to first frame | ${m.h24.toFixed(0)} ms | ${fmt(t.h24)} |`);
console.log(`| Demo day: click in the calendar to first frame | ${m.click.toFixed(0)} ms | ${fmt(t.click)} |`);
if (kvPath) {
  fs.writeFileSync(kvPath, `first_frame_1h_ms=${m.h1.toFixed(1)}\nfirst_frame_24h_ms=${m.h24.toFixed(1)}\n` +
    `first_frame_click_ms=${m.click.toFixed(1)}\n`);
}
assert.ok(Number.isFinite(m.h24));
