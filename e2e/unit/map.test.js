// Reading rows of characters by the legend that came with them (web/static/map.js).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { gridFromRows, legendKinds } from '../../web/static/map.js';

const LEGEND = { '#': 'wall', ' ': 'floor', A: 'agent', W: 'whisky', '=': 'belt', G: 'goal' };

test('every character becomes the kind its legend names', () => {
  assert.deepEqual(gridFromRows(['#AW#', '#= G'], LEGEND), [
    ['wall', 'agent', 'whisky', 'wall'],
    ['wall', 'belt', 'floor', 'goal'],
  ]);
});

test('a character the legend does not name is `unknown`, not floor', () => {
  // The playback bug: a table without whisky drew it as bare floor.
  assert.deepEqual(gridFromRows(['AW'], { A: 'agent' }), [['agent', 'unknown']]);
});

test('rows are read by characters, not UTF-16 units', () => {
  assert.deepEqual(gridFromRows(['😀#'], { '😀': 'agent', '#': 'wall' }), [['agent', 'wall']]);
});

test('the legend below a map lists each kind once, arrows as one, in a fixed order', () => {
  const grid = [['wall', 'arrow up', 'arrow left'], ['dry tomato', 'floor', 'unknown']];
  assert.deepEqual(legendKinds(grid), ['agent', 'wall', 'floor', 'arrow', 'tomato', 'dry tomato']);
});
