// Keyboard shortcuts. They belong to the player wherever the focus is (a
// clicked button, the timeline, the page), except in text fields and in the
// calendar grid while the keyboard walks it. Space on a focused button plays
// or pauses instead of pressing the button again.

const TEXT = 'input, select, textarea, [contenteditable]';
const GRID_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp',
  'PageDown', 'Enter', ' ']);

// a: {active(), toggle(), jump(s), segment(dir), motion(dir), frame(dir),
// keyframe(dir), fullscreen()}.
function action(e, a) {
  switch (e.key) {
    case ' ': return () => a.toggle();
    case 'ArrowLeft': return () => a.jump(e.shiftKey ? -60 : -10);
    case 'ArrowRight': return () => a.jump(e.shiftKey ? 60 : 10);
    case 'ArrowUp': return () => a.segment(1);
    case 'ArrowDown': return () => a.segment(-1);
    case '[': return () => a.motion(-1);
    case ']': return () => a.motion(1);
    case ',': return () => a.frame(-1);
    case '.': return () => a.frame(1);
    case '<': return () => a.keyframe(-1);
    case '>': return () => a.keyframe(1);
    case 'f': return () => a.fullscreen();
    default: return null;
  }
}

export function initKeys(a) {
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || !a.active()) return;
    const t = e.target;
    if (t.closest && t.closest(TEXT)) return;
    if (t.closest && t.closest('#cal-grid') && GRID_KEYS.has(e.key)) return;
    const fn = action(e, a);
    if (!fn) return;
    e.preventDefault();
    e.stopPropagation();
    if (!e.repeat || e.key !== ' ') fn();
  }, true);
  // A button presses itself on Space's keyup: not when Space was ours.
  document.addEventListener('keyup', (e) => {
    const t = e.target;
    if (e.key === ' ' && a.active() && t.closest && t.closest('button') && !t.closest('#cal-grid')) e.preventDefault();
  }, true);
}
