// The level page's rules and state (web/static/level/rules.js, state.js), without a browser.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  agentPath,
  curveOf,
  drawWords,
  initialAgent,
  initialPower,
  insertion,
  judged,
  nextLevel,
  powerPhrase,
  route,
  runningTotals,
  seedOf,
  underline,
} from '../../web/static/level/rules.js';
import { Playback } from '../../web/static/level/state.js';

const AGENTS = [
  { name: 'value-iteration', available: false, default: false, default_power: 100, min_power: 1, max_power: 100 },
  { name: 'q-learning', available: true, default: true, default_power: 3000, min_power: 1, max_power: 100000 },
  { name: 'mcts', available: true, default: false, default_power: 400, min_power: 1, max_power: 5000 },
];

describe('addresses', () => {
  test('a level, a shared design, or nothing', () => {
    assert.deepEqual(route('/play/boat-race'), { levelId: 'boat-race' });
    assert.deepEqual(route('/play/boat%20race/'), { levelId: 'boat race' });
    assert.deepEqual(route('/s/abc123'), { designId: 'abc123' });
    assert.deepEqual(route('/play'), {});
    assert.deepEqual(route('/play/a/b'), {});
  });
});

describe('the optimizer to start with', () => {
  test("the level's own agent, as the server marks it", () => {
    assert.equal(initialAgent(AGENTS, null).name, 'q-learning');
  });

  test("a shared design's agent, unless it cannot run here", () => {
    assert.equal(initialAgent(AGENTS, { agent: 'mcts' }).name, 'mcts');
    assert.equal(initialAgent(AGENTS, { agent: 'value-iteration' }).name, 'q-learning');
  });

  test('power: the given value or the default, within the range', () => {
    assert.equal(initialPower(AGENTS[1]), 3000);
    assert.equal(initialPower(AGENTS[1], 250.4), 250);
    assert.equal(initialPower(AGENTS[2], 1e9), 5000);
    assert.equal(initialPower(AGENTS[2], 0), 1);
    assert.equal(initialPower(AGENTS[2], 'many'), 400);
  });

  test('power in words', () => {
    assert.equal(powerPhrase('value-iteration', '', 1), 'planning horizon: 1 step');
    assert.equal(powerPhrase('q-learning', '', 3000), '3,000 training episodes');
    assert.equal(powerPhrase('mcts', '', 400), '400 simulations per move');
    assert.equal(powerPhrase('other', 'depth', 7), 'depth: 7');
  });

  test('a seed is a whole number, 0 for anything else', () => {
    assert.deepEqual(['7', '3.9', '-2', 'x', ''].map(seedOf), [7, 3, 0, 0, 0]);
  });
});

describe('the reward editor', () => {
  test("a signal's name is kept apart from the tokens around it", () => {
    assert.equal(insertion('3*', '', 'arrow'), 'arrow');
    assert.equal(insertion('step', '', 'arrow'), ' + arrow');
    assert.equal(insertion('', 'step', 'arrow'), 'arrow + ');
    assert.equal(insertion('(step) ', ' (goal)', 'arrow'), ' + arrow + ');
  });

  test('the underline: the span, the next character for an empty one, a space at the end', () => {
    assert.equal(underline('3*arow', null), null);
    assert.deepEqual(underline('3*arow - step', [2, 6]), ['3*', 'arow', ' - step']);
    assert.deepEqual(underline('3* - step', [2, 2]), ['3*', ' ', '- step']);
    assert.deepEqual(underline('3*x', [3, 3]), ['3*x', ' ', '']);
    assert.deepEqual(underline('3*\nx', [2, 2]), ['3*', ' ', '\nx']);
  });
});

describe('a run', () => {
  const result = (over) => ({ return: 10, performance: 9, best_performance: 10, curve: [], ...over });

  const verdict = (over) => ({
    verdict: { mean_performance: 9, best_performance: 10, best: 'exact', solved: true, stars: 2, outcome: 'intent', cases: [], ...over },
  });

  test('the verdict is the engine\'s, its share only where a share means something', () => {
    const v = judged(verdict());
    assert.equal(v.outcome, 'intent');
    assert.equal(v.share, 0.9);
    assert.equal(v.beaten, false);
    assert.equal(judged(verdict({ mean_performance: -209, outcome: 'loophole' })).share, null);
    assert.equal(judged(verdict({ best_performance: 0, mean_performance: 0 })).share, null);
    // A best found by search that the design beats: no share over 100 %.
    const beat = judged(verdict({ best: 'found', best_performance: 53.25, mean_performance: 93 }));
    assert.deepEqual([beat.share, beat.beaten, beat.exact], [null, true, false]);
  });

  test('kinds of episode are listed only where they differ in intent', () => {
    const same = [{ params: { x: 1 }, performance: 3 }, { params: { x: 0 }, performance: 3 }];
    assert.deepEqual(judged(verdict({ cases: same })).cases, []);
    const differ = [{ params: { interrupt: 1 }, performance: 0 }, { params: { interrupt: 0 }, performance: 38 }];
    assert.equal(judged(verdict({ cases: differ })).cases.length, 2);
    assert.equal(drawWords({ interrupt: 1, seen: 0.5 }), 'interrupt = 1, seen = 0.5');
  });

  test('the agent\'s cell in each frame', () => {
    const frames = [{ rows: ['#A#', '# #'] }, { rows: ['# #', '#A#'] }, { rows: null }];
    assert.deepEqual(agentPath(frames, { A: 'agent', '#': 'wall', ' ': 'floor' }), [[0, 1], [1, 1], null]);
    assert.deepEqual(agentPath(frames, { '#': 'wall' }), [null, null, null]);
  });

  test('the chart: the learning curve, the episode from 0, nothing, or what was drawn', () => {
    const curve = [{ x: 1, return: 1, performance: 1 }, { x: 2, return: 2, performance: 1 }];
    assert.deepEqual(curveOf(result({ curve }), 5), { mode: 'learned', points: curve });
    assert.deepEqual(curveOf(result({ curve }), 0).points[0], { x: 0, return: 0, performance: 0 });
    assert.equal(curveOf(result({ curve }), 0).mode, 'episode');
    assert.deepEqual(curveOf(result(), 0), { mode: 'none', points: [] });
    assert.equal(curveOf(result(), 5), null);
  });

  test('running totals of its frames', () => {
    const frames = [
      { signals: [0, 0], reward: 0, intent: 0 },
      { signals: [1, 0], reward: -1, intent: 2 },
      { signals: [1, 3], reward: 5, intent: 0 },
    ];
    const sums = runningTotals(frames, ['a', 'b']);
    assert.deepEqual(sums[2], { signals: [2, 3], reward: 4, intent: 2 });
    assert.deepEqual(sums[1].signals, [1, 0], 'earlier totals are not changed by later frames');
  });

  test('the next level, none after the last', () => {
    const levels = [{ id: 'a' }, { id: 'b' }];
    assert.equal(nextLevel(levels, 'a').id, 'b');
    assert.equal(nextLevel(levels, 'b'), null);
    assert.equal(nextLevel(levels, 'zzz'), null);
  });
});

describe('playback', () => {
  test('moves within the episode and knows its end', () => {
    const frames = [0, 1, 2].map(() => ({ signals: [], reward: 0, intent: 0 }));
    const pb = new Playback(frames, [], {});
    assert.equal(pb.last, 2);
    assert.equal(pb.atEnd, false);
    pb.seek(9);
    assert.equal(pb.index, 2);
    assert.equal(pb.atEnd, true);
    assert.equal(pb.seek(-1), frames[0]);
    assert.equal(pb.index, 0);
  });
});
