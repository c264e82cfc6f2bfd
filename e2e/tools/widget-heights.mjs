// Measures each explainer widget's height once loaded (before any
// interaction) at desktop and phone width, and prints the min-height rules
// that style.css keeps for them, so that the article does not move while
// widgets arrive. Run against a server after changing a widget:
//
//   node e2e/tools/widget-heights.mjs http://127.0.0.1:8080/

import { launchBrowser } from '../browser.js';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';

async function heights(browser, width) {
  const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  // Nothing reserved: measure each widget's own height.
  await page.evaluate(() => {
    for (const e of document.querySelectorAll('.demo[data-widget]')) e.style.minHeight = '0px';
  });
  for (let y = 0; y < (await page.evaluate(() => document.body.scrollHeight)); y += 400) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForTimeout(100);
  }
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1000);
  const out = await page.locator('[data-widget]').evaluateAll((els) =>
    els.map((e) => [e.dataset.widget, Math.ceil(e.getBoundingClientRect().height)]),
  );
  await page.context().close();
  return out;
}

const browser = await launchBrowser();
const wide = new Map(await heights(browser, 1280));
for (const [name, h] of await heights(browser, 800)) wide.set(name, Math.max(h, wide.get(name) ?? 0));
const phone = await heights(browser, 390);
await browser.close();
for (const [name, h] of wide) console.log(`.demo[data-widget="${name}"] { min-height: ${h}px; }`);
console.log('\n@media (max-width: 560px) {');
for (const [name, h] of phone) console.log(`  .demo[data-widget="${name}"] { min-height: ${h}px; }`);
console.log('}');
