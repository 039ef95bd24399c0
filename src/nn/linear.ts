// Linear: the seeds' y = xW + b with x:[N,in], W:[in,out], b:[out], y:[N,out].
// Gradients are those of the ops it stands for (matmul, add; ops/linear.ts fuses them into one
// backend call, with a following ReLU when Sequential finds one):
//   dL/dx = dL/dy·Wᵀ  [N,in]    dL/dW = xᵀ·dL/dy  [in,out]    dL/db = Σ_N dL/dy  [out]

import { zeros, type DType, type Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { linear } from '../ops/index.js';
import { glorotNormal_, glorotUniform_, heNormal_, heUniform_ } from './init.js';
import { Module, Parameter } from './module.js';

export type LinearInit = 'heUniform' | 'heNormal' | 'glorotUniform' | 'glorotNormal';

export interface LinearOptions {
  bias?: boolean;
  dtype?: DType;
  /** Weight initialiser (default He uniform, suited to ReLU); the bias starts at zero. */
  init?: LinearInit;
}

const initialisers = { heUniform: heUniform_, heNormal: heNormal_, glorotUniform: glorotUniform_, glorotNormal: glorotNormal_ };

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    const init = options.init ?? 'heUniform';
    if (!(init in initialisers)) throw new Error(`Linear: unknown init '${init}' (use ${Object.keys(initialisers).join(', ')})`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(initialisers[init](zeros([inFeatures, outFeatures], { dtype })));
    this.bias = options.bias === false ? null : new Parameter(zeros([outFeatures], { dtype }));
  }

  forward(x: Tensor): Tensor {
    return this.forwardAct(x, false);
  }

  /** forward(x), followed by ReLU when `relu` (fused into the product for 1-D and 2-D inputs). */
  forwardAct(x: Tensor, relu: boolean): Tensor {
    const features = x.shape[x.rank - 1];
    if (x.rank < 1 || features !== this.inFeatures) {
      throw new Error(`${this}: input has ${features ?? 'no'} features, expected ${this.inFeatures} (input shape ${shapeStr(x.shape)})`);
    }
    if (x.dtype !== this.weight.dtype) throw new Error(`${this}: input is ${x.dtype} but the layer's weights are ${this.weight.dtype}`);
    if (x.rank > 2) {
      const y = x.matmul(this.weight);
      const z = this.bias ? y.add(this.bias) : y;
      return relu ? z.relu() : z;
    }
    const y = linear(x.rank === 1 ? x.reshape([1, features]) : x, this.weight, this.bias, relu);
    return x.rank === 1 ? y.reshape([this.outFeatures]) : y;
  }

  override toString(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures})`;
  }
}
