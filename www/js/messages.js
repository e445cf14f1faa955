// The player's two message surfaces: a short notice over the picture, and
// an overlay that replaces it (loading, errors, "pick a day").
const $ = (id) => document.getElementById(id);

let noticeTimer = 0;
export function notice(text) {
  const el = $('notice');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (el.hidden = true), 4000);
}

let retryFn = null;
export function overlay(text, { spin = false, retry = null } = {}) {
  $('overlay').hidden = !text;
  if (text) $('busy').hidden = true;
  $('overlay-text').textContent = text || '';
  $('spinner').hidden = !spin;
  $('retry-btn').hidden = !retry;
  retryFn = retry;
  $('overlay').dataset.kind = spin ? 'loading' : retry ? 'error' : 'info';
}

$('retry-btn').addEventListener('click', () => retryFn && retryFn());
