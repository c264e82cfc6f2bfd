// Goal misgeneralization: trained with the goal always in the top-right
// corner, the robot is tested in a room whose goal is elsewhere
// (POST /api/explain/misgeneralization; `loophole explain misgeneralization`
// prints the same).

import { explain } from '/static/api.js';
import { el } from '/static/widgets/ui.js';
import { alertLine, fmtNum, messageOf } from './common.js';
import { PathMap, choice, numbers, outcomeWords, pct, predictFirst, trainingControls } from './shift.js';

export function mount(box) {
  const root = el('div', { className: 'demo-misgen' }, box);
  el('p', { className: 'demo-assume' }, root,
    'In every training room the goal stood in the top-right corner. The robot is a table of moves by position: '
    + 'all it observes is where it stands, so in training “go to the goal” and “go to the top-right corner” were the same thing. '
    + 'At test the goal is elsewhere and the corner is empty.');
  const { guess, stage } = predictFirst(root, {
    testid: 'misgen',
    question: 'In the test room the goal is in the bottom-left corner. The trained robot will…',
    choices: [
      { value: 'goal', label: 'go to the goal' },
      { value: 'corner', label: 'go to the empty top-right corner' },
      { value: 'lost', label: 'wander without getting anywhere' },
    ],
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
  const status = el('p', { className: 'demo-status', 'aria-live': 'polite', 'data-testid': 'misgen-status' }, stage, 'Training…');
  const err = alertLine(root, 'misgen-error');
  const pair = el('div', { className: 'rb-pair' }, stage);
  const trainFig = el('figure', { className: 'rb-room' }, pair);
  const trainMap = new PathMap(trainFig, { label: 'Training room: the trained robot’s path', testid: 'misgen-train-map' });
  el('figcaption', {}, trainFig, 'Training room: the goal in the corner.');
  const testFig = el('figure', { className: 'rb-room' }, pair);
  const testMap = new PathMap(testFig, { label: 'Test room: the trained robot’s path and the replanning robot’s', testid: 'misgen-test-map' });
  el('figcaption', {}, testFig, 'Test room: blue, the trained robot; dashed green, a robot that plans on this room. Tap a floor tile to move the goal.');
  const nums = numbers(stage, [
    ['misgen-outcome', 'Trained robot at test (this seed)'],
    ['misgen-return', 'Its return'],
    ['misgen-old-rate', 'Seeds reaching the empty old corner'],
    ['misgen-goal-rate', 'Seeds reaching the real goal'],
    ['misgen-train-rate', 'Seeds reaching the goal in training'],
    ['misgen-replanned', 'Replanning robot'],
  ]);
  const summary = el('p', { className: 'demo-summary', 'data-testid': 'misgen-summary' }, stage);
  let last = null;
  let optionsBuilt = false;

  const buildGoalOptions = (r) => {
    if (optionsBuilt) return;
    optionsBuilt = true;
    goalSelect.replaceChildren();
    r.test.rows.forEach((row, ri) => {
      Array.from(row).forEach((ch, ci) => {
        const isOld = ri === r.old_goal[0] && ci === r.old_goal[1];
        if ((ch === ' ' || ch === 'G') && !isOld) {
          el('option', { value: `${ri},${ci}`, selected: ri === r.goal[0] && ci === r.goal[1] }, goalSelect, `row ${ri}, column ${ci}`);
        }
      });
    });
  };

  let serial = 0;
  const load = async () => {
    const mine = ++serial;
    err.hide();
    status.textContent = 'Training…';
    const [gr, gc] = goalSelect.value.split(',').map(Number);
    const body = { ...controls.read(), starts: starts.value, goal: [gr, gc] };
    try {
      const r = await explain('misgeneralization', body);
      if (mine !== serial) return;
      last = r;
      buildGoalOptions(r);
      trainMap.draw(r.train.rows, [{ cells: r.train.path, className: 'rb-trained', outcome: r.train.outcome }]);
      testMap.draw(r.test.rows, [
        { cells: r.test.path, className: 'rb-trained', outcome: r.test.outcome, shift: -3 },
        { cells: r.replanned.path, className: 'rb-replanned', outcome: r.replanned.outcome, shift: 3 },
      ], [{ cell: r.old_goal, className: 'rb-old-goal' }]);
      const reachedOld = r.test.path.some(([a, b]) => a === r.old_goal[0] && b === r.old_goal[1]);
      nums['misgen-outcome'].textContent = reachedOld && !r.test.goal ? 'went to the empty corner' : outcomeWords(r.test.outcome);
      nums['misgen-return'].textContent = fmtNum(r.test.return);
      nums['misgen-old-rate'].textContent = `${pct(r.old_goal_rate)} of ${r.training.seeds}`;
      nums['misgen-goal-rate'].textContent = `${pct(r.goal_rate)} of ${r.training.seeds}`;
      nums['misgen-train-rate'].textContent = `${pct(r.train_goal_rate)} of ${r.training.seeds}`;
      nums['misgen-replanned'].textContent = `${outcomeWords(r.replanned.outcome)} (${fmtNum(r.replanned.return)})`;
      summary.textContent =
        `Its skill generalized: in training it reached the goal in ${pct(r.train_goal_rate)} of seeds, and at test it walked straight to a corner it had never stood on. `
        + `Its goal did not: it reached the real goal in ${pct(r.goal_rate)} of seeds. Nothing in its training told the two goals apart; `
        + 'the robot that plans with the goal in view walks to it. (Put the goal on the way to the corner and the trained robot will reach it by accident.)';
      status.textContent = `Trained by ${r.training.agent}, seed ${r.training.seed}, starts ${r.starts} (${r.start_cells} cell${r.start_cells === 1 ? '' : 's'}), goal at row ${r.goal[0]}, column ${r.goal[1]}.`;
      judge();
    } catch (e) {
      if (mine !== serial) return;
      status.textContent = '';
      err.show(messageOf(e));
    }
  };
  const judge = () => {
    if (!guess.picked || !last) return;
    const old = last.test.path.some(([a, b]) => a === last.old_goal[0] && b === last.old_goal[1]);
    const truth = last.test.goal ? 'goal' : old ? 'corner' : 'lost';
    guess.judge(guess.picked === truth ? 'You predicted it.' : 'Not what you predicted.');
  };
  root.addEventListener('change', (ev) => {
    if (ev.target.type === 'radio') judge();
  });
  controls.onChange(load);
  starts.addEventListener('change', load);
  goalSelect.addEventListener('change', load);
  testMap.svg.addEventListener('click', (ev) => {
    const cell = testMap.cellAt(ev);
    if (!cell) return;
    const value = cell.join(',');
    if ([...goalSelect.options].some((o) => o.value === value)) {
      goalSelect.value = value;
      load();
    }
  });
  load();
}
