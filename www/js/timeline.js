// The day's 24 hours on a canvas: recorded ranges, gaps, motion and the play
// head. Click seeks; dragging pans when zoomed in and scrubs at full day (or
// when it starts on the play head); wheel and pinch zoom between 24 h and
// 5 min. Drawing happens in one requestAnimationFrame, only when dirty.
import { MS_DAY, MS_HOUR, MS_MIN, fmtTime } from './timefmt.js';

const MIN_SPAN = 5 * MS_MIN;
const RULER = 16; // CSS px: tick labels; dragging here always pans
const TRACK_TOP = 19;
const TRACK_H = 26;
const MOTION_TOP = 49;
const MOTION_H = 9;
const STEPS = [MS_MIN, 2 * MS_MIN, 5 * MS_MIN, 10 * MS_MIN, 15 * MS_MIN, 30 * MS_MIN, MS_HOUR,
  2 * MS_HOUR, 3 * MS_HOUR, 6 * MS_HOUR];
// The timeline's colours (exported for the contrast test: bands ≥ 3:1).
export const COLORS = {
  bg: '#15181c', empty: '#262b31', rec: '#2f9e5f', recLive: '#4cc27f', gap: '#d9525e',
  motion: '#f2a33a', tick: '#59616b', label: '#9aa3ad', head: '#ffffff', hover: '#8fc8ff',
  sel: 'rgba(143, 200, 255, 0.22)', selEdge: '#8fc8ff',
};
const C = COLORS;

