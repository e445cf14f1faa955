// The picture under the pointer: hovering or scrubbing the timeline shows the
// keyframe of the chunk there, with the time it was taken, after a short
// pause (a sweep across the day asks for nothing on the way).
import { app } from './state.js';
import { paint, thumbAt, undecodable } from './thumbs.js';
import { fmtTime } from './timefmt.js';

const $ = (id) => document.getElementById(id);
const WAIT_MS = 120;
let tl = null;
let chunkOf = () => null;
let timer = 0;
let asked = null;

// timeline: for positions; chunkAt(ms): the start of the chunk holding ms, or null.
export function initPeek(timeline, chunkAt) {
  tl = timeline;
  chunkOf = chunkAt;
}

export function peek(t) {
  clearTimeout(timer);
  const el = $('peek');
  asked = null;
  if (t === null || !app.day || !tl) {
    el.hidden = true;
    return;
  }
  const x = tl.t2x(t);
  el.style.left = `${Math.min(Math.max(x - 82, 0), Math.max(0, tl.width() - 164))}px`;
  timer = setTimeout(() => show(t), WAIT_MS);
}

function say(text) {
  $('peek-msg').textContent = text;
  $('peek-msg').hidden = !text;
  $('peek-cv').hidden = !!text;
}

async function show(t) {
  asked = t;
  const el = $('peek');
  const why = undecodable(t);
  if (why) {
    say(why);
    $('peek-time').textContent = fmtTime(t, app.offMin);
    el.hidden = false;
    return;
  }
  try {
    const th = await thumbAt(t, chunkOf(t));
    if (asked !== t) return;
    paint($('peek-cv'), th.cv);
    say('');
    $('peek-time').textContent = fmtTime(th.ms, app.offMin);
    el.dataset.ms = String(th.ms);
  } catch (e) {
    if (asked !== t) return;
    say(e.message);
    $('peek-time').textContent = fmtTime(t, app.offMin);
    delete el.dataset.ms;
  }
  el.hidden = false;
}
