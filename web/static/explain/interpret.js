// Interpretability: the optimizer's values on the map. Every floor cell is
// coloured by what the agent expects to earn if it started there, carries
// the arrow of its greedy move, and (on hover, tap or keyboard) splits that
// value into the reward's terms beside what the owner's intent gets from the
// same plan. Numbers come from POST /api/explain/interpret.

import { explain } from '../api.js';
import { CELL, MapView, gridFromRows } from '../map.js';
import { el, svgEl } from '../dom.js';
import { formatNumber } from '../format.js';
import { freshId } from '../widgets/ui.js';
import { alertLine, messageOf, predict } from './common.js';

const ANGLE = { right: 0, down: 90, left: 180, up: 270 };
// A sequential scale, light (low) to dark (high), readable over the tiles.
const RAMP = [
  [255, 247, 188],
  [254, 196, 79],
  [236, 112, 20],
  [153, 52, 4],
];

function colour(t) {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const c = RAMP[i].map((v, k) => Math.round(v + (RAMP[i + 1][k] - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

// What stands in place of an owner's number until the reader has predicted:
// the numbers themselves are written only after the pick, so that neither
// the eye nor a screen reader meets them first.
const HIDDEN = 'answer the question first';

const ARROW_NAME = { up: 'up', down: 'down', left: 'left', right: 'right', stay: 'stay' };

export function mount(container) {
  const root = el('div', { className: 'interp', 'data-testid': 'interp' }, container);
  el('p', { className: 'interp-lead' }, root,
    'An optimizer does not "want" anything: it computes, for every situation, how much reward it expects from there, and moves toward more. Here is that computation, drawn on the map.');

  const form = el('form', { className: 'interp-controls' }, root);
  const levelId = freshId('interp-level');
  const levelBox = el('div', { className: 'interp-field' }, form);
  el('label', { for: levelId }, levelBox, 'Level');
  const levelSelect = el('select', { id: levelId, 'data-testid': 'interp-level' }, levelBox);
  const rewardId = freshId('interp-reward');
  const rewardBox = el('div', { className: 'interp-field interp-reward' }, form);
  el('label', { for: rewardId }, rewardBox, 'Reward');
  const rewardInput = el('input', { id: rewardId, type: 'text', spellcheck: 'false', autocomplete: 'off', 'data-testid': 'interp-reward' }, rewardBox);
  const solve = el('button', { type: 'submit', className: 'button small', 'data-testid': 'interp-solve' }, form, 'Solve');
  const status = el('p', { className: 'demo-status', 'aria-live': 'polite', 'data-testid': 'interp-status' }, root, 'Solving…');
  const alert = alertLine(root, 'interp-error');

  const question = predict(root, {
    question: 'Predict first: from the start, will the owner get as much as the agent expects?',
    testid: 'interp-predict',
    choices: [
      { value: 'less', label: 'The owner gets less' },
      { value: 'same', label: 'The same' },
      { value: 'more', label: 'The owner gets more' },
    ],
    onPick: () => {
      root.classList.add('interp-revealed');
      judge();
      if (data) {
        select(selected ?? data.start);
        summarize();
        describe();
      }
    },
  });

  const stage = el('div', { className: 'interp-stage' }, root);
  const figure = el('figure', { className: 'interp-figure' }, stage);
  const map = svgEl('svg', { class: 'demo-map interp-map' }, figure);
  const view = new MapView(map, { label: 'Value map' });
  const scale = el('div', { className: 'interp-scale', 'data-testid': 'interp-scale' }, figure);
  el('figcaption', { className: 'interp-help' }, figure,
    'Colour: value (darker = the agent expects more). Arrows: its move. Dashed line: its episode from the start. Hover or tap a cell, or focus the map and use the arrow keys.');

  const panel = el('div', { className: 'interp-panel', 'data-testid': 'interp-panel' }, stage);
  const cellTitle = el('h4', { 'data-testid': 'interp-cell-title' }, panel, '');
  const cellLine = el('p', { className: 'interp-cell-line' }, panel);
  el('span', {}, cellLine, 'Agent expects ');
  const cellValue = el('strong', { 'data-testid': 'interp-cell-value' }, cellLine, '–');
  el('span', {}, cellLine, ', moving ');
  const cellMove = el('strong', { 'data-testid': 'interp-cell-move' }, cellLine, '–');
  const bars = el('ul', { className: 'interp-bars', 'data-testid': 'interp-bars', 'aria-label': 'The value split by reward term' }, panel);
  const ownerLine = el('p', { className: 'interp-owner' }, panel);
  el('span', {}, ownerLine, 'Owner gets (intent, same plan): ');
  const cellIntent = el('strong', { 'data-testid': 'interp-cell-intent' }, ownerLine, '–');
  el('p', { className: 'interp-owner-hidden' }, panel, 'Answer the question above to see what the owner gets.');

  const summary = el('dl', { className: 'interp-summary' }, root);
  const item = (label, testid) => {
    const d = el('div', {}, summary);
    el('dt', {}, d, label);
    return el('dd', { 'data-testid': testid }, d, '–');
  };
  const startValue = item('Agent expects from the start', 'interp-start-value');
  const startIntent = item('Owner gets from the start', 'interp-start-intent');
  startIntent.textContent = HIDDEN;
  const episode = item('Its episode', 'interp-actions');
  const caption = el('p', { className: 'interp-caption', 'aria-live': 'polite', 'data-testid': 'interp-caption' }, root);

  let data = null;
  let selected = null;
  let overlay = null;
  let cellNodes = [];

  function judge() {
    if (!data || !question.picked) return;
    const v = data.start_value;
    const i = data.start_intent;
    const truth = i < v - 1e-9 ? 'less' : i > v + 1e-9 ? 'more' : 'same';
    const right = truth === question.picked ? 'Right.' : 'Not this time.';
    const said = truth === 'same' ? 'they agree here' : `the owner gets ${formatNumber(i)} where the agent expects ${formatNumber(v)}`;
    question.judge(`${right} On ${data.title}, ${said}.`);
  }

  function cellLabel(i) {
    const r = Math.floor(i / data.width);
    const c = i % data.width;
    return `row ${r + 1}, column ${c + 1}`;
  }

  function select(i) {
    if (!data || !data.cells[i]) return;
    selected = i;
    cellNodes.forEach((n, k) => n && n.classList.toggle('interp-selected', k === i));
    const cell = data.cells[i];
    cellTitle.textContent = i === data.start ? `The start (${cellLabel(i)})` : `If it started at ${cellLabel(i)}`;
    cellValue.textContent = formatNumber(cell.value);
    cellMove.textContent = ARROW_NAME[cell.arrow] ?? cell.arrow;
    cellIntent.textContent = question.picked ? formatNumber(cell.intent) : '–';
    bars.replaceChildren();
    const rows = data.terms.map((t, k) => ({ label: t.label, value: cell.terms[k], kind: 'term' }));
    const biggest = Math.max(1e-9, ...rows.map((r) => Math.abs(r.value)));
    rows.forEach((row, k) => {
      const li = el('li', { className: 'interp-bar' }, bars);
      el('span', { className: 'interp-bar-label' }, li, row.label);
      const track = el('span', { className: 'interp-bar-track', 'aria-hidden': 'true' }, li);
      const fill = el('span', { className: `interp-bar-fill ${row.value < 0 ? 'neg' : 'pos'}` }, track);
      const w = (Math.abs(row.value) / biggest) * 50;
      fill.style.width = `${w}%`;
      fill.style.left = row.value < 0 ? `${50 - w}%` : '50%';
      el('span', { className: 'interp-bar-value', 'data-testid': `interp-term-${k}` }, li, formatNumber(row.value));
    });
  }

  function draw() {
    const { width: w, height: h } = data;
    view.draw(gridFromRows(data.rows, data.legend));
    overlay?.remove();
    overlay = svgEl('g', { class: 'interp-overlay', tabindex: 0, role: 'group', 'aria-label': 'Cells of the value map: use the arrow keys to pick one', 'data-testid': 'interp-cells' }, map);
    const values = data.cells.filter(Boolean).map((c) => c.value);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const span = hi - lo || 1;
    cellNodes = data.cells.map((cell, i) => {
      if (!cell) return null;
      const x = (i % w) * CELL;
      const y = Math.floor(i / w) * CELL;
      const g = svgEl('g', { class: 'interp-cell', 'data-cell': i, 'data-testid': `interp-cell-${i}` }, overlay);
      svgEl('rect', { x: x + 1, y: y + 1, width: CELL - 2, height: CELL - 2, rx: 3, fill: colour((cell.value - lo) / span), class: 'interp-heat' }, g);
      if (cell.arrow === 'stay') {
        svgEl('circle', { cx: x + CELL / 2, cy: y + CELL / 2, r: 4, class: 'interp-arrow' }, g);
      } else {
        svgEl('path', { d: 'M11 20 L27 20 M21 13 L29 20 L21 27', class: 'interp-arrow', transform: `translate(${x} ${y}) rotate(${ANGLE[cell.arrow] ?? 0} 20 20)` }, g);
      }
      const t = svgEl('title', {}, g);
      t.textContent = `${cellLabel(i)}: value ${formatNumber(cell.value)}, moves ${cell.arrow}`;
      g.addEventListener('pointerenter', () => select(i));
      g.addEventListener('click', () => select(i));
      return g;
    });
    if (data.path.length > 1) {
      const pts = data.path.map((c) => `${(c % w) * CELL + CELL / 2},${Math.floor(c / w) * CELL + CELL / 2}`).join(' ');
      svgEl('polyline', { points: pts, class: 'interp-path', 'data-testid': 'interp-path' }, overlay);
    }
    // The robot stays visible above the colours.
    if (view.agent) map.appendChild(view.agent);
    overlay.addEventListener('keydown', (ev) => {
      const moves = { ArrowUp: -w, ArrowDown: w, ArrowLeft: -1, ArrowRight: 1 };
      if (!(ev.key in moves)) return;
      ev.preventDefault();
      let i = selected ?? data.start;
      for (let step = 0; step < w * h; step++) {
        const col = i % w;
        const next = i + moves[ev.key];
        if (next < 0 || next >= w * h) return;
        if ((ev.key === 'ArrowLeft' && col === 0) || (ev.key === 'ArrowRight' && col === w - 1)) return;
        i = next;
        if (data.cells[i]) {
          select(i);
          return;
        }
      }
    });
    // The scale bar.
    scale.replaceChildren();
    el('span', { className: 'interp-scale-end', 'data-testid': 'interp-scale-low' }, scale, formatNumber(lo));
    const bar = el('span', { className: 'interp-scale-bar', 'aria-hidden': 'true' }, scale);
    for (let k = 0; k < 8; k++) {
      const s = el('span', {}, bar);
      s.style.background = colour(k / 7);
    }
    el('span', { className: 'interp-scale-end', 'data-testid': 'interp-scale-high' }, scale, formatNumber(hi));
  }

  /** The start's numbers and the episode; the owner's only once the reader has predicted. */
  function summarize() {
    const revealed = Boolean(question.picked);
    startValue.textContent = formatNumber(data.start_value);
    startIntent.textContent = revealed ? formatNumber(data.start_intent) : HIDDEN;
    startIntent.classList.toggle('interp-pending', !revealed);
    const intent = revealed ? `, intent ${formatNumber(data.intent)}` : '';
    episode.textContent = `${data.actions || '(none)'}: return ${formatNumber(data.return)}${intent}`;
  }

  function describe() {
    const start = data.cells[data.start];
    const parts = data.terms
      .map((t, k) => ({ t, v: start.terms[k] }))
      .filter((p) => Math.abs(p.v) > 1e-9)
      .map((p) => `${formatNumber(p.v)} from ${p.t.signal ? `“${p.t.label}”` : p.t.label}`);
    const why = data.linear ? (parts.length ? parts.join(' and ') : 'nothing from any term') : 'the whole reward (it is not a plain sum, so it is one term)';
    const gap = !question.picked
      ? 'Answer the question above to compare it with what the owner gets.'
      : data.start_intent === data.start_value
      ? 'Here the owner gets the same from that plan.'
      : `The owner gets ${formatNumber(data.start_intent)} from the same plan: the intent counts what the reward cannot see.`;
    caption.textContent = `From the start the agent expects ${formatNumber(data.start_value)} over ${data.horizon} steps: ${why}. ${gap} Try a reward that also charges for what went wrong, and watch the arrows turn.`;
  }

  function show(answer) {
    data = answer;
    alert.hide();
    if (!levelSelect.options.length) {
      for (const id of answer.levels) el('option', { value: id }, levelSelect, id);
    }
    levelSelect.value = answer.level;
    rewardInput.value = answer.reward;
    draw();
    select(selected !== null && data.cells[selected] ? selected : data.start);
    summarize();
    const watched = data.supervisor === null ? '' : data.supervisor ? ' The supervisor is watching in this episode.' : ' The supervisor is away in this episode, and the agent can see that.';
    status.textContent = `${data.title}: ${data.states} situations solved exactly, ${data.horizon} steps ahead.${watched}`;
    describe();
    judge();
  }

  let serial = 0;
  async function load(body) {
    const mine = ++serial;
    status.textContent = 'Solving…';
    solve.disabled = true;
    try {
      const answer = await explain('interpret', body);
      if (mine === serial) show(answer);
    } catch (err) {
      if (mine === serial) {
        alert.show(messageOf(err));
        status.textContent = data ? 'Showing the last map that solved.' : 'Nothing to show yet.';
      }
    } finally {
      if (mine === serial) solve.disabled = false;
    }
  }

  levelSelect.addEventListener('change', () => {
    selected = null;
    load({ level: levelSelect.value });
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load({ level: levelSelect.value || undefined, reward: rewardInput.value });
  });
  load({});
}
