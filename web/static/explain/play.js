// One level of the game, inline: Side effects Sokoban. The reader writes a
// reward, the exact planner optimizes it on the server, and the episode is
// played back beside its return and the owner's intent score. The full
// level page (/play/side-effects-sokoban) has the same level with more tools.

import { checkReward, getLevel } from '../api.js';
import { el } from '../dom.js';
import { debounce } from '../widgets/ui.js';
import { Player, alertLine, messageOf, runReward, scores } from './common.js';

const LEVEL = 'side-effects-sokoban';

export function mount(box) {
  const root = el('div', { className: 'demo-play' }, box);
  const loading = el('p', { className: 'demo-status' }, root, 'Loading the level…');
  // The widget is built in one go once the level has arrived, so that
  // nothing inside it moves when the story and signals come in.
  getLevel(LEVEL)
    .then((level) => {
      loading.remove();
      build(root, level);
    })
    .catch((e) => {
      loading.textContent = messageOf(e);
      loading.setAttribute('role', 'alert');
    });
}

function build(root, level) {
  el('p', { className: 'demo-story', 'data-testid': 'play-story' }, root, level.story.replace(/\s+/g, ' '));
  const chips = el('ul', { className: 'chips demo-signals', 'aria-label': 'Signals of this level' }, root);
  const form = el('form', { className: 'demo-form' }, root);
  el('label', { for: 'play-reward' }, form, 'Your reward');
  const input = el('input', {
    id: 'play-reward',
    type: 'text',
    spellcheck: 'false',
    autocomplete: 'off',
    className: 'demo-input',
    'data-testid': 'play-reward',
    'aria-describedby': 'play-check',
  }, form);
  const train = el('button', { type: 'submit', className: 'button primary', 'data-testid': 'play-train' }, form, 'Train');
  const check = el('p', { id: 'play-check', className: 'demo-check', 'aria-live': 'polite', 'data-testid': 'play-check' }, root);
  const err = alertLine(root, 'play-error');
  const out = el('div', { className: 'demo-result' }, root);
  const player = new Player(out, { label: 'Side effects Sokoban, as the optimizer plays it', testid: 'play-player' });
  const sc = scores(out, 'play-scores');
  const verdict = el('p', { className: 'demo-summary', 'data-testid': 'play-verdict' }, out);
  const more = el('p', {}, root);
  el('a', { href: `/play/${LEVEL}` }, more, 'Open this level with all its tools');
  more.append(' · ');
  el('a', { href: '/play' }, more, 'all the levels');

  input.value = level.default_reward;
  for (const s of level.signals) {
    const li = el('li', { className: `chip${s.visibility === 'hidden' ? ' chip-hidden' : ''}` }, chips);
    el('code', { className: 'chip-name' }, li, s.name);
    el('span', { className: 'chip-desc' }, li, s.visibility === 'hidden' ? `${s.description} (hidden from rewards)` : s.description);
  }
  player.load([level.preview], { legend: level.frame_legend, autoplay: false });

  const live = debounce(async () => {
    try {
      await checkReward(LEVEL, input.value);
      check.textContent = 'This reward compiles.';
      check.classList.remove('bad');
    } catch (e) {
      check.textContent = messageOf(e);
      check.classList.add('bad');
    }
  }, 250);
  input.addEventListener('input', live);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    train.disabled = true;
    err.hide();
    verdict.textContent = 'Planning…';
    try {
      const r = await runReward({ level: LEVEL, reward: input.value });
      player.load(r.frames.map((f) => f.rows), { legend: r.frame_legend });
      sc.set(r.return, r.performance);
      verdict.textContent = r.solved
        ? `Solved: the optimizer of your reward does what the owner wanted (${'★'.repeat(r.stars)}${'☆'.repeat(3 - r.stars)}).`
        : `Not solved: the intent score is ${r.performance} of the ${r.best_performance} possible. ${r.account.join(' ')}`;
    } catch (e) {
      err.show(messageOf(e));
      verdict.textContent = '';
    } finally {
      train.disabled = false;
    }
  });
}
