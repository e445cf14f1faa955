// Wires the parts together over the one app state (state.js) and keeps the
// URL in step: #/2025-01-24 opens a day, #/2025-01-24/08:15:30 a moment in
// it, #/live the camera. Each view renders from the state; this file routes,
// loads days and maps the controls onto the player.
import { ApiError, api } from './api.js';
import { Calendar } from './calendar.js';
import { closeClip, initClip, renderClip } from './clip.js';
import { initClock } from './clocksync.js';
import { holesIn, isRecording, timelineDay } from './daysum.js';
import { initDayView, renderDayView } from './dayview.js';
import { initEvents, renderEvents } from './evlist.js';
import { initKeys } from './keys.js';
import { initLive, liveLost, openLive, renderLive, stopLiveRetry } from './live.js';
import { notice, overlay } from './messages.js';
import { Player, preloadHls } from './player.js';
import { initPeek, peek } from './peek.js';
import { initStrip, renderStrip } from './strip.js';
import { dayHash, parseHash } from './route.js';
import { app, onChange, set } from './state.js';
import { Storage } from './storage.js';
import { Timeline } from './timeline.js';
import { addDays, fmtDate, fmtStamp, fmtTime, parseDate, todayKey } from './timefmt.js';

const $ = (id) => document.getElementById(id);
const RATES = [0.25, 0.5, 1, 2, 4, 8];
const FAST_RATES = [1, 2, 4, 8]; // what the speed button cycles through
const REFRESH_MS = 5000; // a day being recorded is re-read this often

const fmt = (ms) => fmtTime(ms, app.offMin);
let loadCtl = null;
let refreshTimer = 0;
let hashTimer = 0;

// --- the player and the timeline ---------------------------------------------

const video = $('video');
const player = new Player(video, {
  offMin: () => app.offMin,
  fmt,
  onTime: showTime,
  onNotice: notice,
  onBusy: (on) => ($('busy').hidden = !on || !$('overlay').hidden), // a message says more
  onError: (text) => (app.view === 'live' ? liveLost() : overlay(text, { retry: () => openDay(app.date, player.now()) })),
  onState: (s) => {
    set({ playback: s });
    if (s === 'paused') writeHash(true);
    if (s === 'ended') continueAfter(app.date);
  },
  onLevel: () => renderTimeline(app, true),
});

const timeline = new Timeline($('timeline'), {
  onSeek: (ms) => seekWall(ms),
  onView: (v) => renderZoom(v),
  onHover: peek,
});
// One thumbnail request per chunk: the start of the chunk holding ms.
initPeek(timeline, (ms) => {
  const r = player.mediaAt(ms);
  const f = r && !r.inGap && !r.after ? player.frags[player.fragIndexAt(r.t)] : null;
  return f ? f.programDateTime : null;
});

// The readout follows the play head (many times a second: not through set()).
function showTime(ms) {
  const el = $('wallclock');
  if (ms === null || ms === undefined) {
    el.textContent = '--:--:--';
    delete el.dataset.ms;
    $('wall-date').textContent = '';
  } else {
    el.textContent = fmt(ms);
    el.dataset.ms = String(ms);
    crossedHole(ms);
    $('wall-date').textContent = fmtDate(ms, app.offMin);
  }
  timeline.setPlayhead(ms ?? null);
  writeHash(false);
  renderLive();
}

function seekWall(ms) {
  timeline.reveal();
  if (app.view === 'live') {
    // Live holds only the last few chunks: past them, the day's recording.
    const r = player.mediaAt(ms);
    if (r && r.after) player.goLive();
    else if ((!r || r.inGap) && app.date) location.hash = dayHash(app.date, fmt(ms));
    else if (r) player.seekMedia(r.t);
    return;
  }
  const r = player.seekWall(ms);
  if (r && r.inGap) notice(r.message);
  writeHash(true);
}

// The URL follows the play head, without flooding the history.
function writeHash(now) {
  const go = () => {
    if (app.view !== 'day') return; // left the day while this waited
    const ms = player.now();
    const h = dayHash(app.date, ms === null ? null : fmt(ms));
    if (h !== location.hash) history.replaceState(null, '', h);
  };
  if (app.view !== 'day') return;
  if (now) {
    clearTimeout(hashTimer);
    hashTimer = 0;
    go();
  } else if (!hashTimer) {
    hashTimer = setTimeout(() => {
      hashTimer = 0;
      go();
    }, 1000);
  }
}

// --- views over the state ----------------------------------------------------

