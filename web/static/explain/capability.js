// Capability: "maximize company profits" given to a weak and a strong
// optimizer (value iteration looking 2 quarters ahead vs the whole six
// years), side by side, then the whole curve from weak to strong.

import { el, svgEl } from '../dom.js';
import { mountGoodhart } from '../goodhart.js';
import { Player, alertLine, messageOf, predict, runReward, scores } from './common.js';

const LEVEL = 'company-profits';
const WEAK = 2;
const STRONG = 24;

export function mount(box) {
  const root = el('div', { className: 'demo-capability' }, box);
  const guess = predict(root, {
    question: 'Both are told only “maximize profit”. Which one does more harm?',
    testid: 'capability-predict',
    choices: [
      { value: 'weak', label: 'The weak optimizer (plans 2 quarters ahead)' },
      { value: 'strong', label: 'The strong optimizer (plans all 24 quarters)' },
      { value: 'same', label: 'Neither: same instruction, same behaviour' },
    ],
  });
  const go = el('button', { type: 'button', className: 'button primary', 'data-testid': 'capability-run' }, root, 'Run both');
  const err = alertLine(root, 'capability-error');
  const pair = el('div', { className: 'demo-pair' }, root);
  const side = (title, testid) => {
    const col = el('section', { className: 'demo-side', 'data-testid': testid }, pair);
    el('h4', {}, col, title);
    const player = new Player(col, { label: title, testid: `${testid}-player`, grid: false });
    const sc = scores(col, `${testid}-scores`, { returnLabel: 'Profit (the reward)', intentLabel: 'Profit minus harm (the intent)' });
    const account = el('ul', { className: 'demo-account' }, col);
    return { player, sc, account };
  };
  const weak = side(`Weak: plans ${WEAK} quarters ahead`, 'capability-weak');
  const strong = side(`Strong: plans all ${STRONG} quarters`, 'capability-strong');

  go.addEventListener('click', async () => {
    go.disabled = true;
    err.hide();
    try {
      const body = (power) => ({ level: LEVEL, reward: 'profit', agent: 'value-iteration', power });
      // One after the other: each takes a run slot.
      const w = await runReward(body(WEAK));
      const s = await runReward(body(STRONG));
      for (const [view, r] of [[weak, w], [strong, s]]) {
        view.player.load(r.frames.map((f) => f.rows), { autoplay: false });
        view.player.end();
        view.sc.set(r.return, r.performance);
        view.account.replaceChildren();
        for (const line of r.account) el('li', {}, view.account, line);
      }
      if (guess.picked) {
        const harmW = w.totals.harm ?? 0;
        const harmS = s.totals.harm ?? 0;
        const truth = harmS > harmW ? 'strong' : harmW > harmS ? 'weak' : 'same';
        guess.judge(guess.picked === truth ? 'You predicted it.' : `Not what you predicted: harm done, weak ${harmW}, strong ${harmS}.`);
      }
    } catch (e) {
      err.show(messageOf(e));
    } finally {
      go.disabled = false;
    }
  });

  const curve = el('div', { className: 'demo-curve' }, root);
  el('p', {}, curve, 'And every strength in between:');
  const button = el('button', { type: 'button', className: 'button', 'data-testid': 'capability-sweep' }, curve, 'Draw profit and intent against planning horizon');
  const svg = svgEl('svg', { class: 'chart', 'data-testid': 'capability-chart' }, curve);
  const note = el('p', { className: 'hint', 'aria-live': 'polite', 'data-testid': 'capability-note' }, curve);
  const error = el('p', { className: 'notice error', role: 'alert', hidden: true }, curve);
  mountGoodhart({ button, svg, note, error, inputs: () => ({ level: LEVEL, reward: 'profit', agent: 'value-iteration' }) });
}
