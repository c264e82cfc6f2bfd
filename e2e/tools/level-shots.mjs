// Screenshots every level page after a Train of its default reward, at
// desktop and phone width: the whole page, for a person to look at after a
// change to the level page. Run against a server:
//
//   node e2e/tools/level-shots.mjs http://127.0.0.1:8080 OUT_DIR

import { mkdirSync } from 'node:fs';

import { launchBrowser, levelReady, resultNumbers } from '../browser.js';

const [url = 'http://127.0.0.1:8080', out = 'level-shots'] = process.argv.slice(2);
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

mkdirSync(out, { recursive: true });
const browser = await launchBrowser();
try {
  const levels = await (await fetch(`${url}/api/levels`)).json();
  for (const [name, viewport] of Object.entries(WIDTHS)) {
    const page = await (await browser.newContext({ viewport, reducedMotion: 'reduce' })).newPage();
    for (const level of levels) {
      await page.goto(`${url}/play/${level.id}`);
      await levelReady(page);
      await page.check('#predict-loophole');
      await page.click('[data-testid=train]');
      await resultNumbers(page, 120_000);
      const file = `${out}/${level.id}-${name}.png`;
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
    }
    await page.context().close();
  }
} finally {
  await browser.close();
}
