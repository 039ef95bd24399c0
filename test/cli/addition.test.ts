// `nabla train --data addition`, spawned on the built CLI: a small run learns (its held-out loss
// falls) and writes its files, the model file rebuilds the GPT, and bad GPT flags are one-line
// errors. The ≥ 99% exact match of the default run is measured, not tested (README: 1,000 steps).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../../src/io/index.js';
import { nn } from '../../src/index.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-addition-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const nabla = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: tmp });

test('a small addition run learns and writes the model, metrics.json and curves.svg', () => {
  const out = join(tmp, 'run');
  const r = nabla(
    'train',
    '--data',
    'addition',
    '--digits',
    '2',
    '--train-size',
    '3200',
    '--epochs',
    '2',
    '--dim',
    '32',
    '--heads',
    '2',
    '--layers',
    '1',
    '--lr',
    '3e-3',
    '--out',
    out,
    '--no-progress',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /held-out sums: exact match \d+\.\d\d% \(\d+\/1000, never trained on\)/);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  const [first, second] = metrics.history;
  assert.ok(
    second.valLoss < first.valLoss && first.valLoss < Math.log(10),
    `held-out loss ${first.valLoss} → ${second.valLoss}`,
  );
  assert.equal(metrics.final.problems, 1000);
  assert.ok(existsSync(join(out, 'curves.svg')));
  const { model } = load(join(out, 'model.safetensors'));
  assert.ok(model instanceof nn.Sequential && model.layers[0] instanceof nn.GPT);
  assert.equal(model.layers[0].label(), 'GPT(1 layers, 2 heads, dim 32, vocab 10, context 6)');
});

test('bad GPT flags are one-line errors naming the flag', () => {
  for (const [args, message] of [
    [['--layers', '2,3'], /--layers 2,3: a GPT takes one number/],
    [['--dim', '30', '--heads', '4'], /--dim 30 is not divisible by --heads 4/],
    [['--digits', '7'], /--digits/],
  ] as const) {
    const r = nabla('train', '--data', 'addition', ...args, '--out', join(tmp, 'bad'));
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, message);
    assert.ok(!existsSync(join(tmp, 'bad')), 'nothing is left behind');
  }
});
