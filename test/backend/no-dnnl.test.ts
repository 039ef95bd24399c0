// A fresh clone where oneDNN is not installed: `npm ci` builds the native addon without it (one
// line says so), the native backend then has no conv2d kernels, and a CNN trains on native through
// im2col and OpenBLAS. NABLA_DNNL=0 stands in for a machine without libdnnl-dev (the build takes
// the same branch). Skipped where the addon cannot be built here at all.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('a fresh clone without oneDNN installs and trains a CNN on native through im2col', (t) => {
  if (!existsSync(join(root, 'native/build/nabla.node'))) return t.skip('the native addon is not built here');
  if (spawnSync('git', ['-C', root, 'rev-parse', 'HEAD']).status !== 0) return t.skip('needs git and a checkout');
  const dir = mkdtempSync(join(tmpdir(), 'nabla-nodnnl-'));
  try {
    const clone = join(dir, 'clone');
    assert.equal(spawnSync('git', ['clone', '--quiet', root, clone]).status, 0, 'git clone failed');
    const opts: SpawnSyncOptions = { cwd: clone, env: { ...process.env, NABLA_DNNL: '0' }, encoding: 'utf8' };
    const install = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], opts);
    assert.equal(install.status, 0, `npm ci failed:\n${install.stdout}\n${install.stderr}`);
    assert.match(String(install.stdout), /built the native backend .*without oneDNN: convolution through im2col/);
    const build = spawnSync('npm', ['run', 'build:lib'], opts);
    assert.equal(build.status, 0, `npm run build:lib failed:\n${build.stdout}\n${build.stderr}`);
    const script = `
      import { backendInfo, data, getBackend, manualSeed, nn, optim, crossEntropy, randn, tensor, fit } from './dist/src/index.js';
      import { nativeBuild } from './dist/src/backend/native/index.js';
      manualSeed(0);
      const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(),
        new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(4 * 4 * 4, 2));
      const x = randn([32, 1, 8, 8]);
      const y = tensor(Array.from({ length: 32 }, (_, i) => i % 2));
      x.data.forEach((v, i) => { if (Math.floor(i / 64) % 2) x.data[i] = v + 1; });
      const r = await fit(model, { data: new data.TensorDataset(x, y), loss: crossEntropy, optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }), epochs: 20, batchSize: 32 });
      console.log(JSON.stringify({ backend: getBackend(), dnn: nativeBuild().dnn, conv: backendInfo().ownKernels.includes('conv2d'),
        first: r.history[0].loss, last: r.history.at(-1).loss }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], opts);
    assert.equal(run.status, 0, String(run.stderr));
    const got = JSON.parse(String(run.stdout));
    assert.deepEqual([got.backend, got.dnn, got.conv], ['native', null, false]);
    assert.ok(got.last < got.first / 2, `the CNN did not learn: loss ${got.first} → ${got.last}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
