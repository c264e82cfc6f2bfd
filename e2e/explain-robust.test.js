// The robustness widgets on /: distributional shift, goal
// misgeneralization and the brittle policy. Each asks for a prediction,
// then shows the numbers `loophole explain NAME` computes for the same
// inputs, follows its controls, fits a phone and logs nothing.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { isolateWidgets, mountedWidget, openPage, useServerAndBrowser } from './fixture.js';
import { BIN } from './server.js';

const explain = (name, body) => JSON.parse(execFileSync(BIN, ['explain', name, '--input', JSON.stringify(body)], { encoding: 'utf8' }));
const pct = (x) => `${Math.round(x * 100)}%`;
const fmt = (x) => String(Math.round(x * 100) / 100);
const WORDS = { lava: 'died in the lava', goal: 'reached the goal', time: 'ran out of time' };
const MINE = ['shift', 'misgeneralization', 'brittle'];

async function open(env, name, options) {
  const { page, problems } = await openPage(env.browser, options);
  await isolateWidgets(page, MINE);
  await page.goto(env.server.url + '/');
  const box = await mountedWidget(page, name);
  return { page, problems, box };
}

const shows = (page, id, value, timeout = 15_000) =>
  page.waitForFunction(([i, v]) => document.querySelector(`[data-testid=${i}]`)?.textContent.trim() === v, [id, value], { timeout });

