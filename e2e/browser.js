// The browser side of the tests: Debian's chromium driven by playwright-core
// (no browser download), and a watcher that collects everything a page
// complains about.

import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Records console errors and warnings, uncaught exceptions, failed requests
 * and HTTP error answers of a page, as readable lines in `problems`.
 */
export function watch(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) => {
    problems.push(`request failed: ${req.method()} ${req.url()} (${req.failure()?.errorText})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  return problems;
}

/** A fresh context (own localStorage) and page. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** Waits until a level page is ready: the map drawn and the reward checked. */
export async function levelReady(page) {
  await page.waitForSelector('[data-testid=level-map] > *');
  await page.waitForFunction(() => {
    const status = document.querySelector('[data-testid=reward-status]');
    const error = document.querySelector('[data-testid=reward-error]');
    return (status && status.textContent.trim() !== '') || (error && error.textContent.trim() !== '');
  });
}

/** Waits for a run's result and returns the shown return and intent score. */
export async function resultNumbers(page, timeout = 90_000) {
  await page.waitForFunction(
    () => {
      const r = document.querySelector('[data-testid=result-return]');
      const err = document.querySelector('[data-testid=run-error]');
      return (r && r.textContent.trim() !== '' && r.offsetParent !== null) || (err && !err.hidden);
    },
    null,
    { timeout },
  );
  const runError = await page.locator('[data-testid=run-error]').evaluate((e) => (e.hidden ? '' : e.textContent));
  if (runError) throw new Error(`the run failed: ${runError}`);
  const ret = Number(await page.locator('[data-testid=result-return]').textContent());
  const perf = Number(await page.locator('[data-testid=result-performance]').textContent());
  return { ret, perf };
}
