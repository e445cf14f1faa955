// Live: the recording folder through /api/live.m3u8, with the newest day's
// timeline. Whether the camera records is the server's word (its live
// playlist answers 404 not_recording), the same rule its day JSON uses.
import { api } from './api.js';
import { overlay } from './messages.js';
import { app, set } from './state.js';

const $ = (id) => document.getElementById(id);
const RETRY_MS = 3000;
const BEHIND_LIVE_S = 10; // further back than this offers "back to live"

let d = null; // {player, calendar, begin(), setRate(r)}
let retry = 0;

export function initLive(deps) {
  d = deps;
  $('live-btn').addEventListener('click', () => {
    if (location.hash !== '#/live') location.hash = '#/live';
    else if (d.player.ready) d.player.goLive();
    else openLive();
  });
  $('live-edge').addEventListener('click', () => d.player.goLive());
}

export function stopLiveRetry() {
  clearTimeout(retry);
  retry = 0;
}

// The badge, "back to live" and the Live button, from the app and the player.
export function renderLive() {
  const live = app.view === 'live';
  const p = d.player;
  const away = live && p.ready && (p.video.paused || p.behindLive() > BEHIND_LIVE_S);
  $('live-edge').hidden = !away;
  $('live-badge').hidden = !live || away || !p.ready;
  $('live-btn').setAttribute('aria-pressed', String(live));
  if (live) document.body.dataset.live = 'on';
  else delete document.body.dataset.live;
}

// Polling keeps this page a viewer, so a camera whose live source starts on
// demand (live_start_cmd) comes up while the message shows.
function notRecording(ctl) {
  d.player.close();
  set({ date: null, day: null });
  d.calendar.select(null);
  overlay('camera is not recording');
  retry = setTimeout(() => !ctl.signal.aborted && app.view === 'live' && openLive(), RETRY_MS);
}

// The playlist failed while watching (the recording stopped or the server
// restarted): ask again in a moment.
export function liveLost() {
  overlay('Live stream interrupted — reconnecting…', { spin: true });
  stopLiveRetry();
  retry = setTimeout(() => app.view === 'live' && openLive(), RETRY_MS);
}

// Live plays at once; the newest day's timeline follows when it arrives.
export async function openLive() {
  const ctl = d.begin();
  set({ view: 'live' });
  let recording;
  let days;
  try {
    [recording, days] = await Promise.all([api.liveStatus({ signal: ctl.signal }),
      api.days(null, null, { signal: ctl.signal })]);
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
  if (app.date !== newest.date || !app.day) {
    set({ date: newest.date, day: null, offMin: newest.utc_offset_min });
    d.calendar.select(newest.date);
  }
  if (app.rate !== 1) d.setRate(1); // faster would only run into the live edge
  d.player.open({ url: api.liveUrl(), live: true });
  try {
    const day = await api.day(newest.date, { signal: ctl.signal });
    if (ctl.signal.aborted || app.view !== 'live') return;
    set({ day, offMin: day.utc_offset_min });
  } catch {
    // The timeline stays empty; live plays on.
  }
}
