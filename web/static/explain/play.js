// One level of the game, inline: Side effects Sokoban. The reader writes a
// reward, the exact planner optimizes it on the server, and the episode is
// played back beside its return and the owner's intent score. A mistake in
// the reward is shown once, under the box, with the mistake marked; a result
// stays on screen only as long as it is the result of the reward in the box.
// The full level page (/play/side-effects-sokoban) has the same level with
// more tools.

import { checkReward, getLevel } from '../api.js';
import { el } from '../dom.js';
import { debounce, showTextError } from '../widgets/ui.js';
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
  // The one place a reward's mistake is shown: the message and the reward
  // with the mistake marked. The alert line below is for everything else
  // (a busy server, a lost connection).
  const check = el('div', { id: 'play-check', className: 'demo-check', 'aria-live': 'polite', 'data-testid': 'play-check' }, root);
  const err = alertLine(root, 'play-error');
  const out = el('div', { className: 'demo-result', 'data-testid': 'play-result' }, root);
  const stale = el('p', { className: 'demo-stale-note', 'data-testid': 'play-stale', hidden: true }, out);
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

  // The reward whose result is on show (null before the first run), and its verdict.
  let shownFor = null;
  let lastVerdict = '';
  /** Marks the result on show as another reward's once the box no longer holds it. */
  const markStale = () => {
    const old = shownFor !== null && input.value !== shownFor;
    out.classList.toggle('demo-stale', old);
    stale.hidden = !old;
    stale.textContent = old ? `These numbers are for the earlier reward “${shownFor}”. Train to see what this one does.` : '';
  };
  const showOk = () => {
    check.replaceChildren('This reward compiles.');
    check.classList.remove('bad');
    input.removeAttribute('aria-invalid');
  };
  const showBad = (e) => {
    showTextError(check, input.value, e);
    check.classList.add('bad');
    input.setAttribute('aria-invalid', 'true');
  };

  let serial = 0;
  const live = debounce(async () => {
    const mine = ++serial;
    const text = input.value;
    try {
      await checkReward(LEVEL, text);
      if (mine === serial && input.value === text) showOk();
    } catch (e) {
      if (mine === serial && input.value === text) showBad(e);
    }
  }, 250);
  input.addEventListener('input', () => {
    markStale();
    live();
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    train.disabled = true;
    err.hide();
    const text = input.value;
    verdict.textContent = 'Planning…';
    try {
      const r = await runReward({ level: LEVEL, reward: text });
      player.load(r.frames.map((f) => f.rows), { legend: r.frame_legend });
      sc.set(r.return, r.performance);
      lastVerdict = r.solved
        ? `Solved: the optimizer of your reward does what the owner wanted (${'★'.repeat(r.stars)}${'☆'.repeat(3 - r.stars)}).`
        : `Not solved: the intent score is ${r.performance} of the ${r.best_performance} possible. ${r.account.join(' ')}`;
      verdict.textContent = lastVerdict;
      shownFor = text;
      if (input.value === text) showOk();
    } catch (e) {
      // A mistake in the reward goes where the check shows it (once); the
      // result on show is then another reward's, and says so.
      const aboutReward = e.span || e.status === 400;
      if (aboutReward && input.value === text) showBad(e);
      else if (!aboutReward) err.show(messageOf(e));
      verdict.textContent = lastVerdict;
    } finally {
      train.disabled = false;
      markStale();
    }
  });
}
