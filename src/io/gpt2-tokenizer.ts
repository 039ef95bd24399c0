// GPT-2's byte-level BPE, by Hugging Face's tokenizers.js (@huggingface/tokenizers: pure JS, no
// dependencies, no install script, and it reads the tokenizer.json of any Hugging Face folder).
// A folder with only GPT-2's original vocab.json and merges.txt gets the tokenizer.json those two
// files stand for: a BPE model with GPT-2's byte-level pre-tokenizer and decoder.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { readBounded } from './read-bounded.js';
import { ModelFileError } from './errors.js';

/** Text to token ids and back. */
export interface TextTokenizer {
  /** The token ids of `text`. */
  encode(text: string): number[];
  /** The text of token ids. */
  decode(ids: readonly number[]): string;
}

const MAX_TOKENIZER_BYTES = 64 * 2 ** 20;

/** The text of a file of the folder, read bounded, its errors naming the file. */
export function readFolderText(dir: string, name: string): string {
  const file = join(dir, name);
  return readBounded(file, MAX_TOKENIZER_BYTES, name, (p) => new ModelFileError(file, p)).toString('utf8');
}

/** A file of the folder as JSON, its errors naming the file. */
export function readFolderJson(dir: string, name: string): unknown {
  try {
    return JSON.parse(readFolderText(dir, name));
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(join(dir, name), `not valid JSON: ${(e as Error).message}`);
  }
}

/** tokenizer.json's content for GPT-2's vocab.json and merges.txt (merges.txt: a "#version" line, then "a b" per line). */
function gpt2TokenizerJson(dir: string): object {
  const vocab = readFolderJson(dir, 'vocab.json');
  const merges = readFolderText(dir, 'merges.txt')
    .split('\n')
    .filter((line, i) => line !== '' && !(i === 0 && line.startsWith('#version')));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: { type: 'BPE', vocab, merges, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '' },
  };
}

/** The tokenizer of a Hugging Face folder: its tokenizer.json, else GPT-2's vocab.json and merges.txt. */
export function readTokenizer(dir: string): TextTokenizer {
  const hasJson = existsSync(join(dir, 'tokenizer.json'));
  if (!hasJson && !existsSync(join(dir, 'vocab.json')))
    throw new ModelFileError(join(dir, 'tokenizer.json'), 'not found (nor vocab.json and merges.txt): no tokenizer');
  const json = hasJson ? readFolderJson(dir, 'tokenizer.json') : gpt2TokenizerJson(dir);
  const config = existsSync(join(dir, 'tokenizer_config.json')) ? readFolderJson(dir, 'tokenizer_config.json') : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json as object, config as object);
  } catch (e) {
    throw new ModelFileError(
      join(dir, hasJson ? 'tokenizer.json' : 'vocab.json'),
      `not a tokenizer: ${(e as Error).message}`,
    );
  }
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tokenizer.decode([...ids]),
  };
}
