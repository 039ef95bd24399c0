// The playground in a real browser: the built page, served from 127.0.0.1 with the headers of
// its _headers file (cross-origin isolated, so wasm may use threads), driven by Debian's
// chromium through playwright-core. Screenshots go to test-artifacts/.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { defaults, l2s, learningRates, sliders } from '../../playground/src/config.js';
import { artifacts, buildPlaygroundIfStale, launchBrowser, serveSite } from './harness.js';

describe('playground (e2e, chromium)', { timeout: 180_000 }, () => {
  let site: Awaited<ReturnType<typeof serveSite>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  const consoleErrors: string[] = [];

  before(async () => {
    buildPlaygroundIfStale();
    mkdirSync(artifacts, { recursive: true });
    site = await serveSite({ isolated: true }); // as the built site is meant to be served (its _headers file)
    browser = await launchBrowser();
    context = browser.context;
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  async function open(hash = '', viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: uncaught ${e.message}`));
    await page.goto(site.url + hash);
    await page.waitForFunction(() => document.querySelectorAll('.column').length > 0);
    return page;
  }

  const number = async (page: Page, id: string) => Number(await page.locator(`#${id}`).textContent());

  async function playUntilStep(page: Page, steps: number): Promise<void> {
    await page.click('#play');
    await page.waitForFunction((n) => Number(document.getElementById('steps')!.textContent) >= n, steps);
    await page.click('#play');
  }

  test("on the circle, play brings the test loss below 0.1 within 20 s, and inputs reach the screen before the worker's third snapshot", async () => {
    const page = await open('#data=circle');
    const start = Date.now();
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('test-loss')!.textContent) < 0.1, null, {
      timeout: 20_000,
    });
    const seconds = (Date.now() - start) / 1000;
    console.log(
      `  test loss ${await number(page, 'test-loss')} after ${seconds.toFixed(1)} s, step ${await number(page, 'steps')}`,
    );
    await page.screenshot({ path: join(artifacts, 'playground-training.png') });

    // Input while training, as an order of events: from the key press (when this test sends it,
    // so any wait for a busy main thread counts; the event's own timeStamp is taken only once the
    // main thread handles it) to the first frame after the view has redrawn, the worker goes on
    // training and posting snapshots (~15 a second); the input must be on screen before the
    // worker has posted a third snapshot since the key press. The events of this process, the
    // page and the worker are put in one order by wall-clock time (Date.now(), timeOrigin + now).
    // (The latency in milliseconds is measured by bench/playground.ts.)
    const [worker] = page.workers();
    await worker.evaluate(() => {
      const w = self as unknown as { posted: number[]; postMessage: (m: { type: string }, t?: Transferable[]) => void };
      w.posted = [];
      const post = w.postMessage.bind(w);
      w.postMessage = (m, t) => {
        if (m.type === 'snapshot') w.posted.push(performance.timeOrigin + performance.now());
        post(m, t);
      };
    });
    await page.evaluate(() => {
      const w = window as unknown as { drawn: number[] };
      w.drawn = [];
      document.getElementById('show-test')!.addEventListener('change', () => {
        requestAnimationFrame(() => w.drawn.push(performance.timeOrigin + performance.now()));
      });
    });
    await page.focus('#show-test');
    const before = await number(page, 'steps');
    const pressed: number[] = [];
    for (let i = 0; i < 6; i++) {
      const checked = await page.isChecked('#show-test');
      pressed.push(Date.now());
      await page.keyboard.press('Space');
      await page.waitForFunction(
        (c) => (document.getElementById('show-test') as HTMLInputElement).checked !== c,
        checked,
      );
      await page.waitForTimeout(150);
    }
    await page.waitForFunction(() => (window as unknown as { drawn: number[] }).drawn.length >= 6);
    const drawn = await page.evaluate(() => (window as unknown as { drawn: number[] }).drawn);
    const posted = await worker.evaluate(() => (self as unknown as { posted: number[] }).posted);
    const after = await number(page, 'steps');
    const between = pressed.map((at, i) => posted.filter((t) => t > at && t <= drawn[i]).length);
    console.log(
      `  worker snapshots posted between each key press and its frame: ${between.join(', ')} ` +
        `(${posted.length} posted during the presses); steps ${before} → ${after}`,
    );
    assert.ok(after > before, 'training went on during the measurement');
    assert.ok(posted.length >= 6, `the worker posted snapshots during the presses (${posted.length})`);
    assert.ok(
      Math.max(...between) <= 2,
      `an input reached the screen only after the worker had posted ${Math.max(...between)} snapshots`,
    );
    await page.close();
  });

  test('changing the layer count redraws the network', async () => {
    const page = await open('#layers=6,6');
    const columns = () => page.locator('.column').count();
    const links = () => page.locator('svg.links line').count();
    assert.equal(await columns(), 4);
    assert.equal(await links(), 2 * 6 + 6 * 6 + 6 * 1);
    await page.click('#layer-plus');
    await page.waitForFunction(() => document.querySelectorAll('.column').length === 5);
    assert.equal(await page.locator('#layer-count').textContent(), '3 hidden layers');
    assert.equal(await links(), 2 * 6 + 6 * 6 + 6 * 6 + 6 * 1);
    assert.match(page.url(), /layers=6%2C6%2C6/);
    await page.click('#layer-minus');
    await page.click('#layer-minus');
    await page.waitForFunction(() => document.querySelectorAll('.column').length === 3);
    assert.equal(await links(), 2 * 6 + 6 * 1);
    await page.click('[aria-label="Add a neuron to hidden layer 1"]');
    await page.waitForFunction(() => document.querySelectorAll('.column[data-col="1"] canvas.neuron').length === 7);
    assert.equal(await columns(), 3);
    await page.close();
  });

  test('the backprop view shows x, W, y and the gradients with their shapes, and gradcheck passes', async () => {
    const page = await open('#data=spiral&layers=6,5&batch=16&act=tanh');
    await page.click('#play');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(artifacts, 'playground-spiral.png') });
    await page.click('button.linear >> nth=1'); // Linear 2: 6 → 5
    const expected: Record<string, string> = {
      x: '[16×6]',
      W: '[6×5]',
      b: '[5]',
      y: '[16×5]',
      'dL/dy': '[16×5]',
      'dL/dW': '[6×5]',
      'dL/db': '[5]',
      'dL/dx': '[16×6]',
    };
    await page.waitForSelector('figure.matrix[data-name="dL/dW"]');
    await page.waitForTimeout(500);
    for (const [name, shape] of Object.entries(expected)) {
      const fig = page.locator(`figure.matrix[data-name="${name}"]`);
      assert.equal(await fig.locator('.shape').textContent(), shape, `shape of ${name}`);
      const box = await fig.locator('canvas').boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, `${name} is drawn`);
    }
    assert.match((await page.locator('#backprop-title').textContent()) ?? '', /Linear 2 \(6→5\), batch N = 16/);
    const formulas = await page.locator('#backprop-formulas').textContent();
    for (const f of [
      'dL/dW = xᵀ · dL/dy',
      'dL/db = Σ_N dL/dy',
      'dL/dx = dL/dy · Wᵀ',
      "σ'(z) = σ(z)(1 − σ(z))",
      "ReLU'(z) = 1[z > 0]",
    ]) {
      assert.ok(formulas?.includes(f), `formula ${f}`);
    }
    // Each formula, recomputed in the worker with plain loops, agrees with autograd.
    assert.equal(await page.locator('#backprop-formulas .check').count(), 4);
    for (const check of await page.locator('#backprop-formulas .check').allTextContents()) assert.match(check, /^✓/);
    // The view follows training: the matrices change between snapshots.
    const first = await page
      .locator('figure.matrix[data-name="W"] canvas')
      .evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    await page.waitForFunction(
      (d) => (document.querySelector('figure.matrix[data-name="W"] canvas') as HTMLCanvasElement).toDataURL() !== d,
      first,
    );
    await page.locator('#backprop').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, 'playground-backprop.png'), fullPage: true });

    // The first layer: its input is the data, 2 features.
    await page.click('button.linear >> nth=0');
    await page.waitForFunction(
      () => document.querySelector('figure.matrix[data-name="W"] .shape')?.textContent === '[2×6]',
    );
    assert.equal(await page.locator('figure.matrix[data-name="dL/dx"] .shape').textContent(), '[16×2]');

    // Removing the layer under inspection closes the view.
    await page.click('button.linear >> nth=2');
    await page.waitForFunction(
      () => document.querySelector('figure.matrix[data-name="W"] .shape')?.textContent === '[5×1]',
    );
    await page.click('#layer-minus');
    await page.waitForFunction(() => document.getElementById('backprop')!.hidden);

    await page.click('#play');
    await page.click('#gradcheck');
    await page.waitForFunction(() => /passed|failed/.test(document.getElementById('gradcheck-out')!.textContent ?? ''));
    const report = (await page.locator('#gradcheck-out').textContent()) ?? '';
    console.log(`  ${report}`);
    const rel = Number(/relative error ([0-9.e+-]+)/.exec(report)?.[1]);
    assert.match(report, /passed/);
    assert.ok(rel < 1e-3, `max relative error ${rel}`); // gradcheck's rtol; float64 noise sits near 1e-5
    await page.close();
  });

  test('the speed control slows training down to steps a learner can follow', async () => {
    // As an order of events: at 10 steps/s every step is shown (the step counter goes up one at
    // a time), at full speed the counter jumps between snapshots, so the first check can fail.
    // (The rate in steps per second is measured by bench/playground.ts.)
    const page = await open();
    await page.evaluate(() => {
      const w = window as unknown as { shown: number[] };
      w.shown = [];
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) w.shown.push(Number(n.textContent));
      }).observe(document.getElementById('steps')!, { childList: true });
    });
    const shown = () => page.evaluate(() => (window as unknown as { shown: number[] }).shown.splice(0));
    const jumps = (values: number[]) => values.slice(1).map((v, i) => v - values[i]);
    await page.selectOption('#speed', '10');
    await playUntilStep(page, 8);
    const slow = await shown();
    assert.ok(slow.length >= 8 && slow.at(-1)! >= 8, `steps shown at 10 steps/s: ${slow.join(', ')}`);
    assert.ok(
      jumps(slow).every((d) => d === 0 || d === 1),
      `every step shown at 10 steps/s: ${slow.join(', ')}`,
    );
    await page.selectOption('#speed', { label: 'Fastest' });
    await playUntilStep(page, slow.at(-1)! + 500);
    const fast = await shown();
    assert.ok(
      jumps(fast).some((d) => d > 1),
      `at full speed the counter skips steps: ${fast.slice(0, 20).join(', ')}`,
    );
    await page.close();
  });

  test('an uploaded CSV becomes the data set and trains', async () => {
    const page = await open('#layers=4');
    const rows = ['x1,x2,label'];
    for (let i = 0; i < 60; i++) rows.push(`${(i % 10) - 4.5},${Math.floor(i / 10) - 2.5},${i % 10 < 5 ? 0 : 1}`); // two stripes
    await page.setInputFiles('#csv', {
      name: 'stripes.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(rows.join('\n')),
    });
    await page.waitForFunction(() => (document.getElementById('dataset') as HTMLSelectElement).value === 'csv');
    assert.match(page.url(), /data=csv/);
    await playUntilStep(page, 200);
    assert.ok((await number(page, 'train-loss')) < 0.5, 'the uploaded set is learnt');
    await page.setInputFiles('#csv', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('1,2\n3,4\n') });
    await page.waitForFunction(() => /bad\.csv: line 1/.test(document.getElementById('status')!.textContent ?? ''));
    await page.close();
  });

  test('a copied URL reproduces the first 50 steps exactly', async () => {
    const page = await open();
    await page.selectOption('#dataset', 'xor');
    await page.fill('#seed', '4242');
    await page.press('#seed', 'Enter');
    await page.selectOption('#activation', 'relu');
    await page.waitForFunction(() => location.hash.includes('seed=4242') && location.hash.includes('act=relu'));
    const url = page.url();
    const losses = async (p: Page) => {
      await playUntilStep(p, 50);
      return p.evaluate(() =>
        (
          window as unknown as { nablaPlayground: { stepLosses(n: number): Promise<number[]> } }
        ).nablaPlayground.stepLosses(50),
      );
    };
    const a = await losses(page);
    const copy = await context.newPage();
    await copy.goto(url);
    const b = await losses(copy);
    assert.equal(a.length, 50);
    assert.deepEqual(b, a);
    // A different seed gives a different run, so the comparison above can fail.
    const other = await open(new URL(url).hash.replace('seed=4242', 'seed=4243'));
    assert.notDeepEqual(await losses(other), a);
    await Promise.all([page.close(), copy.close(), other.close()]);
  });

  test('a large seed typed in the seed box reaches the URL and a copied link keeps it', async () => {
    const page = await open();
    await page.fill('#seed', '3000000000');
    await page.press('#seed', 'Enter');
    await page.waitForFunction(() => location.hash.includes('seed=3000000000'));
    const copy = await context.newPage();
    await copy.goto(page.url());
    await copy.waitForFunction(() => document.querySelectorAll('.column').length > 0);
    assert.equal(await copy.inputValue('#seed'), '3000000000');
    assert.match(copy.url(), /seed=3000000000/);
    // Not a seed: the box reverts and the run stays.
    await copy.fill('#seed', '2.5');
    await copy.press('#seed', 'Enter');
    await copy.waitForFunction(() => (document.getElementById('seed') as HTMLInputElement).value === '3000000000');
    await Promise.all([page.close(), copy.close()]);
  });

  test('the controls show every value a link may hold, and a link with other values takes the defaults', async () => {
    const page = await open('#batch=64&lr=3&l2=0.1&noise=0.35&train=30');
    const options = (id: string) =>
      page.locator(`#${id} option`).evaluateAll((os) => os.map((o) => Number((o as HTMLOptionElement).value)));
    assert.deepEqual(await options('lr'), learningRates);
    assert.deepEqual(await options('l2'), l2s);
    for (const [id, range] of [
      ['noise', sliders.noise],
      ['train', sliders.trainPercent],
      ['batch', sliders.batchSize],
    ] as const) {
      const attrs = await page
        .locator(`#${id}`)
        .evaluate((el) =>
          [(el as HTMLInputElement).min, (el as HTMLInputElement).max, (el as HTMLInputElement).step].map(Number),
        );
      assert.deepEqual(attrs, [range.min, range.max, range.step], id);
    }
    const values = async (p: Page) =>
      Promise.all(['batch', 'lr', 'l2', 'noise', 'train'].map((id) => p.inputValue(`#${id}`)));
    assert.deepEqual(await values(page), ['64', '3', '0.1', '0.35', '30']);
    const off = await open('#batch=256&lr=0.05');
    assert.deepEqual((await values(off)).slice(0, 2), [String(defaults.batchSize), String(defaults.lr)]);
    assert.match(off.url(), new RegExp(`batch=${defaults.batchSize}&`));
    await Promise.all([page.close(), off.close()]);
  });

  test('a failing worker stops the run and says so', async () => {
    // Its own page without the console listeners: the worker's uncaught error is the point here.
    const page = await context.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => document.querySelectorAll('.column').length > 0);
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('steps')!.textContent) > 10);
    const [worker] = page.workers();
    // An exception outside the worker's message handler: the page hears of it only as an error event.
    await worker.evaluate(() =>
      setTimeout(() => {
        throw new Error('worker crashed (test)');
      }),
    );
    await page.waitForFunction(
      () => /worker crashed \(test\)/.test(document.getElementById('status')!.textContent ?? ''),
      null,
      { timeout: 5000 },
    );
    assert.equal(await page.locator('#status').isVisible(), true);
    assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false');
    await page.waitForTimeout(200); // a snapshot already on its way may still land
    const steps = await number(page, 'steps');
    await page.waitForTimeout(500);
    assert.equal(await number(page, 'steps'), steps, 'training stopped');
    await page.close();
  });

  test('the page fits a phone and its controls are labelled', async () => {
    const page = await open('', { width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, button')]
        .filter((el) => {
          const e = el as HTMLInputElement;
          const named = e.labels?.length || e.getAttribute('aria-label') || e.textContent?.trim();
          return !named;
        })
        .map((el) => el.outerHTML),
    );
    assert.deepEqual(unlabelled, []);
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('steps')!.textContent) > 100);
    await page.screenshot({ path: join(artifacts, 'playground-phone.png'), fullPage: true });
    await page.close();
  });

  test('no console errors on any page', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
