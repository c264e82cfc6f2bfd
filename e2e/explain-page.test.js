// The explainer on /: the article paints at once, stays put while its
// widgets load, fits a phone, and each of its own widgets shows the numbers
// the command line computes for the same inputs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { mountedWidget, openPage, useServerAndBrowser } from './fixture.js';
import { BIN } from './server.js';

/** Runs the loophole binary and parses its JSON. */
const cli = (...args) => JSON.parse(execFileSync(BIN, args, { encoding: 'utf8' }));
const run = (level, reward, ...more) => cli('run', '--level', level, `--reward=${reward}`, '--json', ...more);
const num = async (locator) => Number((await locator.textContent()).trim());

/**
 * Every shown SVG <text> of the page, with the size it is drawn at on the
 * screen: its computed font size times the scale its SVG is drawn at.
 */
const svgTextSizes = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('svg text')]
      .filter((t) => t.getClientRects().length > 0 && t.textContent.trim() !== '')
      .map((t) => {
        const m = t.getScreenCTM();
        const scale = Math.hypot(m.a, m.b);
        const where = t.closest('[data-widget]')?.dataset.widget ?? t.closest('[data-testid]')?.dataset.testid ?? '?';
        return { px: parseFloat(getComputedStyle(t).fontSize) * scale, text: t.textContent, where, cls: t.getAttribute('class') };
      }));

