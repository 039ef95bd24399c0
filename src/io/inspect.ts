// inspect: a human-readable listing of a safetensors file (tensors, shapes, dtypes, metadata)
// or of an ONNX model (opset, metadata, inputs, outputs, nodes, initializers). ONNX is read with the
// minimal protobuf reader, only the fields listed here.

import { shapeStr } from '../shape.js';
import { ModelFileError } from './errors.js';
import { readFields, type ProtoField } from './protobuf.js';
import { decodeSafetensors } from './safetensors.js';
import { readModelFile } from './state-dict.js';
import { ONNX_DTYPES } from './onnx.js';
import { ARCHITECTURE_KEY } from './model.js';
import { layerSummary } from '../nn/layers/table.js';

/**
 * A human-readable listing of a model file (what `nabla inspect` prints): for safetensors its
 * tensors, shapes, dtypes, metadata and architecture; for `.onnx` its opset, inputs, outputs,
 * nodes and initializers.
 *
 * @example
 * ```ts
 * console.log(inspect('mnist.safetensors'));
 * ```
 */
export function inspect(path: string): string {
  return inspectBytes(readModelFile(path), path);
}

/** Lists a file given as bytes; `.onnx` names are read as ONNX, anything else as safetensors. */
export function inspectBytes(bytes: Uint8Array, file: string): string {
  return file.toLowerCase().endsWith('.onnx') ? inspectOnnx(bytes, file) : inspectSafetensors(bytes, file);
}

function inspectSafetensors(bytes: Uint8Array, file: string): string {
  const { tensors, metadata, dtypes } = decodeSafetensors(bytes, file);
  const names = Object.keys(tensors);
  const count = names.reduce((n, k) => n + tensors[k].size, 0);
  const lines = [`${file}: safetensors, ${names.length} tensors, ${count} values`];
  const spec = metadata[ARCHITECTURE_KEY];
  if (spec !== undefined) lines.push(`architecture: ${summarise(spec)}`);
  if (Object.keys(metadata).length) {
    lines.push('metadata:');
    for (const [k, v] of Object.entries(metadata)) lines.push(`  ${k}: ${v}`);
  }
  lines.push('tensors:');
  const width = names.reduce((w, n) => Math.max(w, n.length), 0); // no spread: a file may hold 10⁵+ tensors
  for (const n of names) lines.push(`  ${n.padEnd(width)}  ${dtypes[n]}  ${shapeStr(tensors[n].shape)}`);
  return lines.join('\n');
}

/** "float32: Linear(4→8) → ReLU → Linear(8→3)", or the raw text when it is not a valid spec. */
function summarise(text: string): string {
  try {
    const spec = JSON.parse(text) as { dtype: string; layers: ({ type: string } & Record<string, unknown>)[] };
    return `${spec.dtype}: ${spec.layers.map(layerSummary).join(' → ')}`;
  } catch {
    return text;
  }
}

// ---- ONNX ----

const text = (f: ProtoField) => new TextDecoder().decode(f.value as Uint8Array);
const num = (f: ProtoField) => Number(BigInt.asIntN(64, f.value as bigint));
const sub = (f: ProtoField, file: string) => readFields(f.value as Uint8Array, file, f.offset);

function expectWire(f: ProtoField, wire: number, file: string, what: string): ProtoField {
  if (f.wire !== wire)
    throw new ModelFileError(file, `${what} has protobuf wire type ${f.wire}, expected ${wire}`, f.offset);
  return f;
}

