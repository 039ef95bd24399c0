// safetensors: the byte layout against a hand-built file, bit-exact round trips for F32, F64 and
// I64, a file written by PyTorch (scripts/make_torch_io_fixtures.py), and every malformed-file
// condition of the strict reader raising ModelFileError with the place named.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tensor, ModelFileError, type Tensor } from '../../src/index.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  loadStateDict,
  saveStateDict,
  MAX_HEADER_BYTES,
} from '../../src/io/index.js';
import { FIXTURES } from './fixtures.js';
import { assertBitIdentical, assertFileError, bytesOf, rawFile } from './helpers.js';

const f32 = (v: number[], shape = [v.length]) => tensor(v, { shape, dtype: 'float32' });
const f64 = (v: number[], shape = [v.length]) => tensor(v, { shape, dtype: 'float64' });

test('the byte layout matches the format, built by hand', () => {
  const bytes = encodeSafetensors({ a: f32([1, 2]) });
  const json = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 55 bytes, padded to 56
  const expected = new Uint8Array(8 + 56 + 8);
  expected[0] = 56;
  expected.set(new TextEncoder().encode(json.padEnd(56, ' ')), 8);
  expected.set([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40], 64); // 1.0f and 2.0f, little-endian
  assert.deepEqual(bytes, expected);
});

test('F32 and F64 round trip bit-identically, special values included', () => {
  const nanWithPayload = new Float32Array(new Uint32Array([0x7fc00123]).buffer)[0];
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e-45, 3.4028234663852886e38, -1.5];
  const state: Record<string, Tensor> = {
    'layer.weight': f32(specials, [2, 4]),
    nan: tensor(new Float32Array([nanWithPayload]), { dtype: 'float32' }),
    double: f64([5e-324, -0, Math.PI, 1.7976931348623157e308, NaN, -Infinity], [3, 2]),
    scalar: tensor(new Float64Array([42]), { shape: [], dtype: 'float64' }),
    empty: tensor(new Float32Array(0), { shape: [0, 3] }),
  };
  const { tensors, metadata, dtypes } = decodeSafetensors(encodeSafetensors(state, { note: 'ünïcode ✓' }));
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(state).sort());
  for (const [k, t] of Object.entries(state)) assertBitIdentical(tensors[k], t, k);
  assert.deepEqual(metadata, { note: 'ünïcode ✓' });
  assert.deepEqual(dtypes, { 'layer.weight': 'F32', nan: 'F32', double: 'F64', scalar: 'F64', empty: 'F32' });
});

test('I64 is written on request and loads into float64 exactly up to ±2^53', () => {
  const values = [0, -1, 2 ** 53, -(2 ** 53), 123456789012];
  const bytes = encodeSafetensors({ steps: f64(values) }, {}, { dtypes: { steps: 'I64' } });
  const { tensors, dtypes } = decodeSafetensors(bytes);
  assert.equal(dtypes.steps, 'I64');
  assert.equal(tensors.steps.dtype, 'float64');
  assert.deepEqual(Array.from(tensors.steps.data), values);
  assert.throws(() => encodeSafetensors({ x: f64([0.5]) }, {}, { dtypes: { x: 'I64' } }), /not an integer/);
  // 2^53 + 1 cannot be a float64: refused, at the element's byte offset.
  const data = new Uint8Array(16);
  new DataView(data.buffer).setBigInt64(8, 2n ** 53n + 1n, true);
  const file = rawFile({ big: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, data);
  const headerLength = file.length - 8 - 16;
  assertFileError(() => decodeSafetensors(file), /beyond ±2\^53/, 8 + headerLength + 8);
});

test('a file written by PyTorch decodes to the values numpy wrote', () => {
  const file = path.join(FIXTURES, 'torch_dtypes.safetensors');
  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'torch_dtypes.json'), 'utf8')) as Record<
    string,
    { dtype: string; shape: number[]; values: string[] }
  >;
  // Its special values include infinities, which loadStateDict refuses unless allowed.
  assert.throws(() => loadStateDict(file), /element 4 is Infinity: the weights are not finite \(at f32\)/);
  const { tensors, dtypes, metadata } = loadStateDict(file, { allowNonFinite: true });
  assert.deepEqual(metadata, { made_by: 'torch' });
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected).sort());
  for (const [name, e] of Object.entries(expected)) {
    assert.equal(dtypes[name], e.dtype, name);
    assert.deepEqual(tensors[name].shape, e.shape, name);
    assert.deepEqual(
      Array.from(tensors[name].data),
      e.values.map((v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v))),
      name,
    );
  }
});

test('saveStateDict / loadStateDict on disk, atomically, with metadata', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-st-'));
  const file = path.join(dir, 'state.safetensors');
  const state = { w: f32([1, 2, 3, 4, 5, 6], [2, 3]), b: f64([0.25]) };
  saveStateDict(state, file, { epoch: '3' });
  const loaded = loadStateDict(file);
  assertBitIdentical(loaded.tensors.w, state.w, 'w');
  assertBitIdentical(loaded.tensors.b, state.b, 'b');
  assert.deepEqual(loaded.metadata, { epoch: '3' });
  assert.deepEqual(fs.readdirSync(dir), ['state.safetensors']);
  assertFileError(() => loadStateDict(path.join(dir, 'missing.safetensors')), /cannot read/);
  fs.rmSync(dir, { recursive: true });
});

test('the encoder refuses what it cannot write faithfully', () => {
  assert.throws(() => encodeSafetensors({ __metadata__: f32([1]) }), /cannot be a tensor name/);
  assert.throws(() => encodeSafetensors({}, { n: 3 as unknown as string }), /must be a string/);
});

