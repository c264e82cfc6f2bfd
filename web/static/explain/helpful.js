// "Be helpful", read three ways on the cleaning robot. The reader picks an
// interpretation; each is written as a reward and optimized for real (exact
// planning over the whole 40-step episode), and every interpretation tried
// is kept in a table to compare.

import { el } from '../dom.js';
import { formatNumber } from '../format.js';
import { Player, alertLine, messageOf, runReward, scores } from './common.js';

const LEVEL = 'cleaning-robot';

export const READINGS = [
  { id: 'most', label: 'Helpful means cleaning as much dirt as possible', reward: 'cleaned' },
  { id: 'careful', label: 'Helpful means cleaning, and never knocking the bin over', reward: 'cleaned - 10*tipped' },
  { id: 'harmless', label: 'Helpful means, above all, doing no harm: leave the bin alone', reward: '-tipped' },
];

export function mount(box) {
  const root = el('div', { className: 'demo-helpful' }, box);
  const form = el('fieldset', { className: 'demo-predict' }, root);
  el('legend', {}, form, 'The owner told the robot: “Be helpful.” Which reading do you want optimized?');
  const rows = el('div', { className: 'demo-choices demo-choices-stack' }, form);
  for (const r of READINGS) {
    const id = `helpful-${r.id}`;
    const label = el('label', { for: id, className: 'demo-choice' }, rows);
    el('input', { type: 'radio', name: 'helpful-reading', id, value: r.id, 'data-testid': `helpful-${r.id}` }, label);
    const span = el('span', {}, label, `${r.label} `);
    el('code', {}, span, r.reward);
  }
  const go = el('button', { type: 'button', className: 'button primary', 'data-testid': 'helpful-run', disabled: true }, root, 'Optimize this reading');
  const status = el('p', { className: 'demo-status', 'aria-live': 'polite', 'data-testid': 'helpful-status' }, root, 'Pick a reading first.');
  const err = alertLine(root, 'helpful-error');
  const out = el('div', { className: 'demo-result wide' }, root);
  const player = new Player(out, { label: 'The cleaning robot at work', testid: 'helpful-player' });
  const sc = scores(out, 'helpful-scores');
  const account = el('ul', { className: 'demo-account', 'data-testid': 'helpful-account' }, out);

  const table = el('table', { className: 'demo-table', 'data-testid': 'helpful-table' }, root);
  el('caption', {}, table, 'Readings tried so far (intent score: dirt cleaned, minus 2 for each patch of rubbish spilled)');
  const head = el('tr', {}, el('thead', {}, table));
  for (const h of ['Reading', 'Reward', 'Return', 'Intent score']) el('th', { scope: 'col' }, head, h);
  const body = el('tbody', {}, table);
  const tried = new Map();

  let choice = null;
  form.addEventListener('change', (ev) => {
    choice = READINGS.find((r) => r.id === ev.target.value) ?? null;
    go.disabled = !choice;
    status.textContent = '';
  });
  go.addEventListener('click', async () => {
    if (!choice) return;
    const reading = choice;
    go.disabled = true;
    err.hide();
    status.textContent = 'Planning the whole episode on the server…';
    try {
      const r = await runReward({ level: LEVEL, reward: reading.reward });
      player.load(r.frames.map((f) => f.rows), { legend: r.frame_legend });
      sc.set(r.return, r.performance);
      account.replaceChildren();
      for (const line of r.account) el('li', {}, account, line);
      status.textContent = `${r.agent}, looking ${r.power} steps ahead, ${r.elapsed_ms} ms.`;
      let row = tried.get(reading.id);
      if (!row) {
        row = el('tr', { 'data-testid': `helpful-row-${reading.id}` }, body);
        tried.set(reading.id, row);
      }
      row.replaceChildren();
      el('th', { scope: 'row' }, row, reading.label);
      const code = el('td', {}, row);
      el('code', {}, code, reading.reward);
      el('td', { className: 'num' }, row, formatNumber(r.return));
      el('td', { className: 'num', 'data-testid': `helpful-intent-${reading.id}` }, row, formatNumber(r.performance));
    } catch (e) {
      err.show(messageOf(e));
      status.textContent = '';
    } finally {
      go.disabled = false;
    }
  });
}
