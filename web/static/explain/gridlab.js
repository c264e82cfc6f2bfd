// What the robustness widgets (shift, misgeneralization, brittle, oversight)
// share: a map of a room with the paths walked in it, the labelled controls,
// the list of numbers, and a request to the explainer API that forgets
// answers overtaken by a newer one. Their common styles are gridlab.css,
// which each widget's stylesheet imports.

import { explain } from '../api.js';
import { el, svgEl } from '../dom.js';
import { CELL, MapView, gridFromRows } from '../map.js';
import { freshId } from '../widgets/ui.js';
import { alertLine, messageOf } from './common.js';

const OUTCOME_WORDS = { lava: 'died in the lava', goal: 'reached the goal', time: 'ran out of time' };
/** What became of the robot, in words. */
export const outcomeWords = (o) => OUTCOME_WORDS[o] ?? o;

/** `fn` that runs on its first call only (later calls do nothing). */
export function once(fn) {
  let done = false;
  return (...args) => {
    if (done) return;
    done = true;
    fn(...args);
  };
}

/** A [row, column] cell in words. */
export const cellWords = ([r, c]) => `row ${r}, column ${c}`;

/**
 * A widget's root: a box with the widget's class and the shared `gridlab`
 * class (which scopes gridlab.css), opening with what the widget assumes.
 */
export function labRoot(box, className, assumption) {
  const root = el('div', { className: `${className} gridlab` }, box);
  el('p', { className: 'demo-assume' }, root, assumption);
  return root;
}

/**
 * A map (SVG) that shows a room and the paths walked in it: each path is a
 * line from cell centre to cell centre, ending in a mark (a cross for lava,
 * a ring for the goal, a square when time ran out).
 */
export class PathMap {
  constructor(parent, { label, testid }) {
    this.svg = svgEl('svg', { class: 'demo-map rb-map', 'data-testid': testid }, parent);
    this.view = new MapView(this.svg, { label });
    this.overlay = null;
  }

  /**
   * rows: the room's text rows, whose characters `legend` names (the
   * answer's); paths: [{cells: [[r, c]…], className, outcome, shift}];
   * marks: [{cell, className}].
   */
  draw(rows, legend, paths = [], marks = []) {
    this.view.draw(gridFromRows(rows, legend));
    this.overlay?.remove();
    this.overlay = svgEl('g', { class: 'rb-overlay', 'aria-hidden': 'true' }, this.svg);
    for (const m of marks) {
      const [r, c] = m.cell;
      svgEl('rect', { x: c * CELL + 2, y: r * CELL + 2, width: CELL - 4, height: CELL - 4, rx: 5, class: `rb-mark ${m.className}` }, this.overlay);
    }
    for (const p of paths) {
      const d = p.shift ?? 0;
      const pts = p.cells.map(([r, c]) => [c * CELL + CELL / 2 + d, r * CELL + CELL / 2 + d]);
      if (!pts.length) continue;
      svgEl('polyline', { points: pts.map((q) => q.join(',')).join(' '), class: `rb-path ${p.className}` }, this.overlay);
      const [x, y] = pts[pts.length - 1];
      if (p.outcome === 'lava') {
        svgEl('path', { d: `M${x - 7} ${y - 7} L${x + 7} ${y + 7} M${x + 7} ${y - 7} L${x - 7} ${y + 7}`, class: `rb-end ${p.className}` }, this.overlay);
      } else if (p.outcome === 'goal') {
        svgEl('circle', { cx: x, cy: y, r: 8, class: `rb-end ${p.className}` }, this.overlay);
      } else {
        svgEl('rect', { x: x - 6, y: y - 6, width: 12, height: 12, class: `rb-end ${p.className}` }, this.overlay);
      }
    }
  }

  /** The [row, column] of a pointer event on the map, or null. */
  cellAt(ev) {
    const ctm = this.svg.getScreenCTM();
    if (!ctm) return null;
    const pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    const [c, r] = [Math.floor(pt.x / CELL), Math.floor(pt.y / CELL)];
    if (r < 0 || c < 0 || r >= this.view.height || c >= this.view.width) return null;
    return [r, c];
  }

