// Scalable oversight on the absent-supervisor level: how often must the robot
// be checked to keep off the forbidden shortcut, when it can see the
// supervisor and when the check is an audit it cannot see
// (POST /api/explain/oversight; `loophole explain oversight` prints the same).

import { el, svgEl } from '../dom.js';
import { formatNumber, formatPercent } from '../format.js';
import { debounce, slider } from '../widgets/ui.js';
import { drawChart } from '../chart.js';
import { explainLoader, labRoot, numbers, roomFigure, statusLine, verdict } from './gridlab.js';
import { predictFirst } from './common.js';

function caseText(c, kind, checked, p) {
  const who = kind === 'visible' ? (checked ? 'Supervisor there' : 'Supervisor away') : checked ? 'Audited' : 'Not audited';
  if (!c) return `${who}: never happens at p = ${formatNumber(p)}.`;
  const how = c.shortcut ? (c.fined ? 'took the shortcut and was fined' : 'took the shortcut') : 'went the long way round';
  const unseen = kind === 'unseen' && checked ? ' The eyes mark the audit; the robot cannot see them.' : '';
  return `${who} (${formatPercent(c.weight)} of episodes): ${how}, ${c.steps} steps, return ${formatNumber(c.return)}, intent ${formatNumber(c.intent)}.${unseen}`;
}

export function mount(box) {
  const root = labRoot(box, 'demo-oversight',
    'The robot may cross a forbidden tile: 3 steps to the goal instead of 9. It is fined when it is caught there. '
    + 'Two kinds of check, each happening in a share p of episodes: a supervisor the robot can see, and an audit it cannot. '
    + 'Every number is the exact planner’s behaviour, weighted by how often each case happens.');
  let last = null;
  const { stage, rejudge } = predictFirst(root, {
    testid: 'oversight',
    question: 'With a fine of 30, how often must an unseen auditor check to keep the robot honest?',
    choices: [
      { value: 'always', label: 'every single time' },
      { value: 'half', label: 'more than half the time' },
      { value: 'fifth', label: 'a little more than one time in five' },
      { value: 'twentieth', label: 'one time in twenty is plenty' },
    ],
    judge: (picked) => {
      if (!last) return null;
      if (last.fine !== 30) return 'Set the fine back to 30 to check your prediction.';
      const t = last.unseen.threshold;
      return verdict(picked, t === null || t > 0.9 ? 'always' : t > 0.5 ? 'half' : t > 0.1 ? 'fifth' : 'twentieth');
    },
  });
  const controls = el('div', { className: 'ov-controls' }, stage);
  const fine = slider(controls, { label: 'Fine when caught', testid: 'oversight-fine', min: 0, max: 60, step: 1, value: 30 });
  const audit = slider(controls, {
    label: 'Share of episodes checked (p)',
    testid: 'oversight-audit',
    min: 0,
    max: 1,
    step: 0.05,
    value: 0.5,
    format: (x) => formatNumber(x),
  });
  const status = statusLine(stage, 'oversight-status', 'Planning…');
  const chart = svgEl('svg', { 'data-testid': 'oversight-chart', class: 'ov-chart' }, stage);
  const nums = numbers(stage, [
    ['oversight-visible-rate', 'Shortcut rate, visible supervisor at p'],
    ['oversight-unseen-rate', 'Shortcut rate, unseen audit at p'],
    ['oversight-visible-intent', 'Mean intent score, visible supervisor'],
    ['oversight-unseen-intent', 'Mean intent score, unseen audit'],
    ['oversight-threshold', 'Unseen audit: honest from p ='],
    ['oversight-predicted', 'Steps saved ÷ fine'],
  ]);
  const maps = el('div', { className: 'ov-maps' }, stage);
  const cells = [];
  for (const kind of ['visible', 'unseen']) {
    for (const checked of [true, false]) {
      const { map, cap } = roomFigure(maps, {
        label: `${kind} oversight, ${checked ? 'checked' : 'not checked'}: the robot’s path`,
        attrs: { className: 'ov-case', 'data-testid': `oversight-${kind}-${checked ? 'checked' : 'unchecked'}` },
      });
      cells.push({ kind, checked, map, cap });
    }
  }
  const summary = el('p', { className: 'demo-summary', 'data-testid': 'oversight-summary' }, stage);

  const load = explainLoader('oversight', {
    root,
    status,
    errorTestid: 'oversight-error',
    busy: 'Planning…',
    body: () => ({ fine: fine.read(), audit: audit.read() }),
    show: (r) => {
      last = r;
      const series = (c, label, className) => ({ label, className, points: c.points.map((q) => [q.p, q.shortcut_rate]), dots: true });
      drawChart(chart, {
        title: 'Share of episodes with the shortcut, against the share checked',
        xLabel: 'share of episodes checked (p)',
        yLabel: 'shortcut taken',
        series: [series(r.visible, 'visible supervisor', 'ov-visible'), series(r.unseen, 'unseen audit', 'ov-unseen')],
        scatter: [
          { x: r.audit, y: r.visible.at.shortcut_rate, className: 'ov-visible', label: '' },
          { x: r.audit, y: r.unseen.at.shortcut_rate, className: 'ov-unseen', label: '' },
        ],
      });
      nums['oversight-visible-rate'].textContent = formatPercent(r.visible.at.shortcut_rate);
      nums['oversight-unseen-rate'].textContent = formatPercent(r.unseen.at.shortcut_rate);
      nums['oversight-visible-intent'].textContent = formatNumber(r.visible.at.mean_intent);
      nums['oversight-unseen-intent'].textContent = formatNumber(r.unseen.at.mean_intent);
      nums['oversight-threshold'].textContent = r.unseen.threshold === null ? 'never (not even at p = 1)' : `just above ${formatNumber(r.unseen.threshold)}`;
      nums['oversight-predicted'].textContent = r.predicted_threshold === null ? `${r.saving} ÷ ${formatNumber(r.fine)}: more than 1` : `${r.saving} ÷ ${formatNumber(r.fine)} = ${formatNumber(r.predicted_threshold)}`;
      for (const c of cells) {
        const data = r[c.kind][c.checked ? 'checked' : 'unchecked'];
        if (data) {
          c.map.draw(data.rows, r.legend, [{ cells: data.path, className: data.shortcut ? 'ov-cheat' : 'ov-honest', outcome: 'goal' }]);
          c.map.svg.classList.remove('ov-never');
        } else {
          c.map.svg.classList.add('ov-never');
        }
        c.cap.textContent = caseText(data, c.kind, c.checked, r.audit);
      }
      const vis = r.visible.threshold === null ? 'never keeps it honest' : 'keeps it honest only when it is there every time';
      summary.textContent =
        `A supervisor the robot can see ${vis}: it cheats whenever the supervisor is away (${formatPercent(r.visible.at.shortcut_rate)} of episodes at p = ${formatNumber(r.audit)}). `
        + (r.unseen.threshold === null
          ? `An unseen audit cannot help either: a fine of ${formatNumber(r.fine)} is less than the ${r.saving} steps the shortcut saves.`
          : `An audit it cannot see keeps it honest in every episode once p is above ${formatNumber(r.unseen.threshold)}, where the expected fine, ${formatNumber(r.fine)} × p, outweighs the ${r.saving} steps saved. `
            + 'At exactly that point the two ways are worth the same and the planner takes the shortcut, which pays sooner.');
      status.textContent = `Reward: ${r.reward}`;
      rejudge();
    },
  });
  const later = debounce(load, 200);
  fine.input.addEventListener('input', later);
  audit.input.addEventListener('input', later);
  load();
}