describe('the explainer page', () => {
  const env = useServerAndBrowser();

  test('paints its text before any computation, and what it loads first is small', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    const api = [];
    let bytes = 0;
    page.on('request', (req) => {
      if (new URL(req.url()).pathname.startsWith('/api/')) api.push(req.url());
    });
    page.on('response', async (res) => {
      const body = await res.body().catch(() => Buffer.alloc(0));
      bytes += body.length;
    });
    await page.goto(env.server.url + '/', { waitUntil: 'domcontentloaded' });
    // Every section heading is in the HTML itself.
    const headings = await page.locator('main h2').allTextContents();
    for (const h of ['From a wish to a behaviour', '“Just be helpful”', 'Learning the reward from people', 'Why patches are not enough', 'Try it yourself', 'Stronger makes it worse', 'What researchers are trying', 'Sources and further reading']) {
      assert.ok(headings.includes(h), `heading ${h} in ${headings}`);
    }
    assert.equal(api.length, 0, 'no API call before the page has even loaded');
    await page.waitForLoadState('networkidle');
    // The first screen's weight: HTML, CSS, the loader and the first widgets' modules.
    assert.ok(bytes < 200_000, `first load transferred ${bytes} bytes`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('nothing jumps while the widgets load, and nothing is wider than a phone', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser, { viewport: { width: 390, height: 844 } });
    await page.addInitScript(() => {
      window.__shift = 0;
      window.__shifts = [];
      const name = (n) => {
        if (!n || n.nodeType !== 1) return String(n && n.nodeName);
        const w = n.closest('[data-widget]');
        return `${n.tagName.toLowerCase()}${n.className ? '.' + String(n.className).split(' ')[0] : ''}` +
          (w ? ` in ${w.dataset.widget}` : '');
      };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.hadRecentInput) continue;
          window.__shift += e.value;
          window.__shifts.push(`${e.value.toFixed(3)}: ${(e.sources || []).map((s) => name(s.node)).join(', ')}`);
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(env.server.url + '/');
    const names = await page.locator('[data-widget]').evaluateAll((els) => els.map((e) => e.dataset.widget));
    assert.ok(names.length >= 15, `widgets: ${names}`);
    for (const n of names) await mountedWidget(page, n);
    await page.waitForLoadState('networkidle');
    const shift = await page.evaluate(() => window.__shift);
    const shifts = await page.evaluate(() => window.__shifts);
    assert.ok(shift < 0.1, `cumulative layout shift ${shift}: ${shifts.join('; ')}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width} px wide at 390`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  for (const width of [1280, 390]) {
    test(`every chart and map label is at least 12 px at ${width} px wide, on / and /feedback`, { timeout: 180_000 }, async () => {
      const { page, problems } = await openPage(env.browser, { viewport: { width, height: 900 } });
      await page.goto(env.server.url + '/');
      const names = await page.locator('[data-widget]').evaluateAll((els) => els.map((e) => e.dataset.widget));
      for (const n of names) await mountedWidget(page, n);
      // The charts that are drawn only on request: a sweep's ticks, the oversight curves.
      await page.check('[data-testid=scale-predict-worse]');
      await page.click('[data-testid=scale-run]');
      await page.locator('[data-testid=scale-note]').filter({ hasText: /peaks/ }).waitFor({ timeout: 90_000 });
      await page.click('[data-testid=oversight-reveal]');
      await page.locator('[data-widget=oversight] svg.fw-chart .fw-tick').first().waitFor();
      await page.waitForFunction(() => /Computed in/.test(document.querySelector('[data-widget=cai] [data-testid=cai-status]')?.textContent ?? ''));
      await page.waitForLoadState('networkidle');
      const home = await svgTextSizes(page);
      // Ticks of the sweep's chart and of the figures are among them.
      assert.ok(home.some((t) => t.where === 'scale' && /tick/.test(t.cls)), 'the sweep chart has ticks');
      assert.ok(home.some((t) => t.where === 'rlhf' && /fw-key/.test(t.cls)), 'the RLHF figures have keys');
      assert.ok(home.length > 100, `${home.length} labels on /`);
      await page.goto(env.server.url + '/feedback');
      await page.waitForFunction(() => /Computed in/.test(document.querySelector('[data-testid=cai-status]')?.textContent ?? ''));
      await page.waitForFunction(() => /Computed in/.test(document.querySelector('[data-testid=rlhf-status]')?.textContent ?? ''));
      const feedback = await svgTextSizes(page);
      assert.ok(feedback.length > 40, `${feedback.length} labels on /feedback`);
      const small = [...home, ...feedback].filter((t) => t.px < 12 - 0.01);
      assert.deepEqual(small.map((t) => `${t.where} ${t.cls}: “${t.text}” at ${t.px.toFixed(1)} px`), []);
      assert.deepEqual(problems, []);
      await page.context().close();
    });
  }

  test('the key words are defined before the widgets that use them, and every source is a link', async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/', { waitUntil: 'domcontentloaded' });
    const terms = await page.locator('dl.terms dt').allTextContents();
    assert.deepEqual(terms, ['Reward', 'Intent score', 'Optimization power', 'Proxy', 'Gold']);
    // Each is defined before the first widget that needs it.
    const before = (a, b) => page.evaluate(([x, y]) => Boolean(document.querySelector(x).compareDocumentPosition(document.querySelector(y)) & Node.DOCUMENT_POSITION_FOLLOWING), [a, b]);
    assert.ok(await before('#term-intent', '[data-widget=chain]'), 'intent score before the first scores');
    assert.ok(await before('#term-power', '[data-widget=helpful]'), 'power before the first planner');
    assert.ok(await before('#term-gold', '[data-widget=rlhf]'), 'proxy and gold before the RLHF curves');
    const items = page.locator('[data-testid=sources] > li');
    const count = await items.count();
    assert.ok(count >= 9, `${count} sources`);
    for (let i = 0; i < count; i++) {
      const item = items.nth(i);
      const hrefs = await item.locator('a[href]').evaluateAll((as) => as.map((a) => a.href));
      assert.ok(hrefs.length >= 1, `source ${i + 1} has a link: ${await item.textContent()}`);
      for (const h of hrefs) assert.match(h, /^https:\/\/(arxiv\.org\/abs\/\d{4}\.\d{5}|www\.youtube\.com\/|vkrakovna\.wordpress\.com\/|cdn\.aaai\.org\/)/, h);
      // A paper with an arXiv number links to its abstract page.
      const id = (await item.textContent()).match(/arXiv:(\d{4}\.\d{5})/);
      if (id) assert.ok(hrefs.includes(`https://arxiv.org/abs/${id[1]}`), `arXiv:${id[1]} is linked`);
      // The title itself is the link.
      assert.equal(await item.locator('a cite').count(), 1, `the title of source ${i + 1} is its link`);
    }
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('chain: the boat trained on checkpoints, as the CLI trains it', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/');
    await mountedWidget(page, 'chain');
    await page.check('[data-testid=chain-predict-laps]');
    // By keyboard: focus the button and press Enter.
    await page.focus('[data-testid=chain-train]');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=chain-status]').filter({ hasText: /ms on the server/ }).waitFor();
    const ref = run('boat-race', '3*arrow - step');
    assert.equal(await num(page.locator('[data-testid=chain-scores-return]')), ref.return);
    assert.equal(await num(page.locator('[data-testid=chain-scores-intent]')), ref.performance);
    assert.ok(ref.return > ref.performance, 'the reward is gamed');
    assert.match(await page.locator('[data-testid=chain-predict-verdict]').textContent(), /Not what you predicted/);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('helpful: each reading optimized, with the CLI numbers', { timeout: 90_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/');
    await mountedWidget(page, 'helpful');
    const readings = { most: 'cleaned', careful: 'cleaned - 10*tipped', harmless: '-tipped' };
    for (const [id, reward] of Object.entries(readings)) {
      await page.check(`[data-testid=helpful-${id}]`);
      await page.click('[data-testid=helpful-run]');
      const cell = page.locator(`[data-testid=helpful-intent-${id}]`);
      await cell.waitFor();
      const ref = run('cleaning-robot', reward);
      assert.equal(await num(cell), ref.performance, id);
      assert.equal(await num(page.locator('[data-testid=helpful-scores-return]')), ref.return, id);
    }
    const intent = async (id) => num(page.locator(`[data-testid=helpful-intent-${id}]`));
    // Paid per patch, the robot makes mess; careful, it cleans; harmless, it does nothing.
    assert.ok((await intent('careful')) > (await intent('most')));
    assert.ok((await intent('careful')) > (await intent('harmless')));
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('shallow: exemplary when watched, the shortcut when not', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/');
    await mountedWidget(page, 'shallow');
    await page.check('[data-testid=shallow-predict-shortcut]');
    await page.click('[data-testid=shallow-run]');
    await page.locator('[data-testid=shallow-summary]').filter({ hasText: /intent score/ }).waitFor();
    const ref = cli('explain', 'shallow');
    assert.equal(await num(page.locator('[data-testid=shallow-watched-scores-return]')), ref.watched.episode.return);
    assert.equal(await num(page.locator('[data-testid=shallow-watched-scores-intent]')), ref.watched.episode.performance);
    assert.equal(await num(page.locator('[data-testid=shallow-unwatched-scores-return]')), ref.unwatched.episode.return);
    assert.equal(await num(page.locator('[data-testid=shallow-unwatched-scores-intent]')), ref.unwatched.episode.performance);
    assert.deepEqual([ref.watched.shortcuts, ref.unwatched.shortcuts], [0, 1]);
    assert.match(await page.locator('[data-testid=shallow-summary]').textContent(), new RegExp(`intent score is ${ref.expected_performance}\\.`));
    assert.equal(await page.locator('[data-testid=shallow-predict-verdict]').textContent(), 'You predicted it.');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('conflict: the weights move the choice, as the CLI computes it', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/');
    await mountedWidget(page, 'conflict');
    const score = (aim) => num(page.locator(`[data-testid=conflict-score-${aim}]`));
    await page.locator('[data-testid=conflict-summary]').filter({ hasText: /different behaviours/ }).waitFor();
    const even = cli('explain', 'conflict', '--input', '{"helpful":5,"harmless":5,"honest":5}');
    assert.equal(await score('honest'), even.chosen.scores[2]);
    // Only helpfulness counts: the keyboard moves the other sliders to 0.
    for (const aim of ['harmless', 'honest']) {
      await page.focus(`[data-testid=conflict-${aim}]`);
      await page.keyboard.press('Home');
    }
    const only = cli('explain', 'conflict', '--input', '{"helpful":5,"harmless":0,"honest":0}');
    await page.waitForFunction((v) => document.querySelector('[data-testid=conflict-score-helpful]').textContent === String(v), only.chosen.scores[0]);
    assert.equal(await score('harmless'), only.chosen.scores[1]);
    assert.ok(only.chosen.scores[0] > even.chosen.scores[0] && only.chosen.scores[1] < even.chosen.scores[1]);
    assert.match(await page.locator('[data-testid=conflict-summary]').textContent(), new RegExp(`${only.behaviours.length} different behaviours`));
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('play: a misspelt reward is pointed at; a good one solves the level inline', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/');
    await mountedWidget(page, 'play');
    const input = page.locator('[data-testid=play-reward]');
    await page.waitForFunction(() => (document.querySelector('[data-testid=play-reward]')?.value ?? '') !== '');
    await input.fill('50*goal - stp');
    await page.locator('[data-testid=play-check]').filter({ hasText: /did you mean `step`/ }).waitFor();
    const reward = '50*goal - step - 5*box_walls';
    await input.fill(reward);
    await page.locator('[data-testid=play-check]').filter({ hasText: 'This reward compiles.' }).waitFor();
    await input.press('Enter');
    await page.locator('[data-testid=play-verdict]').filter({ hasText: /Solved/ }).waitFor();
    const ref = run('side-effects-sokoban', reward);
    assert.equal(await num(page.locator('[data-testid=play-scores-return]')), ref.return);
    assert.equal(await num(page.locator('[data-testid=play-scores-intent]')), ref.performance);
    // The misspelt reward's check was answered 400, as it should be; nothing else complained.
    assert.deepEqual(problems.filter((p) => !/400|Bad Request/.test(p)), []);
    assert.ok(problems.length <= 2, problems.join('\n'));
    await page.context().close();
  });

  test('play: a reward error is shown once, in place, and an old result says it is old', { timeout: 90_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/');
    const box = await mountedWidget(page, 'play');
    const input = page.locator('[data-testid=play-reward]');
    await page.waitForFunction(() => (document.querySelector('[data-testid=play-reward]')?.value ?? '') !== '');
    const check = page.locator('[data-testid=play-check]');
    const alert = page.locator('[data-testid=play-error]');
    const stale = page.locator('[data-testid=play-stale]');
    /** How many shown elements of the widget carry the error's message, and the marks. */
    const shown = async (pattern) => {
      const lines = await box.locator('p, li, [role=alert]').evaluateAll((els, src) => els.filter((e) => e.getClientRects().length > 0 && new RegExp(src).test(e.textContent)).length, pattern.source);
      return { lines, marks: await box.locator('mark').count() };
    };

    // A result first.
    const good = '50*goal - step - 5*box_walls';
    await input.fill(good);
    await check.filter({ hasText: 'This reward compiles.' }).waitFor();
    await input.press('Enter');
    await page.locator('[data-testid=play-verdict]').filter({ hasText: /Solved/ }).waitFor();
    const ref = run('side-effects-sokoban', good);
    assert.equal(await num(page.locator('[data-testid=play-scores-intent]')), ref.performance);
    assert.equal(await stale.isVisible(), false);

    // Misspelt: the message and the marked mistake, once, under the box; the result is marked old.
    await input.fill('50*goal - stp');
    await check.filter({ hasText: /did you mean `step`/ }).waitFor();
    assert.equal(await check.locator('mark').textContent(), 'stp');
    assert.match(await check.textContent(), /^Column 11: unknown signal `stp`/);
    assert.deepEqual(await shown(/unknown signal `stp`/), { lines: 1, marks: 1 });
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.equal(await stale.isVisible(), true);
    assert.match(await stale.textContent(), new RegExp(`earlier reward “${good.replace(/[*]/g, '\\*')}”`));
    assert.match(await box.locator('.demo-result').getAttribute('class'), /demo-stale/);

    // Training it anyway: still one message, not a second copy in the alert line.
    await input.press('Enter');
    await page.waitForFunction(() => !document.querySelector('[data-testid=play-train]').disabled && document.querySelector('[data-testid=play-verdict]').textContent !== 'Planning…');
    assert.equal(await alert.isVisible(), false);
    assert.deepEqual(await shown(/unknown signal `stp`/), { lines: 1, marks: 1 });
    // The old numbers are still marked as another reward's.
    assert.equal(await stale.isVisible(), true);
    assert.equal(await num(page.locator('[data-testid=play-scores-intent]')), ref.performance);

    // Back to the trained reward: the result is its own again.
    await input.fill(good);
    await check.filter({ hasText: 'This reward compiles.' }).waitFor();
    assert.equal(await stale.isVisible(), false);
    assert.equal(await box.locator('mark').count(), 0);
    assert.equal(await input.getAttribute('aria-invalid'), null);
    assert.deepEqual(problems.filter((p) => !/400|Bad Request/.test(p)), []);
    await page.context().close();
  });

  test('capability: weak and strong optimizers of profit, as the CLI runs them', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/');
    await mountedWidget(page, 'capability');
    await page.check('[data-testid=capability-predict-strong]');
    await page.click('[data-testid=capability-run]');
    await page.locator('[data-testid=capability-predict-verdict]').filter({ hasText: /predicted/ }).waitFor();
    for (const [side, power] of [['weak', '2'], ['strong', '24']]) {
      const ref = run('company-profits', 'profit', '--agent', 'value-iteration', '--power', power);
      assert.equal(await num(page.locator(`[data-testid=capability-${side}-scores-return]`)), ref.return, side);
      assert.equal(await num(page.locator(`[data-testid=capability-${side}-scores-intent]`)), ref.performance, side);
    }
    assert.equal(await page.locator('[data-testid=capability-predict-verdict]').textContent(), 'You predicted it.');
    await page.click('[data-testid=capability-sweep]');
    await page.locator('[data-testid=capability-note]').filter({ hasText: /peaks/ }).waitFor();
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('RLHF and CAI on the article: the numbers of `loophole rlhf` and `loophole cai`', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/');
    await mountedWidget(page, 'rlhf');
    await page.waitForFunction(() => /Computed in/.test(document.querySelector('[data-widget=rlhf] [data-testid=rlhf-status]')?.textContent ?? ''));
    const sent = JSON.parse(await page.locator('[data-widget=rlhf] .fw-rlhf').getAttribute('data-request'));
    const rlhf = cli('rlhf', '--json', '--comparisons', String(sent.comparisons), '--rater-bias', String(sent.rater_bias), '--max-n', String(sent.max_n ?? 1024));
    const bon = rlhf.best_of_n;
    assert.equal(Number(await page.locator('[data-widget=rlhf] [data-testid=rlhf-bon-peak-n]').textContent()), bon.points[bon.peak].n);
    assert.equal(await page.locator('[data-widget=rlhf] [data-testid=rlhf-grid-reward]').textContent(), rlhf.gridworld.reward);

    await mountedWidget(page, 'cai');
    const caption = page.locator('[data-widget=cai] [data-testid=cai-revisions-chart-caption]');
    await caption.filter({ hasText: /After \d+ rounds/ }).waitFor();
    const cai = cli('cai', '--json');
    const last = cai.revisions[cai.revisions.length - 1];
    const text = await caption.textContent();
    assert.match(text, new RegExp(`After ${last.round} rounds: harmlessness ${last.harmlessness.toFixed(2)}, helpfulness ${last.helpfulness.toFixed(2)}`));
    await page.waitForLoadState('networkidle');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('scale: the cleaning robot gets dirtier with a longer horizon', { timeout: 90_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(env.server.url + '/');
    await mountedWidget(page, 'scale');
    await page.check('[data-testid=scale-predict-worse]');
    await page.click('[data-testid=scale-run]');
    const note = page.locator('[data-testid=scale-note]');
    await note.filter({ hasText: /peaks/ }).waitFor({ timeout: 60_000 });
    // The longest horizon is exact planning: the CLI's run at full power.
    const full = run('cleaning-robot', 'cleaned', '--agent', 'value-iteration');
    assert.match(await note.textContent(), new RegExp(`falls to ${full.performance} at power ${full.power}`));
    assert.equal(await page.locator('[data-testid=scale-predict-verdict]').textContent(), 'You predicted it.');
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
