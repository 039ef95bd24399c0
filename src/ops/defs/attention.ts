// Scaled dot-product attention, composed from ops (batched matmul, scaling, masking, the stable
// softmax, dropout), so its gradient is theirs.
//
// q:[..., L, E] k:[..., S, E] v:[..., S, Ev] → y = softmax(q·kᵀ·scale + M) · v  [..., L, Ev]
// with scale = 1/√E by default and M the mask: −∞ where a boolean mask (or the causal mask, the
// lower triangle of an L×S matrix) forbids attending, or an additive float mask as given.
// Backward, per matrix (A = softmax weights): dv = Aᵀ·dy, dA = dy·vᵀ, dS = A ⊙ (dA − Σ_S dA ⊙ A),
// dq = dS·k·scale, dk = dSᵀ·q·scale.

import { allocData } from '../../storage.js';
import { Tensor } from '../../tensor.js';
import { shapeStr } from '../../shape.js';
import { checkSameDtype, checkTensor } from '../node.js';
import { readMask, type BoolMask, type NestedBoolean } from '../mask.js';
import { defineOp, type Fn } from '../op.js';
import { dropout } from './dropout.js';
import { matmulT } from './matmul.js';
import { softmax } from './softmax.js';

/** Options of scaledDotProductAttention (torch's attn_mask, is_causal, dropout_p and scale in camelCase). */
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

/**
 * Scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention):
 * q [..., L, E], k [..., S, E], v [..., S, Ev] → softmax(q·kᵀ·scale + M)·v [..., L, Ev], with
 * scale 1/√E by default and M from the mask (−∞ where attending is forbidden). Composed of ops
 * (batched matmul, masking, the stable softmax, dropout), so its gradient is theirs.
 *
 * @example
 * ```ts
 * const y = scaledDotProductAttention(q, k, v, { isCausal: true });   // [B, H, T, d] each → [B, H, T, d]
 * ```
 * @function
 */
export const scaledDotProductAttention: Fn<(q: Tensor, k: Tensor, v: Tensor, options?: AttentionOptions) => Tensor> = defineOp({
  name: 'scaledDotProductAttention',
  method: false,
  composite(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}) {
    const op = 'scaledDotProductAttention';
    checkTensor(op, q, 'query');
    checkTensor(op, k, 'key');
    checkTensor(op, v, 'value');
    checkSameDtype(op, q, k);
    checkSameDtype(op, q, v);
    if (q.rank < 2 || k.rank < 2 || v.rank < 2) throw new Error(`${op}: query, key and value need at least 2 axes [..., T, d], got ${shapeStr(q.shape)}, ${shapeStr(k.shape)}, ${shapeStr(v.shape)}`);
    const [L, E] = q.shape.slice(-2);
    const [S, Ek] = k.shape.slice(-2);
    if (Ek !== E) throw new Error(`${op}: query ${shapeStr(q.shape)} and key ${shapeStr(k.shape)} differ in their last axis`);
    if (v.shape[v.rank - 2] !== S) throw new Error(`${op}: key ${shapeStr(k.shape)} and value ${shapeStr(v.shape)} differ in length (the axis before the last)`);
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
    return matmulT(dropout(softmax(scores, -1), dropoutP), v, false, false);
  },
  call: (x, a) => scaledDotProductAttention(x[0], x[1], x[2], { attnMask: x[3] ?? a.mask, isCausal: a.isCausal, scale: a.scale }),
  // torch 1.13 has no F.scaled_dot_product_attention: its definition (torch 2's documented reference).
  torch:
    "torch.softmax((x[0] @ x[1].transpose(-2, -1) * a.get('scale', x[0].shape[-1] ** -0.5))" +
    ".masked_fill(~torch.ones(x[0].shape[-2], x[1].shape[-2], dtype=torch.bool).tril() if a.get('isCausal') else ~torch.tensor(a.get('mask', True)), float('-inf'))" +
    ' + (x[3] if len(x) > 3 else 0), -1) @ x[2]',
  samples: [
    { inputs: [{ shape: [2, 4, 3] }, { shape: [2, 5, 3] }, { shape: [2, 5, 2] }] },
    { inputs: [{ shape: [2, 2, 4, 3] }, { shape: [2, 2, 4, 3] }, { shape: [2, 2, 4, 3] }], args: { isCausal: true } },
    { inputs: [{ shape: [3, 5, 4] }, { shape: [3, 3, 4] }, { shape: [3, 3, 4] }], args: { isCausal: true, scale: 0.7 } },
    { inputs: [{ shape: [2, 3, 2] }, { shape: [2, 4, 2] }, { shape: [2, 4, 3] }], args: { mask: [[true, false, true, true], [false, true, true, false], [true, true, true, true]] } },
    { inputs: [{ shape: [2, 3, 2] }, { shape: [2, 4, 2] }, { shape: [2, 4, 3] }, { shape: [2, 3, 4] }] },
    { inputs: [{ shape: [1, 1, 4] }, { shape: [1, 1, 4] }, { shape: [1, 1, 4] }], args: { isCausal: true } },
    { inputs: [{ shape: [2, 1, 4] }, { shape: [2, 6, 4] }, { shape: [2, 6, 4] }], args: { mask: [[true, true, false, true, false, true]] } },
  ],
  errors: [
    { inputs: [{ shape: [2, 4, 3] }, { shape: [2, 5, 2] }, { shape: [2, 5, 2] }], message: 'scaledDotProductAttention: query [2,4,3] and key [2,5,2] differ in their last axis' },
    { inputs: [{ shape: [2, 4, 3] }, { shape: [2, 5, 3] }, { shape: [2, 5, 3] }], args: { mask: [[true, false], [true, true]] }, message: 'scaledDotProductAttention: a mask of shape [2,2] does not fit the attention scores [2,4,5]' },
    { inputs: [{ shape: [2, 4, 3] }, { shape: [2, 5, 3] }, { shape: [2, 5, 3] }], args: { mask: [true], isCausal: true }, message: 'scaledDotProductAttention: give either attnMask or isCausal, not both' },
  ],
});

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
