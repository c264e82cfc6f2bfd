// Every tile is drawn as what it is, before training and in every frame of
// the played episode: on the level page of every built-in level, and in
// every explainer widget that draws a map. (The bug this guards against:
// frames decoded by a table of the page's own drew whisky, water, lava,
// belts, rocks and targets as bare floor.)
//
// What was drawn is read off the page (every drawn cell has a `data-kind`,
// the agent a `data-cell`), never from the rows the API sent. Two checks:
// - every cell drawn before training is drawn as the same kind at step 0;
// - every kind of the level's legend (GET /api/levels) is drawn in some
//   frame, and no cell is drawn as a kind the page could not name.
// The one exception: a kind that is a per-episode draw (the supervisor's
// marks) is drawn before training as if the draw came out present, so at
// step 0 its cells may be floor instead, and an episode may never show it.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { levelReady, resultNumbers } from './browser.js';
import { isolateWidgets, mountedWidget, openPage, useServerAndBrowser } from './fixture.js';

/** Kinds that are drawn per episode: present in one, absent in another. */
const PER_EPISODE = new Set(['supervisor']);

/** The legends of the rooms the explainer builds in code, which GET /api/levels does not list. */
const ROOMS = {
  'corner-train': ['wall', 'floor', 'agent', 'goal'],
  'corner-test': ['wall', 'floor', 'agent', 'goal'],
  'vase-room': ['wall', 'floor', 'agent', 'box', 'goal', 'water'],
};

/** Pages and runs at once: the server computes two runs at a time on a small machine. */
const AT_ONCE = 2;

/**
 * Defines, in the page, `__shown(svg)` (the kinds a map shows now and the
 * agent's cell), `__seek(range, i)` (moves a playback slider to step i, as
 * a person would) and `__played(range, svg)` (every kind the map shows
 * while the slider `range` goes through every step).
 */
function readers() {
  window.__shown = (svg) => {
    const agent = svg.querySelector('.agent[data-cell]');
    return {
      cells: [...svg.querySelectorAll('.tiles > [data-kind]')].map((n) => n.dataset.kind),
      agent: agent && agent.style.visibility !== 'hidden' ? agent.dataset.cell : null,
    };
  };
  window.__seek = (range, i) => {
    range.value = String(i);
    range.dispatchEvent(new Event('input', { bubbles: true }));
  };
  window.__played = (range, svg) => {
    const kinds = new Set();
    for (let i = 0; i <= Number(range.max); i++) {
      window.__seek(range, i);
      const { cells, agent } = window.__shown(svg);
      for (const k of cells) kinds.add(k);
      if (agent !== null) kinds.add('agent');
    }
    return [...kinds];
  };
}

const shown = (page, svg) => page.locator(svg).evaluate((s) => window.__shown(s));
const seek = (page, range, i) => page.evaluate(([r, n]) => window.__seek(document.querySelector(r), n), [range, i]);
const played = (page, range, svg) =>
  page.evaluate(([r, s]) => window.__played(document.querySelector(r), document.querySelector(s)), [range, svg]);

/** What differs between a map before training and at step 0, in words (empty when nothing does). */
function changedAtStart(where, drawn, start) {
  const wrong = [];
  if (drawn.cells.length !== start.cells.length) {
    return [`${where}: ${drawn.cells.length} cells before training, ${start.cells.length} at step 0`];
  }
  drawn.cells.forEach((kind, i) => {
    const now = start.cells[i];
    const same = PER_EPISODE.has(kind) ? now === kind || now === 'floor' : now === kind;
    if (!same) wrong.push(`${where}: cell ${i} is ${kind} before training, ${now} at step 0`);
  });
  if (drawn.agent !== start.agent) wrong.push(`${where}: the agent stands on cell ${drawn.agent} before training, ${start.agent} at step 0`);
  return wrong;
}

/** What of `legend` the drawn `kinds` miss, or draw that nobody named, in words. */
function missing(where, legend, kinds) {
  const drawn = new Set(kinds);
  const wrong = legend.filter((k) => !PER_EPISODE.has(k) && !drawn.has(k)).map((k) => `${where}: no frame draws ${k}`);
  if (drawn.has('unknown')) wrong.push(`${where}: a character of the frames is drawn as an unknown kind`);
  return wrong;
}

