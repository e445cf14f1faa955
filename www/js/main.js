// Wires the calendar, player and timeline together and keeps the URL in
// step: #/2025-01-24 opens a day, #/2025-01-24/08:15:30 a moment in it.
import { ApiError, api } from './api.js';
import { Calendar } from './calendar.js';
import { Player } from './player.js';
import { Storage } from './storage.js';
import { Timeline } from './timeline.js';
import { MS_DAY, MS_MIN, fmtBytes, fmtDate, fmtDuration, fmtOffset, fmtStamp, fmtTime, parseDate, parseHms,
  todayKey } from './timefmt.js';

const $ = (id) => document.getElementById(id);
const RATES = [1, 2, 4, 8];

const state = {
  date: null,
  day: null, // GET /api/days/DATE
  offMin: 0,
  live: false, // watching /api/live.m3u8
  liveRetry: 0,
  loadCtl: null,
  refresh: 0,
  hashTimer: 0,
  exportOk: false,
  clockSkew: 0, // camera clock minus this browser's, ms
};

// --- messages -------------------------------------------------------------

let noticeTimer = 0;
function notice(text) {
  const el = $('notice');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (el.hidden = true), 4000);
}

let retryFn = null;
function overlay(text, { spin = false, retry = null } = {}) {
  $('overlay').hidden = !text;
  $('overlay-text').textContent = text || '';
  $('spinner').hidden = !spin;
  $('retry-btn').hidden = !retry;
  retryFn = retry;
  $('overlay').dataset.kind = spin ? 'loading' : retry ? 'error' : 'info';
}
$('retry-btn').addEventListener('click', () => retryFn && retryFn());

const fmt = (ms) => fmtTime(ms, state.offMin);

// --- player + timeline ------------------------------------------------------

const video = $('video');
const player = new Player(video, {
  offMin: () => state.offMin,
  fmt,
  onTime: showTime,
  onNotice: notice,
  onBusy: (on) => ($('busy').hidden = !on),
  onError: (text) => (state.live ? liveLost() : overlay(text, { retry: () => openDay(state.date, player.now()) })),
  onState: (s) => {
    $('play').textContent = s === 'playing' ? '❚❚' : '▶';
    $('play').dataset.state = s;
    document.body.dataset.playback = s;
    if (s === 'ended' && !state.live) notice('End of the recordings for this day');
    if (s === 'paused') writeHash(true);
    updateLive();
  },
  onLevel: (live) => {
    if (live && !state.refresh && state.date) {
      state.refresh = setInterval(() => refreshDay(), 30000);
    }
  },
});

const timeline = new Timeline($('timeline'), {
  onSeek: (ms) => seekWall(ms),
  onView: () => updateExport(),
});

function showTime(ms) {
  const el = $('wallclock');
  if (ms === null || ms === undefined) {
    el.textContent = '--:--:--';
    delete el.dataset.ms;
    $('wall-date').textContent = '';
  } else {
    el.textContent = fmt(ms);
    el.dataset.ms = String(ms);
    $('wall-date').textContent = fmtDate(ms, state.offMin);
  }
  timeline.setPlayhead(ms ?? null);
  writeHash(false);
  updateExport();
  updateLive();
}

function seekWall(ms) {
  timeline.reveal();
  if (state.live) {
    // Live holds only the last few chunks: past them, the day's recording.
    const r = player.mediaAt(ms);
    if (r && r.after) player.goLive();
    else if (!r || r.inGap) openRecorded(ms);
    else player.seekMedia(r.t);
    return;
  }
  const r = player.seekWall(ms);
  if (r && r.inGap) notice(r.message);
  writeHash(true);
}

// The URL follows the play head, without flooding the history.
function writeHash(now) {
  if (!state.date || state.live) return;
  const go = () => {
    if (!state.date || state.live) return; // live began while this waited
    const ms = player.now();
    const h = ms === null ? `#/${state.date}` : `#/${state.date}/${fmt(ms)}`;
    if (h !== location.hash) history.replaceState(null, '', h);
  };
  if (now) {
    clearTimeout(state.hashTimer);
    state.hashTimer = 0;
    go();
  } else if (!state.hashTimer) {
    state.hashTimer = setTimeout(() => {
      state.hashTimer = 0;
      go();
    }, 1000);
  }
}

