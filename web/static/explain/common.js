// Pieces the explainer's widgets share: running a reward on the server,
// playing an episode back on a map, asking the reader to predict (and
// holding results back until they have), and the return / intent pair
// shown the same way everywhere.

import { ApiError, followRun, startRun } from '../api.js';
import { el, svgEl } from '../dom.js';
import { formatNumber } from '../format.js';
import { MapView, gridFromRows } from '../map.js';
import { freshId } from '../widgets/ui.js';

/** Trains and plays one run (POST /api/runs, then its events); resolves with the result. */
export async function runReward(body) {
  const created = await startRun(body);
  return new Promise((resolve, reject) => {
    followRun(created.events, {
      onProgress() {},
      onResult: resolve,
      onError: (message) => reject(new ApiError(0, message)),
    });
  });
}

/** The message of an error, for a role=alert line. */
export const messageOf = (err) => (err instanceof Error ? err.message : String(err));

/** An alert line, hidden until `show(text)`. */
export function alertLine(parent, testid) {
  const p = el('p', { className: 'demo-error', role: 'alert', 'data-testid': testid, hidden: true }, parent);
  return {
    show(text) {
      p.textContent = text;
      p.hidden = false;
    },
    hide() {
      p.hidden = true;
    },
  };
}

/**
 * A map that plays an episode's frames (arrays of text rows) with a
 * play/pause button and a step slider. Grid worlds are drawn as tiles, by
 * the legend that came with the frames; others (the company) as a text board.
 */
export class Player {
  constructor(parent, { label, testid, grid = true }) {
    this.root = el('figure', { className: 'demo-player', 'data-testid': testid }, parent);
    this.svg = svgEl('svg', { class: 'demo-map' }, this.root);
    this.view = new MapView(this.svg, { label });
    this.grid = grid;
    const bar = el('div', { className: 'demo-playbar' }, this.root);
    this.toggle = el('button', { type: 'button', className: 'button small', 'data-testid': `${testid}-play` }, bar, 'Play');
    const id = freshId(testid);
    el('label', { for: id, className: 'visually-hidden' }, bar, `${label}: step`);
    this.range = el('input', { id, type: 'range', min: 0, max: 0, value: 0, 'data-testid': `${testid}-step` }, bar);
    this.readout = el('output', { for: id, className: 'demo-step' }, bar, 'step 0');
    this.frames = [];
    this.timer = null;
    this.toggle.addEventListener('click', () => (this.timer ? this.pause() : this.play()));
    this.range.addEventListener('input', () => {
      this.pause();
      this.show(Number(this.range.value));
    });
  }

  /**
   * Loads frames and shows the first; `legend` names their characters (a
   * run's `frame_legend`, an answer's `legend`); `autoplay` plays them once.
   */
  load(frames, { legend = {}, autoplay = true } = {}) {
    this.pause();
    this.frames = frames;
    this.legend = legend;
    this.range.max = String(Math.max(0, frames.length - 1));
    this.show(0);
    if (autoplay && frames.length > 1) this.play();
  }

  show(i) {
    const rows = this.frames[i];
    if (!rows) return;
    this.at = i;
    this.range.value = String(i);
    this.readout.textContent = `step ${i} of ${this.frames.length - 1}`;
    if (this.grid) this.view.draw(gridFromRows(rows, this.legend));
    else this.view.drawText(rows);
  }

  play() {
    if (this.at >= this.frames.length - 1) this.show(0);
    this.toggle.textContent = 'Pause';
    const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.timer = setInterval(() => {
      if (this.at >= this.frames.length - 1) this.pause();
      else this.show(this.at + 1);
    }, reduce ? 500 : this.grid ? 220 : 450);
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    this.toggle.textContent = 'Play';
  }

  /** Jumps to the last frame (for tests and for readers in a hurry). */
  end() {
    this.pause();
    this.show(this.frames.length - 1);
  }
}

/**
 * "Predict first": a question with choices. Nothing is revealed until the
 * reader picks one; `onPick(value)` is called on each pick, and
 * `judge(text)` afterwards writes the verdict below the question.
 */
export function predict(parent, { question, choices, testid, onPick }) {
  const box = el('fieldset', { className: 'demo-predict', 'data-testid': testid }, parent);
  el('legend', {}, box, question);
  const name = freshId(testid);
  const row = el('div', { className: 'demo-choices' }, box);
  for (const c of choices) {
    const id = freshId(testid);
    const label = el('label', { for: id, className: 'demo-choice' }, row);
    el('input', { type: 'radio', name, id, value: c.value, 'data-testid': `${testid}-${c.value}` }, label);
    el('span', {}, label, c.label);
  }
  const verdict = el('p', { className: 'demo-verdict', 'aria-live': 'polite', 'data-testid': `${testid}-verdict` }, box);
  let picked = null;
  box.addEventListener('change', (ev) => {
    if (ev.target.name !== name) return;
    picked = ev.target.value;
    onPick?.(picked);
  });
  return {
    get picked() {
      return picked;
    },
    judge(text) {
      verdict.textContent = text;
    },
  };
}

/**
 * Results that stay hidden until the reader has predicted (or chosen to
 * skip): returns the stage that holds them and `rejudge()`. `judge(picked)`
 * gives the verdict text on a pick, or null while there is nothing to judge
 * it by; it is asked on every pick and again on `rejudge()` (call that when
 * new results arrive).
 */
export function predictFirst(parent, { testid, question, choices, judge }) {
  const stage = el('div', { className: 'demo-after', 'data-testid': `${testid}-stage` });
  stage.hidden = true;
  const rejudge = () => {
    if (!guess.picked) return;
    const text = judge(guess.picked);
    if (text !== null) guess.judge(text);
  };
  const onPick = () => {
    stage.hidden = false;
    skip.hidden = true;
    rejudge();
  };
  const guess = predict(parent, { question, choices, testid: `${testid}-predict`, onPick });
  const skip = el('button', { type: 'button', className: 'button small demo-skip', 'data-testid': `${testid}-reveal` }, parent, 'Show me without predicting');
  skip.addEventListener('click', () => {
    stage.hidden = false;
    skip.hidden = true;
  });
  parent.appendChild(stage);
  return { stage, rejudge };
}

/** A return / intent score pair; `set(ret, perf)` fills it. */
export function scores(parent, testid, { returnLabel = 'Return (what the reward paid)', intentLabel = 'Intent score (what was wanted)' } = {}) {
  const dl = el('dl', { className: 'demo-scores', 'data-testid': testid }, parent);
  const r = el('div', { className: 'demo-score series-return' }, dl);
  el('dt', {}, r, returnLabel);
  const rv = el('dd', { 'data-testid': `${testid}-return` }, r, '–');
  const p = el('div', { className: 'demo-score series-performance' }, dl);
  el('dt', {}, p, intentLabel);
  const pv = el('dd', { 'data-testid': `${testid}-intent` }, p, '–');
  return {
    set(ret, perf) {
      rv.textContent = formatNumber(ret);
      pv.textContent = formatNumber(perf);
    },
    clear() {
      rv.textContent = '–';
      pv.textContent = '–';
    },
  };
}
