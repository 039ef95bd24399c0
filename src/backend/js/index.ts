// The pure TypeScript backend: every kernel of the contract, the reference every other backend
// is tested against and the fallback for the kernels another backend lacks.

import type { Backend, Kernels } from '../contract.js';
import { binary, fill, unary, where } from './elementwise.js';
import { matmul } from './matmul.js';
import { adam, axpy, normAccumulate, rmsprop, scale, sgd } from './optim.js';
import { col2im, im2col, place } from './patches.js';
import { gatherRows, logSoftmax, permute, pick, reduce, scatterAddRows, unpick } from './rows.js';

export const jsBackend: Backend & Kernels = {
  name: 'js',
  unary,
  binary,
  where,
  fill,
  matmul,
  reduce,
  logSoftmax,
  permute,
  pick,
  unpick,
  gatherRows,
  scatterAddRows,
  im2col,
  col2im,
  place,
  axpy,
  scale,
  normAccumulate,
  sgd,
  adam,
  rmsprop,
};
