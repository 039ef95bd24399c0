// The layers of the house (docs/ARCHITECTURE.md): dependency-cruiser checks src/ against .dependency-cruiser.cjs
// — no import cycle (type-only imports included) and nothing importing a layer above its own.
// Its report names every offending import; the first test fails with that report, the second
// shows on a small tree of deliberately bad imports that the rules do catch them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

function cruise(cwd: string) {
  const run = spawnSync(process.execPath, [bin, 'src', '--config', config, '--output-type', 'err'], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(run.error, undefined, `depcruise did not start: ${run.error}`);
  return run;
}

test('src/ has no import cycle and no upward import', () => {
  const run = cruise(root);
  assert.equal(run.status, 0, `dependency-cruiser found violations:\n${run.stdout}${run.stderr}`);
});

test('docs/ARCHITECTURE.md names every leaf helper the rules name', () => {
  const leaves = readFileSync(config, 'utf8')
    .match(/const LEAF = '\^src\/\(([a-z|]+)\)/)?.[1]
    .split('|');
  assert.ok(leaves && leaves.length > 0, 'LEAF not found in .dependency-cruiser.cjs');
  const doc = readFileSync(join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
  for (const leaf of leaves)
    assert.ok(doc.includes(`\`src/${leaf}.ts\``), `docs/ARCHITECTURE.md does not name src/${leaf}.ts as a leaf helper`);
});

test('the rules catch an upward import, an import of the backend from above it, a leaf helper importing from src/, and a type-only cycle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-house-'));
  try {
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
      }),
      'src/shape.ts': 'export const rank = 0;\n',
      'src/show.ts': "import { t } from './tensor.js';\nexport const shown = t;\n",
      'src/tensor.ts': "import { rank } from './shape.js';\nexport const t = rank;\n",
      'src/nn/layer.ts': "import { t } from '../tensor.js';\nexport const layer = t;\n",
      'src/ops/bad.ts': "import { layer } from '../nn/layer.js';\nexport const op = layer;\n",
      'src/backend/bad.ts': "import { t } from '../tensor.js';\nexport const kernel = t;\n",
      'src/train/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
      'src/train/b.ts': "import type { A } from './a.js';\nexport interface B { a?: A }\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const run = cruise(dir);
    const report = `${run.stdout}${run.stderr}`;
    assert.notEqual(run.status, 0, report);
    assert.match(report, /ops-autograd-below-nn: src\/ops\/bad\.ts → src\/nn\/layer\.ts/);
    assert.match(report, /backend-is-the-bottom: src\/backend\/bad\.ts → src\/tensor\.ts/);
    assert.match(report, /no-circular: src\/train\/(a|b)\.ts/);
    assert.match(report, /leaf-helpers: src\/show\.ts → src\/tensor\.ts/);
    assert.match(report, /4 dependency violations/, report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the generated tables (ops, layers, kernels) are those scripts/gen-tables.mjs writes from their sources', () => {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'gen-tables.mjs'), '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
});
