// The seeds' forward and backward formulas for each layer of a model, with its concrete shapes,
// parameter counts and the multiply-add work of one training step: `nabla explain` prints
// explainModel, and `summary(model, inputShape)` gives the same table for a model in memory. It
// reads the layers' specs only: nothing is built or allocated, so a model of any size is explained at once.

import { MAX_PARAMETERS, type Fields, type SpecOf } from './layers/entry.js';
import { entryFor, layerSpec, layerSummary, type LayerSpec } from './layers/table.js';
import { Module } from './module.js';
import { Sequential } from './sequential.js';

const big = (n: number) => n.toLocaleString('en-US');
const human = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} G`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)} M`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)} k`
        : String(n);

/** The layers' lines, and what the totals and the loss need: parameters, FLOPs, the last width. */
function explainLayers(layers: readonly LayerSpec[], batch: number, inputShape: readonly number[] | null) {
  const lines: string[] = [];
  let params = 0,
    fwd = 0,
    bwd = 0,
    inputGrad = false;
  let shape = inputShape;
  let width = shape ? shape.reduce((p, d) => p * d, 1) : 0;
  layers.forEach((l, i) => {
    // Each layer's formulas are its table entry's (nn/layers/).
    const { type, ...fields } = l;
    const e = entryFor(type)!.explain(fields as SpecOf<Fields>, { batch, width, shape, inputGrad });
    const p = e.parameters;
    lines.push(`layer ${i}: ${layerSummary(l)}   ${p ? `${big(p.count)} parameters (${p.detail})` : 'no parameters'}`);
    lines.push(...e.lines);
    if (e.flops) {
      lines.push(`  FLOPs     forward ${human(e.flops.forward)}, backward ${human(e.flops.backward)}`);
      fwd += e.flops.forward;
      bwd += e.flops.backward;
    }
    if (p) {
      params += p.count;
      inputGrad = true;
    }
    width = e.width ?? width;
    shape = e.shape ?? (e.width !== undefined ? [e.width] : shape);
  });
  return { lines, params, fwd, bwd, width };
}

/** The totals' lines: parameters (and the cap) and the FLOPs of a step. */
function totals(params: number, fwd: number, bwd: number, batch: number): string[] {
  return [
    `parameters: ${big(params)}${params > MAX_PARAMETERS ? ` (more than the cap of ${big(MAX_PARAMETERS)}: nabla would not build this model)` : ''}`,
    `FLOPs per training step (batch ${batch}; matrix products and bias adds, elementwise ops not counted): forward ${human(fwd)}, backward ${human(bwd)}, total ${human(fwd + bwd)}`,
  ];
}

/**
 * What `nabla explain` prints for these layers trained on batches of `batch`: each layer's
 * formulas with their shapes, its parameters and FLOPs, then the loss (cross-entropy over
 * `classes`, or mean squared error when null) and the totals. `inputShape` is one sample's shape
 * ([C, H, W] for images), which convolutions need to show their products; `lossRows` the rows the
 * loss sees, as printed (a GPT's N·T positions; default N).
 *
 * @example
 * ```ts
 * explainModel(mlpLayers({ inputs: 784, hidden: [128], outputs: 10 }), 32, 10, [784]);
 * // layer 0: Linear(784→128)   100,480 parameters (W 784×128 + b 128) ...
 * ```
 */
export function explainModel(
  layers: readonly LayerSpec[],
  batch: number,
  classes: number | null,
  inputShape: readonly number[] | null = null,
  lossRows = String(batch),
): string {
  const { lines, params, fwd, bwd, width } = explainLayers(layers, batch, inputShape);
  if (classes !== null) {
    lines.push(
      `loss: cross-entropy of softmax, L = −(1/N) Σ log softmax(z)[label]   : [${lossRows}×${classes}] → scalar`,
    );
    lines.push(`  backward  dL/dz = (softmax(z) − onehot(label)) / N   : [${lossRows}×${classes}]`);
  } else {
    lines.push(`loss: mean squared error, L = (1/N) Σ (ŷ − y)²   backward dL/dŷ = (2/N)(ŷ − y) : [${batch}×${width}]`);
  }
  return [...lines, '', ...totals(params, fwd, bwd, batch)].join('\n');
}

/**
 * A model's layers as `nabla explain` prints them (Keras' model.summary(), torchinfo's summary):
 * each layer's forward and backward formulas with the shapes of a batch of `batchSize` samples
 * of `inputShape`, its parameters and FLOPs, then the totals. The model is a Sequential (or one
 * layer) of the layer table's layers; nothing is run.
 *
 * @example
 * ```ts
 * console.log(summary(nn.mlp({ inputs: 784, hidden: [128], outputs: 10 }), [784]));
 * // layer 0: Linear(784→128)   100,480 parameters (W 784×128 + b 128) ...
 * ```
 */
export function summary(
  model: Module<unknown>,
  inputShape: readonly number[],
  options: { batchSize?: number } = {},
): string {
  const batch = options.batchSize ?? 1;
  if (!Number.isInteger(batch) || batch < 1)
    throw new Error(`summary: batchSize must be a positive integer, got ${batch}`);
  if (!inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new Error(
      `summary: inputShape must be one sample's sizes, positive integers, got [${inputShape.join(', ')}]`,
    );
  const layers =
    model instanceof Sequential
      ? model.layers.map((l, i) => layerSpec(l, i, 'summary'))
      : [layerSpec(model, 0, 'summary')];
  const { lines, params, fwd, bwd } = explainLayers(layers, batch, inputShape);
  return [...lines, '', ...totals(params, fwd, bwd, batch)].join('\n');
}
