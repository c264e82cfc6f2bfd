// Ticks and scales of the one chart module (web/static/chart.js).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { niceTicks, plotArea, tickLabel } from '../../web/static/chart.js';

test('ticks are round numbers covering the range', () => {
  assert.deepEqual(niceTicks(0, 100, 5), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(0, 1, 4), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(niceTicks(-3, 7, 5), [-4, -2, 0, 2, 4, 6, 8]);
  assert.deepEqual(niceTicks(3, 3000, 5), [0, 1000, 2000, 3000]);
});

test('an empty range is padded around its value', () => {
  assert.deepEqual(niceTicks(5, 5, 4), [2, 4, 6, 8]);
  assert.deepEqual(niceTicks(0, 0, 4), [-1, -0.5, 0, 0.5, 1]);
});

test('tick labels are short', () => {
  assert.deepEqual([0.25, 40, 12500, 2e6, 0.1 + 0.2].map(tickLabel), ['0.25', '40', '12.5k', '2M', '0.3']);
});

test('the scales map the ticks onto the plot area, y upwards', () => {
  const m = { left: 50, right: 10, top: 20, bottom: 30 };
  const a = plotArea({ w: 460, h: 250, m, xLo: 0, xHi: 100, yLo: 0, yHi: 1 });
  assert.equal(a.pw, 400);
  assert.equal(a.ph, 200);
  assert.equal(a.sx(0), 50);
  assert.equal(a.sx(100), 450);
  assert.equal(a.sy(0), 220);
  assert.equal(a.sy(1), 20);
  assert.equal(a.sy(0.5), 120);
});
