// The multilayer perceptron the command line builds: Linear layers with an activation (and
// optional dropout) between them.

import { Linear } from '../nn/linear.js';
import { Dropout, GELU, LeakyReLU, ReLU, Sequential, Sigmoid, Tanh } from '../nn/layers.js';
import type { Module } from '../nn/module.js';

export const activations = { relu: ReLU, tanh: Tanh, sigmoid: Sigmoid, gelu: GELU, leakyrelu: LeakyReLU } as const;
export type ActivationName = keyof typeof activations;

export interface MlpOptions {
  inputs: number;
  hidden: number[];
  outputs: number;
  activation?: ActivationName;
  dropout?: number;
}

export function mlp(options: MlpOptions): Sequential {
  const { inputs, hidden, outputs, activation = 'relu', dropout = 0 } = options;
  const Act = activations[activation];
  if (!Act) throw new Error(`mlp: unknown activation '${activation}' (use ${Object.keys(activations).join(', ')})`);
  const layers: Module[] = [];
  let width = inputs;
  for (const h of hidden) {
    layers.push(new Linear(width, h, { init: activation === 'relu' || activation === 'leakyrelu' ? 'heUniform' : 'glorotUniform' }), new Act());
    if (dropout > 0) layers.push(new Dropout(dropout));
    width = h;
  }
  layers.push(new Linear(width, outputs, { init: 'glorotUniform' }));
  return new Sequential(...layers);
}
