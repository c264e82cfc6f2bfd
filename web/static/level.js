// The level page: read the owner's wish, write a reward, pick an optimizer,
// predict, train, and watch the learned episode beside the intent score.
//
// Served for /play/<level-id> and for /s/<design-id> (a saved design, which
// is loaded and run straight away). Nothing from the user or the server is
// ever put into the page as HTML: text goes in through textContent.

import {
  ApiError,
  byteSpanToIndices,
  checkReward,
  followRun,
  formatNumber,
  getDesign,
  getLevel,
  getLevels,
  saveDesign,
  startRun,
} from './api.js';
import { LineChart } from './chart.js';
import { mountGoodhart } from './goodhart.js';
import { MapView, gridFromRows, isGridLevel, legendKinds, renderLegend } from './map.js';
import { levelProgress, recordRun, starText } from './progress.js';

const $ = (id) => document.getElementById(id);

const HIDDEN_WHY = "hidden: records what really happened; the reward's sensors cannot see it";

const AGENT_INFO = {
  'value-iteration': { name: 'Value iteration', blurb: 'plans exactly, over every state the world can be in' },
  'q-learning': { name: 'Q-learning', blurb: 'learns by trial and error over many episodes' },
  mcts: { name: 'Tree search (MCTS)', blurb: 'looks ahead by simulating possible futures' },
};

const PREDICTIONS = [
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

/** Sets the play/pause button to an icon and a word. */
function setPlayButton(mode) {
  const b = $('pb-play');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', ICONS[mode]);
  svg.appendChild(path);
  b.replaceChildren(svg, document.createTextNode({ play: 'Play', pause: 'Pause', replay: 'Replay' }[mode]));
}

const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

const state = {
  level: null,
  agents: [],
  fromDesign: false,
  running: false,
  stopStream: null,
  retryTimer: null,
  checkSeq: 0,
  checkTimer: null,
  episodeCurve: false,
  errorRange: null,
  chart: null,
  map: null,
  initialGrid: null,
  initialText: null,
  isGrid: true,
  playback: null,
};

function text(tag, className, content) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (content !== undefined) n.textContent = content;
  return n;
}

function showNotice(el, message) {
  el.textContent = message ?? '';
  el.hidden = !message;
}

// ---------------------------------------------------------------- routing

function route() {
  const path = location.pathname;
  let m = path.match(/^\/play\/([^/]+)\/?$/);
  if (m) return { levelId: decodeURIComponent(m[1]) };
  m = path.match(/^\/s\/([^/]+)\/?$/);
  if (m) return { designId: decodeURIComponent(m[1]) };
  return {};
}

async function main() {
  const { levelId, designId } = route();
  const page = $('main');
  try {
    let design = null;
    let id = levelId;
    if (designId) {
      design = await getDesign(designId);
      id = design.level;
    }
    if (!id) throw new ApiError(404, 'This address names no level.');
    const level = await getLevel(id);
    setUpLevel(level, design);
    page.setAttribute('aria-busy', 'false');
    if (design) train();
  } catch (err) {
    page.setAttribute('aria-busy', 'false');
    const what = designId ? 'shared design' : 'level';
    $('level-title').textContent = err.status === 404 ? `No such ${what}` : `The ${what} could not be loaded`;
    showNotice($('page-error'), `${err.message} Pick a level from the list of levels instead.`);
    $('level-grid').hidden = true;
  }
}

// ---------------------------------------------------------------- set-up

