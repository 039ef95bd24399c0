// The layer table: every layer by its type name, built from index.ts (the generated list of layer files).
// io/ (architecture, model files, ONNX, inspect) and cli/ (explain) read it; nothing here knows
// a layer by name. Its keys are in the module namespace's order (alphabetical).

import type { DType } from '../../tensor.js';
import type { Module } from '../module.js';
import * as registered from './index.js';
import { entryOf, type Fields, type LayerEntry, type SpecOf } from './entry.js';

type Registered = typeof registered;

/** The type names of the table's layers: 'Linear' | 'ReLU' | ... */
export type LayerType = keyof Registered & string;

/**
 * Every registered export is a class whose entry is complete and named after it. An export
 * without `static readonly layer`, an entry missing a part, or a mismatched name fails to compile here.
 */
type Checked = { [K in LayerType]: { readonly layer: LayerEntry<K, Fields, InstanceType<Registered[K]>> } };
const checked: Checked = registered;

type EntryOf<K extends LayerType> = Registered[K]['layer'];
type Flat<T> = { [K in keyof T]: T[K] };

/**
 * The JSON spec of one layer: its type and its entry's fields, which are its constructor's
 * arguments, e.g. `{ type: 'Linear', inFeatures: 784, outFeatures: 128, bias: true }` or
 * `{ type: 'ReLU' }`; one member of this union per layer type.
 */
export type LayerSpec = {
  [K in LayerType]: Flat<
    {
      /** The layer's type name: 'Linear', 'Conv2d', ... */
      type: K;
    } & SpecOf<EntryOf<K>['fields']>
  >;
}[LayerType];

/** The entries by type name (loosely typed for generic code: each reads a spec of its own type). */
export const LAYERS: Readonly<Record<LayerType, LayerEntry>> = Object.freeze(
  Object.fromEntries(Object.entries(checked).map(([k, c]) => [k, c.layer as unknown as LayerEntry])) as Record<
    LayerType,
    LayerEntry
  >,
);

export const LAYER_TYPES = Object.keys(LAYERS) as LayerType[];

/** The table entry of a module (of its class or a base class), or undefined if the table lacks it. */
export function layerEntry(m: Module<unknown>): LayerEntry | undefined {
  const e = entryOf(m);
  return e && Object.hasOwn(LAYERS, e.type) && LAYERS[e.type as LayerType] === e ? e : undefined;
}

/** The spec of a table layer (its type and fields), or an error naming the layer and its position; `op` names the caller. */
export function layerSpec(layer: Module<unknown>, index: number, op: string): LayerSpec {
  const entry = layerEntry(layer);
  if (!entry)
    throw new Error(
      `${op}: layer ${index} (${layer.label()}) is not supported; supported layers: ${LAYER_TYPES.join(', ')}`,
    );
  return { type: entry.type, ...entry.describe(layer) } as LayerSpec;
}

/** The table entry of a type name from an untrusted spec, or undefined. */
export function entryFor(type: unknown): LayerEntry | undefined {
  return typeof type === 'string' && Object.hasOwn(LAYERS, type) ? LAYERS[type as LayerType] : undefined;
}

/** One line for a layer spec: its entry's summary, else Type(field values, ...) (inspect and explain print it). */
export function layerSummary(spec: { readonly type: string } & Readonly<Record<string, unknown>>): string {
  const { type, ...fields } = spec;
  const summary = entryFor(type)?.summary;
  if (summary) return summary(fields as SpecOf<Fields>);
  const values = Object.values(fields);
  return values.length ? `${type}(${values.join(', ')})` : type;
}

/** A module from a valid spec (checked by the caller). */
export function buildLayer(spec: LayerSpec, dtype: DType): Module<unknown> {
  const { type, ...fields } = spec;
  return LAYERS[type].build(fields as SpecOf<Fields>, dtype);
}
