// The month grid: which days have recordings, how much, and motion counts.
// Only days with recordings open; the cursor moves with the arrow keys.
import { api } from './api.js';
import { MONTHS, addDays, dateKey, daysInMonth, fmtDuration, fmtShort, parseDate, weekdayMon0 } from './timefmt.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export class Calendar {
  constructor(els, { onPick }) {
    this.els = els;
    this.onPick = onPick;
    this.year = 0;
    this.month = 0;
    this.selected = null;
    this.cursor = null;
    this.days = new Map(); // date -> summary, for the month on screen
    this.ctl = null;
    this.today = null;
    els.prev.addEventListener('click', () => this.shift(-1));
    els.next.addEventListener('click', () => this.shift(1));
    els.today.addEventListener('click', () => this.goToday());
    els.grid.addEventListener('click', (e) => {
      const cell = e.target.closest('[data-date]');
      if (cell && this.days.has(cell.dataset.date)) this.onPick(cell.dataset.date);
    });
    els.grid.addEventListener('keydown', (e) => this.onKey(e));
  }

  // Today as the camera sees it (its offset comes from the newest day).
  setToday(key) {
    this.today = key;
  }

  goToday() {
    const t = parseDate(this.today) || parseDate(new Date().toISOString().slice(0, 10));
    this.cursor = dateKey(t.y, t.mo, t.d);
    return this.show(t.y, t.mo, true);
  }

  // The open day (null: none, after leaving it or deleting it).
  select(date) {
    this.selected = date;
    if (!date) {
      this.render();
      return Promise.resolve();
    }
    this.cursor = date;
    const p = parseDate(date);
    if (p && (p.y !== this.year || p.mo !== this.month)) return this.show(p.y, p.mo);
    this.render();
    return Promise.resolve();
  }

  shift(n) {
    let y = this.year;
    let mo = this.month + n;
    if (mo < 1) { mo = 12; y--; }
    if (mo > 12) { mo = 1; y++; }
    return this.show(y, mo);
  }

  async show(y, mo, focus = false) {
    this.year = y;
    this.month = mo;
    const first = dateKey(y, mo, 1);
    const last = dateKey(y, mo, daysInMonth(y, mo));
    if (!this.cursor || this.cursor < first || this.cursor > last) this.cursor = first;
    this.days = new Map();
    this.render();
    this.message('');
    if (this.ctl) this.ctl.abort();
    const ctl = (this.ctl = new AbortController());
    this.els.grid.setAttribute('aria-busy', 'true');
    try {
      const list = await api.days(first, last, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      for (const d of list) if (d.date >= first && d.date <= last) this.days.set(d.date, d);
      if (!this.days.has(this.cursor) && this.days.size) {
        const keys = [...this.days.keys()].sort();
        this.cursor = keys.find((k) => k >= this.cursor) || keys[keys.length - 1];
      }
      this.render();
      if (!this.days.size) this.message(`No recordings in ${MONTHS[mo - 1]} ${y}.`);
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.message(`Could not load the calendar: ${e.message}`);
    } finally {
      if (this.ctl === ctl) this.els.grid.removeAttribute('aria-busy');
    }
    if (focus) this.focusCursor();
  }

  message(text) {
    this.els.msg.textContent = text;
    this.els.msg.hidden = !text;
  }

  render() {
    const { y, mo } = { y: this.year, mo: this.month };
    this.els.title.textContent = `${MONTHS[mo - 1]} ${y}`;
    const frag = document.createDocumentFragment();
    // Rows for assistive technology; display: contents keeps the CSS grid.
    const div = (className, role) => {
      const el = document.createElement('div');
      el.className = className;
      el.setAttribute('role', role);
      return el;
    };
    const row = () => div('cal-row', 'row');
    let r = row();
    for (const w of WEEKDAYS) {
      const h = document.createElement('div');
      h.className = 'cal-wd';
      h.setAttribute('role', 'columnheader');
      h.textContent = w;
      r.append(h);
    }
    frag.append(r);
    r = row();
    const lead = weekdayMon0(y, mo, 1);
    for (let i = 0; i < lead; i++) r.append(div('cal-pad', 'gridcell'));
    for (let d = 1; d <= daysInMonth(y, mo); d++) {
      if (r.children.length === 7) {
        frag.append(r);
        r = row();
      }
      r.append(this.cell(dateKey(y, mo, d), d));
    }
    frag.append(r);
    // Re-rendering must not drop the keyboard focus out of the grid.
    const hadFocus = this.els.grid.contains(document.activeElement);
    this.els.grid.replaceChildren(frag);
    if (hadFocus) this.focusCursor();
  }

  cell(key, d) {
    const info = this.days.get(key);
    const el = document.createElement(info ? 'button' : 'div');
    el.className = 'cal-day';
    el.dataset.date = key;
    el.dataset.testid = 'cal-day';
    el.setAttribute('role', 'gridcell');
    el.tabIndex = key === this.cursor ? 0 : -1;
    if (key === this.today) el.classList.add('today');
    if (key === this.selected) el.setAttribute('aria-selected', 'true');
    const num = document.createElement('span');
    num.className = 'num';
    num.textContent = d;
    el.append(num);
    if (!info) {
      el.classList.add('empty');
      el.setAttribute('aria-disabled', 'true');
      el.setAttribute('aria-label', `${key}: no recordings`);
      return el;
    }
    el.type = 'button';
    el.dataset.has = '1';
    // sqrt: a few minutes must still show, a full day is fully shaded.
    const frac = Math.min(1, Math.max(0, info.recorded_s / 86400));
    el.style.setProperty('--fill', (0.18 + 0.82 * Math.sqrt(frac)).toFixed(3));
    const hours = document.createElement('span');
    hours.className = 'hrs';
    hours.textContent = fmtShort(info.recorded_s);
    el.append(hours);
    if (info.motion > 0) {
      const m = document.createElement('span');
      m.className = 'mot';
      m.dataset.testid = 'cal-motion';
      m.textContent = `●${info.motion}`;
      el.append(m);
    }
    el.title = `${key}: ${fmtDuration(info.recorded_s)} recorded in ${info.segments} recording` +
      `${info.segments === 1 ? '' : 's'}, ${info.motion} motion event${info.motion === 1 ? '' : 's'}`;
    el.setAttribute('aria-label', el.title);
    return el;
  }

  focusCursor() {
    const el = this.els.grid.querySelector(`[data-date="${this.cursor}"]`);
    if (el) el.focus();
  }

  async onKey(e) {
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    let next;
    if (e.key in moves) next = addDays(this.cursor, moves[e.key]);
    else if (e.key === 'PageUp' || e.key === 'PageDown') {
      e.preventDefault();
      await this.shift(e.key === 'PageUp' ? -1 : 1);
      this.focusCursor();
      return;
    } else if (e.key === 'Home') next = dateKey(this.year, this.month, 1);
    else if (e.key === 'End') next = dateKey(this.year, this.month, daysInMonth(this.year, this.month));
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      e.stopPropagation();
      if (this.days.has(this.cursor)) this.onPick(this.cursor);
      return;
    } else return;
    e.preventDefault();
    e.stopPropagation();
    this.cursor = next;
    const p = parseDate(next);
    if (p.y !== this.year || p.mo !== this.month) await this.show(p.y, p.mo);
    else this.render();
    this.focusCursor();
  }
}
