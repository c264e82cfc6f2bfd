// The RLHF widget: raters with a bias, a Bradley-Terry reward model, and
// what optimizing it by best-of-n and by KL-regularized tilting does to the
// score that was really wanted. Every figure comes from POST /api/rlhf.

import { drawChart } from '../chart.js';
import { el, svgEl } from '../dom.js';
import { formatNumber, formatPercent } from '../format.js';
import { debounce, latestOnly, simulationNotice, slider } from './ui.js';

/** Scores as the figures print them: always `digits` decimals. */
const fmt = (x, digits = 2) => formatNumber(x, { digits, fixed: true });

/** Two significant digits: 1000, 1300, 25000. */
const roundish = (x) => {
  const p = 10 ** Math.max(0, Math.floor(Math.log10(x)) - 1);
  return Math.round(x / p) * p;
};

export function mount(container) {
  container.replaceChildren();
  const root = el('div', { className: 'fw-widget fw-rlhf' }, container);
  el('p', { className: 'fw-watch', 'data-testid': 'rlhf-watch' }, root,
    'Watch the two lines as the optimization pushes further right: the proxy, the reward model\'s score, keeps climbing, while gold, the quality that was really wanted, rises, peaks and falls.');

  const controls = el('div', { className: 'fw-controls' }, root);
  const comparisons = slider(controls, {
    label: 'Comparisons',
    testid: 'rlhf-comparisons',
    min: 1,
    max: 5,
    step: 0.1,
    value: 1000,
    toValue: (v) => roundish(10 ** v),
    fromValue: (c) => Math.log10(c),
    format: (c) => formatNumber(c, { grouped: true }),
    hint: 'Pairs of answers people compared to train the reward model.',
  });
  const bias = slider(controls, {
    label: 'Rater bias',
    testid: 'rlhf-bias',
    min: 0,
    max: 5,
    step: 0.1,
    value: 1,
    toValue: (v) => Math.round(v * 10) / 10,
    format: (b) => formatNumber(b, { digits: 1, fixed: true }),
    hint: 'How much raters are swayed by long, confident, flattering answers.',
  });
  const maxN = slider(controls, {
    label: 'Optimization strength (largest n)',
    testid: 'rlhf-max-n',
    min: 1,
    max: 12,
    step: 1,
    value: 1024,
    toValue: (k) => 2 ** k,
    fromValue: (n) => Math.log2(n),
    format: (n) => `best of ${n}`,
    hint: 'The strongest best-of-n; the KL-regularized sweep covers the same distance.',
  });

  const status = el('p', { className: 'fw-status', 'data-testid': 'rlhf-status', 'aria-live': 'polite' }, root);
  const error = el('p', { className: 'fw-error', role: 'alert', 'data-testid': 'rlhf-error', hidden: true }, root);

  const charts = el('div', { className: 'fw-charts' }, root);
  const bonFig = el('figure', { className: 'fw-figure' }, charts);
  const bonSvg = bonFig.appendChild(svgEl('svg'));
  bonSvg.dataset.testid = 'rlhf-bon-chart';
  const bonCap = el('figcaption', { 'data-testid': 'rlhf-bon-caption' }, bonFig);
  const klFig = el('figure', { className: 'fw-figure' }, charts);
  const klSvg = klFig.appendChild(svgEl('svg'));
  klSvg.dataset.testid = 'rlhf-kl-chart';
  const klCap = el('figcaption', { 'data-testid': 'rlhf-kl-caption' }, klFig);

  // What it assumes and how well the curves fit, folded below the charts.
  const notice = simulationNotice(root, 'rlhf', 'A simulation: what it assumes, and how well its curves fit');
  const numbers = el('dl', { className: 'fw-numbers', 'data-testid': 'rlhf-numbers' }, notice.more);
  const number = (term, testid) => {
    el('dt', {}, numbers, term);
    return el('dd', { 'data-testid': testid }, numbers);
  };
  const bonPeak = number('Best-of-n: gold peaks at n', 'rlhf-bon-peak-n');
  const bonPeakD = number('…at d =', 'rlhf-bon-peak-d');
  const bonR2 = number('Fit d(α − βd): R²', 'rlhf-bon-r2');
  const klPeakD = number('KL-regularized: gold peaks at d =', 'rlhf-kl-peak-d');
  const klR2 = number('Fit d(α − β ln d): R²', 'rlhf-kl-r2');
  const agreement = number('Reward model agrees with raters / with gold', 'rlhf-agreement');

  const grid = el('section', { className: 'fw-grid-result', 'data-testid': 'rlhf-grid' }, root);

  const show = (data, ms, body) => {
    error.hidden = true;
    notice.fill(data);
    const bon = data.best_of_n;
    const kl = data.kl_regularized;
    const bp = bon.points[bon.peak];
    const kp = kl.points[kl.peak];
    const fitCurve = (fit, form, dMax) =>
      Array.from({ length: 41 }, (_, i) => {
        const d = (dMax * i) / 40;
        const second = form === 'bon' ? d * d : d > 0 ? d * Math.log(d) : 0;
        return [d, fit.alpha * d - fit.beta * second];
      });
    const last = (pts) => pts[pts.length - 1];
    drawChart(bonSvg, {
      title: 'Best-of-n: proxy and gold score against d',
      xLabel: 'd = √KL from the base policy',
      yLabel: 'score vs. base policy',
      series: [
        { label: 'proxy (reward model)', className: 'fw-proxy', points: bon.points.map((p) => [p.d, p.proxy]), dots: true },
        { label: 'gold (what was wanted)', className: 'fw-gold', points: bon.points.map((p) => [p.d, p.gold]), dots: true },
        { label: 'fitted curve', className: 'fw-fit', dashed: true, points: fitCurve(bon.fit, 'bon', last(bon.points).d) },
      ],
      peak: { x: bp.d, y: bp.gold, label: `peak n = ${bp.n}` },
    });
    drawChart(klSvg, {
      title: 'KL-regularized: proxy and gold score against d',
      xLabel: 'd = √KL from the base policy',
      yLabel: 'score vs. base policy',
      series: [
        { label: 'proxy (reward model)', className: 'fw-proxy', points: kl.points.map((p) => [p.d, p.proxy]), dots: true },
        { label: 'gold (what was wanted)', className: 'fw-gold', points: kl.points.map((p) => [p.d, p.gold]), dots: true },
        { label: 'fitted curve', className: 'fw-fit', dashed: true, points: fitCurve(kl.fit, 'rl', last(kl.points).d) },
      ],
      peak: { x: kp.d, y: kp.gold, label: `peak β = ${fmt(kp.beta)}` },
    });
    bonCap.textContent =
      `Best-of-n up to n = ${last(bon.points).n}: the proxy climbs to ${fmt(last(bon.points).proxy)} ` +
      `while gold peaks at n = ${bp.n} (${fmt(bp.gold)}) and ends at ${fmt(last(bon.points).gold)}.`;
    klCap.textContent =
      `Tilting the base policy by exp(proxy/β): gold peaks at d = ${fmt(kp.d)} (${fmt(kp.gold)}); ` +
      `the sweep stops where the importance weights are worth fewer than ${kl.min_ess} answers.`;
    bonPeak.textContent = String(bp.n);
    bonPeakD.textContent = fmt(bp.d);
    bonR2.textContent = fmt(bon.fit.r2, 3);
    klPeakD.textContent = fmt(kp.d);
    klR2.textContent = fmt(kl.fit.r2, 3);
    const rm = data.reward_model;
    agreement.textContent = `${formatPercent(rm.rater_agreement)} / ${formatPercent(rm.gold_agreement)}`;

    grid.replaceChildren();
    const g = data.gridworld;
    if (g) {
      el('h3', {}, grid, 'The same on a gridworld: raters who watch the camera');
      el('p', {}, grid,
        `In ${g.level}, raters compared ${g.comparisons} pairs of episodes by how many tomatoes looked watered. ` +
        `They preferred the episode with the bucket on in ${formatPercent(g.bucket_win_rate)} of pairs that differed.`);
      const p = el('p', {}, grid, 'Learned reward: ');
      el('code', { 'data-testid': 'rlhf-grid-reward' }, p, g.reward);
      el('p', {}, grid,
        `${g.agent} (power ${g.power}) optimizing it: return ${fmt(g.return)}, true performance ${fmt(g.performance)}, ` +
        `${g.on_bucket} of ${g.steps} steps on the bucket. Given the intent itself, the same optimizer reaches ${fmt(g.intent_performance)}.`);
    }
    root.dataset.request = JSON.stringify(body);
    status.textContent = `Computed in ${ms} ms.`;
    root.setAttribute('aria-busy', 'false');
  };

  const run = latestOnly('/api/rlhf', {
    onStart: () => {
      status.textContent = 'Computing…';
      root.setAttribute('aria-busy', 'true');
    },
    onResult: show,
    onError: (err) => {
      error.textContent = err.message;
      error.hidden = false;
      status.textContent = '';
      root.setAttribute('aria-busy', 'false');
    },
  });
  const request = () => ({
    comparisons: comparisons.read(),
    rater_bias: bias.read(),
    max_n: maxN.read(),
    seed: 0,
    gridworld: true,
  });
  const refresh = debounce(() => run(request()), 120);
  for (const s of [comparisons, bias, maxN]) s.input.addEventListener('input', refresh);
  run(request());
}
