// Model-file speed: encode/decode of a 784-512-512-10 MLP (669,706 parameters) as safetensors,
// save/load through the file system (atomic write with fsync), checkpoint and ONNX encoding.
// Run: npm run bench:io

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { manualSeed, nn, optim } from '../src/index.js';
import { decodeModel, encodeModel, encodeCheckpoint, encodeOnnx, load, save } from '../src/io/index.js';

function time(label: string, bytes: number, fn: () => void, reps = 20): void {
  for (let i = 0; i < 3; i++) fn(); // warm up the JIT
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const ms = (performance.now() - t0) / reps;
  console.log(
    `${label.padEnd(34)} ${ms.toFixed(2).padStart(8)} ms   ${(bytes / 1e6 / (ms / 1e3)).toFixed(0).padStart(6)} MB/s`,
  );
}

manualSeed(0);
const model = new nn.Sequential(
  new nn.Linear(784, 512),
  new nn.ReLU(),
  new nn.Linear(512, 512),
  new nn.ReLU(),
  new nn.Linear(512, 10),
);
const optimizer = new optim.Adam(model.parameters());
const bytes = encodeModel(model);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-bench-'));
const file = path.join(dir, 'mlp.safetensors');
console.log(`model file: ${bytes.length} bytes`);
time('encodeModel', bytes.length, () => encodeModel(model));
time('decodeModel (strict checks, rebuild)', bytes.length, () => decodeModel(bytes));
time('encodeModel, torch layout', bytes.length, () => encodeModel(model, { layout: 'torch' }));
time('save (atomic: temp, fsync, rename)', bytes.length, () => save(model, file));
time('load', bytes.length, () => load(file));
const ckpt = encodeCheckpoint({ model, optimizer, epoch: 0 });
time('encodeCheckpoint (Adam, no moments yet)', ckpt.length, () => encodeCheckpoint({ model, optimizer, epoch: 0 }));
const onnx = encodeOnnx(model, { inputShape: [784] });
time('encodeOnnx', onnx.length, () => encodeOnnx(model, { inputShape: [784] }));
fs.rmSync(dir, { recursive: true });
