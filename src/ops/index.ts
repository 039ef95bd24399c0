// Every op, as functions (the op table, src/ops/table.ts); defineOp attaches the Tensor methods.

export * from './generated/ops.js';
export { opTable, type OpName, type TensorMethods } from './table.js';
export type { Op } from './op.js';
export type { Window } from './window.js';
export type { Labels } from './labels.js';
export type { Indices } from './labels.js';
export type { Mask, NestedBoolean, BoolMask } from './mask.js';
export { split, chunk } from './split.js';
export { attentionWeights, type AttentionOptions } from './attention-weights.js';
