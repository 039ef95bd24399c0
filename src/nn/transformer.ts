// Attention and the block a small GPT (layers/gpt.ts) is made of: MultiheadAttention
// (torch.nn.MultiheadAttention with batchFirst) and a pre-norm transformer block. They take
// several inputs and masks, so they are Modules outside the Sequential layer table; their
// gradients are those of the ops they are composed of (linear, split, reshape/permute,
// scaledDotProductAttention).
//
// Multi-head attention, x:[N, T, E] with H heads of size d = E/H:
//   q, k, v = x·W_q + b_q, ...  [N, T, E] → split into heads [N, H, T, d]
//   a = softmax(q·kᵀ/√d + M)·v per head → merged [N, T, E] → y = a·W_o + b_o

import { Tensor, type DType } from '../tensor.js';
import {
  attentionWeights,
  cat,
  scaledDotProductAttention,
  split,
  type AttentionOptions,
  type BoolMask,
  type NestedBoolean,
} from '../ops/index.js';
import { readMask } from '../ops/mask.js';
import { shapeStr } from '../shape.js';
import { uniform_ } from './init.js';
import { Module } from './module.js';
import { Dropout } from './layers/dropout.js';
import { LayerNorm } from './layers/norm.js';
import { Linear } from './layers/linear.js';

/** Options of nn.MultiheadAttention (torch's arguments in camelCase). */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights, in training. */
  dropout?: number;
  /** Biases in the input and output projections (default true). */
  bias?: boolean;
  /** Inputs are [N, T, E]; the only layout nabla takes (torch's default is false). */
  batchFirst?: true;
  /** The parameters' dtype (default float32). */
  dtype?: DType;
}

/** Options of MultiheadAttention.forward and TransformerBlock.forward. */
export interface MultiheadForwardOptions {
  /**
   * [L, S] or [N·H, L, S]. Booleans (nested arrays, or a read mask): true = may NOT attend, as
   * torch.nn.MultiheadAttention (the opposite of scaledDotProductAttention's boolean mask).
   * A float Tensor is added to the scores.
   */
  attnMask?: Tensor | NestedBoolean | BoolMask | null;
  /** Each query attends only to keys at or before its position. */
  isCausal?: boolean;
  /**
   * Self-attention only: the keys and values of the positions before this input ([N, H, S, d],
   * null at the start), extended in place with this input's; the queries attend to all of them
   * (with isCausal, each only to the positions up to its own). What generation reuses per token.
   */
  cache?: KeyValueCache;
}

/** The keys and values one attention layer has seen, per head: [N, H, S, d] each. */
export interface KeyValueCache {
  /** The keys so far, [N, H, S, d], or null before the first input. */
  k: Tensor | null;
  /** The values so far, [N, H, S, d], or null before the first input. */
  v: Tensor | null;
}

/**
 * Multi-head attention (torch.nn.MultiheadAttention with batchFirst: true): query [N, L, E], key
 * and value [N, S, E] → [N, L, E], with numHeads heads of size d = E / numHeads, each
 * softmax(q·kᵀ/√d + mask)·v. Initialised as torch's (Xavier-uniform input projection, zero
 * biases). Composed of ops: linear, reshape and permute, scaledDotProductAttention.
 *
 * @example
 * ```ts
 * const mha = new nn.MultiheadAttention(64, 4);
 * const y = mha.forward(x, x, x, { isCausal: true });   // self-attention: [N, T, 64] → [N, T, 64]
 * ```
 */
export class MultiheadAttention extends Module {
  /** The q, k, v projections side by side: [E, 3E] (torch's in_proj_weight [3E, E] transposed). */
  readonly inProj: Linear;
  /** The output projection, [E, E] (torch's out_proj). */
  readonly outProj: Linear;
  /** d = embedDim / numHeads. */
  readonly headDim: number;