let drawn = { day: null, nfrags: -1 };
function renderTimeline(a, fragsChanged = false) {
  if (!a.day) {
    if (drawn.day) timeline.clear();
    drawn = { day: null, nfrags: -1 };
    return;
  }
  if (a.day === drawn.day && !(fragsChanged && player.frags.length !== drawn.nfrags)) return;
  const same = drawn.day && drawn.day.date === a.day.date;
  // Holes come from the playlist: a day's own playlist, not Live's window.
  const data = timelineDay(a.day, a.view === 'day' ? holesIn(player.frags) : []);
  const holes = data.gaps.slice(a.day.gaps.length);
  timeline.setDay(data, same);
  $('timeline').dataset.gaps = String(data.gaps.length);
  drawn = { day: a.day, nfrags: player.frags.length, holes };
}

// Playing across a hole (a chunk missing on disk) says so, never silently.
let lastWall = null;
function crossedHole(ms) {
  const prev = lastWall;
  lastWall = ms;
  if (prev === null || ms === null || app.playback !== 'playing' || !drawn.holes) return;
  const h = drawn.holes.find((x) => prev <= x.start && ms >= x.end && ms - prev < 10000);
  if (h) notice(`No recording ${fmt(h.start)}–${fmt(h.end)} (missing on disk): skipped`);
}

function renderZoom(v) {
  for (const b of document.querySelectorAll('[data-zoom]')) {
    b.setAttribute('aria-pressed', String(Math.abs(v.to - v.from - Number(b.dataset.zoom)) < 1000));
  }
}

function renderPlayback(a) {
  const playing = a.playback === 'playing';
  $('play').textContent = playing ? '❚❚' : '▶';
  $('play').setAttribute('aria-label', playing ? 'Pause' : 'Play');
  $('play').dataset.state = a.playback;
  document.body.dataset.playback = a.playback;
  document.body.dataset.view = a.view === 'calendar' ? 'calendar' : 'day';
  $('speed').textContent = `${a.rate}×`;
  $('speed').dataset.rate = String(a.rate);
  $('speed').setAttribute('aria-label', `Speed ${a.rate}×`);
}

onChange(renderPlayback);
onChange(renderTimeline);
onChange(renderDayView);
onChange(renderEvents);
onChange(renderStrip);
onChange(renderClip);
onChange((a) => (a.view === 'day' && a.day ? storage.setDay(a.date, a.day) : storage.setDay(null, null)));
onChange(() => renderLive());

// --- loading days ----------------------------------------------------------------

// Starts a new load: the previous one is abandoned, its timers stopped.
function begin() {
  if (loadCtl) loadCtl.abort();
  loadCtl = new AbortController();
  clearTimeout(refreshTimer);
  refreshTimer = 0;
  stopLiveRetry();
  return loadCtl;
}

// The day JSON, the playlist and hls.js load at the same time: the player
// learns where to start when the JSON (and with it local midnight) arrives.
async function openDay(date, startMs = null, { offMs = null } = {}) {
  const ctl = begin();
  set({ view: 'day', date, day: null, playback: 'idle' });
  showTime(null);
  calendar.select(date);
  const dayP = api.day(date, { signal: ctl.signal });
  const startP = dayP.then((d) => (offMs !== null ? d.day_start_ms + offMs : startMs), () => startMs);
  const opened = dayP.then((d) => d.segments.length > 0, () => false);
  player.open({ url: api.playlistUrl(date), startMs: startP, when: opened });
  // Indexing a day the first time can take a while on the camera.
  const spin = setTimeout(() => overlay(`Indexing the recordings of ${date}…`, { spin: true }), 200);
  let day;
  try {
    day = await dayP;
  } catch (e) {
    if (e.name === 'AbortError') return;
    player.close();
    if (e instanceof ApiError && e.status === 404) overlay(`No recordings on ${date}.`);
    else if (e instanceof ApiError && e.code === 'bad_date') overlay(`“${date}” is not a date.`);
    else overlay(`Server error: ${e.message}`, { retry: () => openDay(date, startMs, { offMs }) });
    return;
  } finally {
    clearTimeout(spin);
  }
  if (ctl.signal.aborted) return;
  set({ day, offMin: day.utc_offset_min });
  overlay(day.segments.length ? null : `No recordings on ${date}.`);
  scheduleRefresh(ctl);
}

// A day being recorded changes: it is read again while it says so, so "recording
// now", Delete and the timeline follow the server's one notion of recording.
function scheduleRefresh(ctl) {
  clearTimeout(refreshTimer);
  if (!isRecording(app.day)) return;
  refreshTimer = setTimeout(async () => {
    try {
      const day = await api.day(app.date, { signal: ctl.signal });
      if (!ctl.signal.aborted && day.date === app.date) set({ day });
    } catch {
      // The next refresh tries again; playback goes on meanwhile.
    }
    if (!ctl.signal.aborted) scheduleRefresh(ctl);
  }, REFRESH_MS);
}

