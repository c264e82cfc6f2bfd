// Distributional shift: a policy trained in one room, played unchanged in
// two rooms where the lava has moved, beside a robot that plans on each room
// (POST /api/explain/shift; `loophole explain shift` prints the same).
//
// The map-with-paths drawing and the training controls are shared with the
// misgeneralization and brittle widgets, which import them from here.

import { explain } from '/static/api.js';
import { CELL, FRAME_LEGEND, MapView, gridFromRows } from '/static/map.js';
import { el, freshId } from '/static/widgets/ui.js';
import { alertLine, fmtNum, messageOf, predict } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
/** The engine's frame characters, with lava. */
export const LEGEND = { ...FRAME_LEGEND, L: 'lava' };

function svgEl(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent.appendChild(node);
  return node;
}

const OUTCOME_WORDS = { lava: 'died in the lava', goal: 'reached the goal', time: 'ran out of time' };
/** What became of the robot, in words. */
export const outcomeWords = (o) => OUTCOME_WORDS[o] ?? o;

/**
 * A map (SVG) that shows a room and the paths walked in it: each path is a
 * line from cell centre to cell centre, ending in a mark (a cross for lava,
 * a ring for the goal, a square when time ran out).
 */
export class PathMap {
  constructor(parent, { label, testid }) {
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.classList.add('demo-map', 'rb-map');
    if (testid) this.svg.setAttribute('data-testid', testid);
    parent.appendChild(this.svg);
    this.view = new MapView(this.svg, { label });
    this.overlay = null;
  }

  /** rows: the room's text rows; paths: [{cells: [[r, c]…], className, outcome, shift}]; marks: [{cell, className}]. */
  draw(rows, paths = [], marks = []) {
    this.view.draw(gridFromRows(rows, LEGEND));
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

/** The agent and seed controls every robustness widget has. */
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

/**
 * Results that stay hidden until the reader has predicted (or chosen to
 * skip): a stage, and the prediction that reveals it.
 */
export function predictFirst(parent, { testid, question, choices }) {
  const stage = el('div', { className: 'rb-stage', 'data-testid': `${testid}-stage` });
  stage.hidden = true;
  const reveal = () => {
    stage.hidden = false;
    skip.hidden = true;
  };
  const guess = predict(parent, { question, choices, testid: `${testid}-predict`, onPick: reveal });
  const skip = el('button', { type: 'button', className: 'button small rb-skip', 'data-testid': `${testid}-reveal` }, parent, 'Show me without predicting');
  skip.addEventListener('click', reveal);
  parent.appendChild(stage);
  return { guess, stage };
}

export const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');

const ROOM_NAMES = ['Training room', 'Test room 1', 'Test room 2'];

export function mount(box) {
  const root = el('div', { className: 'demo-shift' }, box);
  el('p', { className: 'demo-assume' }, root,
    'A robot is trained in the first room until it crosses it safely. Its policy is then frozen and sent, unchanged, into two rooms where the lava lies elsewhere. '
    + 'The solid blue line is the trained robot; the dashed green line is a robot that plans on the room it is actually in.');
  const { guess, stage } = predictFirst(root, {
    question: 'In test room 1 the lava now covers the row the trained robot used to walk along. It will…',
    testid: 'shift',
    choices: [
      { value: 'around', label: 'walk around the lava' },
      { value: 'into', label: 'walk straight into it' },
    ],
  });
  const controls = trainingControls(stage, 'shift');
  const replanId = freshId('shift-replan');
  const replanRow = el('div', { className: 'rb-field rb-check' }, controls.box);
  const replan = el('input', { id: replanId, type: 'checkbox', checked: true, 'data-testid': 'shift-replan' }, replanRow);
  el('label', { for: replanId }, replanRow, 'Also show a robot that replans on each room');
  const status = el('p', { className: 'demo-status', 'aria-live': 'polite', 'data-testid': 'shift-status' }, stage, 'Training…');
  const err = alertLine(root, 'shift-error');
  const grid = el('div', { className: 'rb-rooms' }, stage);
  const rooms = ROOM_NAMES.map((name, i) => {
    const fig = el('figure', { className: 'rb-room', 'data-testid': `shift-room-${i}` }, grid);
    const map = new PathMap(fig, { label: `${name}: the paths walked`, testid: `shift-map-${i}` });
    const cap = el('figcaption', {}, fig);
    el('strong', {}, cap, name);
    const nums = numbers(cap, [
      [`shift-${i}-outcome`, 'Trained robot'],
      [`shift-${i}-return`, 'Its return'],
      [`shift-${i}-lava-rate`, 'Lava deaths over seeds'],
      [`shift-${i}-replanned`, 'Replanning robot'],
    ]);
    return { map, nums };
  });
  const summary = el('p', { className: 'demo-summary', 'data-testid': 'shift-summary' }, stage);
  let last = null;

  const drawAll = () => {
    if (!last) return;
    last.rooms.forEach((room, i) => {
      const paths = [{ cells: room.trained.path, className: 'rb-trained', outcome: room.trained.outcome, shift: -3 }];
      if (replan.checked) paths.push({ cells: room.replanned.path, className: 'rb-replanned', outcome: room.replanned.outcome, shift: 3 });
      rooms[i].map.draw(room.trained.rows, paths);
    });
  };

  let serial = 0;
  const load = async () => {
    const mine = ++serial;
    err.hide();
    status.textContent = 'Training…';
    const body = controls.read();
    try {
      const r = await explain('shift', body);
      if (mine !== serial) return;
      last = r;
      r.rooms.forEach((room, i) => {
        const n = rooms[i].nums;
        n[`shift-${i}-outcome`].textContent = outcomeWords(room.trained.outcome);
        n[`shift-${i}-return`].textContent = fmtNum(room.trained.return);
        n[`shift-${i}-lava-rate`].textContent = `${pct(room.trained_lava_rate)} of ${r.training.seeds}`;
        n[`shift-${i}-replanned`].textContent = `${outcomeWords(room.replanned.outcome)} (${fmtNum(room.replanned.return)})`;
      });
      drawAll();
      const [, t1, t2] = r.rooms;
      summary.textContent =
        `Over ${r.training.seeds} training seeds the frozen policy died in test room 1 ${pct(t1.trained_lava_rate)} of the time and in test room 2 ${pct(t2.trained_lava_rate)}; `
        + `the robot that replans on each room died ${pct(Math.max(...r.rooms.map((x) => x.replanned_lava_rate)))} of the time. `
        + 'The policy learned a route, not “keep away from lava”: it never looks at where the lava is, so it survives only where the lava happens to have moved off its route.';
      status.textContent = `Trained by ${r.training.agent}, seed ${r.training.seed}.`;
      judge();
    } catch (e) {
      if (mine !== serial) return;
      status.textContent = '';
      err.show(messageOf(e));
    }
  };
  const judge = () => {
    if (guess.picked && last) {
      guess.judge((guess.picked === 'into') === last.rooms[1].trained.lava ? 'You predicted it.' : 'Not what you predicted.');
    }
  };
  root.addEventListener('change', (ev) => {
    if (ev.target.type === 'radio') judge();
  });
  controls.onChange(load);
  replan.addEventListener('change', drawAll);
  load();
}
