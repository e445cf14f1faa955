// The day's motion events beside the player: each with the keyframe at its
// start, its time, length and source. Click plays it; hovering plays its
// time-lapse (a few keyframes of the event from /api/preview.mp4).
import { paint, thumbAt, undecodable } from './thumbs.js';
import { fmtDuration, fmtTime } from './timefmt.js';

const $ = (id) => document.getElementById(id);
const FRAMES = 8;
let shown = null; // 'date:count' of the list on screen: a refresh keeps it

export function initEvents(seekWall) {
  const list = $('ev-list');
  list.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-ms]');
    if (b) seekWall(Number(b.dataset.ms));
  });
  list.addEventListener('pointerover', (e) => {
    const b = e.target.closest('button[data-ms]');
    if (b && !b.querySelector('video') && !undecodable(Number(b.dataset.ms))) lapse(b);
  });
  list.addEventListener('pointerout', (e) => {
    const b = e.target.closest('button[data-ms]');
    if (b && !b.contains(e.relatedTarget)) b.querySelector('video')?.remove();
  });
}

function lapse(b) {
  const v = document.createElement('video');
  v.muted = true;
  v.loop = true;
  v.autoplay = true;
  v.playsInline = true;
  v.dataset.testid = 'event-preview';
  const from = Number(b.dataset.ms);
  const to = Math.max(Number(b.dataset.end), from + 2000);
  v.src = `/api/preview.mp4?from=${from}&to=${to}&frames=${FRAMES}`;
  b.querySelector('.ev-pic').append(v);
}

function item(m, off) {
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.type = 'button';
  b.dataset.testid = 'event';
  b.dataset.ms = String(m.start_ms);
  b.dataset.end = String(m.end_ms ?? m.start_ms);
  const len = m.end_ms > m.start_ms ? fmtDuration(Math.round((m.end_ms - m.start_ms) / 1000)) : 'instant';
  const when = fmtTime(m.start_ms, off);
  b.setAttribute('aria-label', `Play the ${m.label} at ${when}`);
  const pic = document.createElement('span');
  pic.className = 'ev-pic';
  const cv = document.createElement('canvas');
  pic.append(cv);
  const text = document.createElement('span');
  text.className = 'ev-text';
  text.innerHTML = '<b></b><br><small></small>';
  text.firstChild.textContent = when;
  text.lastChild.textContent = `${len} · ${m.label} · ${m.source}`;
  b.append(pic, text);
  li.append(b);
  return { li, cv, ms: m.start_ms };
}

// Thumbnails one after the other: the pool's few videos are shared with the timeline.
async function fill(items, key) {
  for (const it of items) {
    if (shown !== key) return;
    if (undecodable(it.ms)) continue;
    try {
      paint(it.cv, (await thumbAt(it.ms)).cv);
    } catch {
      // No picture (a gap or a damaged chunk): the row stays without one.
    }
  }
}

export function renderEvents(a) {
  const key = a.day && `${a.day.date}:${a.day.motion.length}`;
  if (key === shown) return;
  shown = key;
  const ms = a.day ? a.day.motion.filter((m) => m.start_ms !== null) : [];
  const items = ms.map((m) => item(m, a.day.utc_offset_min));
  $('ev-list').replaceChildren(...items.map((i) => i.li));
  $('events').hidden = !items.length;
  $('ev-count').textContent = items.length ? `(${items.length})` : '';
  fill(items, key);
}
