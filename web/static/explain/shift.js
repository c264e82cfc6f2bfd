// Distributional shift: a policy trained in one room, played unchanged in
// two rooms where the lava has moved, beside a robot that plans on each room
// (POST /api/explain/shift; `loophole explain shift` prints the same).

import { el } from '../dom.js';
import { formatNumber, formatPercent } from '../format.js';
import { freshId } from '../widgets/ui.js';
import { explainLoader, labRoot, numbers, outcomeWords, roomFigure, statusLine, trainingControls, verdict } from './gridlab.js';
import { predictFirst } from './common.js';

const ROOM_NAMES = ['Training room', 'Test room 1', 'Test room 2'];

export function mount(box) {
  const root = labRoot(box, 'demo-shift',
    'A robot is trained in the first room until it crosses it safely. Its policy is then frozen and sent, unchanged, into two rooms where the lava lies elsewhere. '
    + 'The solid blue line is the trained robot; the dashed green line is a robot that plans on the room it is actually in.');
  let last = null;
  const { stage, rejudge } = predictFirst(root, {
    question: 'In test room 1 the lava now covers the row the trained robot used to walk along. It will…',
    testid: 'shift',
    choices: [
      { value: 'around', label: 'walk around the lava' },
      { value: 'into', label: 'walk straight into it' },
    ],
    judge: (picked) => (last ? verdict(picked, last.rooms[1].trained.lava ? 'into' : 'around') : null),
  });
  const controls = trainingControls(stage, 'shift');
  const replanId = freshId('shift-replan');
  const replanRow = el('div', { className: 'rb-field rb-check' }, controls.box);
  const replan = el('input', { id: replanId, type: 'checkbox', checked: true, 'data-testid': 'shift-replan' }, replanRow);
  el('label', { for: replanId }, replanRow, 'Also show a robot that replans on each room');
  const status = statusLine(stage, 'shift-status', 'Training…');
  const grid = el('div', { className: 'rb-rooms' }, stage);
  const rooms = ROOM_NAMES.map((name, i) => {
    const { map, cap } = roomFigure(grid, { label: `${name}: the paths walked`, testid: `shift-map-${i}`, attrs: { 'data-testid': `shift-room-${i}` } });
    el('strong', {}, cap, name);
    const nums = numbers(cap, [
      [`shift-${i}-outcome`, 'Trained robot'],
      [`shift-${i}-return`, 'Its return'],
      [`shift-${i}-lava-rate`, 'Lava deaths over seeds'],
      [`shift-${i}-replanned`, 'Replanning robot'],
    ]);
    return { map, nums };
  });
  const summary = el('p', { className: 'demo-summary', 'data-testid': 'shift-summary' }, stage);

  const drawAll = () => {
    if (!last) return;
    last.rooms.forEach((room, i) => {
      const paths = [{ cells: room.trained.path, className: 'rb-trained', outcome: room.trained.outcome, shift: -3 }];
      if (replan.checked) paths.push({ cells: room.replanned.path, className: 'rb-replanned', outcome: room.replanned.outcome, shift: 3 });
      rooms[i].map.draw(room.trained.rows, last.legend, paths);
    });
  };

  const load = explainLoader('shift', {
    root,
    status,
    errorTestid: 'shift-error',
    busy: 'Training…',
    body: () => controls.read(),
    show: (r) => {
      last = r;
      r.rooms.forEach((room, i) => {
        const n = rooms[i].nums;
        n[`shift-${i}-outcome`].textContent = outcomeWords(room.trained.outcome);
        n[`shift-${i}-return`].textContent = formatNumber(room.trained.return);
        n[`shift-${i}-lava-rate`].textContent = `${formatPercent(room.trained_lava_rate)} of ${r.training.seeds}`;
        n[`shift-${i}-replanned`].textContent = `${outcomeWords(room.replanned.outcome)} (${formatNumber(room.replanned.return)})`;
      });
      drawAll();
      const [, t1, t2] = r.rooms;
      summary.textContent =
        `Over ${r.training.seeds} training seeds the frozen policy died in test room 1 ${formatPercent(t1.trained_lava_rate)} of the time and in test room 2 ${formatPercent(t2.trained_lava_rate)}; `
        + `the robot that replans on each room died ${formatPercent(Math.max(...r.rooms.map((x) => x.replanned_lava_rate)))} of the time. `
        + 'The policy learned a route, not “keep away from lava”: it never looks at where the lava is, so it survives only where the lava happens to have moved off its route.';
      status.textContent = `Trained by ${r.training.agent}, seed ${r.training.seed}.`;
      rejudge();
    },
  });
  controls.onChange(load);
  replan.addEventListener('change', drawAll);
  load();
}
