// The server's error spans are UTF-8 byte offsets; the editor needs string indices (web/static/api.js).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { byteSpanToIndices } from '../../web/static/api.js';

test('ASCII: bytes are indices', () => {
  assert.deepEqual(byteSpanToIndices('3*arow - step', [2, 6]), [2, 6]);
});

test('multi-byte characters before and inside the span', () => {
  // "é" is 2 bytes, "→" 3, "😀" 4 (and 2 UTF-16 units).
  const text = 'é → 😀 step';
  assert.deepEqual(byteSpanToIndices(text, [2, 3]), [1, 2]);
  assert.deepEqual(byteSpanToIndices(text, [3, 6]), [2, 3]);
  assert.deepEqual(byteSpanToIndices(text, [7, 11]), [4, 6]);
  assert.equal(text.slice(...byteSpanToIndices(text, [12, 16])), 'step');
});

test('spans past the end or backwards are clamped, an empty one stays empty', () => {
  assert.deepEqual(byteSpanToIndices('abc', [1, 99]), [1, 3]);
  assert.deepEqual(byteSpanToIndices('abc', [-5, 2]), [0, 2]);
  assert.deepEqual(byteSpanToIndices('abc', [2, 1]), [2, 2]);
  assert.deepEqual(byteSpanToIndices('abc', [3, 3]), [3, 3]);
});