function setUpLevel(level, design) {
  state.level = level;
  state.agents = Array.isArray(level.agents) ? level.agents : [];
  state.fromDesign = Boolean(design);
  document.title = `${level.title} · Loophole`;
  $('level-title').textContent = level.title;
  $('story').textContent = level.story;
  if (design) {
    const note = $('shared-note');
    note.textContent =
      'A shared design, opened from a link. Runs are deterministic, so this is exactly the episode its author saw.';
    note.hidden = false;
  }

  renderSignals(level);

  state.map = new MapView($('level-map'), { label: `Map of ${level.title}` });
  state.isGrid = isGridLevel(level);
  if (state.isGrid) {
    state.initialGrid = gridFromRows(level.map, level.legend);
    renderLegend($('legend'), legendKinds(state.initialGrid));
  } else {
    // A world that is not a grid shows its state as lines of text.
    state.initialText = Array.isArray(level.map) && level.map.length ? level.map : ['Press Train to watch this world play out.'];
    $('legend').hidden = true;
  }
  drawInitial();
  renderFrameTable(null);

  setUpEditor(design ? design.reward : level.default_reward);
  setUpAgents(design);
  if (design && Number.isFinite(Number(design.seed))) $('seed').value = String(design.seed);
  setUpPrediction();
  setUpPlayback();
  setPlayButton('play');

  state.chart = new LineChart($('chart'), {
    xLabel: 'training episodes',
    yLabel: 'score per episode',
    title: 'Learning curve: return and intent score as training goes on',
    series: [
      { key: 'return', label: 'return', className: 'series-return' },
      { key: 'performance', label: 'intent score', className: 'series-performance' },
    ],
  });
  state.chart.emptyText = 'The learning curve appears here while the agent trains';
  state.chart.render();

  mountGoodhart({
    button: $('sweep'),
    svg: $('sweep-chart'),
    note: $('sweep-note'),
    error: $('sweep-error'),
    inputs: () => ({ level: state.level.id, reward: editor().value, agent: selectedAgent()?.name }),
  });

  $('train').addEventListener('click', () => train());
  $('share').addEventListener('click', share);
  $('copy-link').addEventListener('click', copyLink);
}

function drawInitial() {
  if (state.isGrid) state.map.draw(state.initialGrid);
  else state.map.drawText(state.initialText);
}

/** An action key in words: the level's own names where it gives them. */
function actionName(key) {
  const named = Array.isArray(state.level.actions) ? state.level.actions.find((a) => a && a.key === key) : null;
  if (named && named.name) return named.name;
  return state.isGrid ? ACTIONS[key] ?? key : key;
}

function renderSignals(level) {
  const observed = $('observed-signals');
  const hidden = $('hidden-signals');
  observed.replaceChildren();
  hidden.replaceChildren();
  for (const s of level.signals ?? []) {
    const li = document.createElement('li');
    if (s.visibility === 'observed') {
      const b = text('button', 'chip');
      b.type = 'button';
      b.dataset.signal = s.name;
      b.title = `Insert ${s.name} into your reward`;
      b.appendChild(text('code', 'chip-name', s.name));
      b.appendChild(text('span', 'chip-desc', s.description));
      b.addEventListener('click', () => insertSignal(s.name));
      li.appendChild(b);
    } else {
      const d = text('div', 'chip chip-hidden');
      d.title = HIDDEN_WHY;
      d.dataset.signal = s.name;
      d.appendChild(text('code', 'chip-name', s.name));
      d.appendChild(text('span', 'chip-desc', s.description));
      d.appendChild(text('span', 'chip-tag', HIDDEN_WHY));
      li.appendChild(d);
    }
    (s.visibility === 'observed' ? observed : hidden).appendChild(li);
  }
  const noHidden = hidden.children.length === 0;
  $('hidden-title').hidden = noHidden;
  hidden.hidden = noHidden;
  hidden.previousElementSibling.hidden = noHidden;
}

// ---------------------------------------------------------------- the reward editor

function editor() {
  return $('reward');
}

function setUpEditor(initial) {
  const ta = editor();
  ta.value = initial ?? '';
  ta.addEventListener('input', () => {
    autoGrow();
    // The old underline no longer matches the text: drop it until the check answers.
    state.errorRange = null;
    renderBackdrop();
    scheduleCheck();
  });
  ta.addEventListener('scroll', () => {
    $('editor-backdrop').scrollTop = ta.scrollTop;
  });
  window.addEventListener('resize', autoGrow);
  $('reset-reward').addEventListener('click', () => setReward(state.level.default_reward));

  const best = levelProgress(state.level.id).reward;
  if (best !== null && best !== initial) {
    $('restore').hidden = false;
    $('restore-button').addEventListener('click', () => setReward(best));
  }
  autoGrow();
  renderBackdrop();
  runCheck();
}

