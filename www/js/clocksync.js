// The camera's clock beside this browser's, and the offer to set it. A
// camera without a real-time clock wakes up at the wrong time; this
// browser's clock is usually right, but showing both lets a person judge.
// The outcome of a sync is shown for a while, then the header is quiet again.
import { api } from './api.js';
import { fmtDuration, fmtTime } from './timefmt.js';

const $ = (id) => document.getElementById(id);
const RESULT_MS = 15000;
const fmtSkew = (ms) => fmtDuration(Math.abs(ms) / 1000);
const browserOffMin = () => -new Date().getTimezoneOffset();

export async function initClock() {
  let t;
  const t0 = Date.now();
  try {
    t = await api.time();
  } catch {
    return; // the header simply shows no camera clock
  }
  // The camera answered somewhere between t0 and now: assume the middle.
  let skew = t.epoch_ms - (t0 + Date.now()) / 2;
  const el = $('camera-clock');
  el.hidden = false;
  const draw = () => {
    const now = Date.now();
    el.textContent = `camera ${fmtTime(now + skew, t.utc_offset_min)}`;
    el.title = `this browser ${fmtTime(now, browserOffMin())}`;
    $('browser-clock').textContent = `this browser ${fmtTime(now, browserOffMin())}`;
  };
  draw();
  setInterval(draw, 1000);
  if (t.clock_mode === 'off' || !(Math.abs(skew) > t.threshold_ms)) return;
  $('clock-sync-text').textContent = `camera clock is ${fmtSkew(skew)} ${skew < 0 ? 'behind' : 'ahead'}`;
  $('clock-sync').hidden = false;
  $('clock-sync-btn').addEventListener('click', async () => {
    const btn = $('clock-sync-btn');
    btn.disabled = true;
    try {
      const r = await api.setTime({ epoch_ms: Date.now(), utc_offset_min: browserOffMin() });
      if (r.action === 'set') skew = 0;
      $('clock-sync-text').textContent = resultText(r, t.threshold_ms);
      btn.hidden = true;
      setTimeout(() => ($('clock-sync').hidden = true), RESULT_MS);
    } catch (e) {
      $('clock-sync-text').textContent = `clock not set: ${e.message}`;
      btn.disabled = false;
    }
  });
  $('clock-sync-close').addEventListener('click', () => ($('clock-sync').hidden = true));
}

function resultText(r, threshold) {
  if (r.action === 'set') return `camera clock set (it was ${fmtSkew(r.diff_ms)} off)`;
  if (r.action === 'would_set') {
    return `report mode: would set the clock (${fmtSkew(r.diff_ms)} off); the camera's config has clock = report`;
  }
  return `camera clock is within ${fmtSkew(threshold)}: nothing to do`;
}
