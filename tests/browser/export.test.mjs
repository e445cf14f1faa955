// The clip download in headless Chromium: the panel opens on a minute from
// the play head, shows the clip on the timeline, downloads the server's file,
// and says why when the clip is too long (camcatd --export-max-s 90).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD = path.resolve(REPO, process.env.CAMCAT_BUILD || 'build');
const CAMCATD = path.join(BUILD, 'camcatd');
const GENTREE = path.join(BUILD, 'camcat-gentree');
const WWW = [process.env.CAMCAT_WWW, path.join(BUILD, 'www'), path.join(REPO, 'build/www')]
  .find((d) => d && fs.existsSync(path.join(d, 'index.html')));
const { chromium } = createRequire(path.join(REPO, 'www/package.json'))('playwright-core');
const SLOW = 60000;

async function until(fn, what, timeout = SLOW) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function head(port, p) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'HEAD', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('clip download in the web UI', { timeout: 10 * 60000 }, () => {
  let work;
  let srv;
  let srvLog = '';
  let port;
  let ctx;
  let page;

  before(async () => {
    assert.ok(WWW, 'the built UI is missing: run make www');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'camcat-export-ui-'));
    const root = path.join(work, 'root');
    const g = spawnSync(GENTREE, ['demo', '--root', root, '--media', path.join(REPO, 'fixtures/media'),
      '--end-date', '2025-01-24', '--days', '1', '--offset', '+08:00', '--seed', '1',
      '--now', String(Date.parse('2025-01-24T23:00:00+08:00') / 1000)], { encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    srv = spawn(CAMCATD, ['--root', root, '--listen', '127.0.0.1:0', '--www', WWW, '--export-max-s', '90',
      '--cache-dir', path.join(work, 'cache')], { stdio: ['ignore', 'ignore', 'pipe'] });
    srv.stderr.setEncoding('utf8');
    port = await new Promise((resolve, reject) => {
      srv.stderr.on('data', (d) => {
        srvLog += d;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(srvLog);
        if (m) resolve(Number(m[1]));
      });
      srv.once('exit', () => reject(new Error(`camcatd exited:\n${srvLog}`)));
    });
    ctx = await chromium.launchPersistentContext(path.join(work, 'profile'), {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1280, height: 860 },
      acceptDownloads: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--autoplay-policy=no-user-gesture-required'],
    });
    page = ctx.pages()[0] || (await ctx.newPage());
  });

  after(async () => {
    if (ctx) await ctx.close();
    if (srv && srv.exitCode === null) {
      const closed = new Promise((r) => srv.once('close', r));
      process.kill(srv.pid, 'SIGTERM');
      await closed;
    }
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('a minute from the play head downloads as the server names it; too long says so', async () => {
    await page.goto(`http://127.0.0.1:${port}/#/2025-01-24/08:00:20`);
    const wall = () => page.evaluate(() => Number(document.querySelector('[data-testid=wallclock]').dataset.ms || 0));
    await until(wall, 'the wall clock');
    if (await page.evaluate(() => !document.querySelector('video').paused)) await page.getByTestId('play').click();
    await page.getByTestId('export').click();
    const panel = page.getByTestId('clip-panel');
    await until(() => panel.isVisible(), 'the clip panel');
    const from = await page.getByTestId('clip-from').inputValue();
    const to = await page.getByTestId('clip-to').inputValue();
    assert.match(from, /^08:00:\d\d$/);
    assert.equal(await page.getByTestId('clip-length').textContent(), '1 min 0 s');
    assert.equal(to, `08:01:${from.slice(6)}`);

    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('clip-download').click()]);
    assert.equal(dl.suggestedFilename(), `camera-2025-01-24T${from.replace(/:/g, '-')}.ts`);
    const file = path.join(work, 'clip.ts');
    await dl.saveAs(file);
    const h = await head(port, new URL(dl.url()).pathname + new URL(dl.url()).search);
    assert.equal(fs.statSync(file).size, Number(h.headers['content-length']));
    assert.match(await page.getByTestId('clip-message').textContent(), /^Downloading camera-/);

    // Past export_max_s: a message, no download.
    await page.getByTestId('clip-to').fill('08:05:00');
    await page.getByTestId('clip-to').dispatchEvent('change');
    assert.match(await page.getByTestId('clip-length').textContent(), /^4 min/);
    await page.getByTestId('clip-download').click();
    const msg = page.getByTestId('clip-message');
    await until(async () => /Too long/.test(await msg.textContent()), 'the 413 message');
    assert.match(await msg.textContent(), /at most 90 s/);
    assert.equal(await msg.getAttribute('data-kind'), 'error');

    await page.getByTestId('clip-close').click();
    assert.equal(await panel.isVisible(), false);
  });
});
