// Embedding: a lookup table of numEmbeddings rows of embeddingDim values; indices of any shape I
// give rows [...I, embeddingDim] (ops/defs/gather.ts): y[p] = W[i_p] → dW[v] = Σ_{p: i_p = v} dy[p].
// Indices are float tensors holding integers (nabla has no integer dtype). As torch.nn.Embedding:
// W ~ N(0, 1), the paddingIdx row starts at zero and gets no gradient. ONNX: Gather(W, int64(x)).

import { zeros, type DType, type Tensor } from '../../tensor.js';
import { embedding, type Indices } from '../../ops/index.js';
import { normal_ } from '../init.js';
import { Module, Parameter } from '../module.js';
import { checkParameterCount, field, type Field, type LayerEntry } from './entry.js';

/** Options of nn.Embedding. */
export interface EmbeddingOptions {
  /** A row that starts at zero and gets no gradient (torch's padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
  /** The weight's dtype (default float32). */
  dtype?: DType;
}

const fields = {
  numEmbeddings: field.positiveInt,
  embeddingDim: field.positiveInt,
  paddingIdx: {
    check: (v: unknown): v is number | null => v === null || Number.isSafeInteger(v),
    expected: 'an integer or null',
  } as Field<number | null>,
};

/**
 * A lookup table of numEmbeddings rows of embeddingDim values (torch.nn.Embedding): integer
 * indices of any shape I give their rows, [...I, embeddingDim]. The weight [numEmbeddings,
 * embeddingDim] starts N(0, 1), as PyTorch's; the row paddingIdx starts at zero and gets no gradient.
 *
 * @example
 * ```ts
 * const emb = new nn.Embedding(1000, 64);
 * const vectors = emb.forward([[3, 14, 15], [9, 2, 6]]);   // [2, 3] indices → [2, 3, 64]
 * ```
 */
export class Embedding extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'Embedding', typeof fields, Embedding> = {
    type: 'Embedding',
    fields,
    describe: (m) => ({ numEmbeddings: m.numEmbeddings, embeddingDim: m.embeddingDim, paddingIdx: m.paddingIdx }),
    build: (s, dtype) => new Embedding(s.numEmbeddings, s.embeddingDim, { paddingIdx: s.paddingIdx, dtype }),
    check: (s) =>
      s.paddingIdx !== null && (s.paddingIdx < -s.numEmbeddings || s.paddingIdx >= s.numEmbeddings)
        ? ['paddingIdx', `must be in [-${s.numEmbeddings}, ${s.numEmbeddings - 1}]`]
        : null,
    parameters: (s) => [{ name: 'weight', shape: [s.numEmbeddings, s.embeddingDim], torch: 'same' }],
    onnx: (g, m, { input }) => g.node('Gather', [g.tensor('weight', m.weight), g.cast(input, 'int64')]),
    explain: (s, ctx) => ({
      parameters: { count: s.numEmbeddings * s.embeddingDim, detail: `W ${s.numEmbeddings}×${s.embeddingDim}` },
      lines: [
        `  forward   y[p] = W[i_p]                 : indices [${ctx.batch}×…] → [${ctx.batch}×…×${s.embeddingDim}]`,
        `  backward  dL/dW[v] = Σ_{p: i_p = v} dL/dy[p]${s.paddingIdx === null ? '' : ` (row ${s.paddingIdx} gets none)`}`,
      ],
      width: s.embeddingDim,
      // One sample's indices [T] give [T, embeddingDim]: the next layer's positions.
      ...(ctx.shape ? { shape: [...ctx.shape, s.embeddingDim] } : {}),
    }),
    summary: (s) =>
      `Embedding(${s.numEmbeddings}, ${s.embeddingDim}${s.paddingIdx === null ? '' : `, paddingIdx ${s.paddingIdx}`})`,
  };

  /** The table, [numEmbeddings, embeddingDim]. */
  readonly weight: Parameter;
  /** The padding row (made non-negative), or null. */
  readonly paddingIdx: number | null;

  /**
   * A table of numEmbeddings rows of embeddingDim values.
   * @param numEmbeddings - The number of rows (the vocabulary size).
   * @param embeddingDim - The values per row.
   */
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    for (const [name, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const) {
      if (!Number.isSafeInteger(v) || v <= 0)
        throw new Error(`Embedding: ${name} must be a positive integer, got ${v}`);
    }
    checkParameterCount(`Embedding(${numEmbeddings}, ${embeddingDim})`, numEmbeddings * embeddingDim);
    const p = options.paddingIdx ?? null;
    if (p !== null && (!Number.isSafeInteger(p) || p < -numEmbeddings || p >= numEmbeddings)) {
      throw new Error(`Embedding: paddingIdx ${p} is out of range for numEmbeddings ${numEmbeddings}`);
    }
    this.paddingIdx = p === null || p >= 0 ? p : p + numEmbeddings;
    const w = normal_(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float32' }));
    if (this.paddingIdx !== null) w.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight = new Parameter(w);
  }

  /**
   * The rows of `indices` (a Tensor of integer values, nested arrays or an Int32Array, each in [0, numEmbeddings)): [...I, embeddingDim].
   */
  forward(indices: Indices): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override label(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }
}
