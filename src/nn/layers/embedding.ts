// Embedding: a lookup table of numEmbeddings rows of embeddingDim values; indices of any shape I
// give rows [...I, embeddingDim] (ops/defs/gather.ts): y[p] = W[i_p] → dW[v] = Σ_{p: i_p = v} dy[p].
// Indices are float tensors holding integers (nabla has no integer dtype). As torch.nn.Embedding:
// W ~ N(0, 1), the paddingIdx row starts at zero and gets no gradient. ONNX: Gather(W, int64(x)).

import { zeros, type DType, type Tensor } from '../../tensor.js';
import { embedding, type Indices } from '../../ops/index.js';
import { normal_ } from '../init.js';
import { Module, Parameter } from '../module.js';
import { checkParameterCount, field, type Field, type LayerEntry } from './entry.js';

export interface EmbeddingOptions {
  /** A row that starts at zero and gets no gradient (torch's padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
  dtype?: DType;
}

const fields = {
  numEmbeddings: field.positiveInt,
  embeddingDim: field.positiveInt,
  paddingIdx: { check: (v: unknown): v is number | null => v === null || Number.isSafeInteger(v), expected: 'an integer or null' } as Field<number | null>,
};

export class Embedding extends Module {
  static readonly layer: LayerEntry<'Embedding', typeof fields, Embedding> = {
    type: 'Embedding',
    fields,
    describe: (m) => ({ numEmbeddings: m.numEmbeddings, embeddingDim: m.embeddingDim, paddingIdx: m.paddingIdx }),
    build: (s, dtype) => new Embedding(s.numEmbeddings, s.embeddingDim, { paddingIdx: s.paddingIdx, dtype }),
    check: (s) => (s.paddingIdx !== null && (s.paddingIdx < -s.numEmbeddings || s.paddingIdx >= s.numEmbeddings) ? ['paddingIdx', `must be in [-${s.numEmbeddings}, ${s.numEmbeddings - 1}]`] : null),
    parameters: (s) => [{ name: 'weight', shape: [s.numEmbeddings, s.embeddingDim], torch: 'same' }],
    onnx: (g, m, { input }) => g.node('Gather', [g.tensor('weight', m.weight), g.cast(input, 'int64')]),
    explain: (s, ctx) => ({
      parameters: { count: s.numEmbeddings * s.embeddingDim, detail: `W ${s.numEmbeddings}×${s.embeddingDim}` },
      lines: [
        `  forward   y[p] = W[i_p]                 : indices [${ctx.batch}×…] → [${ctx.batch}×…×${s.embeddingDim}]`,
        `  backward  dL/dW[v] = Σ_{p: i_p = v} dL/dy[p]${s.paddingIdx === null ? '' : ` (row ${s.paddingIdx} gets none)`}`,
      ],
      width: s.embeddingDim,
    }),
    summary: (s) => `Embedding(${s.numEmbeddings}, ${s.embeddingDim}${s.paddingIdx === null ? '' : `, paddingIdx ${s.paddingIdx}`})`,
  };

  readonly weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [name, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`Embedding: ${name} must be a positive integer, got ${v}`);
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

  forward(indices: Indices): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override toString(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }
}