describe('the robustness widgets', () => {
  const env = useServerAndBrowser();

  test('shift: the trained robot walks into the moved lava, the replanner does not', { timeout: 120_000 }, async () => {
    const { page, problems, box } = await open(env, 'shift');
    assert.equal(await box.locator('[data-testid=shift-stage]').isHidden(), true);
    await box.locator('[data-testid=shift-predict-into]').check();
    for (const body of [{ agent: 'q-learning', seed: 0 }, { agent: 'value-iteration', seed: 3 }]) {
      if (body.agent !== 'q-learning') {
        await box.locator('[data-testid=shift-agent]').selectOption(body.agent);
        await box.locator('[data-testid=shift-seed]').fill(String(body.seed));
        await box.locator('[data-testid=shift-seed]').dispatchEvent('change');
      }
      const want = explain('shift', body);
      await shows(page, 'shift-status', `Trained by ${body.agent}, seed ${body.seed}.`);
      want.rooms.forEach((room) => assert.ok(room.level));
      for (const [i, room] of want.rooms.entries()) {
        assert.equal((await box.locator(`[data-testid=shift-${i}-outcome]`).textContent()).trim(), WORDS[room.trained.outcome]);
        assert.equal((await box.locator(`[data-testid=shift-${i}-return]`).textContent()).trim(), fmt(room.trained.return));
        assert.equal((await box.locator(`[data-testid=shift-${i}-lava-rate]`).textContent()).trim(), `${pct(room.trained_lava_rate)} of ${want.training.seeds}`);
        assert.equal((await box.locator(`[data-testid=shift-${i}-replanned]`).textContent()).trim(), `${WORDS[room.replanned.outcome]} (${fmt(room.replanned.return)})`);
      }
      // Test room 1: death in the lava, every seed; the replanner lives.
      assert.equal(want.rooms[1].trained.outcome, 'lava');
      assert.equal(want.rooms[1].trained_lava_rate, 1);
      assert.equal(want.rooms[1].replanned.outcome, 'goal');
    }
    assert.equal((await box.locator('[data-testid=shift-predict-verdict]').textContent()).trim(), 'You predicted it.');
    // Two paths per room; the replanner's path hides with its checkbox.
    assert.equal(await box.locator('.rb-path').count(), 6);
    await box.locator('[data-testid=shift-replan]').uncheck();
    assert.equal(await box.locator('.rb-path').count(), 3);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('misgeneralization: to the empty corner, wherever the goal is put', { timeout: 120_000 }, async () => {
    const { page, problems, box } = await open(env, 'misgeneralization');
    await box.locator('[data-testid=misgen-predict-corner]').check();
    const check = async (body) => {
      const want = explain('misgeneralization', body);
      await page.waitForFunction(
        ([a, b]) => {
          const t = document.querySelector('[data-testid=misgen-status]')?.textContent ?? '';
          return t.includes(a) && t.includes(b);
        },
        [`starts ${body.starts} (`, `goal at row ${body.goal[0]}, column ${body.goal[1]}.`],
      );
      await shows(page, 'misgen-old-rate', `${pct(want.old_goal_rate)} of ${want.training.seeds}`);
      await shows(page, 'misgen-return', fmt(want.test.return));
      assert.equal((await box.locator('[data-testid=misgen-goal-rate]').textContent()).trim(), `${pct(want.goal_rate)} of ${want.training.seeds}`);
      assert.equal((await box.locator('[data-testid=misgen-train-rate]').textContent()).trim(), `${pct(want.train_goal_rate)} of ${want.training.seeds}`);
      assert.equal((await box.locator('[data-testid=misgen-replanned]').textContent()).trim(), `${WORDS[want.replanned.outcome]} (${fmt(want.replanned.return)})`);
      return want;
    };
    const first = await check({ agent: 'q-learning', seed: 0, starts: 'many', goal: [5, 1] });
    assert.ok(first.old_goal_rate >= 0.8);
    assert.equal(first.goal_rate, 0);
    assert.equal((await box.locator('[data-testid=misgen-outcome]').textContent()).trim(), 'went to the empty corner');
    assert.equal((await box.locator('[data-testid=misgen-predict-verdict]').textContent()).trim(), 'You predicted it.');
    // Move the goal by keyboard (the list) and by tapping the map.
    await box.locator('[data-testid=misgen-goal]').selectOption('5,5');
    await check({ agent: 'q-learning', seed: 0, starts: 'many', goal: [5, 5] });
    const map = box.locator('[data-testid=misgen-test-map]');
    await map.scrollIntoViewIfNeeded();
    const rect = await map.boundingBox();
    // Row 4, column 2 of a 7 x 7 room.
    await page.mouse.click(rect.x + (2.5 / 7) * rect.width, rect.y + (4.5 / 7) * rect.height);
    await check({ agent: 'q-learning', seed: 0, starts: 'many', goal: [4, 2] });
    await box.locator('[data-testid=misgen-starts]').selectOption('one');
    const one = await check({ agent: 'q-learning', seed: 0, starts: 'one', goal: [4, 2] });
    assert.equal(one.starts, 'one');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('brittle: the adversary finds the tiles that kill it; the reader places one', { timeout: 120_000 }, async () => {
    const { page, problems, box } = await open(env, 'brittle');
    await box.locator('[data-testid=brittle-predict-quarter]').check();
    const want = explain('brittle', { agent: 'q-learning', seed: 0 });
    await shows(page, 'brittle-breaking', `${want.breaking} of ${want.candidates}`);
    assert.ok(want.breaking >= 1);
    assert.equal(want.replanner_failures, 0);
    assert.equal((await box.locator('[data-testid=brittle-replanner-failures]').textContent()).trim(), `0 of ${want.candidates}`);
    const w = want.worst;
    assert.equal(
      (await box.locator('[data-testid=brittle-worst]').textContent()).trim(),
      `row ${w.cell[0]}, column ${w.cell[1]}: ${WORDS[w.trained.outcome]} after ${w.trained.steps} steps (return ${fmt(w.trained.return)})`,
    );
    assert.equal(await box.locator('.rb-breaks').count(), want.breaking);
    assert.equal((await box.locator('[data-testid=brittle-predict-verdict]').textContent()).trim(), 'You predicted it.');
    // The reader's tile, picked from the list: on the route it kills.
    await box.locator('[data-testid=brittle-lava]').selectOption('2,4');
    const on = explain('brittle', { agent: 'q-learning', seed: 0, lava: [2, 4] });
    await shows(page, 'brittle-outcome', WORDS[on.chosen.trained.outcome]);
    assert.equal(on.chosen.trained.outcome, 'lava');
    assert.equal((await box.locator('[data-testid=brittle-return]').textContent()).trim(), fmt(on.chosen.trained.return));
    assert.equal((await box.locator('[data-testid=brittle-replanned]').textContent()).trim(), `${WORDS[on.chosen.replanned.outcome]} (${fmt(on.chosen.replanned.return)})`);
    // Tapped on the map, off the route: it never notices.
    await box.locator('[data-testid=brittle-map]').scrollIntoViewIfNeeded();
    const rect = await box.locator('[data-testid=brittle-map]').boundingBox();
    await page.mouse.click(rect.x + (4.5 / 9) * rect.width, rect.y + (4.5 / 7) * rect.height);

    const off = explain('brittle', { agent: 'q-learning', seed: 0, lava: [4, 4] });
    await shows(page, 'brittle-outcome', WORDS[off.chosen.trained.outcome]);
    assert.equal(off.chosen.trained.outcome, 'goal');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('all three fit a phone', { timeout: 120_000 }, async () => {
    for (const name of MINE) {
      const { page, problems, box } = await open(env, name, { viewport: { width: 390, height: 844 } });
      await box.locator('[data-testid$=-reveal]').click();
      await page.waitForFunction((n) => /Trained by/.test(document.querySelector(`[data-widget=${n}] [data-testid$=-status]`)?.textContent ?? ''), name);
      const overflow = await box.evaluate((el) => el.scrollWidth - el.clientWidth);
      assert.ok(overflow <= 1, `${name} wider than its box by ${overflow}px`);
      assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390);
      assert.deepEqual(problems, []);
      await page.context().close();
    }
  });

  test('the API refuses bad bodies with 400, naming the field', async () => {
    for (const [name, body, word] of [
      ['shift', { agent: 'mcts' }, 'agent'],
      ['shift', { seeds: 50 }, 'seeds'],
      ['misgeneralization', { goal: [0, 0] }, 'goal'],
      ['misgeneralization', { starts: 'all' }, 'starts'],
      ['brittle', { lava: [1, 1] }, 'lava'],
      ['brittle', { episodes: 1e9 }, 'episodes'],
      ['brittle', { colour: 'red' }, 'colour'],
    ]) {
      const res = await fetch(`${env.server.url}/api/explain/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 400, `${name} ${JSON.stringify(body)}`);
      assert.match((await res.json()).error.message, new RegExp(word));
    }
  });
});
