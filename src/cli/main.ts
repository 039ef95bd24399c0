#!/usr/bin/env node
// The `nabla` command: train, eval, predict, explain, export, inspect. Flags are parsed by
// commander (an unknown flag or a bad value is its one-line error, exit 1); our own errors are
// printed by reportError as one line, with the stack only under --verbose.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { setBackend } from '../backend/index.js';
import { setNumThreads } from '../backend/settings.js';
import { Command, Option } from 'commander';
import { inspect } from '../io/index.js';
import { activations, mlpLayers } from '../nn/mlp.js';
import { cnnLayers } from '../nn/cnn.js';
import { reportError, UsageError } from './errors.js';
import { escapeConsole } from './terminal.js';
import {
  choice,
  fraction,
  imageShape,
  intIn,
  intList,
  MAX_BATCH,
  MAX_EPOCHS,
  nameList,
  number,
  positive,
} from './parse.js';
import { missingPolicies } from '../data/table-encoding.js';
import { trainCommand } from './train.js';
import { CNN_EPOCHS, models, optimizers, schedules, TABLE_MIN_STEPS, type TrainFlags } from './train-run.js';
import { ADDITION_EPOCHS, trainAdditionCommand, trainTextCommand, type LanguageModelFlags } from './train-gpt.js';
import { generateCommand, type GenerateFlags } from './generate.js';
import { evalCommand } from './evalcmd.js';
import { predictCommand } from './predict.js';
import { explainModelDir } from './explain.js';
import { explainModel } from '../nn/explain.js';
import { exportCommand } from './export.js';
import { exportPytorchCommand } from './export-pytorch.js';
import { pathIn } from './modeldir.js';

const verbose = process.argv.includes('--verbose');

