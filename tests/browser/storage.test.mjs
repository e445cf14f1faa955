// The storage panel in headless Chromium: how full the card is and what the
// policy keeps, and deleting a closed day (after a confirmation), which the
// day still being recorded refuses.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBrowser, serveDemo, until } from './lib.mjs';

function getJson(port, p) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

describe('storage panel in the web UI', { timeout: 10 * 60000 }, () => {
  let demo;
  let ctx;
  let page;

  before(async () => {
    // The newest day is still being recorded at 15:00.
    demo = await serveDemo('storage-ui', { days: 3, endDate: '2025-01-24', nowIso: '2025-01-24T15:00:00+08:00',
      args: ['--retain-days', '30', '--sweep-dry-run'] });
    ({ ctx, page } = await openBrowser(demo.work));
  });

  after(async () => {
    if (ctx) await ctx.close();
    if (demo) await demo.stop();
  });

  test('shows free space and policy; deletes a closed day; refuses the recording day', async () => {
    const dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.accept();
    });
    await page.goto(`http://127.0.0.1:${demo.port}/#/2025-01-22`);
    const text = page.getByTestId('storage-text');
    await until(async () => /free of/.test((await text.textContent()) || ''), 'the storage line');
    assert.match(await text.textContent(), /keeps 30 days \(dry run: nothing is deleted\)/);
    assert.match(await text.textContent(), /2025-01-22 to 2025-01-24/);

    const del = page.getByTestId('delete-day');
    await until(async () => (await del.textContent()) === 'Delete 2025-01-22', 'the delete button');
    assert.equal(await del.isEnabled(), true);
    const dayDir = path.join(demo.root, '2025-01-22');
    assert.ok(fs.existsSync(dayDir));
    await del.click();
    const msg = page.getByTestId('storage-message');
    await until(async () => /deleted/.test((await msg.textContent()) || ''), async () => `the deleted message, not "${await msg.textContent()}"`);
    assert.deepEqual(dialogs, ['Delete every recording of 2025-01-22? This cannot be undone.']);
    assert.equal(fs.existsSync(dayDir), false);
    const days = (await getJson(demo.port, '/api/days')).days.map((d) => d.date);
    assert.deepEqual(days, ['2025-01-23', '2025-01-24']);
    // The calendar no longer offers the day; the player is back to "pick a day".
    await until(() => page.evaluate(() =>
      !document.querySelector('[data-date="2025-01-22"][data-has]')), 'the calendar without the day');
    await until(async () => /#\/$/.test(page.url()), 'the calendar view');

    await page.goto(`http://127.0.0.1:${demo.port}/#/2025-01-24`);
    await until(async () => (await del.textContent()) === 'Delete 2025-01-24', 'the newest day');
    assert.equal(await del.isEnabled(), false);
    assert.match(await del.getAttribute('title'), /still being recorded/);
    assert.ok(fs.existsSync(path.join(demo.root, '2025-01-24')));
  });
});
