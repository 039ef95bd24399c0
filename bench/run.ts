// `npm run bench`: every workload of issue 5, side by side in one run, on the same inputs:
// nabla (js backend; wasm backend on 1 thread and on all cores), TensorFlow.js (cpu, wasm),
// and PyTorch / NumPy through /usr/bin/python3 when installed. Writes bench/RESULTS.md.
//
// Every peer runs every workload in each of --rounds rounds (default 2) and keeps its best
// round (each round's figure is itself a median): on a shared machine, other load only ever
// slows a run down, so the best round is the closest to what the hardware does.
//
// Options: --only matmul,train,tiny,inference   --no-python   --out PATH   --rounds N
//          --peers NAME,NAME (a subset)   --json (print the matmul table as JSON, write nothing)
//
// Node 20 exposes relaxed SIMD (FMA) only behind --experimental-wasm-relaxed-simd, so the run
// itself measures what users get by default, and a child process with that flag adds the
// 'nabla-wasm 1t FMA' matmul column.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ready, setBackend, setDeterministic, setNumThreads } from '../src/index.js';
import { loadMnist, rings } from './data.js';
import { initialWeights, mlpLarge, mlpSmall, tiny, type TrainSpec } from './models.js';
import * as nb from './nabla.js';
import * as tfb from './tfjs.js';
import { median, randomArray } from './util.js';

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    'no-python': { type: 'boolean', default: false },
    peers: { type: 'string' },
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    out: { type: 'string', default: new URL('../../bench/RESULTS.md', import.meta.url).pathname },
  },
});
const only = new Set((opts.only ?? 'matmul,train,tiny,inference').split(','));
const cores = availableParallelism();
const log = (s: string) => process.stderr.write(s + '\n');

type Peer = { name: string; setup: () => Promise<void>; kind: 'nabla' | 'tfjs' };
const nablaPeer = (name: string, backend: 'js' | 'wasm', threads: number, det = false): Peer => ({
  name,
  kind: 'nabla',
  setup: async () => {
    setBackend(backend);
    setNumThreads(threads);
    setDeterministic(det);
    await ready();
  },
});
const tfPeer = (name: string, backend: 'cpu' | 'wasm'): Peer => ({ name, kind: 'tfjs', setup: async () => void (tfNotes[name] = await tfb.useTfBackend(backend)) });
const tfNotes: Record<string, string> = {};
const allT = `${cores}t`;
const peers: Peer[] = [
  nablaPeer('nabla-js', 'js', 1),
  nablaPeer('nabla-wasm 1t', 'wasm', 1),
  nablaPeer(`nabla-wasm ${allT}`, 'wasm', cores),
  tfPeer('tfjs-cpu', 'cpu'),
  tfPeer('tfjs-wasm', 'wasm'),
].filter((p) => !opts.peers || opts.peers.split(',').includes(p.name));

const matmulSizes: [number, number, number][] = [[64, 784, 128], [128, 128, 128], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024]];
const variants = [['plain', false, false], ['tA', true, false], ['tB', false, true]] as const;
const gflops = (m: number, k: number, n: number, ms: number) => (2 * m * k * n) / ms / 1e6;

const results = {
  matmul: {} as Record<string, Record<string, number | null>>, // row → peer → GFLOPS
  train: {} as Record<string, Record<string, nb.TrainResult | null>>,
  tiny: {} as Record<string, { stepsPerSec: number; finalLoss: number } | null>,
  inference: {} as Record<string, Record<string, number>>, // batch → peer → ms
};
const notes: string[] = [];

const mnist = loadMnist();
const ringData = rings();
const trainSpecs: TrainSpec[] = [mlpSmall, mlpLarge];
const inits = new Map(trainSpecs.map((s) => [s.name, initialWeights(s.sizes)]));
const tinyInit = initialWeights(tiny.sizes, 1);
const mmInputs = new Map(matmulSizes.map(([m, k, n], i) => [`${m}x${k}x${n}`, [randomArray(m * k, 10 + i), randomArray(k * n, 20 + i)] as const]));

/** Epoch and step caps for peers too slow for the full workload on a shared 2-core machine. */
function trainBudget(peer: string, spec: TrainSpec): { epochs: number; maxSteps: number } {
  if (peer === 'tfjs-cpu') return { epochs: 1, maxSteps: spec === mlpLarge ? 10 : Infinity };
  if ((peer === 'nabla-js' || peer === 'tfjs-wasm') && spec === mlpLarge) return { epochs: 1, maxSteps: Infinity };
  if (peer === 'nabla-js') return { epochs: 1, maxSteps: Infinity };
  return { epochs: spec.epochs, maxSteps: Infinity };
}

