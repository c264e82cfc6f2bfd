// Goal misgeneralization: trained with the goal always in the top-right
// corner, the robot is tested in a room whose goal is elsewhere
// (POST /api/explain/misgeneralization; `loophole explain misgeneralization`
// prints the same).

import { el } from '../dom.js';
import { formatNumber, formatPercent } from '../format.js';
import { gridFromRows } from '../map.js';
import {
  cellWords,
  choice,
  explainLoader,
  labRoot,
  numbers,
  once,
  outcomeWords,
  roomFigure,
  statusLine,
  trainingControls,
  verdict,
} from './gridlab.js';
import { predictFirst } from './common.js';

/** Whether the trained robot's test path passes the old goal's corner. */
const visitedOldGoal = (r) => r.test.path.some(([a, b]) => a === r.old_goal[0] && b === r.old_goal[1]);

export function mount(box) {
  const root = labRoot(box, 'demo-misgen',
    'In every training room the goal stood in the top-right corner. The robot is a table of moves by position: '
    + 'all it observes is where it stands, so in training “go to the goal” and “go to the top-right corner” were the same thing. '
    + 'At test the goal is elsewhere and the corner is empty.');
  let last = null;
  const { stage, rejudge } = predictFirst(root, {
    testid: 'misgen',
    question: 'In the test room the goal is in the bottom-left corner. The trained robot will…',
    choices: [
      { value: 'goal', label: 'go to the goal' },
      { value: 'corner', label: 'go to the empty top-right corner' },
      { value: 'lost', label: 'wander without getting anywhere' },
    ],
    judge: (picked) => {
      if (!last) return null;
      return verdict(picked, last.test.goal ? 'goal' : visitedOldGoal(last) ? 'corner' : 'lost');
    },
  });
  const controls = trainingControls(stage, 'misgen');
  const starts = choice(controls.box, {
    label: 'Training starts',
    testid: 'misgen-starts',
    value: 'many',
    options: [
      ['many', 'anywhere in the room'],
      ['one', 'always the bottom-left corner'],
    ],
  });
  const goalSelect = choice(controls.box, { label: 'Goal in the test room', testid: 'misgen-goal', value: '5,1', options: [['5,1', 'row 5, column 1']] });
  const status = statusLine(stage, 'misgen-status', 'Training…');
  const pair = el('div', { className: 'rb-pair' }, stage);
  const trainMap = roomFigure(pair, {
    label: 'Training room: the trained robot’s path',
    testid: 'misgen-train-map',
    caption: 'Training room: the goal in the corner.',
  }).map;
  const testMap = roomFigure(pair, {
    label: 'Test room: the trained robot’s path and the replanning robot’s',
    testid: 'misgen-test-map',
    caption: 'Test room: blue, the trained robot; dashed green, a robot that plans on this room. Tap a floor tile to move the goal.',
  }).map;
  const nums = numbers(stage, [
    ['misgen-outcome', 'Trained robot at test (this seed)'],
    ['misgen-return', 'Its return'],
    ['misgen-old-rate', 'Seeds reaching the empty old corner'],
    ['misgen-goal-rate', 'Seeds reaching the real goal'],
    ['misgen-train-rate', 'Seeds reaching the goal in training'],
    ['misgen-replanned', 'Replanning robot'],
  ]);
  const summary = el('p', { className: 'demo-summary', 'data-testid': 'misgen-summary' }, stage);

  const buildGoalOptions = once((r) => {
    goalSelect.replaceChildren();
    gridFromRows(r.test.rows, r.legend).forEach((row, ri) => {
      row.forEach((kind, ci) => {
        const isOld = ri === r.old_goal[0] && ci === r.old_goal[1];
        if ((kind === 'floor' || kind === 'goal') && !isOld) {
          el('option', { value: `${ri},${ci}`, selected: ri === r.goal[0] && ci === r.goal[1] }, goalSelect, cellWords([ri, ci]));
        }
      });
    });
  });

  const load = explainLoader('misgeneralization', {
    root,
    status,
    errorTestid: 'misgen-error',
    busy: 'Training…',
    body: () => {
      const [gr, gc] = goalSelect.value.split(',').map(Number);
      return { ...controls.read(), starts: starts.value, goal: [gr, gc] };
    },
    show: (r) => {
      last = r;
      buildGoalOptions(r);
      trainMap.draw(r.train.rows, r.legend, [{ cells: r.train.path, className: 'rb-trained', outcome: r.train.outcome }]);
      testMap.draw(r.test.rows, r.legend, [
        { cells: r.test.path, className: 'rb-trained', outcome: r.test.outcome, shift: -3 },
        { cells: r.replanned.path, className: 'rb-replanned', outcome: r.replanned.outcome, shift: 3 },
      ], [{ cell: r.old_goal, className: 'rb-old-goal' }]);
      nums['misgen-outcome'].textContent = visitedOldGoal(r) && !r.test.goal ? 'went to the empty corner' : outcomeWords(r.test.outcome);
      nums['misgen-return'].textContent = formatNumber(r.test.return);
      nums['misgen-old-rate'].textContent = `${formatPercent(r.old_goal_rate)} of ${r.training.seeds}`;
      nums['misgen-goal-rate'].textContent = `${formatPercent(r.goal_rate)} of ${r.training.seeds}`;
      nums['misgen-train-rate'].textContent = `${formatPercent(r.train_goal_rate)} of ${r.training.seeds}`;
      nums['misgen-replanned'].textContent = `${outcomeWords(r.replanned.outcome)} (${formatNumber(r.replanned.return)})`;
      summary.textContent =
        `Its skill generalized: in training it reached the goal in ${formatPercent(r.train_goal_rate)} of seeds, and at test it walked straight to a corner it had never stood on. `
        + `Its goal did not: it reached the real goal in ${formatPercent(r.goal_rate)} of seeds. Nothing in its training told the two goals apart; `
        + 'the robot that plans with the goal in view walks to it. (Put the goal on the way to the corner and the trained robot will reach it by accident.)';
      status.textContent = `Trained by ${r.training.agent}, seed ${r.training.seed}, starts ${r.starts} (${r.start_cells} cell${r.start_cells === 1 ? '' : 's'}), goal at ${cellWords(r.goal)}.`;
      rejudge();
    },
  });
  controls.onChange(load);
  starts.addEventListener('change', load);
  goalSelect.addEventListener('change', load);
  testMap.pickInto(goalSelect, load);
  load();
}
