// The layers of the house (DESIGN.md): dependency-cruiser checks src/ against .dependency-cruiser.cjs
// — no import cycle (type-only imports included) and nothing importing a layer above its own.
// Its report names every offending import; this test fails with that report.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

test('src/ has no import cycle and no upward import', () => {
  const run = spawnSync(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(run.error, undefined, `depcruise did not start: ${run.error}`);
  assert.equal(run.status, 0, `dependency-cruiser found violations:\n${run.stdout}${run.stderr}`);
});
