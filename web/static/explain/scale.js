// "It does not scale": the cleaning robot's reward optimized at a dozen
// planning horizons, weak to strong (POST /api/sweep, the same as
// `loophole sweep --level cleaning-robot`): the return climbs while the
// intent score falls once the planner can see the bin trick.

import { el, svgEl } from '../dom.js';
import { mountGoodhart } from '../goodhart.js';
import { predict } from './common.js';


export function mount(box) {
  const root = el('div', { className: 'demo-scale' }, box);
  const guess = predict(root, {
    question: 'The cleaning robot is paid per patch cleaned. Give it a longer planning horizon: what happens to the room?',
    testid: 'scale-predict',
    choices: [
      { value: 'better', label: 'Cleaner: a better planner cleans better' },
      { value: 'worse', label: 'Dirtier, past some point' },
    ],
  });
  const button = el('button', { type: 'button', className: 'button primary', 'data-testid': 'scale-run' }, root, 'Train weak to strong planners');
  const svg = svgEl('svg', { class: 'chart', 'data-testid': 'scale-chart' }, root);
  const note = el('p', { className: 'hint', 'aria-live': 'polite', 'data-testid': 'scale-note' }, root);
  const error = el('p', { className: 'notice error', role: 'alert', hidden: true, 'data-testid': 'scale-error' }, root);
  mountGoodhart({
    button,
    svg,
    note,
    error,
    inputs: () => ({ level: 'cleaning-robot', reward: 'cleaned', agent: 'value-iteration' }),
  });
  // The verdict: once the curve is drawn, compare the last intent point with the best.
  new MutationObserver(() => {
    if (!guess.picked || !note.textContent) return;
    const worse = /fall|drop|lower|less/i.test(note.textContent);
    guess.judge((guess.picked === 'worse') === worse ? 'You predicted it.' : 'Not what you predicted.');
  }).observe(note, { childList: true, characterData: true, subtree: true });
}
