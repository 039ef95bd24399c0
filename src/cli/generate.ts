// `nabla generate --model DIR`: text from a GPT that `nabla train --model gpt` wrote (its
// tokenizer is in the model's metadata), or, for an addition model, the sum of a prompt "a+b=".

import { existsSync, statSync } from 'node:fs';
import { load } from '../io/index.js';
import { manualSeed } from '../random.js';
import { GPT } from '../nn/layers/gpt.js';
import { Sequential } from '../nn/sequential.js';
import { generate } from '../nn/generate.js';
import { additionTokens } from '../data/addition.js';
import { tokenizerFromJson } from '../data/text.js';
import { UsageError } from './errors.js';
import { pathIn } from './modeldir.js';

export interface GenerateFlags {
  model: string;
  prompt: string;
  tokens: number;
  temperature: number;
  topK?: number;
  seed: number;
}

export function generateCommand(flags: GenerateFlags): number {
  if (!existsSync(flags.model) || !statSync(flags.model).isDirectory()) throw new UsageError(`--model ${flags.model}: no such directory`);
  const file = pathIn(flags.model, 'model');
  if (!existsSync(file)) throw new UsageError(`${file}: not found; write a model there with nabla train --model gpt --out ${flags.model}`);
  const { model, metadata } = load(file);
  const gpt = model instanceof Sequential && model.layers.length === 1 ? model.layers[0] : null;
  if (!(gpt instanceof GPT)) throw new UsageError(`${file}: not a GPT (nabla generate takes a model written by nabla train --model gpt or --data addition)`);
  manualSeed(flags.seed);
  if (metadata.task === 'addition') {
    const digits = Number(metadata.digits);
    const m = new RegExp(`^\\s*(\\d{1,${digits}})\\s*\\+\\s*(\\d{1,${digits}})\\s*=?\\s*$`).exec(flags.prompt);
    if (!m) throw new UsageError(`--prompt ${JSON.stringify(flags.prompt)}: this model adds numbers of up to ${digits} digits; write the prompt as a+b=, e.g. "${'4'.repeat(digits)}+${'7'.repeat(digits)}="`);
    const prompt = additionTokens(Number(m[1]), Number(m[2]), digits).slice(0, 2 * digits);
    const answer = generate(gpt, prompt, { maxNewTokens: digits + 1, temperature: 0 }).slice(2 * digits);
    console.log(`${Number(m[1])}+${Number(m[2])}=${Number(answer.reverse().join(''))}`);
    return 0;
  }
  const tokenizer = tokenizerFromJson(metadata.tokenizer, file);
  let prompt: number[];
  try {
    prompt = tokenizer.encode(flags.prompt);
  } catch (e) {
    throw new UsageError(`--prompt: ${(e as Error).message}`);
  }
  const out = generate(gpt, prompt, { maxNewTokens: flags.tokens, temperature: flags.temperature, topK: flags.topK });
  console.log(tokenizer.decode(out));
  return 0;
}
