// How a kernel is written in WGSL here: its storage bindings (read-only first, then read-write,
// each array<f32> unless typed), one uniform block of PARAM_WORDS u32 words, and a function
// `run(i: u32)` called once per invocation i < the thread count. Word 0 is the thread count and
// the last two words are NaN and +∞ (WGSL cannot write them as constants); a kernel's own
// parameters start at word 1, floats stored as their bits. The prelude gives readers for them
// and the special-value tests that SwiftShader's math needs (docs/webgpu.md: max(NaN, 0) is 0
// there, exp(NaN) is +∞, log(0) is −88).

import { OP_CODES } from './generated/codes.js';

/** A compiled-once kernel: the stream caches its pipeline by this object. */
export interface Shader {
  readonly name: string;
  readonly reads: number;
  readonly writes: number;
  readonly code: string;
}

export const PARAM_WORDS = 64;
const NAN_WORD = PARAM_WORDS - 2;
const INF_WORD = PARAM_WORDS - 1;

const PRELUDE = /* wgsl */ `
${OP_CODES}
struct Params { w: array<vec4u, ${PARAM_WORDS / 4}> }
fn pu(i: u32) -> u32 { return P.w[i >> 2u][i & 3u]; }
fn pi(i: u32) -> i32 { return bitcast<i32>(pu(i)); }
fn pf(i: u32) -> f32 { return bitcast<f32>(pu(i)); }
fn nan() -> f32 { return pf(${NAN_WORD}u); }
fn inf() -> f32 { return pf(${INF_WORD}u); }
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isFinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
// exp that keeps NaN (SwiftShader gives +inf) and reaches 0 at -inf.
fn expf(x: f32) -> f32 { return select(select(exp(x), 0.0, x == -inf()), x, isNan(x)); }
`;

/**
 * A kernel named `name` over storage bindings (`'x'`, or `'idx:i32'` for another element type;
 * `reads` are read-only, `writes` read-write) whose `body` defines `fn run(i: u32)`.
 */
export function shader(name: string, reads: readonly string[], writes: readonly string[], body: string): Shader {
  const decl = (spec: string, binding: number, access: string) => {
    const [id, type = 'f32'] = spec.split(':');
    return `@group(0) @binding(${binding}) var<storage, ${access}> ${id}: array<${type}>;`;
  };
  const code = [
    ...reads.map((s, i) => decl(s, i, 'read')),
    ...writes.map((s, i) => decl(s, reads.length + i, 'read_write')),
    `@group(0) @binding(${reads.length + writes.length}) var<uniform> P: Params;`,
    PRELUDE,
    body,
    `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = g.x + g.y * groups.x * 64u;
  if (i < pu(0u)) { run(i); }
}`,
  ].join('\n');
  return { name, reads: reads.length, writes: writes.length, code };
}

const floatBits = new Float32Array(1);
const wordBits = new Uint32Array(floatBits.buffer);

/** A float's float32 bits, for a parameter word. */
export function f32(x: number): number {
  floatBits[0] = x;
  return wordBits[0];
}

/** The parameter words of a dispatch: the thread count, the kernel's words (ints; floats through f32; negative ints wrap), NaN and +∞. */
export function params(threads: number, words: readonly number[]): Uint32Array {
  if (words.length > NAN_WORD - 1) throw new Error(`webgpu: ${words.length} parameter words (at most ${NAN_WORD - 1})`);
  const p = new Uint32Array(PARAM_WORDS);
  p[0] = threads;
  for (let i = 0; i < words.length; i++) p[i + 1] = words[i];
  p[NAN_WORD] = 0x7fc00000;
  p[INF_WORD] = 0x7f800000;
  return p;
}

/** Parameter words available to a kernel (for the rank limits of shapes passed in them). */
export const KERNEL_WORDS = NAN_WORD - 1;
