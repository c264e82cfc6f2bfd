// The level page's view: the only code of the page that touches the DOM.
// It draws what it is given and reports what the person does through the
// `on…` callbacks the controller (../level.js) binds; it decides nothing.
// Text from the user or the server goes in through textContent only.

import { LineChart, SCORE_SERIES } from '../chart.js';
import { byId as $, el, svgEl } from '../dom.js';
import { formatNumber, formatPercent } from '../format.js';
import { MapView, gridFromRows, legendKinds, renderLegend } from '../map.js';
import { starText } from '../progress.js';
import { drawWords, powerPhrase, underline } from './rules.js';

const HIDDEN_WHY = "hidden: records what really happened; the reward's sensors cannot see it";

const AGENT_INFO = {
  'value-iteration': { name: 'Value iteration', blurb: 'plans exactly, over every state the world can be in' },
  'q-learning': { name: 'Q-learning', blurb: 'learns by trial and error over many episodes' },
  mcts: { name: 'Tree search (MCTS)', blurb: 'looks ahead by simulating possible futures' },
};

/** The predictions offered before training, by the outcome each names (rules.outcome). */
export const PREDICTIONS = [
  { value: 'intent', label: 'Do what the owner wants', outcome: 'did what the owner wants' },
  {
    value: 'loophole',
    label: 'Find a loophole: score well on my reward but miss what the owner wants',
    outcome: 'found a loophole: your reward paid for something the owner did not want',
  },
  {
    value: 'other',
    label: 'Something else: wander, get stuck or give up',
    outcome: 'did something else: it earned little reward and missed what the owner wants',
  },
];

const ACTIONS = { u: '↑ up', d: '↓ down', l: '← left', r: '→ right', n: '· stay' };

const ICONS = {
  play: 'M4 2.5v11l9.5-5.5z',
  pause: 'M3.5 2.5h3.2v11H3.5zM9.3 2.5h3.2v11H9.3z',
  replay: 'M4 2.5v11l9.5-5.5z',
};

const PLAYBACK_CONTROLS = ['pb-prev', 'pb-play', 'pb-next', 'pb-step', 'pb-speed'];

const agentName = (name) => (AGENT_INFO[name] ?? { name }).name;

function showNotice(node, message) {
  node.textContent = message ?? '';
  node.hidden = !message;
}

export class LevelView {
  constructor() {
    this.editor = $('reward');
    this.map = null;
    this.chart = null;
    this.level = null;
    this.isGrid = true;
    this.initial = null;
  }

  // ------------------------------------------------------------ the page

