// The value-learning widget: demonstrations recorded with the keyboard and
// the on-screen pad, the reward inferred from them, and both optimizers,
// checked against `loophole explain irl`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { openPage, useServerAndBrowser } from './fixture.js';
import { BIN } from './server.js';

const cli = (body) => JSON.parse(execFileSync(BIN, ['explain', 'irl', '--input', JSON.stringify(body)], { encoding: 'utf8' }));
const fmt = (x) => String(Math.round(x * 100) / 100);

async function checkAgainst(page, expected) {
  assert.equal(await page.textContent('[data-testid=irl-expression]'), expected.expression);
  for (const w of expected.weights) {
    assert.equal(await page.textContent(`[data-testid=irl-weight-${w.signal}-value]`), fmt(w.weight), w.signal);
  }
  for (const key of ['hand', 'learned']) {
    const p = expected[key];
    assert.equal(await page.textContent(`[data-testid=irl-${key}-reward]`), p.reward);
    assert.equal(await page.textContent(`[data-testid=irl-${key}-return]`), fmt(p.return));
    assert.equal(await page.textContent(`[data-testid=irl-${key}-intent]`), fmt(p.intent));
    assert.equal(await page.textContent(`[data-testid=irl-${key}-pushed]`), fmt(p.totals.pushed));
    assert.equal(await page.textContent(`[data-testid=irl-${key}-actions]`), p.actions);
  }
}

describe('value learning widget', () => {
  const env = useServerAndBrowser();

  test('walks recorded by keyboard teach a reward that avoids the crate', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/`);
    await page.locator('[data-widget=irl]').scrollIntoViewIfNeeded();
    await page.locator('[data-testid=irl-status]').filter({ hasText: /example walks/ }).waitFor();
    assert.equal(await page.locator('[data-testid=irl-demos] li').count(), 2);

    await page.click('[data-testid=irl-clear]');
    await page.focus('[data-testid=irl-map]');
    // A wrong step, undone.
    await page.keyboard.press('ArrowRight');
    assert.match(await page.textContent('[data-testid=irl-current]'), /This walk: r /);
    await page.click('[data-testid=irl-undo]');
    await page.focus('[data-testid=irl-map]');
    // Round by the far doorway with the arrow keys, then with W A S D.
    for (const k of ['ArrowLeft', 'ArrowLeft', 'ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowDown']) await page.keyboard.press(k);
    for (const k of ['a', 'a', 's', 's', 's', 'd']) await page.keyboard.press(k);
    const demos = await page.locator('[data-testid=irl-demos] code').allTextContents();
    assert.deepEqual(demos, ['llddrd', 'lldddr']);

    // Inferred before predicting: the answer is held back, on the screen and in the page.
    await page.click('[data-testid=irl-infer]');
    await page.locator('[data-testid=irl-status]').filter({ hasText: /^Inferred from 2 walks/ }).waitFor();
    assert.equal(await page.locator('[data-testid=irl-stage]').isHidden(), true);
    assert.equal(await page.locator('[data-testid=irl-learned-pushed]').isVisible(), false);
    assert.equal(await page.locator('[data-testid=irl-expression]').isVisible(), false);
    assert.equal(await page.textContent('[data-testid=irl-predict-verdict]'), '');
    const box = page.locator('[data-widget=irl]');
    const seen = await box.evaluate((e) => e.innerText);
    const heard = await box.ariaSnapshot();
    for (const said of [seen, heard]) assert.doesNotMatch(said, /Crate shoves|Intent score|shoves the crate|Hand-written reward/, said);
    await page.click('[data-testid=irl-predict-no]');
    await page.locator('[data-testid=irl-results]').waitFor();
    assert.match(await box.ariaSnapshot(), /Crate shoves/);
    await page.locator('[data-testid=irl-predict-verdict]').filter({ hasText: /^Right\./ }).waitFor();
    const expected = cli({ demos });
    await checkAgainst(page, expected);
    const pushed = expected.weights.find((w) => w.signal === 'pushed');
    assert.ok(pushed.weight < -3, `pushed weight ${pushed.weight}`);
    assert.equal(expected.learned.totals.pushed, 0);
    assert.equal(expected.hand.totals.pushed, 2);
    assert.equal(expected.learned.intent, 44);
    assert.equal(expected.hand.intent, 6);
    // The pond was never shown: its weight is left open below.
    const water = expected.weights.find((w) => w.signal === 'water');
    assert.equal(water.low, null);
    assert.match(await page.textContent('[data-testid=irl-ambiguous-water]'), new RegExp(`at most ${fmt(water.high)}`));
    assert.equal(await page.textContent('[data-testid=irl-weight-water-range]'), ` (any weight below ${fmt(water.high)} fits)`);
    assert.ok((await page.locator('[data-testid=irl-learned-path]').count()) === 1, 'the learned path is drawn');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a reader who will not predict can still see the answer', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/`);
    await page.locator('[data-widget=irl]').scrollIntoViewIfNeeded();
    await page.locator('[data-testid=irl-status]').filter({ hasText: /example walks/ }).waitFor();
    await page.click('[data-testid=irl-infer]');
    await page.locator('[data-testid=irl-status]').filter({ hasText: /^Inferred from/ }).waitFor();
    assert.equal(await page.locator('[data-testid=irl-results]').isVisible(), false);
    await page.click('[data-testid=irl-reveal]');
    const expected = cli({ demos: await page.locator('[data-testid=irl-demos] code').allTextContents() });
    await page.locator('[data-testid=irl-results]').waitFor();
    assert.equal(await page.textContent('[data-testid=irl-learned-intent]'), fmt(expected.learned.intent));
    // No prediction, no verdict.
    assert.equal(await page.textContent('[data-testid=irl-predict-verdict]'), '');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a walk through the crate, on the phone pad, teaches no care for it', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser, { viewport: { width: 390, height: 800 } });
    await page.goto(`${env.server.url}/`);
    await page.locator('[data-widget=irl]').scrollIntoViewIfNeeded();
    await page.locator('[data-testid=irl-status]').filter({ hasText: /example walks/ }).waitFor();
    await page.click('[data-testid=irl-clear]');
    for (const a of ['d', 'd', 'l', 'd']) await page.click(`[data-testid=irl-move-${a}]`);
    assert.deepEqual(await page.locator('[data-testid=irl-demos] code').allTextContents(), ['ddld']);
    // Before inferring, the results are hidden even once the reader has predicted.
    await page.click('[data-testid=irl-predict-yes]');
    assert.equal(await page.locator('[data-testid=irl-results]').isVisible(), false);
    assert.equal(await page.textContent('[data-testid=irl-predict-verdict]'), '');
    await page.click('[data-testid=irl-infer]');
    await page.locator('[data-testid=irl-results]').waitFor();
    await page.locator('[data-testid=irl-predict-verdict]').filter({ hasText: /^Right\. The learned reward's optimizer shoves the crate 2 times\./ }).waitFor();
    const expected = cli({ demos: ['ddld'] });
    await checkAgainst(page, expected);
    assert.equal(expected.learned.totals.pushed, 2);
    const box = await page.locator('[data-testid=irl]').boundingBox();
    assert.ok(box.width <= 390, `widget is ${box.width}px wide`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