  /**
   * Makes the map a second way to pick a cell from `select` (whose option
   * values are "row,column"): a tap on a cell that is one of its options
   * selects it and calls `onPick`; other cells do nothing.
   */
  pickInto(select, onPick) {
    this.svg.classList.add('rb-pickable');
    this.svg.addEventListener('click', (ev) => {
      const cell = this.cellAt(ev);
      if (!cell) return;
      const value = cell.join(',');
      if ([...select.options].some((o) => o.value === value)) {
        select.value = value;
        onPick();
      }
    });
  }
}

/**
 * A figure holding a PathMap and its caption (`caption` text, or empty to be
 * filled later); `attrs` are the figure's own (its class defaults to rb-room).
 */
export function roomFigure(parent, { label, testid, caption = null, attrs = {} }) {
  const fig = el('figure', { className: 'rb-room', ...attrs }, parent);
  const map = new PathMap(fig, { label, testid });
  const cap = el('figcaption', {}, fig, caption);
  return { map, cap };
}

/** A labelled <select>. */
export function choice(parent, { label, testid, options, value }) {
  const id = freshId(testid);
  const row = el('div', { className: 'rb-field' }, parent);
  el('label', { for: id }, row, label);
  const select = el('select', { id, 'data-testid': testid }, row);
  for (const [v, text] of options) el('option', { value: v, selected: v === value }, select, text);
  return select;
}

/** A labelled whole-number input. */
export function wholeInput(parent, { label, testid, min, max, value }) {
  const id = freshId(testid);
  const row = el('div', { className: 'rb-field' }, parent);
  el('label', { for: id }, row, label);
  return el('input', { id, type: 'number', min, max, step: 1, value, inputmode: 'numeric', 'data-testid': testid }, row);
}

/** The agent and seed controls every trained-robot widget has. */
export function trainingControls(parent, prefix) {
  const box = el('div', { className: 'rb-controls' }, parent);
  const agent = choice(box, {
    label: 'Trained by',
    testid: `${prefix}-agent`,
    value: 'q-learning',
    options: [
      ['q-learning', 'Q-learning (trial and error)'],
      ['value-iteration', 'value iteration (exact planning)'],
    ],
  });
  const seed = wholeInput(box, { label: 'Training seed', testid: `${prefix}-seed`, min: 0, max: 1000000, value: 0 });
  return {
    box,
    read() {
      const s = Number.parseInt(seed.value, 10);
      return { agent: agent.value, seed: Number.isFinite(s) && s >= 0 ? Math.min(s, 1000000) : 0 };
    },
    onChange(fn) {
      agent.addEventListener('change', fn);
      seed.addEventListener('change', fn);
    },
  };
}

/** A <dl> of labelled numbers, each with a data-testid. */
export function numbers(parent, items) {
  const dl = el('dl', { className: 'rb-numbers' }, parent);
  const out = {};
  for (const [key, label] of items) {
    el('dt', {}, dl, label);
    out[key] = el('dd', { 'data-testid': key }, dl, '–');
  }
  return out;
}

/** The verdict on a prediction whose right answer is `truth`. */
export const verdict = (picked, truth) => (picked === truth ? 'You predicted it.' : 'Not what you predicted.');

/** The line under the controls that says what is happening (polite live region). */
export const statusLine = (parent, testid, text) => el('p', { className: 'demo-status', 'aria-live': 'polite', 'data-testid': testid }, parent, text);

/**
 * The widget's request: `load()` posts `body()` to /api/explain/NAME, writes
 * `busy` in the status line meanwhile, and hands the answer to `show`; an
 * answer overtaken by a newer request is dropped, and an error (of the
 * request or of showing its answer) clears the status and fills the alert
 * line `errorTestid` under `root`.
 */
export function explainLoader(name, { root, status, errorTestid, busy, body, show }) {
  const err = alertLine(root, errorTestid);
  let serial = 0;
  return async () => {
    const mine = ++serial;
    err.hide();
    status.textContent = busy;
    const sent = body();
    try {
      const r = await explain(name, sent);
      if (mine !== serial) return;
      show(r);
    } catch (e) {
      if (mine !== serial) return;
      status.textContent = '';
      err.show(messageOf(e));
    }
  };
}
