// GPT-2 files as Hugging Face writes them: safetensors with GPT-2's tensor names (the
// `transformer.` prefix optional), Conv1D weights stored [in, out] (nabla's own layout, so nothing
// is transposed), the attn.bias / attn.masked_bias mask buffers (ignored), and a head tied to wte.
// They load into nabla's GPT (tanh GELU, tied head) alone, as a model file with that architecture
// (root 'layer': load(file, { format: 'gpt2', as: GPT }).model is the GPT):
//   wte → tokens, wpe → positions, h.i.ln_1 → blocks.i.ln1, h.i.attn.c_attn → blocks.i.attn.inProj,
//   h.i.attn.c_proj → blocks.i.attn.outProj, h.i.ln_2 → blocks.i.ln2, h.i.mlp.c_fc → blocks.i.fc,
//   h.i.mlp.c_proj → blocks.i.proj, ln_f → lnF.
// The head count is not in the weights: numHeads, or GPT-2's head size of 64 (embedDim / 64).

import type { Tensor } from '../tensor.js';
import type { ModelSpec } from './architecture.js';
import { ModelFileError } from './errors.js';
import type { SafetensorsDType } from './safetensors.js';

const BLOCK_NAMES: Record<string, string> = {
  'ln_1.weight': 'ln1.weight',
  'ln_1.bias': 'ln1.bias',
  'attn.c_attn.weight': 'attn.inProj.weight',
  'attn.c_attn.bias': 'attn.inProj.bias',
  'attn.c_proj.weight': 'attn.outProj.weight',
  'attn.c_proj.bias': 'attn.outProj.bias',
  'ln_2.weight': 'ln2.weight',
  'ln_2.bias': 'ln2.bias',
  'mlp.c_fc.weight': 'fc.weight',
  'mlp.c_fc.bias': 'fc.bias',
  'mlp.c_proj.weight': 'proj.weight',
  'mlp.c_proj.bias': 'proj.bias',
};
const TOP_NAMES: Record<string, string> = {
  'wte.weight': 'tokens.weight',
  'wpe.weight': 'positions.weight',
  'ln_f.weight': 'lnF.weight',
  'ln_f.bias': 'lnF.bias',
};

/** The tensors of a GPT-2 file under nabla's names ("blocks.1.fc.weight", ...) and the architecture they make. */
export function fromGpt2(
  tensors: Record<string, Tensor>,
  dtypes: Record<string, SafetensorsDType>,
  file: string,
  numHeads?: number,
): { spec: ModelSpec; tensors: Record<string, Tensor>; dtypes: Record<string, SafetensorsDType> } {
  const fail = (problem: string, where: string) => new ModelFileError(file, problem, where);
  const renamed: Record<string, Tensor> = {};
  const types: Record<string, SafetensorsDType> = {};
  let layers = 0;
  let lmHead: string | null = null;
  for (const [full, t] of Object.entries(tensors)) {
    const name = full.startsWith('transformer.') ? full.slice('transformer.'.length) : full;
    if (/^h\.\d+\.attn\.(bias|masked_bias)$/.test(name)) continue; // the causal-mask buffers
    if (name === 'lm_head.weight') {
      lmHead = full;
      continue;
    }
    const block = /^h\.(\d+)\.(.+)$/.exec(name);
    let ours: string | undefined;
    if (block && Object.hasOwn(BLOCK_NAMES, block[2]) && Number(block[1]) < 10_000) {
      ours = `blocks.${Number(block[1])}.${BLOCK_NAMES[block[2]]}`;
      layers = Math.max(layers, Number(block[1]) + 1);
    } else if (Object.hasOwn(TOP_NAMES, name)) {
      ours = TOP_NAMES[name];
    }
    if (ours === undefined) throw fail('not a tensor of a GPT-2 model', full);
    if (Object.hasOwn(renamed, ours))
      throw fail(`appears twice, with and without the 'transformer.' prefix: which one loads would be a guess`, full);
    renamed[ours] = t;
    types[ours] = dtypes[full];
  }
  const wte = renamed['tokens.weight'];
  const wpe = renamed['positions.weight'];
  if (!wte || wte.rank !== 2) throw fail('the token embedding wte.weight [vocab, dim] is missing', 'wte.weight');
  if (!wpe || wpe.rank !== 2) throw fail('the position embedding wpe.weight [context, dim] is missing', 'wpe.weight');
  const [vocabSize, embedDim] = wte.shape;
  if (lmHead !== null) {
    const head = tensors[lmHead];
    if (head.shape.join() !== wte.shape.join() || head.data.some((v, i) => v !== wte.data[i])) {
      throw fail('lm_head.weight differs from wte.weight: only GPT-2 models with the tied head load', lmHead);
    }
  }
  const heads = numHeads ?? (embedDim % 64 === 0 ? embedDim / 64 : undefined);
  if (heads === undefined)
    throw fail(`embedDim ${embedDim} is not a multiple of GPT-2's head size 64: pass numHeads`, 'wte.weight');
  const spec: ModelSpec = {
    format: 'nabla.sequential',
    version: 1,
    dtype: 'float32',
    layers: [
      {
        type: 'GPT',
        vocabSize,
        contextLength: wpe.shape[0],
        embedDim,
        numLayers: layers,
        numHeads: heads,
        dropout: 0,
        tiedHead: true,
        gelu: 'tanh',
      },
    ],
    root: 'layer',
  };
  return { spec, tensors: renamed, dtypes: types };
}
