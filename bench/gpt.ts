// `npm run bench:gpt` (and the GPT section of `npm run bench`): GPT training tokens/s for one
// config (4 layers, 4 heads, dim 128, context 64, batch 32, vocabulary 65, AdamW with clipping as
// `nabla train --model gpt`), side by side in one run: nabla on each backend at 1 thread and all
// cores, TensorFlow.js' wasm backend as its users write a GPT (ops and optimizer.minimize: it has
// no attention layer), and PyTorch through bench/gpt_twin.py when /usr/bin/python3 has torch;
// then nabla's generation tokens/s at batch 1 with the key/value cache. Ratios in the table.
//
// Options: --steps N (timed steps, default 8)   --out PATH (default bench/RESULTS-gpt.md)
//          --section (print the markdown section only, write nothing: what run.ts includes)

import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { listBackends, manualSeed, nn, optim, ready, setBackend, setNumThreads, tensor } from '../src/index.js';
import { gptBatches, gptConfig } from './models.js';
import { lcg, median } from './util.js';

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '8' },
    out: { type: 'string', default: new URL('../../bench/RESULTS-gpt.md', import.meta.url).pathname },
    section: { type: 'boolean', default: false },
  },
});
const STEPS = Number(opts.steps);
const cfg = gptConfig;
const cores = availableParallelism();
const tokensPerStep = cfg.batch * cfg.context;
const log = (s: string) => process.stderr.write(`${s}\n`);

const batches = (count: number) => gptBatches(count, cfg);

/** Median tokens/s of timed steps after two warm-up steps. */
function timeSteps(step: (i: number) => void): number {
  step(0);
  step(1);
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    step(i);
    times.push(performance.now() - t0);
  }
  return tokensPerStep / (median(times) / 1000);
}

function nablaTraining(): number {
  manualSeed(1);
  const gpt = new nn.GPT({ vocabSize: cfg.vocab, contextLength: cfg.context, embedDim: cfg.dim, numLayers: cfg.layers, numHeads: cfg.heads });
  const opt = new optim.AdamW(gpt.parameters(), { lr: 1e-3, weightDecay: 0.1 });
  const data = batches(4).map((b) => ({ x: tensor(b.x), y: tensor(b.y) }));
  return timeSteps((i) => {
    const { x, y } = data[i % data.length];
    opt.zeroGrad();
    nn.crossEntropy(gpt.forward(x), y).backward();
    optim.clipGradNorm(gpt.parameters(), 1);
    opt.step();
  });
}

function nablaGeneration(): number {
  manualSeed(2);
  const gpt = new nn.GPT({ vocabSize: cfg.vocab, contextLength: cfg.context, embedDim: cfg.dim, numLayers: cfg.layers, numHeads: cfg.heads });
  const n = cfg.context - 1;
  nn.generate(gpt, [1], { maxNewTokens: n, temperature: 0 });
  const rates = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    nn.generate(gpt, [1], { maxNewTokens: n, temperature: 0 });
    return n / ((performance.now() - t0) / 1000);
  });
  return median(rates);
}

/**
 * A GPT in TensorFlow.js ops as its users write one: variables, optimizer.minimize. Its embedding
 * lookup is tf.gather, whose gradient (UnsortedSegmentSum) the wasm backend lacks; `oneHot` is
 * the workaround users take, the lookup as a product with one-hot rows.
 */
function tfjsTraining(oneHot: boolean): number | string {
  const { dim: e, heads: h, context: t, vocab: v, batch: n } = cfg;
  const d = e / h;
  const rnd = lcg(3);
  const w = (...shape: number[]) => tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rnd() - 0.5) * 0.04), shape));
  const ones = (k: number) => tf.variable(tf.ones([k]));
  const zeros = (k: number) => tf.variable(tf.zeros([k]));
  const wte = w(v, e), wpe = w(t, e), head = w(e, v), lnFg = ones(e), lnFb = zeros(e);
  const blocks = Array.from({ length: cfg.layers }, () => ({
    ln1g: ones(e), ln1b: zeros(e), wqkv: w(e, 3 * e), bqkv: zeros(3 * e), wo: w(e, e), bo: zeros(e),
    ln2g: ones(e), ln2b: zeros(e), wfc: w(e, 4 * e), bfc: zeros(4 * e), wproj: w(4 * e, e), bproj: zeros(e),
  }));
  const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
  const causal = tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)).mul(-1e9);
  const linear = (x: tf.Tensor, wt: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(x.reshape([-1, wt.shape[0]!]), wt as tf.Tensor2D), b);
  const forward = (tokens: tf.Tensor2D) => {
    const embedded = oneHot ? tf.matMul(tf.oneHot(tokens.reshape([-1]), v).toFloat(), wte as tf.Tensor2D).reshape([n, t, e]) : tf.gather(wte, tokens);
    let x: tf.Tensor = tf.add(embedded, wpe);
    for (const bl of blocks) {
      const qkv = linear(layerNorm(x, bl.ln1g, bl.ln1b), bl.wqkv, bl.bqkv).reshape([n, t, 3, h, d]);
      const [q, k, vv] = tf.split(qkv, 3, 2).map((part) => part.reshape([n, t, h, d]).transpose([0, 2, 1, 3]));
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d)), causal));
      const a = tf.matMul(att, vv).transpose([0, 2, 1, 3]).reshape([n * t, e]);
      x = tf.add(x, linear(a, bl.wo, bl.bo).reshape([n, t, e]));
      const m = linear(gelu(linear(layerNorm(x, bl.ln2g, bl.ln2b), bl.wfc, bl.bfc)), bl.wproj, bl.bproj);
      x = tf.add(x, m.reshape([n, t, e]));
    }
    return tf.matMul(layerNorm(x, lnFg, lnFb).reshape([n * t, e]), head);
  };
  const opt = tf.train.adam(1e-3);
  const data = batches(4).map((b) => ({ x: tf.tensor2d(b.x, undefined, 'int32'), y: tf.oneHot(tf.tensor1d(b.y.flat(), 'int32'), v) }));
  try {
    return timeSteps((i) => {
      const { x, y } = data[i % data.length];
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x as tf.Tensor2D)) as tf.Scalar, true);
      loss!.dataSync();
      loss!.dispose();
    });
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    tf.disposeVariables();
  }
}

