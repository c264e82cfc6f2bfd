// "What would a stronger AI do?": the Goodhart curve of the current reward.
// The server trains the chosen optimizer at a dozen powers, from weak to
// strong, and answers the mean return and intent score at each; this draws
// both against power.

import { ApiError, request } from './api.js';
import { LineChart, SCORE_SERIES } from './chart.js';
import { formatNumber } from './format.js';

/**
 * Wires the section: `inputs()` returns {level, reward, agent} at the time
 * the button is pressed.
 */
export function mountGoodhart({ button, svg, note, error, inputs }) {
  const chart = new LineChart(svg, {
    xLabel: 'optimization power',
    yLabel: 'mean score per episode',
    title: 'Return and intent score against optimization power',
    series: SCORE_SERIES,
  });
  chart.emptyText = 'Press the button to train weak and strong optimizers on your reward';
  chart.render();

  let busy = false;
  button.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    button.disabled = true;
    error.hidden = true;
    const label = button.textContent;
    button.textContent = 'Training at every power…';
    const body = inputs();
    try {
      const answer = await request('POST', '/api/sweep', body);
      const points = answer.points.map((p) => ({ x: p.power, return: p.return_mean, performance: p.performance_mean }));
      chart.setXLabel(`optimization power: ${answer.power_meaning}`);
      chart.setPoints(points);
      note.textContent = describe(points, answer);
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : 'The curve could not be computed.';
      error.hidden = false;
    } finally {
      busy = false;
      button.disabled = false;
      button.textContent = label;
    }
  });
}

/** One or two sentences on the shape of the curve. */
function describe(points, answer) {
  if (!points.length) return '';
  const first = points[0];
  const last = points[points.length - 1];
  const peak = points.reduce((a, p) => (p.performance > a.performance ? p : a), first);
  const each = `Each point is the mean of ${answer.seeds} episodes (${answer.agent}, ${answer.elapsed_ms} ms on the server).`;
  const span = Math.max(1e-9, ...points.map((p) => Math.abs(p.performance)));
  if (peak.x < last.x && peak.performance - last.performance > 0.1 * span) {
    return (
      `The intent score peaks at power ${peak.x} (${formatNumber(peak.performance)}) and falls to ` +
      `${formatNumber(last.performance)} at power ${last.x}, while the return goes from ` +
      `${formatNumber(first.return)} to ${formatNumber(last.return)}: the stronger optimizer found more of ` +
      `what your reward pays for that the owner did not want. ${each}`
    );
  }
  if (last.performance >= peak.performance - 1e-9) {
    return `Here the intent score keeps up with the return as the optimizer gets stronger: your reward and the owner's intent agree at every power tried. ${each}`;
  }
  return `The return goes from ${formatNumber(first.return)} to ${formatNumber(last.return)}; the intent score from ${formatNumber(first.performance)} to ${formatNumber(last.performance)}. ${each}`;
}
