// Thumbnails and time-lapses: /api/thumb.mp4 serves the keyframe of the chunk
// holding T as a one-frame MP4 that ffmpeg decodes bit-exactly to that
// chunk's first frame (H.264 and an x265 open-GOP CRA); a missing or damaged
// chunk gives the nearest good keyframe of the same recording; a gap is a
// 404; nothing outside ROOT, no FIFO, is ever read. /api/preview.mp4 decodes
// to one frame per sampled chunk, each that chunk's first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ffprobe, frameMd5s, makeChunks } from '../media/chunks.mjs';
import { FIXTURES, SUITE, assertError, isoAt, request, startServer, tmpdir } from './lib.mjs';

const OFF = 480; // the camera runs at +08:00
const media = (i) => path.join(FIXTURES, 'media', `chunk_${String(i).padStart(2, '0')}.ts`);
const T = Date.parse('2025-01-24T10:00:00+08:00');
const H265_T = T + 60000;
const ODD_T = T + 120000;
const PROPS_DAY = '2025-01-25';
const PROPS_T = T + 86400000;

// A recording folder: files[k] is the k-th chunk's source (null: missing on
// disk; a function: makes the file itself), each durMs long from t0.
function folder(dir, t0, files, durMs = 2000) {
  fs.mkdirSync(dir, { recursive: true });
  let text = `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:${Math.ceil(durMs / 1000)}\n`;
  files.forEach((src, k) => {
    const name = `chunk_${String(k).padStart(5, '0')}.ts`;
    text += `#EXT-X-PROGRAM-DATE-TIME:${isoAt(t0 + k * durMs, OFF)}\n#EXTINF:${(durMs / 1000).toFixed(6)},\n${name}\n`;
    if (typeof src === 'function') src(path.join(dir, name));
    else if (src) fs.copyFileSync(src, path.join(dir, name));
  });
  fs.writeFileSync(path.join(dir, 'index.m3u8'), `${text}#EXT-X-ENDLIST\n`);
}

const thumb = (t) => `/api/thumb.mp4?t=${encodeURIComponent(t)}`;
const preview = (from, to, n) =>
  `/api/preview.mp4?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&frames=${n}`;

