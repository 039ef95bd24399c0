// The pure TypeScript backend: the reference every other backend is tested against.

import type { Backend } from '../contract.js';
import { binary, unary } from './elementwise.js';
import { matmul } from './matmul.js';
import { axpy, logSoftmax, permute, pick, reduce, unpick } from './rows.js';

export const jsBackend: Backend = { name: 'js', unary, binary, reduce, matmul, logSoftmax, permute, pick, unpick, axpy };
