// Text generation from a language model: each new token is drawn from the model's distribution
// for the next position (softmax of logits / temperature, over the topK most likely tokens), with
// the seeded PRNG, so a seed reproduces the text. A GPT caches each block's keys and values of
// earlier positions; once its context is full, the window slides and is computed afresh for each
// token. A recurrent model (a Sequential: Embedding, nn.LSTM/GRU/RNN, then layers applied to each
// step's output) carries its state from token to token, so each new token costs one step. Each
// token's forward pass returns the arrays it made to the host pool, but for the state it carries.

import { Tensor, tensor } from '../tensor.js';
import { collecting, releaseCells, type Cell } from '../cells.js';
import { noGrad } from '../autograd/mode.js';
import { random } from '../random.js';
import { GPT } from './layers/gpt.js';
import { Embedding } from './layers/embedding.js';
import { Recurrent } from './recurrent.js';
import { Sequential } from './sequential.js';
import type { KeyValueCache } from './transformer.js';

/** Options of generate. */
export interface GenerateOptions {
  /** Tokens to add (default 100). */
  maxNewTokens?: number;
  /** Divides the logits: below 1 sharper, above 1 flatter; 0 takes the most likely token (default 1). */
  temperature?: number;
  /** Draw only among the k most likely tokens (default: all). */
  topK?: number;
}

/**
 * The logits of the next token after the prompt (`start`), then after each token added
 * (`next`, given every token so far, the new one last).
 */
interface NextToken {
  readonly vocabSize: number;
  start(prompt: readonly number[]): Float32Array;
  next(tokens: readonly number[]): Float32Array;
  /** The cells of the state carried to the next token (a GPT's caches, a recurrent state). */
  carried(): Cell[];
}

const lastRow = (out: Tensor, width: number) => Float32Array.from(out.data.subarray(out.size - width));

/** A GPT with a key/value cache per block; a full window slides and is computed afresh. */
function gptNextToken(gpt: GPT): NextToken {
  const { contextLength, vocabSize } = gpt.config;
  let caches: KeyValueCache[] = [];
  const run = (tokens: readonly number[], fresh: boolean) => {
    const window = tokens.slice(-contextLength);
    if (fresh) caches = gpt.blocks.map(() => ({ k: null, v: null }));
    const input = fresh ? window : window.slice(-1);
    return lastRow(gpt.forward(tensor([input]), { caches, position: fresh ? 0 : window.length - 1 }), vocabSize);
  };
  return {
    vocabSize,
    start: (prompt) => run(prompt, true),
    // A full window slides: positions move, so the cache is no longer the window's.
    next: (tokens) => run(tokens, tokens.length > contextLength),
    carried: () => caches.flatMap((c) => [c.k, c.v]).flatMap((t) => (t ? [t.cell] : [])),
  };
}

/** Embedding → recurrent layer → the rest: the recurrent state goes on from token to token. */
function recurrentNextToken(model: Sequential): NextToken {
  const [embedding, recurrent, ...rest] = model.layers;
  const names = model.layers.map((l) => l.label()).join(' → ');
  if (!(embedding instanceof Embedding) || !(recurrent instanceof Recurrent))
    throw new Error(
      `generate: a Sequential must start with an Embedding and a recurrent layer (nn.LSTM, nn.GRU, nn.RNN), got ${names}`,
    );
  if (recurrent.bidirectional)
    throw new Error(
      `generate: ${recurrent.label()} is bidirectional, so its output depends on tokens not yet generated`,
    );
  const vocabSize = embedding.numEmbeddings;
  const head = new Sequential(rest);
  const time = recurrent.batchFirst ? 1 : 0;
  let state: unknown = null;
  const run = (tokens: readonly number[]) => {
    const ids = recurrent.batchFirst ? [[...tokens]] : tokens.map((t) => [t]);
    const [output, after] = (recurrent as Recurrent<[Tensor, unknown]>).forward(embedding.forward(tensor(ids)), state);
    state = after;
    const logits = head.forward(output.narrow(time, output.shape[time] - 1, 1));
    if (logits.shape.at(-1) !== vocabSize)
      throw new Error(
        `generate: ${names} gives ${logits.shape.at(-1)} values per position, but its Embedding reads ${vocabSize} tokens`,
      );
    return lastRow(logits, vocabSize);
  };
  return { vocabSize, start: run, next: (tokens) => run(tokens.slice(-1)), carried: () => cellsIn(state) };
}

/** The cells of the tensors in a recurrent state (a tensor, or arrays of them). */
function cellsIn(state: unknown): Cell[] {
  if (state instanceof Tensor) return [state.cell];
  return Array.isArray(state) ? state.flatMap(cellsIn) : [];
}

/**
 * Text generation from a language model: the prompt's tokens followed by maxNewTokens new ones,
 * each drawn from softmax(logits / temperature) of the next position (among the topK most likely,
 * when given) with the seeded PRNG, so a seed reproduces the text; temperature 0 takes the most
 * likely token. The model is a GPT (each block's keys and values cached; once the context is
 * full, the window slides) or a recurrent Sequential, Embedding → nn.LSTM/GRU/RNN → layers on its
 * output, such as Linear to the vocabulary (the state carried from token to token). Runs in
 * evaluation mode without a graph.
 *
 * @example
 * ```ts
 * manualSeed(1);
 * const tokens = nn.generate(gpt, [3, 1, 4], { maxNewTokens: 20, temperature: 0.8, topK: 5 });
 * ```
 */
export function generate(model: GPT | Sequential, prompt: readonly number[], options: GenerateOptions = {}): number[] {
  const { maxNewTokens = 100, temperature = 1, topK } = options;
  if (!Number.isSafeInteger(maxNewTokens) || maxNewTokens < 0)
    throw new Error(`generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  if (!(temperature >= 0 && Number.isFinite(temperature)))
    throw new Error(`generate: temperature must be a finite number ≥ 0, got ${temperature}`);
  if (topK !== undefined && (!Number.isSafeInteger(topK) || topK < 1))
    throw new Error(`generate: topK must be a positive integer, got ${topK}`);
  if (prompt.length === 0) throw new Error('generate: the prompt is empty (give at least one token)');
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const lm = model instanceof GPT ? gptNextToken(model) : recurrentNextToken(model);
      const step = (forward: () => Float32Array) => {
        const made: Cell[] = [];
        const logits = collecting(made, forward);
        releaseCells(made, new Set(lm.carried()));
        return logits;
      };
      const tokens = [...prompt];
      let logits = step(() => lm.start(tokens));
      for (let i = 0; i < maxNewTokens; i++) {
        tokens.push(pickToken(logits, temperature, topK));
        if (i + 1 < maxNewTokens) logits = step(() => lm.next(tokens));
      }
      return tokens;
    });
  } finally {
    model.train(wasTraining);
  }
}

function pickToken(logits: Float32Array, temperature: number, topK: number | undefined): number {
  let best = 0;
  for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
  if (temperature === 0) return best;
  const floor = topK !== undefined && topK < logits.length ? [...logits].sort((a, b) => b - a)[topK - 1] : -Infinity;
  const weights = Array.from(logits, (v) => (v >= floor ? Math.exp((v - logits[best]) / temperature) : 0));
  let u = random() * weights.reduce((a, b) => a + b, 0);
  for (let c = 0; c < weights.length; c++) {
    u -= weights[c];
    if (u < 0) return c;
  }
  return best;
}
