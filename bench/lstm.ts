// `npm run bench:lstm` (and the LSTM section of `npm run bench`): training tokens/s of the
// character LSTM of `nabla train --model lstm` in issue 31's configuration (Embedding → LSTM of 2
// layers, hidden 256 → Linear; context 64, batch 32, vocabulary 65; AdamW with clipping), side by
// side in one run: nabla on each backend at 1 thread and all cores, TensorFlow.js' wasm backend with
// tf.layers.lstm as its users write the model (tf.sequential, trainOnBatch), and PyTorch through
// bench/gpt_twin.py (speed --model lstm); then nabla's generation tokens/s at batch 1, the LSTM's
// state carried from token to token. Ratios in the table; nothing here is asserted.
//
// Options: --steps N (timed steps, default 8; tfjs-wasm: min(N, 3))   --out PATH (default bench/RESULTS-lstm-speed.md)
//          --section (print the markdown section only, write nothing: what run.ts includes)

import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { manualSeed, nn, optim, ready, tensor, trainStep } from '../src/index.js';
import { gptBatches, lstmConfig as cfg } from './models.js';
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
    out: { type: 'string', default: new URL('../../bench/RESULTS-lstm-speed.md', import.meta.url).pathname },
    section: { type: 'boolean', default: false },
  },
});
const STEPS = Number(opts.steps);
const cores = availableParallelism();
const tokensPerStep = cfg.batch * cfg.context;
const log = (s: string) => process.stderr.write(`${s}\n`);
const data = gptBatches(4, cfg);

/** The model `nabla train --model lstm` builds (src/cli/train-gpt.ts charLstm). */
function charLstm(): nn.Sequential {
  return new nn.Sequential(
    new nn.Embedding(cfg.vocab, cfg.hidden),
    new nn.LSTM(cfg.hidden, cfg.hidden, { numLayers: cfg.layers, batchFirst: true }),
    new nn.Linear(cfg.hidden, cfg.vocab),
  );
}

function nablaTraining(): number {
  manualSeed(1);
  const model = charLstm();
  const opt = new optim.AdamW(model.parameters(), { lr: 2e-3, weightDecay: 0.1 });
  const batches = data.map((b) => ({ x: tensor(b.x), y: tensor(b.y) }));
  // Each step in trainStep, as a hand-written loop recycles its memory (fit does it by itself).
  return tokensPerSecond(
    (i) =>
      trainStep(() => {
        const { x, y } = batches[i % batches.length];
        opt.zeroGrad();
        nn.crossEntropy(model.forward(x), y).backward();
        optim.clipGradNorm(model.parameters(), 1);
        opt.step();
      }, [model, opt]),
    tokensPerStep,
    STEPS,
  );
}

function nablaGeneration(): number {
  manualSeed(2);
  const model = charLstm();
  const n = cfg.context - 1;
  nn.generate(model, [1], { maxNewTokens: n, temperature: 0 });
  const rates = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    nn.generate(model, [1], { maxNewTokens: n, temperature: 0 });
    return n / ((performance.now() - t0) / 1000);
  });
  return median(rates);
}

/**
 * tfjs-wasm's training tokens/s with tf.layers.lstm, or why it fails. `oneHot`: the embedding as
 * a bias-free dense layer on one-hot rows (tf.layers.embedding's gather has no gradient on wasm).
 */
