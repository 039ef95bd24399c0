// The addition task of minGPT's adder: a and b of `digits` digits, and the digits of a + b, as one
// sequence of digit tokens (0-9): a's digits, b's digits, then the sum's digits + 1 of them,
// least significant first (the order in which carries are computed). 3 digits: 123 + 989 = 1112
// → 1 2 3 9 8 9 2 1 1 1. A model sees the sequence less its last token and predicts each next
// one; only the sum's digits count (the other targets are IGNORE). The held-out problems are a
// seeded sample of all pairs, and no training problem is one of them.

import { Tensor } from '../tensor.js';
import { getRngState, manualSeed, random, setRngState } from '../random.js';
import { TensorDataset } from './dataset.js';

/** The target of a position whose prediction does not count (crossEntropy's ignoreIndex). */
export const IGNORE = -1;

/** Options of additionTask. */
export interface AdditionOptions {
  /** Digits of each operand, 1 to 6 (default 3). */
  digits?: number;
  /** Training problems, drawn with repetition from the pairs not held out (default 64,000). */
  trainSize?: number;
  /** Held-out problems (default 1,000, at most a fifth of all pairs). */
  testSize?: number;
  /** Seeds the draw (default 0); nabla's global PRNG is left as it was. */
  seed?: number;
}

/** The addition task's datasets and sizes. */
export interface AdditionTask {
  /** Digits of each operand. */
  readonly digits: number;
  /** Inputs [n, 3·digits] of digit tokens, targets [n, 3·digits] with IGNORE before the answer. */
  readonly train: TensorDataset;
  /** The held-out problems, shaped as train's; none of them is in train. */
  readonly test: TensorDataset;
  /** The token ids: the digits 0–9. */
  readonly vocabSize: 10;
  /** The sequence length a model sees: 3·digits. */
  readonly contextLength: number;
}

/** The token sequence of a + b (length 3·digits + 1). */
export function additionTokens(a: number, b: number, digits: number): number[] {
  const pad = (v: number, n: number) => String(v).padStart(n, '0').split('').map(Number);
  return [...pad(a, digits), ...pad(b, digits), ...pad(a + b, digits + 1).reverse()];
}

/** The problem a + b as people write it, from a model's input row: "123+989=1112". */
export function showProblem(tokens: ArrayLike<number>, digits: number, answer: ArrayLike<number>): string {
  const num = (from: number) => Array.from({ length: digits }, (_, i) => tokens[from + i]).join('');
  return `${num(0)}+${num(digits)}=${Array.from(answer).reverse().join('')}`;
}

function dataset(pairs: number[], digits: number): TensorDataset {
  const length = 3 * digits;
  const x = new Float32Array(pairs.length * length);
  const y = new Float32Array(pairs.length * length);
  const base = 10 ** digits;
  pairs.forEach((pair, r) => {
    const seq = additionTokens(Math.floor(pair / base), pair % base, digits);
    for (let t = 0; t < length; t++) {
      x[r * length + t] = seq[t];
      y[r * length + t] = t < 2 * digits - 1 ? IGNORE : seq[t + 1];
    }
  });
  return new TensorDataset(new Tensor(x, [pairs.length, length]), new Tensor(y, [pairs.length, length]));
}

/**
 * minGPT's addition task for a small GPT: sequences of a's digits, b's digits and the digits of
 * a + b least significant first (inputs [n, 3·digits], targets the next tokens with IGNORE before
 * the answer), a seeded held-out test set and a training set drawn from the other pairs.
 *
 * @example
 * ```ts
 * const task = data.additionTask({ digits: 2 });
 * const gpt = new nn.GPT({ vocabSize: task.vocabSize, contextLength: task.contextLength });
 * ```
 */
export function additionTask(options: AdditionOptions = {}): AdditionTask {
  const { digits = 3, trainSize = 64_000, seed = 0 } = options;
  if (!Number.isSafeInteger(digits) || digits < 1 || digits > 6)
    throw new Error(`additionTask: digits must be an integer from 1 to 6, got ${digits}`);
  const pairs = 10 ** (2 * digits);
  const testSize = options.testSize ?? Math.min(1000, Math.floor(pairs / 5));
  if (!Number.isSafeInteger(testSize) || testSize < 1 || testSize > pairs / 5) {
    throw new Error(
      `additionTask: testSize must be an integer from 1 to ${pairs / 5} (a fifth of the ${pairs} problems), got ${testSize}`,
    );
  }
  if (!Number.isSafeInteger(trainSize) || trainSize < 1 || trainSize > 10_000_000)
    throw new Error(`additionTask: trainSize must be an integer from 1 to 10,000,000, got ${trainSize}`);
  const saved = getRngState();
  manualSeed(seed);
  try {
    const held = new Set<number>();
    while (held.size < testSize) held.add(Math.floor(random() * pairs));
    const train: number[] = [];
    while (train.length < trainSize) {
      const p = Math.floor(random() * pairs);
      if (!held.has(p)) train.push(p);
    }
    return {
      digits,
      train: dataset(train, digits),
      test: dataset([...held], digits),
      vocabSize: 10,
      contextLength: 3 * digits,
    };
  } finally {
    setRngState(saved);
  }
}
