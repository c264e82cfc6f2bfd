// Value learning: the reader demonstrates the task with the keyboard (or
// the on-screen pad), maximum-entropy inverse RL infers a reward from the
// demonstrations, and value iteration optimizes it beside the hand-written
// reward. Numbers come from POST /api/explain/irl.
//
// While recording, moves are simulated here (walls, pushing the crate, the
// goal and the pond end the episode) only to draw the robot; the server
// replays every demonstration itself and the paths shown after inferring
// are its own.

import { explain } from '../api.js';
import { CELL, MapView, gridFromRows } from '../map.js';
import { el, svgEl } from '../dom.js';
import { formatNumber } from '../format.js';
import { alertLine, messageOf, predictFirst } from './common.js';

const MAX_DEMOS = 10;
const KEYS = {
  ArrowUp: 'u', ArrowDown: 'd', ArrowLeft: 'l', ArrowRight: 'r',
  w: 'u', s: 'd', a: 'l', d: 'r', W: 'u', S: 'd', A: 'l', D: 'r',
};
const NAMES = { u: 'up', d: 'down', l: 'left', r: 'right' };

/** A small grid simulator for drawing the demonstrator's moves. */
class Recorder {
  constructor(kinds, horizon) {
    this.h = kinds.length;
    this.w = kinds[0].length;
    this.base = kinds.map((row) => row.map((k) => (k === 'agent' || k === 'box' ? 'floor' : k)));
    this.horizon = horizon;
    this.startAgent = null;
    this.startBoxes = [];
    kinds.forEach((row, r) => row.forEach((k, c) => {
      if (k === 'agent') this.startAgent = r * this.w + c;
      if (k === 'box') this.startBoxes.push(r * this.w + c);
    }));
    this.reset();
  }

  reset() {
    this.agent = this.startAgent;
    this.boxes = new Set(this.startBoxes);
    this.actions = '';
    this.ended = false;
  }

  kindAt(i) {
    return this.base[Math.floor(i / this.w)][i % this.w];
  }

  next(i, a) {
    const r = Math.floor(i / this.w);
    const c = i % this.w;
    const [dr, dc] = { u: [-1, 0], d: [1, 0], l: [0, -1], r: [0, 1] }[a];
    const nr = r + dr;
    const nc = c + dc;
    if (nr < 0 || nc < 0 || nr >= this.h || nc >= this.w) return null;
    return nr * this.w + nc;
  }

  blocked(i) {
    return i === null || this.kindAt(i) === 'wall';
  }

  step(a) {
    if (this.done()) return false;
    this.actions += a;
    const to = this.next(this.agent, a);
    if (!this.blocked(to)) {
      if (this.boxes.has(to)) {
        const beyond = this.next(to, a);
        if (!this.blocked(beyond) && !this.boxes.has(beyond)) {
          this.boxes.delete(to);
          this.boxes.add(beyond);
          this.agent = to;
        }
      } else {
        this.agent = to;
      }
    }
    const k = this.kindAt(this.agent);
    if (k === 'goal' || k === 'water') this.ended = true;
    return true;
  }

  done() {
    return this.ended || this.actions.length >= this.horizon;
  }

  replay(actions) {
    this.reset();
    for (const a of actions) this.step(a);
  }

  grid() {
    return this.base.map((row, r) => row.map((k, c) => {
      const i = r * this.w + c;
      if (i === this.agent) return 'agent';
      if (this.boxes.has(i)) return 'box';
      return k;
    }));
  }
}

/** A map with a drawn path (cells), for the side-by-side results. */
function pathMap(parent, label, testid) {
  const fig = el('figure', { className: 'irl-result-map' }, parent);
  const map = svgEl('svg', { class: 'demo-map' }, fig);
  const view = new MapView(map, { label });
  let line = null;
  return {
    draw(kinds, path, width) {
      view.draw(kinds);
      line?.remove();
      if (path.length > 1) {
        const pts = path.map((c) => `${(c % width) * CELL + CELL / 2},${Math.floor(c / width) * CELL + CELL / 2}`).join(' ');
        line = svgEl('polyline', { points: pts, class: 'irl-path', 'data-testid': `${testid}-path` }, map);
      }
    },
  };
}