describe('thumbnails and time-lapses', SUITE, () => {
  const work = tmpdir();
  const root = path.join(work, 'root');
  const chunks = makeChunks();
  const h265 = chunks['h265-open'];
  const damaged = (p) => fs.writeFileSync(p, fs.readFileSync(media(2)).subarray(0, 564 + 188 * 3));
  let srv;
  const md5Of = (body) => {
    const f = path.join(work, `body-${Math.random().toString(36).slice(2)}.mp4`);
    fs.writeFileSync(f, body);
    return frameMd5s(f);
  };
  const first = (file) => frameMd5s(file, 1)[0];

  before(async () => {
    // chunk 2 damaged (no keyframe left), chunk 3 missing on disk
    folder(path.join(root, '2025-01-24/00001'), T, [media(0), media(1), damaged, null, media(4)]);
    folder(path.join(root, '2025-01-24/00002'), H265_T, h265, 1000);
    // a FIFO and a symlink out of ROOT where chunks should be
    fs.writeFileSync(path.join(work, 'outside.ts'), fs.readFileSync(media(5)));
    folder(path.join(root, '2025-01-24/00003'), ODD_T, [
      (p) => execFileSync('mkfifo', [p]),
      (p) => fs.symlinkSync(path.join(work, 'outside.ts'), p),
    ]);
    // a day of one folder per variant: what /api/days says of each
    Object.values(chunks).forEach((files, k) =>
      folder(path.join(root, `${PROPS_DAY}/${String(k + 1).padStart(5, '0')}`), PROPS_T + k * 60000, files, 1000));
    srv = await startServer(['--root', root, '--preview-max-frames', '10']);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the keyframe of the chunk holding T, bit-exact, with its wall-clock time', async () => {
    const r = await srv.get(thumb(isoAt(T + 1000, OFF)));
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['content-type'], 'video/mp4');
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(r.headers['x-camcat-time'], '2025-01-24T10:00:00.000+08:00');
    assert.equal(r.headers['x-camcat-codec'], 'avc1.42c00c');
    assert.match(r.headers.etag, /^"k1-/);
    assert.equal(Number(r.headers['content-length']), r.body.length);
    assert.deepEqual(md5Of(r.body), [first(media(0))]);
    // the next chunk, by epoch ms and by zone-less local time
    const b = await srv.get(thumb(String(T + 2500)));
    assert.equal(b.headers['x-camcat-time'], '2025-01-24T10:00:02.000+08:00');
    assert.deepEqual(md5Of(b.body), [first(media(1))]);
    const c = await srv.get(thumb('2025-01-24T10:00:03.999'));
    assert.ok(c.body.equals(b.body));
  });

  test('ETag: a revalidation is a 304 without a body', async () => {
    const r = await srv.get(thumb(String(T)));
    const again = await request(srv.port, thumb(String(T + 1999)), { headers: { 'If-None-Match': r.headers.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, r.headers.etag);
  });

  test('HEAD: the same headers, no body', async () => {
    const g = await srv.get(thumb(String(T)));
    const h = await request(srv.port, thumb(String(T)), { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
    for (const k of ['content-type', 'content-length', 'etag', 'x-camcat-time', 'cache-control'])
      assert.equal(h.headers[k], g.headers[k], k);
    const p = await request(srv.port, preview(String(T), String(T + 10000), 5), { method: 'HEAD' });
    assert.equal(p.status, 200);
    assert.equal(p.headers['content-type'], 'video/mp4');
    assert.equal(p.body.length, 0);
  });

  test('byte ranges, as Safari asks for them', async () => {
    const full = await srv.get(thumb(String(T)));
    assert.equal(full.headers['accept-ranges'], 'bytes');
    const a = await request(srv.port, thumb(String(T)), { headers: { Range: 'bytes=0-1' } });
    assert.equal(a.status, 206);
    assert.equal(a.headers['content-range'], `bytes 0-1/${full.body.length}`);
    assert.ok(a.body.equals(full.body.subarray(0, 2)));
    const b = await request(srv.port, thumb(String(T)), { headers: { Range: 'bytes=-100' } });
    assert.equal(b.status, 206);
    assert.ok(b.body.equals(full.body.subarray(full.body.length - 100)));
    const c = await request(srv.port, thumb(String(T)), { headers: { Range: `bytes=${full.body.length}-` } });
    assert.equal(c.status, 416);
    assert.equal(c.headers['content-range'], `bytes */${full.body.length}`);
    const d = await request(srv.port, thumb(String(T)), { headers: { Range: 'bytes=0-1', 'If-Range': '"other"' } });
    assert.equal(d.status, 200);
    assert.ok(d.body.equals(full.body));
  });

  test('H.265 open GOP: the second chunk starts with a CRA; its thumbnail decodes bit-exactly', async () => {
    const r = await srv.get(thumb(String(H265_T + 1500)));
    assert.equal(r.status, 200, r.body.toString());
    assert.match(r.headers['x-camcat-codec'], /^hvc1\.1\.6\.L\d+\.90$/);
    assert.deepEqual(md5Of(r.body), [first(h265[1])]);
  });

  test('a gap is a 404 in JSON; t is required', async () => {
    assertError(await srv.get(thumb(String(T + 30000))), 404, 'no_recording');
    assertError(await srv.get(thumb(String(T - 60000))), 404, 'no_recording');
    assertError(await srv.get('/api/thumb.mp4'), 400, 'bad_time');
    assertError(await srv.get(thumb('yesterday')), 400);
    const p = await request(srv.port, thumb(String(T)), { method: 'POST' });
    assert.equal(p.status, 405);
  });

  test('a damaged chunk: the nearest good keyframe of the recording instead', async () => {
    const r = await srv.get(thumb(String(T + 4500)));
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['x-camcat-time'], '2025-01-24T10:00:02.000+08:00');
    assert.deepEqual(md5Of(r.body), [first(media(1))]);
  });

  test('a chunk missing on disk: the nearest good one (past the damaged one)', async () => {
    const r = await srv.get(thumb(String(T + 6500)));
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['x-camcat-time'], '2025-01-24T10:00:08.000+08:00');
    assert.deepEqual(md5Of(r.body), [first(media(4))]);
  });

  test('a FIFO or a symlink out of ROOT is never read', async () => {
    assertError(await srv.get(thumb(String(ODD_T + 500))), 404, 'no_keyframe');
    assertError(await srv.get(thumb(String(ODD_T + 2500))), 404, 'no_keyframe');
  });

  test('a time-lapse: one frame per sampled chunk, each its first; bad chunks left out', async () => {
    const r = await srv.get(preview(String(T), String(T + 10000), 5));
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['content-type'], 'video/mp4');
    assert.equal(r.headers['x-camcat-frame-ms'], '100');
    // instants 1, 3, 5, 7, 9 s: chunks 0, 1, 2 (damaged), 3 (missing), 4
    assert.deepEqual(md5Of(r.body), [media(0), media(1), media(4)].map(first));
  });

  test('an H.265 time-lapse, and more frames than chunks', async () => {
    const r = await srv.get(preview(String(H265_T), String(H265_T + 2000), 8));
    assert.equal(r.status, 200, r.body.toString());
    assert.deepEqual(md5Of(r.body), h265.map(first));
  });

  test('time-lapse limits: frames within preview_max_frames, a range, something recorded', async () => {
    const e = assertError(await srv.get(preview(String(T), String(T + 10000), 11)), 400, 'bad_frames');
    assert.match(e.error.message, /preview_max_frames/);
    assertError(await srv.get(preview(String(T), String(T + 10000), 0)), 400, 'bad_frames');
    assertError(await srv.get(`/api/preview.mp4?from=${T}`), 400, 'bad_range');
    assertError(await srv.get(preview(String(T), String(T + 8 * 86400000), 5)), 413, 'range_too_long');
    assertError(await srv.get(preview(String(T + 20000), String(T + 50000), 5)), 404, 'no_recordings');
    assertError(await srv.get(preview(String(ODD_T), String(ODD_T + 4000), 2)), 404, 'no_keyframe');
  });
  test("a segment's properties in /api/days equal ffprobe's of its first chunk", async () => {
    const r = await srv.get(`/api/days/${PROPS_DAY}`);
    assert.equal(r.status, 200, r.body.toString());
    const segs = JSON.parse(r.body).segments;
    const names = Object.keys(chunks);
    assert.equal(segs.length, names.length);
    segs.forEach((seg, k) => {
      const file = chunks[names[k]][0];
      const streams = ffprobe(file);
      const v = streams.find((s) => s.codec_type === 'video');
      const a = streams.find((s) => s.codec_type === 'audio');
      const [n, d] = seg.video.frame_rate.split('/').map(Number);
      const [vn, vd] = v.r_frame_rate.split('/').map(Number);
      assert.deepEqual(
        [seg.video.codec, seg.video.profile, seg.video.level, seg.video.width, seg.video.height, n / d],
        [v.codec_name, v.profile, v.level, v.width, v.height, vn / vd], names[k]);
      assert.match(seg.video.codec_string, v.codec_name === 'hevc' ? /^hvc1\./ : /^avc1\./);
      if (a) assert.deepEqual(seg.audio, { codec: a.codec_name, channels: a.channels, sample_rate: Number(a.sample_rate) });
      else assert.equal(seg.audio, null, names[k]);
      const size = fs.statSync(file).size;
      assert.equal(seg.chunk_bytes, size);
      assert.equal(seg.bitrate, Math.floor((size * 8 * 1000) / 1000), names[k]); // 1 s chunks
    });
    // no chunk to probe (a FIFO first): unknown, not an error
    const odd = JSON.parse((await srv.get('/api/days/2025-01-24')).body).segments[2];
    assert.deepEqual([odd.video, odd.audio, odd.bitrate, odd.chunk_bytes], [null, null, null, null]);
  });
});
