// The multilayer perceptron the command line and the playground build: Linear layers with an
// activation (and optional dropout) between them.

import { Dropout, GELU, LeakyReLU, Linear, ReLU, Sigmoid, Tanh, type LinearInit } from './layers/index.js';
import { Sequential } from './sequential.js';
import type { Module } from './module.js';

export const activations = { relu: ReLU, tanh: Tanh, sigmoid: Sigmoid, gelu: GELU, leakyrelu: LeakyReLU } as const;
export type ActivationName = keyof typeof activations;

export interface MlpOptions {
  inputs: number;
  hidden: number[];
  outputs: number;
  activation?: ActivationName;
  dropout?: number;
  /**
   * The initialiser of every Linear layer. Default: heUniform for hidden layers followed by
   * ReLU or LeakyReLU, glorotUniform for the others and for the output layer.
   */
  init?: LinearInit;
}

export function mlp(options: MlpOptions): Sequential {
  const { inputs, hidden, outputs, activation = 'relu', dropout = 0, init } = options;
  const Act = activations[activation];
  if (!Act) throw new Error(`mlp: unknown activation '${activation}' (use ${Object.keys(activations).join(', ')})`);
  const layers: Module[] = [];
  let width = inputs;
  for (const h of hidden) {
    layers.push(new Linear(width, h, { init: init ?? (activation === 'relu' || activation === 'leakyrelu' ? 'heUniform' : 'glorotUniform') }), new Act());
    if (dropout > 0) layers.push(new Dropout(dropout));
    width = h;
  }
  layers.push(new Linear(width, outputs, { init: init ?? 'glorotUniform' }));
  return new Sequential(...layers);
}
