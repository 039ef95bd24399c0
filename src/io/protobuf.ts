// The few parts of Protocol Buffers' wire format that ONNX files need.
// A message is a sequence of fields, each a key varint (field number << 3 | wire type) then:
//   wire 0: a varint (7 bits a byte, little-endian groups, high bit = more; negative int64s
//           are their 64-bit two's complement, so 10 bytes)
//   wire 1: 8 bytes (fixed64/double)    wire 5: 4 bytes (fixed32/float)
//   wire 2: a varint length, then that many bytes (strings, bytes, sub-messages, packed lists)

import { ModelFileError } from './errors.js';

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private key(field: number, wire: number): void {
    this.push(encodeVarint(BigInt(field * 8 + wire)));
  }

  /** int32, int64, enum or bool. */
  varint(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.push(encodeVarint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.push(encodeVarint(BigInt(value.length)));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** A packed repeated int64 field. */
  packedVarints(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.push(encodeVarint(BigInt.asUintN(64, BigInt(v))));
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function encodeVarint(v: bigint): Uint8Array {
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Uint8Array.from(out);
}

export interface ProtoField {
  field: number;
  wire: 0 | 1 | 2 | 5;
  /** The varint (wire 0) as a bigint, else the field's raw bytes. */
  value: bigint | Uint8Array;
  /** Byte offset of the field's value within the file, for error messages. */
  offset: number;
}

/** Splits one message into its fields, checking every length against the bytes at hand. */
export function readFields(bytes: Uint8Array, file: string, base = 0): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= bytes.length)
        throw new ModelFileError(file, 'protobuf varint runs past the end of its message', base + at);
      const b = bytes[at++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, v);
    }
    throw new ModelFileError(file, 'protobuf varint longer than 10 bytes', base + at);
  };
  while (at < bytes.length) {
    const keyAt = at;
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ModelFileError(file, 'protobuf field number 0', base + keyAt);
    const offset = base + at;
    if (wire === 0) fields.push({ field, wire, value: varint(), offset });
    else if (wire === 1 || wire === 2 || wire === 5) {
      const n = wire === 1 ? 8 : wire === 5 ? 4 : varint();
      const start = at;
      if (BigInt(n) > BigInt(bytes.length - start))
        throw new ModelFileError(
          file,
          `protobuf field ${field} of ${n} bytes runs past the end of its message`,
          base + start,
        );
      at = start + Number(n);
      fields.push({ field, wire, value: bytes.subarray(start, at), offset: base + start });
    } else throw new ModelFileError(file, `unsupported protobuf wire type ${wire} (field ${field})`, base + keyAt);
  }
  return fields;
}
