// Text for language models: tokenizers (characters or UTF-8 bytes, nothing to download) and
// TextDataset, the fixed-length windows of a token sequence with the next token as each target.

import { Tensor } from '../tensor.js';
import type { Dataset, Sample } from './dataset.js';

/** Text to token ids and back, for a language model (nothing to download: characters or UTF-8 bytes). */
export interface Tokenizer {
  /** Which tokenizer: 'char' (CharTokenizer) or 'byte' (ByteTokenizer). */
  readonly kind: 'char' | 'byte';
  /** The number of token ids: a GPT's vocabSize. */
  readonly vocabSize: number;
  /** The token ids of a text. */
  encode(text: string): number[];
  /** The text of token ids. */
  decode(tokens: ArrayLike<number>): string;
}

/** Code point as people read it in errors: 'é' (U+00E9). */
const showChar = (c: string) =>
  `${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;

/**
 * One token per character (Unicode code point) of a fixed vocabulary, usually the characters of
 * the training text in code-point order (fromText); encoding a character outside it throws.
 *
 * @example
 * ```ts
 * const tok = data.CharTokenizer.fromText(corpus);
 * const ids = tok.encode('hello');   // tok.decode(ids) === 'hello'
 * ```
 */
export class CharTokenizer implements Tokenizer {
  /** 'char'. */
  readonly kind = 'char';
  /** The vocabulary: the character of each id. */
  readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  /**
   * A tokenizer over these characters (duplicates dropped; ids in their order); throws for an empty vocabulary or an entry that is not one character.
   */
  constructor(chars: Iterable<string>) {
    this.chars = [...new Set(chars)];
    if (this.chars.length === 0) throw new Error('CharTokenizer: the vocabulary is empty');
    if (this.chars.some((c) => [...c].length !== 1))
      throw new Error('CharTokenizer: every vocabulary entry must be one character');
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** The vocabulary of a text: its distinct characters in code-point order. */
  static fromText(text: string): CharTokenizer {
    return new CharTokenizer([...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  /** The number of characters. */
  get vocabSize(): number {
    return this.chars.length;
  }

  /** One id per character; throws, naming the character and position, for one outside the vocabulary. */
  encode(text: string): number[] {
    const out: number[] = [];
    let position = 0;
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) {
        throw new Error(
          `CharTokenizer: character ${showChar(c)} at position ${position} is not in the vocabulary of ${this.chars.length} characters the model was trained on`,
        );
      }
      out.push(id);
      position++;
    }
    return out;
  }

  /** The characters of these ids; throws for an id outside the vocabulary. */
  decode(tokens: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < tokens.length; i++) {
      const c = this.chars[tokens[i]];
      if (c === undefined)
        throw new Error(`CharTokenizer: token ${tokens[i]} at position ${i} is not in [0, ${this.chars.length - 1}]`);
      s += c;
    }
    return s;
  }
}

/** One token per UTF-8 byte (256 tokens): any text encodes, and decoding replaces broken sequences with U+FFFD. */
export class ByteTokenizer implements Tokenizer {
  /** 'byte'. */
  readonly kind = 'byte';
  /** 256: one id per byte value. */
  readonly vocabSize = 256;

  /** The text's UTF-8 bytes. */
  encode(text: string): number[] {
    return [...new TextEncoder().encode(text)];
  }

  /** The UTF-8 text of these bytes (broken sequences become U+FFFD). */
  decode(tokens: ArrayLike<number>): string {
    const bytes = Uint8Array.from(tokens, (t, i) => {
      if (!Number.isInteger(t) || t < 0 || t > 255)
        throw new Error(`ByteTokenizer: token ${t} at position ${i} is not a byte`);
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
  /** The whole token sequence. */
  readonly tokens: Int32Array;
  /** Tokens between the starts of consecutive windows. */
  readonly stride: number;

  /**
   * Windows over this token sequence; throws when it is shorter than one window and its next token.
   * @param tokens - The token ids of the whole text.
   * @param contextLength - Tokens per window (the model's context).
   * @param options - `stride`, tokens between window starts (default contextLength).
   */
  constructor(
    tokens: ArrayLike<number>,
    readonly contextLength: number,
    options: { stride?: number } = {},
  ) {
    if (!Number.isSafeInteger(contextLength) || contextLength < 1)
      throw new Error(`TextDataset: contextLength must be a positive integer, got ${contextLength}`);
    this.stride = options.stride ?? contextLength;
    if (!Number.isSafeInteger(this.stride) || this.stride < 1)
      throw new Error(`TextDataset: stride must be a positive integer, got ${this.stride}`);
    if (tokens.length < contextLength + 1) {
      throw new Error(
        `TextDataset: ${tokens.length} tokens are too few for one window of ${contextLength} tokens and its next token`,
      );
    }
    this.tokens = Int32Array.from(tokens);
  }

  /** The number of windows. */
  get length(): number {
    return Math.floor((this.tokens.length - this.contextLength - 1) / this.stride) + 1;
  }

  /** Window index and its targets: [input [contextLength], target [contextLength]], the target shifted by one token. */
  get(index: number): Sample {
    const [x, y] = this.getBatch([index]);
    return [x.reshape([this.contextLength]), y.reshape([this.contextLength])];
  }

  /** Windows at these indices, stacked: [indices.length, contextLength] each. */
  getBatch(indices: ArrayLike<number>): Sample {
    const t = this.contextLength;
    const x = new Float32Array(indices.length * t);
    const y = new Float32Array(indices.length * t);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r];
      if (!Number.isInteger(i) || i < 0 || i >= this.length)
        throw new Error(`TextDataset: index ${i} is out of range for ${this.length} windows`);
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
export type TokenizerJson =
  | {
      /** A CharTokenizer. */
      kind: 'char';
      /** Its vocabulary, the characters in id order, as one string. */
      chars: string;
    }
  | {
      /** A ByteTokenizer. */
      kind: 'byte';
    };

/** What a model file stores of a tokenizer (TokenizerJson); tokenizerFromJson reads it back. */
export function tokenizerToJson(t: Tokenizer): TokenizerJson {
  return t instanceof CharTokenizer ? { kind: 'char', chars: t.chars.join('') } : { kind: 'byte' };
}

/** The tokenizer a model file describes; `where` names the file in errors. */
export function tokenizerFromJson(json: unknown, where: string): Tokenizer {
  const j = json as Partial<{ kind: unknown; chars: unknown }> | null;
  if (j && j.kind === 'byte') return new ByteTokenizer();
  if (j && j.kind === 'char' && typeof j.chars === 'string' && j.chars.length > 0 && j.chars.length <= 1_200_000)
    return new CharTokenizer(j.chars);
  throw new Error(
    `${where}: the model's metadata has no valid tokenizer (expected {"kind":"char","chars":...} or {"kind":"byte"})`,
  );
}
