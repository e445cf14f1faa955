// What a day's JSON (GET /api/days/DATE) says at a glance, and the timeline's
// bands. Pure: no DOM, so node's test runner checks it.
import { MS_HOUR, MS_MIN, fmtDuration, fmtTime } from './timefmt.js';

// The API's word, never a guess: a segment is recording when the server says so.
export function isRecording(day) {
  return !!day && day.segments.some((s) => s.state === 'recording');
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function summaryText(day) {
  const t = day.totals || {};
  const gaps = (day.gaps || []).length;
  return `${fmtDuration(t.recorded_s || 0)} recorded in ${plural(day.segments.length, 'recording')}` +
    ` · ${plural(gaps, 'gap')} · ${plural(t.motion || 0, 'motion event')}` +
    `${isRecording(day) ? ' · recording now' : ''}`;
}

// One line per recording folder: "08:00:00–08:11:30 · 11 min · closed".
export function recordingRows(day) {
  const off = day.utc_offset_min;
  return day.segments.map((s) => ({
    id: s.id,
    state: s.state,
    recording: s.state === 'recording',
    from: s.start_ms === null ? '--:--:--' : fmtTime(s.start_ms, off),
    to: s.end_ms === null ? '--:--:--' : fmtTime(s.end_ms, off),
    length: fmtDuration(s.duration_s || 0),
    missing: s.missing_chunks || 0,
    props: propsText(s),
  }));
}

// What a recording holds, from its first chunk: "1280×720 · 25 fps · H.264
// High 3.1 · AAC 2 ch 48 kHz · ≈1.20 Mbit/s", or '' before it was probed.
// The bitrate is file bytes over time: it reads a few % high (TS overhead).
export function propsText(s) {
  const v = s.video;
  const a = s.audio;
  const out = [];
  if (v && v.width) {
    const [n, d] = (v.frame_rate || '0/0').split('/').map(Number);
    out.push(`${v.width}×${v.height}`);
    if (d) out.push(`${Math.round((n / d) * 100) / 100} fps`);
    const lvl = v.codec === 'hevc' ? v.level / 30 : v.level / 10;
    out.push(`${v.codec === 'hevc' ? 'H.265' : 'H.264'} ${v.profile} ${lvl.toFixed(1)}`);
  } else if (v) out.push(v.codec === 'hevc' ? 'H.265' : 'H.264');
  if (v) out.push(a ? `${a.codec.toUpperCase()}${a.sample_rate ? ` ${a.channels} ch ${a.sample_rate / 1000} kHz` : ''}` : 'no audio');
  if (s.bitrate) out.push(`≈${(s.bitrate / 1e6).toFixed(2)} Mbit/s`);
  return out.join(' · ');
}

// Holes inside the playlist: a chunk missing on disk is left out of it, so
// its fragments' PDTs jump. frags: [{programDateTime, duration (s)}].
export function holesIn(frags, tolMs = 500) {
  const out = [];
  for (let i = 1; i < frags.length; i++) {
    const a = frags[i - 1];
    const b = frags[i];
    if (a.programDateTime == null || b.programDateTime == null) continue;
    const end = a.programDateTime + a.duration * 1000;
    if (b.programDateTime - end > tolMs) out.push({ start: end, end: b.programDateTime });
  }
  return out;
}

// Recorded spans minus the holes, in wall-clock ms.
export function cutHoles(spans, holes) {
  let out = spans;
  for (const h of holes) {
    const next = [];
    for (const s of out) {
      if (h.end <= s.start || h.start >= s.end) next.push(s);
      else {
        if (h.start > s.start) next.push({ ...s, end: h.start });
        if (h.end < s.end) next.push({ ...s, start: h.end });
      }
    }
    out = next;
  }
  return out;
}

// The timeline's data from the day's JSON and the playlist's holes; only
// holes inside a recording count (the ones between are the JSON's gaps).
export function timelineDay(day, playlistHoles = []) {
  const segs = day.segments.filter((s) => !s.untimed && s.start_ms !== null)
    .map((s) => ({ start: s.start_ms, end: s.end_ms, live: s.state === 'recording' }));
  const holes = playlistHoles.filter((h) => segs.some((s) => h.start >= s.start && h.end <= s.end));
  return {
    start: day.day_start_ms,
    offMin: day.utc_offset_min,
    segments: cutHoles(segs, holes),
    gaps: day.gaps.map((g) => ({ start: g.start_ms, end: g.end_ms })).concat(holes),
    motion: day.motion.map((m) => ({ start: m.start_ms, end: Math.max(m.end_ms ?? m.start_ms, m.start_ms) })),
  };
}

// The day strip's pictures: one per recording when there are at most
// fewMax, else one per hour with recordings (the hour's first recorded
// instant). Times in ms, in order.
export function stripTimes(day, fewMax = 8) {
  const segs = day.segments.filter((s) => s.start_ms !== null && s.end_ms > s.start_ms);
  if (segs.length <= fewMax) return segs.map((s) => s.start_ms);
  const hourOf = (ms) => Math.floor((ms + day.utc_offset_min * MS_MIN) / MS_HOUR);
  const out = new Map(); // hour -> first recorded ms in it
  for (const s of segs) {
    for (let t = s.start_ms; t < s.end_ms; t = (hourOf(t) + 1) * MS_HOUR - day.utc_offset_min * MS_MIN) {
      const h = hourOf(t);
      if (!out.has(h) || out.get(h) > t) out.set(h, t);
    }
  }
  return [...out.values()].sort((a, b) => a - b);
}
