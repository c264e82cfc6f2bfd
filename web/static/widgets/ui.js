// Building blocks shared by the feedback widgets: sliders, a debounce, the
// notice that says what a simulation is, and a request that forgets answers
// overtaken by a newer one.

import { request } from '../api.js';
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
 * The plain statement that this is a simulation, and the list of its
 * assumptions (filled from the server's answer, which is where they live).
 */
export function simulationNotice(parent, testid) {
  const box = el('aside', { className: 'fw-notice', 'data-testid': `${testid}-notice` }, parent);
  const lead = el('p', { className: 'fw-notice-lead' }, box, 'This is a simulation, not a language model.');
  el('p', {}, box, 'What it assumes:');
  const list = el('ul', { className: 'fw-assumptions', 'data-testid': `${testid}-assumptions` }, box);
  el('li', {}, list, 'loading…');
  return {
    fill(data) {
      if (typeof data.simulation === 'string') lead.textContent = data.simulation;
      list.replaceChildren();
      for (const a of data.assumptions ?? []) el('li', {}, list, a);
    },
  };
}
