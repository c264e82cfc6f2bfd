// The scalable-oversight widget on /: it asks for a prediction first, then
// shows the numbers `loophole explain oversight` computes for the same
// inputs, follows its sliders (mouse and keyboard), fits a phone and logs
// nothing.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { isolateWidgets, mountedWidget, openPage, useServerAndBrowser } from './fixture.js';
import { BIN } from './server.js';

const explain = (body) => JSON.parse(execFileSync(BIN, ['explain', 'oversight', '--input', JSON.stringify(body)], { encoding: 'utf8' }));
const pct = (x) => `${Math.round(x * 100)}%`;
const fmt = (x) => String(Math.round(x * 100) / 100);
const text = async (page, id) => (await page.locator(`[data-testid=${id}]`).textContent()).trim();

/** Waits until the widget shows the answer for `body`, then compares every number. */
async function matches(page, body) {
  const want = explain(body);
  await page.waitForFunction(
    ([id, v]) => document.querySelector(`[data-testid=${id}]`)?.textContent.trim() === v,
    ['oversight-predicted', want.predicted_threshold === null ? `${want.saving} ÷ ${fmt(want.fine)}: more than 1` : `${want.saving} ÷ ${fmt(want.fine)} = ${fmt(want.predicted_threshold)}`],
  );
  await page.waitForFunction(
    ([v]) => document.querySelector('[data-testid=oversight-visible-rate]')?.textContent.trim() === v,
    [pct(want.visible.at.shortcut_rate)],
  );
  assert.equal(await text(page, 'oversight-unseen-rate'), pct(want.unseen.at.shortcut_rate));
  assert.equal(await text(page, 'oversight-visible-intent'), fmt(want.visible.at.mean_intent));
  assert.equal(await text(page, 'oversight-unseen-intent'), fmt(want.unseen.at.mean_intent));
  assert.equal(
    await text(page, 'oversight-threshold'),
    want.unseen.threshold === null ? 'never (not even at p = 1)' : `just above ${fmt(want.unseen.threshold)}`,
  );
  return want;
}

describe('the oversight widget', () => {
  const env = useServerAndBrowser();

  test('predict, then the numbers of the command line; sliders by mouse and keyboard', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await isolateWidgets(page, ['oversight']);
    await page.goto(env.server.url + '/');
    const box = await mountedWidget(page, 'oversight');
    // Nothing is revealed before the prediction.
    assert.equal(await box.locator('[data-testid=oversight-stage]').isHidden(), true);
    await box.locator('[data-testid=oversight-predict-fifth]').check();
    assert.equal(await box.locator('[data-testid=oversight-stage]').isVisible(), true);

    const want = await matches(page, {});
    // The defaults: a visible supervisor is cheated half the time, an unseen
    // audit at p = 0.5 never; honest from just above 0.2.
    assert.equal(want.visible.at.shortcut_rate, 0.5);
    assert.equal(want.unseen.at.shortcut_rate, 0);
    assert.ok(want.unseen.threshold > 0.2 && want.unseen.threshold < 0.201);
    await page.waitForFunction(() => document.querySelector('[data-testid=oversight-predict-verdict]')?.textContent.trim() !== '');
    assert.equal(await text(page, 'oversight-predict-verdict'), 'You predicted it.');
    // Both curves are drawn, and the four cases on their maps.
    assert.equal(await box.locator('[data-testid=oversight-chart] polyline').count(), 2);
    assert.equal(await box.locator('.ov-case polyline').count(), 4);
    assert.match(await text(page, 'oversight-visible-unchecked'), /took the shortcut/);
    assert.match(await text(page, 'oversight-unseen-unchecked'), /long way round/);

    // A smaller fine: the unseen audit must check more often (6 / 10).
    await box.locator('[data-testid=oversight-fine]').fill('10');
    await matches(page, { fine: 10, audit: 0.5 });
    assert.equal(await text(page, 'oversight-unseen-rate'), '100%');

    // The keyboard moves the share checked: five steps of 0.05 up.
    await box.locator('[data-testid=oversight-audit]').focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    const at75 = await matches(page, { fine: 10, audit: 0.75 });
    assert.equal(at75.unseen.at.shortcut_rate, 0);
    assert.equal(await text(page, 'oversight-visible-rate'), '25%');

    // A fine below the six steps saved deters nobody.
    await box.locator('[data-testid=oversight-fine]').fill('5');
    await matches(page, { fine: 5, audit: 0.75 });
    assert.equal(await text(page, 'oversight-threshold'), 'never (not even at p = 1)');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('fits a phone', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage(env.browser, { viewport: { width: 390, height: 844 } });
    await isolateWidgets(page, ['oversight']);
    await page.goto(env.server.url + '/');
    const box = await mountedWidget(page, 'oversight');
    await box.locator('[data-testid=oversight-reveal]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=oversight-visible-rate]')?.textContent.trim() === '50%');
    const overflow = await box.evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(overflow <= 1, `wider than its box by ${overflow}px`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `page ${width}px wide`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('the API refuses a bad body with 400, naming the field', async () => {
    for (const [body, word] of [[{ fine: 500 }, 'fine'], [{ audit: -0.1 }, 'audit'], [{ seed: 1 }, 'seed']]) {
      const res = await fetch(`${env.server.url}/api/explain/oversight`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 400);
      const data = await res.json();
      assert.match(data.error.message, new RegExp(word));
    }
  });
});
