// The playground's WebGPU switch in a real browser: Debian's chromium with WebGPU on its software
// adapter (SwiftShader). The box is off by default; checked, the worker trains on the webgpu
// backend from a fresh run of the same settings, and its step losses follow the CPU run's; the
// steps per second of both are printed (SwiftShader is a CPU: the GPU's figure is for the day
// one is present). Unchecked, training goes back to the CPU backend.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { buildPlaygroundIfStale, launchBrowser, serveSite } from './harness.js';

describe('playground on WebGPU (e2e, chromium on SwiftShader)', { timeout: 240_000 }, () => {
  let site: Awaited<ReturnType<typeof serveSite>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  before(async () => {
    buildPlaygroundIfStale();
    site = await serveSite();
    browser = await launchBrowser({ webgpu: true });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  const text = (page: Page, id: string) => page.locator(`#${id}`).textContent();
  const stepLosses = (page: Page, n: number) =>
    page.evaluate(
      (count) =>
        (
          window as unknown as { nablaPlayground: { stepLosses(n: number): Promise<number[]> } }
        ).nablaPlayground.stepLosses(count),
      n,
    );

  /** Plays until `steps`, pauses, and returns the steps per second over that stretch. */
  async function train(page: Page, steps: number): Promise<number> {
    const start = Date.now();
    await page.click('#play');
    await page.waitForFunction((n) => Number(document.getElementById('steps')!.textContent) >= n, steps, {
      timeout: 180_000,
    });
    await page.click('#play');
    const done = Number(await text(page, 'steps'));
    return (done * 1000) / (Date.now() - start);
  }

  test('the WebGPU box (off by default) trains on the webgpu backend as on the CPU, and back', async (t) => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.url}#data=xor&seed=7`);
    await page.waitForFunction(() => document.querySelectorAll('.column').length > 0);
    const cpu = await text(page, 'backend');
    assert.equal(await page.isChecked('#webgpu'), false, 'off by default');
    assert.equal(await page.isDisabled('#webgpu'), false, 'this browser has WebGPU');
    const cpuRate = await train(page, 40);
    const cpuLosses = await stepLosses(page, 40);

    await page.check('#webgpu');
    await page.waitForFunction(() => document.getElementById('backend')!.textContent === 'webgpu', null, {
      timeout: 60_000,
    });
    assert.equal(await page.isHidden('#status'), true, `status: ${await text(page, 'status')}`);
    assert.equal(Number(await text(page, 'steps')), 0, 'the run restarted');
    const gpuRate = await train(page, 40);
    const gpuLosses = await stepLosses(page, 40);
    assert.equal(gpuLosses.length, 40);
    // The same seed, the same batches: float32 on another device, so close, not equal.
    gpuLosses.forEach((l, i) =>
      assert.ok(
        Math.abs(l - cpuLosses[i]) <= 1e-3 * Math.max(1, Math.abs(cpuLosses[i])),
        `step ${i + 1}: webgpu ${l}, ${cpu} ${cpuLosses[i]}`,
      ),
    );
    assert.ok(Number.isFinite(Number(await text(page, 'test-loss'))), 'a test loss is shown');
    t.diagnostic(`steps/s: ${cpu} ${cpuRate.toFixed(0)}, webgpu (SwiftShader) ${gpuRate.toFixed(1)}`);
    console.log(`  playground steps/s: ${cpu} ${cpuRate.toFixed(0)}, webgpu on SwiftShader ${gpuRate.toFixed(1)}`);

    await page.uncheck('#webgpu');
    await page.waitForFunction((name) => document.getElementById('backend')!.textContent === name, cpu);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
