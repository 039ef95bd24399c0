// What `nabla export` writes besides the network: a table model's encoding and standardisation
// as the graph's first nodes (an image model's pixel scale too), a classifier's probabilities,
// and the names a user needs to feed and read the graph, as ONNX metadata_props (JSON values).

import type { OnnxOptions } from '../io/onnx.js';
import { onnxColumns, tablePreprocess } from '../data/table-onnx.js';
import { numberColumns } from '../data/table-encoding.js';
import { encodingOf, imageShapeOf, type InputSpec } from './data.js';

export function onnxOptionsOf(spec: InputSpec): OnnxOptions {
  const metadata: Record<string, string> = { task: spec.task };
  if (spec.classes) metadata.classes = JSON.stringify(spec.classes);
  if (spec.target) metadata.target = spec.target;
  const shape = imageShapeOf(spec);
  if (shape) metadata.image_shape = JSON.stringify(shape);
  let preprocess: OnnxOptions['preprocess'];
  if (spec.kind === 'csv') {
    // Pixel columns (--image-shape) are read in file order by predict, whatever their names.
    const encoding =
      encodingOf(spec) ?? numberColumns(Array.from({ length: spec.inputs }, (_, i) => `column ${i + 1}`));
    const { input, text } = onnxColumns(encoding);
    metadata.input_columns = JSON.stringify(input);
    if (text.length) metadata.text_columns = JSON.stringify(text);
    preprocess = tablePreprocess(encoding, spec.standardizer);
  }
  return {
    // One sample's shape (a flat row, as train fed it); the exported graph adds a dynamic batch axis in front.
    inputShape: [spec.inputs],
    preprocess,
    probabilities: spec.task === 'classification',
    metadata,
  };
}