// Timeline data from the day's JSON, in wall-clock ms.
function timelineDay(day) {
  const recording = (s) => s.state === 'recording';
  return {
    start: day.day_start_ms,
    offMin: day.utc_offset_min,
    segments: day.segments.filter((s) => !s.untimed)
      .map((s) => ({ start: s.start_ms, end: s.end_ms, live: recording(s) })),
    gaps: (day.gaps || []).map((g) => ({ start: g.start_ms, end: g.end_ms })),
    motion: (day.motion || []).map((m) => ({ start: m.start_ms, end: Math.max(m.end_ms || m.start_ms, m.start_ms) })),
  };
}

function summary(day) {
  storage.setDay(day.date, day);
  const t = day.totals || {};
  const n = day.segments.length;
  const live = day.segments.some((s) => s.state === 'recording');
  $('day-summary').textContent = `${fmtDuration(t.recorded_s || 0)} in ${n} recording${n === 1 ? '' : 's'}` +
    ` · ${t.motion || 0} motion${live ? ' · recording now' : ''}`;
  $('wall-offset').textContent = `UTC${fmtOffset(day.utc_offset_min)}`;
}

async function openDay(date, startMs = null, { offMs = null } = {}) {
  if (state.loadCtl) state.loadCtl.abort();
  const ctl = (state.loadCtl = new AbortController());
  clearInterval(state.refresh);
  state.refresh = 0;
  state.date = date;
  setLive(false);
  state.day = null;
  document.body.dataset.view = 'day';
  player.close();
  timeline.clear();
  showTime(null);
  calendar.select(date);
  // Indexing a day the first time can take a while on the camera.
  const spin = setTimeout(() => overlay(`Indexing the recordings of ${date}…`, { spin: true }), 200);
  let day;
  try {
    day = await api.day(date, { signal: ctl.signal });
  } catch (e) {
    if (e.name === 'AbortError') return;
    clearTimeout(spin);
    if (e instanceof ApiError && e.status === 404) overlay(`No recordings on ${date}.`);
    else if (e instanceof ApiError && e.code === 'bad_date') overlay(`“${date}” is not a date.`);
    else overlay(`Server error: ${e.message}`, { retry: () => openDay(date, startMs, { offMs }) });
    $('day-summary').textContent = '';
    return;
  } finally {
    clearTimeout(spin);
  }
  if (ctl.signal.aborted) return;
  state.day = day;
  state.offMin = day.utc_offset_min || 0;
  summary(day);
  timeline.setDay(timelineDay(day));
  if (!day.segments.length) {
    overlay(`No recordings on ${date}.`);
    return;
  }
  overlay(null);
  if (offMs !== null) startMs = day.day_start_ms + offMs;
  player.open({ url: api.playlistUrl(date), startMs });
}

async function refreshDay() {
  if (!state.date) return;
  try {
    const day = await api.day(state.date);
    if (day.date !== state.date) return;
    state.day = day;
    summary(day);
    timeline.setDay(timelineDay(day), true);
  } catch {
    // The next refresh tries again; playback goes on meanwhile.
  }
}

// --- controls -----------------------------------------------------------------

function jump(seconds) {
  const now = player.now();
  if (now === null) return;
  seekWall(now + seconds * 1000);
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
  if (!state.day) return;
  const starts = state.day.segments.filter((s) => !s.untimed).map((s) => s.start_ms).sort((a, b) => a - b);
  const t = step(starts, dir);
  if (t === null) notice(dir > 0 ? 'This is the last recording of the day' : 'This is the first recording of the day');
  else seekWall(t);
}

function stepMotion(dir) {
  if (!state.day) return;
  const starts = (state.day.motion || []).map((m) => m.start_ms).sort((a, b) => a - b);
  const t = step(starts, dir);
  if (t === null) {
    notice(dir > 0 ? 'No more motion events on this day' : 'No earlier motion events on this day');
    return;
  }
  const ev = state.day.motion.find((m) => m.start_ms === t);
  seekWall(t);
  notice(`Motion at ${fmt(t)}${ev && ev.label ? ` (${ev.label})` : ''}`);
}

function setRate(r) {
  player.setRate(r);
  $('speed').textContent = `${r}×`;
  $('speed').dataset.rate = String(r);
}