export class Timeline {
  constructor(canvas, { onSeek, onView, onHover }) {
    this.cv = canvas;
    this.ctx = canvas.getContext('2d');
    this.onSeek = onSeek;
    this.onView = onView || (() => {});
    this.onHover = onHover || (() => {});
    this.day = null;
    this.t0 = 0;
    this.t1 = MS_DAY;
    this.head = null;
    this.sel = null; // {start, end}: the clip being chosen for download
    this.hover = null;
    this.scrub = null; // time shown while scrubbing, before the seek
    this.follow = true;
    this.dirty = false;
    this.dpr = 0;
    this.pointers = new Map();
    this.gesture = null;
    new ResizeObserver(() => this.invalidate()).observe(canvas);
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e));
    canvas.addEventListener('pointercancel', (e) => this.cancel(e));
    canvas.addEventListener('pointerleave', (e) => {
      if (e.pointerType === 'mouse' && !this.gesture) this.setHover(null);
    });
    canvas.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  // day: {start (local midnight ms), offMin, segments [{start,end,live}], gaps, motion}
  setDay(day, keepView = false) {
    const same = this.day && this.day.start === day.start;
    this.day = day;
    if (!(same && keepView)) {
      this.t0 = day.start;
      this.t1 = day.start + MS_DAY;
      this.follow = true;
    }
    this.emitView();
    this.invalidate();
  }

  clear() {
    this.day = null;
    this.head = null;
    this.cv.setAttribute('aria-valuetext', '');
    this.invalidate();
  }

  // Shows a range (the clip to download) as a band over the track; null hides it.
  setSelection(sel) {
    this.sel = sel;
    this.invalidate();
  }

  setPlayhead(ms) {
    if (ms === this.head) return;
    const wasVisible = this.head !== null && this.head >= this.t0 && this.head <= this.t1;
    this.head = ms;
    if (ms !== null && this.follow && !this.gesture && (ms < this.t0 || ms > this.t1) &&
      (wasVisible || this.span() < MS_DAY)) {
      const s = this.span();
      this.setView(ms - s * 0.1, ms + s * 0.9);
    }
    this.cv.setAttribute('aria-valuetext', ms === null || !this.day ? '' : fmtTime(ms, this.day.offMin));
    this.invalidate();
  }

  span() {
    return this.t1 - this.t0;
  }

  view() {
    return { from: this.t0, to: this.t1 };
  }

  // Zoom to span around centre (default the play head, else the view's middle).
  zoomTo(span, centre) {
    if (!this.day) return;
    const c = centre ?? (this.head !== null ? this.head : (this.t0 + this.t1) / 2);
    this.follow = true;
    this.setView(c - span / 2, c + span / 2);
  }

  setView(a, b) {
    if (!this.day) return;
    const lo = this.day.start;
    const hi = lo + MS_DAY;
    const s = Math.min(MS_DAY, Math.max(MIN_SPAN, b - a));
    const mid = (a + b) / 2;
    a = mid - s / 2;
    if (a < lo) a = lo;
    if (a + s > hi) a = hi - s;
    this.t0 = a;
    this.t1 = a + s;
    this.emitView();
    this.invalidate();
  }

  emitView() {
    // Exposed for tests and tools: the visible window in epoch ms.
    this.cv.dataset.from = String(Math.round(this.t0));
    this.cv.dataset.to = String(Math.round(this.t1));
    this.onView(this.view());
  }

  // After a seek: bring the play head back into view and keep it there.
  reveal() {
    this.follow = true;
  }

  invalidate() {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => {
      this.dirty = false;
      this.draw();
    });
  }

  // --- geometry ---------------------------------------------------------

  width() {
    return this.cv.clientWidth || 1;
  }

  x2t(x) {
    return this.t0 + (x / this.width()) * this.span();
  }

  t2x(t) {
    return ((t - this.t0) / this.span()) * this.width();
  }

  local(e) {
    const r = this.cv.getBoundingClientRect();
    return { x: Math.min(Math.max(e.clientX - r.left, 0), r.width), y: e.clientY - r.top };
  }

  clampDay(t) {
    return Math.min(Math.max(t, this.day.start), this.day.start + MS_DAY - 1);
  }

  // --- input --------------------------------------------------------------

  setHover(t) {
    if (t === this.hover) return;
    this.hover = t;
    this.onHover(t);
    this.invalidate();
  }

  down(e) {
    if (!this.day || (e.pointerType === 'mouse' && e.button !== 0)) return;
    this.cv.setPointerCapture(e.pointerId);
    const p = this.local(e);
    this.pointers.set(e.pointerId, p);
    if (this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      this.gesture = { kind: 'pinch', dist: Math.abs(a.x - b.x) || 1, span: this.span(),
        anchor: this.x2t((a.x + b.x) / 2) };
      this.scrub = null;
      return;
    }
    if (this.pointers.size > 2) return;
    const nearHead = this.head !== null && Math.abs(this.t2x(this.head) - p.x) < 8 && p.y >= RULER;
    this.gesture = { kind: 'press', x0: p.x, t0: this.t0, ruler: p.y < RULER, nearHead, moved: false };
    e.preventDefault();
  }

  move(e) {
    if (!this.day) return;
    const p = this.local(e);
    if (!this.pointers.has(e.pointerId)) {
      if (e.pointerType === 'mouse') this.setHover(this.x2t(p.x));
      return;
    }
    this.pointers.set(e.pointerId, p);
    const g = this.gesture;
    if (!g) return;
    if (g.kind === 'pinch' && this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      const span = g.span * (g.dist / (Math.abs(a.x - b.x) || 1));
      const frac = ((a.x + b.x) / 2) / this.width();
      const s = Math.min(MS_DAY, Math.max(MIN_SPAN, span));
      this.follow = false;
      this.setView(g.anchor - frac * s, g.anchor + (1 - frac) * s);
      return;
    }
    if (g.kind !== 'press') return;
    if (!g.moved && Math.abs(p.x - g.x0) < 5) return;
    g.moved = true;
    const pan = g.ruler || (!g.nearHead && this.span() < MS_DAY);
    if (pan) {
      this.follow = false;
      const dt = ((g.x0 - p.x) / this.width()) * this.span();
      const s = this.span();
      this.setView(g.t0 + dt, g.t0 + dt + s);
      this.setHover(null);
    } else {
      this.scrub = this.clampDay(this.x2t(p.x));
      this.setHover(this.scrub);
    }
  }

  up(e) {
    const p = this.local(e);
    const g = this.gesture;
    this.pointers.delete(e.pointerId);
    if (this.pointers.size > 0) {
      if (g && g.kind === 'pinch') this.gesture = null;
      return;
    }
    this.gesture = null;
    if (!g || g.kind !== 'press' || !this.day) return;
    let t = null;
    if (this.scrub !== null) t = this.scrub;
    else if (!g.moved) t = this.clampDay(this.x2t(p.x));
    this.scrub = null;
    if (e.pointerType !== 'mouse') this.setHover(null);
    if (t !== null) {
      this.follow = true;
      this.onSeek(t);
    }
    this.invalidate();
  }

  cancel(e) {
    this.pointers.delete(e.pointerId);
    this.gesture = null;
    this.scrub = null;
    this.setHover(null);
  }

  wheel(e) {
    if (!this.day) return;
    e.preventDefault();
    const p = this.local(e);
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const dx = (e.shiftKey ? e.deltaY : e.deltaX) * unit;
    const dy = e.shiftKey ? 0 : e.deltaY * unit;
    if (Math.abs(dx) > Math.abs(dy)) {
      this.follow = false;
      const dt = (dx / this.width()) * this.span();
      this.setView(this.t0 + dt, this.t1 + dt);
      return;
    }
    const anchor = this.x2t(p.x);
    const frac = p.x / this.width();
    const s = Math.min(MS_DAY, Math.max(MIN_SPAN, this.span() * Math.exp(dy * 0.0025)));
    this.setView(anchor - frac * s, anchor + (1 - frac) * s);
    // Zooming away from the play head must not be undone by following it.
    this.follow = this.head !== null && this.head >= this.t0 && this.head <= this.t1;
    this.setHover(this.x2t(p.x));
  }

  key(e) {
    if (e.key === '+' || e.key === '=') this.zoomTo(this.span() / 2);
    else if (e.key === '-' || e.key === '_') this.zoomTo(this.span() * 2);
    else return;
    e.preventDefault();
  }

  // --- drawing ------------------------------------------------------------

  fit() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.cv.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.cv.clientHeight * dpr));
    if (this.cv.width !== w || this.cv.height !== h || this.dpr !== dpr) {
      this.cv.width = w;
      this.cv.height = h;
      this.dpr = dpr;
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  draw() {
    this.fit();
    const ctx = this.ctx;
    const W = this.cv.clientWidth;
    const H = this.cv.clientHeight;
    ctx.fillStyle = C.bg;
    ctx.fillRect(0, 0, W, H);
    ctx.fillStyle = C.empty;
    ctx.fillRect(0, TRACK_TOP, W, TRACK_H);
    if (!this.day) return;
    this.drawTicks(ctx, W, H);
    const d = this.day;
    // Sub-pixel ranges still get one device pixel so short recordings show.
    const minW = 1 / this.dpr;
    const bar = (a, b, y, h) => {
      if (b < this.t0 || a > this.t1) return;
      const x0 = this.t2x(a);
      const x1 = this.t2x(b);
      ctx.fillRect(x0, y, Math.max(minW, x1 - x0), h);
    };
    ctx.fillStyle = C.gap;
    for (const g of d.gaps) bar(g.start, g.end, TRACK_TOP + TRACK_H / 2 - 3, 6);
    // Recordings keep two pixels at any zoom: a short one must stay visible.
    for (const s of d.segments) {
      ctx.fillStyle = s.live ? C.recLive : C.rec;
      if (s.end < this.t0 || s.start > this.t1) continue;
      const x0 = this.t2x(s.start);
      ctx.fillRect(x0, TRACK_TOP, Math.max(2, this.t2x(s.end) - x0), TRACK_H);
    }
    ctx.fillStyle = C.motion;
    for (const m of d.motion) {
      const x0 = this.t2x(m.start);
      const x1 = Math.max(this.t2x(m.end), x0 + 2);
      if (x1 < 0 || x0 > W) continue;
      ctx.fillRect(x0, MOTION_TOP, x1 - x0, MOTION_H);
    }
    if (this.sel && this.sel.end >= this.t0 && this.sel.start <= this.t1) {
      const x0 = this.t2x(this.sel.start);
      const x1 = Math.max(this.t2x(this.sel.end), x0 + 2);
      ctx.fillStyle = C.sel;
      ctx.fillRect(x0, RULER, x1 - x0, H - RULER);
      ctx.fillStyle = C.selEdge;
      ctx.fillRect(x0, RULER, 1, H - RULER);
      ctx.fillRect(x1 - 1, RULER, 1, H - RULER);
    }
    const shown = this.scrub ?? this.head;
    if (shown !== null && shown >= this.t0 && shown <= this.t1) {
      const x = Math.round(this.t2x(shown) * this.dpr) / this.dpr;
      ctx.fillStyle = C.head;
      ctx.fillRect(x - 1, RULER, 2, H - RULER);
      ctx.beginPath();
      ctx.moveTo(x - 5, RULER);
      ctx.lineTo(x + 5, RULER);
      ctx.lineTo(x, RULER + 6);
      ctx.fill();
    }
    if (this.hover !== null && this.hover >= this.t0 && this.hover <= this.t1) this.drawHover(ctx, W, H);
  }

  drawTicks(ctx, W, H) {
    const span = this.span();
    const step = STEPS.find((s) => (s / span) * W >= 64) || STEPS[STEPS.length - 1];
    const minor = STEPS.slice().reverse().find((s) => s < step && (s / span) * W >= 10);
    const base = this.day.start;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    if (minor) {
      ctx.fillStyle = C.tick;
      for (let t = base + Math.ceil((this.t0 - base) / minor) * minor; t <= this.t1; t += minor) {
        ctx.fillRect(Math.round(this.t2x(t)), RULER - 3, 1, 3);
      }
    }
    for (let t = base + Math.ceil((this.t0 - base) / step) * step; t <= this.t1; t += step) {
      const x = Math.round(this.t2x(t));
      ctx.fillStyle = C.tick;
      ctx.fillRect(x, RULER - 6, 1, H - RULER + 6);
      ctx.fillStyle = C.label;
      const label = t - base >= MS_DAY ? '24:00' : fmtTime(t, this.day.offMin, { seconds: false });
      ctx.fillText(label, x + 3, 2);
    }
  }

  drawHover(ctx, W, H) {
    const x = this.t2x(this.hover);
    ctx.fillStyle = C.hover;
    ctx.fillRect(x - 0.5, RULER, 1, H - RULER);
    const text = fmtTime(this.hover, this.day.offMin);
    ctx.font = 'bold 11px system-ui, sans-serif';
    const tw = ctx.measureText(text).width + 8;
    const bx = Math.min(Math.max(x - tw / 2, 0), W - tw);
    ctx.fillStyle = 'rgba(10,12,15,0.92)';
    ctx.fillRect(bx, 0, tw, RULER);
    ctx.fillStyle = C.hover;
    ctx.textBaseline = 'top';
    ctx.fillText(text, bx + 4, 2);
  }
}
