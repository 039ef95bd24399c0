// The attention weights of scaled dot-product attention, A = dropout(softmax(q·kᵀ·scale + M)),
// composed from ops (batched matmul, scaling, the mask as an additive constant, the stable
// softmax, dropout), so their gradient is theirs. scaledDotProductAttention (defs/attention.ts)
// multiplies v by them; MultiheadAttention.forwardWithWeights returns them, as torch's module
// does with need_weights.

import { allocData } from '../cells.js';
import { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { checkSameDtype, checkTensor } from './node.js';
import { readMask, type BoolMask, type NestedBoolean } from './mask.js';
import { dropout } from './defs/dropout.js';
import { matmulT } from './defs/matmul.js';
import { softmax } from './defs/softmax.js';

/** Options of scaledDotProductAttention and attentionWeights (torch's attn_mask, is_causal, dropout_p and scale in camelCase). */
export interface AttentionOptions {
  /**
   * A boolean mask (nested booleans or a read mask: true = may attend, as torch's boolean
   * attn_mask), or a float Tensor added to the scores (−Infinity forbids); it broadcasts to [..., L, S].
   */
  attnMask?: Tensor | NestedBoolean | BoolMask | null;
  /** Each query attends only to keys at or before its position (a causal mask); not with attnMask. */
  isCausal?: boolean;
  /** Dropout on the attention weights (training only: pass 0 in evaluation, as torch's functional form). */
  dropoutP?: number;
  /** Multiplies q·kᵀ; 1/√E by default. */
  scale?: number;
}

/** 0 where the mask allows, −∞ where it forbids: a constant of the mask's shape. */
function additive(mask: BoolMask, dtype: Tensor['dtype']): Tensor {
  const data = allocData(dtype, mask.values.length);
  for (let i = 0; i < data.length; i++) data[i] = mask.values[i] ? 0 : -Infinity;
  return new Tensor(data, mask.shape, dtype);
}

/** A mask must broadcast to the scores [..., L, S] without growing them. */
function checkMaskShape(op: string, mask: readonly number[], scores: readonly number[]): void {
  const lead = scores.length - mask.length;
  if (lead < 0 || mask.some((d, i) => d !== 1 && d !== scores[lead + i])) {
    throw new Error(`${op}: a mask of shape ${shapeStr(mask)} does not fit the attention scores ${shapeStr(scores)}`);
  }
}

/**
 * The attention weights A = dropout(softmax(q·kᵀ·scale + M)) [..., L, S] that
 * scaledDotProductAttention multiplies v by (options as there; dropoutP applies as well): what
 * torch.nn.MultiheadAttention returns with need_weights. Composed of ops, so it has their gradient.
 */
export function attentionWeights(
  q: Tensor,
  k: Tensor,
  options: AttentionOptions = {},
  op = 'attentionWeights',
): Tensor {
  checkTensor(op, q, 'query');
  checkTensor(op, k, 'key');
  checkSameDtype(op, q, k);
  if (q.rank < 2 || k.rank < 2)
    throw new Error(
      `${op}: query and key need at least 2 axes [..., T, d], got ${shapeStr(q.shape)}, ${shapeStr(k.shape)}`,
    );
  const [L, E] = q.shape.slice(-2);
  const [S, Ek] = k.shape.slice(-2);
  if (Ek !== E)
    throw new Error(`${op}: query ${shapeStr(q.shape)} and key ${shapeStr(k.shape)} differ in their last axis`);
  const { attnMask, isCausal = false, dropoutP = 0 } = options;
  const scale = options.scale ?? 1 / Math.sqrt(E);
  if (!Number.isFinite(scale)) throw new Error(`${op}: scale must be a finite number, got ${scale}`);
  if (isCausal && attnMask) throw new Error(`${op}: give either attnMask or isCausal, not both`);
  let scores = matmulT(q, k, false, true).mul(scale);
  // Boolean and causal masks become an additive constant of 0 and −∞ (a broadcast add, which
  // the backends run fast; its gradient passes dS through, and softmax's backward is 0 there).
  if (isCausal) {
    const allowed = new Uint8Array(L * S);
    for (let i = 0; i < L; i++) allowed.fill(1, i * S, i * S + Math.min(i + 1, S));
    scores = scores.add(additive({ values: allowed, shape: [L, S] }, q.dtype));
  } else if (attnMask !== undefined && attnMask !== null) {
    if (attnMask instanceof Tensor) {
      checkSameDtype(op, q, attnMask);
      checkMaskShape(op, attnMask.shape, scores.shape);
      scores = scores.add(attnMask);
    } else {
      const mask = readMask(op, attnMask);
      checkMaskShape(op, mask.shape, scores.shape);
      scores = scores.add(additive(mask, q.dtype));
    }
  }
  return dropout(softmax(scores, -1), dropoutP);
}