function cycleRate() {
  const i = RATES.indexOf(player.rate);
  setRate(RATES[(i + 1) % RATES.length]);
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
  a.download = `camera-${fmtStamp(ms, state.offMin)}.png`;
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

// --- clip download ------------------------------------------------------------
// Mark in / mark out: the panel opens with a minute from the play head; either
// end can be set to the play head while watching, or typed. The timeline shows
// the clip as a band. Times are the camera's, on the open day; an end at or
// before the start is on the next day.

const clip = { from: 0, to: 0 };

function updateExport() {
  const show = state.exportOk && !!state.day && state.day.segments.length > 0 && !state.live;
  $('export').hidden = !show;
  if (!show && !$('clip-panel').hidden) closeClip();
}

function clipMessage(text, kind = 'info') {
  $('clip-msg').textContent = text;
  $('clip-msg').dataset.kind = kind;
}

function fmtLength(ms) {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return `${h} h ${m} min`;
  return m ? `${m} min ${s % 60} s` : `${s} s`;
}

function showClip() {
  $('clip-from').value = fmt(clip.from);
  $('clip-to').value = fmt(clip.to);
  $('clip-len').textContent = clip.to > clip.from ? fmtLength(clip.to - clip.from) : '';
  timeline.setSelection({ start: clip.from, end: clip.to });
}

function openClip() {
  const firstRec = Math.min(...state.day.segments.map((s) => s.start_ms));
  const head = player.now() ?? firstRec;
  clip.from = head;
  clip.to = head + MS_MIN;
  $('clip-panel').hidden = false;
  $('export').setAttribute('aria-expanded', 'true');
  clipMessage('');
  showClip();
}

function closeClip() {
  $('clip-panel').hidden = true;
  $('export').setAttribute('aria-expanded', 'false');
  timeline.setSelection(null);
}

// A typed time: the open day's, the end moved past the start.
function readClipInput(which) {
  const off = parseHms($(`clip-${which}`).value);
  if (off === null || !state.day) return;
  let ms = state.day.day_start_ms + off;
  if (which === 'to') {
    while (ms <= clip.from) ms += MS_DAY;
    while (ms - MS_DAY > clip.from) ms -= MS_DAY;
  }
  clip[which] = ms;
  if (clip.to <= clip.from) clip.to = clip.from + MS_MIN;
  clipMessage('');
  showClip();
}

function clipAtHead(which) {
  const now = player.now();
  if (now === null) {
    clipMessage('Play the video to the moment first.');
    return;
  }
  clip[which] = now;
  if (which === 'from' && clip.to <= now) clip.to = now + MS_MIN;
  if (which === 'to' && now <= clip.from) {
    clipMessage('The end must come after the start.', 'error');
    return;
  }
  clipMessage('');
  showClip();
}

// The server is asked first (HEAD), so a clip that is too long or empty gets
// a message here instead of a broken download.
async function downloadClip(e) {
  e.preventDefault();
  const { from, to } = clip;
  clipMessage('Preparing the clip…');
  try {
    const info = await api.exportCheck(from, to);
    const a = document.createElement('a');
    a.href = info.url;
    a.download = info.name;
    document.body.append(a);
    a.click();
    a.remove();
    clipMessage(`Downloading ${info.name || 'the clip'} (${fmtBytes(info.bytes)}).`);
  } catch (err) {
    if (err.status === 413) clipMessage(`Too long for one file: ${err.message}. Choose a shorter clip.`, 'error');
    else if (err.status === 404) clipMessage(`Nothing was recorded between ${fmt(from)} and ${fmt(to)}.`, 'error');
    else clipMessage(`The clip cannot be made: ${err.message}`, 'error');
  }
}

$('export').addEventListener('click', () => ($('clip-panel').hidden ? openClip() : closeClip()));
$('clip-close').addEventListener('click', closeClip);
$('clip-from-head').addEventListener('click', () => clipAtHead('from'));
$('clip-to-head').addEventListener('click', () => clipAtHead('to'));
$('clip-from').addEventListener('change', () => readClipInput('from'));
$('clip-to').addEventListener('change', () => readClipInput('to'));
$('clip-panel').addEventListener('submit', downloadClip);
$('clip-panel').addEventListener('keydown', (e) => {
  if (e.key === 'Escape') closeClip();
});

$('play').addEventListener('click', () => player.toggle());
$('speed').addEventListener('click', cycleRate);
$('prev-seg').addEventListener('click', () => stepSegment(-1));
$('next-seg').addEventListener('click', () => stepSegment(1));
$('prev-motion').addEventListener('click', () => stepMotion(-1));
$('next-motion').addEventListener('click', () => stepMotion(1));
$('snapshot').addEventListener('click', snapshot);
$('fullscreen').addEventListener('click', toggleFullscreen);
for (const b of document.querySelectorAll('[data-jump]')) {
  b.addEventListener('click', () => jump(Number(b.dataset.jump)));
}
for (const b of document.querySelectorAll('[data-zoom]')) {
  b.addEventListener('click', () => timeline.zoomTo(Number(b.dataset.zoom)));
}
video.addEventListener('click', () => player.toggle());

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || !state.day) return;
  const t = e.target;
  if (t.closest && (t.closest('#cal-grid') || t.closest('input, select, textarea'))) return;
  const onButton = t.closest && t.closest('button, a');
  switch (e.key) {
    case ' ':
      if (onButton) return;
      player.toggle();
      break;
    case 'ArrowLeft': jump(e.shiftKey ? -60 : -10); break;
    case 'ArrowRight': jump(e.shiftKey ? 60 : 10); break;
    case 'ArrowUp': stepSegment(1); break;
    case 'ArrowDown': stepSegment(-1); break;
    case '[': stepMotion(-1); break;
    case ']': stepMotion(1); break;
    case 'f': toggleFullscreen(); break;
    default: return;
  }
  e.preventDefault();
});

