// The URL fragment the UI keeps its state in.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dayHash, parseHash } from '../../www/js/route.js';

test('fragments parse to a view, a day and a moment', () => {
  assert.deepEqual(parseHash(''), { view: 'calendar', date: null, offMs: null });
  assert.deepEqual(parseHash('#/'), { view: 'calendar', date: null, offMs: null });
  assert.deepEqual(parseHash('#/live'), { view: 'live', date: null, offMs: null });
  assert.deepEqual(parseHash('#/2025-01-24'), { view: 'day', date: '2025-01-24', offMs: null });
  assert.deepEqual(parseHash('#/2025-01-24/08:15:30'), { view: 'day', date: '2025-01-24', offMs: 29730000 });
  assert.deepEqual(parseHash('#2025-01-24/08:15'), { view: 'day', date: '2025-01-24', offMs: 29700000 });
});

test('what is not a day is the calendar; a bad time is the day from its start', () => {
  assert.equal(parseHash('#/2025-02-30').view, 'calendar');
  assert.equal(parseHash('#/notes').view, 'calendar');
  assert.deepEqual(parseHash('#/2025-01-24/25:00'), { view: 'day', date: '2025-01-24', offMs: null });
});

test('the hash written back parses to the same', () => {
  assert.equal(dayHash('2025-01-24'), '#/2025-01-24');
  assert.equal(dayHash('2025-01-24', '08:15:30'), '#/2025-01-24/08:15:30');
  assert.deepEqual(parseHash(dayHash('2025-01-24', '08:15:30')).offMs, 29730000);
});
