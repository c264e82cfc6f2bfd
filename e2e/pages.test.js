// Every page loads cleanly, fits a phone, and shows hostile text as text.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { levelReady, newPage, resultNumbers } from './browser.js';
import { openPage, useServerAndBrowser } from './fixture.js';

describe('pages', () => {
  const env = useServerAndBrowser();
  let levels;

  before(async () => {
    levels = await env.server.json('/api/levels');
  });

  test('/, /play and every level page load with no console complaint and no failed request', { timeout: 120_000 }, async () => {
    assert.ok(levels.length >= 5, `expected the built-in levels, got ${levels.length}`);
    const paths = ['/', '/play', ...levels.map((l) => `/play/${l.id}`)];
    for (const path of paths) {
      const { page, problems } = await openPage(env.browser);
      await page.goto(env.server.url + path, { waitUntil: 'load' });
      if (path === '/play') {
        await page.waitForFunction((n) => document.querySelectorAll('.level-link').length === n, levels.length);
      } else if (path.startsWith('/play/')) {
        await levelReady(page);
        const title = await page.locator('[data-testid=level-title]').textContent();
        assert.equal(title, levels.find((l) => `/play/${l.id}` === path).title);
        assert.equal(await page.locator('[data-testid=reward-error]').textContent(), '', `${path}: default reward refused`);
      } else {
        await page.waitForSelector('main a[href="/play"]');
      }
      // Let late requests (favicon, modules) settle.
      await page.waitForLoadState('networkidle');
      assert.deepEqual(problems, [], `${path} complained`);
      await page.context().close();
    }
  });

  test('at phone width nothing scrolls sideways and Train is on screen', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser, { viewport: { width: 390, height: 844 } });
    for (const path of ['/', '/play', ...levels.map((l) => `/play/${l.id}`)]) {
      await page.goto(env.server.url + path);
      if (path.startsWith('/play/')) await levelReady(page);
      else await page.waitForLoadState('networkidle');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${path} is ${width} px wide at 390`);
    }
    await page.goto(`${env.server.url}/play/boat-race`);
    await levelReady(page);
    const train = page.locator('[data-testid=train]');
    await train.scrollIntoViewIfNeeded();
    assert.ok(await train.isVisible(), 'Train is visible');
    const box = await train.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `Train lies within the screen: ${JSON.stringify(box)}`);
    // The map scales down to the screen.
    const map = await page.locator('[data-testid=level-map]').boundingBox();
    assert.ok(map && map.width <= 390 && map.width > 100, `map width ${map?.width}`);
    await train.click();
    await resultNumbers(page);
    const after = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(after <= 390, `with a result the page is ${after} px wide at 390`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a hostile reward is shown as text and never run', { timeout: 60_000 }, async () => {
    const page = await newPage(env.browser);
    let dialogs = 0;
    page.on('dialog', async (d) => {
      dialogs += 1;
      await d.dismiss();
    });
    const requested = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(`${env.server.url}/play/boat-race`);
    await levelReady(page);
    const hostile = '<img src=x onerror=alert(1)>';
    await page.fill('[data-testid=reward-editor]', hostile);
    await page.waitForFunction(() => document.querySelector('[data-testid=reward-error]').textContent.trim() !== '');
    // Try every way the text travels: training and saving.
    await page.click('[data-testid=train]');
    await page.waitForFunction(() => !document.querySelector('[data-testid=run-error]').hidden);
    await page.click('[data-testid=share]');
    await page.waitForTimeout(500);

    assert.equal(dialogs, 0, 'no dialog fired');
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'no <img> was made from the reward');
    assert.ok(!requested.some((p) => p.endsWith('/x')), 'nothing fetched the hostile src');
    assert.equal(await page.locator('[data-testid=reward-editor]').inputValue(), hostile);
    const mirrored = await page.locator('#editor-backdrop').textContent();
    assert.ok(mirrored.includes(hostile), `the mirror holds the literal text: ${mirrored}`);
    const markChildren = await page.locator('#editor-backdrop mark').evaluate((m) => m.children.length);
    assert.equal(markChildren, 0);
    await page.context().close();
  });
});
