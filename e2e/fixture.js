// The set-up every browser test file shares: one server on a fresh database
// and one browser per `describe`, pages that record what they complain
// about, and the explainer's widgets tested one file at a time.
//
//   describe('the thing', () => {
//     const env = useServerAndBrowser();        // env.server, env.browser in tests
//     test('…', async () => {
//       const { page, problems } = await openPage(env.browser);
//       await page.goto(env.server.url + '/');
//       …
//       assert.deepEqual(problems, []);
//     });
//   });

import { after, before } from 'node:test';

import { launchBrowser, newPage, watch } from './browser.js';
import { startServer } from './server.js';

/**
 * Starts the real server (fresh temp database) and a browser before the
 * enclosing describe's tests, and stops both after them. Returns an object
 * whose `server` and `browser` are set once the `before` hook has run.
 */
export function useServerAndBrowser() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.dispose();
  });
  return env;
}

/** A fresh context and page (see `newPage`), with the list its watcher fills. */
export async function openPage(browser, options = {}) {
  const page = await newPage(browser, options);
  return { page, problems: watch(page) };
}

/** The explainer modules every widget may import, never replaced by `isolateWidgets`. */
const SHARED_MODULES = ['common', 'gridlab'];

/**
 * Replaces the explainer's other widgets by empty ones, so that a file tests
 * the widgets `mine` alone (the page as a whole has its own test).
 */
export async function isolateWidgets(page, mine) {
  const pattern = /\/static\/explain\/([a-z-]+)\.(js|css)$/;
  await page.route(pattern, (route) => {
    const [, name, ext] = route.request().url().match(pattern);
    if (mine.includes(name) || SHARED_MODULES.includes(name)) return route.continue();
    return route.fulfill({
      status: 200,
      contentType: ext === 'js' ? 'text/javascript' : 'text/css',
      body: ext === 'js' ? 'export function mount() {}' : '',
    });
  });
}

/** Scrolls to the widget NAME of the explainer, waits until it has mounted and returns its box. */
export async function mountedWidget(page, name) {
  const box = page.locator(`[data-widget=${name}]`);
  await box.scrollIntoViewIfNeeded();
  await page.waitForFunction((n) => document.querySelector(`[data-widget=${n}]`)?.dataset.mounted === 'yes', name);
  return box;
}
