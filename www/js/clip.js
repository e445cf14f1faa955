// The clip panel: mark in / mark out. It opens with a minute from the play
// head; either end can be set to the play head while watching, or typed as
// 24-hour HH:MM:SS. The timeline shows the clip as a band. Times are the
// camera's, on the open day; an end at or before the start is on the next
// day. The server cuts at chunk boundaries, so the panel says which whole
// chunks the file will hold.
import { api } from './api.js';
import { app } from './state.js';
import { MS_DAY, MS_MIN, fmtBytes, fmtTime, parseHms } from './timefmt.js';

const $ = (id) => document.getElementById(id);
const clip = { from: 0, to: 0 };
let player = null;
let timeline = null;

const fmt = (ms) => fmtTime(ms, app.offMin);

export function fmtLength(ms) {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return `${h} h ${m} min`;
  return m ? `${m} min ${s % 60} s` : `${s} s`;
}

// The chunk-aligned range the file will hold: [first chunk start, last end].
export function wholeChunks(frags, from, to) {
  let a = null;
  let b = null;
  for (const f of frags) {
    const p = f.programDateTime;
    if (p == null) continue;
    const e = p + f.duration * 1000;
    if (e <= from || p >= to) continue;
    a = a === null ? p : Math.min(a, p);
    b = b === null ? e : Math.max(b, e);
  }
  return a === null ? null : { from: a, to: b };
}

function message(text, kind = 'info') {
  $('clip-msg').textContent = text;
  $('clip-msg').dataset.kind = kind;
}

function show() {
  $('clip-from').value = fmt(clip.from);
  $('clip-to').value = fmt(clip.to);
  $('clip-len').textContent = clip.to > clip.from ? fmtLength(clip.to - clip.from) : '';
  const w = wholeChunks(player.frags, clip.from, clip.to);
  const exact = !w || (w.from === clip.from && w.to === clip.to);
  $('clip-whole').textContent = exact ? '' : `The file holds whole chunks: ${fmt(w.from)} to ${fmt(w.to)} ` +
    `(${fmtLength(w.to - w.from)}).`;
  timeline.setSelection({ start: clip.from, end: clip.to });
}

export function isOpen() {
  return !$('clip-panel').hidden;
}

function open() {
  const firstRec = Math.min(...app.day.segments.map((s) => s.start_ms));
  const head = player.now() ?? firstRec;
  clip.from = head;
  clip.to = head + MS_MIN;
  $('clip-panel').hidden = false;
  $('export').setAttribute('aria-expanded', 'true');
  message('');
  show();
  // On a laptop screen the panel is below the fold: bring it up.
  $('clip-panel').scrollIntoView({ block: 'nearest' });
  $('clip-from').focus({ preventScroll: true });
}

export function closeClip() {
  if ($('clip-panel').hidden) return;
  $('clip-panel').hidden = true;
  $('export').setAttribute('aria-expanded', 'false');
  timeline.setSelection(null);
}

// A typed time: the open day's, the end moved past the start.
function readInput(which) {
  const off = parseHms($(`clip-${which}`).value.trim());
  if (off === null || !app.day) {
    message('Type a time as HH:MM:SS (24-hour).', 'error');
    return;
  }
  let ms = app.day.day_start_ms + off;
  if (which === 'to') {
    while (ms <= clip.from) ms += MS_DAY;
    while (ms - MS_DAY > clip.from) ms -= MS_DAY;
  }
  clip[which] = ms;
  if (clip.to <= clip.from) clip.to = clip.from + MS_MIN;
  message('');
  show();
}

function atHead(which) {
  const now = player.now();
  if (now === null) {
    message('Play the video to the moment first.');
    return;
  }
  if (which === 'to' && now <= clip.from) {
    message('The end must come after the start.', 'error');
    return;
  }
  clip[which] = now;
  if (which === 'from' && clip.to <= now) clip.to = now + MS_MIN;
  message('');
  show();
}

function refusal(err, from, to) {
  if (err.status === 413) {
    const m = /at most (\d+) s/.exec(err.message);
    return `Too long for one file${m ? `: a clip may be at most ${fmtLength(Number(m[1]) * 1000)}` : ''}.` +
      ' Choose a shorter clip.';
  }
  if (err.status === 404) return `Nothing was recorded between ${fmt(from)} and ${fmt(to)}.`;
  return `The clip cannot be made: ${err.message}`;
}

// The server is asked first (HEAD), so a clip that is too long or empty gets
// a message here instead of a broken download.
async function download(e) {
  e.preventDefault();
  const { from, to } = clip;
  message('Preparing the clip…');
  try {
    const info = await api.exportCheck(from, to);
    const a = document.createElement('a');
    a.href = info.url;
    a.download = info.name;
    document.body.append(a);
    a.click();
    a.remove();
    message(`Downloading ${info.name || 'the clip'} (${fmtBytes(info.bytes)}).`);
  } catch (err) {
    message(refusal(err, from, to), 'error');
  }
}

// The button shows while a recorded day with recordings is open.
export function renderClip(a) {
  const show = a.view === 'day' && !!a.day && a.day.segments.length > 0;
  $('export').hidden = !show;
  if (!show) closeClip();
}

export function initClip(p, t) {
  player = p;
  timeline = t;
  $('export').addEventListener('click', () => (isOpen() ? closeClip() : open()));
  $('clip-close').addEventListener('click', closeClip);
  $('clip-from-head').addEventListener('click', () => atHead('from'));
  $('clip-to-head').addEventListener('click', () => atHead('to'));
  $('clip-from').addEventListener('change', () => readInput('from'));
  $('clip-to').addEventListener('change', () => readInput('to'));
  $('clip-panel').addEventListener('submit', download);
  $('clip-panel').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeClip();
  });
}
