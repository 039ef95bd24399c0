// `nabla train --data addition`: a small GPT learns a + b from digit sequences (data/addition.ts),
// with the recipe of minGPT's adder (2 pre-norm layers, 4 heads, dim 128, AdamW 1e-3 with weight
// decay 0.1, batch 64, gradient clipping at 1, the loss on the answer digits only). Writes the
// model (a Sequential holding the GPT), metrics.json with the exact match on the held-out sums,
// curves.svg and a checkpoint per epoch (--resume continues it).

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed } from '../random.js';
import { tensor, type Tensor } from '../tensor.js';
import { crossEntropy } from '../ops/index.js';
import { AdamW } from '../optim/adam.js';
import { additionTask, IGNORE, showProblem } from '../data/addition.js';
import { GPT } from '../nn/layers/gpt.js';
import { Sequential } from '../nn/sequential.js';
import { save } from '../io/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { noGrad } from '../autograd/mode.js';
import { fit } from '../train/fit.js';
import { ModelCheckpoint } from '../train/callbacks.js';
import { Progress } from '../train/progress.js';
import { trainingCurvesSvg } from '../train/plots.js';
import { exactMatch } from '../train/exact-match.js';
import { UsageError } from './errors.js';
import { pathIn } from './modeldir.js';

export interface GptFlags {
  digits: number;
  /** Problems per epoch (default ADDITION_TRAIN_SIZE). */
  trainSize?: number;
  layers?: number[];
  heads: number;
  dim: number;
  lr?: number;
  epochs?: number;
  batchSize?: number;
  clip?: number;
  seed: number;
  out?: string;
  resume: boolean;
  progress?: boolean;
}

/** Problems per epoch: 1,000 steps at batch 64, where the PyTorch twin reaches 100% on 3 digits. */
export const ADDITION_TRAIN_SIZE = 64_000;

export async function trainAdditionCommand(flags: GptFlags): Promise<number> {
  const layers = flags.layers ?? [2];
  if (layers.length !== 1) throw new UsageError(`--layers ${layers.join(',')}: a GPT takes one number, its count of transformer blocks (e.g. --layers 2)`);
  if (flags.dim % flags.heads !== 0) throw new UsageError(`--dim ${flags.dim} is not divisible by --heads ${flags.heads}`);
  const cfg = { digits: flags.digits, numLayers: layers[0], numHeads: flags.heads, embedDim: flags.dim, lr: flags.lr ?? 1e-3, trainSize: flags.trainSize ?? ADDITION_TRAIN_SIZE, epochs: flags.epochs ?? 1, batchSize: flags.batchSize ?? 64, clip: flags.clip ?? 1, seed: flags.seed };
  const out = flags.out ?? join('runs', `addition-${cfg.digits}`);
  const checkpointPath = pathIn(out, 'checkpoint');
  if (flags.resume && !existsSync(checkpointPath)) throw new UsageError(`--resume: no checkpoint at ${checkpointPath} to continue from`);
  const task = additionTask({ digits: cfg.digits, trainSize: cfg.trainSize, seed: cfg.seed });
  const run = { data: 'addition', ...cfg };

  manualSeed(cfg.seed);
  const gpt = new GPT({ vocabSize: task.vocabSize, contextLength: task.contextLength, embedDim: cfg.embedDim, numLayers: cfg.numLayers, numHeads: cfg.numHeads });
  const model = new Sequential(gpt);
  const optimizer = new AdamW(model.parameters(), { lr: cfg.lr, weightDecay: 0.1 });
  const loss = (o: Tensor, y: Tensor) => crossEntropy(o, y, { ignoreIndex: IGNORE });
  const created = mkdirSync(out, { recursive: true });
  try {
    console.log(`training ${gpt} on ${cfg.digits}-digit addition (${task.train.length} problems per epoch; ${task.test.length} held-out sums never trained on)`);
    console.log(`adamw lr ${cfg.lr} weight decay 0.1, ${cfg.epochs} epoch(s), batch ${cfg.batchSize}, clip ${cfg.clip}, seed ${cfg.seed} → ${out}`);
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write('\ninterrupted: finishing the current step and writing the checkpoint (Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const started = performance.now();
    let result;
    try {
      result = await fit(model, {
        data: task.train, validation: task.test, loss, optimizer, epochs: cfg.epochs, batchSize: cfg.batchSize, clipGradNorm: cfg.clip,
        callbacks: [new Progress(flags.progress === undefined ? {} : { bar: flags.progress }), new ModelCheckpoint(checkpointPath, { extra: () => ({ run }) })],
        signal: controller.signal,
        resumeFrom: flags.resume ? checkpointPath : undefined,
        onResume: (extra) => {
          if (JSON.stringify(extra.run) !== JSON.stringify(run)) throw new UsageError(`--resume: ${checkpointPath} was written with other settings (${JSON.stringify(extra.run)}); pass the same flags`);
        },
      });
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (result.interrupted) {
      console.log(`stopped after ${result.history.length} full epoch(s); checkpoint written to ${checkpointPath}. Continue with the same command and --resume.`);
      return 130;
    }
    const seconds = (performance.now() - started) / 1000;
    save(model, pathIn(out, 'model'), { metadata: { task: 'addition', digits: cfg.digits, run } });
    const solved = exactMatch(model, task.test, { ignoreIndex: IGNORE });
    const metrics = {
      task: 'addition', evaluatedOn: `${task.test.length} held-out sums`, epochs: result.epochs, trainSeconds: Number(seconds.toFixed(2)),
      final: { exactMatch: solved, solved: Math.round(solved * task.test.length), problems: task.test.length },
      history: result.history, run,
    };
    writeFileAtomic(pathIn(out, 'metrics'), Buffer.from(`${JSON.stringify(metrics, null, 2)}\n`));
    writeFileAtomic(pathIn(out, 'curves'), Buffer.from(trainingCurvesSvg(result.history)));
    console.log(`\nsome held-out sums: ${examples(model, task.test.inputs, cfg.digits).join('  ')}`);
    console.log(`held-out sums: exact match ${(100 * solved).toFixed(2)}% (${metrics.final.solved}/${task.test.length})`);
    console.log(`trained ${result.epochs} epoch(s) in ${seconds.toFixed(1)} s; wrote ${[pathIn(out, 'model'), pathIn(out, 'metrics'), pathIn(out, 'curves')].join(', ')}`);
    return 0;
  } catch (e) {
    if (created !== undefined) rmSync(created, { recursive: true, force: true });
    throw e;
  }
}

/** The first problems of the test set as the model answers them (greedily, one digit at a time). */
function examples(model: Sequential, inputs: Tensor, digits: number, count = 4): string[] {
  const length = inputs.shape[1];
  model.eval();
  return noGrad(() => Array.from({ length: count }, (_, r) => {
    const prompt = Array.from(inputs.data.subarray(r * length, r * length + 2 * digits));
    const answer: number[] = [];
    for (let i = 0; i <= digits; i++) {
      const logits = model.forward(tensor([[...prompt, ...answer]]));
      const row = Array.from(logits.data.subarray(logits.size - 10));
      answer.push(row.indexOf(Math.max(...row)));
    }
    return showProblem(prompt, digits, answer);
  }));
}
