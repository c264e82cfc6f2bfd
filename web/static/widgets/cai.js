// The Constitutional AI widget: an editable constitution (one principle per
// line, `name: expression`), critique-and-revision rounds, AI feedback, a
// preference model optimized too far, and the trade-off front of principles
// in conflict. Every figure comes from POST /api/cai.

import { drawChart } from '../chart.js';
import { el, svgEl } from '../dom.js';
import { formatNumber, formatPercent } from '../format.js';
import { debounce, freshId, latestOnly, showTextError, simulationNotice, slider } from './ui.js';

/** Scores as the figures print them: always `digits` decimals. */
const fmt = (x, digits = 2) => formatNumber(x, { digits, fixed: true });

export function mount(container) {
  container.replaceChildren();
  const root = el('div', { className: 'fw-widget fw-cai' }, container);
  el('p', { className: 'fw-watch', 'data-testid': 'cai-watch' }, root,
    'Watch the second chart: the preference model\'s score keeps rising while gold, the quality that was really wanted, peaks and falls, and stock safety boilerplate takes over the answers.');

  const editor = el('div', { className: 'fw-constitution' }, root);
  const areaId = freshId('cai-constitution');
  el('label', { for: areaId }, editor, 'The constitution: one principle per line, name: expression');
  const area = el('textarea', {
    id: areaId,
    rows: 5,
    spellcheck: 'false',
    autocomplete: 'off',
    'data-testid': 'cai-constitution',
    'aria-describedby': `${areaId}-help`,
  }, editor);
  el('p', { id: `${areaId}-help`, className: 'fw-hint' }, editor,
    'Signals a principle can read, as the feedback model sees them: helpful, harmful, evasive, boilerplate. ' +
    'The first principle is the one weighed against the rest on the trade-off front.');
  const problem = el('div', { className: 'fw-error', role: 'alert', 'data-testid': 'cai-error', hidden: true }, editor);

  const controls = el('div', { className: 'fw-controls' }, root);
  const revisions = slider(controls, {
    label: 'Revision rounds',
    testid: 'cai-revisions',
    min: 0,
    max: 12,
    step: 1,
    value: 4,
    format: String,
    hint: 'Critique-and-revise passes of the supervised stage.',
  });
  const comparisons = slider(controls, {
    label: 'AI-labelled pairs',
    testid: 'cai-comparisons',
    min: 1,
    max: 5,
    step: 0.1,
    value: 2000,
    toValue: (v) => {
      const x = 10 ** v;
      const p = 10 ** Math.max(0, Math.floor(Math.log10(x)) - 1);
      return Math.round(x / p) * p;
    },
    fromValue: (c) => Math.log10(c),
    format: (c) => formatNumber(c, { grouped: true }),
    hint: 'Comparisons labelled by the feedback model for the preference model.',
  });
  const clampRow = el('div', { className: 'fw-control fw-check' }, controls);
  const clampId = freshId('cai-clamp');
  const clamp = el('input', { id: clampId, type: 'checkbox', 'data-testid': 'cai-clamp' }, clampRow);
  el('label', { for: clampId }, clampRow, 'Clamp the labels to 40–60% (as Bai et al. 2022 did)');

  const status = el('p', { className: 'fw-status', 'data-testid': 'cai-status', 'aria-live': 'polite' }, root);
  const charts = el('div', { className: 'fw-charts fw-charts-3' }, root);
  const figure = (testid) => {
    const fig = el('figure', { className: 'fw-figure' }, charts);
    const svg = fig.appendChild(svgEl('svg'));
    svg.dataset.testid = testid;
    const cap = el('figcaption', { 'data-testid': `${testid}-caption` }, fig);
    return { svg, cap };
  };
  const sl = figure('cai-revisions-chart');
  const rl = figure('cai-rl-chart');
  const front = figure('cai-front-chart');
  // What it assumes, folded below the charts.
  const notice = simulationNotice(root, 'cai');

  let filled = false;
  const showError = (err) => {
    showTextError(problem, area.value, err);
    problem.hidden = false;
    area.setAttribute('aria-invalid', 'true');
  };

  const show = (data, ms, body) => {
    problem.hidden = true;
    area.removeAttribute('aria-invalid');
    notice.fill(data);
    if (!filled) {
      // The first answer brings the default constitution, which lives on the server.
      area.value = data.constitution.map((p) => `${p.name}: ${p.expression}`).join('\n');
      filled = true;
    }
    const rounds = data.revisions;
    drawChart(sl.svg, {
      title: 'Critique and revision: helpfulness and harmlessness by round',
      xLabel: 'revision round',
      yLabel: 'vs. base model',
      series: [
        { label: 'harmlessness', className: 'fw-harmless', points: rounds.map((r) => [r.round, r.harmlessness]), dots: true },
        { label: 'helpfulness', className: 'fw-helpful', points: rounds.map((r) => [r.round, r.helpfulness]), dots: true },
      ],
    });
    const lastRound = rounds[rounds.length - 1];
    sl.cap.textContent =
      `After ${lastRound.round} rounds: harmlessness ${fmt(lastRound.harmlessness)}, helpfulness ${fmt(lastRound.helpfulness)}, ` +
      `${formatPercent(lastRound.evasive)} of answers evasive.`;

    const pts = data.rl.points;
    const peak = pts[data.rl.peak];
    const end = pts[pts.length - 1];
    drawChart(rl.svg, {
      title: 'RL against the preference model: its score, gold, and boilerplate',
      xLabel: 'd = √KL from the revised model',
      yLabel: 'score / share',
      series: [
        { label: 'preference model', className: 'fw-proxy', points: pts.map((p) => [p.d, p.pm]), dots: true },
        { label: 'gold', className: 'fw-gold', points: pts.map((p) => [p.d, p.gold]), dots: true },
        { label: 'boilerplate share', className: 'fw-boiler', points: pts.map((p) => [p.d, p.boilerplate]) },
        { label: 'evasive share', className: 'fw-evasive', points: pts.map((p) => [p.d, p.evasive]) },
      ],
      peak: peak ? { x: peak.d, y: peak.gold, label: 'gold peaks' } : null,
    });
    rl.cap.textContent = peak
      ? `The preference model's score keeps rising; gold peaks at d = ${fmt(peak.d)} and is ${fmt(end.gold)} at d = ${fmt(end.d)}, ` +
        `while boilerplate-heavy answers go from ${formatPercent(pts[0].boilerplate)} to ${formatPercent(end.boilerplate)}.`
      : '';

    const fr = data.front;
    if (fr.points.length) {
      drawChart(front.svg, {
        title: 'Trade-off front between the first principle and the rest',
        xLabel: 'helpfulness',
        yLabel: 'harmlessness',
        series: [{ label: `share of labels from "${fr.principle}"`, className: 'fw-front', points: fr.points.map((p) => [p.helpfulness, p.harmlessness]) }],
        scatter: fr.points.map((p, i) => ({
          x: p.helpfulness,
          y: p.harmlessness,
          className: 'fw-front',
          label: i === 0 || i === fr.points.length - 1 || i === (fr.points.length - 1) / 2 ? `w=${p.weight}` : '',
        })),
      });
      const [a, b] = [fr.points[0], fr.points[fr.points.length - 1]];
      front.cap.textContent =
        `No weighting wins on both: from w = 0 to w = 1, helpfulness ${fmt(a.helpfulness)} → ${fmt(b.helpfulness)}, ` +
        `harmlessness ${fmt(a.harmlessness)} → ${fmt(b.harmlessness)}, evasive answers ${formatPercent(a.evasive)} → ${formatPercent(b.evasive)}.`;
    } else {
      drawChart(front.svg, { title: 'Trade-off front', xLabel: 'helpfulness', yLabel: 'harmlessness' });
      front.cap.textContent = 'Write two or more principles to see them traded off against each other.';
    }
    root.dataset.request = JSON.stringify(body);
    status.textContent = `Computed in ${ms} ms.`;
    root.setAttribute('aria-busy', 'false');
  };

  const run = latestOnly('/api/cai', {
    onStart: () => {
      status.textContent = 'Computing…';
      root.setAttribute('aria-busy', 'true');
    },
    onResult: show,
    onError: (err) => {
      showError(err);
      status.textContent = '';
      root.setAttribute('aria-busy', 'false');
    },
  });
  const request = () => {
    const body = {
      revisions: revisions.read(),
      comparisons: comparisons.read(),
      clamp: clamp.checked,
      seed: 0,
    };
    if (filled) body.constitution = area.value;
    return body;
  };
  const refresh = debounce(() => run(request()), 150);
  for (const s of [revisions, comparisons]) s.input.addEventListener('input', refresh);
  clamp.addEventListener('change', refresh);
  area.addEventListener('input', debounce(() => run(request()), 400));
  run(request());
}
