// The day at a glance and the timeline's bands, from a day JSON shaped as
// src/dayjson.c writes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cutHoles, holesIn, isRecording, propsText, recordingRows, stripTimes, summaryText,
  timelineDay } from '../../www/js/daysum.js';
import { fmtLength, wholeChunks } from '../../www/js/clip.js';

const T = Date.parse('2025-01-24T08:00:00+08:00');
const seg = (id, start, end, state, extra = {}) => ({ id, start_ms: start, end_ms: end, state, untimed: false,
  duration_s: (end - start) / 1000, missing_chunks: 0, ...extra });
const day = (segments) => ({
  date: '2025-01-24', utc_offset_min: 480, day_start_ms: Date.parse('2025-01-24T00:00:00+08:00'), segments,
  gaps: [{ start_ms: T + 690000, end_ms: T + 16200000 }],
  motion: [{ start_ms: T + 5000, end_ms: T + 9000 }, { start_ms: T + 20000, end_ms: null }],
  totals: { recorded_s: 1199, motion: 2 },
});

test('summary: hours, gaps, motion, and recording only when the API says so', () => {
  const d = day([seg('00001', T, T + 690000, 'closed'), seg('00002', T + 16200000, T + 16700000, 'interrupted')]);
  assert.equal(summaryText(d), '19 min recorded in 2 recordings · 1 gap · 2 motion events');
  assert.equal(isRecording(d), false);
  d.segments[1].state = 'recording';
  assert.equal(isRecording(d), true);
  assert.match(summaryText(d), / · recording now$/);
  assert.equal(isRecording(null), false);
});

test('recordings list: times in the camera offset, state, missing chunks', () => {
  const rows = recordingRows(day([seg('00001', T, T + 690000, 'closed', { missing_chunks: 1 }),
    seg('00002', null, null, 'recording', { duration_s: 0 })]));
  assert.deepEqual(rows.map((r) => [r.id, r.from, r.to, r.state, r.recording, r.missing]), [
    ['00001', '08:00:00', '08:11:30', 'closed', false, 1],
    ['00002', '--:--:--', '--:--:--', 'recording', true, 0],
  ]);
});

test('recording info: resolution, rate, codec, audio, bitrate as the JSON says', () => {
  const video = { codec: 'h264', codec_string: 'avc1.64001f', profile: 'High', level: 31, width: 1280, height: 720,
    frame_rate: '25/1' };
  assert.equal(propsText({ video, audio: { codec: 'aac', channels: 2, sample_rate: 48000 }, bitrate: 1203000 }),
    '1280×720 · 25 fps · H.264 High 3.1 · AAC 2 ch 48 kHz · ≈1.20 Mbit/s');
  assert.equal(propsText({ video: { ...video, codec: 'hevc', profile: 'Main', level: 93, frame_rate: '30000/1001' },
    audio: null, bitrate: null }), '1280×720 · 29.97 fps · H.265 Main 3.1 · no audio');
  assert.equal(propsText({ video: { codec: 'h264' }, audio: null, bitrate: 8000 }), 'H.264 · no audio · ≈0.01 Mbit/s');
  assert.equal(propsText({ video: null, audio: null, bitrate: null }), '');
});

test('a chunk missing from the playlist is a hole inside its recording', () => {
  const frags = [0, 2, 4, 8, 10].map((s) => ({ programDateTime: T + s * 1000, duration: 2 }));
  assert.deepEqual(holesIn(frags), [{ start: T + 6000, end: T + 8000 }]);
  assert.deepEqual(cutHoles([{ start: T, end: T + 12000 }], holesIn(frags)),
    [{ start: T, end: T + 6000 }, { start: T + 8000, end: T + 12000 }]);
  const tl = timelineDay(day([seg('00001', T, T + 12000, 'closed')]), holesIn(frags));
  assert.deepEqual(tl.segments.map((s) => [s.start - T, s.end - T]), [[0, 6000], [8000, 12000]]);
  assert.equal(tl.gaps.length, 2); // the JSON's gap and the hole
  assert.deepEqual(tl.motion[1], { start: T + 20000, end: T + 20000 });
});

test('holes between recordings are the JSON\'s gaps, not counted twice', () => {
  const frags = [{ programDateTime: T, duration: 2 }, { programDateTime: T + 16200000, duration: 2 }];
  const tl = timelineDay(day([seg('00001', T, T + 2000, 'closed'), seg('00002', T + 16200000, T + 16202000, 'closed')]),
    holesIn(frags));
  assert.equal(tl.gaps.length, 1);
});

test('a clip is cut at whole chunks: 8 s asked, 10 s in the file', () => {
  const frags = [0, 2, 4, 6, 8, 10].map((s) => ({ programDateTime: T + s * 1000, duration: 2 }));
  assert.deepEqual(wholeChunks(frags, T + 1000, T + 9000), { from: T, to: T + 10000 });
  assert.deepEqual(wholeChunks(frags, T + 2000, T + 4000), { from: T + 2000, to: T + 4000 });
  assert.equal(wholeChunks(frags, T + 60000, T + 70000), null);
  assert.equal(fmtLength(8000), '8 s');
  assert.equal(fmtLength(90000), '1 min 30 s');
  assert.equal(fmtLength(3 * 3600000 + 60000), '3 h 1 min');
});

test('day strip: one picture per recording when few, else one per hour with recordings', () => {
  const few = day([seg('00001', T, T + 690000, 'closed'), seg('00002', T + 16200000, T + 16700000, 'interrupted'),
    seg('00003', null, null, 'closed')]);
  assert.deepEqual(stripTimes(few), [T, T + 16200000]);
  // 08:00-08:11:30, 08:50-10:20 (into 09:00 and 10:00), 12:30-12:31: four hours
  const many = day([seg('00001', T, T + 690000, 'closed'), seg('00002', T + 3000000, T + 8400000, 'closed'),
    seg('00003', T + 16200000, T + 16260000, 'closed')]);
  assert.deepEqual(stripTimes(many, 2), [T, T + 3600000, T + 7200000, T + 16200000]);
  assert.deepEqual(stripTimes(day([])), []);
});
