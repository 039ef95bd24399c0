// `nabla generate --model DIR`: text from a GPT or character LSTM that `nabla train --model gpt`
// or `--model lstm` wrote (its tokenizer is in the model's metadata), from a Hugging Face GPT-2
// folder (config.json, model.safetensors, its tokenizer files), or, for an addition model, the
// sum of a prompt "a+b=".

import { manualSeed } from '../random.js';
import { generate } from '../nn/generate.js';
import { additionTokens } from '../data/addition.js';
import { tokenizerFromJson } from '../data/text.js';
import { ModelFileError } from '../io/errors.js';
import { fromPretrained, isPretrainedDir } from '../io/pretrained.js';
import type { TextTokenizer } from '../io/gpt2-tokenizer.js';
import type { GPT } from '../nn/layers/gpt.js';
import type { Sequential } from '../nn/sequential.js';
import { showValue } from '../show.js';
import { UsageError } from './errors.js';
import { pathIn, readLanguageModelDir } from './modeldir.js';

export interface GenerateFlags {
  model: string;
  prompt: string;
  tokens: number;
  temperature: number;
  topK?: number;
  seed: number;
}

export function generateCommand(flags: GenerateFlags): number {
  if (isPretrainedDir(flags.model)) {
    const { model, tokenizer } = fromPretrained(flags.model);
    manualSeed(flags.seed);
    return printContinuation(model, tokenizer, flags);
  }
  const loaded = readLanguageModelDir(flags.model);
  if (!loaded)
    throw new UsageError(
      `${pathIn(flags.model, 'model')}: not a language model (nabla generate takes a model written by nabla train --model gpt, --model lstm or --data addition)`,
    );
  const { model, gpt, vocabSize, contextLength, metadata, file } = loaded;
  manualSeed(flags.seed);
  if (gpt && metadata.task === 'addition') {
    // The metadata is untrusted: digits builds a pattern and sizes loops, and only the digits the
    // GPT was trained for (its context holds 3 per digit) give sums.
    const digits = metadata.digits as number;
    if (!Number.isInteger(digits) || digits < 1 || digits > 6 || 3 * digits !== contextLength)
      throw new ModelFileError(
        file,
        `the addition model's digits is ${showValue(metadata.digits)}, expected an integer 1..6 matching its GPT's context of ${contextLength} tokens (3 per digit)`,
        'nabla.metadata.digits',
      );
    if (vocabSize !== 10)
      throw new ModelFileError(
        file,
        `an addition model's vocabulary is the 10 digits, this GPT's has ${vocabSize} tokens`,
        'nabla.architecture',
      );
    const m = new RegExp(`^\\s*(\\d{1,${digits}})\\s*\\+\\s*(\\d{1,${digits}})\\s*=?\\s*$`).exec(flags.prompt);
    if (!m)
      throw new UsageError(
        `--prompt ${JSON.stringify(flags.prompt)}: this model adds numbers of up to ${digits} digits; write the prompt as a+b=, e.g. "${'4'.repeat(digits)}+${'7'.repeat(digits)}="`,
      );
    const prompt = additionTokens(Number(m[1]), Number(m[2]), digits).slice(0, 2 * digits);
    const answer = generate(gpt, prompt, { maxNewTokens: digits + 1, temperature: 0 }).slice(2 * digits);
    console.log(`${Number(m[1])}+${Number(m[2])}=${Number(answer.reverse().join(''))}`);
    return 0;
  }
  const tokenizer = tokenizerFromJson(metadata.tokenizer, file);
  if (tokenizer.vocabSize !== vocabSize)
    throw new ModelFileError(
      file,
      `the tokenizer has ${tokenizer.vocabSize} tokens, the ${gpt ? 'GPT' : 'LSTM'}'s vocabulary ${vocabSize}`,
      'nabla.metadata.tokenizer',
    );
  return printContinuation(gpt ?? model, tokenizer, flags);
}

/** Prints the prompt and its continuation. */
function printContinuation(model: GPT | Sequential, tokenizer: TextTokenizer, flags: GenerateFlags): number {
  let prompt: number[];
  try {
    prompt = tokenizer.encode(flags.prompt);
  } catch (e) {
    throw new UsageError(`--prompt: ${(e as Error).message}`);
  }
  const out = generate(model, prompt, {
    maxNewTokens: flags.tokens,
    temperature: flags.temperature,
    topK: flags.topK,
  });
  console.log(tokenizer.decode(out));
  return 0;
}
