// The URL fragment: #/ (calendar), #/live, #/DATE, #/DATE/HH:MM:SS. Pure.
import { parseDate, parseHms } from './timefmt.js';

// {view: 'calendar'|'live'|'day', date, offMs (ms after midnight or null)}.
export function parseHash(hash) {
  const parts = (hash || '').replace(/^#\/?/, '').split('/');
  if (parts[0] === 'live') return { view: 'live', date: null, offMs: null };
  if (!parseDate(parts[0])) return { view: 'calendar', date: null, offMs: null };
  return { view: 'day', date: parts[0], offMs: parseHms(parts[1]) };
}

export function dayHash(date, hms = null) {
  return hms ? `#/${date}/${hms}` : `#/${date}`;
}
