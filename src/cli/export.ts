// `nabla export`: a model directory's model as ONNX, taking what the data files hold. A CSV
// model was trained on standardised features (and an image CSV on pixels scaled to [0, 1]): the
// graph standardises its input first, so raw CSV rows give what `nabla predict` gives. Models of
// the bundled digits or IDX files take pixels in [0, 1], as they were read in training. The class
// and feature names, the task and what the input and output are go into the file's
// metadata_props.

import { exportOnnx } from '../io/index.js';
import { UsageError } from './errors.js';
import type { InputSpec } from './data.js';
import { readLanguageModelDir, readModelDir } from './modeldir.js';

/** What the ONNX file says about its input and output, for a reader without nabla. */
function metadataOf(spec: InputSpec): Record<string, string> {
  const input =
    spec.kind === 'csv'
      ? `the ${spec.inputs} feature columns of a CSV row as they are in the file (standardised inside the graph)${spec.featureNames ? `, in the order of nabla.features` : ''}`
      : `the ${spec.inputs} pixels of an image (C, H, W order) scaled to [0, 1] (bytes / 255)`;
  return {
    'nabla.task': spec.task,
    'nabla.input': input,
    'nabla.output':
      spec.task === 'classification'
        ? 'one logit per class in the order of nabla.classes: their softmax gives the probabilities nabla predict prints'
        : `the prediction in the target's own units${spec.target ? ` (${spec.target})` : ''}`,
    ...(spec.classes ? { 'nabla.classes': JSON.stringify(spec.classes) } : {}),
    ...(spec.featureNames ? { 'nabla.features': JSON.stringify(spec.featureNames) } : {}),
  };
}

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
    // One sample's shape (a flat row, as train fed it); the exported graph adds a dynamic batch axis in front.
    exportOnnx(model, out, {
      inputShape: [spec.inputs],
      standardize: spec.standardizer ?? undefined,
      metadata: metadataOf(spec),
    });
  }
  console.log(`wrote ${out}`);
  return 0;
}
