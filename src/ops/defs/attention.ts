// Scaled dot-product attention, composed from ops (batched matmul, scaling, masking, the stable
// softmax, dropout), so its gradient is theirs.
//
// q:[..., L, E] k:[..., S, E] v:[..., S, Ev] → y = softmax(q·kᵀ·scale + M) · v  [..., L, Ev]
// with scale = 1/√E by default and M the mask: −∞ where a boolean mask (or the causal mask, the
// lower triangle of an L×S matrix) forbids attending, or an additive float mask as given.
// Backward, per matrix (A = softmax weights): dv = Aᵀ·dy, dA = dy·vᵀ, dS = A ⊙ (dA − Σ_S dA ⊙ A),
// dq = dS·k·scale, dk = dSᵀ·q·scale.

import type { Tensor } from '../../tensor.js';
import { shapeStr } from '../../shape.js';
import { checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';
import { attentionWeights, type AttentionOptions } from '../attention-weights.js';
import { matmulT } from './matmul.js';

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
export const scaledDotProductAttention: Fn<(q: Tensor, k: Tensor, v: Tensor, options?: AttentionOptions) => Tensor> =
  defineOp({
    name: 'scaledDotProductAttention',
    method: false,
    composite(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}) {
      const op = 'scaledDotProductAttention';
      checkTensor(op, q, 'query');
      checkTensor(op, k, 'key');
      checkTensor(op, v, 'value');
      checkSameDtype(op, q, k);
      checkSameDtype(op, q, v);
      if (q.rank < 2 || k.rank < 2 || v.rank < 2)
        throw new Error(
          `${op}: query, key and value need at least 2 axes [..., T, d], got ${shapeStr(q.shape)}, ${shapeStr(k.shape)}, ${shapeStr(v.shape)}`,
        );
      if (v.shape[v.rank - 2] !== k.shape[k.rank - 2])
        throw new Error(
          `${op}: key ${shapeStr(k.shape)} and value ${shapeStr(v.shape)} differ in length (the axis before the last)`,
        );
      return matmulT(attentionWeights(q, k, options, op), v, false, false);
    },
    call: (x, a) =>
      scaledDotProductAttention(x[0], x[1], x[2], { attnMask: x[3] ?? a.mask, isCausal: a.isCausal, scale: a.scale }),
    // torch 1.13 has no F.scaled_dot_product_attention: its definition (torch 2's documented reference).
    torch:
      "torch.softmax((x[0] @ x[1].transpose(-2, -1) * a.get('scale', x[0].shape[-1] ** -0.5))" +
      ".masked_fill(~torch.ones(x[0].shape[-2], x[1].shape[-2], dtype=torch.bool).tril() if a.get('isCausal') else ~torch.tensor(a.get('mask', True)), float('-inf'))" +
      ' + (x[3] if len(x) > 3 else 0), -1) @ x[2]',
    samples: [
      { inputs: [{ shape: [2, 4, 3] }, { shape: [2, 5, 3] }, { shape: [2, 5, 2] }] },
      { inputs: [{ shape: [2, 2, 4, 3] }, { shape: [2, 2, 4, 3] }, { shape: [2, 2, 4, 3] }], args: { isCausal: true } },
      {
        inputs: [{ shape: [3, 5, 4] }, { shape: [3, 3, 4] }, { shape: [3, 3, 4] }],
        args: { isCausal: true, scale: 0.7 },
      },
      {
        inputs: [{ shape: [2, 3, 2] }, { shape: [2, 4, 2] }, { shape: [2, 4, 3] }],
        args: {
          mask: [
            [true, false, true, true],
            [false, true, true, false],
            [true, true, true, true],
          ],
        },
      },
      { inputs: [{ shape: [2, 3, 2] }, { shape: [2, 4, 2] }, { shape: [2, 4, 3] }, { shape: [2, 3, 4] }] },
      { inputs: [{ shape: [1, 1, 4] }, { shape: [1, 1, 4] }, { shape: [1, 1, 4] }], args: { isCausal: true } },
      {
        inputs: [{ shape: [2, 1, 4] }, { shape: [2, 6, 4] }, { shape: [2, 6, 4] }],
        args: { mask: [[true, true, false, true, false, true]] },
      },
    ],
    errors: [
      {
        inputs: [{ shape: [2, 4, 3] }, { shape: [2, 5, 2] }, { shape: [2, 5, 2] }],
        message: 'scaledDotProductAttention: query [2,4,3] and key [2,5,2] differ in their last axis',
      },
      {
        inputs: [{ shape: [2, 4, 3] }, { shape: [2, 5, 3] }, { shape: [2, 5, 3] }],
        args: {
          mask: [
            [true, false],
            [true, true],
          ],
        },
        message: 'scaledDotProductAttention: a mask of shape [2,2] does not fit the attention scores [2,4,5]',
      },
      {
        inputs: [{ shape: [2, 4, 3] }, { shape: [2, 5, 3] }, { shape: [2, 5, 3] }],
        args: { mask: [true], isCausal: true },
        message: 'scaledDotProductAttention: give either attnMask or isCausal, not both',
      },
    ],
  });
