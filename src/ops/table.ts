// The op table: every op, by name, from the files of src/ops/defs/ (listed in generated/ops.ts).
// The mapped type makes each export an op entry (defineOp: a forward with a backward, or a
// composite; a torch counterpart; samples; error cases), so an incomplete entry does not compile.
// It also types the Tensor methods that defineOp attaches.

import type { Tensor } from '../tensor.js';
import * as ops from './generated/ops.js';
import type { Op } from './op.js';

type Table = typeof ops;
/** The name of an op of the op table: 'add', 'matmul', 'conv2d', ... (the op functions' names). */
export type OpName = keyof Table;

/**
 * The op table: every op, by name, each the op function itself (`opTable.relu === relu`). Each
 * entry declares its forward, its backward written with ops, its PyTorch counterpart and its test
 * samples (src/ops/defs/); the op-table test suite checks every entry from them.
 */
export const opTable: { readonly [K in OpName]: Op } = ops;

type Rest<F> = F extends (x: Tensor, ...rest: infer R) => Tensor ? R : never;
type MethodName = { [K in OpName]: Table[K]['entry']['method'] extends true ? K : never }[OpName];

/**
 * The op methods of Tensor: `x.op(...rest)` is `op(x, ...rest)` for every op whose entry says
 * `method: true` (add, matmul, relu, sum, reshape, ...); each is documented at its op function.
 */
export type TensorMethods = { [K in MethodName]: (...rest: Rest<Table[K]>) => Tensor };

declare module '../tensor.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds the methods to Tensor
  interface Tensor extends TensorMethods {}
}
