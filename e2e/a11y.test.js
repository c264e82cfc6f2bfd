// Accessibility: axe-core (the engine behind most accessibility checkers)
// run in the real browser on every page, before and after a Train, at a
// desktop and a phone width. No serious or critical violation, and no
// heading that skips a level, may appear.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';

import { levelReady, resultNumbers } from './browser.js';
import { openPage, useServerAndBrowser } from './fixture.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The violations axe finds on the page as it is now, that a reader would be hurt by. */
async function violations(page) {
  // Evaluated through the debugging protocol, which the pages' CSP does not govern.
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(0, 2).join(' ')}`),
    }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'heading-order');
}

const WIDTHS = [
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
];

describe('accessibility (axe-core)', () => {
  const env = useServerAndBrowser();

  for (const { name, viewport } of WIDTHS) {
    test(`every page at ${name} width has no serious violation`, { timeout: 600_000 }, async () => {
      const levels = await (await fetch(`${env.server.url}/api/levels`)).json();
      const paths = ['/', '/play', '/feedback', '/no-such-page', ...levels.map((l) => `/play/${l.id}`)];
      const { page } = await openPage(env.browser, { viewport, reducedMotion: 'reduce' });
      const failures = [];
      for (const path of paths) {
        await page.goto(`${env.server.url}${path}`);
        if (path.startsWith('/play/')) await levelReady(page);
        else await page.waitForLoadState('networkidle');
        for (const v of await violations(page)) failures.push(`${path}: ${v.id} (${v.impact}) ${v.nodes.join(' | ')}`);
      }
      assert.deepEqual(failures, []);
      await page.context().close();
    });
  }

  test('a level page after Train, with its result, verdict and cases, has no serious violation', { timeout: 180_000 }, async () => {
    const { page } = await openPage(env.browser, { reducedMotion: 'reduce' });
    const failures = [];
    for (const level of ['safe-interruptibility', 'whisky-gold', 'company-profits']) {
      await page.goto(`${env.server.url}/play/${level}`);
      await levelReady(page);
      await page.check('#predict-loophole');
      await page.click('[data-testid=train]');
      await resultNumbers(page);
      for (const v of await violations(page)) failures.push(`${level}: ${v.id} (${v.impact}) ${v.nodes.join(' | ')}`);
    }
    assert.deepEqual(failures, []);
    await page.context().close();
  });
});