function setReward(value) {
  const ta = editor();
  ta.value = value;
  ta.dispatchEvent(new Event('input', { bubbles: true }));
  ta.focus();
}

function insertSignal(name) {
  const ta = editor();
  const start = ta.selectionStart ?? ta.value.length;
  const end = ta.selectionEnd ?? start;
  const before = ta.value.slice(0, start);
  const after = ta.value.slice(end);
  // Keep tokens apart: `3*` + name needs nothing, `step` + name needs an operator.
  let insert = name;
  if (/[A-Za-z0-9_)]\s*$/.test(before)) insert = ` + ${insert}`;
  if (/^\s*[A-Za-z0-9_(]/.test(after)) insert = `${insert} + `;
  ta.focus();
  ta.setRangeText(insert, start, end, 'end');
  ta.dispatchEvent(new Event('input', { bubbles: true }));
}

function autoGrow() {
  const ta = editor();
  ta.style.height = 'auto';
  ta.style.height = `${ta.scrollHeight + 2}px`;
}

/** The mirrored text behind the textarea: before, <mark>span</mark>, after. */
function renderBackdrop() {
  const backdrop = $('editor-backdrop');
  const value = editor().value;
  backdrop.replaceChildren();
  let [a, b] = state.errorRange ?? [value.length, value.length];
  const mark = document.createElement('mark');
  let marked = value.slice(a, b);
  if (state.errorRange && a === b) {
    // An empty span (e.g. "expected a number here"): underline the next
    // character, or a space at the very end.
    if (b < value.length && value[b] !== '\n') marked = value.slice(a, ++b);
    else marked = ' ';
  }
  mark.textContent = marked;
  mark.hidden = !state.errorRange;
  // A trailing newline needs something after it to take up its line, as it does in the textarea.
  const after = value.slice(b) + (value.endsWith('\n') ? ' ' : '');
  backdrop.append(document.createTextNode(value.slice(0, a)), mark, document.createTextNode(after));
  backdrop.scrollTop = editor().scrollTop;
}

function scheduleCheck() {
  clearTimeout(state.checkTimer);
  state.checkTimer = setTimeout(runCheck, 250);
}

async function runCheck() {
  const seq = ++state.checkSeq;
  const reward = editor().value;
  try {
    const res = await checkReward(state.level.id, reward);
    if (seq !== state.checkSeq) return;
    showRewardError(null);
    const used = Array.isArray(res && res.signals) ? res.signals : [];
    $('reward-status').textContent = used.length
      ? `✓ A valid reward. It reads ${used.join(', ')}.`
      : '✓ A valid reward. It reads no signal, so every behaviour earns the same.';
    $('reward-status').className = 'reward-status ok';
  } catch (err) {
    if (seq !== state.checkSeq) return;
    if (err.status >= 400 && err.status < 500) {
      showRewardError(err, reward);
      $('reward-status').textContent = '';
    } else {
      showRewardError(null);
      $('reward-status').textContent = `Could not check the reward: ${err.message}`;
      $('reward-status').className = 'reward-status';
    }
  }
}

/** Shows an API error in the reward's error line, underlining its span. */
function showRewardError(err, reward = editor().value) {
  const box = $('reward-error');
  if (!err) {
    box.textContent = '';
    state.errorRange = null;
    editor().removeAttribute('aria-invalid');
  } else {
    box.textContent = err.message;
    editor().setAttribute('aria-invalid', 'true');
    state.errorRange = err.span && reward === editor().value ? byteSpanToIndices(reward, err.span) : null;
  }
  renderBackdrop();
}

// ---------------------------------------------------------------- the optimizer

function defaultAgent(agents) {
  const ok = agents.filter((a) => a.available !== false);
  return (
    ok.find((a) => a.default === true) ??
    ok.find((a) => a.name === 'value-iteration') ??
    ok.find((a) => a.name === 'mcts') ??
    ok[0] ??
    null
  );
}