// ---- strict reading: each malformed condition, with where it is ----

const entry = (dtype: string, shape: number[], offsets: number[]) => ({ dtype, shape, data_offsets: offsets });

test('header length: too short a file, over the cap, past the end', () => {
  assertFileError(() => decodeSafetensors(new Uint8Array(5)), /too short/, 0);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
  assertFileError(() => decodeSafetensors(huge), /exceeds the cap/, 0);
  new DataView(huge.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES), true);
  assertFileError(() => decodeSafetensors(huge), /past the end/, 0);
  const file = rawFile({});
  file[0] += 1;
  assertFileError(() => decodeSafetensors(file), /past the end/, 0);
});

test("header: must begin with '{', be valid UTF-8 and valid JSON, and be an object", () => {
  assertFileError(() => decodeSafetensors(rawFile(' {}')), /begin with/, 8);
  assertFileError(() => decodeSafetensors(rawFile('[1]')), /begin with/, 8);
  assertFileError(() => decodeSafetensors(rawFile('')), /begin with/, 8);
  const badUtf8 = rawFile('{"a":"xx"}');
  badUtf8[8 + 6] = 0xff;
  assertFileError(() => decodeSafetensors(badUtf8), /UTF-8/, 8);
  assertFileError(() => decodeSafetensors(rawFile('{"a":')), /not valid JSON/, 8);
  assertFileError(() => decodeSafetensors(rawFile('{} []')), /not valid JSON/, 8);
});

test('entries: known dtype, integer shape, offsets inside the data, size = shape × dtype', () => {
  const data = new Uint8Array(8);
  assertFileError(
    () => decodeSafetensors(rawFile({ t: entry('F16', [4], [0, 8]) }, data)),
    /unsupported dtype "F16"/,
    't',
  );
  assertFileError(() => decodeSafetensors(rawFile({ t: entry('F32', [-2], [0, 8]) }, data)), /shape/, 't');
  assertFileError(() => decodeSafetensors(rawFile({ t: entry('F32', [1.5], [0, 8]) }, data)), /shape/, 't');
  assertFileError(
    () => decodeSafetensors(rawFile({ t: entry('F32', [2], [0, 16]) }, data)),
    /outside the data section/,
    't',
  );
  assertFileError(
    () => decodeSafetensors(rawFile({ t: entry('F32', [2], [8, 0]) }, data)),
    /outside the data section/,
    't',
  );
  assertFileError(() => decodeSafetensors(rawFile({ t: entry('F32', [2], [0]) }, data)), /data_offsets/, 't');
  assertFileError(
    () => decodeSafetensors(rawFile({ t: entry('F32', [3], [0, 8]) }, data)),
    /needs 12 bytes.*hold 8/,
    't',
  );
  assertFileError(
    () => decodeSafetensors(rawFile({ t: entry('F64', [2 ** 40, 2 ** 40], [0, 8]) }, data)),
    /needs/,
    't',
  );
  assertFileError(
    () => decodeSafetensors(rawFile({ t: { ...entry('F32', [2], [0, 8]), extra: 1 } }, data)),
    /unknown field 'extra'/,
    't',
  );
  assertFileError(() => decodeSafetensors(rawFile({ t: [1, 2] }, data)), /not an object/, 't');
  assertFileError(() => decodeSafetensors(rawFile({ __metadata__: { a: 1 } })), /not a string/, '__metadata__');
});

test('the tensors tile the data: no overlap, no hole, nothing after, no duplicate names', () => {
  const data = new Uint8Array(16);
  const overlap = rawFile({ a: entry('F32', [3], [0, 12]), b: entry('F32', [2], [8, 16]) }, data);
  assertFileError(() => decodeSafetensors(overlap), /'b' overlaps tensor 'a'/);
  const hole = rawFile({ a: entry('F32', [1], [0, 4]), b: entry('F32', [2], [8, 16]) }, data);
  const holeAt = hole.length - 16 + 4;
  assertFileError(() => decodeSafetensors(hole), /hole of 4 unused bytes before tensor 'b'/, holeAt);
  const trailing = rawFile({ a: entry('F32', [2], [0, 8]) }, data);
  assertFileError(() => decodeSafetensors(trailing), /8 unused bytes after/, trailing.length - 8);
  const dup = rawFile(
    '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}',
    data,
  );
  assertFileError(() => decodeSafetensors(dup), /duplicate name/, 'a');
  // A key that only looks like a duplicate (inside metadata, or escaped differently) is fine.
  const ok = rawFile(
    '{"__metadata__":{"a":"\\"a\\""},"\\u0061":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}',
    data,
  );
  assert.deepEqual(Object.keys(decodeSafetensors(ok).tensors), ['a']);
  const escapedDup = rawFile(
    '{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"\\u0061":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}',
    data,
  );
  assertFileError(() => decodeSafetensors(escapedDup), /duplicate name/, 'a');
});

test('errors name the file', () => {
  try {
    decodeSafetensors(new Uint8Array(3), 'weights/model.safetensors');
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof ModelFileError);
    assert.equal(e.file, 'weights/model.safetensors');
    assert.match(e.message, /^weights\/model\.safetensors: file has 3 bytes.*\(at byte 0\)$/);
  }
});

test('a tensor named __proto__ stays a plain entry', () => {
  const data = new Uint8Array(new Float32Array([7]).buffer);
  const { tensors } = decodeSafetensors(
    rawFile('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', data),
  );
  assert.ok(Object.hasOwn(tensors, '__proto__'));
  assert.deepEqual(Array.from(bytesOf(tensors['__proto__'])), Array.from(data));
});
