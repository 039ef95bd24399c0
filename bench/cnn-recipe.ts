// `npm run bench:cnn-recipe -- [--epochs 20] [--seeds 1,2,3] [--lr 3e-3] [--dropout 0.25] [--head-dropout 0]
//   [--hidden 128] [--shift 2] [--channels 16,32] [--convs 2] [--batch 64] [--weight-decay 0]`:
// PyTorch trains the CLI's CNN recipe (bench/cnn_recipe.py) on the CLI's own MNIST split, for a
// reference figure next to `nabla train --data mnist --model cnn`. Needs /usr/bin/python3 with
// torch and numpy (apt-get install -y python3-torch python3-numpy). One PyTorch thread.
// --convs: 3×3 convolutions (each with BatchNorm2d and ReLU) per block before its pooling;
// --weight-decay > 0: AdamW with that decoupled decay instead of Adam.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundledMnistSplit } from '../src/data/mnist.js';
import type { Subset } from '../src/data/dataset.js';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '20' },
    seeds: { type: 'string', default: '1,2,3' },
    lr: { type: 'string', default: '3e-3' },
    dropout: { type: 'string', default: '0.25' },
    'head-dropout': { type: 'string', default: '0' },
    hidden: { type: 'string', default: '128' },
    shift: { type: 'string', default: '2' },
    channels: { type: 'string', default: '16,32' },
    batch: { type: 'string', default: '64' },
    convs: { type: 'string', default: '2' },
    'weight-decay': { type: 'string', default: '0' },
  },
});

const { train, test } = bundledMnistSplit();
const dir = mkdtempSync(join(tmpdir(), 'nabla-cnn-recipe-'));
try {
  const put = (name: string, a: Float32Array | Int32Array) =>
    writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const dump = (s: Subset, tag: string) => {
    const [x, y] = s.getBatch(Array.from({ length: s.length }, (_, i) => i));
    put(`${tag}_x.f32`, Float32Array.from(x.data));
    put(`${tag}_y.i32`, Int32Array.from(y.data));
  };
  dump(train, 'train');
  dump(test, 'test');
  const spec = {
    epochs: Number(values.epochs),
    seeds: values.seeds!.split(',').map(Number),
    lr: Number(values.lr),
    dropout: Number(values.dropout),
    headDropout: Number(values['head-dropout']),
    hidden: Number(values.hidden),
    shift: Number(values.shift),
    batch: Number(values.batch),
    threads: 1,
    channels: values.channels!.split(',').map(Number),
    convs: Number(values.convs),
    weightDecay: Number(values['weight-decay']),
  };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  console.log(`PyTorch, the CLI's CNN recipe: ${JSON.stringify(spec)}`);
  // One thread: torch's own, and OpenBLAS's under torch's Linear layers (Debian's torch calls the system BLAS).
  execFileSync('/usr/bin/python3', [new URL('../../bench/cnn_recipe.py', import.meta.url).pathname, dir], {
    stdio: 'inherit',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
