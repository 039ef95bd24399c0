// `nabla predict`: CSV (or the held-out digits, or for a model trained on an image folder: one
// image, a folder of images, or a folder of class subfolders) in; predictions and class
// probabilities out as CSV, each image's row led by its file. When the input has the target
// column (or class subfolders), the accuracy (or error) is reported too.

import { writeFileAtomic } from '../io/atomic.js';
import { Tensor } from '../tensor.js';
import { csvFromTable } from '../data/csv.js';
import { readCsvFile } from '../data/csv-table.js';
import { predict } from '../train/evaluate.js';
import { argmaxRows } from '../train/metrics.js';
import { encodingOf, loadLabelledData, readImagesForPredict } from './data.js';
import { numberColumns } from '../data/table-encoding.js';
import { readModelDir } from './modeldir.js';

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function predictCommand(flags: { model: string; input: string; output?: string }): number {
  const { model, spec } = readModelDir(flags.model);
  let inputs: Tensor;
  let targets: Tensor | null;
  let files: string[] | null = null;
  if (spec.kind === 'images') {
    ({ inputs, targets, files } = readImagesForPredict(flags.input, spec));
  } else if (spec.kind !== 'csv' && (flags.input === 'mnist' || !flags.input.toLowerCase().endsWith('.csv'))) {
    const { dataset } = loadLabelledData(flags.input, spec);
    [inputs, targets] = [dataset.inputs, dataset.targets];
  } else {
    // Image models read CSVs of pixel columns in file order; CSV models by their feature names.
    const table = readCsvFile(flags.input);
    const pixels = spec.kind === 'csv' ? undefined : numberColumns(table.header.filter((h) => h !== 'label'));
    const csv = csvFromTable(table, {
      target: spec.target ?? (spec.kind === 'csv' ? undefined : table.header.find((h) => h === 'label')),
      encoding: encodingOf(spec) ?? pixels,
      missing: 'error',
      task: spec.task,
      classes: spec.classes ?? undefined,
      standardize: spec.standardizer ?? false,
    });
    if (csv.inputs.shape[1] !== spec.inputs)
      throw new Error(`${flags.input}: ${csv.inputs.shape[1]} feature columns, the model takes ${spec.inputs}`);
    [inputs, targets] = [csv.inputs, csv.targets];
  }
  const out = predict(model, inputs);
  const n = out.shape[0];
  const lines: string[] = [];
  let summary: string;
  if (spec.task === 'classification') {
    const classes = spec.classes ?? [];
    const probs = out.softmax(-1);
    const pred = argmaxRows(out);
    lines.push(
      [...(files ? ['file'] : []), 'prediction', ...classes.map((c) => `p_${c}`), ...(targets ? ['label'] : [])]
        .map(quote)
        .join(','),
    );
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = [
        ...(files ? [quote(files[i])] : []),
        quote(classes[pred[i]]),
        ...classes.map((_, j) => probs.data[i * classes.length + j].toFixed(6)),
      ];
      if (targets) {
        row.push(quote(classes[targets.data[i]]));
        if (targets.data[i] === pred[i]) correct++;
      }
      lines.push(row.join(','));
    }
    summary = targets ? `accuracy ${((100 * correct) / n).toFixed(2)}% (${correct}/${n})` : `${n} predictions`;
  } else {
    lines.push(['prediction', ...(targets ? ['target'] : [])].join(','));
    let se = 0;
    for (let i = 0; i < n; i++) {
      lines.push([out.data[i], ...(targets ? [targets.data[i]] : [])].join(','));
      if (targets) se += (out.data[i] - targets.data[i]) ** 2;
    }
    summary = targets ? `mse ${(se / n).toFixed(4)} (${n} rows)` : `${n} predictions`;
  }
  const text = `${lines.join('\n')}\n`;
  if (flags.output) {
    writeFileAtomic(flags.output, Buffer.from(text));
    console.log(`${flags.input}: ${summary}; wrote ${flags.output}`);
  } else {
    process.stdout.write(text);
    process.stderr.write(`${flags.input}: ${summary}\n`);
  }
  return 0;
}