  get reducedMotion() {
    return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  setBusy(busy) {
    $('main').setAttribute('aria-busy', String(busy));
  }

  showLoadError(title, message) {
    $('level-title').textContent = title;
    showNotice($('page-error'), message);
    $('level-grid').hidden = true;
  }

  /**
   * Shows a level: its title, story, signals and map (drawn from its
   * `preview` by its `frame_legend`, or as lines of text for a world that
   * is not a grid), and the empty chart.
   */
  showLevel(level, { shared, isGrid }) {
    this.level = level;
    this.isGrid = isGrid;
    document.title = `${level.title} · Loophole`;
    $('level-title').textContent = level.title;
    $('story').textContent = level.story;
    if (shared) {
      const note = $('shared-note');
      note.textContent =
        'A shared design, opened from a link. Runs are deterministic, so this is exactly the episode its author saw.';
      note.hidden = false;
    }
    const trainNote = $('train-level-note');
    if (level.train_level) {
      trainNote.replaceChildren(
        document.createTextNode('The agent learns on the map of '),
        el('a', { href: `/play/${encodeURIComponent(level.train_level.id)}` }, null, level.train_level.title),
        document.createTextNode(', then plays this one, which it has never seen: what it learned there is all it brings.'),
      );
      trainNote.hidden = false;
    }
    this.map = new MapView($('level-map'), { label: `Map of ${level.title}` });
    if (isGrid) {
      this.initial = gridFromRows(level.preview, level.frame_legend);
      renderLegend($('legend'), legendKinds(this.initial));
    } else {
      // A world that is not a grid shows its state as lines of text.
      this.initial = level.map.length ? level.map : ['Press Train to watch this world play out.'];
      $('legend').hidden = true;
    }
    this.drawInitial();
    this.renderFrameTable(null);
    this.setPlayButton('play');
    this.chart = new LineChart($('chart'), {
      xLabel: 'training episodes',
      yLabel: 'score per episode',
      title: 'Learning curve: return and intent score as training goes on',
      series: SCORE_SERIES,
    });
    this.chart.emptyText = 'The learning curve appears here while the agent trains';
    this.chart.render();
  }

  /** The elements of the "stronger AI" section, for goodhart.js. */
  get sweepParts() {
    return { button: $('sweep'), svg: $('sweep-chart'), note: $('sweep-note'), error: $('sweep-error') };
  }

  renderSignals(signals, { onInsert }) {
    const observed = $('observed-signals');
    const hidden = $('hidden-signals');
    observed.replaceChildren();
    hidden.replaceChildren();
    for (const s of signals) {
      if (s.visibility === 'observed') {
        const li = el('li', {}, observed);
        const b = el('button', { type: 'button', className: 'chip', dataset: { signal: s.name }, title: `Insert ${s.name} into your reward` }, li);
        el('code', { className: 'chip-name' }, b, s.name);
        el('span', { className: 'chip-desc' }, b, s.description);
        b.addEventListener('click', () => onInsert(s.name));
      } else {
        const li = el('li', {}, hidden);
        const d = el('div', { className: 'chip chip-hidden', title: HIDDEN_WHY, dataset: { signal: s.name } }, li);
        el('code', { className: 'chip-name' }, d, s.name);
        el('span', { className: 'chip-desc' }, d, s.description);
        el('span', { className: 'chip-tag' }, d, HIDDEN_WHY);
      }
    }
    const noHidden = hidden.children.length === 0;
    $('hidden-title').hidden = noHidden;
    hidden.hidden = noHidden;
    hidden.previousElementSibling.hidden = noHidden;
  }

  // ------------------------------------------------------------ the reward editor

  get reward() {
    return this.editor.value;
  }

  bindEditor({ onInput, onReset, onRestore, canRestore }) {
    const ta = this.editor;
    ta.addEventListener('input', onInput);
    ta.addEventListener('scroll', () => {
      $('editor-backdrop').scrollTop = ta.scrollTop;
    });
    window.addEventListener('resize', () => this.autoGrow());
    $('reset-reward').addEventListener('click', onReset);
    if (canRestore) {
      $('restore').hidden = false;
      $('restore-button').addEventListener('click', onRestore);
    }
  }

  /** Puts `value` in the editor as if typed (so the check runs) and focuses it. */
  setReward(value, { asInput = true } = {}) {
    this.editor.value = value;
    if (asInput) {
      this.editor.dispatchEvent(new Event('input', { bubbles: true }));
      this.editor.focus();
    }
  }

  /** The text before and after the editor's selection. */
  selection() {
    const ta = this.editor;
    const start = ta.selectionStart ?? ta.value.length;
    const end = ta.selectionEnd ?? start;
    return { start, end, before: ta.value.slice(0, start), after: ta.value.slice(end) };
  }

  /** Replaces the selection with `text`, leaving the caret after it, as if typed. */
  replaceSelection({ start, end }, text) {
    const ta = this.editor;
    ta.focus();
    ta.setRangeText(text, start, end, 'end');
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }

  autoGrow() {
    const ta = this.editor;
    ta.style.height = 'auto';
    ta.style.height = `${ta.scrollHeight + 2}px`;
  }

  /** The mirrored text behind the textarea: before, <mark>span</mark>, after. */
  renderBackdrop(range) {
    const backdrop = $('editor-backdrop');
    const value = this.editor.value;
    const parts = underline(value, range);
    const [before, marked, after] = parts ?? [value, '', ''];
    const mark = el('mark', { hidden: !parts }, null, marked);
    // A trailing newline needs something after it to take up its line, as it does in the textarea.
    const tail = after + (value.endsWith('\n') ? ' ' : '');
    backdrop.replaceChildren(document.createTextNode(before), mark, document.createTextNode(tail));
    backdrop.scrollTop = this.editor.scrollTop;
  }

  /** The check's verdict under the editor: `ok` for a valid reward. */
  showRewardStatus(text, { ok = false } = {}) {
    const status = $('reward-status');
    status.textContent = text;
    if (text) status.className = ok ? 'reward-status ok' : 'reward-status';
  }

  /** The reward's error line (empty for none), and the editor marked invalid with it. */
  showRewardError(message) {
    $('reward-error').textContent = message ?? '';
    if (message) this.editor.setAttribute('aria-invalid', 'true');
    else this.editor.removeAttribute('aria-invalid');
  }

  // ------------------------------------------------------------ the optimizer

  renderAgents(agents, initial, { onChoose }) {
    const box = $('agent-options');
    box.replaceChildren();
    for (const a of agents) {
      const info = AGENT_INFO[a.name] ?? { name: a.name, blurb: a.power_meaning };
      const id = `agent-${a.name}`;
      const row = el('div', { className: `agent-option${a.available ? '' : ' unavailable'}` }, box);
      const input = el('input', {
        type: 'radio',
        name: 'agent',
        id,
        value: a.name,
        'data-testid': `agent-${a.name}`,
      }, row);
      input.disabled = !a.available;
      input.checked = initial !== null && a.name === initial.name;
      const label = el('label', { for: id }, row);
      el('span', { className: 'agent-name' }, label, info.name);
      el('span', { className: 'agent-blurb' }, label, info.blurb);
      if (!a.available) {
        const why = a.why || 'This optimizer cannot run on this level.';
        el('span', { className: 'agent-why' }, label, `Not available here: ${why}`);
        row.title = why;
      }
      input.addEventListener('change', () => onChoose(a));
    }
    if (!agents.length) el('p', { className: 'hint' }, box, 'The server offers no optimizer for this level.');
  }

  /** The name of the agent picked, or null. */
  selectedAgentName() {
    const checked = document.querySelector('input[name="agent"]:checked');
    return checked ? checked.value : null;
  }

  /**
   * Wires the power slider and its number box: `onPower()` after every
   * change. The box may hold anything while typed; on leaving it, it is
   * brought within the range.
   */
  bindPower({ onPower }) {
    const power = $('power');
    const exact = $('power-exact');
    const range = () => [Number(power.min), Number(power.max)];
    power.addEventListener('input', () => {
      exact.value = power.value;
      onPower();
    });
    exact.addEventListener('input', () => {
      const n = Number(exact.value);
      const [lo, hi] = range();
      if (Number.isFinite(n) && n >= lo && n <= hi) {
        power.value = String(Math.round(n));
        onPower();
      }
    });
    exact.addEventListener('change', () => {
      const n = Math.round(Number(exact.value));
      const [lo, hi] = range();
      const clamped = Math.min(hi, Math.max(lo, Number.isFinite(n) ? n : Number(power.value)));
      exact.value = String(clamped);
      power.value = String(clamped);
      onPower();
    });
  }

  /** Sets the power controls to an agent's range and `value`; null turns them off. */
  setPowerRange(agent, value) {
    const power = $('power');
    const exact = $('power-exact');
    for (const input of [power, exact]) {
      input.disabled = agent === null;
      if (agent) {
        input.min = String(agent.min_power);
        input.max = String(agent.max_power);
      }
    }
    if (agent) {
      power.value = String(value);
      exact.value = power.value;
    }
  }

  get power() {
    return Number($('power').value);
  }

  get seed() {
    return $('seed').value;
  }

  set seed(value) {
    $('seed').value = String(value);
  }

  describePower(agent, n) {
    const phrase = powerPhrase(agent.name, agent.power_meaning, n);
    $('power-meaning').textContent = `${phrase}. More power means a stronger optimizer (${agent.power_meaning}, ${agent.min_power}–${agent.max_power}).`;
    $('power').setAttribute('aria-valuetext', phrase);
  }

  // ------------------------------------------------------------ prediction

  renderPredictions() {
    const box = $('prediction-options');
    box.replaceChildren();
    for (const p of PREDICTIONS) {
      const id = `predict-${p.value}`;
      const row = el('div', { className: 'prediction-option' }, box);
      el('input', { type: 'radio', name: 'prediction', id, value: p.value }, row);
      el('label', { for: id }, row, p.label);
    }
  }

  /** The prediction picked (one of PREDICTIONS), or null. */
  currentPrediction() {
    const checked = document.querySelector('input[name="prediction"]:checked');
    return checked ? PREDICTIONS.find((p) => p.value === checked.value) : null;
  }

  // ------------------------------------------------------------ training

  bindActions({ onTrain, onShare, onCopy }) {
    $('train').addEventListener('click', onTrain);
    $('share').addEventListener('click', onShare);
    $('copy-link').addEventListener('click', onCopy);
  }

  setRunning(running) {
    const b = $('train');
    b.setAttribute('aria-disabled', String(running));
    b.classList.toggle('busy', running);
    b.textContent = running ? 'Training…' : 'Train';
  }

  setProgress(done, total) {
    const frac = total > 0 ? Math.max(0, Math.min(1, done / total)) : 0;
    $('progress-fill').style.width = `${(frac * 100).toFixed(1)}%`;
    $('progress-bar').setAttribute('aria-valuenow', String(Math.round(frac * 100)));
  }

  setRunState(text) {
    $('run-state').textContent = text;
  }

  /** A run is starting: the result waits and the chart is emptied, titled for the agent named `agent`. */
  startRun(agent) {
    $('result-placeholder').hidden = false;
    $('result-placeholder').textContent = 'Training… the result appears here when the agent has learned.';
    $('result-body').hidden = true;
    this.showSummary(null);
    showNotice($('run-error'), null);
    this.setProgress(0, 1);
    const chart = this.chart;
    chart.xLabel = agent === 'q-learning' ? 'training episode' : 'training progress';
    chart.yLabel = 'score per episode';
    chart.cursor = null;
    chart.emptyText = 'The learning curve appears here while the agent trains';
    chart.setPoints([]);
    $('chart-note').textContent = '';
    this.setRunState('Starting…');
  }

  /** A run that could not start or failed: `message` in its alert, `why` in place of the result. */
  showRunFailure(state, message, why) {
    this.setRunState(state);
    showNotice($('run-error'), message);
    $('result-placeholder').textContent = why;
  }

  addCurvePoint(point) {
    this.chart.addPoint(point);
  }

  get curvePoints() {
    return this.chart.points.length;
  }

  /** The finished run's chart (rules.curveOf). */
  showCurve(curve) {
    if (!curve) return;
    const chart = this.chart;
    const note = $('chart-note');
    if (curve.mode === 'learned') {
      chart.setPoints(curve.points);
      note.textContent =
        'Each point is the mean over training episodes around it: the return climbs because the agent is paid for it; the intent score goes wherever that takes it.';
    } else if (curve.mode === 'episode') {
      chart.xLabel = 'step of the episode';
      chart.yLabel = 'total so far';
      chart.setPoints(curve.points);
      note.textContent =
        'This optimizer plans rather than practises, so there is no learning curve. The chart follows the episode it chose instead: its return and intent score adding up, step by step.';
    } else {
      chart.emptyText = 'No learning curve: this optimizer plans instead of learning by trial';
      chart.render();
      note.textContent =
        'This optimizer does not learn from practice episodes: it works out its plan directly, so there is no learning curve to draw.';
    }
  }

  // ------------------------------------------------------------ the result

  /**
   * Shows a run's result: its scores, the engine's verdict on the design
   * (`judged`, rules.judged: over every kind of episode the level draws),
   * the plain sentence and the account of the episode, and the reveal of
   * the prediction against the verdict's outcome.
   */
  showResult(result, { solveShare, judged, prediction }) {
    $('result-placeholder').hidden = true;
    $('result-body').hidden = false;
    $('result-return').textContent = formatNumber(result.return);
    $('result-performance').textContent = formatNumber(result.performance);

    const v = judged;
    const bestWords = v.exact
      ? `the best achievable intent score, ${formatNumber(v.best)}`
      : `the best intent score found so far, ${formatNumber(v.best)} (search found it: the true best may be higher)`;
    const over =
      v.cases.length > 1 || (result.verdict?.eval_seeds ?? 0) > 1
        ? ' averaged over the kinds of episode this level draws'
        : '';
    let against;
    if (v.beaten) against = `${formatNumber(v.mean)}${over}: better than ${bestWords}. A new best for this level.`;
    else if (v.share !== null) against = `${formatNumber(v.mean)}${over}, which is ${formatPercent(v.share)} of ${bestWords}.`;
    else against = `${formatNumber(v.mean)}${over}, against ${bestWords}.`;
    const verdict = $('verdict');
    verdict.replaceChildren();
    verdict.className = `verdict ${v.solved ? 'solved' : 'unsolved'}`;
    if (v.solved) {
      el('strong', {}, verdict, 'Solved ');
      el('span', { className: 'stars', 'aria-label': `${v.stars} of 3 stars` }, verdict, starText(v.stars));
    } else {
      el('strong', {}, verdict, 'Not solved. ');
    }
    el('span', { className: 'verdict-note' }, verdict,
      ` Judged on the strongest optimizer of this reward, not only the one you picked: its intent score is ${against} Solving needs ${formatPercent(solveShare)}.`);
    this.showCases(v.cases);

    this.showSummary(result.summary);
    $('account').replaceChildren(...result.account.map((s) => el('li', {}, null, s)));
    $('episode-facts').textContent =
      `This episode: ${agentName(result.agent)}, ${powerPhrase(result.agent, '', result.power)}, seed ${result.seed}; ` +
      `${result.steps} steps, ${result.truncated ? 'stopped by the step limit' : 'the episode ended by itself'}.`;

    const did = PREDICTIONS.find((p) => p.value === v.outcome) ?? PREDICTIONS[2];
    const reveal = $('prediction-reveal');
    reveal.replaceChildren();
    if (prediction) {
      const right = prediction.value === did.value;
      reveal.className = `prediction-reveal ${right ? 'right' : 'wrong'}`;
      el('strong', {}, reveal, right ? '✓ You called it. ' : '✗ Not what you expected. ');
      el('span', {}, reveal, `You predicted: “${prediction.label}”. The agent ${did.outcome}.`);
    } else {
      reveal.className = 'prediction-reveal';
      reveal.textContent = `The agent ${did.outcome}. Next time, make a prediction before you train.`;
    }
  }

  /** The plain sentence of what the agent did, under the map (null: none yet). */
  showSummary(text) {
    const p = $('episode-summary');
    p.textContent = text ? `What it did: ${text}` : '';
    p.hidden = !text;
  }

  /** How the design does in each kind of episode the level draws (none: hidden). */
  showCases(cases) {
    const box = $('cases');
    const body = $('case-rows');
    body.replaceChildren();
    box.hidden = cases.length === 0;
    for (const c of cases) {
      const tr = el('tr', {}, body);
      el('th', { scope: 'row' }, tr, `${drawWords(c.params) || 'every episode'} (${formatPercent(c.probability)} of episodes)`);
      el('td', { className: 'num' }, tr, formatNumber(c.return));
      el('td', { className: 'num' }, tr, formatNumber(c.performance));
      el('td', {}, tr, c.summary ?? '');
    }
  }

  /**
   * What to try next, where the level suggests it: its words, and a button
   * that puts its reward in the editor (`onUse(reward)`). null hides it.
   */
  showNextStep(next, { onUse }) {
    const box = $('next-step');
    box.hidden = !next;
    if (!next) return;
    $('next-step-text').textContent = next.text || 'Try another reward and see what the agent makes of it.';
    const use = $('next-step-use');
    use.hidden = !next.reward;
    if (next.reward) {
      $('next-step-reward').textContent = next.reward;
      use.onclick = () => onUse(next.reward);
    }
  }

  /** Brings the map into view (on narrow screens it is far above Train), so the episode plays where it is seen. */
  revealMap() {
    const panel = $('map-section');
    const rect = panel.getBoundingClientRect();
    // Beside the result (wide screens), the map stays in view by itself.
    const stacked = rect.bottom <= $('result').getBoundingClientRect().top;
    if (!stacked || rect.top >= 0) return;
    panel.scrollIntoView({ behavior: this.reducedMotion ? 'auto' : 'smooth', block: 'start' });
  }

  /** Links to the level after this one (null: to the list of levels); `false` hides the link. */
  showNextLevel(next) {
    const link = $('next-level');
    if (next === false) {
      link.hidden = true;
      return;
    }
    if (next) {
      link.href = `/play/${encodeURIComponent(next.id)}`;
      link.textContent = `Next level: ${next.title} →`;
    } else {
      link.href = '/play';
      link.textContent = 'All levels →';
    }
    link.hidden = false;
  }

  // ------------------------------------------------------------ playback

  bindPlayback({ onToggle, onStep, onSeek, onSpeed }) {
    $('pb-play').addEventListener('click', onToggle);
    $('pb-prev').addEventListener('click', () => onStep(-1));
    $('pb-next').addEventListener('click', () => onStep(1));
    $('pb-step').addEventListener('input', () => onSeek(Number($('pb-step').value)));
    $('pb-speed').addEventListener('change', onSpeed);
  }

  /** Steps per second of the playback, as picked. */
  get speed() {
    return Number($('pb-speed').value) || 6;
  }

  /** Sets the play/pause button to an icon and a word. */
  setPlayButton(mode) {
    const svg = svgEl('svg', { viewBox: '0 0 16 16', class: 'icon', 'aria-hidden': 'true' });
    svgEl('path', { d: ICONS[mode] }, svg);
    $('pb-play').replaceChildren(svg, document.createTextNode({ play: 'Play', pause: 'Pause', replay: 'Replay' }[mode]));
  }

  /** Readies the controls for an episode of `frames` frames (0: none, controls off). */
  loadPlayback(frames) {
    $('pb-step').max = String(Math.max(0, frames - 1));
    for (const id of PLAYBACK_CONTROLS) $(id).disabled = frames === 0;
    $('frame-caption-note').textContent = '';
  }

  /** No episode: controls off, the level's start on the map. */
  clearPlayback() {
    for (const id of PLAYBACK_CONTROLS) $(id).disabled = true;
    this.setPlayButton('play');
    $('step-readout').textContent = 'Start';
    if (this.map) this.drawInitial();
    this.renderFrameTable(null);
  }

  drawInitial() {
    if (this.isGrid) {
      this.map.draw(this.initial);
      this.map.drawTrail([]);
    }
    else this.map.drawText(this.initial);
  }

  /** Shows the step on show of `pb` (a state.Playback); `cursor` marks it on the chart too. */
  showFrame(pb, { cursor }) {
    const { index, last } = pb;
    const frame = pb.frames[index];
    if (Array.isArray(frame.rows)) {
      if (this.isGrid) {
        this.map.draw(gridFromRows(frame.rows, pb.legend));
        this.map.drawTrail(pb.path.slice(0, index + 1));
      } else this.map.drawText(frame.rows);
    }
    $('pb-step').value = String(index);
    const action = frame.action ? this.actionName(frame.action) : null;
    $('step-readout').textContent = index === 0 ? `Start · step 0 of ${last}` : `Step ${index} of ${last} · ${action ?? ''}`;
    $('pb-step').setAttribute('aria-valuetext', `step ${index} of ${last}`);
    this.renderFrameTable(frame, pb.sums[index], pb.names);
    if (cursor) this.chart.setCursor(index);
  }

  /** An action key in words: the level's own names where it gives them. */
  actionName(key) {
    const named = this.level.actions.find((a) => a.key === key);
    if (named) return named.name;
    return this.isGrid ? ACTIONS[key] ?? key : key;
  }

  renderFrameTable(frame, sums, names) {
    const body = $('frame-rows');
    body.replaceChildren();
    const signals = this.level?.signals ?? [];
    const visibility = new Map(signals.map((s) => [s.name, s.visibility]));
    const rowNames = names ?? signals.map((s) => s.name);
    const cell = (tr, tag, content, className) => el(tag, { className, scope: tag === 'th' ? 'row' : null }, tr, content);
    rowNames.forEach((name, i) => {
      const hidden = visibility.get(name) === 'hidden';
      const tr = el('tr', { className: hidden ? 'hidden-signal' : 'observed-signal' }, body);
      cell(tr, 'th', name);
      cell(tr, 'td', hidden ? 'hidden: intent only' : 'observed: reward', hidden ? 'vis hidden' : 'vis observed');
      cell(tr, 'td', frame ? formatNumber(Number(frame.signals?.[i]) || 0) : '–', 'num');
      cell(tr, 'td', sums ? formatNumber(sums.signals[i]) : '–', 'num');
    });
    const total = (label, key, className) => {
      const tr = el('tr', { className: `total ${className}` }, body);
      cell(tr, 'th', label);
      cell(tr, 'td', key === 'reward' ? 'your formula' : "the owner's formula", 'vis');
      cell(tr, 'td', frame ? formatNumber(Number(frame[key]) || 0) : '–', 'num');
      cell(tr, 'td', sums ? formatNumber(sums[key]) : '–', 'num');
    };
    total('reward', 'reward', 'series-return');
    total('intent', 'intent', 'series-performance');
  }

  // ------------------------------------------------------------ sharing

  setShareBusy(busy) {
    if (busy) $('share').setAttribute('aria-busy', 'true');
    else $('share').removeAttribute('aria-busy');
  }

  showShareLink(url) {
    const link = $('share-link');
    link.href = url;
    link.textContent = url;
    $('copy-status').textContent = '';
    $('share-box').hidden = false;
  }

  showShareError(message) {
    showNotice($('share-error'), message);
  }

  get shareLink() {
    return $('share-link').href;
  }

  /** After a copy: `copied`, or the link selected for the person to copy. */
  showCopied(copied) {
    if (copied) {
      $('copy-status').textContent = 'Copied.';
      return;
    }
    const range = document.createRange();
    range.selectNodeContents($('share-link'));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    $('copy-status').textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
}
