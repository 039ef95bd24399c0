// What a finished `nabla train` writes is bounded: a classifier with more classes than
// INLINE_CONFUSION_CLASSES gets its confusion matrix in confusion.csv, not in metrics.json, the
// plot or the terminal, and the model is written first.

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
    new RegExp(`confusion matrix on .*: ${classes} classes, written to ${join(out, 'confusion.csv')}`),
  );
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  // The backend that trained it is named in the settings line and in metrics.json.
  assert.ok(['js', 'wasm', 'native'].includes(metrics.backend), metrics.backend);
  assert.match(r.stdout, new RegExp(`, backend ${metrics.backend} → `));
  assert.equal(metrics.final.confusion, undefined);
  assert.equal(metrics.final.confusionFile, join(out, 'confusion.csv'));
  assert.equal(metrics.final.classes.length, classes);
  const csv = readFileSync(join(out, 'confusion.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(csv.length, classes + 1);
  assert.match(csv[0], /^true\\predicted,"c,0","c,1",/);
  assert.equal(csv[1].split(',').length, classes + 2); // the quoted class name holds one comma
  assert.ok(existsSync(join(out, 'model.safetensors')));
  assert.ok(!existsSync(join(out, 'confusion.svg')));
});
