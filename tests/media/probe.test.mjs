// camcat probe and camcat preview against ffmpeg: for chunks of every kind
// made by Debian's ffmpeg (H.264 baseline/main/high, 4:2:2, 1080p, 4 slices,
// with and without AAC; H.265 closed and open GOP), the properties equal
// ffprobe's, the keyframe remuxed into a one-frame MP4 decodes bit-exactly to
// the chunk's first frame, and a time-lapse decodes to one frame per chunk,
// each its chunk's first.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { VARIANTS, ffprobe, frameMd5s, makeChunks } from './chunks.mjs';

const BUILD = path.resolve(process.env.CAMCAT_BUILD || 'build');
const CAMCAT = path.join(BUILD, 'camcat');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'camcat-probe-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function camcat(...args) {
  const r = spawnSync(CAMCAT, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const fps = (s) => {
  const [n, d] = s.split('/').map(Number);
  return n / d;
};

describe('camcat probe', { timeout: 600000 }, () => {
  const chunks = makeChunks();
  for (const name of Object.keys(VARIANTS)) {
    test(`${name}: properties equal ffprobe's`, () => {
      for (const file of chunks[name]) {
        const got = JSON.parse(camcat('probe', file, '--duration', '1'));
        const streams = ffprobe(file);
        const v = streams.find((s) => s.codec_type === 'video');
        const a = streams.find((s) => s.codec_type === 'audio');
        assert.equal(got.video.codec, v.codec_name);
        assert.equal(got.video.profile, v.profile);
        assert.equal(got.video.level, v.level);
        assert.equal(got.video.width, v.width);
        assert.equal(got.video.height, v.height);
        assert.equal(fps(got.video.frame_rate), fps(v.r_frame_rate));
        assert.match(got.video.codec_string, v.codec_name === 'hevc' ? /^hvc1\.1\.6\.L\d+\.90$/ : /^avc1\.[0-9a-f]{6}$/);
        if (a) {
          assert.equal(got.audio.codec, a.codec_name);
          assert.equal(got.audio.channels, a.channels);
          assert.equal(got.audio.sample_rate, Number(a.sample_rate));
        } else {
          assert.equal(got.audio, null);
        }
        assert.equal(got.bitrate, fs.statSync(file).size * 8);
        console.log(`${name}: ${JSON.stringify(got.keyframe)}, ${got.bytes} bytes`);
        assert.ok(got.keyframe.offset >= 564 && got.keyframe.size > 0);
      }
    });

    test(`${name}: the thumbnail decodes to the chunk's first frame`, () => {
      for (const [i, file] of chunks[name].entries()) {
        const out = path.join(tmp, `${name}-${i}.mp4`);
        const got = JSON.parse(camcat('probe', file, '--thumb', out));
        const want = frameMd5s(file, 1);
        assert.deepEqual(frameMd5s(out), want);
        // what the server reads: about the keyframe, not the chunk
        assert.ok(got.keyframe.bytes_read <= got.keyframe.access_unit_bytes + 4096, JSON.stringify(got));
      }
    });

    test(`${name}: a time-lapse has one frame per chunk, each its first`, () => {
      const out = path.join(tmp, `${name}-preview.mp4`);
      const files = [...chunks[name], chunks[name][0]];
      camcat('preview', out, ...files);
      assert.deepEqual(frameMd5s(out), files.map((f) => frameMd5s(f, 1)[0]));
    });
  }

  test('x265 open GOP: the second chunk starts with a CRA, not an IDR', () => {
    const open = JSON.parse(camcat('probe', chunks['h265-open'][1]));
    assert.equal(open.keyframe.nal_type, 21);
    const closed = JSON.parse(camcat('probe', chunks['h265-closed'][1]));
    assert.ok(closed.keyframe.nal_type === 19 || closed.keyframe.nal_type === 20);
  });
});
