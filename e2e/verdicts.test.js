// What a first-time reader sees after Train: the engine's verdict over every
// kind of episode (not the one episode shown), a best that is a true bound
// or labelled as the best found, the agent's trail and one sentence of what
// it did, the level's next step, and the map in view on a phone. The numbers
// are compared with the command line's on the same inputs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { levelReady, resultNumbers } from './browser.js';
import { openPage, useServerAndBrowser } from './fixture.js';
import { BIN } from './server.js';

/** `loophole run --json` on the same inputs as a page's Train. */
function cliRun(level, reward) {
  const args = ['run', '--level', level, '--json'];
  if (reward !== undefined) args.push('--reward', reward);
  return JSON.parse(execFileSync(BIN, args, { encoding: 'utf8' }));
}

async function train(page, { predict } = {}) {
  if (predict) await page.check(`#predict-${predict}`);
  await page.click('[data-testid=train]');
  return resultNumbers(page);
}

const text = (page, testid) => page.locator(`[data-testid=${testid}]`).innerText();

describe('verdicts a reader can trust', () => {
  const env = useServerAndBrowser();

  test('safe interruptibility is judged over both kinds of episode, as the CLI judges it', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/play/safe-interruptibility`);
    await levelReady(page);
    const { ret, perf } = await train(page, { predict: 'intent' });
    const cli = cliRun('safe-interruptibility');
    // Seed 0 draws no interruption: the episode shown scores well...
    assert.deepEqual([ret, perf], [cli.return, cli.performance]);
    // ...but the design is judged over both draws, and it disables the button.
    assert.equal(cli.verdict.outcome, 'loophole');
    assert.match(await text(page, 'verdict'), /^Not solved/);
    assert.ok((await text(page, 'verdict')).includes(String(cli.verdict.mean_performance)), 'the verdict quotes the mean');
    assert.match(await text(page, 'prediction-reveal'), /Not what you expected.*found a loophole/s);
    assert.doesNotMatch(await text(page, 'prediction-reveal'), /You called it/);
    // Each kind of episode is shown, with the intent score the engine gives it.
    const rows = page.locator('#case-rows tr');
    assert.equal(await rows.count(), 2);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    for (const c of cli.verdict.cases) {
      const row = cells.find((r) => r[0].startsWith(`interrupt = ${c.params.interrupt}`));
      assert.ok(row, `a row for interrupt = ${c.params.interrupt}: ${JSON.stringify(cells)}`);
      assert.equal(Number(row[2]), c.performance);
    }
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a best found by search is labelled so, and a design beating it is never shown above 100 %', { timeout: 180_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/play/rocks-diamonds`);
    await levelReady(page);
    await page.fill('[data-testid=reward-editor]', 'diamond_pay');
    await train(page);
    const verdict = await text(page, 'verdict');
    const cli = cliRun('rocks-diamonds', 'diamond_pay');
    assert.equal(cli.verdict.best, 'found');
    assert.match(verdict, /best intent score found so far/);
    for (const m of verdict.matchAll(/(-?\d+)%/g)) {
      const pct = Number(m[1]);
      assert.ok(pct >= 0 && pct <= 100, `a share of ${pct}% in: ${verdict}`);
    }
    if (cli.verdict.mean_performance > cli.verdict.best_performance) assert.match(verdict, /better than the best/);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('the map shows the trail and one sentence says what the agent did', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser, { reducedMotion: 'reduce' });
    await page.goto(`${env.server.url}/play/boat-race`);
    await levelReady(page);
    assert.equal(await page.locator('[data-testid=trail]').count(), 0, 'no trail before a run');
    await train(page);
    const cli = cliRun('boat-race');
    assert.equal(await text(page, 'episode-summary'), `What it did: ${cli.summary}`);
    assert.match(cli.summary, /back and forth/);
    // Step to the end: the trail covers every step of the episode.
    await page.fill('[data-testid=step-slider]', String(cli.steps));
    const trail = page.locator('[data-testid=trail]');
    assert.equal(Number(await trail.getAttribute('data-steps')), cli.steps);
    // The cell it drove over most is marked with that many visits.
    const most = Math.max(...(await trail.locator('circle').evaluateAll((cs) => cs.map((c) => Number(c.dataset.visits)))));
    assert.ok(most >= 40, `the most visited cell has ${most} visits`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('the conveyor belt\'s vase is drawn as a vase before training', async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/play/conveyor-belt`);
    await levelReady(page);
    const kinds = await page.locator('[data-testid=level-map] .tiles > .tile').evaluateAll((ts) => ts.map((t) => t.dataset.kind));
    const width = 7;
    assert.equal(kinds[3 * width + 1], 'vase', 'the O of the level file is the vase');
    assert.equal(kinds.filter((k) => k === 'vase').length, 1);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a level solved on the first Train shows its next step, which fills in its reward', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser);
    const level = await (await fetch(`${env.server.url}/api/levels/whisky-gold`)).json();
    assert.ok(level.next && level.next.reward, 'whisky-gold suggests a reward');
    await page.goto(`${env.server.url}/play/whisky-gold`);
    await levelReady(page);
    await train(page);
    assert.ok(await page.locator('[data-testid=next-step]').isVisible());
    assert.equal(await page.locator('#next-step-text').innerText(), level.next.text.replace(/\s+/g, ' '));
    await page.click('[data-testid=next-step-use]');
    assert.equal(await page.locator('[data-testid=reward-editor]').inputValue(), level.next.reward);
    // Trained on the suggestion, the agent finds what it shows.
    const { ret, perf } = await train(page);
    const cli = cliRun('whisky-gold', level.next.reward);
    assert.deepEqual([ret, perf], [cli.return, cli.performance]);
    assert.equal(await page.locator('[data-testid=next-step]').isVisible(), false, 'no suggestion of what was just tried');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a distributional-shift test level says where its agent learned', async () => {
    const { page, problems } = await openPage(env.browser);
    await page.goto(`${env.server.url}/play/distributional-shift-test1`);
    await levelReady(page);
    const note = page.locator('[data-testid=train-level-note]');
    assert.ok(await note.isVisible());
    assert.equal(await note.locator('a').getAttribute('href'), '/play/distributional-shift');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('on a phone, the map is in view when the episode plays', { timeout: 120_000 }, async () => {
    const { page, problems } = await openPage(env.browser, { viewport: { width: 390, height: 844 }, reducedMotion: 'reduce' });
    await page.goto(`${env.server.url}/play/tomato-watering`);
    await levelReady(page);
    await page.locator('[data-testid=train]').scrollIntoViewIfNeeded();
    const before = await page.locator('[data-testid=level-map]').boundingBox();
    assert.ok(before.y + before.height < 0 || before.y > 844, 'the map is out of view when Train is pressed');
    await train(page);
    await page.waitForFunction(() => {
      const r = document.querySelector('[data-testid=level-map]').getBoundingClientRect();
      return r.top >= 0 && r.top < innerHeight;
    });
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
