// Image folders (torchvision's ImageFolder layout): scripts/make-digit-folder.mjs writes 300
// bundled digits as PNG and JPEG files in class subfolders; `nabla train --data DIR --model cnn`
// trains on them, predict and eval read images; a corrupt file is named by its path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { bundledMnist } from '../../src/data/mnist.js';
import { ImageFolder } from '../../src/data/image-folder.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const script = fileURLToPath(new URL('../../../scripts/make-digit-folder.mjs', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-images-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const run = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', cwd: tmp });
const digits = join(tmp, 'digits');
const made = run(script, digits, '30');

test('the digit folder decodes to the bundled digits: PNG within rounding, JPEG close; a 2× smaller size averages 2×2 blocks', () => {
  assert.equal(made.status, 0, made.stderr);
  const folder = new ImageFolder(digits);
  assert.deepEqual(folder.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(folder.length, 300);
  assert.deepEqual(folder.imageShape, [1, 28, 28]); // the PNGs are grey
  const source = bundledMnist().inputs.data;
  const index = (file: string) => Number(/(\d+)\.(png|jpg)$/.exec(file)![1]);
  for (const k of [0, 1]) {
    const [x] = folder.get(k);
    const at = index(folder.samples[k][0]) * 784;
    const worst = Math.max(...Array.from(x.data, (v, p) => Math.abs(v - source[at + p])));
    assert.ok(worst <= (k === 0 ? 0.5 / 255 : 0.25), `${folder.samples[k][0]}: off by ${worst}`);
  }
  const small = new ImageFolder(digits, { size: 14, channels: 1 });
  const [full] = folder.get(0);
  const [half] = small.get(0);
  for (let y = 0; y < 14; y++)
    for (let x = 0; x < 14; x++) {
      const f = (r: number, c: number) => full.data[r * 28 + c];
      const mean = (f(2 * y, 2 * x) + f(2 * y, 2 * x + 1) + f(2 * y + 1, 2 * x) + f(2 * y + 1, 2 * x + 1)) / 4;
      assert.ok(Math.abs(half.data[y * 14 + x] - mean) < 1e-6, `(${y}, ${x})`);
    }
});

test('nabla train --data DIR --model cnn learns the digit folder; predict reads one image, eval the folder', () => {
  const out = join(tmp, 'run');
  const r = run(main, 'train', '--data', digits, '--model', 'cnn', '--epochs', '4', '--batch-size', '16', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const accuracy = Number(/validation images split off by --seed: .*accuracy ([\d.]+)%/.exec(r.stdout)![1]);
  assert.ok(accuracy > 50, `accuracy ${accuracy}% (chance: 10%)`);
  const one = join(digits, '7', readdirSync(join(digits, '7')).sort()[1]); // a JPEG
  const p = run(main, 'predict', '--model', out, '--input', one);
  assert.equal(p.status, 0, p.stderr);
  const [header, row] = p.stdout.trim().split('\n');
  assert.ok(header.startsWith('file,prediction,p_0,'), header);
  assert.ok(row.startsWith(`${one},`), row);
  const e = run(main, 'eval', '--model', out, '--data', digits);
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /accuracy [\d.]+% \(\d+\/300\)/);
});

test('a corrupt image is named by its path; a directory of neither images nor IDX files is a usage error', () => {
  const bad = join(tmp, 'bad');
  assert.equal(run(script, bad, '2').status, 0);
  const png = PNG.sync.write(Object.assign(new PNG({ width: 4, height: 4 }), { data: Buffer.alloc(64, 255) }));
  writeFileSync(join(bad, '3', 'cut.png'), png.subarray(0, png.length - 20)); // cut short
  const r = run(main, 'train', '--data', bad, '--model', 'cnn', '--epochs', '1', '--out', join(tmp, 'bad-run'));
  assert.notEqual(r.status, 0);
  assert.match(
    r.stderr,
    new RegExp(`${join(bad, '3', 'cut.png').replace(/[.\\/]/g, '\\$&')}: cannot decode the PNG image`),
  );
  writeFileSync(join(bad, '3', 'cut.png'), 'not an image');
  assert.throws(() => {
    const folder = new ImageFolder(bad);
    folder.getBatch(Int32Array.from({ length: folder.length }, (_, i) => i));
  }, /cut\.png: not a PNG or JPEG image/);
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'notes.txt'), 'hello');
  const u = run(main, 'train', '--data', empty, '--out', join(tmp, 'empty-run'));
  assert.equal(u.status, 1, u.stderr);
  assert.match(u.stderr, /neither MNIST IDX files .* nor class subfolders of PNG\/JPEG images/);
});
