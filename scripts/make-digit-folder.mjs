#!/usr/bin/env node
// An image folder in torchvision's ImageFolder layout from the bundled MNIST digits (the
// optional `mnist` package, read by nabla's data.bundledMnist): DIR/0 … DIR/9, PER_CLASS images
// each, alternately PNG (grey, by pngjs) and JPEG (RGB, quality 95, by jpeg-js), 28×28.
// Run after a build: node scripts/make-digit-folder.mjs DIR [PER_CLASS=30]

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { bundledMnist } from '../dist/src/data/mnist.js';

const [dir, perClassArg = '30'] = process.argv.slice(2);
const perClass = Number(perClassArg);
if (!dir || !Number.isInteger(perClass) || perClass < 1) {
  console.error('usage: node scripts/make-digit-folder.mjs DIR [PER_CLASS=30]');
  process.exit(2);
}
const { inputs, targets } = bundledMnist();
const written = new Array(10).fill(0);
for (let i = 0; i < targets.size && written.some((n) => n < perClass); i++) {
  const label = targets.data[i];
  if (written[label] >= perClass) continue;
  const rgba = Buffer.alloc(28 * 28 * 4);
  for (let p = 0; p < 784; p++) {
    const v = Math.round(inputs.data[i * 784 + p] * 255);
    rgba.writeUInt32BE(((v << 24) | (v << 16) | (v << 8) | 255) >>> 0, 4 * p);
  }
  const image = { width: 28, height: 28, data: rgba };
  const png = written[label] % 2 === 0;
  const bytes = png
    ? PNG.sync.write(Object.assign(new PNG({ width: 28, height: 28 }), image), { colorType: 0 })
    : jpeg.encode(image, 95).data;
  mkdirSync(join(dir, String(label)), { recursive: true });
  writeFileSync(join(dir, String(label), `${String(i).padStart(5, '0')}.${png ? 'png' : 'jpg'}`), bytes);
  written[label]++;
}
console.log(`${dir}: ${written.reduce((a, b) => a + b)} images in 10 class folders`);