// After a recording of the open day was deleted: its playlist changed, so the
// day opens again where it was (or leaves, when nothing is left).
async function reloadDay() {
  if (app.view !== 'day') return;
  try {
    const day = await api.day(app.date);
    if (day.date === app.date) openDay(day.date, player.now());
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) leaveDay(`${app.date} has no recordings left.`);
  }
  calendar.show(calendar.year, calendar.month);
  storage.refresh();
}

// Back to the calendar: nothing of the old day stays on screen.
function leaveDay(text = 'Pick a day with recordings in the calendar.') {
  begin();
  player.close();
  set({ view: 'calendar', date: null, day: null, playback: 'idle' });
  showTime(null);
  calendar.select(null);
  closeClip();
  overlay(text);
}

// Continuous playback: at the end of a day's recordings, on into the next
// day that has some, and into Live at the end of the newest.
async function continueAfter(date) {
  if (app.view !== 'day' || !date) return;
  let next = null;
  try {
    const days = await api.days(addDays(date, 1), addDays(date, 366));
    next = days.find((d) => d.date > date) || null;
  } catch {
    // Stay at the end.
  }
  if (app.date !== date || app.playback !== 'ended') return;
  if (next) {
    notice(`End of ${date}: on to ${next.date}`);
    location.hash = dayHash(next.date);
    return;
  }
  const live = await api.liveStatus().catch(() => false);
  if (app.date !== date || app.playback !== 'ended') return;
  notice(live ? 'End of the recordings: on to Live' : 'End of the recordings');
  if (live) location.hash = '#/live';
}

// --- controls ------------------------------------------------------------------------

function jump(seconds) {
  const now = player.now();
  if (now !== null) seekWall(now + seconds * 1000);
}

// Next/previous recording folder or motion event, relative to the play head.
function step(list, dir) {
  const now = player.now();
  if (now === null || !list.length) return null;
  if (dir > 0) return list.find((s) => s > now + 1000) ?? null;
  // "Previous" from well inside an item restarts it, as a music player does.
  const before = list.filter((s) => s < now - 2000);
  return before.length ? before[before.length - 1] : null;
}

function stepSegment(dir) {
  if (!app.day) return;
  const starts = app.day.segments.filter((s) => s.start_ms !== null).map((s) => s.start_ms).sort((a, b) => a - b);
  const t = step(starts, dir);
  if (t === null) notice(dir > 0 ? 'This is the last recording of the day' : 'This is the first recording of the day');
  else seekWall(t);
}

function stepMotion(dir) {
  if (!app.day) return;
  const starts = app.day.motion.map((m) => m.start_ms).sort((a, b) => a - b);
  const t = step(starts, dir);
  if (t === null) {
    notice(dir > 0 ? 'No more motion events on this day' : 'No earlier motion events on this day');
    return;
  }
  const ev = app.day.motion.find((m) => m.start_ms === t);
  seekWall(t);
  notice(`Motion at ${fmt(t)}${ev.label ? ` (${ev.label})` : ''}`);
}

function setRate(r) {
  player.setRate(r);
  set({ rate: r });
}

// The button goes up through the fast speeds; slow motion is on - and +.
function cycleRate() {
  const i = FAST_RATES.indexOf(app.rate);
  setRate(FAST_RATES[(i + 1) % FAST_RATES.length]);
}

function nudgeRate(dir) {
  const i = RATES.indexOf(app.rate);
  setRate(RATES[Math.min(RATES.length - 1, Math.max(0, i + dir))]);
}

