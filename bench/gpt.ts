// `npm run bench:gpt` (and the GPT section of `npm run bench`): GPT training tokens/s for one
// config (4 layers, 4 heads, dim 128, context 64, batch 32, vocabulary 65, AdamW with clipping as
// `nabla train --model gpt`), side by side in one run: nabla on each backend at 1 thread and all
// cores, TensorFlow.js' wasm backend as its users write a GPT (ops and optimizer.minimize: it has
// no attention layer), and PyTorch through bench/gpt_twin.py when /usr/bin/python3 has torch;
// then nabla's generation tokens/s at batch 1 with the key/value cache. Ratios in the table.
//
// Options: --steps N (timed steps, default 8)   --out PATH (default bench/RESULTS-gpt.md)
//          --section (print the markdown section only, write nothing: what run.ts includes)

import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { manualSeed, nn, optim, ready, tensor, trainStep } from '../src/index.js';
import { tfjsGpt } from './gpt-tfjs.js';
import { gptBatches, gptConfig } from './models.js';
import {
  median,
  nablaPerBackend,
  rateIn,
  ratio,
  tokensPerSecond,
  torchTwinTokensPerSecond,
  writeBenchResult,
} from './util.js';

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

const timeSteps = (step: (i: number) => void) => tokensPerSecond(step, tokensPerStep, STEPS);

function nablaTraining(): number {
  manualSeed(1);
  const gpt = new nn.GPT({
    vocabSize: cfg.vocab,
    contextLength: cfg.context,
    embedDim: cfg.dim,
    numLayers: cfg.layers,
    numHeads: cfg.heads,
  });
  const opt = new optim.AdamW(gpt.parameters(), { lr: 1e-3, weightDecay: 0.1 });
  const data = batches(4).map((b) => ({ x: tensor(b.x), y: tensor(b.y) }));
  // Each step in trainStep, as a hand-written loop recycles its memory (fit does it by itself).
  return timeSteps((i) =>
    trainStep(() => {
      const { x, y } = data[i % data.length];
      opt.zeroGrad();
      nn.crossEntropy(gpt.forward(x), y).backward();
      optim.clipGradNorm(gpt.parameters(), 1);
      opt.step();
    }, [gpt, opt]),
  );
}

function nablaGeneration(): number {
  manualSeed(2);
  const gpt = new nn.GPT({
    vocabSize: cfg.vocab,
    contextLength: cfg.context,
    embedDim: cfg.dim,
    numLayers: cfg.layers,
    numHeads: cfg.heads,
  });
  const n = cfg.context - 1;
  nn.generate(gpt, [1], { maxNewTokens: n, temperature: 0 });
  const rates = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    nn.generate(gpt, [1], { maxNewTokens: n, temperature: 0 });
    return n / ((performance.now() - t0) / 1000);
  });
  return median(rates);
}

/** tfjs-wasm's training tokens/s (the model: bench/gpt-tfjs.ts), or why it fails. */
function tfjsTraining(oneHot: boolean): number | string {
  const model = tfjsGpt(oneHot, cfg);
  try {
    return timeSteps((i) => {
      const loss = model.step(i);
      loss.dataSync();
      loss.dispose();
    });
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    model.dispose();
  }
}

const torchTraining = (threads: number) =>
  torchTwinTokensPerSecond(
    [
      ...['--layers', cfg.layers, '--heads', cfg.heads, '--dim', cfg.dim, '--context', cfg.context],
      ...['--batch', cfg.batch, '--vocab', cfg.vocab, '--steps', STEPS],
    ].map(String),
    threads,
  );

await ready();
const { rows, generation } = nablaPerBackend(cores, nablaTraining, nablaGeneration, log);
log('tfjs-wasm ...');
await tf.setBackend('wasm');
await tf.ready();
rows.push(['tfjs-wasm (tf.gather)', tfjsTraining(false)]);
rows.push(['tfjs-wasm', tfjsTraining(true)]);
for (const threads of [...new Set([1, cores])]) {
  log(`torch ${threads}t ...`);
  rows.push([`torch ${threads}t`, torchTraining(threads)]);
}

const value = (name: string) => rateIn(rows, name);
const bestNabla = Math.max(
  ...rows.filter(([n, v]) => n.startsWith('nabla') && typeof v === 'number').map(([, v]) => v as number),
);
const md = [
  `${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores; torch through /usr/bin/python3 (OpenBLAS choosing its own kernel).`,
  '',
  `## GPT training, tokens/s (${cfg.layers} layers, ${cfg.heads} heads, dim ${cfg.dim}, context ${cfg.context}, batch ${cfg.batch}, vocabulary ${cfg.vocab}; median of ${STEPS} steps)`,
  '',
  '| peer | tokens/s | × tfjs-wasm | × torch 1t | × torch all |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(([n, v]) =>
    typeof v === 'number'
      ? `| ${n} | ${Math.round(v)} | ${ratio(v, value('tfjs-wasm'))} | ${ratio(v, value('torch 1t'))} | ${ratio(v, value(`torch ${cores}t`))} |`
      : `| ${n} | ${v} | | | |`,
  ),
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
writeBenchResult(md.join('\n'), 'GPT benchmark', opts.section!, opts.out!, log);
process.exit(0);