async function tfjsTraining(oneHot: boolean): Promise<number | string> {
  const model = tf.sequential();
  if (oneHot) model.add(tf.layers.dense({ units: cfg.hidden, useBias: false, inputShape: [cfg.context, cfg.vocab] }));
  else model.add(tf.layers.embedding({ inputDim: cfg.vocab, outputDim: cfg.hidden, inputLength: cfg.context }));
  for (let l = 0; l < cfg.layers; l++) model.add(tf.layers.lstm({ units: cfg.hidden, returnSequences: true }));
  model.add(tf.layers.dense({ units: cfg.vocab }));
  model.compile({ optimizer: tf.train.adam(2e-3), loss: 'sparseCategoricalCrossentropy' });
  const batches = data.map((b) => {
    const x = tf.tensor2d(b.x, [cfg.batch, cfg.context], 'int32');
    return {
      x: oneHot ? tf.oneHot(x, cfg.vocab).toFloat() : x.toFloat(),
      y: tf.tensor3d(b.y.map((r) => r.map((v) => [v]))),
    };
  });
  const step = async (i: number) => {
    const { x, y } = batches[i % batches.length];
    await model.trainOnBatch(x, y); // resolves to the loss, read back: the step has run
  };
  try {
    await step(0);
    await step(1);
    const times: number[] = [];
    for (let i = 0; i < Math.min(STEPS, 3); i++) {
      const t0 = performance.now();
      await step(i);
      times.push(performance.now() - t0);
    }
    return tokensPerStep / (median(times) / 1000);
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    model.dispose();
    for (const b of batches) tf.dispose([b.x, b.y]);
  }
}

const torchTraining = (threads: number) =>
  torchTwinTokensPerSecond(
    [
      ...['--model', 'lstm', '--layers', cfg.layers, '--dim', cfg.hidden, '--context', cfg.context],
      ...['--batch', cfg.batch, '--vocab', cfg.vocab, '--steps', STEPS],
    ].map(String),
    threads,
  );

await ready();
const { rows, generation } = nablaPerBackend(cores, nablaTraining, nablaGeneration, log);
log('tfjs-wasm ...');
await tf.setBackend('wasm');
await tf.ready();
rows.push(['tfjs-wasm (tf.layers.embedding)', await tfjsTraining(false)]);
rows.push(['tfjs-wasm', await tfjsTraining(true)]);
for (const threads of [...new Set([1, cores])]) {
  log(`torch ${threads}t ...`);
  rows.push([`torch ${threads}t`, torchTraining(threads)]);
}

const value = (name: string) => rateIn(rows, name);
const md = [
  `${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores; torch through /usr/bin/python3 (OPENBLAS_NUM_THREADS = its thread count).`,
  '',
  `## LSTM training, tokens/s (Embedding → LSTM of ${cfg.layers} layers, hidden ${cfg.hidden} → Linear; context ${cfg.context}, batch ${cfg.batch}, vocabulary ${cfg.vocab}; median of ${STEPS} steps, tfjs-wasm of ${Math.min(STEPS, 3)})`,
  '',
  '| peer | tokens/s | × tfjs-wasm | × torch 1t | × torch all |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(([n, v]) =>
    typeof v === 'number'
      ? `| ${n} | ${Math.round(v)} | ${ratio(v, value('tfjs-wasm'))} | ${ratio(v, value('torch 1t'))} | ${ratio(v, value(`torch ${cores}t`))} |`
      : `| ${n} | ${v} | | | |`,
  ),
  '',
  `Targets (issue 31): nabla-native ≥ 1.2× torch at 1 and ${cores} threads (${ratio(value('nabla-native 1t'), value('torch 1t'))}, ${ratio(value(`nabla-native ${cores}t`), value(`torch ${cores}t`))}); nabla-wasm ≥ 10× tfjs-wasm (${ratio(value(`nabla-wasm ${cores}t`), value('tfjs-wasm'))} at ${cores} threads). tfjs-wasm's embedding is a bias-free dense layer on one-hot rows when tf.layers.embedding cannot train (the row above it).`,
  '',
  `## LSTM generation at batch 1, the state carried from token to token, tokens/s (the same model, ${cfg.context - 1} tokens, greedy, median of 5 runs)`,
  '',
  '| backend | tokens/s |',
  '| --- | --- |',
  ...generation.map(([n, v]) => `| ${n} | ${Math.round(v)} |`),
  '',
];
writeBenchResult(md.join('\n'), 'LSTM benchmark', opts.section!, opts.out!, log);
process.exit(0);
