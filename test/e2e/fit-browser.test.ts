// fit from the browser entry (src/core.ts, what a bundler picks for `import … from 'nabla'` in a
// page), bundled by Vite and run in Debian's chromium: it trains, with a loss module, and a
// 10 ms interval keeps firing while it does (the page is not frozen).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { launchBrowser, repoRoot, serveSite } from './harness.js';

const page = `<!doctype html><meta charset="utf-8"><title>fit</title><script type="module" src="./main.js"></script>`;

// Batch 1 over 512 points, two epochs: about a thousand short steps, the case where a loop that
// never yields would hold the page for its whole length.
const main = `
import { data, fit, getBackend, manualSeed, nn, optim, Tensor } from 'nabla';
window.trainWithTimer = async (epochs = 2) => {
  manualSeed(1);
  const n = 512;
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = Math.sin(i * 12.9898) ;
    x[2 * i + 1] = Math.cos(i * 78.233);
    y[i] = x[2 * i] > x[2 * i + 1] ? 1 : 0;
  }
  const set = new data.TensorDataset(new Tensor(x, [n, 2]), new Tensor(y, [n]));
  const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 2));
  let fired = 0;
  const timer = setInterval(() => fired++, 10);
  const started = performance.now();
  const result = await fit(model, {
    data: set,
    loss: new nn.CrossEntropyLoss(),
    optimizer: new optim.SGD(model.parameters(), { lr: 0.05 }),
    epochs,
    batchSize: 1,
    metrics: ['accuracy'],
  });
  clearInterval(timer);
  return { ms: performance.now() - started, fired, backend: getBackend(), history: result.history };
};
`;

let dir: string;
let site: Awaited<ReturnType<typeof serveSite>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nabla-fit-page-'));
  writeFileSync(join(dir, 'index.html'), page);
  writeFileSync(join(dir, 'main.js'), main);
  await build({
    root: dir,
    base: './',
    logLevel: 'error',
    configFile: false,
    build: { outDir: join(dir, 'dist'), target: 'es2022' },
    worker: { format: 'es' },
    // The browser entry itself, as a bundler resolves 'nabla' under the browser condition.
    resolve: { alias: { nabla: join(repoRoot, 'dist', 'src', 'core.js') } },
  });
  site = await serveSite({ root: join(dir, 'dist') });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(
  'fit from the browser entry trains in chromium while a 10 ms interval keeps firing',
  { timeout: 120_000 },
  async () => {
    const tab = await browser.context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(site.url);
    await tab.waitForFunction(() => 'trainWithTimer' in window);
    const r = await tab.evaluate(() =>
      (
        window as unknown as {
          trainWithTimer: (epochs: number) => Promise<{
            ms: number;
            fired: number;
            backend: string;
            history: { loss: number; accuracy: number }[];
          }>;
        }
      ).trainWithTimer(8),
    );
    console.log(`fit in chromium (${r.backend}): ${r.ms.toFixed(0)} ms, the interval fired ${r.fired} times`);
    assert.deepEqual(errors, []);
    assert.equal(r.history.length, 8);
    assert.ok(r.history[1].loss < r.history[0].loss, `loss ${r.history[0].loss} → ${r.history[1].loss}`);
    assert.ok(r.ms > 100, `the fit took ${r.ms.toFixed(0)} ms: too short to tell`);
    assert.ok(r.fired >= Math.floor(r.ms / 50), `the interval fired ${r.fired} times in ${r.ms.toFixed(0)} ms`);
  },
);
