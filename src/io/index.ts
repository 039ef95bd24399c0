// TEMPORARY stand-in for the io branch (issue 3), with the same API: the train branch compiles
// and tests against it. Files here are JSON; the io branch replaces this whole folder.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tensor } from '../tensor.js';
import { getRngState, setRngState, type RngState } from '../random.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Dropout, GELU, LeakyReLU, ReLU, Sequential, Sigmoid, Tanh } from '../nn/layers.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';

export class ModelFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ModelFileError';
  }
}

type LayerSpec = { type: string; args: number[] };

function architecture(model: Module): LayerSpec[] {
  if (!(model instanceof Sequential)) throw new Error('save: the stand-in only saves Sequential models');
  return model.layers.map((l) => {
    if (l instanceof Linear) return { type: 'Linear', args: [l.inFeatures, l.outFeatures, l.bias ? 1 : 0] };
    if (l instanceof Dropout) return { type: 'Dropout', args: [l.p] };
    if (l instanceof LeakyReLU) return { type: 'LeakyReLU', args: [l.negativeSlope] };
    return { type: l.constructor.name, args: [] };
  });
}

function build(file: string, specs: LayerSpec[]): Module {
  return new Sequential(
    ...specs.map((s) => {
      switch (s.type) {
        case 'Linear': return new Linear(s.args[0], s.args[1], { bias: s.args[2] === 1 });
        case 'Dropout': return new Dropout(s.args[0]);
        case 'LeakyReLU': return new LeakyReLU(s.args[0]);
        case 'ReLU': return new ReLU();
        case 'Sigmoid': return new Sigmoid();
        case 'Tanh': return new Tanh();
        case 'GELU': return new GELU();
        default: throw new ModelFileError(file, `unknown layer type ${s.type}`);
      }
    }),
  );
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function readJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ModelFileError(path, 'cannot read the file (missing?)');
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ModelFileError(path, 'not a nabla model file');
  }
}

function weights(model: Module): Record<string, number[]> {
  return Object.fromEntries(model.namedParameters().map(([k, p]) => [k, Array.from(p.data)]));
}

function loadWeights(file: string, model: Module, w: Record<string, number[]>): void {
  try {
    const own = new Map(model.namedParameters());
    model.loadStateDict(Object.fromEntries(Object.entries(w).map(([k, v]) => [k, tensor(v, { shape: own.get(k)?.shape ?? [v.length] })])));
  } catch (e) {
    throw new ModelFileError(file, (e as Error).message);
  }
}

export function save(model: Module, path: string, options: { metadata?: Record<string, unknown> } = {}): void {
  writeAtomic(path, JSON.stringify({ format: 'nabla-standin', architecture: architecture(model), weights: weights(model), metadata: options.metadata ?? {} }));
}

export function load(path: string): { model: Module; metadata: Record<string, unknown> } {
  const j = readJson(path);
  if (j.format !== 'nabla-standin') throw new ModelFileError(path, 'not a nabla model file');
  const model = build(path, j.architecture as LayerSpec[]);
  loadWeights(path, model, j.weights as Record<string, number[]>);
  return { model, metadata: j.metadata as Record<string, unknown> };
}

export function saveCheckpoint(path: string, c: { model: Module; optimizer: Optimizer; epoch: number; extra?: unknown }): void {
  writeAtomic(path, JSON.stringify({ format: 'nabla-standin-checkpoint', weights: weights(c.model), optimizer: c.optimizer.stateDict(), epoch: c.epoch, rng: getRngState(), extra: c.extra ?? null }));
}

export function loadCheckpoint(path: string, c: { model: Module; optimizer: Optimizer }): { epoch: number; extra: unknown } {
  const j = readJson(path);
  if (j.format !== 'nabla-standin-checkpoint') throw new ModelFileError(path, 'not a nabla checkpoint');
  loadWeights(path, c.model, j.weights as Record<string, number[]>);
  try {
    c.optimizer.loadStateDict(j.optimizer as OptimizerState);
  } catch (e) {
    throw new ModelFileError(path, (e as Error).message);
  }
  setRngState(j.rng as RngState);
  return { epoch: j.epoch as number, extra: j.extra };
}

export function exportOnnx(model: Module, path: string, options: { inputShape: number[] }): void {
  writeAtomic(path, JSON.stringify({ format: 'nabla-standin-onnx', inputShape: options.inputShape, architecture: architecture(model) }));
}

export function inspect(path: string): string {
  const j = readJson(path);
  const specs = (j.architecture as LayerSpec[] | undefined) ?? [];
  return [`${path}: ${String(j.format)}`, ...specs.map((s, i) => `  ${i}: ${s.type}(${s.args.join(', ')})`)].join('\n');
}
