// The pure TypeScript backend: every kernel of the contract, the reference every other backend
// is tested against and the fallback for the kernels another backend lacks.

import type { Backend, Kernels } from '../contract.js';
import { binary, unary } from './elementwise.js';
import { matmul } from './matmul.js';
import { adam, rmsprop, sgd } from './optim.js';
import { gatherRows, scatterAddRows, where } from './gather.js';
import { col2im, im2col } from './patches.js';
import { axpy, logSoftmax, normAccumulate, permute, pick, place, reduce, scale, unpick } from './rows.js';

export const jsBackend: Backend & Kernels = {
  name: 'js', unary, binary, reduce, matmul, logSoftmax, permute, pick, unpick, gatherRows, scatterAddRows, where, im2col, col2im, place, axpy, scale, normAccumulate, sgd, adam, rmsprop,
};
