// Issue 13's UI: the keyframe under the pointer on the timeline, each
// recording's properties, the motion event list (thumbnail, time-lapse on
// hover, click seeks) and issue 14's log panel, against a real camcatd over
// the demo tree (+08:00; its pictures have the time burnt in).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO, openBrowser, serveDemo, until } from './lib.mjs';

const ARTIFACTS = path.join(REPO, 'build/test-artifacts');
const DATE = '2025-01-22';
const hms = (ms) => new Date(ms + 480 * 60000).toISOString().slice(11, 19);

// The day's chunks from its playlist: [{start, end}] in wall-clock ms.
async function chunks(base) {
  const text = await (await fetch(`${base}/api/days/${DATE}/playlist.m3u8`)).text();
  const out = [];
  let pdt = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:') && pdt !== null) {
      out.push({ start: pdt, end: pdt + Number(line.slice(8).split(',')[0]) * 1000 });
      pdt = null;
    }
  }
  return out;
}

// Luminance spread of a canvas: a blank or single-colour one reads about 0.
function spread(sel) {
  const cv = document.querySelector(sel);
  const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  let s = 0;
  let s2 = 0;
  const n = d.length / 4;
  for (let i = 0; i < d.length; i += 4) {
    const y = 0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2];
    s += y;
    s2 += y * y;
  }
  return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
}

for (const [name, opts] of [['desktop', { viewport: { width: 1280, height: 860 } }],
  ['phone', { viewport: { width: 390, height: 844 }, mobile: true }]]) {
  describe(`thumbnails and events, ${name} (issue 13)`, { timeout: 10 * 60000 }, () => {
    let demo;
    let ctx;
    let page;
    let base;
    let day;
    const pageErrors = [];
    const wall = () => page.evaluate(() => Number(document.querySelector('[data-testid=wallclock]').dataset.ms) || null);

    before(async () => {
      demo = await serveDemo(`thumbs-${name}`, { days: 1, endDate: DATE, nowIso: `${DATE}T23:00:00+08:00` });
      base = `http://127.0.0.1:${demo.port}`;
      day = await (await fetch(`${base}/api/days/${DATE}`)).json();
      ({ ctx, page } = await openBrowser(demo.work, opts));
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${base}/#/${DATE}`);
      await until(async () => (await wall()) !== null, 'the day playing');
    });

    after(async () => {
      if (page) {
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, `thumbs-${name}.png`), fullPage: true }).catch(() => {});
      }
      if (ctx) await ctx.close();
      if (demo) await demo.stop();
    });

    test('the recording info shows the demo\'s resolution and codec', async () => {
      const v = day.segments[0].video;
      assert.ok(v && v.width > 0, 'the day JSON has the properties');
      const text = await page.getByTestId('recording-props').first().textContent();
      assert.ok(text.startsWith(`${v.width}×${v.height} · `), text);
      assert.match(text, v.codec === 'hevc' ? /H\.265/ : /H\.264/);
    });

    test('the event list lists the day\'s motion events; clicking one seeks', async () => {
      const motion = day.motion.filter((m) => m.start_ms !== null);
      assert.ok(motion.length > 0, 'the demo day has motion');
      const evs = page.getByTestId('event');
      await until(async () => (await evs.count()) === motion.length, 'the event list');
      assert.deepEqual(await evs.evaluateAll((bs) => bs.map((b) => Number(b.dataset.ms))),
        motion.map((m) => m.start_ms));
      assert.equal(await evs.nth(0).locator('b').textContent(), hms(motion[0].start_ms));
      const m = motion[motion.length - 1];
      await evs.nth(motion.length - 1).scrollIntoViewIfNeeded();
      await evs.nth(motion.length - 1).click();
      await until(async () => Math.abs((await wall()) - m.start_ms) < 2500, async () => `a seek to ${m.start_ms}, at ${await wall()}`);
      await until(() => page.evaluate(() => {
        const cvs = [...document.querySelectorAll('.ev-pic canvas')];
        return cvs.length && cvs.every((c) => c.width === 160);
      }), 'every event\'s thumbnail');
      assert.ok(await page.evaluate(spread, '.ev-pic canvas') > 8, 'the first event\'s thumbnail has a picture');
    });

    if (name === 'desktop') {
      test('hovering an event plays its time-lapse', async () => {
        await page.getByTestId('event').first().hover();
        await until(() => page.evaluate(() => {
          const v = document.querySelector('[data-testid=event-preview]');
          return v && v.readyState >= 2 && v.currentTime > 0;
        }), 'the time-lapse playing');
        const src = await page.getByTestId('event-preview').getAttribute('src');
        assert.match(src, new RegExp(`^/api/preview\\.mp4\\?from=${day.motion[0].start_ms}&`));
        await page.mouse.move(0, 0);
        await until(async () => (await page.getByTestId('event-preview').count()) === 0, 'the time-lapse gone');
      });

      test('hovering the timeline shows the keyframe of the chunk there, with its time', async () => {
        const list = await chunks(base);
        const seg = day.segments[0];
        const c = list.find((k) => k.start >= seg.start_ms + 60000);
        const t = c.start + (c.end - c.start) / 2;
        const cv = page.getByTestId('timeline');
        const box = await cv.boundingBox();
        const { from, to } = await cv.evaluate((e) => ({ from: Number(e.dataset.from), to: Number(e.dataset.to) }));
        const x = box.x + ((t - from) / (to - from)) * box.width;
        await page.mouse.move(x - 3, box.y + 30);
        await page.mouse.move(x, box.y + 30);
        const thumb = page.getByTestId('thumb');
        await until(() => thumb.evaluate((e) => !e.hidden && e.dataset.ms), 'the thumbnail');
        // The pixel under the pointer is a time within a chunk or two of t.
        const shown = Number(await thumb.getAttribute('data-ms'));
        const k = list.find((q) => shown === q.start);
        assert.ok(k, `${shown} starts a chunk`);
        assert.ok(k.start <= t + 100 && t - 100 < k.end, `chunk ${hms(k.start)} holds the hovered ${hms(t)}`);
        assert.ok(shown >= seg.start_ms && shown < seg.end_ms, 'inside the day JSON\'s recording');
        assert.equal(await page.getByTestId('thumb-time').textContent(), hms(shown));
        assert.ok(await page.evaluate(spread, '[data-testid=thumb-canvas]') > 8, 'the thumbnail has a picture');
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, 'thumbs-hover.png'), clip: { x: 0, y: box.y - 140, width: 1280, height: 240 } });
      });

      test('the log panel shows the server\'s log', async () => {
        await page.locator('#log summary').click();
        await until(async () => /\S/.test(await page.getByTestId('log-text').textContent()), 'the log');
        assert.match(await page.getByTestId('log-text').textContent(), /listening|camcat/);
      });
    }

    test('no page errors', () => {
      assert.deepEqual(pageErrors, []);
    });
  });
}
