// The timeline's bands against the track they sit on: ≥ 3:1 (WCAG 1.4.11).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { COLORS } from '../../www/js/timeline.js';

function lum(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const ratio = (a, b) => {
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

test('recorded, recording, gap and motion bands stand out from the track', () => {
  for (const band of ['rec', 'recLive', 'gap', 'motion', 'head']) {
    for (const under of ['bg', 'empty']) {
      const r = ratio(COLORS[band], COLORS[under]);
      assert.ok(r >= 3, `${band} on ${under}: ${r.toFixed(2)}:1`);
    }
  }
});

test('the ratio is WCAG\'s', () => {
  assert.equal(ratio('#000000', '#ffffff').toFixed(1), '21.0');
  assert.equal(ratio('#777777', '#ffffff').toFixed(2), '4.48');
});