  /**
   * Attention over vectors of embedDim in numHeads heads; throws unless numHeads divides embedDim.
   * @param embedDim - E, the width of query, key and value.
   * @param numHeads - The number of heads.
   * @param options - Dropout, biases, dtype.
   */
  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    readonly options: MultiheadAttentionOptions = {},
  ) {
    super();
    for (const [name, v] of [
      ['embedDim', embedDim],
      ['numHeads', numHeads],
    ] as const) {
      if (!Number.isSafeInteger(v) || v <= 0)
        throw new Error(`MultiheadAttention: ${name} must be a positive integer, got ${v}`);
    }
    if (embedDim % numHeads !== 0)
      throw new Error(`MultiheadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    if (options.batchFirst !== undefined && options.batchFirst !== true)
      throw new Error('MultiheadAttention: only batchFirst: true ([N, T, E] inputs) is supported');
    const dropout = options.dropout ?? 0;
    if (!(dropout >= 0 && dropout < 1))
      throw new Error(`MultiheadAttention: dropout must be in [0, 1), got ${dropout}`);
    this.headDim = embedDim / numHeads;
    const bias = options.bias ?? true;
    const dtype = options.dtype ?? 'float32';
    // torch's initialisation: Xavier-uniform in_proj, zero biases, out_proj as nn.Linear (U(±1/√E)).
    this.inProj = new Linear(embedDim, 3 * embedDim, { bias, dtype, init: 'glorotUniform' });
    this.outProj = new Linear(embedDim, embedDim, { bias, dtype });
    uniform_(this.outProj.weight, -1 / Math.sqrt(embedDim), 1 / Math.sqrt(embedDim));
  }

  /**
   * Attention of query [N, L, E] over key and value [N, S, E] (by default the query itself:
   * self-attention, projected in one product) → [N, L, E]; `options` give a mask, causality or a
   * key/value cache. As torch's forward with need_weights=False; forwardWithWeights also returns
   * the attention weights.
   */
  forward(query: Tensor, key: Tensor = query, value: Tensor = key, options: MultiheadForwardOptions = {}): Tensor {
    return this.attend(query, key, value, options, false).output;
  }

  /**
   * The output and the attention weights, as torch's forward with need_weights=True (its
   * default): [N, L, S] averaged over the heads, or [N, H, L, S] per head with
   * averageAttnWeights false (torch's average_attn_weights). The weights are those v is
   * multiplied by (after dropout in training), and carry gradients.
   */
  forwardWithWeights(
    query: Tensor,
    key: Tensor = query,
    value: Tensor = key,
    options: MultiheadForwardOptions & { averageAttnWeights?: boolean } = {},
  ): {
    /** The attention output [N, L, E], as forward gives it. */
    output: Tensor;
    /** The attention weights: [N, L, S] averaged over the heads, or [N, H, L, S]. */
    weights: Tensor;
  } {
    const { output, weights } = this.attend(query, key, value, options, true);
    const w = weights as Tensor;
    return { output, weights: options.averageAttnWeights === false ? w : w.mean(1) };
  }

  private attend(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    options: MultiheadForwardOptions,
    needWeights: boolean,
  ): { output: Tensor; weights: Tensor | null } {
    const E = this.embedDim;
    for (const [name, t] of [
      ['query', query],
      ['key', key],
      ['value', value],
    ] as const) {
      if (t.rank !== 3 || t.shape[2] !== E)
        throw new Error(`${this.label()}: ${name} must be [batch, length, ${E}], got ${shapeStr(t.shape)}`);
    }
    if (key.shape[0] !== query.shape[0] || key.shape[1] !== value.shape[1] || value.shape[0] !== query.shape[0]) {
      throw new Error(
        `${this.label()}: query ${shapeStr(query.shape)}, key ${shapeStr(key.shape)} and value ${shapeStr(value.shape)} differ in batch or key length`,
      );
    }
    const [n, l] = query.shape;
    const s = key.shape[1];
    const w = this.inProj.weight;
    const b = this.inProj.bias;
    const project = (x: Tensor, part: number) => {
      const y = x.matmul(w.narrow(1, part * E, E));
      return b ? y.add(b.narrow(0, part * E, E)) : y;
    };
    let q: Tensor, k: Tensor, v: Tensor;
    if (key === query && value === query) [q, k, v] = split(this.inProj.forward(query), E, -1);
    else [q, k, v] = [project(query, 0), project(key, 1), project(value, 2)];
    const heads = (x: Tensor, t: number) => x.reshape([n, t, this.numHeads, this.headDim]).permute([0, 2, 1, 3]);
    const attention: AttentionOptions = {
      isCausal: options.isCausal,
      dropoutP: this.training ? (this.options.dropout ?? 0) : 0,
    };
    if (options.attnMask !== undefined && options.attnMask !== null)
      attention.attnMask = this.scoreMask(options.attnMask, n, l, s);
    const qh = heads(q, l);
    let [kh, vh] = [heads(k, s), heads(v, s)];
    const { cache } = options;
    if (cache) {
      if (key !== query || value !== query)
        throw new Error(`${this.label()}: a key/value cache is for self-attention (forward(x) alone)`);
      if (options.attnMask) throw new Error(`${this.label()}: give a cache with isCausal, not with attnMask`);
      kh = cache.k ? cat([cache.k, kh], 2) : kh;
      vh = cache.v ? cat([cache.v, vh], 2) : vh;
      [cache.k, cache.v] = [kh, vh];
      // Query i sits at position S − L + i of the S keys: it may attend keys up to there.
      const total = kh.shape[2];
      if (options.isCausal && total > l) {
        attention.isCausal = false;
        if (l > 1) attention.attnMask = causalFrom(total - l, l, total);
      }
    }
    // With weights, the product is spelled out: the same ops as scaledDotProductAttention's.
    const weights = needWeights ? attentionWeights(qh, kh, attention) : null;
    const a = weights ? weights.matmul(vh) : scaledDotProductAttention(qh, kh, vh, attention);
    return { output: this.outProj.forward(a.permute([0, 2, 1, 3]).reshape([n, l, E])), weights };
  }

  /** A torch-style MHA mask as scaledDotProductAttention takes it, for scores [N, H, L, S]. */
  private scoreMask(mask: Tensor | NestedBoolean | BoolMask, n: number, l: number, s: number): Tensor | BoolMask {
    const read = mask instanceof Tensor ? null : readMask(`${this.label()}`, mask);
    const shape = read ? read.shape : (mask as Tensor).shape;
    const ok =
      (shape.length === 2 && shape[0] === l && shape[1] === s) ||
      (shape.length === 3 && shape[0] === n * this.numHeads && shape[1] === l && shape[2] === s);
    if (!ok)
      throw new Error(
        `${this.label()}: attnMask must be [${l}, ${s}] or [${n * this.numHeads}, ${l}, ${s}], got ${shapeStr(shape)}`,
      );
    const to4d = (d: readonly number[]) => (d.length === 2 ? d : [n, this.numHeads, l, s]);
    if (!read) return (mask as Tensor).reshape(to4d(shape));
    return { values: read.values.map((v) => 1 - v), shape: to4d(shape) };
  }

  override label(): string {
    return `MultiheadAttention(${this.embedDim}, ${this.numHeads} heads)`;
  }
}

/** The causal mask of `rows` queries at positions offset.. against `cols` keys (true = may attend). */
function causalFrom(offset: number, rows: number, cols: number): BoolMask {
  const values = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) values.fill(1, i * cols, i * cols + offset + i + 1);
  return { values, shape: [rows, cols] };
}

/** Options of nn.TransformerBlock. */
export interface BlockOptions {
  /** Dropout on the attention weights and after each residual branch, in training (default 0). */
  dropout?: number;
  /** The MLP's GELU: 'exact' (erf, torch's default) or 'tanh' (GPT-2's approximation). */
  gelu?: 'exact' | 'tanh';
  /** The parameters' dtype (default float32). */
  dtype?: DType;
}

/** A pre-norm transformer block: x + attn(ln₁(x)), then + mlp(ln₂(x)), the MLP E → 4E → GELU → E (GPT-2's block). */
export class TransformerBlock extends Module {
  /** The LayerNorm before attention. */
  readonly ln1: LayerNorm;
  /** The self-attention. */
  readonly attn: MultiheadAttention;
  /** The LayerNorm before the MLP. */
  readonly ln2: LayerNorm;
  /** The MLP's first layer, E → 4E. */
  readonly fc: Linear;
  /** The MLP's second layer, 4E → E. */
  readonly proj: Linear;
  /** Dropout after each residual branch. */
  readonly drop: Dropout;
  /** The MLP's GELU: 'exact' or 'tanh'. */
  readonly gelu: 'exact' | 'tanh';

  /**
   * A block over vectors of embedDim with numHeads attention heads.
   * @param embedDim - E, the width of each position's vector.
   * @param numHeads - The attention heads (they divide embedDim).
   */
  constructor(
    readonly embedDim: number,
    numHeads: number,
    options: BlockOptions = {},
  ) {
    super();
    const dtype = options.dtype ?? 'float32';
    this.ln1 = new LayerNorm(embedDim, { dtype });
    this.attn = new MultiheadAttention(embedDim, numHeads, { dropout: options.dropout, dtype });
    this.ln2 = new LayerNorm(embedDim, { dtype });
    this.fc = new Linear(embedDim, 4 * embedDim, { dtype });
    this.proj = new Linear(4 * embedDim, embedDim, { dtype });
    this.drop = new Dropout(options.dropout ?? 0);
    this.gelu = options.gelu ?? 'exact';
    if (this.gelu !== 'exact' && this.gelu !== 'tanh')
      throw new Error(`TransformerBlock: gelu must be 'exact' or 'tanh', got ${String(this.gelu)}`);
  }

  /** x [N, T, E] → [N, T, E]: x + attn(ln1(x)), then + mlp(ln2(·)); causal self-attention unless `options` say otherwise. */
  forward(x: Tensor, options: MultiheadForwardOptions = { isCausal: true }): Tensor {
    const h = this.ln1.forward(x);
    const y = x.add(this.drop.forward(this.attn.forward(h, h, h, options)));
    const hidden = this.fc.forward(this.ln2.forward(y));
    return y.add(this.drop.forward(this.proj.forward(this.gelu === 'tanh' ? hidden.geluTanh() : hidden.gelu())));
  }
}
