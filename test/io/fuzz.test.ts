// Property-based fuzzing of every reader with fast-check: valid files (a state dict, a model in
// each layout, a model with nabla train's input metadata, a checkpoint with fit's loop state, an
// ONNX export, a CSV, an IDX file raw and gzip'd) are truncated, have bytes overwritten, inserted
// or removed, get a different header length, or have one JSON value in their header (or in the
// JSON inside __metadata__) replaced. Reading must either succeed or throw the library's own
// error (ModelFileError for model files, DataFileError for data files): never another
// exception, never a hang, and within a time and memory bound per case. Bounded runs with a
// fixed seed; FUZZ_SEED and FUZZ_RUNS change them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { manualSeed, nn, optim, randn, tensor, ModelFileError } from '../../src/index.js';
import {
  decodeCheckpoint,
  decodeModel,
  decodeSafetensors,
  encodeCheckpoint,
  encodeModel,
  encodeOnnx,
  encodeSafetensors,
  inspectBytes,
} from '../../src/io/index.js';
import { DataFileError } from '../../src/data/errors.js';
import { csvFromTable } from '../../src/data/csv.js';
import { parseCsvBytes } from '../../src/data/csv-table.js';
import { numberColumns } from '../../src/data/table-encoding.js';
import { parseIdx } from '../../src/data/idx.js';
import { readInputSpec } from '../../src/cli/input-spec.js';
import { encodeSnapshot, readSnapshot, restoreCallbacks } from '../../src/train/snapshot.js';
import type { FitSnapshot } from '../../src/train/types.js';
import { LRSchedule, EarlyStopping } from '../../src/train/callbacks.js';
import { StepLR } from '../../src/optim/schedulers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);

manualSeed(1);
const model = new nn.Sequential(
  new nn.Flatten(),
  new nn.Linear(4, 3),
  new nn.GELU(),
  new nn.Dropout(0.1),
  new nn.Linear(3, 2, { bias: false }),
  new nn.LogSoftmax(),
);
const optimizer = new optim.Adam(model.parameters());
model
  .forward(randn([2, 2, 2]))
  .sum()
  .backward();
optimizer.step();

/** What `nabla train` saves as the model's `input` metadata (read back by readInputSpec). */
const input = {
  kind: 'csv',
  task: 'classification',
  inputs: 8,
  outputs: 2,
  classes: ['a', 'b'],
  featureNames: ['p', 'q', 'r', 's', 't', 'u', 'v', 'w'],
  target: 'label',
  standardizer: { mean: [0, 1, 2, 3, 4, 5, 6, 7], std: [1, 1, 1, 1, 2, 2, 2, 2] },
  imageShape: [2, 2, 2],
};
/** fit's loop state after one epoch and two batches of the second, with a scheduler and early stopping. */
const schedule = new LRSchedule(new StepLR(optimizer, { stepSize: 2 }));
const stopping = new EarlyStopping();
const fitState: FitSnapshot = {
  history: [{ epoch: 1, lr: 0.001, seconds: 0.5, loss: 0.7, valLoss: 0.8 }],
  position: {
    epoch: 1,
    batch: 2,
    order: [3, 0, 5, 1, 4, 2],
    sums: { loss: 1.2, accuracy: 3 },
    samples: 4,
    seconds: 0.2,
  },
  callbacks: [schedule.stateDict(), stopping.stateDict()],
  callbackTensors: [{}, { 'bestWeights.0.weight': randn([2, 4]) }],
};
const fitEncoded = encodeSnapshot(fitState);
const readFitCheckpoint = (b: Uint8Array) => {
  const { epoch, extra, tensors } = decodeCheckpoint(b, 'fuzz', { model, optimizer });
  restoreCallbacks(
    readSnapshot(extra, tensors, 'fuzz', { epoch, batches: 3, samples: 6, callbacks: 2 }),
    [schedule, stopping],
    'fuzz',
  );
};