// --- calendar + routing -------------------------------------------------------

const calendar = new Calendar({
  grid: $('cal-grid'), title: $('cal-title'), msg: $('cal-msg'),
  prev: $('cal-prev'), next: $('cal-next'), today: $('cal-today'),
}, { onPick: (date) => (location.hash = `#/${date}`) });

const storage = new Storage({
  root: $('storage'), meter: $('storage-meter'), text: $('storage-text'),
  del: $('delete-day'), msg: $('storage-msg'),
}, {
  onDeleted: (date) => {
    if (state.date === date) location.hash = '#/';
    calendar.show(calendar.year, calendar.month);
  },
});

// hash: the one navigated to. A hashchange event carries it in newURL:
// location.hash may have been rewritten by the playing video since.
function route(hash = location.hash) {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'live') {
    openLive();
    return;
  }
  const date = parseDate(parts[0]) ? parts[0] : null;
  if (!date) {
    state.date = null;
    document.body.dataset.view = 'calendar';
    storage.setDay(null, null);
    player.close();
    overlay('Pick a day with recordings in the calendar.');
    return;
  }
  const off = parseHms(parts[1]);
  if (date === state.date && state.day && !state.live) {
    if (off !== null) seekWall(state.day.day_start_ms + off);
    return;
  }
  // Local midnight in the camera's offset comes with the day's JSON.
  openDay(date, null, { offMs: off });
}

// --- live ---------------------------------------------------------------------

const LIVE_RETRY_MS = 3000;
const BEHIND_LIVE_S = 10; // further back than this offers "back to live"

function setLive(on) {
  state.live = on;
  clearTimeout(state.liveRetry);
  state.liveRetry = 0;
  if (on) document.body.dataset.live = 'on';
  else delete document.body.dataset.live;
  $('live-btn').setAttribute('aria-pressed', String(on));
  updateLive();
}

function updateLive() {
  const el = $('live-edge');
  const away = state.live && player.ready && (video.paused || player.behindLive() > BEHIND_LIVE_S);
  el.hidden = !away;
  $('live-badge').hidden = !state.live || away || !player.ready;
}

// Polling keeps this page a viewer, so a camera whose live source starts on
// demand (live_start_cmd) comes up while the message shows.
function notRecording(ctl) {
  player.close();
  state.day = null;
  timeline.clear();
  showTime(null);
  $('day-summary').textContent = '';
  overlay('camera is not recording');
  state.liveRetry = setTimeout(() => !ctl.signal.aborted && state.live && openLive(), LIVE_RETRY_MS);
}

// The playlist failed while watching (the recording stopped or the server
// restarted): ask again in a moment.
function liveLost() {
  overlay('Live stream interrupted — reconnecting…', { spin: true });
  clearTimeout(state.liveRetry);
  state.liveRetry = setTimeout(() => state.live && openLive(), LIVE_RETRY_MS);
}

// Live plays at once; the newest day's timeline follows when it arrives.
async function openLive() {
  if (state.loadCtl) state.loadCtl.abort();
  const ctl = (state.loadCtl = new AbortController());
  clearInterval(state.refresh);
  state.refresh = 0;
  setLive(true);
  document.body.dataset.view = 'day';
  let recording;
  let days;
  try {
    [recording, days] = await Promise.all([api.liveStatus({ signal: ctl.signal }), api.days(null, null, { signal: ctl.signal })]);
  } catch (e) {
    if (e.name === 'AbortError') return;
    overlay(`Server error: ${e.message}`, { retry: openLive });
    return;
  }
  if (ctl.signal.aborted) return;
  const newest = days[days.length - 1];
  if (!recording || !newest) {
    notRecording(ctl);
    return;
  }
  overlay(null);
  if (state.date !== newest.date || !state.day) {
    state.date = newest.date;
    state.day = null;
    state.offMin = newest.utc_offset_min ?? 0;
    timeline.clear();
    calendar.select(newest.date);
  }
  if (player.rate !== 1) setRate(1); // faster would only run into the live edge
  player.open({ url: api.liveUrl(), live: true });
  try {
    const day = await api.day(newest.date, { signal: ctl.signal });
    if (ctl.signal.aborted || !state.live) return;
    state.day = day;
    state.offMin = day.utc_offset_min || 0;
    summary(day);
    timeline.setDay(timelineDay(day), true);
  } catch {
    // The timeline stays empty; live plays on.
  }
}

