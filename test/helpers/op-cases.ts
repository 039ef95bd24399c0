// The op-table cases of the PyTorch fixture (test/fixtures/ops.json, from `npm run fixtures`) and
// how a case runs: shared by the op-table suite (test/ops.test.ts) and its WebGPU run
// (test/backend/webgpu.test.ts).

import { opTable, type OpName } from '../../src/ops/index.js';
import { tensor, type DType, type Tensor } from '../../src/index.js';
import { fixture } from './compare.js';

export interface OpCase {
  op: OpName;
  index: number;
  args: Record<string, unknown>;
  inputs: { shape: number[]; values: number[] }[];
  output: { shape: number[]; values: number[] };
  upstream: number[];
  grads: number[][];
}

export const opsFixture = fixture<OpCase>('ops.json') as ReturnType<typeof fixture<OpCase>> & { samplesSha256: string };
export const cases = opsFixture.cases;

export const label = (c: OpCase) =>
  `${c.op} #${c.index} ${c.inputs.map((x) => `[${x.shape}]`).join(' ')} ${JSON.stringify(c.args)}`;

/** The case's op on inputs x. */
export function call(c: OpCase, x: Tensor[]): Tensor {
  const e = opTable[c.op].entry;
  return e.call ? e.call(x, c.args) : (opTable[c.op] as unknown as (...t: Tensor[]) => Tensor)(...x);
}

/** Runs a case forward and backward (with its upstream gradient) on the active backend. */
export function run(c: OpCase, dtype: DType): { inputs: Tensor[]; y: Tensor } {
  const specs = opTable[c.op].entry.samples[c.index].inputs;
  const inputs = c.inputs.map((i, j) => tensor(i.values, { shape: i.shape, dtype, requiresGrad: !specs[j].constant }));
  const y = call(c, inputs);
  // An op whose result is a constant (a comparison, argmax) has no gradient, as torch's.
  if (y.requiresGrad) y.backward(tensor(c.upstream, { shape: c.output.shape, dtype }));
  return { inputs, y };
}
