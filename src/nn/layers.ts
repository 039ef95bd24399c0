// Parameter-free layers: activations, Softmax/LogSoftmax, Flatten, Dropout, and Sequential.

import { allocData } from '../storage.js';
import { Tensor } from '../tensor.js';
import { random } from '../random.js';
import { shapeStr } from '../shape.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return x.relu(); }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return x.tanh(); }
}

export class GELU extends Module {
  forward(x: Tensor): Tensor { return x.gelu(); }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
}

export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.softmax(this.dim); }
}

export class LogSoftmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
}

/** Flattens axes startDim..endDim into one (by default everything but the batch axis). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  forward(x: Tensor): Tensor {
    const end = this.endDim < 0 ? x.rank + this.endDim : this.endDim;
    if (this.startDim < 0 || this.startDim > end || end >= x.rank) {
      throw new Error(`Flatten(${this.startDim}, ${this.endDim}): cannot flatten input of shape ${shapeStr(x.shape)}`);
    }
    const merged = x.shape.slice(this.startDim, end + 1).reduce((p, d) => p * d, 1);
    return x.reshape([...x.shape.slice(0, this.startDim), merged, ...x.shape.slice(end + 1)]);
  }
}

/**
 * Dropout: in training, zeroes each element with probability p and scales the rest by
 * 1/(1−p) (so the expectation is unchanged); the identity in eval mode.
 * y = x ⊙ m, m fixed for the step → dx = dy ⊙ m.
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const mask = allocData(x.dtype, x.size);
    const scale = 1 / (1 - this.p);
    for (let i = 0; i < mask.length; i++) mask[i] = random() < this.p ? 0 : scale;
    return x.mul(new Tensor(mask, x.shape, x.dtype));
  }
  override toString(): string { return `Dropout(${this.p})`; }
}

/** Layers applied in order; `layers` is readable, and parameters are named "0.weight", "0.bias", ... */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((l, i) => {
      if (!(l instanceof Module)) throw new Error(`Sequential: argument ${i} is not a Module`);
    });
    this.layers = layers;
  }

  override namedChildren(): [string, Module][] {
    return this.layers.map((l, i) => [String(i), l]);
  }

  forward(x: Tensor): Tensor {
    let y = x;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      try {
        // Linear then ReLU: one fused product (same values and gradients as the two layers).
        if (layer instanceof Linear && layers[i + 1] instanceof ReLU) {
          y = layer.forwardAct(y, true);
          i++;
        } else {
          y = layer.forward(y);
        }
      } catch (e) {
        throw new Error(`Sequential layer ${i}: ${(e as Error).message}`, { cause: e });
      }
    }
    return y;
  }
}
