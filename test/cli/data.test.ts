// The CLI's CSV loading: the validation rows are split off before standardisation statistics
// are fitted, so nothing about them leaks into training.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrainingData } from '../../src/cli/data.js';
import type { Subset } from '../../src/data/dataset.js';

test('CSV standardisation is fitted on the training rows only and applied to both parts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-csvsplit-'));
  try {
    // Distinct, spread-out values so any validation row would move the mean and std.
    const raw = Array.from({ length: 20 }, (_, i) => [i * i * 0.5 - 3, 100 - 7 * i]);
    const file = join(dir, 'd.csv');
    writeFileSync(file, `a,b,y\n${raw.map((r, i) => `${r[0]},${r[1]},${i % 2}`).join('\n')}\n`);
    const data = loadTrainingData({ data: file, target: 'y', standardize: true, valSplit: 0.25, seed: 3 });
    const train = data.train as Subset;
    const validation = data.validation as Subset;
    assert.equal(validation.length, 5);
    const s = data.spec.standardizer;
    assert.ok(s);
    for (let j = 0; j < 2; j++) {
      // Population mean and std of the training rows, computed here from the raw file values.
      const col = Array.from(train.indices, (i) => raw[i][j]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      assert.ok(
        Math.abs(s.mean[j] - mean) < 1e-9 * Math.max(1, Math.abs(mean)),
        `mean of column ${j}: ${s.mean[j]} vs ${mean}`,
      );
      assert.ok(Math.abs(s.std[j] - std) < 1e-9 * std, `std of column ${j}: ${s.std[j]} vs ${std}`);
      // Both parts are mapped with those statistics.
      for (const part of [train, validation]) {
        for (let k = 0; k < part.length; k++) {
          const [x] = part.get(k);
          const want = (raw[part.indices[k]][j] - mean) / std;
          assert.ok(
            Math.abs(x.data[j] - want) < 1e-6 * Math.max(1, Math.abs(want)),
            `row ${part.indices[k]}, column ${j}: ${x.data[j]} vs ${want}`,
          );
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
