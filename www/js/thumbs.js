// Keyframe thumbnails: GET /api/thumb.mp4 (a one-frame MP4) played by one of
// a few hidden <video> elements, drawn once into a small canvas and kept per
// chunk. A plain <video> works on http:// pages, where WebCodecs does not.
import { app } from './state.js';

const W = 160;
const H = 90;
const POOL = 2;
const cache = new Map(); // chunk start (or asked ms) -> Promise<{cv, ms}>
const idle = [];
const waiting = [];

// Can this browser decode the codec string (e.g. hvc1.1.6.L93.90)?
export function canDecode(cs) {
  const type = `video/mp4; codecs="${cs}"`;
  const ms = window.MediaSource;
  return !!(ms && ms.isTypeSupported(type)) || document.createElement('video').canPlayType(type) !== '';
}

// The segment holding ms and, when its pictures are H.265 this browser
// cannot show, the reason.
export function undecodable(ms) {
  const seg = app.day && app.day.segments.find((s) => s.start_ms <= ms && ms < s.end_ms);
  const v = seg && seg.video;
  if (!v || v.codec !== 'hevc' || canDecode(v.codec_string || 'hvc1')) return null;
  return 'this browser cannot decode H.265';
}

let made = 0;
function takeVideo() {
  if (idle.length) return Promise.resolve(idle.pop());
  if (made >= POOL) return new Promise((r) => waiting.push(r));
  made++;
  const v = document.createElement('video');
  v.muted = true;
  v.playsInline = true;
  v.preload = 'auto';
  return Promise.resolve(v);
}

function giveVideo(v) {
  v.removeAttribute('src');
  v.load();
  const w = waiting.shift();
  if (w) w(v);
  else idle.push(v);
}

// The first frame of the MP4 in blob, drawn into a W×H canvas.
async function draw(blob) {
  const v = await takeVideo();
  const url = URL.createObjectURL(blob);
  try {
    await new Promise((resolve, reject) => {
      v.onloadeddata = resolve;
      v.onerror = () => reject(new Error('this picture could not be decoded'));
      v.src = url;
    });
    const cv = document.createElement('canvas');
    cv.width = W;
    cv.height = H;
    const g = cv.getContext('2d', { willReadFrequently: true });
    // Chromium may fire loadeddata before the decoded frame reaches the
    // element: drawImage then draws nothing (alpha 0, a black thumbnail).
    // A drawn picture is opaque, even a black one; until then, try again
    // (for up to 3 s: a busy phone can take that long to present a frame).
    for (let i = 0; ; i++) {
      g.drawImage(v, 0, 0, W, H);
      if (g.getImageData(W >> 1, H >> 1, 1, 1).data[3]) return cv;
      if (i === 120) throw new Error('this picture could not be decoded');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    v.onloadeddata = v.onerror = null;
    URL.revokeObjectURL(url);
    giveVideo(v);
  }
}

async function load(ms) {
  const r = await fetch(`/api/thumb.mp4?t=${Math.round(ms)}`);
  if (!r.ok) {
    const b = await r.json().catch(() => null);
    throw new Error((b && b.error && b.error.message) || 'no picture here');
  }
  const at = Date.parse(r.headers.get('X-Camcat-Time'));
  return { cv: await draw(await r.blob()), ms: Number.isNaN(at) ? ms : at };
}

// {cv (a canvas to copy from), ms (the picture's real time)}; chunk: the start
// of the chunk holding ms when known, so one request serves the whole chunk.
export function thumbAt(ms, chunk = null) {
  const key = chunk ?? Math.round(ms);
  let p = cache.get(key);
  if (!p) {
    p = load(chunk ?? ms);
    p.catch(() => cache.delete(key));
    if (cache.size > 400) cache.delete(cache.keys().next().value);
    cache.set(key, p);
  }
  return p;
}

// Copies a cached thumbnail into a canvas on the page.
export function paint(dst, cv) {
  dst.width = W;
  dst.height = H;
  dst.getContext('2d').drawImage(cv, 0, 0);
}
