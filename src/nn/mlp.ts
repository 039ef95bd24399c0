// The multilayer perceptron the command line and the playground build: Linear layers with an
// activation (and optional dropout) between them. mlpLayers gives its layers as specs without
// building anything (`nabla explain` prints them); mlp builds them.

import { GELU, LeakyReLU, Linear, ReLU, Sigmoid, Tanh, type LinearInit } from './layers/index.js';
import type { LayerEntry } from './layers/entry.js';
import { buildLayer, type LayerSpec } from './layers/table.js';
import { Sequential } from './sequential.js';

/** The activation layers that mlp (and `nabla train --activation`) can put between its Linear layers, by name. */
export const activations = {
  /** nn.ReLU. */
  relu: ReLU,
  /** nn.Tanh. */
  tanh: Tanh,
  /** nn.Sigmoid. */
  sigmoid: Sigmoid,
  /** nn.GELU (exact). */
  gelu: GELU,
  /** nn.LeakyReLU (slope 0.01). */
  leakyrelu: LeakyReLU,
} as const;
/** The name of an activation of mlp: 'relu', 'tanh', 'sigmoid', 'gelu' or 'leakyrelu'. */
export type ActivationName = keyof typeof activations;

/** Options of mlp: the layer sizes, the activation, dropout and the initialiser. */
export interface MlpOptions {
  /** Features of each input row. */
  inputs: number;
  /** The hidden layers' sizes, in order (may be empty: a linear model). */
  hidden: number[];
  /** Features of each output row (classes, for classification). */
  outputs: number;
  /** The activation after each hidden Linear (default 'relu'). */
  activation?: ActivationName;
  /** Dropout after each hidden activation, in [0, 1) (default 0: none). */
  dropout?: number;
  /**
   * The initialiser of every Linear layer. Default: heUniform for hidden layers followed by
   * ReLU or LeakyReLU, glorotUniform for the others and for the output layer.
   */
  init?: LinearInit;
}

/** The layers of mlp(options), as specs. */
export function mlpLayers(options: MlpOptions): LayerSpec[] {
  const { inputs, hidden, outputs, activation = 'relu', dropout = 0 } = options;
  const Act = activations[activation];
  if (!Act) throw new Error(`mlp: unknown activation '${activation}' (use ${Object.keys(activations).join(', ')})`);
  const entry = Act.layer as LayerEntry;
  const act = { type: entry.type, ...entry.describe(new Act()) } as LayerSpec;
  const layers: LayerSpec[] = [];
  let width = inputs;
  for (const h of hidden) {
    layers.push({ type: 'Linear', inFeatures: width, outFeatures: h, bias: true }, act);
    if (dropout > 0) layers.push({ type: 'Dropout', p: dropout });
    width = h;
  }
  layers.push({ type: 'Linear', inFeatures: width, outFeatures: outputs, bias: true });
  return layers;
}

/**
 * A multilayer perceptron: a float32 Sequential of Linear layers inputs → ...hidden → outputs with
 * the activation (and dropout, if any) after each hidden one, and nothing after the last (it gives
 * logits). Its layers are all model-file layers, so save and exportOnnx take it as it is.
 *
 * @example
 * ```ts
 * const model = nn.mlp({ inputs: 784, hidden: [128, 64], outputs: 10 });
 * const logits = model.forward(x);   // [N, 784] → [N, 10]
 * ```
 */
export function mlp(options: MlpOptions): Sequential {
  const { activation = 'relu', init } = options;
  const hiddenInit = init ?? (activation === 'relu' || activation === 'leakyrelu' ? 'heUniform' : 'glorotUniform');
  return sequentialOf(mlpLayers(options), hiddenInit, init ?? 'glorotUniform');
}

/** A float32 Sequential of these layers, built in order; its Linear layers initialised by `hiddenInit`, the last layer by `outputInit`. */
export function sequentialOf(layers: readonly LayerSpec[], hiddenInit: LinearInit, outputInit: LinearInit): Sequential {
  return new Sequential(
    layers.map((s, i) =>
      s.type === 'Linear'
        ? new Linear(s.inFeatures, s.outFeatures, {
            bias: s.bias,
            init: i === layers.length - 1 ? outputInit : hiddenInit,
          })
        : buildLayer(s, 'float32'),
    ),
  );
}
