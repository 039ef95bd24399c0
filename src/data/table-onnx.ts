// A table model's encoding and standardisation as the first nodes of its ONNX graph, so the
// exported file reads raw rows as `nabla predict` does (the standardiser was once left out, and
// the file predicted something else). The graph takes the number columns as "input"
// [batch, numbers] (NaN for an empty cell) and the text columns as "text" [batch, texts]
// (strings; '' for an empty cell):
//   numbers: Where(IsNaN(x), fill, x) → Sub(mean) → Div(std)            SimpleImputer, StandardScaler
//   each text column: Gather → LabelEncoder (ai.onnx.ml: category → its index, '' → the fill's,
//                     unseen → -1) → Equal(0..K−1) → Cast                 OneHotEncoder(handle_unknown='ignore')
// then Concat along the features, in the encoding's order (numbers, then each one-hot block).

import type { OnnxPreprocess } from '../io/onnx.js';
import type { TableEncoding } from './table-encoding.js';

/** The names of the number columns (the graph's "input") and the text columns ("text"). */
export function onnxColumns(e: TableEncoding): { input: string[]; text: string[] } {
  return {
    input: e.columns.filter((c) => c.kind === 'number').map((c) => c.name),
    text: e.columns.filter((c) => c.kind === 'category').map((c) => c.name),
  };
}

/** The preprocessing nodes of a table model (`standardizer`: over the encoded inputs, or null). */
export function tablePreprocess(
  e: TableEncoding,
  standardizer: { mean: number[]; std: number[] } | null,
): OnnxPreprocess {
  const numbers = e.columns.flatMap((c) => (c.kind === 'number' ? [c] : []));
  const texts = e.columns.flatMap((c) => (c.kind === 'category' ? [c] : []));
  const inputs: OnnxPreprocess['inputs'] = [];
  if (numbers.length) inputs.push({ name: 'input', type: 'float', width: numbers.length });
  if (texts.length) inputs.push({ name: 'text', type: 'string', width: texts.length });
  return {
    inputs,
    emit: (g) => {
      const parts: string[] = [];
      if (numbers.length) {
        let x = 'input';
        if (numbers.some((c) => c.fill !== null)) {
          // A column without a fill value (--missing drop or error) keeps its NaN.
          const fill = g.floats(
            'fill',
            numbers.map((c) => c.fill ?? NaN),
          );
          x = g.node('Where', [g.node('IsNaN', [x]), fill, x]);
        }
        if (standardizer) {
          x = g.node('Sub', [x, g.floats('mean', standardizer.mean.slice(0, numbers.length))]);
          x = g.node('Div', [x, g.floats('std', standardizer.std.slice(0, numbers.length))]);
        }
        parts.push(x);
      }
      texts.forEach((c, k) => {
        const column = g.node('Gather', ['text', g.int64s(`text${k}`, [k])], { axis: { int: 1 } });
        const keys = c.fill === null ? c.categories : [...c.categories, ''];
        const values = c.categories.map((_, i) => i);
        if (c.fill !== null) values.push(c.categories.indexOf(c.fill));
        const index = g.node(
          'LabelEncoder',
          [column],
          { keys_strings: { strings: keys }, values_int64s: { ints: values }, default_int64: { int: -1 } },
          'ai.onnx.ml',
        );
        const hot = g.node('Equal', [
          index,
          g.int64s(
            `categories${k}`,
            c.categories.map((_, i) => i),
          ),
        ]);
        parts.push(g.toFloat(hot));
      });
      return parts.length === 1 ? parts[0] : g.node('Concat', parts, { axis: { int: 1 } });
    },
  };
}
