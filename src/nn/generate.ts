// Text generation from a GPT: each new token is drawn from the model's distribution for the next
// position (softmax of logits / temperature, over the topK most likely tokens), with the seeded
// PRNG, so a seed reproduces the text. Keys and values of earlier positions are cached per block;
// once the context is full, the window slides and is computed afresh for each token. Each token's
// forward pass returns the arrays it made to the host pool, but for the caches it extends.

import { tensor } from '../tensor.js';
import { collecting, releaseCells, type Cell } from '../cells.js';
import { noGrad } from '../autograd/mode.js';
import { random } from '../random.js';
import type { GPT } from './layers/gpt.js';
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
 * Text generation from a GPT: the prompt's tokens followed by maxNewTokens new ones, each drawn
 * from softmax(logits / temperature) of the next position (among the topK most likely, when
 * given) with the seeded PRNG, so a seed reproduces the text; temperature 0 takes the most likely
 * token. Runs in evaluation mode without a graph, caching each block's keys and values; once the
 * context is full, the window slides.
 *
 * @example
 * ```ts
 * manualSeed(1);
 * const tokens = nn.generate(gpt, [3, 1, 4], { maxNewTokens: 20, temperature: 0.8, topK: 5 });
 * ```
 */
export function generate(gpt: GPT, prompt: readonly number[], options: GenerateOptions = {}): number[] {
  const { maxNewTokens = 100, temperature = 1, topK } = options;
  const { contextLength, vocabSize } = gpt.config;
  if (!Number.isSafeInteger(maxNewTokens) || maxNewTokens < 0)
    throw new Error(`generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  if (!(temperature >= 0 && Number.isFinite(temperature)))
    throw new Error(`generate: temperature must be a finite number ≥ 0, got ${temperature}`);
  if (topK !== undefined && (!Number.isSafeInteger(topK) || topK < 1))
    throw new Error(`generate: topK must be a positive integer, got ${topK}`);
  if (prompt.length === 0) throw new Error('generate: the prompt is empty (give at least one token)');
  const wasTraining = gpt.training;
  gpt.eval();
  try {
    return noGrad(() => {
      const tokens = [...prompt];
      let caches: KeyValueCache[] = [];
      let logits = new Float32Array(0);
      const run = (fresh: boolean) => {
        const made: Cell[] = [];
        collecting(made, () => {
          const window = tokens.slice(-contextLength);
          if (fresh) caches = gpt.blocks.map(() => ({ k: null, v: null }));
          const input = fresh ? window : window.slice(-1);
          const out = gpt.forward(tensor([input]), { caches, position: fresh ? 0 : window.length - 1 });
          logits = Float32Array.from(out.data.subarray(out.size - vocabSize));
        });
        releaseCells(made, new Set(caches.flatMap((c) => [c.k?.cell, c.v?.cell].filter((x) => x !== undefined))));
      };
      run(true);
      for (let i = 0; i < maxNewTokens; i++) {
        tokens.push(pickToken(logits, temperature, topK));
        // A full window slides: positions move, so the cache is no longer the window's.
        if (i + 1 < maxNewTokens) run(tokens.length > contextLength);
      }
      return tokens;
    });
  } finally {
    gpt.train(wasTraining);
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
