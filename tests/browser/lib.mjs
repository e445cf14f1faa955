// What the browser suites share: where things are, a demo tree served by a
// real camcatd on a free loopback port, and a headless Chromium profile.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from '../http/lib.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = path.resolve(REPO, process.env.CAMCAT_BUILD || 'build');
export const CAMCATD = path.join(BUILD, 'camcatd');
export const GENTREE = path.join(BUILD, 'camcat-gentree');
// `make www` builds the UI into the plain build folder; a sanitizer build
// (CAMCAT_BUILD=build/san) serves that same UI.
export const WWW = [process.env.CAMCAT_WWW, path.join(BUILD, 'www'), path.join(REPO, 'build/www')]
  .find((d) => d && fs.existsSync(path.join(d, 'index.html')));
// playwright-core is a devDependency of the UI package.
export const { chromium } = createRequire(path.join(REPO, 'www/package.json'))('playwright-core');
export const SLOW = 60000; // a slow 2-core machine, maybe under a sanitizer

// Polls fn until it returns something truthy.
export async function until(fn, what, timeout = SLOW) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'function' ? await what() : what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A demo tree (camcat-gentree demo, +08:00) in a new temporary folder, served
// by camcatd with extra args. Returns {work, root, port, log(), stop()}.
export async function serveDemo(tag, { days, endDate, nowIso, args = [] }) {
  assert.ok(WWW, 'the built UI is missing: run make www');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `camcat-${tag}-`));
  const root = path.join(work, 'root');
  const g = spawnSync(GENTREE, ['demo', '--root', root, '--media', path.join(REPO, 'fixtures/media'),
    '--end-date', endDate, '--days', String(days), '--offset', '+08:00', '--seed', '1',
    '--now', String(Date.parse(nowIso) / 1000)], { encoding: 'utf8' });
  assert.equal(g.status, 0, g.stderr);
  const srv = await startServer(['--root', root, '--www', WWW, '--cache-dir', path.join(work, 'cache'),
    ...args]);
  const stop = async () => {
    await srv.stop();
    fs.rmSync(work, { recursive: true, force: true });
  };
  return { work, root, port: srv.port, log: () => srv.log, stop };
}

// Headless Chromium with its own profile under work; mobile: a phone's
// touch screen and meta-viewport handling.
export async function openBrowser(work, { viewport = { width: 1280, height: 860 }, mobile = false } = {}) {
  const ctx = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport,
    ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 3 } : {}),
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  return { ctx, page };
}