function selectedAgent() {
  const checked = document.querySelector('input[name="agent"]:checked');
  return state.agents.find((a) => a.name === (checked && checked.value)) ?? null;
}

function setUpAgents(design) {
  const box = $('agent-options');
  box.replaceChildren();
  const wanted = design ? state.agents.find((a) => a.name === design.agent && a.available !== false) : null;
  const initial = wanted ?? defaultAgent(state.agents);
  for (const a of state.agents) {
    const info = AGENT_INFO[a.name] ?? { name: a.name, blurb: a.power_meaning };
    const id = `agent-${a.name}`;
    const row = text('div', `agent-option${a.available === false ? ' unavailable' : ''}`);
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'agent';
    input.id = id;
    input.value = a.name;
    input.dataset.testid = `agent-${a.name}`;
    input.disabled = a.available === false;
    input.checked = initial !== null && a.name === initial.name;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.appendChild(text('span', 'agent-name', info.name));
    label.appendChild(text('span', 'agent-blurb', info.blurb));
    if (a.available === false) {
      const why = a.why || 'This optimizer cannot run on this level.';
      label.appendChild(text('span', 'agent-why', `Not available here: ${why}`));
      row.title = why;
    }
    row.append(input, label);
    input.addEventListener('change', () => configurePower(a));
    box.appendChild(row);
  }
  if (!state.agents.length) box.appendChild(text('p', 'hint', 'The server offers no optimizer for this level.'));
  const power = $('power');
  const exact = $('power-exact');
  power.addEventListener('input', () => {
    exact.value = power.value;
    describePower();
  });
  exact.addEventListener('input', () => {
    const n = Number(exact.value);
    if (Number.isFinite(n) && n >= Number(power.min) && n <= Number(power.max)) {
      power.value = String(Math.round(n));
      describePower();
    }
  });
  exact.addEventListener('change', () => {
    const n = Math.round(Number(exact.value));
    const clamped = Math.min(Number(power.max), Math.max(Number(power.min), Number.isFinite(n) ? n : Number(power.value)));
    exact.value = String(clamped);
    power.value = String(clamped);
    describePower();
  });
  if (initial) configurePower(initial, design && design.agent === initial.name ? design.power : null);
  else {
    power.disabled = true;
    exact.disabled = true;
  }
}

function configurePower(agent, value = null) {
  const power = $('power');
  const exact = $('power-exact');
  const min = Number.isFinite(agent.min_power) ? agent.min_power : 1;
  const max = Number.isFinite(agent.max_power) ? agent.max_power : Math.max(min, agent.default_power ?? min);
  const v = Number.isFinite(Number(value)) && value !== null ? Number(value) : agent.default_power ?? max;
  for (const el of [power, exact]) {
    el.min = String(min);
    el.max = String(max);
    el.disabled = false;
  }
  power.value = String(Math.min(max, Math.max(min, v)));
  exact.value = power.value;
  describePower();
}

function powerPhrase(agentName, meaning, n) {
  const num = n.toLocaleString('en');
  if (agentName === 'value-iteration') return `planning horizon: ${num} step${n === 1 ? '' : 's'}`;
  if (agentName === 'q-learning') return `${num} training episode${n === 1 ? '' : 's'}`;
  if (agentName === 'mcts') return `${num} simulation${n === 1 ? '' : 's'} per move`;
  return `${meaning || 'power'}: ${num}`;
}

function describePower() {
  const agent = selectedAgent();
  if (!agent) return;
  const n = Number($('power').value);
  $('power-meaning').textContent = `${powerPhrase(agent.name, agent.power_meaning, n)}. More power means a stronger optimizer (${agent.power_meaning}, ${agent.min_power}–${agent.max_power}).`;
  $('power').setAttribute('aria-valuetext', powerPhrase(agent.name, agent.power_meaning, n));
}

// ---------------------------------------------------------------- prediction