const targets: [string, Uint8Array, (bytes: Uint8Array) => unknown][] = [
  [
    'state dict',
    encodeSafetensors(
      {
        w: randn([3, 2]),
        d: randn([4], { dtype: 'float64' }),
        n: tensor([1, -2, 3], { dtype: 'float64' }),
        e: randn([0, 2]),
      },
      { note: 'x' },
      { dtypes: { n: 'I64' } },
    ),
    (b) => decodeSafetensors(b, 'fuzz'),
  ],
  ['model (nabla layout)', encodeModel(model, { metadata: { classes: ['a', 'b'] } }), (b) => decodeModel(b, 'fuzz')],
  ['model (torch layout)', encodeModel(model, { layout: 'torch' }), (b) => decodeModel(b, 'fuzz')],
  [
    'checkpoint',
    encodeCheckpoint({ model, optimizer, epoch: 4, extra: { loss: [0.5] } }),
    (b) => decodeCheckpoint(b, 'fuzz', { model, optimizer }),
  ],
  [
    'model with input metadata',
    encodeModel(model, { metadata: { input } }),
    (b) => readInputSpec(decodeModel(b, 'fuzz').metadata.input, 'fuzz'),
  ],
  [
    'checkpoint with loop state',
    encodeCheckpoint({
      model,
      optimizer,
      epoch: 1,
      extra: { run: { seed: 1 }, fit: fitEncoded.json },
      tensors: fitEncoded.tensors,
    }),
    readFitCheckpoint,
  ],
  ['ONNX export', encodeOnnx(model, { inputShape: [2, 2] }), (b) => inspectBytes(b, 'fuzz.onnx')],
];

/** Per case: at most this long and this much new memory in ArrayBuffers (a huge allocation fails it). */
const CASE_MS = 2000;
const CASE_BYTES = 64 * 2 ** 20;

/**
 * Reading either succeeds (false) or raises the library's own error (true), within the bounds;
 * anything else fails the property.
 */
function rejects(
  read: (b: Uint8Array) => unknown,
  bytes: Uint8Array,
  own: typeof ModelFileError | typeof DataFileError = ModelFileError,
): boolean {
  const started = performance.now();
  const before = process.memoryUsage().arrayBuffers;
  let raised = false;
  try {
    read(bytes);
  } catch (e) {
    if (!(e instanceof own)) throw new Error(`not a ${own.name}: ${(e as Error)?.stack ?? String(e)}`, { cause: e });
    raised = true;
  }
  const ms = performance.now() - started;
  const grew = process.memoryUsage().arrayBuffers - before;
  if (ms > CASE_MS) throw new Error(`a case took ${ms.toFixed(0)} ms`);
  if (grew > CASE_BYTES) throw new Error(`a case allocated ${grew} bytes`);
  return raised;
}

type Mutation = (bytes: Uint8Array) => Uint8Array;

/** Byte-level mutations of any file. */
const byteMutation = (length: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.nat(length).map(
      (n): Mutation =>
        (b) =>
          b.slice(0, n),
    ),
    fc
      .array(fc.tuple(fc.nat(length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
      .map((edits): Mutation => (b) => {
        const out = b.slice();
        for (const [at, v] of edits) out[at] = v;
        return out;
      }),
    fc.tuple(fc.nat(length), fc.nat(16), fc.uint8Array({ maxLength: 16 })).map(
      ([at, remove, insert]): Mutation =>
        (b) =>
          Uint8Array.from([...b.subarray(0, at), ...insert, ...b.subarray(at + remove)]),
    ),
    fc
      .oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: -40, max: 40 }).map(BigInt))
      .map((v): Mutation => (b) => {
        const out = b.slice();
        const view = new DataView(out.buffer);
        const n = v < 64n && v > -64n ? view.getBigUint64(0, true) + v : v; // small values nudge the length
        view.setBigUint64(0, BigInt.asUintN(64, n), true);
        return out;
      }),
  );

/** Values that probe the header's checks: wrong types, huge or negative sizes, near misses. */
const nastyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    -1,
    0,
    1,
    0.5,
    2 ** 31,
    2 ** 53,
    2 ** 64,
    1e308,
    'F16',
    'I64',
    'F64',
    'F32',
    'Linear',
    '',
    [],
    {},
    null,
    [0, 0],
    [2 ** 40, 2 ** 40],
    undefined,
  ),
);

