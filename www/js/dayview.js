// The open day at a glance: the summary line, the UTC offset, and the list of
// its recordings (one per power-up folder) with their state, a download and
// a delete for each closed one. Renders from the app state only.
import { ApiError, api } from './api.js';
import { recordingRows, summaryText } from './daysum.js';
import { notice } from './messages.js';
import { app } from './state.js';
import { fmtBytes, fmtOffset } from './timefmt.js';

const $ = (id) => document.getElementById(id);
let d = null; // {seekWall(ms), reload()}
let shown = null; // the day object last rendered

export function initDayView(deps) {
  d = deps;
  $('rec-list').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-act]');
    if (!b) return;
    const seg = app.day && app.day.segments.find((s) => s.id === b.dataset.id);
    if (!seg) return;
    if (b.dataset.act === 'seek') d.seekWall(seg.start_ms);
    else if (b.dataset.act === 'delete') removeRecording(app.date, seg);
  });
}

function row(r, date) {
  const li = document.createElement('li');
  li.dataset.testid = 'recording';
  li.dataset.id = r.id;
  li.dataset.state = r.state;
  const seek = document.createElement('button');
  seek.type = 'button';
  seek.className = 'linkish';
  seek.dataset.act = 'seek';
  seek.dataset.id = r.id;
  seek.textContent = `${r.from}–${r.to}`;
  seek.setAttribute('aria-label', `Play the recording from ${r.from} to ${r.to}`);
  const info = document.createElement('span');
  info.className = 'rec-info';
  info.textContent = ` ${r.length} · ${r.state}${r.missing ? ` · ${r.missing} chunk${r.missing === 1 ? '' : 's'} missing` : ''}`;
  const dl = document.createElement('a');
  dl.className = 'btn small';
  dl.href = api.recordingUrl(date, r.id);
  dl.download = '';
  dl.dataset.testid = 'recording-download';
  dl.textContent = 'Download';
  dl.setAttribute('aria-label', `Download the recording ${r.id} (${r.from}–${r.to})`);
  const del = document.createElement('button');
  del.type = 'button';
  del.className = 'btn small danger';
  del.dataset.act = 'delete';
  del.dataset.id = r.id;
  del.dataset.testid = 'recording-delete';
  del.textContent = 'Delete';
  del.disabled = r.recording;
  del.title = r.recording ? 'This recording is still being made' : 'Delete this recording';
  del.setAttribute('aria-label', `Delete the recording ${r.id} (${r.from}–${r.to})`);
  const props = document.createElement('span');
  props.className = 'rec-props';
  props.dataset.testid = 'recording-props';
  props.textContent = r.props;
  props.title = 'Read from the first chunk; the bitrate is file size over time and reads a few % high';
  li.append(seek, info, dl, del, props);
  return li;
}

export function renderDayView(a) {
  if (a.day === shown) return;
  shown = a.day;
  const day = a.day;
  $('day-summary').textContent = day ? summaryText(day) : '';
  $('wall-offset').textContent = day ? `UTC${fmtOffset(day.utc_offset_min)}` : '';
  const list = $('rec-list');
  list.replaceChildren(...(day ? recordingRows(day).map((r) => row(r, day.date)) : []));
  $('recordings').hidden = !day || !day.segments.length;
}

async function removeRecording(date, seg) {
  if (!window.confirm(`Delete the recording ${seg.id} of ${date}? This cannot be undone.`)) return;
  try {
    const r = await api.deleteRecording(date, seg.id);
    notice(`Recording ${seg.id} deleted (${fmtBytes(r.removed.bytes_freed)} freed)`);
  } catch (e) {
    const why = e instanceof ApiError && e.status === 409 ? 'it is being recorded' : e.message;
    notice(`Could not delete ${seg.id}: ${why}`);
  }
  d.reload();
}
