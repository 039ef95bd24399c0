// GPT: token + position embeddings, numLayers causal pre-norm blocks (nn/transformer.ts), a final
// LayerNorm and a linear head to vocabulary logits: tokens [N, T] → logits [N, T, vocabSize].
// One layer-table entry, so a model file rebuilds it (a Sequential holding the GPT) and ONNX
// exports it (tokens as floats [N, T], T fixed at export; opset 13 ops one by one). Its
// gradients are those of the ops it is composed of (embedding, attention, linear, layerNorm, ...).
// Initialised as GPT-2 and minGPT: N(0, 0.02) weights, zero biases, LayerNorms at (1, 0), the
// residual projections (attention's outProj, the MLP's proj) at N(0, 0.02/√(2·numLayers)).

import { tensor, zeros, type DType, type Tensor } from '../../tensor.js';
import { matmulT, type Indices } from '../../ops/index.js';
import { toIndices } from '../../ops/labels.js';
import { shapeStr } from '../../shape.js';
import { normal_, zeros_ } from '../init.js';
import { Module, Parameter } from '../module.js';
import { TransformerBlock, type KeyValueCache } from '../transformer.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { LayerNorm } from './norm.js';
import {
  checkParameterCount,
  field,
  onnxGelu,
  type Field,
  type LayerEntry,
  type OnnxEmitter,
  type ParameterDecl,
} from './entry.js';

/** Options of nn.GPT; the defaults are a small model (embedDim 128, 4 layers, 4 heads, no dropout). */
export interface GptOptions {
  /** The number of token ids (rows of the token embedding; columns of the logits). */
  vocabSize: number;
  /** The longest sequence (the position embedding's rows). */
  contextLength: number;
  /** The width E of every position's vector (default 128; numHeads must divide it). */
  embedDim?: number;
  /** The number of transformer blocks (default 4). */
  numLayers?: number;
  /** Attention heads per block (default 4). */
  numHeads?: number;
  /** Dropout after the embeddings, on the attention weights and after each residual branch, in training (default 0). */
  dropout?: number;
  /** The output head is the token embedding's weight, transposed (GPT-2's choice). Default false. */
  tiedHead?: boolean;
  /** The blocks' GELU: 'exact' (default) or 'tanh' (GPT-2's). */
  gelu?: 'exact' | 'tanh';
  /** The parameters' dtype (default float32). */
  dtype?: DType;
}

const fields = {
  vocabSize: field.positiveInt,
  contextLength: field.positiveInt,
  embedDim: field.positiveInt,
  numLayers: field.positiveInt,
  numHeads: field.positiveInt,
  dropout: field.probability,
  tiedHead: field.boolean,
  gelu: {
    check: (v: unknown): v is 'exact' | 'tanh' => v === 'exact' || v === 'tanh',
    expected: '"exact" or "tanh"',
  } as Field<'exact' | 'tanh'>,
};

/** @inline */
type Spec = {
  /** The number of token ids. */
  vocabSize: number;
  /** The longest sequence. */
  contextLength: number;
  /** The width E of every position's vector. */
  embedDim: number;
  /** The number of transformer blocks. */
  numLayers: number;
  /** Attention heads per block (they divide embedDim). */
  numHeads: number;
  /** Whether the head is the token embedding's weight, transposed. */
  tiedHead: boolean;
};

/** The parameters of a GPT, in the order the module holds them, without building one. */
function declare(s: Spec): ParameterDecl[] {
  const e = s.embedDim;
  const vec = (name: string, n: number): ParameterDecl => ({ name, shape: [n], torch: 'same' });
  const mat = (name: string, rows: number, cols: number): ParameterDecl => ({
    name,
    shape: [rows, cols],
    torch: 'transpose',
  });
  const block = (i: number): ParameterDecl[] => {
    const b = `blocks.${i}.`;
    return [
      vec(`${b}ln1.weight`, e),
      vec(`${b}ln1.bias`, e),
      mat(`${b}attn.inProj.weight`, e, 3 * e),
      vec(`${b}attn.inProj.bias`, 3 * e),
      mat(`${b}attn.outProj.weight`, e, e),
      vec(`${b}attn.outProj.bias`, e),
      vec(`${b}ln2.weight`, e),
      vec(`${b}ln2.bias`, e),
      mat(`${b}fc.weight`, e, 4 * e),
      vec(`${b}fc.bias`, 4 * e),
      mat(`${b}proj.weight`, 4 * e, e),
      vec(`${b}proj.bias`, e),
    ];
  };
  return [
    ...(s.tiedHead ? [] : [mat('head', e, s.vocabSize)]),
    { name: 'tokens.weight', shape: [s.vocabSize, e], torch: 'same' },
    { name: 'positions.weight', shape: [s.contextLength, e], torch: 'same' },
    ...Array.from({ length: s.numLayers }, (_, i) => block(i)).flat(),
    vec('lnF.weight', e),
    vec('lnF.bias', e),
  ];
}

