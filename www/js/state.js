// The one application state. Modules change it only through set(); every
// view registered with onChange() renders from it, so leaving a day, a
// deletion or the end of Live clears everything that showed the old day.

export const app = {
  view: 'calendar', // 'calendar' | 'day' | 'live'
  date: null, // the open day, 'YYYY-MM-DD'
  day: null, // GET /api/days/DATE as the server sent it, or null
  offMin: 0, // the camera's UTC offset (minutes east) for the open day
  playback: 'idle', // 'idle' | 'playing' | 'paused' | 'ended'
  rate: 1,
};

const views = [];

export function onChange(fn) {
  views.push(fn);
}

export function set(patch) {
  Object.assign(app, patch);
  for (const v of views) v(app);
}
