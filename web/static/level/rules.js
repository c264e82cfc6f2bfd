// The level page's reasoning, as pure functions of what the server sent:
// which page an address names, which optimizer and power to start with,
// what a run's numbers say, where a signal's name goes in a reward. No DOM
// and no requests here; the rules of a run themselves (validation, budget,
// scoring, the solve share) are the server's, and the page only reads them.

import { formatNumber } from '../format.js';

/** What the address names: `{levelId}` for /play/ID, `{designId}` for /s/ID. */
export function route(pathname) {
  let m = pathname.match(/^\/play\/([^/]+)\/?$/);
  if (m) return { levelId: decodeURIComponent(m[1]) };
  m = pathname.match(/^\/s\/([^/]+)\/?$/);
  if (m) return { designId: decodeURIComponent(m[1]) };
  return {};
}

/** The agent to start with: a shared design's, else the level's own (the server marks it). */
export function initialAgent(agents, design) {
  const wanted = design ? agents.find((a) => a.name === design.agent && a.available) : null;
  return wanted ?? agents.find((a) => a.default) ?? null;
}

/** The power to start `agent` at: `value` when given, else its default, within its range. */
export function initialPower(agent, value = null) {
  const v = value !== null && Number.isFinite(Number(value)) ? Number(value) : agent.default_power;
  return clamp(Math.round(v), agent.min_power, agent.max_power);
}

const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

/** What `n` of an agent's power means, in words. */
export function powerPhrase(agentName, meaning, n) {
  const num = formatNumber(n, { grouped: true });
  if (agentName === 'value-iteration') return `planning horizon: ${num} step${n === 1 ? '' : 's'}`;
  if (agentName === 'q-learning') return `${num} training episode${n === 1 ? '' : 's'}`;
  if (agentName === 'mcts') return `${num} simulation${n === 1 ? '' : 's'} per move`;
  return `${meaning || 'power'}: ${num}`;
}

/** A seed as typed into its box: a whole number, 0 if it is not one. */
export const seedOf = (typed) => Math.max(0, Math.floor(Number(typed) || 0));

/**
 * The text to put in place of the selection when a signal's chip is
 * clicked, keeping tokens apart: `3*` + name needs nothing, `step` + name
 * needs an operator before it, and a name before `step` one after it.
 */
export function insertion(before, after, name) {
  let text = name;
  if (/[A-Za-z0-9_)]\s*$/.test(before)) text = ` + ${text}`;
  if (/^\s*[A-Za-z0-9_(]/.test(after)) text = `${text} + `;
  return text;
}

/**
 * The reward text split around the error's underline: `[before, marked,
 * after]`, or null when there is nothing to underline. An empty range
 * (e.g. "expected a number here") marks the next character, or a space at
 * the very end or before a line break.
 */
export function underline(value, range) {
  if (!range) return null;
  const a = range[0];
  let b = range[1];
  let marked = value.slice(a, b);
  if (a === b) {
    if (b < value.length && value[b] !== '\n') marked = value.slice(a, ++b);
    else marked = ' ';
  }
  return [value.slice(0, a), marked, value.slice(b)];
}

/** Running totals of the frames, so any step can show "so far" at once. */
export function runningTotals(frames, names) {
  const sums = [];
  let signals = names.map(() => 0);
  let reward = 0;
  let intent = 0;
  for (const f of frames) {
    signals = signals.map((v, i) => v + (Number(f.signals?.[i]) || 0));
    reward += Number(f.reward) || 0;
    intent += Number(f.intent) || 0;
    sums.push({ signals, reward, intent });
  }
  return sums;
}

/**
 * The design's verdict as the engine judged it (the result's `verdict`: the
 * strongest optimizer of the reward over every kind of episode the level
 * draws), read for the page: the outcome a prediction is checked against,
 * the mean intent score against the best, and that best's share only where
 * a share means something (0 to 100 %: never a share of a negative score or
 * of a best the run has beaten).
 */
export function judged(result) {
  const v = result.verdict ?? {};
  const best = Number(v.best_performance ?? result.best_performance);
  const mean = Number(v.mean_performance ?? result.performance);
  const exact = (v.best ?? 'exact') === 'exact';
  const beaten = !exact && mean > best + 1e-9;
  const share = Math.abs(best) > 1e-9 && mean >= 0 && mean <= best + 1e-9 ? mean / best : null;
  const cases = Array.isArray(v.cases) ? v.cases : [];
  // Per kind of episode only where the kinds differ in what the owner got.
  const differs = cases.length > 1 && cases.some((c) => Math.abs(c.performance - cases[0].performance) > 1e-9);
  return {
    outcome: v.outcome ?? 'other',
    solved: Boolean(v.solved ?? result.solved),
    stars: Number(v.stars ?? result.stars) || 0,
    mean,
    best,
    exact,
    beaten,
    share,
    cases: differs ? cases : [],
  };
}

/** A per-episode draw in words: "interrupt = 1" for `{interrupt: 1}`, "" for none. */
export const drawWords = (params) =>
  Object.entries(params ?? {})
    .map(([k, v]) => `${k} = ${formatNumber(v)}`)
    .join(', ');

/**
 * The cells the agent stands on, frame by frame: `[row, column]` of the
 * character the legend calls `agent`, or null in a frame without one.
 */
export function agentPath(frames, legend) {
  const mark = Object.keys(legend ?? {}).find((ch) => legend[ch] === 'agent');
  return frames.map((f) => {
    if (!mark || !Array.isArray(f.rows)) return null;
    for (let r = 0; r < f.rows.length; r++) {
      const c = Array.from(f.rows[r]).indexOf(mark);
      if (c >= 0) return [r, c];
    }
    return null;
  });
}

/**
 * How the training chart shows a finished run, given how many points it
 * drew while training: `learned` (the learning curve, as the result has
 * it), `episode` (an agent that plans has no learning curve, so the server
 * sends the played episode's running totals; they start from 0), `none`
 * (nothing to draw), or null (keep what was drawn).
 */
export function curveOf(result, learnedPoints) {
  const curve = result.curve.filter((p) => p && Number.isFinite(p.x));
  if (curve.length && learnedPoints > 0) return { mode: 'learned', points: curve };
  if (curve.length) {
    return { mode: 'episode', points: curve[0].x > 0 ? [{ x: 0, return: 0, performance: 0 }, ...curve] : curve };
  }
  return learnedPoints > 0 ? null : { mode: 'none', points: [] };
}

/** The level after `id` in the list, or null after the last. */
export function nextLevel(levels, id) {
  const i = levels.findIndex((l) => l.id === id);
  return i >= 0 ? levels[i + 1] ?? null : null;
}
