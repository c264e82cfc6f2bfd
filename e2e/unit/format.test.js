// The one number formatter (web/static/format.js).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatNumber, formatPercent } from '../../web/static/format.js';

test('numbers are rounded to two decimals, trailing zeros dropped, never -0', () => {
  assert.equal(formatNumber(45), '45');
  assert.equal(formatNumber(1.5), '1.5');
  assert.equal(formatNumber(2 / 3), '0.67');
  assert.equal(formatNumber(-0.001), '0');
  assert.equal(formatNumber(-2.345), '-2.35');
  assert.equal(formatNumber(0.1 + 0.2), '0.3');
});

test('a missing or non-finite number is a dash', () => {
  for (const x of [NaN, Infinity, -Infinity, undefined, null, '3']) assert.equal(formatNumber(x), '–', String(x));
  assert.equal(formatPercent(NaN), '–');
});

test('fixed keeps exactly the decimals asked for', () => {
  assert.equal(formatNumber(0.5, { fixed: true }), '0.50');
  assert.equal(formatNumber(0.98765, { digits: 3, fixed: true }), '0.988');
  assert.equal(formatNumber(2, { digits: 1, fixed: true }), '2.0');
});

test('grouped separates thousands', () => {
  assert.equal(formatNumber(3000, { grouped: true }), '3,000');
  assert.equal(formatNumber(1234567.891, { grouped: true }), '1,234,567.89');
  assert.equal(formatNumber(-0.001, { grouped: true }), '0');
});

test('compact writes k and M past ten thousand', () => {
  assert.equal(formatNumber(9999, { compact: true }), '9999');
  assert.equal(formatNumber(12500, { compact: true }), '12.5k');
  assert.equal(formatNumber(-40000, { compact: true }), '-40k');
  assert.equal(formatNumber(3e6, { compact: true }), '3M');
  assert.equal(formatNumber(0.25, { compact: true }), '0.25');
});

test('shares are whole percentages', () => {
  assert.equal(formatPercent(0.25), '25%');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatPercent(0.955), '96%');
});
