// Wall-clock arithmetic in the camera's UTC offset. The browser's own time
// zone is never used: a recording made at 08:00 in +08:00 reads 08:00
// wherever it is watched.

export const MS_MIN = 60000;
export const MS_HOUR = 3600000;
export const MS_DAY = 86400000;

const pad = (n, w = 2) => String(n).padStart(w, '0');

// Calendar fields of an instant as seen at offMin minutes east of UTC.
export function fields(ms, offMin) {
  const d = new Date(ms + offMin * MS_MIN);
  return {
    y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(),
    h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms: d.getUTCMilliseconds(),
  };
}

export function fmtTime(ms, offMin, { seconds = true } = {}) {
  const f = fields(ms, offMin);
  return seconds ? `${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}` : `${pad(f.h)}:${pad(f.mi)}`;
}

export function fmtDate(ms, offMin) {
  const f = fields(ms, offMin);
  return dateKey(f.y, f.mo, f.d);
}

// For file names: 2025-01-24T08-15-30 (no colons, which some systems refuse).
export function fmtStamp(ms, offMin) {
  const f = fields(ms, offMin);
  return `${dateKey(f.y, f.mo, f.d)}T${pad(f.h)}-${pad(f.mi)}-${pad(f.s)}`;
}

export function fmtOffset(offMin) {
  const a = Math.abs(offMin);
  return `${offMin < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

// Full ISO-8601 with the camera's offset, as the API accepts it.
export function fmtIso(ms, offMin) {
  const f = fields(ms, offMin);
  return `${dateKey(f.y, f.mo, f.d)}T${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}.${pad(f.ms, 3)}${fmtOffset(offMin)}`;
}

export function fmtDuration(s) {
  s = Math.round(s);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${pad(m)} min` : `${m} min`;
}

// The calendar's short form of the same figure: "19m" where fmtDuration
// says "19 min", "3h" for "3 h 05 min" (both round down).
export function fmtShort(s) {
  s = Math.round(s);
  if (s >= 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.max(1, Math.floor(s / 60))}m`;
}

export function dateKey(y, mo, d) {
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
}

export function parseDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return { y, mo, d };
}

// "08:15:30" or "08:15" -> milliseconds after midnight, or null.
export function parseHms(s) {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s || '');
  if (!m) return null;
  const [h, mi, sec] = [Number(m[1]), Number(m[2]), Number(m[3] || 0)];
  if (h > 23 || mi > 59 || sec > 59) return null;
  return ((h * 60 + mi) * 60 + sec) * 1000;
}

// Day arithmetic on date keys, independent of any time zone.
export function addDays(key, n) {
  const p = parseDate(key);
  const t = new Date(Date.UTC(p.y, p.mo - 1, p.d + n));
  return dateKey(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

export function daysInMonth(y, mo) {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

// 0 = Monday ... 6 = Sunday.
export function weekdayMon0(y, mo, d) {
  return (new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 6) % 7;
}

export function todayKey(offMin) {
  return fmtDate(Date.now(), offMin);
}

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

// Sizes, for the same readouts (decimal units, as cards are sold).
export function fmtBytes(n) {
  if (n >= 100e9) return `${Math.round(n / 1e9)} GB`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1e3))} kB`;
}
