// One <video> playing a day's stitched playlist, with hls.js where the
// browser has MSE and native HLS where it has only that (older iOS).
// Wall clock <-> media time comes from the playlist's fragments: each has
// a program date-time (pdt) and a media start, so
//   media = frag.start + (wall - frag.pdt) / 1000.
// A chunk that cannot be loaded or decoded is skipped, never waited on.

const HLS_URL = 'vendor/hls.min.js';
const FAIL_STREAK = 3; // failed chunks in a row that end the attempt
const FRAG_ERRORS = new Set(['fragLoadError', 'fragLoadTimeOut', 'fragParsingError', 'fragDecryptError',
  'fragGap']);
let hlsPromise = null;

// hls.js is 600 KB: fetched while the first day's JSON loads, never where
// native HLS is used.
export function preloadHls() {
  if (hasMse()) loadHls().catch(() => {});
}

function loadHls() {
  if (!hlsPromise) {
    hlsPromise = new Promise((resolve, reject) => {
      if (window.Hls) return resolve(window.Hls);
      const s = document.createElement('script');
      s.src = HLS_URL;
      s.onload = () => (window.Hls ? resolve(window.Hls) : reject(new Error('hls.js did not load')));
      s.onerror = () => {
        hlsPromise = null;
        reject(new Error('hls.js could not be loaded'));
      };
      document.head.append(s);
    });
  }
  return hlsPromise;
}

function hasMse() {
  return !!(window.MediaSource || window.ManagedMediaSource || window.WebKitMediaSource);
}

// The fragments of a media playlist, for native playback where hls.js
// cannot tell us: start is the sum of the EXTINF durations before it.
export function parseFragments(text) {
  const out = [];
  let start = 0;
  let pdt = null;
  let dur = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) dur = parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && dur !== null) {
      out.push({ start, duration: dur, programDateTime: Number.isFinite(pdt) ? pdt : null });
      start += dur;
      pdt = null;
      dur = null;
    }
  }
  return { fragments: out, live: !/^#EXT-X-ENDLIST/m.test(text) };
}

// hls.js 1.7.4 can schedule a live playlist's reload from a response that
// lands while its instance is being torn down; the timer then fires on the
// destroyed instance ("reading 'trigger'"). Playlist responses for an
// instance the player has let go are dropped before hls.js sees them.
const RETIRE_MS = 10000;

function loaderWhile(Base, current) {
  return class extends Base {
    load(context, config, callbacks) {
      const only = (fn) => fn && ((...a) => (current() ? fn(...a) : undefined));
      super.load(context, config, {
        ...callbacks,
        onSuccess: only(callbacks.onSuccess),
        onError: only(callbacks.onError),
        onTimeout: only(callbacks.onTimeout),
        onProgress: only(callbacks.onProgress),
      });
    }
  };
}

export class Player {
  constructor(video, cb) {
    this.video = video;
    this.cb = cb; // onTime(ms), onNotice(text), onError(text), onBusy(bool), onState(str), onLevel()
    this.hls = null;
    this.frags = [];
    this.gen = 0;
    this.rate = 1;
    this.failed = [];
    this.nFailed = 0;
    this.pending = null;
    this.ready = false;
    this.lastRecover = 0;
    this.lastSwap = 0;
    this.poll = 0;
    this.busyTimer = 0;
    this.stall = { t: -1, since: 0 };
    this.starting = null; // media time asked for, until the video is there
    this.held = null; // the wall clock of the paused frame
    this.begun = false; // start() ran for this source
    this.frameS = 1 / 25; // one frame, measured while playing
    const v = video;
    const tick = () => this.emitTime();
    for (const ev of ['timeupdate', 'seeking', 'seeked', 'loadeddata']) v.addEventListener(ev, tick);
    v.addEventListener('play', () => {
      this.held = null;
      this.cb.onState('playing');
    });
    v.addEventListener('pause', () => {
      this.emitTime(); // the readout shows the paused frame's time at once
      this.cb.onState('paused');
    });
    v.addEventListener('ended', () => this.cb.onState('ended'));
    v.addEventListener('waiting', () => this.busy(true));
    for (const ev of ['playing', 'canplay', 'seeked', 'pause']) v.addEventListener(ev, () => this.busy(false));
    v.addEventListener('timeupdate', () => this.checkSkip());
    v.addEventListener('seeked', () => (this.starting = null));
    v.addEventListener('error', () => {
      if (!this.hls && v.error && v.getAttribute('src')) this.cb.onError(`The video cannot be played (${v.error.message || v.error.code}).`);
    });
    setInterval(() => this.watchdog(), 1000);
    this.measureFrames();
  }

