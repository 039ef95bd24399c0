// The op table: every op, by name, from the files of src/ops/defs/ (listed in generated/ops.ts).
// The mapped type makes each export an op entry (defineOp: a forward with a backward, or a
// composite; a torch counterpart; samples; error cases), so an incomplete entry does not compile.
// It also types the Tensor methods that defineOp attaches.

import type { Tensor } from '../tensor.js';
import * as ops from './generated/ops.js';
import type { Op } from './op.js';

type Table = typeof ops;
export type OpName = keyof Table;

export const opTable: { readonly [K in OpName]: Op } = ops;

type Rest<F> = F extends (x: Tensor, ...rest: infer R) => Tensor ? R : never;
type MethodName = { [K in OpName]: Table[K]['entry']['method'] extends true ? K : never }[OpName];

/** x.op(...rest) for every op whose entry says `method: true`. */
export type TensorMethods = { [K in MethodName]: (...rest: Rest<Table[K]>) => Tensor };

declare module '../tensor.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends TensorMethods {}
}
