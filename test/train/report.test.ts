// report.html: every string from data is escaped, a regression report has no class sections, a
// confusion matrix above the inline limit is pointed to instead of drawn, and a report built from
// a real training run opens from file:// in headless chromium with every figure drawn and no error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tensor } from '../../src/tensor.js';
import { manualSeed, random } from '../../src/random.js';
import { mlp } from '../../src/nn/mlp.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { Adam } from '../../src/optim/adam.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { fit } from '../../src/train/fit.js';
import { evaluate } from '../../src/train/evaluate.js';
import type { EpochLogs } from '../../src/train/types.js';
import { runReportHtml, type RunReport } from '../../src/train/report.js';
import { perClassScores } from '../../src/train/metrics.js';
import { explainSequential } from '../../src/cli/explain.js';
import type { InputSpec } from '../../src/cli/data.js';
import { artifacts, launchBrowser } from '../e2e/harness.js';

const NASTY = '<b>&"x"';

const history: EpochLogs[] = [1, 2, 3].map((epoch) => ({
  epoch,
  lr: 0.01,
  seconds: 0.1,
  loss: 1 / epoch,
  valLoss: 1.2 / epoch,
  accuracy: 0.5 + epoch / 10,
  valAccuracy: 0.45 + epoch / 10,
}));

function classifierReport(classes: string[], confusion: number[][]): RunReport {
  return {
    title: `nabla train: ${NASTY}`,
    settings: { data: `runs/${NASTY}.csv`, epochs: 3, hidden: [8, 4] },
    modelSummary: `layer 0: ${NASTY}`,
    history,
    final: { loss: 0.4, accuracy: 0.9 },
    evaluatedOn: `rows of ${NASTY}`,
    classes,
    confusion,
    perClass: perClassScores(confusion, classes),
  };
}

/** The HTML between the opening tag with this id and its closing </figure>, or null. */
const figure = (html: string, id: string) =>
  html.match(new RegExp(`<figure id="${id}">([\\s\\S]*?)</figure>`))?.[1] ?? null;

