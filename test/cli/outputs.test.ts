// What a finished `nabla train` writes is bounded: a classifier with more classes than
// INLINE_CONFUSION_CLASSES gets its confusion matrix's nonzero cells in confusion.csv, not the
// matrix in metrics.json, the plot or the terminal, and the model is written first.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INLINE_CONFUSION_CLASSES } from '../../src/cli/outputs.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-outputs-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('a classifier with many classes writes its confusion matrix to confusion.csv, summarised elsewhere', () => {
  const classes = INLINE_CONFUSION_CLASSES + 20;
  const lines = ['a,b,label'];
  for (let i = 0; i < 3 * classes; i++) lines.push(`${(i % classes) / classes},${(i % 7) / 7},"c,${i % classes}"`);
  const data = join(tmp, 'many.csv');
  writeFileSync(data, `${lines.join('\n')}\n`);
  const out = join(tmp, 'run');
  const r = spawnSync(
    process.execPath,
    [main, 'train', '--data', data, '--target', 'label', '--epochs', '1', '--layers', '8', '--out', out],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      `confusion matrix on .*: ${classes} classes, its \\d+ nonzero cells written to ${join(out, 'confusion.csv')}`,
    ),
  );
  assert.match(r.stdout, /most frequent mistakes \(true → predicted\): "?c,\d+"? → /);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  // The backend that trained it is named in the settings line and in metrics.json.
  assert.ok(['js', 'wasm', 'native'].includes(metrics.backend), metrics.backend);
  assert.match(r.stdout, new RegExp(`, backend ${metrics.backend} → `));
  assert.equal(metrics.final.confusion, undefined);
  assert.equal(metrics.final.confusionFile, join(out, 'confusion.csv'));
  assert.equal(metrics.final.classes.length, classes);
  const csv = readFileSync(join(out, 'confusion.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(csv[0], 'true,predicted,count');
  // One row per nonzero cell, at most one per validation row, summing to the rows evaluated.
  const cells = csv.slice(1).map((line) => /^"c,(\d+)","c,(\d+)",(\d+)$/.exec(line)!);
  assert.ok(cells.every((m) => m !== null) && cells.length <= metrics.final.samples, csv.slice(0, 3).join('|'));
  assert.equal(
    cells.reduce((s, m) => s + Number(m[3]), 0),
    metrics.final.samples,
  );
  assert.equal(metrics.final.perClass.length, classes);
  assert.ok(existsSync(join(out, 'model.safetensors')));
  assert.ok(!existsSync(join(out, 'confusion.svg')));
});
