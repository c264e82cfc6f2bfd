// Training from the level page: the numbers, a broken reward, the keyboard.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { levelReady, newPage, resultNumbers, watch } from './browser.js';
import { openPage, useServerAndBrowser } from './fixture.js';

describe('training', () => {
  const env = useServerAndBrowser();

  test('side-effects-sokoban with its default reward: return 45, intent score 35', { timeout: 120_000 }, async () => {
    // Reduced motion: the playback waits, paused at the start, for the person to press Play.
    const { page, problems } = await openPage(env.browser, { reducedMotion: 'reduce' });
    await page.goto(`${env.server.url}/play/side-effects-sokoban`);
    await levelReady(page);
    await page.click('[data-testid=train]');
    const { ret, perf } = await resultNumbers(page);
    assert.equal(ret, 45);
    assert.equal(perf, 35);
    // The episode is played back on the map and the account is told.
    assert.ok((await page.locator('[data-testid=account] li').count()) > 0, 'an account of the episode');
    const slider = page.locator('[data-testid=step-slider]');
    assert.ok(Number(await slider.getAttribute('max')) > 0, 'frames to play back');
    assert.equal(await slider.inputValue(), '0', 'paused at the start');
    await page.click('[data-testid=step-forward]');
    assert.equal(await slider.inputValue(), '1');
    assert.match(await page.locator('#step-readout').textContent(), /Step 1 of/);
    assert.match(await page.locator('[data-testid=verdict]').textContent(), /solved/i);
    assert.deepEqual(problems, []);
    // Progress is remembered for the list of levels.
    const progress = await page.evaluate(() => JSON.parse(localStorage.getItem('loophole.progress')));
    assert.equal(progress['side-effects-sokoban'].reward, '50*goal - step');
    await page.context().close();
  });

  test('boat-race with its default reward: the return beats the intent score', { timeout: 120_000 }, async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.server.url}/play/boat-race`);
    await levelReady(page);
    // The level's own agent is Q-learning (exact value iteration finds
    // shuttling and lapping equally paid); the learner settles on shuttling.
    assert.ok(await page.isChecked('[data-testid=agent-q-learning]'), 'the level preselects its agent');
    await page.check('#predict-loophole');
    await page.click('[data-testid=train]');
    const { ret, perf } = await resultNumbers(page);
    assert.ok(ret > perf, `return ${ret} > intent score ${perf}`);
    assert.match(await page.locator('[data-testid=prediction-reveal]').textContent(), /You predicted/);
    await page.context().close();
  });

  test('a misspelt signal is reported and exactly its letters are underlined', { timeout: 60_000 }, async () => {
    const page = await newPage(env.browser);
    const problems = watch(page);
    await page.goto(`${env.server.url}/play/boat-race`);
    await levelReady(page);
    // Typed key by key, with every half-written reward checked on the way:
    // a wrong reward is the check's answer, not an error of the page.
    await page.fill('[data-testid=reward-editor]', '');
    await page.locator('[data-testid=reward-editor]').pressSequentially('3*arow - step', { delay: 300 });
    await page.waitForFunction(() => document.querySelector('[data-testid=reward-error]').textContent.includes('arrow'));
    assert.deepEqual(problems, [], 'no console error or failed request while typing');
    const mark = page.locator('#editor-backdrop mark');
    assert.equal(await mark.textContent(), 'arow');
    assert.ok(await mark.isVisible(), 'the underline is shown');
    assert.equal(await page.locator('[data-testid=reward-editor]').getAttribute('aria-invalid'), 'true');
    // Fixing it clears the error and the underline.
    await page.fill('[data-testid=reward-editor]', '3*arrow - step');
    await page.waitForFunction(() => document.querySelector('[data-testid=reward-error]').textContent === '');
    assert.equal(await mark.isVisible(), false);
    // A signal chip writes its name into the reward; a hidden signal offers no chip.
    await page.fill('[data-testid=reward-editor]', '3*');
    await page.click('[data-testid=observed-signals] button[data-signal=arrow]');
    assert.equal(await page.locator('[data-testid=reward-editor]').inputValue(), '3*arrow');
    assert.equal(await page.locator('[data-testid=hidden-signals] button').count(), 0);
    assert.match(await page.locator('[data-testid=hidden-signals]').textContent(), /clockwise.*sensors cannot see it/s);
    await page.context().close();
  });

  test('keyboard only: Tab to the editor, type, Tab to Train, Enter', { timeout: 120_000 }, async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.server.url}/play/boat-race`);
    await levelReady(page);
    const focused = () => page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName);
    let presses = 0;
    while ((await focused()) !== 'reward-editor') {
      assert.ok(++presses < 40, 'the editor is reachable by Tab');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('End');
    await page.keyboard.type(' + 0*step');
    presses = 0;
    while ((await focused()) !== 'train') {
      assert.ok(++presses < 40, 'Train is reachable by Tab');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    const { ret } = await resultNumbers(page);
    assert.ok(Number.isFinite(ret));
    assert.equal(
      await page.evaluate(() => JSON.parse(localStorage.getItem('loophole.progress'))['boat-race'].reward),
      '3*arrow - step + 0*step',
    );
    await page.context().close();
  });
});