function setUpPrediction() {
  const box = $('prediction-options');
  box.replaceChildren();
  for (const p of PREDICTIONS) {
    const id = `predict-${p.value}`;
    const row = text('div', 'prediction-option');
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'prediction';
    input.id = id;
    input.value = p.value;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = p.label;
    row.append(input, label);
    box.appendChild(row);
  }
}

function currentPrediction() {
  const checked = document.querySelector('input[name="prediction"]:checked');
  return checked ? PREDICTIONS.find((p) => p.value === checked.value) : null;
}

// ---------------------------------------------------------------- training

function setRunning(running) {
  state.running = running;
  const b = $('train');
  b.setAttribute('aria-disabled', String(running));
  b.classList.toggle('busy', running);
  b.textContent = running ? 'Training…' : 'Train';
}

function setProgress(done, total) {
  const frac = total > 0 ? Math.max(0, Math.min(1, done / total)) : 0;
  $('progress-fill').style.width = `${(frac * 100).toFixed(1)}%`;
  $('progress-bar').setAttribute('aria-valuenow', String(Math.round(frac * 100)));
}

function clearResult() {
  $('result-placeholder').hidden = false;
  $('result-placeholder').textContent = 'Training… the result appears here when the agent has learned.';
  $('result-body').hidden = true;
  showNotice($('run-error'), null);
}