// Leaves live for the recorded day at wall-clock ms.
function openRecorded(ms) {
  if (state.date) location.hash = `#/${state.date}/${fmt(ms)}`;
}

$('live-btn').addEventListener('click', () => {
  if (location.hash !== '#/live') location.hash = '#/live';
  else if (player.ready) player.goLive();
  else openLive();
});
$('live-edge').addEventListener('click', () => player.goLive());

window.addEventListener('hashchange', (e) => route(new URL(e.newURL).hash));

// Start: the month of the linked day, else the newest recording's.
async function boot() {
  let health = null;
  try {
    health = await api.health();
    $('server-status').textContent = `camcat ${health.version}` +
      (health.root && health.root.ok === false ? ' · recordings folder unavailable' : '');
    $('server-status').dataset.ok = String(!health.root || health.root.ok !== false);
  } catch (e) {
    $('server-status').textContent = 'server unreachable';
    $('server-status').dataset.ok = 'false';
  }
  const linked = parseDate(location.hash.replace(/^#\/?/, '').split('/')[0]);
  let newest = null;
  try {
    const days = await api.days();
    newest = days[days.length - 1] || null;
  } catch (e) {
    calendar.message(`Could not load the calendar: ${e.message}`);
  }
  calendar.setToday(todayKey(newest ? newest.utc_offset_min ?? 0 : -new Date().getTimezoneOffset()));
  const p = linked || parseDate(newest ? newest.date : calendar.today);
  await calendar.show(p.y, p.mo);
  route();
  optional();
}

// Endpoints that a newer server has: each control appears only if present.
async function optional() {
  state.exportOk = await api.has(api.exportUrl(0, 0));
  updateExport();
  storage.refresh();
  try {
    const t0 = Date.now();
    const t = await api.time();
    const t1 = Date.now();
    const ms = t.epoch_ms ?? t.now_ms ?? t.ms ?? Date.parse(t.now || t.time || '');
    if (Number.isFinite(ms)) {
      // The camera answered somewhere between t0 and t1: assume the middle.
      state.clockSkew = ms - (t0 + t1) / 2;
      const off = t.utc_offset_min ?? state.offMin;
      const el = $('camera-clock');
      el.hidden = false;
      const draw = () => (el.textContent = `camera ${fmtTime(Date.now() + state.clockSkew, off)}`);
      draw();
      setInterval(draw, 1000);
      offerClockSync(t);
    }
  } catch {
    // No /api/time on this server.
  }
}

// --- clock sync --------------------------------------------------------------

const fmtSkew = (ms) => fmtDuration(Math.abs(ms) / 1000);

// A camera without a real-time clock wakes up at the wrong time; this
// browser's clock is usually right. Offered only past the camera's threshold.
function offerClockSync(t) {
  const threshold = t.threshold_ms ?? 2000;
  if (t.clock_mode === 'off' || !(Math.abs(state.clockSkew) > threshold)) return;
  const text = $('clock-sync-text');
  const btn = $('clock-sync-btn');
  text.textContent = `camera clock is ${fmtSkew(state.clockSkew)} ${state.clockSkew < 0 ? 'behind' : 'ahead'}`;
  $('clock-sync').hidden = false;
  btn.hidden = false;
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const r = await api.setTime({ epoch_ms: Date.now(), utc_offset_min: -new Date().getTimezoneOffset() });
      if (r.action === 'set') {
        state.clockSkew = 0;
        text.textContent = `camera clock set (it was ${fmtSkew(r.diff_ms)} off)`;
      } else if (r.action === 'would_set') {
        text.textContent = `report mode: would set the clock (${fmtSkew(r.diff_ms)} off); ` +
          'the camera\'s config has clock = report';
      } else {
        text.textContent = `camera clock is within ${fmtSkew(threshold)}: nothing to do`;
      }
      btn.hidden = true;
    } catch (e) {
      text.textContent = `clock not set: ${e.message}`;
      btn.disabled = false;
    }
  });
}

boot();
