// `nabla export --format pytorch --model DIR [--out OUTDIR]`: model.py, the torch-layout weights
// and train_ddp.py (io/pytorch.ts) in OUTDIR (default DIR/pytorch). The weights carry the model's
// metadata, so OUTDIR after training under torchrun is a model directory nabla predict reads.

import fs from 'node:fs';
import path from 'node:path';
import { exportPytorch } from '../io/pytorch.js';
import { UsageError } from './errors.js';
import { readLanguageModelDir, readModelDir } from './modeldir.js';

/** The real path of a directory, or of the nearest ancestor that exists with the rest appended. */
function resolved(dir: string): string {
  const abs = path.resolve(dir);
  try {
    return fs.realpathSync(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(resolved(parent), path.basename(abs));
  }
}

export function exportPytorchCommand(o: { model: string; out?: string }): number {
  const out = o.out ?? path.join(o.model, 'pytorch');
  // OUTDIR/model.safetensors would replace the model being exported.
  if (resolved(out) === resolved(o.model))
    throw new UsageError(
      `--out ${out}: the model's own directory; give another (default ${path.join(o.model, 'pytorch')})`,
    );
  const { model, metadata } = readLanguageModelDir(o.model) ?? readModelDir(o.model);
  for (const file of exportPytorch(model, out, { metadata })) console.log(`wrote ${file}`);
  return 0;
}
