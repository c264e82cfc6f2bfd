// The level page: read the owner's wish, write a reward, pick an optimizer,
// predict, train, and watch the learned episode beside the intent score.
//
// Served for /play/<level-id> and for /s/<design-id> (a saved design, which
// is loaded and run straight away). This file wires the page together: the
// state it keeps (level/state.js), what it works out (level/rules.js), the
// view that alone touches the DOM (level/view.js) and the server (api.js).

import {
  ApiError,
  byteSpanToIndices,
  checkReward,
  followRun,
  getDesign,
  getLevel,
  getLevels,
  saveDesign,
  startRun,
} from './api.js';
import { mountGoodhart } from './goodhart.js';
import { isGridLevel } from './map.js';
import { levelProgress, recordRun } from './progress.js';
import { curveOf, initialAgent, initialPower, insertion, judged, nextLevel, route, seedOf } from './level/rules.js';
import { Playback, createState } from './level/state.js';
import { LevelView } from './level/view.js';

const state = createState();
const view = new LevelView();
let playTimer = null;

async function main() {
  const { levelId, designId } = route(location.pathname);
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
    view.setBusy(false);
    if (design) train();
  } catch (err) {
    view.setBusy(false);
    const what = designId ? 'shared design' : 'level';
    view.showLoadError(
      err.status === 404 ? `No such ${what}` : `The ${what} could not be loaded`,
      `${err.message} Pick a level from the list of levels instead.`,
    );
  }
}

function setUpLevel(level, design) {
  state.level = level;
  view.showLevel(level, { shared: Boolean(design), isGrid: isGridLevel(level) });
  view.renderSignals(level.signals, { onInsert: insertSignal });
  setUpEditor(design ? design.reward : level.default_reward);
  setUpAgents(design);
  if (design && Number.isFinite(Number(design.seed))) view.seed = design.seed;
  view.renderPredictions();
  view.bindPlayback({ onToggle: togglePlayback, onStep: stepBy, onSeek: seek, onSpeed: changeSpeed });
  mountGoodhart({
    ...view.sweepParts,
    inputs: () => ({ level: state.level.id, reward: view.reward, agent: selectedAgent()?.name }),
  });
  view.bindActions({ onTrain: () => train(), onShare: share, onCopy: copyLink });
}

// ---------------------------------------------------------------- the reward

function setUpEditor(initial) {
  view.setReward(initial, { asInput: false });
  const best = levelProgress(state.level.id).reward;
  view.bindEditor({
    onInput: () => {
      view.autoGrow();
      // The old underline no longer matches the text: drop it until the check answers.
      state.errorRange = null;
      view.renderBackdrop(null);
      scheduleCheck();
    },
    onReset: () => view.setReward(state.level.default_reward),
    onRestore: () => view.setReward(best),
    canRestore: best !== null && best !== initial,
  });
  view.autoGrow();
  view.renderBackdrop(null);
  runCheck();
}

function insertSignal(name) {
  const sel = view.selection();
  view.replaceSelection(sel, insertion(sel.before, sel.after, name));
}

let checkTimer = null;
function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, 250);
}

async function runCheck() {
  const seq = ++state.checkSeq;
  const reward = view.reward;
  try {
    const res = await checkReward(state.level.id, reward);
    if (seq !== state.checkSeq) return;
    showRewardError(null);
    view.showRewardStatus(
      res.signals.length
        ? `✓ A valid reward. It reads ${res.signals.join(', ')}.`
        : '✓ A valid reward. It reads no signal, so every behaviour earns the same.',
      { ok: true },
    );
  } catch (err) {
    if (seq !== state.checkSeq) return;
    if (err.status >= 400 && err.status < 500) {
      showRewardError(err, reward);
      view.showRewardStatus('');
    } else {
      showRewardError(null);
      view.showRewardStatus(`Could not check the reward: ${err.message}`);
    }
  }
}

/** Shows an API error in the reward's error line, underlining its span (in `reward`, if still shown). */
function showRewardError(err, reward = view.reward) {
  view.showRewardError(err ? err.message : null);
  state.errorRange = err && err.span && reward === view.reward ? byteSpanToIndices(reward, err.span) : null;
  view.renderBackdrop(state.errorRange);
}

// ---------------------------------------------------------------- the optimizer

function selectedAgent() {
  const name = view.selectedAgentName();
  return state.level.agents.find((a) => a.name === name) ?? null;
}

function setUpAgents(design) {
  const initial = initialAgent(state.level.agents, design);
  view.renderAgents(state.level.agents, initial, { onChoose: (a) => configurePower(a) });
  view.bindPower({ onPower: describePower });
  configurePower(initial, design && initial && design.agent === initial.name ? design.power : null);
}

function configurePower(agent, value = null) {
  view.setPowerRange(agent, agent ? initialPower(agent, value) : null);
  describePower();
}

function describePower() {
  const agent = selectedAgent();
  if (agent) view.describePower(agent, view.power);
}

// ---------------------------------------------------------------- training

function setRunning(running) {
  state.running = running;
  view.setRunning(running);
}