export function mount(container) {
  const root = el('div', { className: 'irl', 'data-testid': 'irl' }, container);
  el('p', { className: 'irl-lead' }, root,
    'Instead of writing the reward, show what you want. Walk the robot to the goal a few times; the computer then looks for the reward that makes your walks most likely, and hands that reward to the optimizer.');

  const status = el('p', { className: 'demo-status', 'aria-live': 'polite', 'data-testid': 'irl-status' }, root, 'Loading the room…');
  const alert = alertLine(root, 'irl-error');

  const record = el('div', { className: 'irl-record' }, root);
  const left = el('div', { className: 'irl-record-map' }, record);
  const pad = el('div', {
    className: 'irl-mapbox',
    tabindex: 0,
    role: 'application',
    'aria-label': 'Demonstration map. Use the arrow keys or W A S D to move the robot.',
    'data-testid': 'irl-map',
  }, left);
  const map = svgEl('svg', { class: 'demo-map' }, pad);
  const view = new MapView(map, { label: 'The room' });
  el('p', { className: 'irl-help' }, left, 'Click the map, then use the arrow keys (or W A S D), or the buttons. A walk is saved when it reaches the goal or runs out of steps.');
  const buttons = el('div', { className: 'irl-pad', role: 'group', 'aria-label': 'Move the robot' }, left);
  for (const [a, glyph] of [['u', '↑'], ['l', '←'], ['d', '↓'], ['r', '→']]) {
    const b = el('button', { type: 'button', className: `button small irl-move irl-move-${a}`, 'aria-label': `Move ${NAMES[a]}`, 'data-testid': `irl-move-${a}` }, buttons, glyph);
    b.addEventListener('click', () => move(a));
  }

  const side = el('div', { className: 'irl-record-side' }, record);
  const current = el('p', { className: 'irl-current', 'aria-live': 'polite', 'data-testid': 'irl-current' }, side, '');
  const row = el('div', { className: 'irl-buttons' }, side);
  const undo = el('button', { type: 'button', className: 'button small', 'data-testid': 'irl-undo' }, row, 'Undo move');
  const restart = el('button', { type: 'button', className: 'button small', 'data-testid': 'irl-restart' }, row, 'Start this walk again');
  el('h4', {}, side, 'Your demonstrations');
  const list = el('ol', { className: 'irl-demos', 'data-testid': 'irl-demos' }, side);
  const row2 = el('div', { className: 'irl-buttons' }, side);
  const clear = el('button', { type: 'button', className: 'button small', 'data-testid': 'irl-clear' }, row2, 'Clear all');
  const infer = el('button', { type: 'button', className: 'button', 'data-testid': 'irl-infer' }, row2, 'Infer the reward');

  // The learned reward and what its optimizer does answer the question, so
  // they stay hidden until the reader has predicted (or chosen not to).
  // The answer whose results are on show (null until the first inference).
  let shown = null;
  const { stage, rejudge } = predictFirst(root, {
    question: 'Predict first: will the optimizer of the learned reward shove the crate?',
    testid: 'irl',
    choices: [
      { value: 'yes', label: 'Yes, like the hand-written reward' },
      { value: 'no', label: 'No, it walks round it' },
    ],
    judge: (picked) => {
      if (!shown) return null;
      const shoves = shown.learned.totals.pushed ?? 0;
      const truth = shoves > 0 ? 'yes' : 'no';
      return `${truth === picked ? 'Right.' : 'Not this time.'} The learned reward's optimizer shoves the crate ${shoves} times.`;
    },
  });

  const results = el('section', { className: 'irl-results', 'aria-live': 'polite', 'data-testid': 'irl-results', hidden: true }, stage);
  el('h4', {}, results, 'The learned reward');
  const expr = el('p', { className: 'irl-expression' }, results);
  const exprCode = el('code', { 'data-testid': 'irl-expression' }, expr, '');
  const weights = el('ul', { className: 'irl-weights', 'data-testid': 'irl-weights' }, results);
  const ambiguity = el('ul', { className: 'irl-ambiguity', 'data-testid': 'irl-ambiguity' }, results);
  const fit = el('p', { className: 'irl-fit', 'data-testid': 'irl-fit' }, results);
  const compare = el('div', { className: 'irl-compare' }, results);
  const columns = {};
  for (const [key, title] of [['hand', 'Hand-written reward'], ['learned', 'Learned reward']]) {
    const col = el('div', { className: `irl-col irl-col-${key}`, 'data-testid': `irl-${key}` }, compare);
    el('h5', {}, col, title);
    const code = el('code', { className: 'irl-col-reward', 'data-testid': `irl-${key}-reward` }, col, '');
    const m = pathMap(col, `${title}: the optimizer's path`, `irl-${key}`);
    const dl = el('dl', { className: 'irl-col-numbers' }, col);
    const item = (label, testid) => {
      const d = el('div', {}, dl);
      el('dt', {}, d, label);
      return el('dd', { 'data-testid': testid }, d, '–');
    };
    columns[key] = {
      code,
      map: m,
      ret: item('Return (its own reward)', `irl-${key}-return`),
      intent: item('Intent score', `irl-${key}-intent`),
      pushed: item('Crate shoves', `irl-${key}-pushed`),
      actions: item('Moves', `irl-${key}-actions`),
    };
  }
  const caption = el('p', { className: 'irl-caption', 'data-testid': 'irl-caption' }, results);

  let level = null;
  let rec = null;
  let demos = [];
  let answer = null;

  function redraw() {
    if (!rec) return;
    view.draw(rec.grid());
    const n = rec.actions.length;
    current.textContent = n
      ? `This walk: ${rec.actions} (${n} of ${rec.horizon} steps)`
      : `Walk ${demos.length + 1}: not started. ${demos.length >= MAX_DEMOS ? 'The list is full.' : ''}`;
    undo.disabled = n === 0;
    restart.disabled = n === 0;
    clear.disabled = demos.length === 0;
    infer.disabled = demos.length === 0;
  }

  function renderList() {
    list.replaceChildren();
    demos.forEach((d, i) => {
      const li = el('li', { 'data-testid': `irl-demo-${i}` }, list);
      el('code', {}, li, d);
      const rm = el('button', { type: 'button', className: 'button small irl-remove', 'aria-label': `Remove demonstration ${i + 1}` }, li, 'Remove');
      rm.addEventListener('click', () => {
        demos.splice(i, 1);
        renderList();
        redraw();
      });
    });
    if (!demos.length) el('li', { className: 'irl-empty' }, list, 'None yet: walk the robot to the goal.');
  }

  function move(a) {
    if (!rec || demos.length >= MAX_DEMOS) return;
    rec.step(a);
    if (rec.done()) {
      demos.push(rec.actions);
      status.textContent = `Demonstration ${demos.length} saved (${rec.actions.length} steps).`;
      rec.reset();
      renderList();
    }
    redraw();
  }

  pad.addEventListener('keydown', (ev) => {
    const a = KEYS[ev.key];
    if (!a) return;
    ev.preventDefault();
    move(a);
  });
  pad.addEventListener('click', () => pad.focus());
  undo.addEventListener('click', () => {
    rec.replay(rec.actions.slice(0, -1));
    redraw();
  });
  restart.addEventListener('click', () => {
    rec.reset();
    redraw();
  });
  clear.addEventListener('click', () => {
    demos = [];
    rec.reset();
    renderList();
    redraw();
  });

  function interval(w) {
    const lo = w.low === null ? null : formatNumber(w.low);
    const hi = w.high === null ? null : formatNumber(w.high);
    if (lo === null && hi === null) return 'any weight fits';
    if (lo === null) return `any weight below ${hi} fits`;
    if (hi === null) return `any weight above ${lo} fits`;
    return `${lo} to ${hi} fit`;
  }

  function showWeights() {
    weights.replaceChildren();
    const ends = answer.weights.flatMap((w) => [w.weight, w.low, w.high]).filter((x) => x !== null).map(Math.abs);
    const range = Math.min(answer.reach, Math.max(1, ...ends)) * 1.1;
    const pos = (x) => `${Math.min(100, Math.max(0, 50 + (x / range) * 50))}%`;
    for (const w of answer.weights) {
      const li = el('li', { className: 'irl-weight', 'data-testid': `irl-weight-${w.signal}` }, weights);
      el('span', { className: 'irl-weight-name' }, li, w.signal);
      const track = el('span', { className: 'irl-track', 'aria-hidden': 'true' }, li);
      const band = el('span', { className: `irl-band${w.low === null ? ' open-low' : ''}${w.high === null ? ' open-high' : ''}` }, track);
      const a = w.low === null ? '0%' : pos(w.low);
      const b = w.high === null ? '100%' : pos(w.high);
      band.style.left = a;
      band.style.width = `calc(${b} - ${a})`;
      const mark = el('span', { className: 'irl-mark' }, track);
      mark.style.left = pos(w.weight);
      const text = el('span', { className: 'irl-weight-text' }, li);
      el('strong', { 'data-testid': `irl-weight-${w.signal}-value` }, text, formatNumber(w.weight));
      el('span', { className: 'irl-weight-range', 'data-testid': `irl-weight-${w.signal}-range` }, text, ` (${interval(w)})`);
    }
    ambiguity.replaceChildren();
    for (const w of answer.weights) {
      let line;
      if (!w.shown) {
        const limit = w.high === null ? '' : ` They only say it is worth at most ${formatNumber(w.high)}, not how much less.`;
        line = `Your walks never made “${w.signal}” happen (${w.description}).${limit} Any weight ${w.high === null ? 'at all' : `below ${formatNumber(w.high)}`} explains them almost as well.`;
      } else if (w.low === null || w.high === null) {
        line = `“${w.signal}” happened in every walk the same way, so only one side of its weight is pinned: ${interval(w)}.`;
      } else {
        continue;
      }
      el('li', { 'data-testid': `irl-ambiguous-${w.signal}` }, ambiguity, line);
    }
    const hand = answer.hand_log_likelihood === null ? '' : `, the hand-written reward ${formatNumber(answer.hand_log_likelihood)}`;
    fit.textContent = `How well each reward explains your walks (log-likelihood, higher is better): learned ${formatNumber(answer.log_likelihood)}${hand}, random moves ${formatNumber(answer.random_log_likelihood)}. “Fits almost as well” means at most ${formatNumber(answer.slack)} less; weights have a prior of spread ${formatNumber(answer.prior_sd)}.`;
  }

  function showResults() {
    exprCode.textContent = answer.expression;
    showWeights();
    const kinds = gridFromRows(answer.rows, answer.legend);
    for (const key of ['hand', 'learned']) {
      const p = answer[key];
      const c = columns[key];
      c.code.textContent = p.reward;
      c.map.draw(kinds, p.path, answer.width);
      c.ret.textContent = formatNumber(p.return);
      c.intent.textContent = formatNumber(p.intent);
      c.pushed.textContent = formatNumber(p.totals.pushed ?? 0);
      c.actions.textContent = p.actions;
    }
    const h = answer.hand;
    const l = answer.learned;
    caption.textContent = `Both optimizers are the same exact planner; only the reward differs. The hand-written reward scores ${formatNumber(h.intent)} on the owner's intent, the learned one ${formatNumber(l.intent)}. The learned reward is only as good as what was demonstrated: where your walks never went, it knows nothing, and its weights there are guesses.`;
    results.hidden = false;
    shown = answer;
    rejudge();
  }

  async function run(body, { reveal }) {
    status.textContent = reveal ? 'Inferring the reward from your walks…' : 'Loading the room…';
    infer.disabled = true;
    try {
      const data = await explain('irl', body);
      alert.hide();
      if (!level) {
        level = data;
        rec = new Recorder(gridFromRows(data.rows, data.legend), data.horizon);
        demos = data.demos.map((d) => d.actions);
        renderList();
      }
      answer = data;
      status.textContent = reveal
        ? `Inferred from ${data.demos.length} walk${data.demos.length === 1 ? '' : 's'} in ${data.iterations} Newton steps.`
        : `${data.title}: two example walks round the far doorway are ready. Add your own, or infer from these.`;
      if (reveal) showResults();
    } catch (err) {
      alert.show(messageOf(err));
      status.textContent = 'The last request failed; see the message.';
    } finally {
      redraw();
    }
  }

  infer.addEventListener('click', () => run({ demos }, { reveal: true }));
  renderList();
  run({}, { reveal: false });
}
