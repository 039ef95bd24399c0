// A model directory, as `nabla train --out DIR` writes it.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '../nn/module.js';
import { Linear } from '../nn/layers/index.js';
import { Sequential } from '../nn/sequential.js';
import { load, ModelFileError } from '../io/index.js';
import type { InputSpec } from './data.js';
import { UsageError } from './errors.js';

export const files = {
  model: 'model.safetensors',
  checkpoint: 'checkpoint.ckpt',
  metrics: 'metrics.json',
  curves: 'curves.svg',
  confusion: 'confusion.svg',
} as const;

export const pathIn = (dir: string, name: keyof typeof files) => join(dir, files[name]);

/** The Linear layers of a Sequential model (what explain and the input checks look at). */
export function linearLayers(model: Module): Linear[] {
  return model instanceof Sequential ? model.layers.filter((l): l is Linear => l instanceof Linear) : [];
}

export interface LoadedModel {
  model: Module;
  spec: InputSpec;
  metadata: Record<string, unknown>;
  file: string;
}

/** The model of DIR with its input spec; fails naming the path when it is missing or not ours. */
export function readModelDir(dir: string): LoadedModel {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--model ${dir}: no such directory`);
  const file = pathIn(dir, 'model');
  if (!existsSync(file)) throw new UsageError(`${file}: not found; write a model there with nabla train --out ${dir}`);
  const { model, metadata } = load(file);
  const spec = metadata.input as InputSpec | undefined;
  if (!spec || typeof spec.inputs !== 'number') throw new ModelFileError(file, 'has no input description in its metadata: not written by nabla train');
  const layers = linearLayers(model);
  if (layers.length === 0 || layers[0].inFeatures !== spec.inputs || layers[layers.length - 1].outFeatures !== spec.outputs) {
    throw new ModelFileError(file, `the network does not match its metadata (${spec.inputs} inputs, ${spec.outputs} outputs): written by another model`);
  }
  return { model, spec, metadata, file };
}
