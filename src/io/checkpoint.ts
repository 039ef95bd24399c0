// Checkpoints for resuming training: model parameters, optimizer state (step, lr and every
// per-parameter buffer such as momentum or Adam's moments), the epoch, the PRNG state and the
// caller's extra JSON and extra tensors, in one safetensors file written atomically. Tensors are
// named "model.<parameter>", "optimizer.<parameter index>.<buffer>" and "extra.<name>" (the
// caller's: large state such as early stopping's best weights goes there in binary, not into the
// JSON); the rest is JSON in __metadata__["nabla.checkpoint"]. Loading validates the whole file
// against the given model and optimizer before it changes any of them.

import { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { getRngState, setRngState, type RngState } from '../random.js';
import { nonFiniteProblem, type Module } from '../nn/module.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import { writeFileAtomic } from './atomic.js';
import { ModelFileError } from './errors.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { readModelFile } from './state-dict.js';
import { showValue } from '../show.js';

export const CHECKPOINT_KEY = 'nabla.checkpoint';

/**
 * What a checkpoint holds to resume training: the model, the optimizer (its step counts, lr and buffers), the epoch and your extra data; the PRNG state is saved with them.
 */
export interface Checkpoint {
  /** The model whose parameters and buffers are saved (or restored). */
  model: Module;
  /** The optimizer whose state is saved (or restored). */
  optimizer: Optimizer;
  /** Epochs completed. */
  epoch: number;
  /** Any JSON-serialisable value, returned by loadCheckpoint. */
  extra?: unknown;
  /** Tensors saved with it in binary (stored as "extra.<name>"), returned by loadCheckpoint. */
  tensors?: Record<string, Tensor>;
}

/** What loadCheckpoint returns. */
export interface LoadedCheckpoint {
  /** The epochs completed when it was saved. */
  epoch: number;
  /** The extra data saved with it. */
  extra: unknown;
  /** The extra tensors saved with it, by name ({} when none). */
  tensors: Record<string, Tensor>;
}

interface CheckpointHeader {
  version: 1;
  epoch: number;
  extra: unknown;
  rng: RngState;
  optimizer: { type: string; steps: number[]; lr: number; buffers: string[][] };
}

/** The bytes of saveCheckpoint(c): one safetensors file. */
export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  if (!Number.isSafeInteger(c.epoch) || c.epoch < 0)
    throw new Error(`saveCheckpoint: epoch must be a non-negative integer, got ${c.epoch}`);
  const opt = c.optimizer.stateDict();
  const tensors: Record<string, Tensor> = {};
  for (const [name, p] of Object.entries(c.model.stateDict())) tensors[`model.${name}`] = p;
  for (const [name, t] of Object.entries(c.tensors ?? {})) tensors[`extra.${name}`] = t;
  opt.buffers.forEach((buffers, i) => {
    const p = c.optimizer.params[i];
    for (const [name, values] of Object.entries(buffers)) {
      const typed = p.dtype === 'float64' ? values instanceof Float64Array : values instanceof Float32Array;
      const data = typed
        ? (values as Float32Array | Float64Array)
        : p.dtype === 'float64'
          ? Float64Array.from(values)
          : Float32Array.from(values);
      tensors[`optimizer.${i}.${name}`] = new Tensor(data, p.shape, p.dtype);
    }
  });
  const header: CheckpointHeader = {
    version: 1,
    epoch: c.epoch,
    extra: c.extra ?? null,
    rng: getRngState(),
    optimizer: {
      type: c.optimizer.constructor.name,
      steps: opt.steps,
      lr: opt.lr,
      buffers: opt.buffers.map((b) => Object.keys(b)),
    },
  };
  return encodeSafetensors(tensors, { [CHECKPOINT_KEY]: JSON.stringify(header) });
}

/**
 * Saves a checkpoint: model parameters and buffers, optimizer state, the epoch, the PRNG state and
 * `extra`, in one safetensors file written atomically (a crash leaves the previous file whole).
 *
 * @example
 * ```ts
 * saveCheckpoint('run.ckpt', { model, optimizer: opt, epoch: 3 });
 * const { epoch } = loadCheckpoint('run.ckpt', { model, optimizer: opt });   // 3
 * ```
 */
export function saveCheckpoint(path: string, c: Checkpoint): void {
  let bytes: Uint8Array;
  try {
    bytes = encodeCheckpoint(c);
  } catch (e) {
    throw new Error(`${path}: cannot write the checkpoint: ${(e as Error).message}`, { cause: e });
  }
  writeFileAtomic(path, bytes);
}

/** Options of loadCheckpoint. */
export interface LoadCheckpointOptions {
  /** Load NaN and infinite values too (default false: the file is refused, naming the tensor and element). */
  allowNonFinite?: boolean;
}