test('every string from data is escaped: class names, settings, title, summary, where evaluated', () => {
  const html = runReportHtml(
    classifierReport(
      ['a', NASTY],
      [
        [3, 1],
        [0, 4],
      ],
    ),
  );
  assert.ok(!html.includes('<b>'), 'a raw <b> from data reached the HTML');
  assert.ok(!html.includes('&"'), 'a raw & or " from data reached the HTML');
  // The per-class table, the settings table, the title and the summary show it escaped.
  assert.match(figure(html, 'per-class')!, /<td>&lt;b&gt;&amp;&quot;x&quot;<\/td>/);
  assert.match(figure(html, 'settings')!, /<td>runs\/&lt;b&gt;&amp;&quot;x&quot;\.csv<\/td>/);
  assert.match(figure(html, 'settings')!, /<td>8, 4<\/td>/);
  assert.match(html, /<title>nabla train: &lt;b&gt;&amp;&quot;x&quot;<\/title>/);
  assert.match(figure(html, 'model')!, /<pre>layer 0: &lt;b&gt;&amp;&quot;x&quot;<\/pre>/);
  assert.match(html, /<dt>accuracy<\/dt><dd>90\.00%<\/dd>/);
  // Nothing to run and nothing to fetch.
  assert.ok(!/<script|<link|<img|src=|@import|url\(/i.test(html));
});

test('a regression report has scores, curves, model and settings, and no confusion matrix or per-class table', () => {
  const reg: EpochLogs[] = [1, 2].map((epoch) => ({
    epoch,
    lr: 0.01,
    seconds: 0.1,
    loss: 2 / epoch,
    valLoss: 2.5 / epoch,
    mae: 1 / epoch,
    valMae: 1.1 / epoch,
  }));
  const html = runReportHtml({
    title: 'nabla train: houses',
    settings: { epochs: 2 },
    modelSummary: 'layer 0: Linear(3→1)',
    history: reg,
    final: { loss: 1.25, r2: 0.8123456, rmse: 1.118, mae: 0.55 },
    evaluatedOn: '20 validation rows',
    classes: null,
    confusion: null,
    perClass: null,
  });
  for (const id of ['curves', 'model', 'settings']) assert.ok(figure(html, id), `no ${id} figure`);
  assert.match(figure(html, 'curves')!, /<svg[\s\S]*mean absolute error/);
  assert.match(html, /<dt>r2<\/dt><dd>0\.8123<\/dd>/);
  assert.ok(!html.includes('id="confusion"') && !html.includes('id="per-class"') && !html.includes('Classes</h2>'));
});

test('above the inline limit the matrix is pointed to in confusion.csv, not drawn, and the table keeps the worst classes', () => {
  const k = 101;
  const classes = Array.from({ length: k }, (_, i) => `c${i}`);
  // Class i is right i+1 times in 102 and mistaken for its neighbour otherwise: c0 has the lowest F1.
  const m = classes.map((_, i) => classes.map((_, j) => (j === i ? i + 1 : j === (i + 1) % k ? 101 - i : 0)));
  const big = runReportHtml(classifierReport(classes, m));
  const confusion = figure(big, 'confusion')!;
  assert.ok(!confusion.includes('<svg'), 'a 101-class matrix was drawn');
  assert.match(confusion, /101 classes: too many to draw; .*<a href="confusion\.csv">confusion\.csv<\/a>/);
  const rows = [...figure(big, 'per-class')!.matchAll(/<tr><td>(c\d+)<\/td>/g)].map((r) => r[1]);
  assert.equal(rows.length, 50);
  assert.deepEqual(rows.slice(0, 3), ['c0', 'c1', 'c2']);
  assert.match(figure(big, 'per-class')!, /The 50 classes with the lowest F1, of 101/);
  assert.ok(big.length < 60_000, `${big.length} characters`);

  // At the limit it is drawn, every class in the table; the limit and file name are the caller's.
  const at = runReportHtml(
    classifierReport(
      classes.slice(0, 100),
      m.slice(0, 100).map((r) => r.slice(0, 100)),
    ),
  );
  assert.match(figure(at, 'confusion')!, /<svg/);
  assert.equal([...figure(at, 'per-class')!.matchAll(/<tr><td>/g)].length, 100);
  const small = runReportHtml(
    classifierReport(
      ['a', 'b', 'c'],
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    ),
    { inlineClasses: 2, confusionFile: 'm.csv' },
  );
  assert.match(figure(small, 'confusion')!, /<a href="m\.csv">/);
});

test(
  'a report from a real training run opens from file:// in chromium: no errors, every figure drawn',
  { skip: !existsSync('/usr/bin/chromium') && 'no /usr/bin/chromium', timeout: 120_000 },
  async () => {
    // Three blobs in the plane (one class named with markup), a 2-8-3 MLP, 40 train and 20 validation rows.
    manualSeed(5);
    const classes = ['left', 'right', NASTY];
    const centres = [
      [-1, 0],
      [1, 0],
      [0, 1.5],
    ];
    const rows = (n: number) => {
      const x = new Float32Array(2 * n),
        y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = i % 3;
        x[2 * i] = centres[i % 3][0] + 2 * (random() - 0.5);
        x[2 * i + 1] = centres[i % 3][1] + 2 * (random() - 0.5);
      }
      return new TensorDataset(new Tensor(x, [n, 2]), new Tensor(y, [n]));
    };
    const train = rows(40),
      validation = rows(20);
    const model = mlp({ inputs: 2, hidden: [8], outputs: 3 });
    const settings = { data: 'blobs.csv', epochs: 6, batchSize: 8, lr: 0.05, hidden: [8], seed: 5 };
    const result = await fit(model, {
      data: train,
      validation,
      loss: crossEntropy,
      optimizer: new Adam(model.parameters(), { lr: settings.lr }),
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      metrics: ['accuracy'],
    });
    const { confusion, loss, accuracy } = await evaluate(model, validation, {
      loss: crossEntropy,
      metrics: ['accuracy'],
    });
    const input: InputSpec = {
      kind: 'csv',
      task: 'classification',
      inputs: 2,
      outputs: 3,
      classes,
      featureNames: ['x', 'y'],
      target: 'class',
      standardizer: null,
      imageShape: null,
    };
    const html = runReportHtml({
      title: 'nabla train: blobs',
      settings,
      modelSummary: explainSequential(model, input, settings.batchSize),
      history: result.history,
      final: { loss, accuracy: accuracy! },
      evaluatedOn: '20 validation rows',
      classes,
      confusion: confusion!,
      perClass: perClassScores(confusion!, classes),
    });

    const dir = mkdtempSync(join(tmpdir(), 'nabla-report-'));
    const browser = await launchBrowser();
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, html);
      const page = await browser.context.newPage();
      const errors: string[] = [],
        requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(`uncaught ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href);
      await page.waitForLoadState('load');

      const size = async (selector: string) => {
        const box = await page.locator(selector).boundingBox();
        assert.ok(box && box.width > 0 && box.height > 0, `${selector} is not drawn: ${JSON.stringify(box)}`);
      };
      await size('#curves svg');
      assert.equal(await page.locator('#curves svg polyline').count(), 4); // loss and accuracy, train and validation
      await size('#confusion svg');
      assert.equal(await page.locator('#confusion svg rect[stroke="#ccc"]').count(), 9);
      const cells = await page.locator('#per-class tbody tr td:first-child').allTextContents();
      assert.deepEqual(cells, classes); // the markup in a class name shows as text
      await size('#per-class table');
      const summary = await page.locator('#model pre').textContent();
      assert.match(summary!, /^layer 0: Linear\(2→8\) {3}24 parameters/m);
      assert.match(summary!, /^parameters: 51$/m);
      assert.equal(await page.locator('#settings tbody tr').count(), Object.keys(settings).length);
      assert.deepEqual(await page.locator('#scores dt').allTextContents(), ['loss', 'accuracy']);
      assert.equal(await page.title(), 'nabla train: blobs');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });

      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [pathToFileURL(file).href]); // the file itself and nothing else
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
