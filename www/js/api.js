// The camcatd JSON API. Every failure becomes an ApiError carrying the
// server's error code, so the UI can tell "no recordings" from "server down".

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function getJson(url, { signal, method = 'GET', json } = {}) {
  let r;
  const headers = { Accept: 'application/json' };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  try {
    r = await fetch(url, { signal, method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  let body = null;
  try {
    body = await r.json();
  } catch {
    // A proxy's HTML error page: keep the status.
  }
  if (!r.ok) {
    const err = body && body.error;
    throw new ApiError(r.status, (err && err.code) || `http_${r.status}`,
      (err && err.message) || `${r.status} ${r.statusText}`);
  }
  if (!body) throw new ApiError(r.status, 'bad_json', 'The server sent an unreadable answer.');
  return body;
}

const enc = encodeURIComponent;

export const api = {
  days(from, to, opts) {
    const q = from ? `?from=${enc(from)}&to=${enc(to)}` : '';
    return getJson(`/api/days${q}`, opts).then((b) => b.days || []);
  },
  day(date, opts) {
    return getJson(`/api/days/${enc(date)}`, opts);
  },
  health(opts) {
    return getJson('/api/health', opts);
  },
  time(opts) {
    return getJson('/api/time', opts);
  },
  // Asks the camera to take this browser's time (what it does depends on its
  // clock mode): {action: "set"|"would_set"|"none", diff_ms, ...}.
  setTime(body, opts) {
    return getJson('/api/time', { ...opts, method: 'POST', json: body });
  },
  storage(opts) {
    return getJson('/api/storage', opts);
  },
  deleteDay(date, opts) {
    return getJson(`/api/days/${enc(date)}`, { ...opts, method: 'DELETE' });
  },
  playlistUrl(date) {
    return `/api/days/${enc(date)}/playlist.m3u8`;
  },
  liveUrl() {
    return '/api/live.m3u8';
  },
  // Is the camera recording? The GET makes this page a live viewer (HEAD
  // would not). The playlist itself is left to the player.
  async liveStatus({ signal } = {}) {
    let r;
    try {
      r = await fetch('/api/live.m3u8', { signal, cache: 'no-store' });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', 'The server cannot be reached.');
    }
    if (r.ok) {
      await r.arrayBuffer();
      return true;
    }
    const body = await r.json().catch(() => null);
    const err = body && body.error;
    if (r.status === 404 && err && err.code === 'not_recording') return false;
    throw new ApiError(r.status, (err && err.code) || `http_${r.status}`,
      (err && err.message) || `${r.status} ${r.statusText}`);
  },
  exportUrl(fromMs, toMs) {
    return `/api/export.ts?from=${Math.round(fromMs)}&to=${Math.round(toMs)}`;
  },
  // Can this clip be made? HEAD answers with its size and file name; for a
  // refusal the reason comes from a GET (errors are small JSON; a GET that
  // succeeds after all is cancelled unread).
  async exportCheck(fromMs, toMs) {
    const url = this.exportUrl(fromMs, toMs);
    let r;
    try {
      r = await fetch(url, { method: 'HEAD', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'network', 'The server cannot be reached.');
    }
    if (r.ok) {
      const m = /filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '');
      return { url, bytes: Number(r.headers.get('Content-Length')) || 0, name: m ? m[1] : '' };
    }
    const ctl = new AbortController();
    let err = null;
    try {
      const g = await fetch(url, { signal: ctl.signal, cache: 'no-store' });
      if (g.ok) ctl.abort();
      else err = (await g.json()).error;
    } catch {
      // keep the HEAD's status
    }
    throw new ApiError(r.status, (err && err.code) || `http_${r.status}`,
      (err && err.message) || `${r.status} ${r.statusText}`);
  },
  // One recording folder of a day, as a file of its chunks in order.
  recordingUrl(date, id) {
    return `/api/days/${enc(date)}/${enc(id)}/download.ts`;
  },
  deleteRecording(date, id, opts) {
    return getJson(`/api/days/${enc(date)}/${enc(id)}`, { ...opts, method: 'DELETE' });
  },
};
