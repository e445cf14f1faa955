// The day strip: a row of keyframe thumbnails at the top of the day, one per
// recording or per hour (daysum.js's stripTimes), each labelled with its
// time; a click (or Enter) seeks there. Pictures load only once their item
// scrolls into view, one at a time through the thumbnail pool.
import { stripTimes } from './daysum.js';
import { paint, thumbAt, undecodable } from './thumbs.js';
import { fmtTime } from './timefmt.js';

const $ = (id) => document.getElementById(id);
let shown = null; // 'date:segments' of the strip on screen
let queue = Promise.resolve();
const seen = new window.IntersectionObserver((es) => {
  for (const e of es) {
    if (!e.isIntersecting) continue;
    seen.unobserve(e.target);
    const b = e.target;
    const key = shown;
    queue = queue.then(async () => {
      if (key !== shown || undecodable(Number(b.dataset.ms))) return;
      try {
        paint(b.firstChild, (await thumbAt(Number(b.dataset.ms))).cv);
      } catch {
        // No picture (a damaged stretch): the time alone says where it goes.
      }
    });
  }
});

export function initStrip(seekWall) {
  $('strip').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-ms]');
    if (b) seekWall(Number(b.dataset.ms));
  });
}

export function renderStrip(a) {
  const key = a.view === 'day' && a.day && `${a.day.date}:${a.day.segments.length}`;
  if (key === shown) return;
  shown = key;
  seen.disconnect();
  const items = key ? stripTimes(a.day).map((ms) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.ms = String(ms);
    b.dataset.testid = 'strip-item';
    const when = fmtTime(ms, a.day.utc_offset_min, { seconds: false });
    b.setAttribute('aria-label', `Play from ${fmtTime(ms, a.day.utc_offset_min)}`);
    b.innerHTML = '<canvas></canvas><span></span>';
    b.lastChild.textContent = when;
    seen.observe(b);
    return b;
  }) : [];
  $('strip').replaceChildren(...items);
  $('strip').hidden = !items.length;
}
