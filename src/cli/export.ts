// `nabla export`: a model directory's model as ONNX, taking what the data files hold: a table
// model's graph encodes and standardises the raw columns first (onnx-options.ts), so raw CSV rows
// give what `nabla predict` gives; a language model takes its tokens.

import { exportOnnx } from '../io/index.js';
import { UsageError } from './errors.js';
import { onnxOptionsOf } from './onnx-options.js';
import { readLanguageModelDir, readModelDir } from './modeldir.js';

export function exportCommand(flags: { model: string; out?: string }): number {
  const out = flags.out ?? `${flags.model.replace(/\/$/, '')}/model.onnx`;
  // Only a .onnx name: --out DIR/model.safetensors would replace the model being exported.
  if (!out.toLowerCase().endsWith('.onnx'))
    throw new UsageError(`--out ${out}: the ONNX file's name must end in .onnx (refusing to write over another file)`);
  const lm = readLanguageModelDir(flags.model);
  if (lm) {
    // Tokens [batch, contextLength] as floats; the graph's batch axis is dynamic.
    exportOnnx(lm.model, out, { inputShape: [lm.contextLength] });
  } else {
    const { model, spec } = readModelDir(flags.model);
    exportOnnx(model, out, onnxOptionsOf(spec));
  }
  console.log(`wrote ${out}`);
  return 0;
}