async function snapshot() {
  const ms = player.now();
  const blob = await player.snapshot();
  if (!blob || ms === null) {
    notice('Nothing to capture yet');
    return;
  }
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `camera-${fmtStamp(ms, app.offMin)}.png`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function toggleFullscreen() {
  const stage = $('stage');
  if (document.fullscreenElement) document.exitFullscreen();
  else if (stage.requestFullscreen) stage.requestFullscreen().catch(() => {});
  else if (video.webkitEnterFullscreen) video.webkitEnterFullscreen(); // iPhone
}

function frame(dir) {
  if (!player.ready) return;
  player.stepFrame(dir);
}

function keyframe(dir) {
  if (!player.ready) return;
  player.stepKeyframe(dir);
}

$('play').addEventListener('click', () => player.toggle());
$('speed').addEventListener('click', cycleRate);
$('slower').addEventListener('click', () => nudgeRate(-1));
$('prev-seg').addEventListener('click', () => stepSegment(-1));
$('next-seg').addEventListener('click', () => stepSegment(1));
$('prev-motion').addEventListener('click', () => stepMotion(-1));
$('next-motion').addEventListener('click', () => stepMotion(1));
$('prev-frame').addEventListener('click', () => frame(-1));
$('next-frame').addEventListener('click', () => frame(1));
$('snapshot').addEventListener('click', snapshot);
$('fullscreen').addEventListener('click', toggleFullscreen);
for (const b of document.querySelectorAll('[data-jump]')) {
  b.addEventListener('click', () => jump(Number(b.dataset.jump)));
}
for (const b of document.querySelectorAll('[data-zoom]')) {
  b.addEventListener('click', () => timeline.zoomTo(Number(b.dataset.zoom)));
}
video.addEventListener('click', () => player.toggle());

initKeys({
  active: () => app.view !== 'calendar' && player.ready,
  toggle: () => player.toggle(),
  jump,
  segment: stepSegment,
  motion: stepMotion,
  frame,
  keyframe,
  fullscreen: toggleFullscreen,
});
initClip(player, timeline);
initDayView({ seekWall, reload: reloadDay });
initEvents(seekWall);
initStrip(seekWall);

// Issue 14's log: camcatd's last lines, read each time the panel opens.
$('log').addEventListener('toggle', async () => {
  if (!$('log').open) return;
  const r = await fetch('/api/log?lines=200', { cache: 'no-store' }).catch(() => null);
  const err = r && !r.ok ? await r.json().catch(() => null) : null;
  $('log-text').textContent = !r ? 'The server cannot be reached.'
    : r.ok ? await r.text() : (err && err.error && err.error.message) || `${r.status} ${r.statusText}`;
});

// --- calendar, storage and routing ---------------------------------------------------

// A picked day plays, and the player takes the keyboard and the screen: on a
// phone the calendar sits above it until then.
function pick(date) {
  location.hash = dayHash(date);
  $('player').focus({ preventScroll: true });
  requestAnimationFrame(() => {
    const r = $('player').getBoundingClientRect();
    if (r.top < 0 || r.top > window.innerHeight / 3) $('player').scrollIntoView({ block: 'start' });
  });
}

const calendar = new Calendar({
  grid: $('cal-grid'), title: $('cal-title'), msg: $('cal-msg'),
  prev: $('cal-prev'), next: $('cal-next'), today: $('cal-today'),
}, { onPick: pick });
initLive({ player, calendar, begin, setRate });

const storage = new Storage({
  root: $('storage'), meter: $('storage-meter'), text: $('storage-text'),
  del: $('delete-day'), msg: $('storage-msg'),
}, {
  onDeleted: (date) => {
    if (app.date === date) {
      if (location.hash === '#/') leaveDay();
      else location.hash = '#/';
    }
    calendar.show(calendar.year, calendar.month);
  },
});

// hash: the one navigated to. A hashchange event carries it in newURL:
// location.hash may have been rewritten by the playing video since.
function route(hash = location.hash) {
  const r = parseHash(hash);
  if (r.view === 'live') {
    openLive();
  } else if (r.view === 'calendar') {
    leaveDay();
  } else if (r.date === app.date && app.day && app.view === 'day') {
    if (r.offMs !== null) seekWall(app.day.day_start_ms + r.offMs);
  } else {
    openDay(r.date, null, { offMs: r.offMs });
  }
}

window.addEventListener('hashchange', (e) => route(new URL(e.newURL).hash));

// Start: the linked day (or Live) loads at once; the calendar, the server's
// status, the storage card and the clocks load beside it.
async function boot() {
  preloadHls();
  route();
  api.health().then((h) => {
    $('server-status').textContent = `camcat ${h.version}` +
      (h.root && h.root.ok === false ? ' · recordings folder unavailable' : '');
    $('server-status').dataset.ok = String(!h.root || h.root.ok !== false);
  }, () => {
    $('server-status').textContent = 'server unreachable';
    $('server-status').dataset.ok = 'false';
  });
  storage.refresh();
  initClock();
  const linked = parseDate(parseHash(location.hash).date);
  let newest = null;
  try {
    const days = await api.days();
    newest = days[days.length - 1] || null;
  } catch (e) {
    calendar.message(`Could not load the calendar: ${e.message}`);
  }
  calendar.setToday(todayKey(newest ? newest.utc_offset_min : -new Date().getTimezoneOffset()));
  const p = linked || parseDate(newest ? newest.date : calendar.today);
  if (!app.date) await calendar.show(p.y, p.mo);
  else calendar.render();
}

boot();
