// `nabla train` for a GPT: `--data addition` (a + b from digit sequences, data/addition.ts, with
// the recipe of minGPT's adder: 2 pre-norm layers, 4 heads, dim 128, AdamW 1e-3 with weight decay
// 0.1, batch 64, gradient clipping at 1, the loss on the answer digits only) or `--data FILE.txt
// --model gpt` (characters of a text, next-character prediction; the last tenth of the text
// validates). Writes the model (a Sequential holding the GPT, the tokenizer in its metadata),
// metrics.json, curves.svg and a checkpoint per epoch (--resume continues it).

import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { manualSeed } from '../random.js';
import { tensor, type Tensor } from '../tensor.js';
import { crossEntropy } from '../ops/index.js';
import { AdamW } from '../optim/adam.js';
import { additionTask, IGNORE, showProblem } from '../data/addition.js';
import { CharTokenizer, TextDataset, tokenizerToJson } from '../data/text.js';
import { readTextFile } from '../data/text-file.js';
import type { Dataset } from '../data/dataset.js';
import { GPT } from '../nn/layers/gpt.js';
import { Sequential } from '../nn/sequential.js';
import { save } from '../io/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { noGrad } from '../autograd/mode.js';
import { fit } from '../train/fit.js';
import { ModelCheckpoint } from '../train/checkpoint-callback.js';
import { Progress } from '../train/progress.js';
import { trainingCurvesSvg } from '../train/plots.js';
import { exactMatch } from '../train/exact-match.js';
import type { FitResult } from '../train/types.js';
import { UsageError } from './errors.js';
import { pathIn } from './modeldir.js';
import { makeRunDirectory } from './run-directory.js';
import { untilInterrupted } from './interrupt.js';
import { getBackend } from '../backend/index.js';

export interface GptFlags {
  data: string;
  digits: number;
  /** Addition: problems per epoch (default ADDITION_TRAIN_SIZE). */
  trainSize?: number;
  context?: number;
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
  /** --force: replace the run already in --out. */
  force?: boolean;
  progress?: boolean;
}

/** Addition problems per epoch: 1,000 steps at batch 64, where the PyTorch twin reaches 100% on 3 digits. */
export const ADDITION_TRAIN_SIZE = 64_000;

interface GptRun {
  name: string;
  gpt: GPT;
  train: Dataset;
  validation: Dataset;
  loss: (o: Tensor, y: Tensor) => Tensor;
  /** The run's settings: equal for --resume to continue it. */
  run: Record<string, unknown>;
  metadata: Record<string, unknown>;
  lr: number;
  epochs: number;
  batchSize: number;
  clip: number;
  /** After training: the lines to print and the final numbers for metrics.json. */
  finish(model: Sequential, result: FitResult): { lines: string[]; final: Record<string, unknown> };
}

function architecture(
  flags: GptFlags,
  defaultLayers: number,
): { numLayers: number; numHeads: number; embedDim: number } {
  const layers = flags.layers ?? [defaultLayers];
  if (layers.length !== 1)
    throw new UsageError(
      `--layers ${layers.join(',')}: a GPT takes one number, its count of transformer blocks (e.g. --layers 2)`,
    );
  if (flags.dim % flags.heads !== 0)
    throw new UsageError(`--dim ${flags.dim} is not divisible by --heads ${flags.heads}`);
  return { numLayers: layers[0], numHeads: flags.heads, embedDim: flags.dim };
}

export function trainAdditionCommand(flags: GptFlags): Promise<number> {
  const arch = architecture(flags, 2);
  const trainSize = flags.trainSize ?? ADDITION_TRAIN_SIZE;
  const task = additionTask({ digits: flags.digits, trainSize, seed: flags.seed });
  const cfg = {
    lr: flags.lr ?? 1e-3,
    epochs: flags.epochs ?? 1,
    batchSize: flags.batchSize ?? 64,
    clip: flags.clip ?? 1,
  };
  const run = { data: 'addition', digits: flags.digits, trainSize, ...arch, ...cfg, seed: flags.seed };
  manualSeed(flags.seed);
  const gpt = new GPT({ vocabSize: task.vocabSize, contextLength: task.contextLength, ...arch });
  return trainGpt(flags, {
    name: `addition-${flags.digits}`,
    gpt,
    train: task.train,
    validation: task.test,
    run,
    ...cfg,
    loss: (o, y) => crossEntropy(o, y, { ignoreIndex: IGNORE }),
    metadata: { task: 'addition', digits: flags.digits, run },
    finish(model) {
      const solved = exactMatch(model, task.test, { ignoreIndex: IGNORE });
      const count = Math.round(solved * task.test.length);
      return {
        lines: [
          `some held-out sums: ${examples(model, task.test.inputs, flags.digits).join('  ')}`,
          `held-out sums: exact match ${(100 * solved).toFixed(2)}% (${count}/${task.test.length}, never trained on)`,
        ],
        final: { exactMatch: solved, solved: count, problems: task.test.length },
      };
    },
  });
}

