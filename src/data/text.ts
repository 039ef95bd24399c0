// Text for language models: tokenizers (characters or UTF-8 bytes, nothing to download) and
// TextDataset, the fixed-length windows of a token sequence with the next token as each target.

import { Tensor } from '../tensor.js';
import type { Dataset, Sample } from './dataset.js';

export interface Tokenizer {
  readonly kind: 'char' | 'byte';
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(tokens: ArrayLike<number>): string;
}

/** Code point as people read it in errors: 'é' (U+00E9). */
const showChar = (c: string) => `${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;

/** One token per character (Unicode code point) of a fixed vocabulary: the characters of the training text, sorted. */
export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(chars: Iterable<string>) {
    this.chars = [...new Set(chars)];
    if (this.chars.length === 0) throw new Error('CharTokenizer: the vocabulary is empty');
    if (this.chars.some((c) => [...c].length !== 1)) throw new Error('CharTokenizer: every vocabulary entry must be one character');
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** The vocabulary of a text: its distinct characters in code-point order. */
  static fromText(text: string): CharTokenizer {
    return new CharTokenizer([...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    let position = 0;
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) {
        throw new Error(`CharTokenizer: character ${showChar(c)} at position ${position} is not in the vocabulary of ${this.chars.length} characters the model was trained on`);
      }
      out.push(id);
      position++;
    }
    return out;
  }

  decode(tokens: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < tokens.length; i++) {
      const c = this.chars[tokens[i]];
      if (c === undefined) throw new Error(`CharTokenizer: token ${tokens[i]} at position ${i} is not in [0, ${this.chars.length - 1}]`);
      s += c;
    }
    return s;
  }
}

/** One token per UTF-8 byte (256 tokens): any text encodes, and decoding replaces broken sequences with U+FFFD. */
export class ByteTokenizer implements Tokenizer {
  readonly kind = 'byte';
  readonly vocabSize = 256;

  encode(text: string): number[] {
    return [...new TextEncoder().encode(text)];
  }

  decode(tokens: ArrayLike<number>): string {
    const bytes = Uint8Array.from(tokens, (t, i) => {
      if (!Number.isInteger(t) || t < 0 || t > 255) throw new Error(`ByteTokenizer: token ${t} at position ${i} is not a byte`);
      return t;
    });
    return new TextDecoder().decode(bytes);
  }
}

/**
 * Windows of `contextLength` tokens starting every `stride` tokens (default: contextLength, so
 * each token is a target once per epoch); each target is the window shifted by one token.
 * Inputs and targets are [contextLength] float tensors of token ids.
 */
export class TextDataset implements Dataset {
  readonly tokens: Int32Array;
  readonly stride: number;

  constructor(tokens: ArrayLike<number>, readonly contextLength: number, options: { stride?: number } = {}) {
    if (!Number.isSafeInteger(contextLength) || contextLength < 1) throw new Error(`TextDataset: contextLength must be a positive integer, got ${contextLength}`);
    this.stride = options.stride ?? contextLength;
    if (!Number.isSafeInteger(this.stride) || this.stride < 1) throw new Error(`TextDataset: stride must be a positive integer, got ${this.stride}`);
    if (tokens.length < contextLength + 1) {
      throw new Error(`TextDataset: ${tokens.length} tokens are too few for one window of ${contextLength} tokens and its next token`);
    }
    this.tokens = Int32Array.from(tokens);
  }

  get length(): number {
    return Math.floor((this.tokens.length - this.contextLength - 1) / this.stride) + 1;
  }

  get(index: number): Sample {
    const [x, y] = this.getBatch([index]);
    return [x.reshape([this.contextLength]), y.reshape([this.contextLength])];
  }

  getBatch(indices: ArrayLike<number>): Sample {
    const t = this.contextLength;
    const x = new Float32Array(indices.length * t);
    const y = new Float32Array(indices.length * t);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r];
      if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new Error(`TextDataset: index ${i} is out of range for ${this.length} windows`);
      const start = i * this.stride;
      for (let j = 0; j < t; j++) {
        x[r * t + j] = this.tokens[start + j];
        y[r * t + j] = this.tokens[start + j + 1];
      }
    }
    return [new Tensor(x, [indices.length, t]), new Tensor(y, [indices.length, t])];
  }
}

/** What a model file stores to read and write text as its model did. */
export type TokenizerJson = { kind: 'char'; chars: string } | { kind: 'byte' };

export function tokenizerToJson(t: Tokenizer): TokenizerJson {
  return t instanceof CharTokenizer ? { kind: 'char', chars: t.chars.join('') } : { kind: 'byte' };
}

/** The tokenizer a model file describes; `where` names the file in errors. */
export function tokenizerFromJson(json: unknown, where: string): Tokenizer {
  const j = json as Partial<{ kind: unknown; chars: unknown }> | null;
  if (j && j.kind === 'byte') return new ByteTokenizer();
  if (j && j.kind === 'char' && typeof j.chars === 'string' && j.chars.length > 0 && j.chars.length <= 1_200_000) return new CharTokenizer(j.chars);
  throw new Error(`${where}: the model's metadata has no valid tokenizer (expected {"kind":"char","chars":...} or {"kind":"byte"})`);
}