/** The version in nabla's package.json (dist/src/cli/main.js → the package root). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
}
escapeConsole();

// A reader that goes away (nabla train … | head -1) closes the pipe: output stops there, quietly,
// and the run goes on to write its files and exit as it would have. Other stream errors stay errors.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

async function run(action: () => number | Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (e) {
    reportError(e, verbose);
  }
}

const program = new Command('nabla')
  .description('Train, evaluate and explain neural networks from the command line (nabla)')
  .version(packageVersion(), '-V, --version', "print nabla's version")
  .showSuggestionAfterError(false)
  .showHelpAfterError(false)
  .option('--verbose', 'print stack traces of errors')
  .option('--backend <name>', 'the backend to compute on: native, wasm or js (default: the fastest that loads here)')
  .option('--threads <n>', 'threads for the large matrix products (default: every core)', intIn(1, 4096))
  // Before any command runs: the backend and threads asked for (a backend that does not load says why).
  .hook('preAction', async () => {
    const { backend, threads } = program.opts<{ backend?: string; threads?: number }>();
    if (threads !== undefined) setNumThreads(threads);
    if (backend !== undefined) {
      try {
        await setBackend(backend);
      } catch (e) {
        reportError(
          new UsageError(`--backend ${backend}: ${(e as Error).message.replace(/^setBackend: /, '')}`),
          verbose,
        );
      }
    }
  });

program
  .command('train')
  .description(
    'train an MLP or CNN classifier or regressor; writes the model, metrics.json, curves.svg, confusion.svg and report.html to --out',
  )
  .requiredOption(
    '--data <source>',
    "'mnist' (bundled 8,000/2,000 digits), a directory of MNIST IDX files, a CSV file, or 'addition' (a GPT learns a + b)",
  )
  .addOption(
    new Option(
      '--model <type>',
      `mlp, cnn for images ((conv 16 → BN → ReLU) ×2 → pool → (conv 32 → BN → ReLU) ×2 → pool → dropout → Linear 128 → Linear; default ${CNN_EPOCHS} epochs), gpt for a text file (--layers N is its block count; default 4 layers, 4 heads, dim 128, context 128), or lstm for a text file (Embedding → LSTM → Linear; --layers N stacked layers, --dim the embedding and hidden size; default 2 layers, dim 256, context 64, lr 2e-3)`,
    )
      .choices([...models, 'gpt', 'lstm'])
      .default('mlp'),
  )
  .option(
    '--image-shape <C,H,W>',
    'CSV: the feature columns are the pixels of one image of this shape, e.g. 1,28,28 (scaled to [0, 1]; enables --augment and --model cnn)',
    imageShape,
  )
  .option('--target <column>', 'CSV: the column to predict')
  .addOption(
    new Option('--task <task>', 'CSV: classification or regression (default: guessed from the target)').argParser(
      choice(['classification', 'regression'] as const),
    ),
  )
  .option(
    '--layers <sizes>',
    'hidden layer sizes, e.g. 256,128 (default 256,128 for images, 128 for CSV; the CNN head: 128)',
    intList,
  )
  .addOption(
    new Option('--activation <name>', 'activation between layers').choices(Object.keys(activations)).default('relu'),
  )
  .option(
    '--dropout <p>',
    'dropout after each hidden layer (default 0.2 for images, 0 for CSV; the CNN: 0.25 after its conv blocks)',
    fraction,
  )
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(optimizers).default('adam'))
  .option(
    '--lr <number>',
    'learning rate (the peak rate with the onecycle schedule; default 3e-3, addition 1e-3)',
    positive,
  )
  .addOption(
    new Option('--schedule <name>', 'learning-rate schedule (default onecycle; plateau for CSV)').choices(schedules),
  )
  .option(
    '--epochs <n>',
    `epochs (default 15 for images, ${CNN_EPOCHS} for the CNN, ${ADDITION_EPOCHS} for addition, 1 for text; CSV: enough for ${TABLE_MIN_STEPS} steps, 40 to 2,000 epochs)`,
    intIn(1, MAX_EPOCHS),
  )
  .option(
    '--batch-size <n>',
    'batch size (default 64 for images; CSV: about a twentieth of the training rows, 8 to 64)',
    intIn(1, MAX_BATCH),
  )
  .option(
    '--augment <pixels>',
    'images: random shifts of up to this many pixels (default 2; 0 for none)',
    intIn(0, 1024),
  )
  .option('--clip <norm>', 'clip the global gradient norm', positive)
  .option(
    '--early-stopping <patience>',
    "stop when the validation loss has not improved for this many epochs, and restore the best epoch's weights (CSV default: a tenth of the epochs, at least 10; 0 for none)",
    intIn(0, MAX_EPOCHS),
  )
  .option(
    '--cv <k>',
    'CSV: k-fold cross-validation (stratified for classification): prints each fold and the mean ± std, writes metrics.json',
    intIn(2, 1000),
  )
  .option('--val-split <fraction>', 'CSV: fraction of rows held out for validation', fraction, 0.2)
  .option(
    '--features <columns>',
    'CSV: the feature columns, e.g. age,city (default: every column but the target)',
    nameList,
  )
  .option('--drop <columns>', 'CSV: columns to leave out of the features, e.g. id,name', nameList)
  .addOption(
    new Option(
      '--missing <policy>',
      'CSV: what an empty feature cell becomes: the mean or median of its column in the training rows (a text column: its most frequent value), or drop its row from training, or error (saved with the model, applied by eval, predict and export)',
    )
      .choices(missingPolicies)
      .default('mean'),
  )
  .option(
    '--no-standardize',
    'CSV: do not standardise the features (default: standardise, statistics saved with the model)',
  )
  .option(
    '--no-standardize-target',
    'CSV regression: train on the target as it is (default: standardised in training, the saved model predicts in its units)',
  )
  .option('--seed <n>', 'seed of the PRNG: initialisation, shuffling, dropout, augmentation, CSV split', number, 1)
  .option('--out <dir>', 'output directory (default runs/<data name>)')
  .option('--resume', 'continue the interrupted run in --out from its checkpoint (same flags)', false)
  .option('--force', 'replace the run already in --out (its model, checkpoint and metrics)', false)
  .option('--no-progress', 'plain lines instead of the live progress bar')
  .option(
    '--log <file>',
    "write each epoch's numbers to this file as they come: CSV, or JSON Lines if it ends in .jsonl",
  )
  .option('--digits <n>', 'addition: digits of each operand (1 to 6)', intIn(1, 6), 3)
  .option('--context <n>', 'gpt, lstm: the sequence length (default 128; lstm 64)', intIn(1, 65_536))
  .option(
    '--train-size <n>',
    'addition: problems per epoch (default 64,000: 1,000 steps at batch 64)',
    intIn(1, 10_000_000),
  )
  .option('--heads <n>', 'gpt, addition: attention heads per block', intIn(1, 1024), 4)
  .option(
    '--dim <n>',
    'gpt, addition: the embedding size (default 128); lstm: the embedding and hidden size (default 256)',
    intIn(1, 65_536),
  )
  .option('--verbose', 'print stack traces of errors')
  .action(
    (
      o: Omit<TrainFlags, 'model'> &
        LanguageModelFlags & {
          model: TrainFlags['model'] | 'gpt' | 'lstm';
          progress: boolean;
        },
    ) => {
      const progress = o.progress === false ? false : undefined;
      const model = o.model;
      if (o.data === 'addition') return run(() => trainAdditionCommand({ ...o, progress }));
      if (model === 'gpt' || model === 'lstm') return run(() => trainTextCommand({ ...o, model, progress }));
      return run(() => trainCommand({ ...o, model, progress }));
    },
  );

program
  .command('generate')
  .description('text from a GPT written by nabla train --model gpt (or the sum of a+b from an addition model)')
  .requiredOption('--model <dir>', 'a directory written by nabla train --model gpt or --data addition')
  .option('--prompt <text>', 'the text to continue (addition: a+b=)', '\n')
  .option('--tokens <n>', 'tokens to generate', intIn(0, 1_000_000), 200)
  .option('--temperature <t>', 'sampling temperature (0: always the most likely token)', number, 0.8)
  .option('--top-k <k>', 'sample among the k most likely tokens only', intIn(1, 1_000_000))
  .option('--seed <n>', 'seed of the sampling: the same seed gives the same text', number, 1)
  .option('--verbose', 'print stack traces of errors')
  .action((o: GenerateFlags) => run(() => generateCommand(o)));

program
  .command('eval')
  .description('evaluate a saved model on labelled data (loss, accuracy and confusion matrix, or errors)')
  .requiredOption('--model <dir>', 'a directory written by nabla train')
  .requiredOption(
    '--data <source>',
    "'mnist' (the 2,000 held-out digits), a directory of MNIST IDX files (t10k), or a CSV file with the target column",
  )
  .option('--verbose', 'print stack traces of errors')
  .action((o: { model: string; data: string }) => run(() => evalCommand(o)));

program
  .command('predict')
  .description('predictions and class probabilities for each row of a CSV (or the held-out digits), as CSV')
  .requiredOption('--model <dir>', 'a directory written by nabla train')
  .requiredOption('--input <file>', "a CSV file with the model's feature columns (or 'mnist' for an image model)")
  .option('--output <file>', 'write the predictions here (default: standard output)')
  .option('--verbose', 'print stack traces of errors')
  .action((o: { model: string; input: string; output?: string }) => run(() => predictCommand(o)));

program
  .command('explain')
  .description("each layer's forward and backward formulas with concrete shapes, parameter counts and FLOPs per step")
  .option('--model <dir>', 'a directory written by nabla train')
  .option('--layers <sizes>', 'or an MLP given by all its layer sizes, e.g. 784,128,10', intList)
  .addOption(
    new Option('--activation <name>', 'activation of the MLP given by --layers')
      .choices(Object.keys(activations))
      .default('relu'),
  )
  .option('--cnn', 'or the CNN that nabla train --model cnn builds (for --image-shape, 10 classes)')
  .option('--image-shape <C,H,W>', "with --cnn: one image's shape", imageShape, [1, 28, 28])
  .option('--batch-size <n>', 'batch size N of the shapes', intIn(1, MAX_BATCH), 64)
  .option('--verbose', 'print stack traces of errors')
  .action(
    (o: {
      model?: string;
      layers?: number[];
      activation: keyof typeof activations;
      cnn?: boolean;
      imageShape: [number, number, number];
      batchSize: number;
    }) =>
      run(() => {
        if (o.model) {
          console.log(explainModelDir(o.model, o.batchSize));
        } else if (o.cnn) {
          const layers = cnnLayers({ imageShape: o.imageShape, outputs: 10 });
          console.log(explainModel(layers, o.batchSize, 10, [o.imageShape[0] * o.imageShape[1] * o.imageShape[2]]));
        } else {
          if (!o.layers || o.layers.length < 2)
            throw new Error(
              'explain: give --model DIR, --cnn, or --layers with at least two sizes, e.g. --layers 784,128,10',
            );
          const sizes = o.layers;
          const layers = mlpLayers({
            inputs: sizes[0],
            hidden: sizes.slice(1, -1),
            outputs: sizes[sizes.length - 1],
            activation: o.activation,
          });
          console.log(explainModel(layers, o.batchSize, sizes[sizes.length - 1]));
        }
        return 0;
      }),
  );

program
  .command('export')
  .description('export a trained model to ONNX, or to PyTorch (model.py, weights, train_ddp.py for torchrun)')
  .requiredOption('--model <dir>', 'a directory written by nabla train')
  .addOption(new Option('--format <format>', 'the export format').choices(['onnx', 'pytorch']).default('onnx'))
  .option(
    '--out <path>',
    'onnx: the ONNX file, named *.onnx (default DIR/model.onnx); pytorch: the directory (default DIR/pytorch)',
  )
  .option('--verbose', 'print stack traces of errors')
  .action((o: { model: string; format: string; out?: string }) =>
    run(() => (o.format === 'pytorch' ? exportPytorchCommand(o) : exportCommand(o))),
  );

program
  .command('inspect')
  .description('describe a model or checkpoint file (or the model of a directory written by nabla train)')
  .argument('<path>', 'a model file, checkpoint file or model directory')
  .option('--verbose', 'print stack traces of errors')
  .action((path: string) =>
    run(() => {
      const file = existsSync(path) && statSync(path).isDirectory() ? pathIn(path, 'model') : path;
      console.log(inspect(file));
      return 0;
    }),
  );

await program.parseAsync(process.argv);
