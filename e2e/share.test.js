// A saved design survives a restart and replays to the same numbers.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { levelReady, newPage, resultNumbers, watch } from './browser.js';
import { useServerAndBrowser } from './fixture.js';

describe('sharing', () => {
  const env = useServerAndBrowser();

  test('save, restart the server on the same database, open the link: same result', { timeout: 180_000 }, async () => {
    const reward = '2*arrow - step';
    let page = await newPage(env.browser);
    await page.goto(`${env.server.url}/play/boat-race`);
    await levelReady(page);
    await page.fill('[data-testid=reward-editor]', reward);
    await page.click('[data-testid=train]');
    const first = await resultNumbers(page);
    await page.click('[data-testid=share]');
    const link = page.locator('[data-testid=share-link]');
    await link.waitFor({ state: 'visible' });
    const href = await link.getAttribute('href');
    assert.equal(await link.textContent(), href, 'the link shows its own address');
    const url = new URL(href);
    assert.equal(url.origin, env.server.url, 'an absolute link to this server');
    assert.match(url.pathname, /^\/s\/[^/]+$/);
    await page.context().close();

    await env.server.restart();

    page = await newPage(env.browser);
    const problems = watch(page);
    await page.goto(env.server.url + url.pathname);
    const second = await resultNumbers(page);
    assert.deepEqual(second, first);
    assert.equal(await page.locator('[data-testid=reward-editor]').inputValue(), reward);
    assert.equal(await page.locator('[data-testid=level-title]').textContent(), 'Boat race');
    await levelReady(page);
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