const rounds = Number(opts.rounds);
/** Keeps the better of an old and a new figure: higher throughput, or lower latency. */
const better = (old: number | null | undefined, x: number, lower = false) => (old == null ? x : lower ? Math.min(old, x) : Math.max(old, x));

for (let round = 1; round <= rounds; round++) {
  for (const peer of peers) {
    log(`round ${round}/${rounds}: ${peer.name}`);
    await peer.setup();
    const run = peer.kind === 'nabla' ? nb : tfb;
    if (only.has('matmul')) {
      for (const [m, k, n] of matmulSizes) {
        const [a, b] = mmInputs.get(`${m}x${k}x${n}`)!;
        for (const [v, tA, tB] of variants) {
          const row = `${m}x${k}x${n} ${v}`;
          results.matmul[row] ??= {};
          if (peer.name === 'tfjs-cpu' && m >= 1024) {
            results.matmul[row][peer.name] = null; // ~5 s per product at 0.4 GFLOPS
            continue;
          }
          const ms = median(run.matmulTimes(a, b, m, k, n, tA, tB));
          results.matmul[row][peer.name] = better(results.matmul[row][peer.name], gflops(m, k, n, ms));
          log(`${peer.name} matmul ${row}: ${gflops(m, k, n, ms).toFixed(2)} GFLOPS`);
        }
      }
    }
    if (only.has('train')) {
      for (const spec of trainSpecs) {
        const { epochs, maxSteps } = trainBudget(peer.name, spec);
        const r = peer.kind === 'nabla' ? nb.train(spec, inits.get(spec.name)!, mnist, epochs) : tfb.train(spec, inits.get(spec.name)!, mnist, epochs, maxSteps);
        const old = (results.train[spec.name] ??= {})[peer.name];
        if (!old || r.samplesPerSec > old.samplesPerSec) results.train[spec.name][peer.name] = r;
        log(`${peer.name} train ${spec.name}: ${r.samplesPerSec.toFixed(0)} samples/s, accuracy ${r.accuracy ?? 'n/a'} (${epochs} epochs)`);
      }
    }
    if (only.has('tiny')) {
      const r = run.overhead(tinyInit, ringData, tiny.steps, tiny.batch, tiny.lr);
      if (!results.tiny[peer.name] || r.stepsPerSec > results.tiny[peer.name]!.stepsPerSec) results.tiny[peer.name] = r;
      log(`${peer.name} tiny MLP: ${r.stepsPerSec.toFixed(0)} steps/s, loss ${r.finalLoss.toFixed(4)}`);
    }
    if (only.has('inference')) {
      for (const batch of [1, 256]) {
        const ms = run.inference(inits.get(mlpSmall.name)!, mnist.testX, batch);
        (results.inference[batch] ??= {})[peer.name] = better(results.inference[batch][peer.name], ms, true);
        log(`${peer.name} inference batch ${batch}: ${(ms * 1000).toFixed(1)} µs`);
      }
    }
  }
}

if (opts.json) {
  console.log(JSON.stringify(results.matmul));
  process.exit(0);
}

// ---- relaxed-SIMD FMA, in a child process with the flag Node 20 needs ----
if (only.has('matmul') && !process.execArgv.includes('--experimental-wasm-relaxed-simd')) {
  log('running the FMA matmul column...');
  const child = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', fileURLToPath(import.meta.url), '--only', 'matmul', '--peers', 'nabla-wasm 1t', '--json']);
  const fma = JSON.parse(child.toString()) as Record<string, Record<string, number>>;
  for (const [row, r] of Object.entries(fma)) results.matmul[row]['nabla-wasm 1t FMA'] = r['nabla-wasm 1t'];
}

