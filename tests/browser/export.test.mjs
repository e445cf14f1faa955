// The clip download in headless Chromium: the panel opens on a minute from
// the play head, shows the clip on the timeline, downloads the server's file,
// and says why when the clip is too long (camcatd --export-max-s 90).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBrowser, serveDemo, until } from './lib.mjs';

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
  let demo;
  let work;
  let port;
  let ctx;
  let page;

  before(async () => {
    demo = await serveDemo('export-ui', { days: 1, endDate: '2025-01-24', nowIso: '2025-01-24T23:00:00+08:00',
      args: ['--export-max-s', '90'] });
    ({ work, port } = demo);
    ({ ctx, page } = await openBrowser(work));
  });

  after(async () => {
    if (ctx) await ctx.close();
    if (demo) await demo.stop();
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
    assert.match(await msg.textContent(), /at most 1 min 30 s\. Choose a shorter clip/);
    assert.doesNotMatch(await msg.textContent(), /export_max_s/); // a config key means nothing here
    assert.equal(await msg.getAttribute('data-kind'), 'error');

    await page.getByTestId('clip-close').click();
    assert.equal(await panel.isVisible(), false);
  });
});
