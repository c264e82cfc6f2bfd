// Brittle: one tile of lava, placed where an adversary would place it,
// breaks a trained policy; a robot that replans walks around it
// (POST /api/explain/brittle; `loophole explain brittle` prints the same).

import { el } from '../dom.js';
import { formatNumber } from '../format.js';
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

export function mount(box) {
  const root = labRoot(box, 'demo-brittle',
    'The robot was trained in this room until it crossed it safely, then frozen. An adversary may turn one floor tile into lava. '
    + 'The program tries every such tile against the frozen policy, and against a robot that plans on the altered room.');
  let last = null;
  const { stage, rejudge } = predictFirst(root, {
    testid: 'brittle',
    question: 'Of the 27 floor tiles that could be turned into lava, how many make the trained robot fail?',
    choices: [
      { value: 'none', label: 'none: it learned to avoid lava' },
      { value: 'few', label: 'one to three' },
      { value: 'quarter', label: 'about a quarter' },
      { value: 'most', label: 'more than half' },
    ],
    judge: (picked) => {
      if (!last) return null;
      const share = last.breaking / last.candidates;
      return verdict(picked, last.breaking === 0 ? 'none' : last.breaking <= 3 ? 'few' : share <= 0.5 ? 'quarter' : 'most');
    },
  });
  const controls = trainingControls(stage, 'brittle');
  const lavaSelect = choice(controls.box, { label: 'Your lava tile', testid: 'brittle-lava', value: '', options: [['', 'none (the room as trained)']] });
  const status = statusLine(stage, 'brittle-status', 'Training…');
  const pair = el('div', { className: 'rb-pair' }, stage);
  const { map } = roomFigure(pair, {
    label: 'The room, the trained robot’s path and the replanning robot’s',
    testid: 'brittle-map',
    caption: 'Blue: the trained robot. Dashed green: a robot that replans. Red squares: the tiles that break the trained robot. Tap a floor tile, or pick one from the list, to put the lava there.',
  });
  const side = el('div', {}, pair);
  const nums = numbers(side, [
    ['brittle-breaking', 'One-tile edits that break it'],
    ['brittle-replanner-failures', 'Edits that break the replanning robot'],
    ['brittle-worst', 'The adversary’s best tile'],
    ['brittle-outcome', 'Trained robot, on your room'],
    ['brittle-return', 'Its return'],
    ['brittle-replanned', 'Replanning robot, on your room'],
  ]);
  const summary = el('p', { className: 'demo-summary', 'data-testid': 'brittle-summary' }, stage);

  const buildOptions = once((r) => {
    for (const e of r.edits) el('option', { value: e.cell.join(',') }, lavaSelect, cellWords(e.cell));
  });

  const load = explainLoader('brittle', {
    root,
    status,
    errorTestid: 'brittle-error',
    busy: 'Training and trying every tile…',
    body: () => {
      const body = controls.read();
      if (lavaSelect.value) body.lava = lavaSelect.value.split(',').map(Number);
      return body;
    },
    show: (r) => {
      last = r;
      buildOptions(r);
      const shown = r.chosen ?? { trained: r.baseline, replanned: null };
      const paths = [{ cells: shown.trained.path, className: 'rb-trained', outcome: shown.trained.outcome, shift: -3 }];
      if (shown.replanned) paths.push({ cells: shown.replanned.path, className: 'rb-replanned', outcome: shown.replanned.outcome, shift: 3 });
      const marks = r.edits.filter((e) => e.trained.failed).map((e) => ({ cell: e.cell, className: 'rb-breaks' }));
      map.draw(shown.trained.rows, r.legend, paths, marks);
      nums['brittle-breaking'].textContent = `${r.breaking} of ${r.candidates}`;
      nums['brittle-replanner-failures'].textContent = `${r.replanner_failures} of ${r.candidates}`;
      nums['brittle-worst'].textContent = r.worst
        ? `${cellWords(r.worst.cell)}: ${outcomeWords(r.worst.trained.outcome)} after ${r.worst.trained.steps} steps (return ${formatNumber(r.worst.trained.return)})`
        : 'none breaks it';
      nums['brittle-outcome'].textContent = r.chosen ? outcomeWords(r.chosen.trained.outcome) : 'no lava placed yet';
      nums['brittle-return'].textContent = r.chosen ? formatNumber(r.chosen.trained.return) : '–';
      nums['brittle-replanned'].textContent = r.chosen ? `${outcomeWords(r.chosen.replanned.outcome)} (${formatNumber(r.chosen.replanned.return)})` : '–';
      summary.textContent =
        `${r.breaking} of the ${r.candidates} possible one-tile edits kill the trained robot: exactly the tiles of the route it learned, because it never looks where it is going. `
        + `The robot that replans on each altered room fails on ${r.replanner_failures}. A person would step around one new patch of lava without thinking; the learned policy has nothing that could notice it.`;
      status.textContent = `Trained by ${r.training.agent}, seed ${r.training.seed}.`;
      rejudge();
    },
  });
  controls.onChange(load);
  lavaSelect.addEventListener('change', load);
  map.pickInto(lavaSelect, load);
  load();
}