/** ONNX nodes (opset 13) of a GPT on float tokens [N, T] (T fixed at export): the forward pass, op by op. */
function onnxGpt(g: OnnxEmitter, m: GPT, input: string, t: number): string {
  const { embedDim: e, numHeads: h } = m.config;
  const d = e / h;
  const linear = (x: string, name: string, w: Tensor, b: Tensor | null) => {
    const y = g.node('MatMul', [x, g.tensor(`${name}.weight`, w)]);
    return b ? g.node('Add', [y, g.tensor(`${name}.bias`, b)]) : y;
  };
  const layerNorm = (x: string, name: string, ln: LayerNorm) => {
    const centred = g.node('Sub', [x, g.node('ReduceMean', [x], { axes: { ints: [-1] } })]);
    const variance = g.node('ReduceMean', [g.node('Mul', [centred, centred])], { axes: { ints: [-1] } });
    const y = g.node('Div', [centred, g.node('Sqrt', [g.node('Add', [variance, g.scalar(`${name}.eps`, ln.eps)])])]);
    return g.node('Add', [
      g.node('Mul', [y, g.tensor(`${name}.weight`, ln.weight!)]),
      g.tensor(`${name}.bias`, ln.bias!),
    ]);
  };
  const gelu = (x: string, name: string) => {
    if (m.config.gelu === 'tanh') {
      const cube = g.node('Mul', [g.node('Mul', [x, x]), x]);
      const inner = g.node('Mul', [
        g.node('Add', [x, g.node('Mul', [cube, g.scalar(`${name}.c`, 0.044715)])]),
        g.scalar(`${name}.k`, Math.sqrt(2 / Math.PI)),
      ]);
      return g.node('Mul', [
        g.node('Mul', [x, g.node('Add', [g.node('Tanh', [inner]), g.scalar(`${name}.one`, 1)])]),
        g.scalar(`${name}.half`, 0.5),
      ]);
    }
    return onnxGelu(g, x, `${name}.`);
  };
  const causal = zeros([t, t], { dtype: m.tokens.weight.dtype });
  for (let i = 0; i < t; i++) causal.data.fill(-Infinity, i * t + i + 1, (i + 1) * t);
  const mask = g.tensor('causal', causal);
  const toHeads = (x: string, name: string, perm: number[]) =>
    g.node('Transpose', [g.node('Reshape', [x, g.int64s(`${name}.shape`, [0, t, h, d])])], { perm: { ints: perm } });
  let x = g.node('Gather', [g.tensor('tokens.weight', m.tokens.weight), g.cast(input, 'int64')]);
  x = g.node('Add', [x, g.tensor('positions.weight', m.positions.weight.narrow(0, 0, t))]);
  m.blocks.forEach((block, i) => {
    const b = `blocks.${i}`;
    const a = block.attn;
    const normed = layerNorm(x, `${b}.ln1`, block.ln1);
    const [q, k, v] = [0, 1, 2].map((part) =>
      linear(
        normed,
        `${b}.attn.${'qkv'[part]}`,
        a.inProj.weight.narrow(1, part * e, e),
        a.inProj.bias?.narrow(0, part * e, e) ?? null,
      ),
    );
    const scores = g.node('Add', [
      g.node('Mul', [
        g.node('MatMul', [toHeads(q, `${b}.q`, [0, 2, 1, 3]), toHeads(k, `${b}.k`, [0, 2, 3, 1])]),
        g.scalar(`${b}.scale`, 1 / Math.sqrt(d)),
      ]),
      mask,
    ]);
    const attended = g.node('MatMul', [
      g.node('Softmax', [scores], { axis: { int: -1 } }),
      toHeads(v, `${b}.v`, [0, 2, 1, 3]),
    ]);
    const merged = g.node('Reshape', [
      g.node('Transpose', [attended], { perm: { ints: [0, 2, 1, 3] } }),
      g.int64s(`${b}.merged`, [0, t, e]),
    ]);
    x = g.node('Add', [x, linear(merged, `${b}.attn.outProj`, a.outProj.weight, a.outProj.bias)]);
    const hidden = gelu(
      linear(layerNorm(x, `${b}.ln2`, block.ln2), `${b}.fc`, block.fc.weight, block.fc.bias),
      `${b}.gelu`,
    );
    x = g.node('Add', [x, linear(hidden, `${b}.proj`, block.proj.weight, block.proj.bias)]);
  });
  x = layerNorm(x, 'lnF', m.lnF);
  return g.node('MatMul', [x, g.tensor('head', m.head ?? m.tokens.weight.transpose(0, 1))]);
}