async function train() {
  if (state.running || !state.level) return;
  const agent = selectedAgent();
  const body = { level: state.level.id, reward: view.reward, seed: seedOf(view.seed) };
  if (agent) {
    body.agent = agent.name;
    body.power = view.power;
  }
  const prediction = view.currentPrediction();
  stopPlayback();
  setRunning(true);
  state.episodeCurve = false;
  view.startRun(agent ? agent.name : '');

  let run;
  try {
    // A busy server is waited for inside startRun (api.js); what comes out is final.
    run = await startRun(body);
  } catch (err) {
    setRunning(false);
    if (err.span) showRewardError(err, body.reward);
    view.showRunFailure('Could not start', err.message, 'No result: the run could not start.');
    return;
  }

  const started = performance.now();
  state.stopStream = followRun(run.events, {
    onProgress(p) {
      const done = Number(p.done) || 0;
      const total = Number(p.total) || 0;
      view.setProgress(done, total);
      view.setRunState(total ? `Training… ${Math.round((100 * done) / total)}%` : 'Training…');
      if (p.point && Number.isFinite(p.point.x)) view.addCurvePoint(p.point);
    },
    onResult(result) {
      state.stopStream = null;
      setRunning(false);
      view.setProgress(1, 1);
      const ms = Number.isFinite(result.elapsed_ms) ? result.elapsed_ms : Math.round(performance.now() - started);
      view.setRunState(`Done in ${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`}`);
      const curve = curveOf(result, view.curvePoints);
      state.episodeCurve = curve?.mode === 'episode';
      view.showCurve(curve);
      showResult(result, body, prediction);
      startPlayback(result);
      view.revealMap();
    },
    onError(message) {
      state.stopStream = null;
      setRunning(false);
      view.showRunFailure('Failed', message, 'No result: the run failed.');
    },
  });
}

function showResult(result, body, prediction) {
  const level = state.level;
  view.showResult(result, { solveShare: level.solve_share, judged: judged(result), prediction });
  // The level's next step, unless its reward is the one just trained.
  const next = level.next && level.next.reward !== body.reward.trim() ? level.next : null;
  view.showNextStep(next, { onUse: (reward) => view.setReward(reward) });
  showNextLevel(level.id);
  if (result.level === level.id) {
    recordRun(level.id, { stars: result.stars, solved: result.solved, reward: body.reward });
  }
}

async function showNextLevel(id) {
  try {
    view.showNextLevel(nextLevel(await getLevels(), id));
  } catch {
    view.showNextLevel(false);
  }
}

// ---------------------------------------------------------------- playback

function startPlayback(result) {
  const pb = new Playback(result.frames, result.signal_names, result.frame_legend);
  state.playback = pb;
  view.loadPlayback(pb.frames.length);
  if (!pb.frames.length) return;
  showFrame(0);
  if (!view.reducedMotion) playPlayback();
}

function showFrame(i) {
  const pb = state.playback;
  if (!pb || !pb.frames.length) return;
  pb.seek(i);
  view.showFrame(pb, { cursor: state.episodeCurve });
  if (pb.atEnd && playTimer) pausePlayback();
}

function togglePlayback() {
  const pb = state.playback;
  if (!pb) return;
  if (playTimer) pausePlayback();
  else {
    if (pb.atEnd) showFrame(0);
    playPlayback();
  }
}

function stepBy(delta) {
  pausePlayback();
  if (state.playback) showFrame(state.playback.index + delta);
}

function seek(i) {
  pausePlayback();
  showFrame(i);
}

function changeSpeed() {
  if (playTimer) {
    pausePlayback();
    playPlayback();
  }
}

function playPlayback() {
  const pb = state.playback;
  if (!pb || playTimer) return;
  playTimer = setInterval(() => {
    if (pb.atEnd) pausePlayback();
    else showFrame(pb.index + 1);
  }, 1000 / view.speed);
  view.setPlayButton('pause');
}

function pausePlayback() {
  clearInterval(playTimer);
  playTimer = null;
  const pb = state.playback;
  view.setPlayButton(pb && pb.atEnd ? 'replay' : 'play');
}

function stopPlayback() {
  pausePlayback();
  state.playback = null;
  view.clearPlayback();
}

// ---------------------------------------------------------------- sharing

async function share() {
  const agent = selectedAgent();
  const design = {
    level: state.level.id,
    reward: view.reward,
    agent: agent ? agent.name : undefined,
    power: agent ? view.power : undefined,
    seed: seedOf(view.seed),
  };
  view.showShareError(null);
  view.setShareBusy(true);
  try {
    const saved = await saveDesign(design);
    view.showShareLink(new URL(saved.url, location.origin).href);
  } catch (err) {
    if (err.span) showRewardError(err, design.reward);
    view.showShareError(`Could not save: ${err.message}`);
  } finally {
    view.setShareBusy(false);
  }
}

async function copyLink() {
  try {
    await navigator.clipboard.writeText(view.shareLink);
    view.showCopied(true);
  } catch {
    // No clipboard permission: the view selects the link so the person can copy it.
    view.showCopied(false);
  }
}

main();
