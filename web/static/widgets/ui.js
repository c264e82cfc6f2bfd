// Building blocks shared by the feedback widgets and the explainer: sliders,
// a debounce, the notice that says what a simulation is, a request that
// forgets answers overtaken by a newer one, and a mistake in a typed text
// shown in place.

import { byteSpanToIndices, request } from '../api.js';
import { el } from '../dom.js';

let uid = 0;
/** A fresh id for label/for pairs. */
export const freshId = (prefix) => `${prefix}-${++uid}`;

/**
 * A labelled range slider. `toValue` maps the slider's position to the
 * setting, `fromValue` the other way (for log scales); `format` shows it.
 */
export function slider(parent, { label, testid, min, max, step, value, toValue = (x) => x, fromValue = (x) => x, format = String, hint }) {
  const id = freshId(testid);
  const row = el('div', { className: 'fw-control' }, parent);
  const head = el('div', { className: 'fw-control-head' }, row);
  el('label', { for: id }, head, label);
  const out = el('output', { for: id, className: 'fw-value', 'data-testid': `${testid}-value` }, head);
  const input = el('input', {
    id,
    type: 'range',
    min,
    max,
    step,
    value: fromValue(value),
    'data-testid': testid,
  }, row);
  if (hint) el('p', { className: 'fw-hint' }, row, hint);
  const read = () => toValue(Number(input.value));
  const show = () => {
    out.textContent = format(read());
    input.setAttribute('aria-valuetext', format(read()));
  };
  show();
  input.addEventListener('input', show);
  return { input, read };
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/**
 * Posts to `path`, remembering only the latest call: an answer that arrives
 * after a newer request was sent is dropped. Calls onStart, then onResult
 * (with the answer and the milliseconds it took) or onError.
 */
export function latestOnly(path, { onStart, onResult, onError }) {
  let serial = 0;
  return async (body) => {
    const mine = ++serial;
    onStart?.();
    const started = performance.now();
    try {
      const data = await request('POST', path, body);
      if (mine === serial) onResult(data, Math.round(performance.now() - started), body);
    } catch (err) {
      if (mine === serial) onError(err);
    }
  };
}

/**
 * The disclosure, closed at first, that says this is a simulation and lists
 * its assumptions (filled from the server's answer, which is where they
 * live); the widget puts its fit statistics in `more`, below them. A
 * widget opens with one plain sentence of what to watch instead.
 */
export function simulationNotice(parent, testid, summary = 'A simulation: what it assumes') {
  const box = el('details', { className: 'fw-notice', 'data-testid': `${testid}-notice` }, parent);
  el('summary', { 'data-testid': `${testid}-notice-summary` }, box, summary);
  const lead = el('p', { className: 'fw-notice-lead' }, box, 'This is a simulation, not a language model.');
  el('p', {}, box, 'What it assumes:');
  const list = el('ul', { className: 'fw-assumptions', 'data-testid': `${testid}-assumptions` }, box);
  el('li', {}, list, 'loading…');
  const more = el('div', { className: 'fw-notice-more' }, box);
  return {
    more,
    fill(data) {
      if (typeof data.simulation === 'string') lead.textContent = data.simulation;
      list.replaceChildren();
      for (const a of data.assumptions ?? []) el('li', {}, list, a);
    },
  };
}

/** Line and column (1-based, in characters) of string index `at` of `text`. */
function position(text, at) {
  const lines = text.slice(0, at).split('\n');
  return { line: lines.length, column: [...lines[lines.length - 1]].length + 1 };
}

/**
 * Fills `box` with an error about `text` (a reward, a constitution): where
 * it is and the server's message, then the offending line with the mistake
 * marked, when the error has a `span` (UTF-8 byte offsets into `text`).
 * Everything goes in as text, never as HTML.
 */
export function showTextError(box, text, err) {
  box.replaceChildren();
  const message = err instanceof Error ? err.message : String(err);
  if (!err?.span) {
    el('p', {}, box, message);
    return;
  }
  const [startChars, endChars] = byteSpanToIndices(text, err.span);
  const { line, column } = position(text, startChars);
  const where = text.includes('\n') ? `Line ${line}, column ${column}` : `Column ${column}`;
  el('p', {}, box, `${where}: ${message}`);
  const lineStart = text.slice(0, startChars).lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', startChars) === -1 ? text.length : text.indexOf('\n', startChars);
  const pre = el('pre', { className: 'fw-source' }, box);
  pre.append(text.slice(lineStart, startChars));
  el('mark', {}, pre, text.slice(startChars, Math.min(endChars, lineEnd)) || ' ');
  pre.append(text.slice(Math.min(endChars, lineEnd), lineEnd));
}
