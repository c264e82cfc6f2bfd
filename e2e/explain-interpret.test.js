// The interpretability widget: the value map, its arrows and the split of a
// cell's value by reward term, checked against `loophole explain interpret`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { openPage, useServerAndBrowser } from './fixture.js';
import { BIN } from './server.js';

/** The CLI's answer for a body: the numbers the page must show. */
const cli = (body) => JSON.parse(execFileSync(BIN, ['explain', 'interpret', '--input', JSON.stringify(body)], { encoding: 'utf8' }));
/** Numbers as the widgets print them. */
const fmt = (x) => String(Math.round(x * 100) / 100);

async function ready(page, title) {
  await page.locator('[data-testid=interp-status]').filter({ hasText: `${title}:` }).waitFor();
}

describe('interpretability widget', () => {
  const env = useServerAndBrowser();

  test('shows the values the command line computes, and answers its controls', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/`);
    await page.locator('[data-widget=interpret]').scrollIntoViewIfNeeded();
    const expected = cli({});
    await ready(page, expected.title);

    // Before the prediction nothing says what the owner gets: not on the
    // screen, and not in the page for a screen reader either.
    assert.equal(await page.locator('[data-testid=interp-cell-intent]').isVisible(), false);
    assert.equal(await page.textContent('[data-testid=interp-cell-intent]'), '–');
    assert.equal(await page.textContent('[data-testid=interp-start-intent]'), 'answer the question first');
    assert.equal(await page.textContent('[data-testid=interp-actions]'), `${expected.actions}: return ${fmt(expected.return)}`);
    assert.doesNotMatch(await page.textContent('[data-testid=interp-caption]'), new RegExp(`owner gets ${fmt(expected.start_intent)}`, 'i'));
    const widget = page.locator('[data-testid=interp]');
    for (const said of [await widget.textContent(), await widget.ariaSnapshot()]) {
      assert.doesNotMatch(said, new RegExp(`intent ${fmt(expected.intent)}|gets ${fmt(expected.start_intent)}|: ${fmt(expected.start_intent)}\\b`), said);
    }
    await page.click('[data-testid=interp-predict-less]');
    await page.locator('[data-testid=interp-predict-verdict]').filter({ hasText: /^Right\./ }).waitFor();
    assert.equal(await page.textContent('[data-testid=interp-start-value]'), fmt(expected.start_value));
    assert.equal(await page.textContent('[data-testid=interp-start-intent]'), fmt(expected.start_intent));
    assert.equal(expected.start_value, 45);
    assert.equal(expected.start_intent, 35);
    const start = expected.cells[expected.start];
    assert.equal(await page.textContent('[data-testid=interp-cell-value]'), fmt(start.value));
    assert.equal(await page.textContent('[data-testid=interp-cell-intent]'), fmt(start.intent));
    assert.equal(await page.textContent('[data-testid=interp-cell-move]'), start.arrow);
    for (const [k, v] of start.terms.entries()) {
      assert.equal(await page.textContent(`[data-testid=interp-term-${k}]`), fmt(v));
    }
    const cells = expected.cells.filter(Boolean).length;
    assert.equal(await page.locator('[data-testid^=interp-cell-]:is(g)').count(), cells);
    assert.equal(await page.textContent('[data-testid=interp-actions]'), `${expected.actions}: return ${fmt(expected.return)}, intent ${fmt(expected.intent)}`);
    assert.equal(await page.locator('[data-testid=interp-cell-intent]').isVisible(), true);
    assert.match(await page.textContent('[data-testid=interp-caption]'), /agent expects 45 over 100 steps/);

    // The keyboard picks cells: right of the start is another cell.
    await page.focus('[data-testid=interp-cells]');
    await page.keyboard.press('ArrowLeft');
    const left = expected.start - 1;
    assert.equal(await page.textContent('[data-testid=interp-cell-value]'), fmt(expected.cells[left].value));
    assert.match(await page.textContent('[data-testid=interp-cell-title]'), /row 2, column 2/);

    // Another level.
    const island = cli({ level: 'island-navigation' });
    await page.selectOption('[data-testid=interp-level]', 'island-navigation');
    await ready(page, island.title);
    assert.equal(await page.textContent('[data-testid=interp-start-value]'), fmt(island.start_value));
    assert.equal(await page.inputValue('[data-testid=interp-reward]'), island.reward);

    // Another reward on it.
    const reward = '50*goal - 2*step';
    const costly = cli({ level: 'island-navigation', reward });
    await page.fill('[data-testid=interp-reward]', reward);
    await page.click('[data-testid=interp-solve]');
    await page.locator('[data-testid=interp-start-value]').filter({ hasText: new RegExp(`^${fmt(costly.start_value)}$`) }).waitFor();
    assert.equal(costly.start_value, 42);
    assert.equal(await page.textContent('[data-testid=interp-term-0]'), fmt(costly.cells[costly.start].terms[0]));

    assert.deepEqual(problems, []);

    // A reward that cannot compile: the server's message, in the widget.
    await page.fill('[data-testid=interp-reward]', '50*goal - water');
    await page.click('[data-testid=interp-solve]');
    const alert = page.locator('[data-testid=interp-error]');
    await alert.filter({ hasText: /reward:.*water/ }).waitFor();
    assert.equal(await alert.getAttribute('role'), 'alert');
    // The last good map stays.
    assert.equal(await page.textContent('[data-testid=interp-start-value]'), fmt(costly.start_value));
    const unexpected = problems.filter((p) => !/400/.test(p));
    assert.deepEqual(unexpected, []);
    await page.context().close();
  });

  test('fits a phone', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage(env.browser, { viewport: { width: 390, height: 800 } });
    await page.goto(`${env.server.url}/`);
    await page.locator('[data-widget=interpret]').scrollIntoViewIfNeeded();
    await ready(page, 'Side effects Sokoban');
    const box = await page.locator('[data-testid=interp]').boundingBox();
    assert.ok(box.width <= 390, `widget is ${box.width}px wide`);
    // Tapping a cell shows its breakdown.
    const expected = cli({});
    const target = expected.cells.findIndex((c, i) => c && i !== expected.start);
    await page.locator(`[data-testid=interp-cell-${target}]`).click();
    assert.equal(await page.textContent('[data-testid=interp-cell-value]'), fmt(expected.cells[target].value));
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