function torchTraining(threads: number): number | string {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return 'no /usr/bin/python3';
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE; // let OpenBLAS pick its best kernel for this peer
  delete env.OPENBLAS_L2_SIZE;
  try {
    const out = execFileSync(python, [new URL('../../bench/gpt_twin.py', import.meta.url).pathname, 'speed', '--layers', String(cfg.layers), '--heads', String(cfg.heads),
      '--dim', String(cfg.dim), '--context', String(cfg.context), '--batch', String(cfg.batch), '--vocab', String(cfg.vocab), '--steps', String(STEPS), '--threads', String(threads)],
    { env: { ...env, OMP_WAIT_POLICY: 'PASSIVE' }, encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').at(-1)!).tokensPerSec as number;
  } catch (e) {
    return `torch failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

const rows: [string, number | string][] = [];
await ready();
for (const backend of listBackends()) {
  if (backend === 'js') continue; // the js reference backend: minutes per step here
  setBackend(backend);
  for (const threads of [...new Set([1, cores])]) {
    setNumThreads(threads);
    log(`nabla-${backend} ${threads}t ...`);
    rows.push([`nabla-${backend} ${threads}t`, nablaTraining()]);
  }
}
const generation: [string, number][] = [];
for (const backend of listBackends().filter((b) => b !== 'js')) {
  setBackend(backend);
  for (const threads of [...new Set([1, cores])]) {
    setNumThreads(threads);
    generation.push([`nabla-${backend} ${threads}t`, nablaGeneration()]);
  }
}
setNumThreads(cores);
log('tfjs-wasm ...');
await tf.setBackend('wasm');
await tf.ready();
rows.push(['tfjs-wasm (tf.gather)', tfjsTraining(false)]);
rows.push(['tfjs-wasm', tfjsTraining(true)]);
for (const threads of [...new Set([1, cores])]) {
  log(`torch ${threads}t ...`);
  rows.push([`torch ${threads}t`, torchTraining(threads)]);
}

const value = (name: string) => {
  const r = rows.find(([n]) => n === name)?.[1];
  return typeof r === 'number' ? r : null;
};
const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? `${(a / b).toFixed(2)}×` : '—');
const bestNabla = Math.max(...rows.filter(([n, v]) => n.startsWith('nabla') && typeof v === 'number').map(([, v]) => v as number));
const md = [
  `${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores; torch through /usr/bin/python3 (OpenBLAS choosing its own kernel).`,
  '',
  `## GPT training, tokens/s (${cfg.layers} layers, ${cfg.heads} heads, dim ${cfg.dim}, context ${cfg.context}, batch ${cfg.batch}, vocabulary ${cfg.vocab}; median of ${STEPS} steps)`,
  '',
  '| peer | tokens/s | × tfjs-wasm | × torch 1t | × torch all |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(([n, v]) => typeof v === 'number'
    ? `| ${n} | ${Math.round(v)} | ${ratio(v, value('tfjs-wasm'))} | ${ratio(v, value('torch 1t'))} | ${ratio(v, value(`torch ${cores}t`))} |`
    : `| ${n} | ${v} | | | |`),
  '',
  `tfjs-wasm is timed with the embedding as a one-hot product, the workaround its users take: its tf.gather has no gradient on the wasm backend (the row above). Best nabla vs tfjs-wasm: ${ratio(bestNabla, value('tfjs-wasm'))} (target ≥ 10×).`,
  '',
  `## GPT generation at batch 1 with the key/value cache, tokens/s (the same model, ${cfg.context - 1} tokens, greedy, median of 5 runs; target ≥ 500)`,
  '',
  '| backend | tokens/s |',
  '| --- | --- |',
  ...generation.map(([n, v]) => `| ${n} | ${Math.round(v)} |`),
  '',
];
const text = md.join('\n');
if (opts.section) process.stdout.write(`${text}\n`);
else {
  writeFileSync(`${opts.out}.tmp`, `# GPT benchmark\n\n${text}`);
  renameSync(`${opts.out}.tmp`, opts.out!);
  process.stdout.write(`${text}\n`);
  log(`wrote ${opts.out}`);
}
process.exit(0);