// ---- PyTorch and NumPy, in a subprocess on the same inputs ----
interface PyThreads {
  matmul?: Record<string, number>;
  train?: Record<string, nb.TrainResult>;
  tiny?: { stepsPerSec: number; finalLoss: number };
  inference?: Record<string, number>;
}
interface PyOut {
  numpy: { missing?: string; version?: string; blas?: unknown; threads?: Record<string, Record<string, number>> };
  torch: { missing?: string; version?: string; threads?: Record<string, PyThreads> };
  env: Record<string, string | null>;
}
let py: PyOut | null = null;
const python = '/usr/bin/python3';
if (opts['no-python']) notes.push('PyTorch/NumPy: skipped (--no-python).');
else if (!existsSync(python)) notes.push(`PyTorch/NumPy: not run, ${python} is not installed (apt-get install -y python3-torch python3-numpy).`);
else {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-bench-'));
  try {
    const put = (name: string, a: Float32Array | Int32Array) => writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    for (const [key, [a, b]] of mmInputs) {
      put(`mm_a_${key.replaceAll('x', '_')}.f32`, a);
      put(`mm_b_${key.replaceAll('x', '_')}.f32`, b);
    }
    put('train_x.f32', mnist.trainX);
    put('train_y.i32', mnist.trainY);
    put('test_x.f32', mnist.testX);
    put('test_y.i32', mnist.testY);
    put('rings_x.f32', ringData.x);
    put('rings_y.f32', ringData.y);
    const layersOf = (tag: string, init: ReturnType<typeof initialWeights>) =>
      init.map((l, i) => {
        put(`${tag}_w${i}.f32`, l.w);
        put(`${tag}_b${i}.f32`, l.b);
        return { in: l.inF, out: l.outF, w: `${tag}_w${i}.f32`, b: `${tag}_b${i}.f32` };
      });
    const spec = {
      threads: [1, cores],
      matmul: only.has('matmul') ? matmulSizes : [],
      train: only.has('train') ? trainSpecs.map((s) => ({ name: s.name, batch: s.batch, epochs: s.epochs, lr: s.lr, layers: layersOf(s.name, inits.get(s.name)!) })) : [],
      tiny: { ...tiny, layers: layersOf('tiny', tinyInit), steps: only.has('tiny') ? tiny.steps : 200 },
      inference: only.has('inference') ? [1, 256] : [],
      inferenceLayers: layersOf(mlpSmall.name, inits.get(mlpSmall.name)!),
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE work around old OpenBLAS bugs on some CPUs and slow a
    // current one down: unset here, for this subprocess only.
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    // Debian's numpy and torch call whatever libblas.so.3 the system selects: the slow reference
    // BLAS unless OpenBLAS is installed. NABLA_BENCH_OPENBLAS may name a directory holding
    // OpenBLAS' libblas.so.3 (e.g. unpacked from the libopenblas0-pthread .deb) to use instead.
    const openblasDir = process.env.NABLA_BENCH_OPENBLAS;
    if (openblasDir) env.LD_LIBRARY_PATH = [openblasDir, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    log('running PyTorch/NumPy peers...');
    for (let round = 1; round <= rounds; round++) {
      log(`round ${round}/${rounds}: PyTorch/NumPy`);
      const out = JSON.parse(execFileSync(python, [new URL('../../bench/peers.py', import.meta.url).pathname, dir], { env, maxBuffer: 1 << 26 }).toString()) as PyOut;
      py = py ? bestOfPy(py, out) : out;
    }
    if (process.env.OPENBLAS_CORETYPE || process.env.OPENBLAS_L2_SIZE) {
      notes.push(`OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? ''} OPENBLAS_L2_SIZE=${process.env.OPENBLAS_L2_SIZE ?? ''} were set here; unset for the Python subprocess.`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Merges two runs of peers.py, keeping each figure's better value (times: lower). */
function bestOfPy(a: PyOut, b: PyOut): PyOut {
  const minTimes = (x: Record<string, number> = {}, y: Record<string, number> = {}) =>
    Object.fromEntries(Object.keys(x).map((k) => [k, Math.min(x[k], y[k] ?? Infinity)]));
  for (const [t, r] of Object.entries(a.torch.threads ?? {})) {
    const o = b.torch.threads?.[t];
    if (!o) continue;
    r.matmul = minTimes(r.matmul, o.matmul);
    r.inference = minTimes(r.inference, o.inference);
    for (const [w, tr] of Object.entries(o.train ?? {})) if (r.train && tr.samplesPerSec > r.train[w].samplesPerSec) r.train[w] = tr;
    if (o.tiny && r.tiny && o.tiny.stepsPerSec > r.tiny.stepsPerSec) r.tiny = o.tiny;
  }
  for (const [t, r] of Object.entries(a.numpy.threads ?? {})) a.numpy.threads![t] = minTimes(r, b.numpy.threads?.[t]);
  return a;
}

// Fold the Python figures into the same tables.
if (py?.torch.threads) {
  for (const [t, r] of Object.entries(py.torch.threads)) {
    const name = `torch ${t}t`;
    for (const [row, ms] of Object.entries(r.matmul ?? {})) {
      const [mkn] = row.split(' ');
      const [m, k, n] = mkn.split('x').map(Number);
      (results.matmul[row] ??= {})[name] = gflops(m, k, n, ms);
    }
    for (const [w, tr] of Object.entries(r.train ?? {})) (results.train[w] ??= {})[name] = tr;
    if (r.tiny) results.tiny[name] = r.tiny;
    for (const [b, ms] of Object.entries(r.inference ?? {})) (results.inference[b] ??= {})[name] = ms;
  }
}
if (py?.numpy.threads) {
  for (const [t, r] of Object.entries(py.numpy.threads)) {
    for (const [row, ms] of Object.entries(r)) {
      const [m, k, n] = row.split(' ')[0].split('x').map(Number);
      (results.matmul[row] ??= {})[`numpy ${t}t`] = gflops(m, k, n, ms);
    }
  }
}

// ---- RESULTS.md ----
const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '—' : x.toFixed(digits));
const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const columns = (rec: Record<string, Record<string, unknown>>) => [...new Set(Object.values(rec).flatMap((r) => Object.keys(r)))];

const md: string[] = [];
md.push('# Benchmark results', '');
md.push(`Written by \`npm run bench\` on ${new Date().toISOString()}: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, Node ${process.version}` +
  ` (flags: ${process.execArgv.join(' ') || 'none'}). Each figure is a median over repeated runs, the best of ${rounds} rounds` +
  ' (the machine is shared with other jobs, which only ever slow a round down); compare ratios within this run.', '');
md.push(`Peers: ${peers.map((p) => p.name + (tfNotes[p.name] ? ` = ${tfNotes[p.name]}` : '')).join('; ')}` +
  (py ? `; torch ${py.torch.version ?? `(${py.torch.missing})`}; numpy ${py.numpy.version ?? `(${py.numpy.missing})`}` : '') + '.', '');
if (py?.numpy.blas) md.push(`BLAS under numpy and torch: ${JSON.stringify(py.numpy.blas)}.`, '');
for (const n of notes) md.push(`- ${n}`);
if (notes.length) md.push('');

if (Object.keys(results.matmul).length) {
  const cols = columns(results.matmul);
  md.push('## 1. Matmul, GFLOPS (float32; plain = A·B, tA = Aᵀ·B, tB = A·Bᵀ)', '');
  md.push(table(['m×k×n', ...cols], Object.entries(results.matmul).map(([row, r]) => [row, ...cols.map((c) => fmt(r[c]))])), '');
  md.push('tfjs-cpu is not run at 1024³ (about 5 s per product).', '');
}
if (Object.keys(results.train).length) {
  md.push('## 2–3. MNIST MLP training (SGD lr 0.1, 8,000 digits in a fixed order), samples/s and test accuracy on 2,000 digits', '');
  for (const [w, r] of Object.entries(results.train)) {
    const cols = Object.keys(r);
    md.push(`### ${w}, batch ${w === mlpSmall.name ? mlpSmall.batch : mlpLarge.batch}`, '');
    md.push(table(['', ...cols], [
      ['samples/s', ...cols.map((c) => fmt(r[c]?.samplesPerSec, 0))],
      ['test accuracy', ...cols.map((c) => (r[c]?.accuracy == null ? `— (${r[c]?.epochs ?? 0} epoch${r[c]?.epochs === 1 ? '' : 's'} timed)` : `${(100 * r[c]!.accuracy!).toFixed(2)}%`))],
    ]), '');
  }
  md.push('Peers too slow for 5 epochs on this machine are timed on 1 epoch (tfjs-cpu on 10 steps of the large model); accuracy is reported only after all 5 epochs.', '');
}
if (Object.keys(results.tiny).length) {
  const cols = Object.keys(results.tiny);
  md.push(`## 4. Framework overhead: 2-16-16-1 tanh MLP, BCE with logits, batch ${tiny.batch}, ${tiny.steps} SGD steps`, '');
  md.push(table(['', ...cols], [
    ['steps/s', ...cols.map((c) => fmt(results.tiny[c]?.stepsPerSec, 0))],
    ['loss after the last step', ...cols.map((c) => fmt(results.tiny[c]?.finalLoss, 4))],
  ]), '');
}
if (Object.keys(results.inference).length) {
  const cols = columns(results.inference);
  md.push('## 5. Inference latency of the 784-128-10 model, µs per forward pass', '');
  md.push(table(['batch', ...cols], Object.entries(results.inference).map(([b, r]) => [b, ...cols.map((c) => fmt(r[c] * 1000))])), '');
}

// ---- the issue's targets, as ratios within this run ----
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? a / b : null);
const target = (what: string, got: number | null, need: number) =>
  `| ${what} | ${got === null ? '—' : got.toFixed(2) + '×'} | ≥ ${need}× | ${got === null ? 'not measured' : got >= need ? 'holds' : 'does not hold'} |`;
const mm = (row: string, peer: string) => results.matmul[row]?.[peer] ?? null;
const rows: string[] = [];
const all = `nabla-wasm ${allT}`;
if (results.matmul['512x512x512 plain']) {
  const one = mm('512x512x512 plain', 'nabla-wasm 1t');
  const tfBest = Math.max(...variants.map(([v]) => mm(`512x512x512 ${v}`, 'tfjs-wasm') ?? 0));
  const tfT = Math.min(...['tA', 'tB'].map((v) => mm(`512x512x512 ${v}`, 'tfjs-wasm') ?? Infinity));
  const oursT = Math.min(...['tA', 'tB'].map((v) => mm(`512x512x512 ${v}`, 'nabla-wasm 1t') ?? Infinity));
  rows.push(target('matmul 512³, 1 thread vs tfjs-wasm best path', ratio(one, tfBest), 1.3));
  rows.push(target('matmul 512³ transposed, 1 thread vs tfjs-wasm transposed (worst of tA/tB each)', ratio(oursT, tfT), 15));
  rows.push(target('matmul 512³, 1 thread vs numpy (OpenBLAS) 1 thread', ratio(one, mm('512x512x512 plain', 'numpy 1t')), 0.8));
  rows.push(target(`matmul 512³, all ${cores} threads vs 1 thread`, ratio(mm('512x512x512 plain', all), one), 1.8));
}
for (const w of Object.keys(results.train)) {
  const r = results.train[w];
  rows.push(target(`${w} training, 1 thread vs tfjs-wasm`, ratio(r['nabla-wasm 1t']?.samplesPerSec, r['tfjs-wasm']?.samplesPerSec), 10));
  rows.push(target(`${w} training, 1 thread vs torch 1 thread`, ratio(r['nabla-wasm 1t']?.samplesPerSec, r['torch 1t']?.samplesPerSec), 1));
  rows.push(target(`${w} training, ${cores} threads vs torch ${cores} threads`, ratio(r[all]?.samplesPerSec, r[`torch ${cores}t`]?.samplesPerSec), 1));
  const best = (names: string[]) => Math.max(...names.map((n) => r[n]?.samplesPerSec ?? 0)) || null;
  rows.push(target(`${w} training, best nabla-wasm vs best torch (any thread count)`, ratio(best(['nabla-wasm 1t', all]), best(['torch 1t', `torch ${cores}t`])), 1));
  const acc = r['nabla-wasm 1t']?.accuracy;
  const tacc = r['torch 1t']?.accuracy;
  if (acc != null && tacc != null) {
    const d = Math.abs(acc - tacc) * 100;
    rows.push(`| ${w} test accuracy vs torch | ${(acc * 100).toFixed(2)}% vs ${(tacc * 100).toFixed(2)}% | within 1 point | ${d <= 1 ? 'holds' : 'does not hold'} |`);
  }
}
if (Object.keys(results.tiny).length) {
  rows.push(target('tiny MLP steps/s vs tfjs-cpu', ratio(results.tiny['nabla-wasm 1t']?.stepsPerSec, results.tiny['tfjs-cpu']?.stepsPerSec), 3));
  rows.push(target('tiny MLP steps/s vs torch 1 thread', ratio(results.tiny['nabla-wasm 1t']?.stepsPerSec, results.tiny['torch 1t']?.stepsPerSec), 1));
}
md.push('## Targets of issue 5 (ratios in this run; nabla-wasm is the default backend)', '');
md.push('| target | measured | needed | |', '| --- | --- | --- | --- |', ...rows, '');

const text = md.join('\n');
writeFileSync(`${opts.out}.tmp`, text);
renameSync(`${opts.out}.tmp`, opts.out!);
log(`wrote ${opts.out}`);
process.exit(0); // tfjs and idle worker threads would otherwise linger