/** loadCheckpoint from bytes (`file` names them in errors). */
export function decodeCheckpoint(
  bytes: Uint8Array,
  file: string,
  target: { model: Module; optimizer: Optimizer },
  options: LoadCheckpointOptions = {},
): LoadedCheckpoint {
  const fail = (problem: string, where: string) => new ModelFileError(file, problem, where);
  const { tensors, metadata } = decodeSafetensors(bytes, file);
  const h = readHeader(metadata[CHECKPOINT_KEY], fail);
  const { model, optimizer } = target;

  // Validate everything first.
  const used = new Set<string>();
  const take = (name: string, like: Tensor, what: string, values: string): Tensor => {
    const t = tensors[name];
    if (!t) throw fail(`${what} is missing`, name);
    if (shapeStr(t.shape) !== shapeStr(like.shape))
      throw fail(`${what} has shape ${shapeStr(t.shape)}, expected ${shapeStr(like.shape)}`, name);
    if (t.dtype !== like.dtype) throw fail(`${what} is ${t.dtype}, expected ${like.dtype}`, name);
    const problem = options.allowNonFinite ? null : nonFiniteProblem(t.data, values);
    if (problem) throw fail(problem, name);
    used.add(name);
    return t;
  };
  const state: Record<string, Tensor> = {};
  for (const [name, p] of Object.entries(model.stateDict()))
    state[name] = take(`model.${name}`, p, 'model tensor', 'weights');
  const type = optimizer.constructor.name;
  if (h.optimizer.type !== type)
    throw fail(`the checkpoint holds ${h.optimizer.type} state, not ${type}`, `${CHECKPOINT_KEY}.optimizer.type`);
  if (h.optimizer.buffers.length !== optimizer.params.length || h.optimizer.steps.length !== optimizer.params.length) {
    throw fail(
      `optimizer state covers ${h.optimizer.buffers.length} parameters, the optimizer has ${optimizer.params.length}`,
      `${CHECKPOINT_KEY}.optimizer.buffers`,
    );
  }
  const optState: OptimizerState = {
    steps: h.optimizer.steps,
    lr: h.optimizer.lr,
    buffers: h.optimizer.buffers.map((names, i) =>
      Object.fromEntries(
        names.map((n) => [
          n,
          take(`optimizer.${i}.${n}`, optimizer.params[i], `optimizer buffer '${n}'`, 'optimizer state values').data,
        ]),
      ),
    ),
  };
  const extraTensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('extra.')) extraTensors[name.slice('extra.'.length)] = t;
    else if (!used.has(name)) throw fail('unexpected tensor in the checkpoint', name);
  }

  // Then change the model, the optimizer and the PRNG.
  model.loadStateDict(state, { allowNonFinite: true }); // checked above, naming the file
  optimizer.loadStateDict(optState);
  setRngState(h.rng);
  return { epoch: h.epoch, extra: h.extra, tensors: extraTensors };
}

/**
 * Restores a checkpoint into this model and optimizer (of the same architecture and optimizer
 * class) and the PRNG, in place, after checking the whole file against them (a file that does
 * not fit throws a ModelFileError and changes nothing); returns the epoch, the extra data and the
 * extra tensors (which the caller validates).
 * (fit's `resumeFrom` does this with ModelCheckpoint's files.)
 *
 * @example
 * ```ts
 * saveCheckpoint('run.ckpt', { model, optimizer: opt, epoch: 3, extra: { note: 'lr 1e-3' } });
 * const { epoch, extra } = loadCheckpoint('run.ckpt', { model, optimizer: opt });   // 3, { note: 'lr 1e-3' }
 * ```
 */
export function loadCheckpoint(
  path: string,
  target: { model: Module; optimizer: Optimizer },
  options: LoadCheckpointOptions = {},
): LoadedCheckpoint {
  return decodeCheckpoint(readModelFile(path), path, target, options);
}

function readHeader(text: string | undefined, fail: (p: string, w: string) => ModelFileError): CheckpointHeader {
  const at = (field: string) => `${CHECKPOINT_KEY}.${field}`;
  if (text === undefined) throw fail('not a checkpoint: no checkpoint metadata', `__metadata__.${CHECKPOINT_KEY}`);
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw fail(`not valid JSON: ${(e as Error).message}`, `__metadata__.${CHECKPOINT_KEY}`);
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(h)) throw fail('checkpoint metadata is not an object', CHECKPOINT_KEY);
  if (h.version !== 1) throw fail(`unsupported checkpoint version ${showValue(h.version)}`, at('version'));
  if (!Number.isSafeInteger(h.epoch) || (h.epoch as number) < 0)
    throw fail('epoch is not a non-negative integer', at('epoch'));
  const rng = h.rng;
  if (
    !isObj(rng) ||
    !Array.isArray(rng.words) ||
    rng.words.length !== 4 ||
    !rng.words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)
  ) {
    throw fail('PRNG state is not four 32-bit words', at('rng'));
  }
  if (rng.spareNormal !== null && !Number.isFinite(rng.spareNormal))
    throw fail('PRNG spareNormal is not null or a finite number', at('rng'));
  const o = h.optimizer;
  if (!isObj(o) || typeof o.type !== 'string') throw fail('optimizer state is missing its type', at('optimizer'));
  if (!Array.isArray(o.steps) || !o.steps.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw fail('optimizer steps are not a list of non-negative integers', at('optimizer.steps'));
  }
  if (typeof o.lr !== 'number' || !(o.lr >= 0) || !Number.isFinite(o.lr))
    throw fail('optimizer lr is not a finite non-negative number', at('optimizer.lr'));
  if (
    !Array.isArray(o.buffers) ||
    !o.buffers.every((b) => Array.isArray(b) && b.every((n) => typeof n === 'string') && new Set(b).size === b.length)
  ) {
    throw fail('optimizer buffers are not lists of distinct names', at('optimizer.buffers'));
  }
  return h as unknown as CheckpointHeader;
}
