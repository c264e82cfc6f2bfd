// "What would a stronger AI do?": the Goodhart curve on a level page.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { levelReady } from './browser.js';
import { openPage, useServerAndBrowser } from './fixture.js';

describe('a stronger optimizer', () => {
  const env = useServerAndBrowser();

  test('company-profits: the curve drawn for the default reward peaks and falls', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/play/company-profits`);
    await levelReady(page);
    await page.click('[data-testid=sweep]');
    const note = page.locator('[data-testid=sweep-note]');
    await note.filter({ hasText: /peaks/ }).waitFor({ timeout: 60_000 });
    const text = await note.textContent();
    // The same numbers as the API (and `loophole sweep`) for these inputs.
    const api = await page.evaluate(async () => {
      const r = await fetch('/api/sweep', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ level: 'company-profits', reward: 'profit', agent: 'value-iteration' }),
      });
      return r.json();
    });
    const peak = api.points.reduce((a, p) => (p.performance_mean > a.performance_mean ? p : a));
    const last = api.points[api.points.length - 1];
    assert.match(text, new RegExp(`peaks at power ${peak.power} \\(${peak.performance_mean}\\)`));
    assert.match(text, new RegExp(`falls to ${last.performance_mean} at power ${last.power}`));
    assert.ok(last.return_mean > api.points[0].return_mean);
    assert.ok((await page.locator('[data-testid=sweep-chart] path, [data-testid=sweep-chart] polyline').count()) > 0, 'curves drawn');
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