  // The frame interval, from the media times of frames shown while playing.
  measureFrames() {
    const v = this.video;
    if (!v.requestVideoFrameCallback) return;
    let last = null;
    const cb = (now, meta) => {
      const d = last === null ? 0 : meta.mediaTime - last;
      if (d > 1 / 120 && d < 0.5 && !v.paused) this.frameS = Math.min(this.frameS === 1 / 25 ? d : this.frameS, d);
      last = meta.mediaTime;
      v.requestVideoFrameCallback(cb);
    };
    v.requestVideoFrameCallback(cb);
  }

  get offMin() {
    return this.cb.offMin();
  }

  busy(on) {
    clearTimeout(this.busyTimer);
    if (!on) return this.cb.onBusy(false);
    this.busyTimer = setTimeout(() => this.cb.onBusy(true), 300);
  }

  // Starts playing url at startMs (wall clock, or a promise of it; null: the
  // first recording). when: a promise that says whether to play at all, so
  // the playlist and hls.js load while the caller is still asking.
  async open({ url, startMs = null, live = false, when = true }) {
    this.close();
    const gen = this.gen;
    this.pending = { startMs, live, when };
    const v = this.video;
    const native = !hasMse() && v.canPlayType('application/vnd.apple.mpegurl');
    if (native) return this.openNative(url, gen);
    let Hls;
    try {
      Hls = await loadHls();
    } catch (e) {
      if (gen === this.gen) this.cb.onError(e.message);
      return;
    }
    if (gen !== this.gen) return;
    if (!Hls.isSupported()) {
      this.cb.onError('This browser cannot play HLS video.');
      return;
    }
    const retry = (n, delay) => ({ maxNumRetry: n, retryDelayMs: delay, maxRetryDelayMs: delay * 2 });
    let hls = null;
    const hlsOpts = {
      pLoader: loaderWhile(Hls.DefaultConfig.loader, () => hls !== null && this.hls === hls),
      autoStartLoad: false,
      maxBufferLength: 20,
      backBufferLength: 30,
      // A bad chunk should cost a second, not a minute of retries.
      fragLoadPolicy: { default: { maxTimeToFirstByteMs: 10000, maxLoadTimeMs: 30000,
        timeoutRetry: retry(1, 0), errorRetry: retry(1, 500) } },
    };
    hls = new Hls(hlsOpts);
    this.hls = hls;
    const E = Hls.Events;
    const onDetails = (ev, data) => {
      if (gen !== this.gen) return;
      this.frags = data.details.fragments;
      this.cb.onLevel(data.details.live);
      if (!this.begun) this.start(gen);
      else this.emitTime();
    };
    hls.on(E.LEVEL_LOADED, onDetails);
    hls.on(E.LEVEL_UPDATED, onDetails);
    hls.on(E.FRAG_CHANGED, () => this.emitTime());
    // hls.js reports even a failed chunk as buffered: only media that
    // really arrived ends a streak of failures.
    hls.on(E.FRAG_BUFFERED, () => {
      const b = v.buffered;
      const end = b.length ? b.end(b.length - 1) : 0;
      if (end > this.bufEnd + 0.1) this.streak = 0;
      this.bufEnd = end;
    });
    hls.on(E.ERROR, (ev, data) => gen === this.gen && this.onHlsError(Hls, data));
    hls.attachMedia(v);
    hls.loadSource(url);
  }