async function train() {
  if (state.running || !state.level) return;
  const agent = selectedAgent();
  const body = {
    level: state.level.id,
    reward: editor().value,
    seed: Math.max(0, Math.floor(Number($('seed').value) || 0)),
  };
  if (agent) {
    body.agent = agent.name;
    body.power = Number($('power').value);
  }
  const prediction = currentPrediction();
  clearTimeout(state.retryTimer);
  stopPlayback();
  setRunning(true);
  clearResult();
  setProgress(0, 1);
  const curveAgent = agent ? agent.name : '';
  state.chart.xLabel = curveAgent === 'q-learning' ? 'training episode' : 'training progress';
  state.chart.yLabel = 'score per episode';
  state.chart.cursor = null;
  state.episodeCurve = false;
  state.chart.emptyText = 'The learning curve appears here while the agent trains';
  state.chart.setPoints([]);
  $('chart-note').textContent = '';
  $('run-state').textContent = 'Starting…';

  let run;
  try {
    run = await startRun(body);
  } catch (err) {
    if (err.status === 429) {
      const wait = Math.max(1, Math.min(30, err.retryAfter ?? 2));
      $('run-state').textContent = `The server is busy with other runs; trying again in ${wait} s…`;
      setRunning(false);
      state.retryTimer = setTimeout(() => train(), wait * 1000);
      return;
    }
    setRunning(false);
    $('run-state').textContent = 'Could not start';
    if (err.span) showRewardError(err, body.reward);
    showNotice($('run-error'), err.message);
    $('result-placeholder').textContent = 'No result: the run could not start.';
    return;
  }

  const started = performance.now();
  state.stopStream = followRun(run.events, {
    onProgress(p) {
      const done = Number(p.done) || 0;
      const total = Number(p.total) || 0;
      setProgress(done, total);
      $('run-state').textContent = total ? `Training… ${Math.round((100 * done) / total)}%` : 'Training…';
      if (p.point && Number.isFinite(p.point.x)) state.chart.addPoint(p.point);
    },
    onResult(result) {
      state.stopStream = null;
      setRunning(false);
      setProgress(1, 1);
      const ms = Number.isFinite(result.elapsed_ms) ? result.elapsed_ms : Math.round(performance.now() - started);
      $('run-state').textContent = `Done in ${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`}`;
      showCurve(result);
      showResult(result, body, prediction);
      startPlayback(result);
    },
    onError(message) {
      state.stopStream = null;
      setRunning(false);
      $('run-state').textContent = 'Failed';
      showNotice($('run-error'), message);
      $('result-placeholder').textContent = 'No result: the run failed.';
    },
  });
}

function showCurve(result) {
  const curve = Array.isArray(result.curve) ? result.curve.filter((p) => p && Number.isFinite(p.x)) : [];
  const learned = state.chart.points.length > 0;
  if (curve.length && learned) {
    state.chart.setPoints(curve);
    $('chart-note').textContent =
      'Each point is the mean over training episodes around it: the return climbs because the agent is paid for it; the intent score goes wherever that takes it.';
  } else if (curve.length) {
    // An agent that plans instead of practising has no learning curve; the
    // server sends the played episode's running totals instead.
    state.episodeCurve = true;
    state.chart.xLabel = 'step of the episode';
    state.chart.yLabel = 'total so far';
    state.chart.setPoints(curve[0].x > 0 ? [{ x: 0, return: 0, performance: 0 }, ...curve] : curve);
    $('chart-note').textContent =
      'This optimizer plans rather than practises, so there is no learning curve. The chart follows the episode it chose instead: its return and intent score adding up, step by step.';
  } else if (!learned) {
    state.chart.emptyText = 'No learning curve: this optimizer plans instead of learning by trial';
    state.chart.render();
    $('chart-note').textContent =
      'This optimizer does not learn from practice episodes: it works out its plan directly, so there is no learning curve to draw.';
  }
}

function showResult(result, body, prediction) {
  const level = state.level;
  $('result-placeholder').hidden = true;
  $('result-body').hidden = false;
  $('result-return').textContent = formatNumber(result.return);
  $('result-performance').textContent = formatNumber(result.performance);

  // Two different shares: this run's intent score against the best
  // achievable, and the one "solved" is judged on, the strongest optimizer
  // of this reward averaged over episodes (it does not depend on the
  // optimizer or power picked here).
  const best = Number(result.best_performance ?? level.best_performance);
  const runShare = Math.abs(best) > 1e-9 ? Number(result.performance) / best : null;
  const pct = (x) => `${Math.round(x * 100)}%`;
  const needed = pct(level.solve_share ?? 0.9);
  const judged = ` Solving is judged on the strongest optimizer of this reward, which reaches ${pct(Number(result.share) || 0)} of that score (${needed} needed).`;
  const verdict = $('verdict');
  verdict.replaceChildren();
  verdict.className = `verdict ${result.solved ? 'solved' : 'unsolved'}`;
  if (result.solved) {
    const stars = text('span', 'stars', starText(result.stars));
    stars.setAttribute('aria-label', `${result.stars | 0} of 3 stars`);
    verdict.append(text('strong', null, 'Solved '), stars);
    verdict.append(text('span', 'verdict-note', ` The best achievable intent score is ${formatNumber(best)}.${judged}`));
  } else {
    verdict.append(
      text('strong', null, 'Not solved: '),
      text(
        'span',
        null,
        runShare === null
          ? `the best achievable intent score is ${formatNumber(best)}, and this agent scored ${formatNumber(result.performance)}.`
          : `the agent reached ${pct(runShare)} of the best achievable intent score ${formatNumber(best)}.`,
      ),
      text('span', 'verdict-note', judged),
    );
  }

  const account = $('account');
  account.replaceChildren(...(result.account ?? []).map((s) => text('li', null, s)));
  const agentName = (AGENT_INFO[result.agent] ?? { name: result.agent }).name;
  $('episode-facts').textContent =
    `${agentName}, ${powerPhrase(result.agent, '', Number(result.power))}, seed ${result.seed}; ` +
    `${result.steps} steps, ${result.truncated ? 'stopped by the step limit' : 'the episode ended by itself'}.`;

  // What this agent did, judged on this run alone.
  const intended = runShare === null ? Number(result.performance) >= 0 : runShare >= (level.solve_share ?? 0.9);
  const outcome = intended ? PREDICTIONS[0] : Number(result.return) > 0 ? PREDICTIONS[1] : PREDICTIONS[2];
  const reveal = $('prediction-reveal');
  reveal.replaceChildren();
  if (prediction) {
    const right = prediction.value === outcome.value;
    reveal.className = `prediction-reveal ${right ? 'right' : 'wrong'}`;
    reveal.append(
      text('strong', null, right ? '✓ You called it. ' : '✗ Not what you expected. '),
      text('span', null, `You predicted: “${prediction.label}”. The agent ${outcome.outcome}.`),
    );
  } else {
    reveal.className = 'prediction-reveal';
    reveal.textContent = `The agent ${outcome.outcome}. Next time, make a prediction before you train.`;
  }

  showNextLevel(level.id);

  if (result.level === level.id) {
    recordRun(level.id, { stars: result.stars | 0, solved: result.solved === true, reward: body.reward });
  }
}

/** Links to the level after this one in the list. */
async function showNextLevel(id) {
  const link = $('next-level');
  try {
    const levels = await getLevels();
    const i = levels.findIndex((l) => l.id === id);
    const next = i >= 0 ? levels[i + 1] : null;
    if (next) {
      link.href = `/play/${encodeURIComponent(next.id)}`;
      link.textContent = `Next level: ${next.title} →`;
    } else {
      link.href = '/play';
      link.textContent = 'All levels →';
    }
    link.hidden = false;
  } catch {
    link.hidden = true;
  }
}

// ---------------------------------------------------------------- playback

function setUpPlayback() {
  $('pb-play').addEventListener('click', () => {
    const pb = state.playback;
    if (!pb) return;
    if (pb.timer) pausePlayback();
    else {
      if (pb.index >= pb.frames.length - 1) showFrame(0);
      playPlayback();
    }
  });
  $('pb-prev').addEventListener('click', () => {
    pausePlayback();
    if (state.playback) showFrame(state.playback.index - 1);
  });
  $('pb-next').addEventListener('click', () => {
    pausePlayback();
    if (state.playback) showFrame(state.playback.index + 1);
  });
  $('pb-step').addEventListener('input', () => {
    pausePlayback();
    showFrame(Number($('pb-step').value));
  });
  $('pb-speed').addEventListener('change', () => {
    if (state.playback && state.playback.timer) {
      pausePlayback();
      playPlayback();
    }
  });
}

function startPlayback(result) {
  const frames = Array.isArray(result.frames) ? result.frames : [];
  const names = Array.isArray(result.signal_names) ? result.signal_names : [];
  // Running totals, so any frame can show "so far" at once.
  const sums = [];
  let acc = names.map(() => 0);
  let ret = 0;
  let intent = 0;
  for (const f of frames) {
    acc = acc.map((v, i) => v + (Number(f.signals?.[i]) || 0));
    ret += Number(f.reward) || 0;
    intent += Number(f.intent) || 0;
    sums.push({ signals: acc, reward: ret, intent });
  }
  state.playback = { frames, names, sums, index: 0, timer: null };
  const slider = $('pb-step');
  slider.max = String(Math.max(0, frames.length - 1));
  for (const id of ['pb-prev', 'pb-play', 'pb-next', 'pb-step', 'pb-speed']) $(id).disabled = frames.length === 0;
  $('frame-caption-note').textContent = '';
  if (!frames.length) return;
  showFrame(0);
  if (!reducedMotion()) playPlayback();
}

function showFrame(i) {
  const pb = state.playback;
  if (!pb || !pb.frames.length) return;
  const index = Math.max(0, Math.min(pb.frames.length - 1, i));
  pb.index = index;
  const frame = pb.frames[index];
  if (Array.isArray(frame.rows)) {
    if (state.isGrid) state.map.draw(gridFromRows(frame.rows));
    else state.map.drawText(frame.rows);
  }
  $('pb-step').value = String(index);
  const last = pb.frames.length - 1;
  const action = frame.action ? actionName(frame.action) : null;
  $('step-readout').textContent = index === 0 ? `Start · step 0 of ${last}` : `Step ${index} of ${last} · ${action ?? ''}`;
  $('pb-step').setAttribute('aria-valuetext', `step ${index} of ${last}`);
  renderFrameTable(frame, pb.sums[index], pb.names);
  if (state.episodeCurve) state.chart.setCursor(index);
  if (index >= last && pb.timer) pausePlayback();
}

function playPlayback() {
  const pb = state.playback;
  if (!pb || pb.timer) return;
  const perSecond = Number($('pb-speed').value) || 6;
  pb.timer = setInterval(() => {
    if (pb.index >= pb.frames.length - 1) pausePlayback();
    else showFrame(pb.index + 1);
  }, 1000 / perSecond);
  setPlayButton('pause');
}

function pausePlayback() {
  const pb = state.playback;
  if (pb && pb.timer) {
    clearInterval(pb.timer);
    pb.timer = null;
  }
  const atEnd = pb && pb.index >= pb.frames.length - 1;
  setPlayButton(atEnd ? 'replay' : 'play');
}

function stopPlayback() {
  pausePlayback();
  state.playback = null;
  for (const id of ['pb-prev', 'pb-play', 'pb-next', 'pb-step', 'pb-speed']) $(id).disabled = true;
  setPlayButton('play');
  $('step-readout').textContent = 'Start';
  if (state.map) drawInitial();
  renderFrameTable(null);
}

function renderFrameTable(frame, sums, names) {
  const body = $('frame-rows');
  body.replaceChildren();
  const level = state.level;
  const visibility = new Map((level?.signals ?? []).map((s) => [s.name, s.visibility]));
  const rowNames = names ?? (level?.signals ?? []).map((s) => s.name);
  const cell = (tag, content, className) => {
    const c = text(tag, className, content);
    if (tag === 'th') c.scope = 'row';
    return c;
  };
  rowNames.forEach((name, i) => {
    const hidden = visibility.get(name) === 'hidden';
    const tr = text('tr', hidden ? 'hidden-signal' : 'observed-signal');
    tr.appendChild(cell('th', name));
    tr.appendChild(cell('td', hidden ? 'hidden: intent only' : 'observed: reward', hidden ? 'vis hidden' : 'vis observed'));
    tr.appendChild(cell('td', frame ? formatNumber(Number(frame.signals?.[i]) || 0) : '–', 'num'));
    tr.appendChild(cell('td', sums ? formatNumber(sums.signals[i]) : '–', 'num'));
    body.appendChild(tr);
  });
  const total = (label, key, className) => {
    const tr = text('tr', `total ${className}`);
    tr.appendChild(cell('th', label));
    tr.appendChild(cell('td', key === 'reward' ? 'your formula' : "the owner's formula", 'vis'));
    tr.appendChild(cell('td', frame ? formatNumber(Number(frame[key]) || 0) : '–', 'num'));
    tr.appendChild(cell('td', sums ? formatNumber(sums[key]) : '–', 'num'));
    body.appendChild(tr);
  };
  total('reward', 'reward', 'series-return');
  total('intent', 'intent', 'series-performance');
}

// ---------------------------------------------------------------- sharing

async function share() {
  const agent = selectedAgent();
  const design = {
    level: state.level.id,
    reward: editor().value,
    agent: agent ? agent.name : undefined,
    power: agent ? Number($('power').value) : undefined,
    seed: Math.max(0, Math.floor(Number($('seed').value) || 0)),
  };
  showNotice($('share-error'), null);
  const button = $('share');
  button.setAttribute('aria-busy', 'true');
  try {
    const saved = await saveDesign(design);
    const url = new URL(saved.url, location.origin).href;
    const link = $('share-link');
    link.href = url;
    link.textContent = url;
    $('copy-status').textContent = '';
    $('share-box').hidden = false;
  } catch (err) {
    if (err.span) showRewardError(err, design.reward);
    showNotice($('share-error'), `Could not save: ${err.message}`);
  } finally {
    button.removeAttribute('aria-busy');
  }
}

async function copyLink() {
  const url = $('share-link').href;
  try {
    await navigator.clipboard.writeText(url);
    $('copy-status').textContent = 'Copied.';
  } catch {
    // No clipboard permission: select the link so the person can copy it.
    const range = document.createRange();
    range.selectNodeContents($('share-link'));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    $('copy-status').textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
}

main();
