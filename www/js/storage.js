// The card: how full the recordings' file system is, what the retention
// policy keeps, and deleting a closed day by hand (GET /api/storage,
// DELETE /api/days/DATE).
import { ApiError, api } from './api.js';
import { isRecording } from './daysum.js';
import { fmtBytes } from './timefmt.js';

function policyText(p) {
  const parts = [];
  if (p.retain_days) parts.push(`keeps ${p.retain_days} day${p.retain_days === 1 ? '' : 's'}`);
  if (p.min_free_pct) parts.push(`keeps ${p.min_free_pct}% free`);
  if (p.min_free_mb) parts.push(`keeps ${fmtBytes(p.min_free_mb * 1048576)} free`);
  if (!parts.length) return 'nothing is deleted automatically';
  return parts.join(', ') + (p.dry_run ? ' (dry run: nothing is deleted)' : '');
}

export class Storage {
  // els: root, meter, text, del, msg; onDeleted(date) after a day is gone.
  constructor(els, { onDeleted }) {
    this.els = els;
    this.onDeleted = onDeleted;
    this.date = null;
    this.busy = false;
    els.del.addEventListener('click', () => this.remove());
  }

  async refresh() {
    let s;
    try {
      s = await api.storage();
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return; // an older server
      this.message(`Storage unknown: ${e.message}`, 'error');
      this.els.root.hidden = false;
      return;
    }
    const fs = s.filesystem || {};
    const rec = (s.recordings && s.recordings.bytes) || 0;
    const used = fs.total_bytes ? 1 - fs.free_bytes / fs.total_bytes : 0;
    this.els.meter.style.width = `${Math.round(used * 100)}%`;
    this.els.meter.parentElement.title = `${Math.round(used * 100)}% of the card in use`;
    const span = s.oldest_day ? ` · ${s.oldest_day} to ${s.newest_day}` : '';
    this.els.text.textContent = `${fmtBytes(fs.free_bytes || 0)} free of ${fmtBytes(fs.total_bytes || 0)}` +
      ` · recordings ${fmtBytes(rec)}${span} · ${policyText(s.policy || {})}`;
    this.els.root.hidden = false;
  }

  // The day on screen (null: none); a day still recording cannot be deleted.
  setDay(date, day) {
    if (date !== this.date) this.message('');
    this.date = date;
    const recording = isRecording(day);
    this.els.del.hidden = !date || !day;
    this.els.del.disabled = recording || this.busy;
    this.els.del.textContent = date ? `Delete ${date}` : 'Delete';
    this.els.del.title = recording ? 'This day is still being recorded' : 'Delete this day\'s recordings';
  }

  message(text, kind = 'info') {
    this.els.msg.textContent = text;
    this.els.msg.dataset.kind = kind;
  }

  async remove() {
    const date = this.date;
    if (!date || this.busy) return;
    if (!window.confirm(`Delete every recording of ${date}? This cannot be undone.`)) return;
    this.busy = true;
    this.els.del.disabled = true;
    try {
      const r = await api.deleteDay(date);
      const freed = r.removed ? r.removed.bytes_freed : 0;
      this.message(`${date} deleted (${fmtBytes(freed)} freed).`);
      this.date = null; // the message outlives the day it names
      this.els.del.hidden = true;
      this.onDeleted(date);
    } catch (e) {
      this.message(`Could not delete ${date}: ${e.message}`, 'error');
      this.els.del.disabled = false;
    } finally {
      this.busy = false;
      this.refresh();
    }
  }
}