  async openNative(url, gen) {
    const v = this.video;
    const load = async () => {
      const r = await fetch(url, { cache: 'no-store' });
      if (!r.ok) throw new Error(`playlist: ${r.status}`);
      return parseFragments(await r.text());
    };
    try {
      const pl = await load();
      if (gen !== this.gen) return;
      this.frags = pl.fragments;
      this.cb.onLevel(pl.live);
      if (pl.live) {
        this.poll = setInterval(async () => {
          const next = await load().catch(() => null);
          if (next && gen === this.gen) {
            this.frags = next.fragments;
            this.cb.onLevel(next.live);
          }
        }, 10000);
      }
    } catch (e) {
      if (gen === this.gen) this.cb.onError(`The day's playlist cannot be loaded (${e.message}).`);
      return;
    }
    v.src = url;
    v.addEventListener('loadedmetadata', () => gen === this.gen && this.start(gen), { once: true });
  }

  // The first playlist is in: go to the wanted time and play.
  async start(gen) {
    this.begun = true;
    const p = this.pending || {};
    const [go, startMs] = await Promise.all([p.when, p.startMs]);
    if (gen !== this.gen || !go) return;
    this.ready = true;
    this.pending = null;
    let t = 0;
    if (p.live) t = -1;
    else if (startMs !== null && startMs !== undefined) {
      const r = this.mediaAt(startMs);
      if (r) {
        t = r.t;
        if (r.inGap) this.cb.onNotice(r.message);
      }
    }
    if (t >= 0) this.starting = t;
    if (this.hls) this.hls.startLoad(t);
    else if (t >= 0) this.video.currentTime = t;
    this.setRate(this.rate);
    this.play();
    this.emitTime();
  }

  close() {
    this.gen++;
    this.begun = false;
    this.held = null;
    clearInterval(this.poll);
    this.poll = 0;
    if (this.hls) {
      // Let go first, so its late playlist responses are dropped (loaderWhile),
      // then stop and detach. hls.js 1.7.4 can still fire a live reload timer
      // armed while it tears down; destroyed, the instance would throw there,
      // so it is destroyed once any such timer has run.
      const old = this.hls;
      this.hls = null;
      old.stopLoad();
      old.detachMedia();
      setTimeout(() => old.destroy(), RETIRE_MS);
    }
    this.frags = [];
    this.failed = [];
    this.nFailed = 0;
    this.streak = 0;
    this.bufEnd = 0;
    this.ready = false;
    this.pending = null;
    this.starting = null;
    const v = this.video;
    if (v.getAttribute('src')) {
      v.removeAttribute('src');
      v.load();
    }
    this.busy(false);
  }

  play() {
    const p = this.video.play();
    if (p && p.catch) p.catch(() => this.cb.onState('paused'));
  }

  toggle() {
    if (this.video.paused || this.video.ended) this.play();
    else this.video.pause();
  }

  setRate(r) {
    this.rate = r;
    this.video.defaultPlaybackRate = r;
    this.video.playbackRate = r;
  }

  // --- the wall-clock map ------------------------------------------------

