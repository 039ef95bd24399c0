// The playground with and without cross-origin isolation: served with the headers of the built
// site's `_headers` file (COOP and COEP) the page and its worker are cross-origin isolated, so
// the wasm backend may run worker threads; served without them, one thread. Both train the
// circle; the steps per second of each are printed (the playground's networks are small, so
// threads are not expected to change much; the figure is reported, not asserted).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { buildPlaygroundIfStale, launchBrowser, serveSite } from './harness.js';

describe('playground with and without cross-origin isolation (e2e, chromium)', { timeout: 180_000 }, () => {
  let plain: Awaited<ReturnType<typeof serveSite>>;
  let isolated: Awaited<ReturnType<typeof serveSite>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  before(async () => {
    buildPlaygroundIfStale();
    [plain, isolated] = await Promise.all([serveSite(), serveSite({ isolated: true })]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await Promise.all([plain?.close(), isolated?.close()]);
  });

  /** Opens the circle at `url`, plays for `ms` and returns whether the page and its worker are isolated, and the steps per second. */
  async function run(
    url: string,
    ms: number,
  ): Promise<{ page: boolean; worker: boolean; stepsPerSecond: number; testLoss: number }> {
    const page: Page = await browser.context.newPage();
    await page.goto(`${url}#data=circle`);
    await page.waitForFunction(() => document.querySelectorAll('.column').length > 0);
    const pageIsolated = await page.evaluate(() => crossOriginIsolated);
    const workerIsolated = await page.workers()[0].evaluate(() => crossOriginIsolated);
    await page.click('#play');
    const start = Date.now();
    await page.waitForTimeout(ms);
    await page.click('#play');
    const steps = Number(await page.locator('#steps').textContent());
    const testLoss = Number(await page.locator('#test-loss').textContent());
    await page.close();
    return {
      page: pageIsolated,
      worker: workerIsolated,
      stepsPerSecond: (steps * 1000) / (Date.now() - start),
      testLoss,
    };
  }

  test('served with the _headers file the page is cross-origin isolated, without it not; both train (steps/s printed)', async (t) => {
    // Alternating, best of two each: the first page of a browser runs slower (its compilers are cold).
    const runs: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < 2; i++) runs.push(await run(plain.url, 1500), await run(isolated.url, 1500));
    const best = (k: number) =>
      runs.filter((_, i) => i % 2 === k).reduce((x, y) => (y.stepsPerSecond > x.stepsPerSecond ? y : x));
    const [a, b] = [best(0), best(1)];
    assert.deepEqual([a.page, a.worker], [false, false], 'plain: not isolated');
    assert.deepEqual([b.page, b.worker], [true, true], 'with the headers: isolated');
    for (const r of [a, b]) assert.ok(r.testLoss < 0.3, `the circle did not train: test loss ${r.testLoss}`);
    const line = `playground steps/s on the circle: not isolated ${a.stepsPerSecond.toFixed(0)}, cross-origin isolated ${b.stepsPerSecond.toFixed(0)}`;
    t.diagnostic(line);
    console.log(`  ${line}`);
  });
});