/** Runs `each` on every item, `AT_ONCE` at a time. */
async function inTurns(items, each) {
  const queue = [...items];
  await Promise.all(Array.from({ length: AT_ONCE }, async () => {
    while (queue.length) await each(queue.shift());
  }));
}

describe('playback draws every tile as itself', () => {
  const env = useServerAndBrowser();
  const legends = new Map();
  let levels;

  before(async () => {
    levels = await env.server.json('/api/levels');
    for (const l of levels) legends.set(l.id, [...new Set(Object.values(l.legend))]);
    for (const [id, kinds] of Object.entries(ROOMS)) legends.set(id, kinds);
  });

  const legendOf = (id) => {
    assert.ok(legends.has(id), `no legend known for the level ${id}`);
    return legends.get(id);
  };

  test('on the level page of every built-in level, before training and in every frame', { timeout: 300_000 }, async () => {
    assert.ok(levels.length >= 15, `expected the built-in levels, got ${levels.length}`);
    const wrong = [];
    await inTurns(levels, async (level) => {
      // Reduced motion: the playback waits at step 0 after training.
      const { page, problems } = await openPage(env.browser, { reducedMotion: 'reduce' });
      await page.addInitScript(readers);
      await page.goto(`${env.server.url}/play/${level.id}`);
      await levelReady(page);
      const map = '[data-testid=level-map]';
      const grid = level.width > 0;
      const untrained = await shown(page, map);
      await page.click('[data-testid=train]');
      await resultNumbers(page);
      if (grid) {
        assert.equal(await page.locator('[data-testid=step-slider]').inputValue(), '0', `${level.id}: playback starts at step 0`);
        wrong.push(...changedAtStart(level.id, untrained, await shown(page, map)));
        wrong.push(...missing(level.id, legendOf(level.id), await played(page, '[data-testid=step-slider]', map)));
      } else {
        // A world that is not a grid (the company) is a board of text lines: no tiles, no legend.
        assert.deepEqual(level.legend, {}, `${level.id}: a level without a map has no legend`);
        assert.ok((await page.locator(`${map} .board-line`).count()) > 0, `${level.id}: the board shows its lines`);
      }
      assert.deepEqual(problems, [], `${level.id} complained`);
      await page.context().close();
    });
    assert.deepEqual(wrong, []);
  });

  /**
   * The explainer's widgets that draw maps: how to start each, when it is
   * done, the maps it draws before training (`before`), and each
   * map it draws after, with the level it shows, its playback slider (null
   * where a widget shows one picture, the start) and kinds it must draw
   * besides the level's legend (`also`).
   */
  const WIDGETS = [
    {
      name: 'chain',
      start: (page) => page.click('[data-testid=chain-train]'),
      done: ['chain-status', /ms on the server/],
      maps: [{ level: 'boat-race', svg: '[data-testid=chain-player] > svg', range: '[data-testid=chain-player-step]' }],
    },
    {
      name: 'helpful',
      start: async (page) => {
        await page.check('[data-testid=helpful-most]');
        await page.click('[data-testid=helpful-run]');
      },
      done: ['helpful-status', /ms\./],
      // Paid per patch cleaned, the robot tips the bin over to have more to clean: its mess must show.
      maps: [{ level: 'cleaning-robot', svg: '[data-testid=helpful-player] > svg', range: '[data-testid=helpful-player-step]', also: ['tipped bin'] }],
    },
    {
      name: 'shallow',
      start: (page) => page.click('[data-testid=shallow-run]'),
      done: ['shallow-summary', /intent score/],
      maps: ['watched', 'unwatched'].map((side) => ({
        level: 'absent-supervisor',
        svg: `[data-testid=shallow-${side}-player] > svg`,
        range: `[data-testid=shallow-${side}-player-step]`,
      })),
    },
    {
      name: 'play',
      before: ['[data-testid=play-player] > svg'],
      start: async (page) => {
        await page.waitForFunction(() => document.querySelector('[data-testid=play-reward]')?.value !== '');
        await page.click('[data-testid=play-train]');
      },
      done: ['play-verdict', /solved/i],
      maps: [{ level: 'side-effects-sokoban', svg: '[data-testid=play-player] > svg', range: '[data-testid=play-player-step]' }],
    },
    {
      name: 'shift',
      start: (page) => page.click('[data-testid=shift-reveal]'),
      done: ['shift-status', /Trained by/],
      maps: ['distributional-shift', 'distributional-shift-test1', 'distributional-shift-test2'].map((level, i) => ({
        level,
        svg: `svg[data-testid=shift-map-${i}]`,
        range: null,
      })),
    },
    {
      name: 'misgeneralization',
      start: (page) => page.click('[data-testid=misgen-reveal]'),
      done: ['misgen-status', /Trained by/],
      maps: [
        { level: 'corner-train', svg: 'svg[data-testid=misgen-train-map]', range: null },
        { level: 'corner-test', svg: 'svg[data-testid=misgen-test-map]', range: null },
      ],
    },
    {
      name: 'brittle',
      start: (page) => page.click('[data-testid=brittle-reveal]'),
      done: ['brittle-status', /Trained by/],
      maps: [{ level: 'distributional-shift', svg: 'svg[data-testid=brittle-map]', range: null }],
    },
    {
      name: 'oversight',
      start: (page) => page.click('[data-testid=oversight-reveal]'),
      done: ['oversight-status', /Reward:/],
      maps: ['visible-checked', 'visible-unchecked', 'unseen-checked', 'unseen-unchecked'].map((c) => ({
        level: 'absent-supervisor',
        svg: `[data-testid=oversight-${c}] > svg`,
        range: null,
      })),
    },
    {
      name: 'interpret',
      start: async () => {},
      done: ['interp-status', /situations solved exactly/],
      maps: [{ level: 'side-effects-sokoban', svg: '[data-widget=interpret] svg.interp-map', range: null }],
    },
    {
      name: 'irl',
      before: ['[data-testid=irl-map] > svg'],
      start: (page) => page.click('[data-testid=irl-infer]'),
      done: ['irl-status', /Newton steps/],
      maps: ['hand', 'learned'].map((side) => ({ level: 'vase-room', svg: `[data-testid=irl-${side}] figure > svg`, range: null })),
    },
  ];
  // The capability widget plays the company, a world of text lines with no tiles.

  const says = (page, [testid, pattern]) =>
    page.waitForFunction(
      ([id, source, flags]) => new RegExp(source, flags).test(document.querySelector(`[data-testid=${id}]`)?.textContent ?? ''),
      [testid, pattern.source, pattern.flags],
      { timeout: 90_000 },
    );

  test('in every explainer widget that draws a map', { timeout: 300_000 }, async () => {
    const wrong = [];
    await inTurns(WIDGETS, async (w) => {
      const { page, problems } = await openPage(env.browser, { reducedMotion: 'reduce' });
      await page.addInitScript(readers);
      await isolateWidgets(page, [w.name]);
      await page.goto(`${env.server.url}/`);
      await mountedWidget(page, w.name);
      const untrained = [];
      for (const svg of w.before ?? []) {
        await page.waitForSelector(`${svg} .tiles > [data-kind]`);
        untrained.push(await shown(page, svg));
      }
      await w.start(page);
      await says(page, w.done);
      for (const [i, map] of w.maps.entries()) {
        const where = `${w.name}, map ${i + 1} (${map.level})`;
        if (map.range) await seek(page, map.range, 0);
        const start = await shown(page, map.svg);
        for (const u of untrained) wrong.push(...changedAtStart(where, u, start));
        const kinds = map.range ? await played(page, map.range, map.svg) : [...new Set(start.cells), ...(start.agent === null ? [] : ['agent'])];
        wrong.push(...missing(where, [...legendOf(map.level), ...(map.also ?? [])], kinds));
      }
      assert.deepEqual(problems, [], `${w.name} complained`);
      await page.context().close();
    });
    assert.deepEqual(wrong, []);
  });
});
