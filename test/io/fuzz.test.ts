// Property-based fuzzing of every reader with fast-check: valid files (a state dict, a model in
// each layout, a checkpoint, an ONNX export) are truncated, have bytes overwritten, inserted or
// removed, get a different header length, or have one JSON value in their header (or in the
// JSON inside __metadata__) replaced. Reading must either succeed or throw ModelFileError:
// never another exception, never a hang (the test has a time limit) and never a huge
// allocation (it would surface as a RangeError). Bounded runs with a fixed seed; FUZZ_SEED and
// FUZZ_RUNS change them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { manualSeed, nn, optim, randn, tensor, ModelFileError } from '../../src/index.js';
import { decodeCheckpoint, decodeModel, decodeSafetensors, encodeCheckpoint, encodeModel, encodeOnnx, encodeSafetensors, inspectBytes } from '../../src/io/index.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);

manualSeed(1);
const model = new nn.Sequential(
  new nn.Flatten(), new nn.Linear(4, 3), new nn.GELU(), new nn.Dropout(0.1), new nn.Linear(3, 2, { bias: false }), new nn.LogSoftmax(),
);
const optimizer = new optim.Adam(model.parameters());
model.forward(randn([2, 2, 2])).sum().backward();
optimizer.step();

const targets: [string, Uint8Array, (bytes: Uint8Array) => unknown][] = [
  [
    'state dict',
    encodeSafetensors(
      { w: randn([3, 2]), d: randn([4], { dtype: 'float64' }), n: tensor([1, -2, 3], { dtype: 'float64' }), e: randn([0, 2]) },
      { note: 'x' }, { dtypes: { n: 'I64' } },
    ),
    (b) => decodeSafetensors(b, 'fuzz'),
  ],
  ['model (nabla layout)', encodeModel(model, { metadata: { classes: ['a', 'b'] } }), (b) => decodeModel(b, 'fuzz')],
  ['model (torch layout)', encodeModel(model, { layout: 'torch' }), (b) => decodeModel(b, 'fuzz')],
  ['checkpoint', encodeCheckpoint({ model, optimizer, epoch: 4, extra: { loss: [0.5] } }), (b) => decodeCheckpoint(b, 'fuzz', { model, optimizer })],
  ['ONNX export', encodeOnnx(model, { inputShape: [2, 2] }), (b) => inspectBytes(b, 'fuzz.onnx')],
];

/** Loading either succeeds (false) or raises ModelFileError (true); anything else fails the property. */
function rejects(read: (b: Uint8Array) => unknown, bytes: Uint8Array): boolean {
  try {
    read(bytes);
    return false;
  } catch (e) {
    if (!(e instanceof ModelFileError)) throw new Error(`not a ModelFileError: ${(e as Error)?.stack ?? String(e)}`);
    return true;
  }
}

type Mutation = (bytes: Uint8Array) => Uint8Array;

/** Byte-level mutations of any file. */
const byteMutation = (length: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.nat(length).map((n): Mutation => (b) => b.slice(0, n)),
    fc.array(fc.tuple(fc.nat(length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map(
      (edits): Mutation => (b) => {
        const out = b.slice();
        for (const [at, v] of edits) out[at] = v;
        return out;
      },
    ),
    fc.tuple(fc.nat(length), fc.nat(16), fc.uint8Array({ maxLength: 16 })).map(
      ([at, remove, insert]): Mutation => (b) => Uint8Array.from([...b.subarray(0, at), ...insert, ...b.subarray(at + remove)]),
    ),
    fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: -40, max: 40 }).map(BigInt)).map(
      (v): Mutation => (b) => {
        const out = b.slice();
        const view = new DataView(out.buffer);
        const n = v < 64n && v > -64n ? view.getBigUint64(0, true) + v : v; // small values nudge the length
        view.setBigUint64(0, BigInt.asUintN(64, n), true);
        return out;
      },
    ),
  );

/** Values that probe the header's checks: wrong types, huge or negative sizes, near misses. */
const nastyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 0, 1, 0.5, 2 ** 31, 2 ** 53, 2 ** 64, 1e308, 'F16', 'I64', 'F64', 'F32', 'Linear', '', [], {}, null, [0, 0], [2 ** 40, 2 ** 40], undefined),
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
    const mutations = name.startsWith('ONNX') ? byteMutation(valid.length) : fc.oneof(byteMutation(valid.length), headerMutation(valid));
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