function inspectOnnx(bytes: Uint8Array, file: string): string {
  const model = readFields(bytes, file);
  const lines: string[] = [];
  let header = `${file}: ONNX model`;
  const metadata: string[] = [];
  let graph: ProtoField | undefined;
  for (const f of model) {
    if (f.field === 1) header += `, IR version ${num(expectWire(f, 0, file, 'ir_version'))}`;
    else if (f.field === 2) header += `, producer ${text(expectWire(f, 2, file, 'producer_name'))}`;
    else if (f.field === 7) graph = expectWire(f, 2, file, 'graph');
    else if (f.field === 8) {
      const opset = sub(expectWire(f, 2, file, 'opset_import'), file);
      const domain = opset.find((o) => o.field === 1);
      const version = opset.find((o) => o.field === 2 && o.wire === 0);
      header += `, opset ${version ? num(version) : '?'}${domain && text(domain) ? ` (${text(domain)})` : ''}`;
    } else if (f.field === 14) {
      const entry = sub(expectWire(f, 2, file, 'metadata_props'), file);
      const [key, value] = [1, 2].map((n) => entry.find((e) => e.field === n && e.wire === 2));
      metadata.push(`  ${key ? text(key) : '?'}: ${value ? text(value) : ''}`);
    }
  }
  lines.push(header);
  if (metadata.length) lines.push('metadata:', ...metadata);
  if (!graph) throw new ModelFileError(file, 'ONNX model has no graph', 0);
  const nodes: string[] = [];
  const inits: string[] = [];
  for (const f of sub(graph, file)) {
    if (f.field === 1) nodes.push(onnxNode(sub(expectWire(f, 2, file, 'node'), file)));
    else if (f.field === 5) inits.push(onnxTensor(sub(expectWire(f, 2, file, 'initializer'), file), file));
    else if (f.field === 11) lines.push(`input:  ${valueInfo(sub(expectWire(f, 2, file, 'input'), file), file)}`);
    else if (f.field === 12) lines.push(`output: ${valueInfo(sub(expectWire(f, 2, file, 'output'), file), file)}`);
  }
  // Loops, not push(...): a graph's nodes can be more than a call's arguments may be.
  lines.push(`nodes (${nodes.length}):`);
  for (const n of nodes) lines.push(`  ${n}`);
  lines.push(`initializers (${inits.length}):`);
  for (const t of inits) lines.push(`  ${t}`);
  return lines.join('\n');
}

function onnxNode(fields: ProtoField[]): string {
  const get = (n: number) => fields.filter((f) => f.field === n && f.wire === 2).map(text);
  return `${get(4)[0] ?? '?'}(${get(1).join(', ')}) → ${get(2).join(', ')}`;
}

/** Integers of a repeated int64 field, packed (wire 2) or not (wire 0). */
function ints(fields: ProtoField[], n: number, file: string): number[] {
  return fields
    .filter((f) => f.field === n)
    .flatMap((f) => {
      if (f.wire === 0) return [num(f)];
      if (f.wire !== 2) throw new ModelFileError(file, `field ${n} has protobuf wire type ${f.wire}`, f.offset);
      return readPackedVarints(f.value as Uint8Array, file, f.offset);
    });
}

function readPackedVarints(bytes: Uint8Array, file: string, base: number): number[] {
  const out: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (at >= bytes.length || shift > 63n) throw new ModelFileError(file, 'malformed packed varint', base + at);
      const b = bytes[at++];
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) break;
    }
    out.push(Number(BigInt.asIntN(64, v)));
  }
  return out;
}

function onnxTensor(fields: ProtoField[], file: string): string {
  const name = fields.find((f) => f.field === 8 && f.wire === 2);
  const type = fields.find((f) => f.field === 2 && f.wire === 0);
  const code = type ? num(type) : 0;
  return `${name ? text(name) : '?'}  ${ONNX_DTYPES[code] ?? `type ${code}`}  ${shapeStr(ints(fields, 1, file))}`;
}

function valueInfo(fields: ProtoField[], file: string): string {
  const name = fields.find((f) => f.field === 1 && f.wire === 2);
  let desc = name ? text(name) : '?';
  const type = fields.find((f) => f.field === 2 && f.wire === 2);
  const tensorType = type && sub(type, file).find((f) => f.field === 1 && f.wire === 2);
  if (tensorType) {
    const tt = sub(tensorType, file);
    const elem = tt.find((f) => f.field === 1 && f.wire === 0);
    const shape = tt.find((f) => f.field === 2 && f.wire === 2);
    const dims = shape
      ? sub(shape, file)
          .filter((f) => f.field === 1 && f.wire === 2)
          .map((d) => {
            const dim = sub(d, file);
            const value = dim.find((f) => f.field === 1 && f.wire === 0);
            const param = dim.find((f) => f.field === 2 && f.wire === 2);
            return value ? String(num(value)) : param ? text(param) : '?';
          })
      : [];
    desc += `  ${ONNX_DTYPES[elem ? num(elem) : 0] ?? 'type ?'}  [${dims.join(',')}]`;
  }
  return desc;
}
