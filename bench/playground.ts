// The playground's timings, moved out of its tests (which check the order of events instead):
// input → frame latency while training at full speed, and the step rate the speed control gives.
// Runs the built page in Debian's chromium, like test/e2e/playground.test.ts.
// `npm run bench:playground` (builds the library and, when stale, the playground).

import { buildPlaygroundIfStale, launchBrowser, serveSite } from '../test/e2e/harness.js';
import { median } from './util.js';

buildPlaygroundIfStale();
const site = await serveSite();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  await page.goto(`${site.url}#data=circle`);
  await page.waitForFunction(() => document.querySelectorAll('.column').length > 0);
  const steps = async () => Number(await page.locator('#steps').textContent());

  // Latency while training: from the key event's timestamp (when the main thread took it) and from
  // the press sent by this process, to the first frame after the view has redrawn.
  await page.click('#play');
  await page.waitForFunction(() => Number(document.getElementById('steps')!.textContent) > 500);
  await page.evaluate(() => {
    const w = window as unknown as { latencies: number[] };
    w.latencies = [];
    document.getElementById('show-test')!.addEventListener('change', (e) => {
      requestAnimationFrame(() => w.latencies.push(performance.now() - e.timeStamp));
    });
  });
  await page.focus('#show-test');
  const roundTrips: number[] = [];
  for (let i = 0; i < 20; i++) {
    const checked = await page.isChecked('#show-test');
    const t0 = Date.now();
    await page.keyboard.press('Space');
    await page.waitForFunction(
      (c) => (document.getElementById('show-test') as HTMLInputElement).checked !== c,
      checked,
    );
    roundTrips.push(Date.now() - t0);
    await page.waitForTimeout(100);
  }
  await page.waitForFunction(() => (window as unknown as { latencies: number[] }).latencies.length >= 20);
  const latencies = await page.evaluate(() => (window as unknown as { latencies: number[] }).latencies);
  await page.click('#play');
  console.log(
    `input → frame while training (20 presses): median ${median(latencies).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
  );
  console.log(
    `key press → checkbox changed, seen from Node: median ${median(roundTrips).toFixed(1)} ms, max ${Math.max(...roundTrips)} ms`,
  );

  // The speed control: steps per second at each setting, over 3 s of playing.
  for (const speed of ['2', '10', '100']) {
    await page.selectOption('#speed', speed);
    const s0 = await steps();
    const t0 = Date.now();
    await page.click('#play');
    await page.waitForTimeout(3000);
    await page.click('#play');
    const rate = ((await steps()) - s0) / ((Date.now() - t0) / 1000);
    console.log(`speed ${speed.padStart(3)} steps/s: ${rate.toFixed(1)} steps/s measured`);
  }
} finally {
  await browser.close();
  await site.close();
}
