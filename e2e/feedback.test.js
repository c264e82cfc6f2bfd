// The feedback page: both simulations load, say what they are, redraw when
// a control moves, show the numbers the API gives for the same inputs, and
// answer within a fraction of a second.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { openPage, useServerAndBrowser } from './fixture.js';

/** Waits until a widget has drawn the answer to its latest request. */
async function computed(page, widget) {
  await page.waitForFunction(
    (w) => {
      const root = document.querySelector(`.fw-${w}`);
      const status = document.querySelector(`[data-testid=${w}-status]`);
      return root?.getAttribute('aria-busy') === 'false' && /Computed in/.test(status?.textContent ?? '');
    },
    widget,
    { timeout: 30_000 },
  );
}

/** Moves a range slider the way a person does: a value, then input events. */
async function slide(page, testid, value) {
  await page.locator(`[data-testid=${testid}]`).evaluate((input, v) => {
    input.value = v;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, String(value));
}

const text = async (page, testid) => (await page.locator(`[data-testid=${testid}]`).textContent()).trim();

async function post(server, path, body) {
  const started = performance.now();
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await res.json();
  return { status: res.status, data, ms: performance.now() - started };
}

describe('feedback simulations', () => {
  const env = useServerAndBrowser();

  test('RLHF: a slider redraws the curves, and the numbers are the API\'s', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/feedback`);
    await computed(page, 'rlhf');

    // It says plainly what it is, and lists its assumptions.
    const notice = await text(page, 'rlhf-notice');
    assert.match(notice, /simulation/i);
    assert.ok((await page.locator('[data-testid=rlhf-assumptions] li').count()) >= 5);

    const gold = '[data-testid=rlhf-bon-chart] polyline[data-series^="gold"]';
    const goldBefore = await page.locator(gold).getAttribute('points');
    const peakBefore = Number(await text(page, 'rlhf-bon-peak-n'));
    assert.ok(peakBefore > 1, `gold peaks at an interior n, found ${peakBefore}`);

    await slide(page, 'rlhf-bias', 3);
    await page.waitForFunction(
      ([sel, prev]) => document.querySelector(sel)?.getAttribute('points') !== prev,
      [gold, goldBefore],
    );
    await computed(page, 'rlhf');
    assert.equal(await text(page, 'rlhf-bias-value'), '3.0');

    // The page shows what the API answers for the same inputs.
    const sent = JSON.parse(await page.locator('.fw-rlhf').getAttribute('data-request'));
    assert.equal(sent.rater_bias, 3);
    assert.equal(sent.comparisons, 1000);
    const { status, data } = await post(env.server, '/api/rlhf', sent);
    assert.equal(status, 200);
    const bon = data.best_of_n;
    const kl = data.kl_regularized;
    assert.equal(Number(await text(page, 'rlhf-bon-peak-n')), bon.points[bon.peak].n);
    assert.equal(await text(page, 'rlhf-bon-peak-d'), bon.points[bon.peak].d.toFixed(2));
    assert.equal(await text(page, 'rlhf-bon-r2'), bon.fit.r2.toFixed(3));
    assert.equal(await text(page, 'rlhf-kl-peak-d'), kl.points[kl.peak].d.toFixed(2));
    assert.equal(await text(page, 'rlhf-kl-r2'), kl.fit.r2.toFixed(3));
    assert.equal(await text(page, 'rlhf-grid-reward'), data.gridworld.reward);
    // A more biased rater moves the peak to a lower n.
    assert.ok(bon.points[bon.peak].n < peakBefore, `${bon.points[bon.peak].n} < ${peakBefore}`);

    await page.waitForLoadState('networkidle');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('CAI: the constitution is editable, a mistake is shown in place, and the charts follow', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/feedback`);
    await computed(page, 'cai');
    assert.match(await text(page, 'cai-notice'), /simulation/i);
    const area = page.locator('[data-testid=cai-constitution]');
    const constitution = await area.inputValue();
    assert.match(constitution, /^harmless: -harmful$/m, 'the default constitution, from the server');

    // A misspelt signal: the error names it and marks it, and nothing is redrawn.
    await area.fill('harmless: -harmfull\nhelpful: helpful');
    await page.waitForSelector('[data-testid=cai-error]:not([hidden])');
    assert.match(await text(page, 'cai-error'), /Line 1, column 12/);
    assert.equal(await page.locator('[data-testid=cai-error] mark').textContent(), 'harmfull');

    // Fixed: the front is drawn between the two principles.
    const front = '[data-testid=cai-front-chart] polyline';
    const frontBefore = await page.locator(front).getAttribute('points');
    await area.fill('harmless: -harmful\nhelpful: helpful');
    await page.waitForFunction(
      ([sel, prev]) => document.querySelector(sel)?.getAttribute('points') !== prev,
      [front, frontBefore],
    );
    await computed(page, 'cai');
    assert.equal(await page.locator('[data-testid=cai-error]').isHidden(), true);
    const sent = JSON.parse(await page.locator('.fw-cai').getAttribute('data-request'));
    const { data } = await post(env.server, '/api/cai', sent);
    assert.equal(data.constitution.length, 2);
    assert.match(await text(page, 'cai-front-chart-caption'), new RegExp(`helpfulness ${data.front.points[0].helpfulness.toFixed(2)}`));

    // More revision rounds: the supervised chart follows.
    await slide(page, 'cai-revisions', 8);
    await page.waitForFunction(() => /After 8 rounds/.test(document.querySelector('[data-testid=cai-revisions-chart-caption]')?.textContent ?? ''));

    await page.waitForLoadState('networkidle');
    // The one refused request was the misspelt constitution.
    const unexpected = problems.filter((p) => !/HTTP 400: POST .*\/api\/cai|status of 400/.test(p));
    assert.deepEqual(unexpected, []);
    await page.context().close();
  });

  for (const where of ['/feedback', '/']) {
    test(`${where}: each simulation opens with one sentence to watch; assumptions and fits are folded`, { timeout: 90_000 }, async () => {
      const { page, problems } = await openPage(env.browser);
      await page.goto(`${env.server.url}${where}`);
      for (const w of ['rlhf', 'cai']) {
        if (where === '/') await page.locator(`[data-widget=${w}]`).scrollIntoViewIfNeeded();
        await computed(page, w);
        const root = page.locator(`.fw-${w}`);
        // The first thing shown is one plain sentence.
        const first = await root.evaluate((r) => ({ cls: r.firstElementChild.className, text: r.firstElementChild.textContent }));
        assert.equal(first.cls, 'fw-watch');
        assert.match(first.text, /^Watch [^.]+\.$/, first.text);
        // The assumptions are in a closed disclosure: in the page, not on the screen.
        const notice = page.locator(`[data-testid=${w}-notice]`);
        assert.equal(await notice.evaluate((d) => d.tagName), 'DETAILS');
        assert.equal(await notice.getAttribute('open'), null);
        assert.ok((await page.locator(`[data-testid=${w}-assumptions] li`).count()) >= 5);
        assert.equal(await page.locator(`[data-testid=${w}-assumptions]`).isVisible(), false);
        // It comes after the charts.
        assert.ok(await root.evaluate((r) => Boolean(r.querySelector('.fw-charts').compareDocumentPosition(r.querySelector('.fw-notice')) & Node.DOCUMENT_POSITION_FOLLOWING)));
        // Nothing above it speaks of fits.
        const visible = await root.evaluate((r) => r.innerText);
        assert.doesNotMatch(visible, /R²|What it assumes/, visible);
        await page.click(`[data-testid=${w}-notice-summary]`);
        assert.equal(await page.locator(`[data-testid=${w}-assumptions]`).isVisible(), true);
      }
      // The fit statistics are inside the RLHF disclosure, shown once it is open.
      assert.equal(await page.locator('[data-testid=rlhf-notice] [data-testid=rlhf-bon-r2]').isVisible(), true);
      assert.match(await text(page, 'rlhf-bon-r2'), /^\d\.\d{3}$/);
      assert.deepEqual(problems, []);
      await page.context().close();
    });
  }

  test('one run of each simulation answers within a fraction of a second', { timeout: 60_000 }, async () => {
    // Warm once (the server works out every level's best score at start-up).
    await post(env.server, '/api/rlhf', {});
    await post(env.server, '/api/cai', {});
    for (const [path, body] of [['/api/rlhf', {}], ['/api/cai', {}]]) {
      const times = [];
      for (let i = 0; i < 3; i++) times.push((await post(env.server, path, body)).ms);
      const best = Math.min(...times);
      assert.ok(best < 1000, `${path}: ${times.map(Math.round).join(', ')} ms`);
      console.log(`${path}: ${times.map(Math.round).join(', ')} ms`);
    }
  });
});