/** Every [container, key] in a JSON value, depth first. */
function slots(v: unknown, out: [Record<string, unknown>, string][] = []): [Record<string, unknown>, string][] {
  if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) {
      out.push([v as Record<string, unknown>, k]);
      slots((v as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

/** Replaces (or, with undefined, deletes) one value in the header or in its JSON metadata. */
function headerMutation(bytes: Uint8Array): fc.Arbitrary<Mutation> {
  return fc.tuple(fc.nat(), nastyValue).map(([pick, value]): Mutation => () => {
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
    const meta = (header.__metadata__ ?? {}) as Record<string, unknown>;
    const nested = Object.keys(meta).filter((k) => String(meta[k]).startsWith('{'));
    for (const k of nested) meta[k] = JSON.parse(meta[k] as string);
    const all = slots(header);
    const [container, key] = all[pick % all.length];
    if (value === undefined) delete container[key];
    else container[key] = value;
    for (const k of nested) if (typeof meta[k] === 'object') meta[k] = JSON.stringify(meta[k]);
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + bytes.length - 8 - n);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(bytes.subarray(8 + n), 8 + json.length);
    return out;
  });
}

for (const [name, valid, read] of targets) {
  test(`fuzz: mutated and truncated ${name} files load or raise ModelFileError`, { timeout: 120_000 }, () => {
    read(valid); // the unmutated file is valid
    const mutations = name.startsWith('ONNX')
      ? byteMutation(valid.length)
      : fc.oneof(byteMutation(valid.length), headerMutation(valid));
    let rejected = 0;
    fc.assert(
      fc.property(mutations, (mutate) => {
        if (rejects(read, mutate(valid))) rejected++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Most mutations must be caught; a fuzzer whose inputs all pass would test nothing.
    assert.ok(rejected > RUNS / 2, `only ${rejected} of ${RUNS} mutated files were rejected`);
  });
}

// ---- data files: CSV and IDX, which raise DataFileError ----

/** A small valid CSV: quoted fields, a class label column, a BOM-free UTF-8 name. */
const csv = new TextEncoder().encode(
  'x,"y, z",größe,label\n1,2.5,-3e2,cat\n4,.5,6,dog\n\n7,8,"9",cat\n0.1,1e-3,+2,"do""g"\n',
);
/** Fragments that probe the CSV rules: quotes, separators, line ends, non-decimal and non-finite numbers, bad UTF-8. */
const csvFragment = fc.constantFrom(
  ',',
  '"',
  '""',
  '\n',
  '\r\n',
  '',
  ' ',
  'NaN',
  'inf',
  '1e39',
  '0x10',
  '-',
  '.',
  'e5',
  '\u00e9',
  '\ufeff',
);
const csvMutation: fc.Arbitrary<Mutation> = fc.oneof(
  byteMutation(csv.length),
  fc.tuple(fc.nat(csv.length), fc.nat(4), csvFragment).map(
    ([at, remove, text]): Mutation =>
      (b) =>
        Uint8Array.from([...b.subarray(0, at), ...new TextEncoder().encode(text), ...b.subarray(at + remove)]),
  ),
);
const readCsv = (b: Uint8Array) => {
  const table = parseCsvBytes(Buffer.from(b), 'fuzz.csv');
  // As training reads it (encoding, classes and statistics fitted), then as eval reads it with the training's
  // classes and encoding (of number columns here).
  csvFromTable(table, { target: 'label', standardize: true });
  csvFromTable(table, {
    target: 'label',
    encoding: numberColumns(['x', 'y, z', 'größe']),
    classes: ['cat', 'do"g', 'dog'],
    standardize: { mean: [0, 0, 0], std: [1, 1, 1] },
  });
};

test('fuzz: mutated CSV files read or raise DataFileError', { timeout: 120_000 }, () => {
  readCsv(csv);
  let rejected = 0;
  fc.assert(
    fc.property(csvMutation, (mutate) => {
      if (rejects(readCsv, mutate(csv), DataFileError)) rejected++;
    }),
    { seed: SEED, numRuns: RUNS },
  );
  assert.ok(rejected > RUNS / 10, `only ${rejected} of ${RUNS} mutated CSVs were rejected`);
});

/** IDX images [3, 4, 5] of bytes and floats [6] (whose NaN check runs), raw and gzip'd. */
function idx(type: number, shape: number[], body: Uint8Array): Uint8Array {
  const head = [0, 0, type, shape.length];
  for (const d of shape) head.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...head, ...body]);
}
const idxFiles: [string, Uint8Array][] = [
  [
    'bytes',
    idx(
      0x08,
      [3, 4, 5],
      Uint8Array.from({ length: 60 }, (_, i) => (i * 37) % 256),
    ),
  ],
  ['floats', idx(0x0d, [6], new Uint8Array(Float32Array.from([1, -2, 0.5, 3, 1e-3, 7]).buffer).reverse())],
];
for (const [name, raw] of idxFiles) {
  for (const [how, bytes] of [
    ['raw', raw],
    ['gzip', gzipSync(raw)],
  ] as const) {
    test(`fuzz: mutated IDX ${name} files (${how}) read or raise DataFileError`, { timeout: 120_000 }, () => {
      const read = (b: Uint8Array) => parseIdx(b, 'fuzz.idx', 2 ** 20); // a 1 MiB cap: a header claiming more is refused
      read(bytes);
      fc.assert(
        fc.property(byteMutation(bytes.length), (mutate) => {
          rejects(read, mutate(bytes), DataFileError);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
}
