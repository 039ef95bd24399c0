// The 2-D data sets, drawn from nabla's seeded PRNG so a seed fixes the points, and the CSV
// reader for uploads. Points live in [-1, 1]², the network's input range.

import { rand } from '../../src/core.js';
import type { Config } from './config.js';

export interface Points {
  /** [n, 2] row-major coordinates. */
  xs: Float32Array;
  /** [n] labels: 0/1 for classification, a real target for regression. */
  ys: Float32Array;
  regression: boolean;
}

export interface Split {
  train: Points;
  test: Points;
}

const COUNT = 400;

/** Uniform [0, 1) draws from nabla's PRNG, fetched in chunks. */
function uniformStream(): () => number {
  let chunk: ArrayLike<number> = [];
  let i = 0;
  return () => {
    if (i === chunk.length) {
      chunk = rand([256]).data;
      i = 0;
    }
    return chunk[i++];
  };
}

export function generate(name: Exclude<Config['dataset'], 'csv'>, noise: number): Points {
  const u = uniformStream();
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const xs = new Float32Array(COUNT * 2);
  const ys = new Float32Array(COUNT);
  const put = (i: number, a: number, b: number, label: number) => {
    xs[2 * i] = Math.max(-1, Math.min(1, a));
    xs[2 * i + 1] = Math.max(-1, Math.min(1, b));
    ys[i] = label;
  };
  const jitter = () => noise * 0.3 * normal();
  for (let i = 0; i < COUNT; i++) {
    const half = i < COUNT / 2 ? 1 : 0;
    switch (name) {
      case 'circle': {
        const r = half ? 0.5 * u() : 0.7 + 0.25 * u();
        const t = 2 * Math.PI * u();
        put(i, r * Math.cos(t) + jitter(), r * Math.sin(t) + jitter(), half);
        break;
      }
      case 'xor': {
        const pad = (v: number) => (v > 0 ? v + 0.05 : v - 0.05);
        const a = pad(1.9 * u() - 0.95);
        const b = pad(1.9 * u() - 0.95);
        put(i, a + jitter(), b + jitter(), a * b > 0 ? 1 : 0);
        break;
      }
      case 'gauss': {
        const c = half ? 0.4 : -0.4;
        const s = 0.15 + noise * 0.4;
        put(i, c + s * normal(), c + s * normal(), half);
        break;
      }
      case 'spiral': {
        const k = half ? i : i - COUNT / 2;
        const r = (k / (COUNT / 2)) * 0.9 + 0.05;
        const t = 1.75 * (k / (COUNT / 2)) * 2 * Math.PI + (half ? 0 : Math.PI);
        put(i, r * Math.sin(t) + jitter(), r * Math.cos(t) + jitter(), half);
        break;
      }
      case 'surface': {
        const a = 2 * u() - 1;
        const b = 2 * u() - 1;
        put(i, a, b, Math.sin(Math.PI * a) * Math.cos(Math.PI * b) * 0.8 + noise * 0.5 * normal());
        break;
      }
    }
  }
  return { xs, ys, regression: name === 'surface' };
}

/** Shuffles with nabla's PRNG and cuts into train and test sets. */
export function split(points: Points, trainPercent: number): Split {
  const n = points.ys.length;
  const keys = rand([n]).data;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b]);
  const nTrain = Math.max(1, Math.min(n - 1, Math.round((n * trainPercent) / 100)));
  return { train: subset(points, order.slice(0, nTrain)), test: subset(points, order.slice(nTrain)) };
}

/** The points at the given indices, in that order. */
export function subset(points: Points, idx: readonly number[]): Points {
  const xs = new Float32Array(idx.length * 2);
  const ys = new Float32Array(idx.length);
  idx.forEach((j, k) => {
    xs[2 * k] = points.xs[2 * j];
    xs[2 * k + 1] = points.xs[2 * j + 1];
    ys[k] = points.ys[j];
  });
  return { xs, ys, regression: points.regression };
}

/**
 * A CSV of rows `x1,x2,label` (an optional header line). Two distinct labels make a
 * classification set (the smaller one becomes 0); more make a regression set. Coordinates and
 * regression targets are scaled into [-1, 1].
 */
export function parseCsv(text: string, fileName = 'upload.csv'): Points {
  const rows: number[][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = line.split(/[,;\t]/).map((c) => Number(c.trim()));
    if (cells.some((c) => !Number.isFinite(c))) {
      if (i === 0) return; // a header
      throw new Error(`${fileName}: line ${i + 1}: expected three numbers x1,x2,label, got "${line.slice(0, 60)}"`);
    }
    if (cells.length !== 3)
      throw new Error(`${fileName}: line ${i + 1}: expected 3 columns (x1,x2,label), got ${cells.length}`);
    rows.push(cells);
  });
  if (rows.length < 4) throw new Error(`${fileName}: needs at least 4 data rows, got ${rows.length}`);
  const scale = (col: number) => Math.max(...rows.map((r) => Math.abs(r[col]))) || 1;
  const s0 = scale(0);
  const s1 = scale(1);
  const labels = [...new Set(rows.map((r) => r[2]))].sort((a, b) => a - b);
  const regression = labels.length > 2;
  const s2 = regression ? scale(2) : 1;
  const xs = new Float32Array(rows.length * 2);
  const ys = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    xs[2 * i] = r[0] / s0;
    xs[2 * i + 1] = r[1] / s1;
    ys[i] = regression ? r[2] / s2 : r[2] === labels[labels.length - 1] && labels.length === 2 ? 1 : 0;
  });
  return { xs, ys, regression };
}