export function trainTextCommand(flags: GptFlags): Promise<number> {
  const arch = architecture(flags, 4);
  const context = flags.context ?? 128;
  const text = readTextFile(flags.data);
  const tokenizer = CharTokenizer.fromText(text);
  const tokens = tokenizer.encode(text);
  const cut = Math.floor(tokens.length * 0.9);
  if (tokens.length - cut < context + 1) {
    throw new UsageError(
      `${flags.data}: ${tokens.length} characters are too few for --context ${context} (the last tenth, ${tokens.length - cut} characters, validates and needs ${context + 1})`,
    );
  }
  const train = new TextDataset(tokens.slice(0, cut), context);
  const validation = new TextDataset(tokens.slice(cut), context);
  const cfg = {
    lr: flags.lr ?? 1e-3,
    epochs: flags.epochs ?? 1,
    batchSize: flags.batchSize ?? 32,
    clip: flags.clip ?? 1,
  };
  const run = { data: flags.data, model: 'gpt', context, ...arch, ...cfg, seed: flags.seed };
  manualSeed(flags.seed);
  const gpt = new GPT({ vocabSize: tokenizer.vocabSize, contextLength: context, ...arch });
  return trainGpt(flags, {
    name: basename(flags.data, extname(flags.data)),
    gpt,
    train,
    validation,
    run,
    ...cfg,
    loss: (o, y) => crossEntropy(o, y),
    metadata: { task: 'text', tokenizer: tokenizerToJson(tokenizer), run },
    finish(_model, result) {
      const valLoss = result.history.at(-1)?.valLoss ?? NaN;
      return {
        lines: [
          `validation (the last tenth of ${flags.data}): loss ${valLoss.toFixed(4)}, ${(valLoss / Math.LN2).toFixed(3)} bits per character`,
        ],
        final: {
          valLoss,
          bitsPerCharacter: valLoss / Math.LN2,
          vocabSize: tokenizer.vocabSize,
          trainTokens: cut,
          validationTokens: tokens.length - cut,
        },
      };
    },
  });
}

async function trainGpt(flags: GptFlags, r: GptRun): Promise<number> {
  const out = flags.out ?? join('runs', r.name);
  const checkpointPath = pathIn(out, 'checkpoint');
  if (flags.resume && !existsSync(checkpointPath))
    throw new UsageError(`--resume: no checkpoint at ${checkpointPath} to continue from`);
  const model = new Sequential(r.gpt);
  const optimizer = new AdamW(model.parameters(), { lr: r.lr, weightDecay: 0.1 });
  const dir = makeRunDirectory(out, { checkpoint: checkpointPath, resume: flags.resume, force: flags.force });
  try {
    const tokensPerSample = r.gpt.config.contextLength;
    console.log(
      `training ${r.gpt.label()} on ${r.name} (${r.train.length} sequences of ${tokensPerSample} tokens per epoch; validation: ${r.validation.length})`,
    );
    console.log(
      `adamw lr ${r.lr} weight decay 0.1, ${r.epochs} epoch(s), batch ${r.batchSize}, clip ${r.clip}, seed ${flags.seed} → ${out}`,
    );
    const started = performance.now();
    const result: FitResult = await untilInterrupted((signal) =>
      fit(model, {
        data: r.train,
        validation: r.validation,
        loss: r.loss,
        optimizer,
        epochs: r.epochs,
        batchSize: r.batchSize,
        clipGradNorm: r.clip,
        callbacks: [
          new Progress({ ...(flags.progress === undefined ? {} : { bar: flags.progress }), tokensPerSample }),
          new ModelCheckpoint(checkpointPath, { extra: () => ({ run: r.run }) }),
        ],
        signal,
        resumeFrom: flags.resume ? checkpointPath : undefined,
        onResume: (extra) => {
          if (JSON.stringify(extra.run) !== JSON.stringify(r.run))
            throw new UsageError(
              `--resume: ${checkpointPath} was written with other settings (${JSON.stringify(extra.run)}); pass the same flags`,
            );
        },
      }),
    );
    if (result.interrupted) {
      console.log(
        `stopped after ${result.history.length} full epoch(s); checkpoint written to ${checkpointPath}. Continue with the same command and --resume.`,
      );
      return 130;
    }
    const seconds = (performance.now() - started) / 1000;
    save(model, pathIn(out, 'model'), { metadata: r.metadata });
    const { lines, final } = r.finish(model, result);
    const metrics = {
      task: r.metadata.task,
      epochs: result.epochs,
      trainSeconds: Number(seconds.toFixed(2)),
      backend: getBackend(),
      final,
      history: result.history,
      run: r.run,
    };
    writeFileAtomic(pathIn(out, 'metrics'), Buffer.from(`${JSON.stringify(metrics, null, 2)}\n`));
    writeFileAtomic(pathIn(out, 'curves'), Buffer.from(trainingCurvesSvg(result.history)));
    console.log(`\n${lines.join('\n')}`);
    console.log(
      `trained ${result.epochs} epoch(s) in ${seconds.toFixed(1)} s; wrote ${[pathIn(out, 'model'), pathIn(out, 'metrics'), pathIn(out, 'curves')].join(', ')}`,
    );
    return 0;
  } catch (e) {
    dir.failed();
    throw e;
  } finally {
    dir.release();
  }
}

/** The first problems of the test set as the model answers them (greedily, one digit at a time). */
function examples(model: Sequential, inputs: Tensor, digits: number, count = 4): string[] {
  const length = inputs.shape[1];
  model.eval();
  return noGrad(() =>
    Array.from({ length: count }, (_, r) => {
      const prompt = Array.from(inputs.data.subarray(r * length, r * length + 2 * digits));
      const answer: number[] = [];
      for (let i = 0; i <= digits; i++) {
        const logits = model.forward(tensor([[...prompt, ...answer]]));
        const row = Array.from(logits.data.subarray(logits.size - 10));
        answer.push(row.indexOf(Math.max(...row)));
      }
      return showProblem(prompt, digits, answer);
    }),
  );
}
