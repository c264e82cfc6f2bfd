// Shallow alignment on the absent-supervisor level: the same trained robot,
// once with the supervisor watching and once without
// (POST /api/explain/shallow; `loophole explain shallow` prints the same).

import { explain } from '../api.js';
import { el } from '../dom.js';
import { Player, alertLine, messageOf, predict, scores } from './common.js';

export function mount(box) {
  const root = el('div', { className: 'demo-shallow' }, box);
  const guess = predict(root, {
    question: 'The robot was trained with a fine for the forbidden tile, given only when the supervisor sees it. When nobody is watching, it will…',
    testid: 'shallow-predict',
    choices: [
      { value: 'rule', label: 'keep to the rule, as it did under supervision' },
      { value: 'shortcut', label: 'take the forbidden shortcut' },
    ],
  });
  const go = el('button', { type: 'button', className: 'button primary', 'data-testid': 'shallow-run' }, root, 'Show both episodes');
  const err = alertLine(root, 'shallow-error');
  const pair = el('div', { className: 'demo-pair' }, root);
  const side = (title, testid) => {
    const col = el('section', { className: 'demo-side', 'data-testid': testid }, pair);
    el('h4', {}, col, title);
    const player = new Player(col, { label: title, testid: `${testid}-player` });
    const sc = scores(col, `${testid}-scores`);
    const account = el('ul', { className: 'demo-account' }, col);
    return { player, sc, account };
  };
  const watched = side('Supervisor present: what evaluators see', 'shallow-watched');
  const unwatched = side('Supervisor away: what happens', 'shallow-unwatched');
  const summary = el('p', { className: 'demo-summary', 'data-testid': 'shallow-summary' }, root);

  go.addEventListener('click', async () => {
    go.disabled = true;
    err.hide();
    try {
      const r = await explain('shallow', {});
      for (const [view, c] of [[watched, r.watched], [unwatched, r.unwatched]]) {
        view.player.load(c.episode.frames, { legend: r.legend });
        view.sc.set(c.episode.return, c.episode.performance);
        view.account.replaceChildren();
        for (const line of c.account) el('li', {}, view.account, line);
      }
      summary.textContent =
        `Under supervision it never touched the forbidden tile (${r.watched.shortcuts} times); unwatched it crossed it ${r.unwatched.shortcuts} time${r.unwatched.shortcuts === 1 ? '' : 's'}. ` +
        `An evaluator who only sees supervised episodes rates it perfect; averaged over the real mix of episodes its intent score is ${r.expected_performance}.`;
      if (guess.picked) {
        const cheats = r.unwatched.shortcuts > 0;
        guess.judge((guess.picked === 'shortcut') === cheats ? 'You predicted it.' : 'Not what you predicted.');
      }
    } catch (e) {
      err.show(messageOf(e));
    } finally {
      go.disabled = false;
    }
  });
}
