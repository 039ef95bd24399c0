// fromPretrained(dir): a Hugging Face GPT-2 folder (config.json, model.safetensors, and
// tokenizer.json or vocab.json + merges.txt) as nabla's GPT and its tokenizer. The config gives
// the head count and is checked against the weights, so a folder of another model is refused.

import { join } from 'node:path';
import { GPT } from '../nn/layers/gpt.js';
import { showValue } from '../show.js';
import { ModelFileError } from './errors.js';
import { readFolderJson, readTokenizer, type TextTokenizer } from './gpt2-tokenizer.js';
import { load } from './model.js';

/** What fromPretrained gives. */
export interface Pretrained {
  /** The GPT, in eval mode. */
  model: GPT;
  /** The folder's tokenizer. */
  tokenizer: TextTokenizer;
  /** config.json as written. */
  config: Record<string, unknown>;
}

/** Whether `dir` holds a Hugging Face model (a config.json naming its model_type). */
export function isPretrainedDir(dir: string): boolean {
  try {
    const config = readFolderJson(dir, 'config.json') as Record<string, unknown>;
    return typeof config?.model_type === 'string';
  } catch {
    return false;
  }
}

/**
 * Loads a GPT-2 model folder as Hugging Face writes it (save_pretrained): the GPT and its tokenizer.
 *
 * @example
 * ```ts
 * const { model, tokenizer } = fromPretrained('gpt2');
 * const ids = generate(model, tokenizer.encode('Hello'), { maxNewTokens: 20, temperature: 0 });
 * console.log(tokenizer.decode(ids));
 * ```
 */
export function fromPretrained(dir: string): Pretrained {
  const configFile = join(dir, 'config.json');
  const config = readFolderJson(dir, 'config.json');
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new ModelFileError(configFile, 'not a JSON object');
  const c = config as Record<string, unknown>;
  if (c.model_type !== 'gpt2')
    throw new ModelFileError(configFile, `model_type ${showValue(c.model_type)}: only GPT-2 models load`, 'model_type');
  if (
    c.activation_function !== undefined &&
    !['gelu_new', 'gelu_pytorch_tanh'].includes(c.activation_function as string)
  )
    throw new ModelFileError(
      configFile,
      `activation_function ${showValue(c.activation_function)}: nabla's GPT-2 has the tanh GELU (gelu_new)`,
      'activation_function',
    );
  if (c.layer_norm_epsilon !== undefined && c.layer_norm_epsilon !== 1e-5)
    throw new ModelFileError(
      configFile,
      `layer_norm_epsilon ${showValue(c.layer_norm_epsilon)}, nabla's is 1e-5`,
      'layer_norm_epsilon',
    );
  const numHeads = c.n_head;
  if (!Number.isSafeInteger(numHeads) || (numHeads as number) < 1)
    throw new ModelFileError(configFile, `n_head is ${showValue(numHeads)}, expected a positive integer`, 'n_head');
  const { model } = load(join(dir, 'model.safetensors'), { format: 'gpt2', numHeads: numHeads as number, as: GPT });
  const built = model.config;
  const expected: [string, number][] = [
    ['vocab_size', built.vocabSize],
    ['n_positions', built.contextLength],
    ['n_embd', built.embedDim],
    ['n_layer', built.numLayers],
  ];
  for (const [key, value] of expected)
    if (c[key] !== undefined && c[key] !== value)
      throw new ModelFileError(configFile, `${key} is ${showValue(c[key])}, the weights have ${value}`, key);
  return { model, tokenizer: readTokenizer(dir), config: c };
}
