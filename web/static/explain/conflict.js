// Helpful, harmless, honest: the reader weighs the three aims; an optimizer
// picks, for each request, the reply with the best weighted score
// (POST /api/explain/conflict; `loophole explain conflict` prints the same).

import { drawChart } from '../chart.js';
import { el, svgEl } from '../dom.js';
import { formatNumber } from '../format.js';
import { debounce, latestOnly, slider } from '../widgets/ui.js';
import { alertLine, messageOf } from './common.js';


export function mount(box) {
  const root = el('div', { className: 'demo-conflict' }, box);
  // Its bars, table and chart take their size from the answer: the widget
  // stays invisible (its box keeps its height) until the first answer, so
  // that nothing in it moves while it fills in.
  root.style.visibility = 'hidden';
  const reveal = () => {
    root.style.visibility = '';
  };
  const controls = el('div', { className: 'fw-controls' }, root);
  const knobs = ['helpful', 'harmless', 'honest'].map((aim) => [
    aim,
    slider(controls, { label: `Weight on ${aim}`, testid: `conflict-${aim}`, min: 0, max: 10, step: 1, value: 5 }),
  ]);
  // The server's own statement replaces this one (they say the same), so the text is there before the answer.
  const note = el('p', { className: 'demo-assume', 'data-testid': 'conflict-notice' }, root, 'An illustration, not a measurement: the replies and their scores below are assumptions written by hand; the optimization over them is computed.');
  const err = alertLine(root, 'conflict-error');
  const bars = el('div', { className: 'demo-bars', 'data-testid': 'conflict-bars' }, root);
  const table = el('table', { className: 'demo-table' }, root);
  el('caption', {}, table, 'What the optimizer answers, request by request (scores: helpful / harmless / honest)');
  const head = el('tr', {}, el('thead', {}, table));
  for (const h of ['Request', 'Chosen reply', 'Scores']) el('th', { scope: 'col' }, head, h);
  const body = el('tbody', { 'data-testid': 'conflict-picks' }, table);
  const svg = svgEl('svg', { 'data-testid': 'conflict-chart' }, root);
  el('p', { className: 'demo-assume' }, root, 'Each dot is one behaviour some weighting produces. Red: yours. Blue: not beaten on all three aims by any other. Grey: beaten.');
  const summary = el('p', { className: 'demo-summary', 'aria-live': 'polite', 'data-testid': 'conflict-summary' }, root);

  const show = (r) => {
    reveal();
    err.hide();
    note.textContent = r.simulation;
    bars.replaceChildren();
    r.aims.forEach((aim, k) => {
      const row = el('div', { className: 'demo-bar-row' }, bars);
      el('span', { className: 'demo-bar-label' }, row, aim);
      const track = el('span', { className: 'demo-bar-track' }, row);
      const fill = el('span', { className: 'demo-bar-fill' }, track);
      fill.style.width = `${Math.round(r.chosen.scores[k] * 100)}%`;
      const ideal = el('span', { className: 'demo-bar-ideal', title: 'best any weighting reaches on this aim' }, track);
      ideal.style.left = `${Math.round(r.ideal[k] * 100)}%`;
      el('span', { className: 'demo-bar-value', 'data-testid': `conflict-score-${aim}` }, row, formatNumber(r.chosen.scores[k]));
    });
    body.replaceChildren();
    r.requests.forEach((q, i) => {
      const reply = q.replies[r.chosen.picks[i]];
      const tr = el('tr', {}, body);
      el('th', { scope: 'row' }, tr, q.prompt);
      el('td', {}, tr, reply.text);
      el('td', { className: 'num' }, tr, reply.scores.map((s) => formatNumber(s)).join(' / '));
    });
    const current = r.behaviours.findIndex((b) => b.picks.join() === r.chosen.picks.join());
    drawChart(svg, {
      title: 'Every behaviour some weighting produces',
      xLabel: 'helpful (mean score)',
      yLabel: 'honest (mean score)',
      // The reader's own behaviour is drawn last, on top.
      scatter: r.behaviours
        .map((b, i) => ({
          x: b.scores[0],
          y: b.scores[2],
          className: i === current ? 'dot-current' : r.pareto.includes(i) ? 'dot-pareto' : 'dot-other',
        }))
        .sort((a, b) => (a.className === 'dot-current') - (b.className === 'dot-current')),
    });
    summary.textContent =
      `Across every weighting there are ${r.behaviours.length} different behaviours, ${r.pareto.length} of them not beaten on all three aims by another. ` +
      `None reaches the best score on every aim at once: even the best compromise falls ${formatNumber(r.best_worst_gap)} short on one of them. Where to stand is a choice, not a calculation.`;
  };
  const ask = latestOnly('/api/explain/conflict', {
    onResult: show,
    onError: (e) => {
      reveal();
      err.show(messageOf(e));
    },
  });
  const body0 = () => Object.fromEntries(knobs.map(([aim, s]) => [aim, s.read()]));
  const later = debounce(() => ask(body0()), 150);
  for (const [, s] of knobs) s.input.addEventListener('input', later);
  ask(body0());
}
