// Intent -> specification -> reward -> behaviour, followed on the boat race:
// the reader predicts, then a real optimizer (Q-learning, trained on the
// server) shows the behaviour the reward actually pays for.

import { el } from '../dom.js';
import { Player, alertLine, messageOf, predict, runReward, scores } from './common.js';

const LEVEL = 'boat-race';
const REWARD = '3*arrow - step';

export function mount(box) {
  const root = el('div', { className: 'demo-chain' }, box);
  const steps = el('ol', { className: 'chain-steps demo-chain-steps' }, root);
  const card = (cls, title, text, lost) => {
    const li = el('li', { className: `chain-step ${cls}` }, steps);
    el('h3', {}, li, title);
    el('p', {}, li, text);
    const p = el('p', { className: 'demo-lost' }, li);
    if (lost) p.textContent = lost;
    return { li, lost: p };
  };
  card('step-intent', 'Intent', 'The organisers want a boat that races laps around the track, clockwise.', null);
  card(
    'step-spec',
    'Specification',
    'Nobody can watch every race, so they decide: pay for each checkpoint crossed the way its arrow points, charge a little for every move.',
    'Lost: that the checkpoints must be passed in order, as part of a lap.',
  );
  const reward = card('step-reward', 'Reward', '', 'Lost: everything the sensors do not count.');
  reward.li.querySelector('p').append('What the computer can actually add up, each step: ');
  el('code', { 'data-testid': 'chain-reward' }, reward.li.querySelector('p'), REWARD);
  const behaviour = card('step-behaviour', 'Behaviour', 'Whatever earns the most. Predict, then train the optimizer.', null);

  const stage = el('div', { className: 'demo-stage' }, root);
  const guess = predict(stage, {
    question: 'What will a boat trained on this reward do?',
    testid: 'chain-predict',
    choices: [
      { value: 'laps', label: 'Race clockwise laps' },
      { value: 'other', label: 'Something else that pays more' },
    ],
  });
  const go = el('button', { type: 'button', className: 'button primary', 'data-testid': 'chain-train' }, stage, 'Train the optimizer');
  const status = el('p', { className: 'demo-status', 'aria-live': 'polite', 'data-testid': 'chain-status' }, stage);
  const err = alertLine(stage, 'chain-error');
  const out = el('div', { className: 'demo-result' }, root);
  const player = new Player(out, { label: 'The boat race, as the trained boat plays it', testid: 'chain-player' });
  const sc = scores(out, 'chain-scores');
  const account = el('ul', { className: 'demo-account', 'data-testid': 'chain-account' }, out);

  go.addEventListener('click', async () => {
    go.disabled = true;
    err.hide();
    status.textContent = 'Training Q-learning for 3,000 episodes on the server…';
    try {
      const r = await runReward({ level: LEVEL, reward: REWARD });
      player.load(r.frames.map((f) => f.rows), { legend: r.frame_legend });
      sc.set(r.return, r.performance);
      account.replaceChildren();
      for (const line of r.account) el('li', {}, account, line);
      const arrows = r.totals.arrow ?? 0;
      // Racing laps scores close to the best possible intent score.
      const laps = r.performance >= 0.5 * r.best_performance;
      behaviour.lost.textContent = laps
        ? 'This time the behaviour kept the intent.'
        : `Lost: the laps. It was paid for ${arrows} arrow crossings, yet its net progress round the track was ${r.performance} of a possible ${r.best_performance}.`;
      status.textContent = `${r.agent}, ${r.power} training episodes, ${r.elapsed_ms} ms on the server.`;
      if (guess.picked) {
        const right = (guess.picked === 'laps') === laps;
        guess.judge(right ? 'You predicted it.' : 'Not what you predicted: the reward pays for crossings, not laps.');
      }
    } catch (e) {
      err.show(messageOf(e));
      status.textContent = '';
    } finally {
      go.disabled = false;
    }
  });
}