const countOf = (s: Spec) => declare(s).reduce((a, p) => a + p.shape.reduce((x, d) => x * d, 1), 0);

/**
 * A small GPT (GPT-2's architecture, as minGPT): token and position embeddings, numLayers causal
 * pre-norm transformer blocks, a final LayerNorm and a linear head, tokens [N, T] → logits
 * [N, T, vocabSize]. Initialised as GPT-2: N(0, 0.02) weights, zero biases, the residual
 * projections at N(0, 0.02/√(2·numLayers)). One layer-table entry, so a model file rebuilds it and
 * exportOnnx exports it; train it with crossEntropy on the logits and the next tokens, sample
 * from it with generate.
 *
 * @example
 * ```ts
 * const gpt = new nn.GPT({ vocabSize: 14, contextLength: 16, embedDim: 64, numLayers: 2, numHeads: 4 });
 * const loss = nn.crossEntropy(gpt.forward(inputs), targets);   // inputs, targets [N, T]
 * ```
 */
export class GPT extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'GPT', typeof fields, GPT> = {
    type: 'GPT',
    fields,
    describe: (m) => {
      const { vocabSize, contextLength, embedDim, numLayers, numHeads, dropout, tiedHead, gelu } = m.config;
      return { vocabSize, contextLength, embedDim, numLayers, numHeads, dropout, tiedHead, gelu };
    },
    build: (s, dtype) => new GPT({ ...s, dtype }),
    check: (s) =>
      s.embedDim % s.numHeads !== 0 ? ['numHeads', `${s.numHeads} does not divide embedDim ${s.embedDim}`] : null,
    parameters: declare,
    onnx: (g, m, { input, inputShape }) => onnxGpt(g, m, input, inputShape[1]),
    explain: (s, ctx) => {
      const { vocabSize: v, contextLength: t, embedDim: e, numLayers: l, numHeads: h } = s;
      const [n, d, rows] = [ctx.batch, e / h, `${ctx.batch}·${t}`];
      // Multiply-adds ×2: per token 12E² in a block's four Linears and E·V in the head; per
      // block q·kᵀ and A·v, 2·N·T·T·E each. Backward: about twice the forward.
      const forward = 2 * n * t * (l * 12 * e * e + e * v) + l * 4 * n * t * t * e;
      return {
        parameters: {
          count: countOf(s),
          detail: `${l} blocks of dim ${e}, ${h} heads; embeddings ${v}×${e} + ${t}×${e}`,
        },
        lines: [
          `  forward   x = E_tok[tokens] + E_pos[0..T)                      : [${n}×${t}] → [${n}×${t}×${e}]`,
          `  block × ${l} (pre-norm, T = ${t}, d = ${e}/${h} = ${d}):`,
          `            q, k, v = LayerNorm(x)·W_qkv + b_qkv                  : [${rows}×${e}]·[${e}×${3 * e}] → [${rows}×${3 * e}]`,
          `            S = q·kᵀ/√d + causal mask                            : [${n}·${h}×${t}×${d}]·[${n}·${h}×${d}×${t}] → [${n}·${h}×${t}×${t}]`,
          `            a = softmax(S)·v                                     : [${n}·${h}×${t}×${t}]·[${n}·${h}×${t}×${d}] → [${n}·${h}×${t}×${d}]`,
          `            x = x + a·W_o + b_o                                  : [${rows}×${e}]·[${e}×${e}] → [${rows}×${e}]`,
          `            x = x + GELU(LayerNorm(x)·W_fc + b_fc)·W_proj + b_proj : [${rows}×${e}]·[${e}×${4 * e}]·[${4 * e}×${e}] → [${rows}×${e}]`,
          `            logits = LayerNorm(x)·W_head                         : [${rows}×${e}]·[${e}×${v}] → [${rows}×${v}]`,
          `  backward  every Linear y = x·W + b (x its input rows):  dL/dW = xᵀ·dL/dy,  dL/db = Σ_rows dL/dy,  dL/dx = dL/dy·Wᵀ`,
          `            attention (A = softmax(S)):  dv = Aᵀ·dy,  dA = dy·vᵀ,  dS = A ⊙ (dA − Σ_keys dA ⊙ A),  dq = dS·k/√d,  dk = dSᵀ·q/√d`,
          `            LayerNorm, GELU: through the ops they are made of;  dE_tok[v] = Σ over positions holding token v of dL/dx`,
        ],
        flops: { forward, backward: 2 * forward },
        width: v,
        shape: [t, v],
      };
    },
    summary: (s) =>
      `GPT(${s.numLayers} layers, ${s.numHeads} heads, dim ${s.embedDim}, vocab ${s.vocabSize}, context ${s.contextLength})`,
  };

  /** The output projection, [embedDim, vocabSize], or null with tiedHead (the token embedding's weight, transposed, is used). */
  readonly head: Parameter | null;
  /** The token embedding, [vocabSize, embedDim]. */
  readonly tokens: Embedding;
  /** The learnt position embedding, [contextLength, embedDim]. */
  readonly positions: Embedding;
  /** Dropout on the summed embeddings. */
  readonly drop: Dropout;
  /** The numLayers transformer blocks, applied in order (causal self-attention). */
  readonly blocks: TransformerBlock[];
  /** The final LayerNorm, before the head. */
  readonly lnF: LayerNorm;
  /** The resolved options (defaults filled in). */
  readonly config: Spec & {
    /** Dropout after the embeddings and in every block. */
    dropout: number;
    /** The blocks' GELU. */
    gelu: 'exact' | 'tanh';
  };

  /** A GPT of these sizes, initialised as GPT-2; throws for sizes that are not positive integers or numHeads not dividing embedDim. */
  constructor(options: GptOptions) {
    super();
    const config = {
      embedDim: 128,
      numLayers: 4,
      numHeads: 4,
      dropout: 0,
      tiedHead: false,
      gelu: 'exact' as const,
      ...options,
    };
    for (const key of ['vocabSize', 'contextLength', 'embedDim', 'numLayers', 'numHeads'] as const) {
      if (!Number.isSafeInteger(config[key]) || config[key] <= 0)
        throw new Error(`GPT: ${key} must be a positive integer, got ${config[key]}`);
    }
    const { vocabSize, contextLength, embedDim, numLayers, numHeads, dropout, tiedHead, gelu } = config;
    if (embedDim % numHeads !== 0)
      throw new Error(`GPT: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    checkParameterCount(`GPT`, countOf(config));
    this.config = { vocabSize, contextLength, embedDim, numLayers, numHeads, dropout, tiedHead, gelu };
    const dtype = options.dtype ?? 'float32';
    this.head = tiedHead ? null : new Parameter(zeros([embedDim, vocabSize], { dtype }));
    this.tokens = new Embedding(vocabSize, embedDim, { dtype });
    this.positions = new Embedding(contextLength, embedDim, { dtype });
    this.drop = new Dropout(dropout);
    this.blocks = Array.from(
      { length: numLayers },
      () => new TransformerBlock(embedDim, numHeads, { dropout, gelu, dtype }),
    );
    this.lnF = new LayerNorm(embedDim, { dtype });
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith('.bias')) zeros_(p);
      else if (!/(^|\.)ln(1|2|F)\./.test(name))
        normal_(p, 0, /\.(outProj|proj)\.weight$/.test(name) ? 0.02 / Math.sqrt(2 * numLayers) : 0.02);
    }
  }

  /**
   * tokens [N, T] (T ≤ contextLength) → logits [N, T, vocabSize]. With `state` (generation), the
   * tokens continue a sequence at `state.position`, and each block's keys and values are kept in
   * `state.caches` (one per block, empty at the start) so earlier positions are not computed again.
   */
  forward(tokens: Indices, state?: { caches: KeyValueCache[]; position: number }): Tensor {
    const { idx, shape } = toIndices(`${this.label()}`, tokens, this.config.vocabSize, 'vocabSize');
    if (shape.length !== 2) throw new Error(`${this.label()}: tokens must be [batch, length], got ${shapeStr(shape)}`);
    const [n, t] = shape;
    const start = state?.position ?? 0;
    if (start + t > this.config.contextLength)
      throw new Error(`${this.label()}: ${start + t} tokens exceed the context length ${this.config.contextLength}`);
    if (state && state.caches.length !== this.blocks.length)
      throw new Error(`${this.label()}: ${state.caches.length} caches for ${this.blocks.length} blocks`);
    const positions = Int32Array.from({ length: t }, (_, i) => start + i);
    let x = this.drop.forward(
      this.tokens.forward(tensor(idx, { shape: [n, t] })).add(this.positions.forward(positions)),
    );
    this.blocks.forEach((block, i) => (x = block.forward(x, { isCausal: true, cache: state?.caches[i] })));
    x = this.lnF.forward(x);
    return this.head ? x.matmul(this.head) : matmulT(x, this.tokens.weight, false, true);
  }

  override label(): string {
    const c = this.config;
    return `GPT(${c.numLayers} layers, ${c.numHeads} heads, dim ${c.embedDim}, vocab ${c.vocabSize}, context ${c.contextLength})`;
  }
}
