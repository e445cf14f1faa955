// The UI's time arithmetic: always in the camera's offset, never the browser's.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { addDays, daysInMonth, fmtDate, fmtDuration, fmtOffset, fmtShort, fmtStamp, fmtTime, parseDate,
  parseHms, weekdayMon0 } from '../../www/js/timefmt.js';

const ms = Date.parse('2025-01-24T23:59:58Z'); // 07:59:58 on the 25th at +08:00

test('times and dates are the camera offset\'s', () => {
  assert.equal(fmtTime(ms, 480), '07:59:58');
  assert.equal(fmtTime(ms, 0), '23:59:58');
  assert.equal(fmtTime(ms, -300, { seconds: false }), '18:59');
  assert.equal(fmtDate(ms, 480), '2025-01-25');
  assert.equal(fmtDate(ms, 0), '2025-01-24');
  assert.equal(fmtStamp(ms, 480), '2025-01-25T07-59-58');
  assert.equal(fmtOffset(480), '+08:00');
  assert.equal(fmtOffset(-210), '-03:30');
});

test('durations: the summary and the calendar say the same', () => {
  for (const [s, long, short] of [[59, '59 s', '1m'], [1199, '19 min', '19m'], [1200, '20 min', '20m'],
    [3600, '1 h 00 min', '1h'], [3 * 3600 + 300, '3 h 05 min', '3h'], [86399, '23 h 59 min', '23h']]) {
    assert.equal(fmtDuration(s), long, `${s} s`);
    assert.equal(fmtShort(s), short, `${s} s`);
  }
});

test('dates and times typed or linked are checked', () => {
  assert.deepEqual(parseDate('2024-02-29'), { y: 2024, mo: 2, d: 29 });
  assert.equal(parseDate('2025-02-29'), null);
  assert.equal(parseDate('2025-1-2'), null);
  assert.equal(parseHms('08:15:30'), (8 * 3600 + 15 * 60 + 30) * 1000);
  assert.equal(parseHms('8:15'), (8 * 3600 + 15 * 60) * 1000);
  assert.equal(parseHms('24:00:00'), null);
  assert.equal(parseHms('08:60'), null);
  assert.equal(parseHms('8:15 PM'), null); // 24-hour only
});

test('calendar arithmetic ignores every time zone', () => {
  assert.equal(addDays('2024-12-31', 1), '2025-01-01');
  assert.equal(addDays('2024-03-01', -1), '2024-02-29');
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2025, 2), 28);
  assert.equal(weekdayMon0(2025, 1, 20), 0); // a Monday
  assert.equal(weekdayMon0(2025, 1, 26), 6);
});