  // Index of the fragment holding media time t (the last starting at or before it).
  fragIndexAt(t) {
    const f = this.frags;
    let lo = 0;
    let hi = f.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (f[mid].start <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  wallAt(t) {
    const i = this.fragIndexAt(t);
    if (i < 0) return null;
    const f = this.frags[i];
    if (f.programDateTime === null || f.programDateTime === undefined) return null;
    const off = Math.min(Math.max(t - f.start, 0), f.duration);
    return Math.round(f.programDateTime + off * 1000);
  }

  now() {
    if (!this.ready || !this.frags.length) return null;
    const v = this.video;
    // Until the start position is reached the video reads 0: show the target.
    if (this.starting !== null) {
      const d = v.currentTime - this.starting;
      if (d > -1 && d < 5) this.starting = null;
      else return this.wallAt(this.starting);
    }
    // A paused frame keeps its time until played or moved by us: a live
    // playlist's refresh may shift the map, and hls.js nudge the video by a
    // few ms, under a picture that does not move.
    if (v.paused && this.held !== null) return this.held;
    const wall = this.wallAt(v.currentTime);
    this.held = v.paused ? wall : null;
    return wall;
  }

  // Where wall-clock ms is in the media: {t, landed (wall ms), inGap, after}.
  // PDTs are not assumed sorted (clocks jump): the fragment holding ms
  // wins, else the one starting soonest after it.
  mediaAt(ms) {
    let next = null;
    let last = null;
    for (const f of this.frags) {
      const p = f.programDateTime;
      if (p === null || p === undefined) continue;
      if (ms >= p && ms < p + f.duration * 1000) return { t: f.start + (ms - p) / 1000, landed: ms, inGap: false };
      if (p > ms && (!next || p < next.programDateTime)) next = f;
      if (!last || p > last.programDateTime) last = f;
    }
    const fmt = this.cb.fmt;
    if (next) {
      return { t: next.start + 0.001, landed: next.programDateTime, inGap: true,
        message: `No recording at ${fmt(ms)} — jumped to ${fmt(next.programDateTime)}` };
    }
    if (!last) return null;
    const end = last.programDateTime + last.duration * 1000;
    const t = Math.max(last.start, last.start + last.duration - 0.5);
    return { t, landed: end - 500, inGap: true, after: true,
      message: `No recording after ${fmt(end)} on this day` };
  }

  // Seeks to wall-clock ms; returns what mediaAt said (null if nothing loaded).
  seekWall(ms) {
    if (!this.ready) {
      if (this.pending) this.pending.startMs = ms;
      return null;
    }
    const r = this.mediaAt(ms);
    if (!r) return null;
    this.seekMedia(r.t);
    return r;
  }

  seekMedia(t) {
    const v = this.video;
    this.starting = null;
    this.held = null;
    this.stall = { t: -1, since: 0 };
    v.currentTime = Math.max(0, t);
    if (v.ended) this.play();
    this.emitTime();
  }

  emitTime() {
    this.cb.onTime(this.now());
  }

  // One frame back or on, paused.
  stepFrame(dir) {
    const v = this.video;
    if (!v.paused) v.pause();
    this.seekMedia(v.currentTime + dir * this.frameS);
  }

  // To the previous or next keyframe: every chunk starts with one. Back
  // from well inside a chunk goes to its own start.
  stepKeyframe(dir) {
    const v = this.video;
    const f = this.frags;
    const i = this.fragIndexAt(v.currentTime);
    if (i < 0) return;
    if (!v.paused) v.pause();
    let k = i + (dir > 0 ? 1 : 0);
    if (dir < 0 && v.currentTime - f[i].start < 0.1) k = Math.max(0, i - 1);
    if (k >= f.length) return;
    this.seekMedia(f[k].start + 0.001);
  }

  // --- live -------------------------------------------------------------------

  // Media time of the live edge hls.js aims for (three target durations
  // back from the newest chunk), null when not live or not loaded yet.
  liveEdge() {
    if (this.hls) return this.hls.liveSyncPosition ?? null;
    const s = this.video.seekable;
    return s.length ? Math.max(s.start(0), s.end(s.length - 1) - 6) : null;
  }

  // Seconds of media between the play head and the live edge.
  behindLive() {
    const e = this.liveEdge();
    return e === null ? 0 : Math.max(0, e - this.video.currentTime);
  }

  goLive() {
    const e = this.liveEdge();
    if (e !== null) this.seekMedia(e);
    this.play();
  }

  // --- failures -------------------------------------------------------------

  onHlsError(Hls, data) {
    const frag = data.frag;
    if (frag && FRAG_ERRORS.has(data.details) && (!frag.type || frag.type === 'main')) {
      this.fragFailed(frag, data.fatal);
      return;
    }
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      const now = performance.now();
      if (now - this.lastRecover > 5000) {
        this.lastRecover = now;
        this.cb.onNotice('Recovering from a decoding error…');
        this.hls.recoverMediaError();
        return;
      }
      if (now - this.lastSwap > 5000) {
        this.lastSwap = now;
        this.hls.swapAudioCodec();
        this.hls.recoverMediaError();
        return;
      }
    }
    const what = data.details === 'manifestLoadError' || data.details === 'levelLoadError'
      ? "The day's playlist cannot be loaded" : 'Playback failed';
    this.cb.onError(`${what} (${data.details}).`);
  }

  // Remembers the chunk's media range; playback jumps over it when it gets
  // there (now, if it is there already).
  fragFailed(frag, fatal) {
    const start = frag.start;
    const end = frag.start + frag.duration;
    if (!this.failed.some((r) => r.start === start)) {
      this.failed.push({ start, end, fatal });
      this.nFailed++;
      // Chunk after chunk failing with none played between: the files are
      // empty or damaged; waiting on them would spin for ever.
      if (this.streak++ === 0) this.streakFrom = frag.programDateTime;
      if (this.streak >= FAIL_STREAK) {
        this.giveUp(this.streakFrom);
        return;
      }
      const w = frag.programDateTime;
      this.cb.onNotice(`A chunk${w ? ` at ${this.cb.fmt(w)}` : ''} could not be played — skipped`);
    } else if (fatal) {
      for (const r of this.failed) if (r.start === start) r.fatal = true;
    }
    this.checkSkip();
  }

  checkSkip() {
    if (!this.failed.length) return;
    const v = this.video;
    const t = v.currentTime;
    const buf = v.buffered;
    for (const r of this.failed) {
      // Near its start with nothing buffered past it, or inside it.
      let bufferedPast = false;
      for (let i = 0; i < buf.length; i++) if (buf.start(i) <= t + 0.1 && buf.end(i) > r.start + 0.2) bufferedPast = true;
      const stuck = (t >= r.start - 0.6 && !bufferedPast) || (t >= r.start && t < r.end);
      if (!stuck) continue;
      const to = r.end + 0.05;
      const last = this.frags[this.frags.length - 1];
      if (last && to >= last.start + last.duration - 0.05) {
        this.atEnd();
        return;
      }
      this.seekMedia(to);
      if (r.fatal && this.hls) {
        r.fatal = false;
        this.hls.startLoad(to);
      }
      return;
    }
  }

  giveUp(wall) {
    const from = wall ? ` from ${this.cb.fmt(wall)} on` : '';
    const hls = this.hls;
    if (hls) hls.stopLoad();
    this.failed = [];
    this.video.pause();
    this.busy(false);
    this.cb.onError(`The chunks${from} could not be played (empty or damaged files).`);
  }

  // Skipping ran off the end: the day is over, or none of it could play.
  atEnd() {
    this.failed = [];
    this.video.pause();
    this.busy(false);
    if (this.nFailed >= this.frags.length) {
      this.cb.onError(`None of the ${this.frags.length} chunks here could be played (empty or damaged files).`);
    } else {
      this.cb.onState('ended');
    }
  }

  // Playback stuck for 4 s with data buffered just ahead: jump to it.
  watchdog() {
    const v = this.video;
    // A seek into a chunk that failed never completes: count it as stuck too.
    if (!this.ready || v.paused || v.ended) return;
    if (v.currentTime !== this.stall.t) {
      this.stall = { t: v.currentTime, since: performance.now() };
      return;
    }
    if (performance.now() - this.stall.since < 4000) return;
    this.checkSkip();
    const b = v.buffered;
    for (let i = 0; i < b.length; i++) {
      if (b.start(i) > v.currentTime && b.start(i) - v.currentTime < 10) {
        this.seekMedia(b.start(i) + 0.05);
        return;
      }
    }
  }

  // --- frame capture --------------------------------------------------------

  snapshot() {
    const v = this.video;
    if (!v.videoWidth) return Promise.resolve(null);
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    c.getContext('2d').drawImage(v, 0, 0);
    return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
  }
}
