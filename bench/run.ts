// `npm run bench`: every workload, side by side in one run, on the same inputs:
// nabla (js backend; wasm and, where its addon is built, native on 1 thread and on all cores), TensorFlow.js (cpu, wasm),
// and PyTorch / NumPy through /usr/bin/python3 when installed. Writes bench/RESULTS.md.
//
// Every peer runs every workload in each of --rounds rounds (default 2) and keeps its best
// round: on a shared machine, other load only ever slows a run down, so the best round is the
// closest to what the hardware does. Within a round, short samples (one product, one forward
// pass, a chunk of steps) give a median, which keeps their garbage collection in the figure; MLP
// training gives its best epoch (each epoch, 8,000 samples, includes its collections), because
// this VM's speed drifts by up to 2× over seconds (six 784-128-10 epochs in a row on native, one
// process, ran at 48k–83k samples/s), so a median of five epochs measured the drift as much as the peer.
//
// Options: --only matmul,train,tiny,inference,conv,cnn,gpt,lstm   --no-python   --out PATH   --rounds N
//          --peers NAME,NAME (a subset)   --json (print the matmul table as JSON, write nothing)
//          --cnn-steps N (timed CNN training steps, default cnn.steps: fewer for a smoke run)
// `npm run bench:cnn` runs only conv,cnn and writes bench/RESULTS-cnn.md instead.
//
// WebGPU: `--peers webgpu` selects the peers 'nabla-webgpu' and 'tfjs-webgpu' (also
// by name, and next to others: `--peers nabla-wasm 1t,webgpu`) and writes bench/RESULTS-webgpu.md
// unless --out says otherwise. They are not in the default run (which never loads Dawn). Dawn
// needs libvulkan and, without a GPU, the SwiftShader driver in the environment before Node
// starts, so each webgpu peer runs in a child process, bench/webgpu.ts, with that environment
// (webgpuEnv below), and its JSON is merged into the matmul, MLP training and CNN tables, plus a
// GPT table and a section of nabla-webgpu / tfjs-webgpu ratios. The children run once (not
// --rounds times: on a software adapter a round takes minutes), on workloads capped for one
// (bench/webgpu.ts says how); their figures are for correctness and ratios the day a GPU is present.
//
// Node 20 exposes relaxed SIMD (FMA) only behind --experimental-wasm-relaxed-simd, so the run
// itself measures what users get by default, and a child process with that flag adds the
// 'nabla-wasm 1t FMA' matmul column (the relaxed build: FMA where its start-up measurement,
// measureFma in src/backend/wasm/matmul.ts, found it faster, else the plain kernel).

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listBackends, ready, setBackend, setDeterministic, setNumThreads } from '../src/index.js';
import { nativeBuild } from '../src/backend/native/index.js';
import { addonLoadError } from '../src/backend/native/addon.js';
import { loadMnist, rings } from './data.js';
import {
  cnn,
  convCases,
  convFlops,
  convGemm,
  convLabel,
  gptConfig,
  initialWeights,
  mlpLarge,
  mlpSmall,
  tiny,
  type ConvCase,
  type TrainSpec,
} from './models.js';
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
    'cnn-steps': { type: 'string' },
    out: { type: 'string' },
  },
});
const WEBGPU_PEERS = ['nabla-webgpu', 'tfjs-webgpu'];
const askedPeers = opts.peers?.split(',').flatMap((p) => (p === 'webgpu' ? WEBGPU_PEERS : [p]));
const webgpuPeers = WEBGPU_PEERS.filter((p) => askedPeers?.includes(p));
opts.out ??= new URL(
  webgpuPeers.length ? '../../bench/RESULTS-webgpu.md' : '../../bench/RESULTS.md',
  import.meta.url,
).pathname;
const only = new Set((opts.only ?? 'matmul,train,tiny,inference,conv,cnn,gpt,lstm').split(','));
const cores = availableParallelism();
const log = (s: string) => process.stderr.write(s + '\n');

/** The CPU as /proc/cpuinfo names it, with the SIMD extensions that matter to the peers' kernels. */
function cpuName(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1].trim();
    const flags = new Set(/^flags\s*:\s*(.+)$/m.exec(info)?.[1].split(/\s+/) ?? []);
    const simd = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'amx_tile'].filter((f) => flags.has(f));
    if (model) return `${model} (${simd.join(', ') || 'no SIMD flags listed'})`;
  } catch {
    // not Linux: fall through
  }
  return cpus()[0]?.model ?? 'unknown CPU';
}
const cpu = cpuName();
if (!opts.json) log(`CPU: ${cpu}, ${cores} cores`);

type Peer = { name: string; setup: () => Promise<void>; kind: 'nabla' | 'tfjs' };
const nablaPeer = (name: string, backend: 'js' | 'wasm' | 'native', threads: number, det = false): Peer => ({
  name,
  kind: 'nabla',
  setup: async () => {
    setBackend(backend);
    setNumThreads(threads);
    setDeterministic(det);
    await ready();
  },
});
const tfPeer = (name: string, backend: 'cpu' | 'wasm'): Peer => ({
  name,
  kind: 'tfjs',
  setup: async () => void (tfNotes[name] = await tfb.useTfBackend(backend)),
});
const tfNotes: Record<string, string> = {};
const allT = `${cores}t`;
const peers: Peer[] = [
  nablaPeer('nabla-js', 'js', 1),
  nablaPeer('nabla-wasm 1t', 'wasm', 1),
  nablaPeer(`nabla-wasm ${allT}`, 'wasm', cores),
  ...(listBackends().includes('native')
    ? [nablaPeer('nabla-native 1t', 'native', 1), nablaPeer(`nabla-native ${allT}`, 'native', cores)]
    : []),
  tfPeer('tfjs-cpu', 'cpu'),
  tfPeer('tfjs-wasm', 'wasm'),
].filter((p) => !askedPeers || askedPeers.includes(p.name));

const matmulSizes: [number, number, number][] = [
  [64, 784, 128],
  [128, 128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
];
const variants = [
  ['plain', false, false],
  ['tA', true, false],
  ['tB', false, true],
] as const;
const gflops = (m: number, k: number, n: number, ms: number) => (2 * m * k * n) / ms / 1e6;

const results = {
  matmul: {} as Record<string, Record<string, number | null>>, // row → peer → GFLOPS
  train: {} as Record<string, Record<string, nb.TrainResult | null>>,
  tiny: {} as Record<string, { stepsPerSec: number; finalLoss: number } | null>,
  inference: {} as Record<string, Record<string, number>>, // batch → peer → ms
  conv: {} as Record<string, Record<string, Cell>>, // conv case → peer → GFLOPS of forward+backward
  convFwd: {} as Record<string, Record<string, Cell>>, // conv case → peer → GFLOPS of the forward alone
  gemm: {} as Record<string, Record<string, number>>, // conv case → nabla-wasm peer → GFLOPS of the same-size plain GEMM
  cnn: {} as Record<string, nb.CnnResult | NotRun>, // peer → CNN training
};
/** A figure that could not be measured, and why (the reason is listed under the table). */
type NotRun = { na: string };
type Cell = number | NotRun | null;
const isNa = (x: unknown): x is NotRun => typeof x === 'object' && x !== null && 'na' in x;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];
const notes: string[] = [];

const mnist = loadMnist();
const ringData = rings();
const trainSpecs: TrainSpec[] = [mlpSmall, mlpLarge];
const inits = new Map(trainSpecs.map((s) => [s.name, initialWeights(s.sizes)]));
const tinyInit = initialWeights(tiny.sizes, 1);
const convInputs = new Map(
  convCases.map((c, i) => {
    const x = randomArray(c.n * c.c * c.h * c.w, 30 + i);
    const w = randomArray(c.out * (c.c / c.groups) * c.k * c.k, 40 + i).map(
      (v) => v / Math.sqrt((c.c / c.groups) * c.k * c.k),
    );
    const b = randomArray(c.out, 50 + i);
    return [convLabel(c), { x, w, b }] as const;
  }),
);
/** The same inputs as tfjs takes them (NHWC; filters [kH, kW, in, out]), made once. */
const tfConvInputs = new Map<string, { x: Float32Array; w: Float32Array; b: Float32Array }>();
function tfConvInput(c: ConvCase) {
  const key = convLabel(c);
  if (!tfConvInputs.has(key)) {
    const { x, w, b } = convInputs.get(key)!;
    tfConvInputs.set(key, {
      x: tfb.toNhwc(x, c.n, c.c, c.h, c.w),
      w: tfb.toHwio(w, c.out, c.c / c.groups, c.k, c.k),
      b,
    });
  }
  return tfConvInputs.get(key)!;
}
const gemmInputs = new Map<string, [Float32Array, Float32Array]>();
function gemmInput(c: ConvCase): [Float32Array, Float32Array] {
  const [m, k, n] = convGemm(c);
  const key = `${m}x${k}x${n}`;
  if (!gemmInputs.has(key)) gemmInputs.set(key, [randomArray(m * k, 60), randomArray(k * n, 61)]);
  return gemmInputs.get(key)!;
}
// tfjs-cpu's convolution gradients run at a few MFLOPS (Conv2DBackpropFilter is a plain loop nest):
// one fwd+bwd of the bench shapes at batch 64 takes a minute or more, so tfjs-cpu runs the conv
// table at this batch, once (in round 1, no warm-up run), and does not run the CNN training.
const tfCpuConvBatch = 2;
const convBudgetMs = 250; // per figure, after a warm-up run (at least 2 runs; nabla-js: 1)
const cnnSteps = Number(opts['cnn-steps'] ?? cnn.steps);
const mmInputs = new Map(
  matmulSizes.map(([m, k, n], i) => [
    `${m}x${k}x${n}`,
    [randomArray(m * k, 10 + i), randomArray(k * n, 20 + i)] as const,
  ]),
);

/** Epoch and step caps for peers too slow for the full workload on a shared 2-core machine. */
function trainBudget(peer: string, spec: TrainSpec): { epochs: number; maxSteps: number } {
  if (peer === 'tfjs-cpu') return { epochs: 1, maxSteps: spec === mlpLarge ? 10 : Infinity };
  if ((peer === 'nabla-js' || peer === 'tfjs-wasm') && spec === mlpLarge) return { epochs: 1, maxSteps: Infinity };
  if (peer === 'nabla-js') return { epochs: 1, maxSteps: Infinity };
  return { epochs: spec.epochs, maxSteps: Infinity };
}

const rounds = Number(opts.rounds);
/** Keeps the better of an old and a new figure: higher throughput, or lower latency. */
const better = (old: number | null | undefined, x: number, lower = false) =>
  old == null ? x : lower ? Math.min(old, x) : Math.max(old, x);

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
        const r =
          peer.kind === 'nabla'
            ? await nb.train(spec, inits.get(spec.name)!, mnist, epochs)
            : tfb.train(spec, inits.get(spec.name)!, mnist, epochs, maxSteps);
        const old = (results.train[spec.name] ??= {})[peer.name];
        if (!old || r.samplesPerSec > old.samplesPerSec) results.train[spec.name][peer.name] = r;
        log(
          `${peer.name} train ${spec.name}: ${r.samplesPerSec.toFixed(0)} samples/s, accuracy ${r.accuracy ?? 'n/a'} (${epochs} epochs)`,
        );
      }
    }
    if (only.has('tiny')) {
      const r = await run.overhead(tinyInit, ringData, tiny.steps, tiny.batch, tiny.lr);
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
    if (only.has('conv')) await convRows(peer, round);
    if (only.has('cnn')) await cnnRow(peer);
  }
}

/** The conv table's figures of one peer: GFLOPS of fwd+bwd and of the forward alone, per conv case. */
async function convRows(peer: Peer, round: number): Promise<void> {
  const missing = peer.kind === 'nabla' ? nb.convMissing() : null;
  const keep = (table: Record<string, Record<string, Cell>>, row: string, x: Cell) => {
    const old = (table[row] ??= {})[peer.name];
    table[row][peer.name] =
      typeof x === 'number' && typeof old === 'number' ? Math.max(old, x) : typeof old === 'number' ? old : x;
  };
  for (const c of convCases) {
    const row = convLabel(c);
    if (missing) {
      keep(results.conv, row, { na: missing });
      keep(results.convFwd, row, { na: missing });
      continue;
    }
    if (peer.name === 'tfjs-cpu' && round > 1) continue;
    for (const mode of ['fwdbwd', 'fwd'] as const) {
      const table = mode === 'fwd' ? results.convFwd : results.conv;
      const products = mode === 'fwd' ? 1 : 3;
      let cell: Cell;
      try {
        if (peer.kind === 'nabla') {
          const { x, w, b } = convInputs.get(row)!;
          const slow = peer.name === 'nabla-js';
          cell =
            (products * convFlops(c)) /
            median(nb.convTimes(c, x, w, b, mode, slow ? 0 : convBudgetMs, slow ? 1 : 2)) /
            1e6;
        } else if (peer.name === 'tfjs-cpu') {
          const small = { ...c, n: tfCpuConvBatch };
          const { x, w, b } = tfConvInput(c);
          const ms = median(tfb.convTimes(small, x.subarray(0, small.n * c.c * c.h * c.w), w, b, mode, 0, 1, false));
          cell = (products * convFlops(small)) / ms / 1e6;
        } else {
          const { x, w, b } = tfConvInput(c);
          cell = (products * convFlops(c)) / median(tfb.convTimes(c, x, w, b, mode, convBudgetMs, 2)) / 1e6;
        }
        log(`${peer.name} conv ${row} ${mode}: ${cell.toFixed(2)} GFLOPS`);
      } catch (e) {
        cell = { na: `fails: ${errorText(e)}` };
        log(`${peer.name} conv ${row} ${mode}: ${cell.na}`);
      }
      keep(table, row, cell);
    }
    if (peer.kind === 'nabla' && peer.name.startsWith('nabla-wasm')) {
      const [m, k, n] = convGemm(c);
      const [a, b] = gemmInput(c);
      const g = gflops(m, k, n, median(nb.gemmTimes(m, k, n, a, b, convBudgetMs)));
      (results.gemm[row] ??= {})[peer.name] = better(results.gemm[row][peer.name], g);
      log(`${peer.name} GEMM ${m}x${k}x${n} (for ${row}): ${g.toFixed(2)} GFLOPS`);
    }
  }
}

/** CNN training samples/s of one peer (nabla-wasm and tfjs-wasm; tfjs-cpu is not run, see above). */
async function cnnRow(peer: Peer): Promise<void> {
  if (peer.name === 'nabla-js') return; // the wasm backend is what users train on
  const old = results.cnn[peer.name];
  let r: nb.CnnResult | NotRun;
  if (peer.name === 'tfjs-cpu') {
    // The CNN's two convolutions are the conv table's first two rows: their fwd+bwd alone, at tfjs-cpu's rate there.
    const rates = convCases.slice(0, 2).map((c) => [c, results.conv[convLabel(c)]?.['tfjs-cpu']] as const);
    const s = rates.every(([, g]) => typeof g === 'number')
      ? rates.reduce((t, [c, g]) => t + (3 * convFlops(c)) / (g as number) / 1e9, 0)
      : null;
    r = {
      na: `not run: its convolution gradients run at tens of MFLOPS${s === null ? '' : `; the two convolutions alone would take about ${s.toFixed(0)} s per step (at the conv table's rates)`}`,
    };
  } else {
    const missing = peer.kind === 'nabla' ? (nb.cnnMissing() ?? nb.convMissing()) : null;
    if (missing) r = { na: missing };
    else {
      try {
        r = peer.kind === 'nabla' ? await nb.cnnTrain(mnist, cnnSteps) : await tfb.cnnTrain(mnist, cnnSteps);
      } catch (e) {
        r = { na: `fails: ${errorText(e)}` };
      }
    }
  }
  log(
    `${peer.name} CNN training: ${isNa(r) ? r.na : `${r.samplesPerSec.toFixed(0)} samples/s, loss ${r.finalLoss.toFixed(4)} after ${r.steps} steps`}`,
  );
  if (!old || isNa(old) || (!isNa(r) && r.samplesPerSec > old.samplesPerSec)) results.cnn[peer.name] = r;
}

if (opts.json) {
  console.log(JSON.stringify(results.matmul));
  process.exit(0);
}

// ---- relaxed-SIMD FMA, in a child process with the flag Node 20 needs ----
if (
  only.has('matmul') &&
  peers.some((p) => p.name === 'nabla-wasm 1t') &&
  !process.execArgv.includes('--experimental-wasm-relaxed-simd')
) {
  log('running the FMA matmul column...');
  const child = execFileSync(process.execPath, [
    '--experimental-wasm-relaxed-simd',
    fileURLToPath(import.meta.url),
    '--only',
    'matmul',
    '--peers',
    'nabla-wasm 1t',
    '--json',
  ]);
  const fma = JSON.parse(child.toString()) as Record<string, Record<string, number>>;
  for (const [row, r] of Object.entries(fma)) results.matmul[row]['nabla-wasm 1t FMA'] = r['nabla-wasm 1t'];
}

// ---- the webgpu peers, each in a child process with Dawn's environment (see the top) ----
interface WebgpuOut {
  peer: string;
  adapter: string;
  backend: string;
  matmul: Record<string, number | NotRun>;
  train: Record<string, nb.TrainResult>;
  cnn?: nb.CnnResult | NotRun;
  gpt?: { tokensPerSec: number; finalLoss: number; steps: number } | NotRun;
  fallbacks?: Record<string, { count: number; reason: string }>;
  memory?: Record<string, number>;
  notes: string[];
}
const webgpu: Record<string, WebgpuOut | NotRun> = {};
const webgpuMatmulReasons = new Map<string, string[]>();
const webgpuSteps = { mlp: 8, cnn: Math.min(cnnSteps, 2), gpt: 2 };
const swiftshader = '/usr/lib/chromium/libvk_swiftshader.so';
let webgpuDriver = '';

/**
 * The children's environment: libvulkan.so.1 from Debian's chromium when the system has none, and
 * when VK_ICD_FILENAMES is unset and no Vulkan driver is installed, chromium's SwiftShader (a
 * software adapter) through an ICD file written for the run. A machine with a GPU driver keeps it.
 */
function webgpuEnv(dir: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  const systemVulkan = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].some((d) =>
    existsSync(join(d, 'libvulkan.so.1')),
  );
  if (!systemVulkan && existsSync('/usr/lib/chromium/libvulkan.so.1'))
    env.LD_LIBRARY_PATH = [env.LD_LIBRARY_PATH, '/usr/lib/chromium'].filter(Boolean).join(':');
  const systemIcd = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'].some((d) => existsSync(d));
  if (env.VK_ICD_FILENAMES) webgpuDriver = `VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES}`;
  else if (!systemIcd && existsSync(swiftshader)) {
    const icd = join(dir, 'swiftshader-icd.json');
    writeFileSync(
      icd,
      JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: swiftshader, api_version: '1.0.5' } }),
    );
    env.VK_ICD_FILENAMES = icd;
    webgpuDriver = `no Vulkan driver installed: chromium's SwiftShader (${swiftshader}) through VK_ICD_FILENAMES`;
  } else webgpuDriver = "the system's Vulkan drivers";
  return env;
}

if (webgpuPeers.length) {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-bench-webgpu-'));
  try {
    const env = webgpuEnv(dir);
    const parts = ['matmul', 'train', 'cnn', 'gpt'].filter((p) => only.has(p));
    for (const name of webgpuPeers) {
      if (!parts.length) break;
      log(`${name} (bench/webgpu.ts in a child process, ${webgpuDriver})...`);
      const args = [
        fileURLToPath(new URL('./webgpu.js', import.meta.url)),
        '--peer',
        name,
        '--only',
        parts.join(','),
        '--mlp-steps',
        String(webgpuSteps.mlp),
        '--cnn-steps',
        String(webgpuSteps.cnn),
        '--gpt-steps',
        String(webgpuSteps.gpt),
      ];
      try {
        const text = execFileSync(process.execPath, args, {
          env,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          maxBuffer: 1 << 24,
          timeout: 1_800_000,
        });
        webgpu[name] = JSON.parse(text.trim().split('\n').at(-1)!) as WebgpuOut;
      } catch (e) {
        const status =
          (e as { status?: number | null; signal?: string | null }).signal ?? (e as { status?: number }).status;
        webgpu[name] = { na: `fails: the child process ended with ${status ?? 'an error'} (${errorText(e)})` };
        log(`${name}: ${(webgpu[name] as NotRun).na}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [name, w] of Object.entries(webgpu)) {
    if (isNa(w)) {
      notes.push(`${name}: ${w.na}`);
      if (only.has('cnn')) results.cnn[name] = w;
      continue;
    }
    for (const [row, g] of Object.entries(w.matmul)) {
      (results.matmul[row] ??= {})[name] = typeof g === 'number' ? g : null;
      if (isNa(g)) webgpuMatmulReasons.set(g.na, [...(webgpuMatmulReasons.get(g.na) ?? []), name]);
    }
    for (const [spec, r] of Object.entries(w.train)) (results.train[spec] ??= {})[name] = r;
    if (w.cnn) results.cnn[name] = w.cnn;
    for (const n of w.notes) notes.push(`${name}: ${n}`);
  }
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
const mlpParts = ['matmul', 'train', 'tiny', 'inference'].some((p) => only.has(p));

/** The Python subprocess' environment (see the comments inside). */
function pythonEnv(): NodeJS.ProcessEnv {
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
  return env;
}

if (opts['no-python']) notes.push('PyTorch/NumPy: skipped (--no-python).');
else if (!existsSync(python))
  notes.push(`PyTorch/NumPy: not run, ${python} is not installed (apt-get install -y python3-torch python3-numpy).`);
else if (mlpParts) {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-bench-'));
  try {
    const put = (name: string, a: Float32Array | Int32Array) =>
      writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
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
      train: only.has('train')
        ? trainSpecs.map((s) => ({
            name: s.name,
            batch: s.batch,
            epochs: s.epochs,
            lr: s.lr,
            layers: layersOf(s.name, inits.get(s.name)!),
          }))
        : [],
      tiny: { ...tiny, layers: layersOf('tiny', tinyInit), steps: only.has('tiny') ? tiny.steps : 200 },
      inference: only.has('inference') ? [1, 256] : [],
      inferenceLayers: layersOf(mlpSmall.name, inits.get(mlpSmall.name)!),
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    // OMP_WAIT_POLICY=PASSIVE: torch's best setting here (see the CNN subprocess below).
    const env = { ...pythonEnv(), OMP_WAIT_POLICY: 'PASSIVE' };
    log('running PyTorch/NumPy peers...');
    for (let round = 1; round <= rounds; round++) {
      log(`round ${round}/${rounds}: PyTorch/NumPy`);
      const out = JSON.parse(
        execFileSync(python, [new URL('../../bench/peers.py', import.meta.url).pathname, dir], {
          env,
          maxBuffer: 1 << 26,
        }).toString(),
      ) as PyOut;
      py = py ? bestOfPy(py, out) : out;
    }
    if (process.env.OPENBLAS_CORETYPE || process.env.OPENBLAS_L2_SIZE) {
      notes.push(
        `OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? ''} OPENBLAS_L2_SIZE=${process.env.OPENBLAS_L2_SIZE ?? ''} were set here; unset for the Python subprocess.`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- PyTorch's conv table and CNN training, in a subprocess of their own ----
// With OMP_WAIT_POLICY=PASSIVE: torch's OpenMP threads otherwise spin between the many small
// parallel regions of a training step, which on 2 shared cores slows its 2-thread figures down.
interface PyCnnThreads {
  conv: Record<string, number>; // case → ms of fwd+bwd
  convFwd: Record<string, number>; // case → ms of the forward alone
  cnn?: nb.CnnResult;
}
interface PyCnnOut {
  torch: {
    missing?: string;
    version?: string;
    blas?: unknown;
    mkldnn?: boolean;
    threads?: Record<string, PyCnnThreads>;
  };
}
let pyCnn: PyCnnOut | null = null;
if ((only.has('conv') || only.has('cnn')) && !opts['no-python'] && existsSync(python)) {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-bench-cnn-'));
  try {
    const put = (name: string, a: Float32Array | Int32Array) =>
      writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const conv = only.has('conv')
      ? convCases.map((c, i) => {
          const { x, w, b } = convInputs.get(convLabel(c))!;
          put(`conv${i}_x.f32`, x);
          put(`conv${i}_w.f32`, w);
          put(`conv${i}_b.f32`, b);
          return { ...c, label: convLabel(c), x: `conv${i}_x.f32`, wt: `conv${i}_w.f32`, b: `conv${i}_b.f32` };
        })
      : [];
    if (only.has('cnn')) {
      put('train_x.f32', mnist.trainX);
      put('train_y.i32', mnist.trainY);
    }
    writeFileSync(
      join(dir, 'spec.json'),
      JSON.stringify({
        suite: 'cnn',
        threads: [1, cores],
        conv,
        cnn: only.has('cnn') ? { ...cnn, steps: cnnSteps } : null,
      }),
    );
    const env = { ...pythonEnv(), OMP_WAIT_POLICY: 'PASSIVE' };
    for (let round = 1; round <= rounds; round++) {
      log(`round ${round}/${rounds}: PyTorch conv and CNN`);
      const out = JSON.parse(
        execFileSync(python, [new URL('../../bench/peers.py', import.meta.url).pathname, dir], {
          env,
          maxBuffer: 1 << 26,
        }).toString(),
      ) as PyCnnOut;
      if (!pyCnn?.torch.threads || !out.torch.threads) pyCnn = out;
      else {
        for (const [t, r] of Object.entries(pyCnn.torch.threads)) {
          const o = out.torch.threads[t];
          for (const key of ['conv', 'convFwd'] as const)
            for (const [row, ms] of Object.entries(o[key])) r[key][row] = Math.min(r[key][row], ms);
          if (o.cnn && r.cnn && o.cnn.samplesPerSec > r.cnn.samplesPerSec) r.cnn = o.cnn;
        }
      }
    }
    if (pyCnn?.torch.missing) notes.push(`PyTorch conv and CNN: ${pyCnn.torch.missing}.`);
    if ((pyCnn?.torch.blas as { kind?: string } | undefined)?.kind?.startsWith('reference')) {
      notes.push(
        "torch's convolutions run on oneDNN, but its Linear layers on the system's reference BLAS here, which slows its CNN training down: set NABLA_BENCH_OPENBLAS (see run.ts) to give it an optimised BLAS, as pip's torch wheels bundle one.",
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (pyCnn?.torch.threads) {
  for (const [t, r] of Object.entries(pyCnn.torch.threads)) {
    const name = `torch ${t}t`;
    for (const c of convCases) {
      const row = convLabel(c);
      if (r.conv[row] != null) (results.conv[row] ??= {})[name] = (3 * convFlops(c)) / r.conv[row] / 1e6;
      if (r.convFwd[row] != null) (results.convFwd[row] ??= {})[name] = convFlops(c) / r.convFwd[row] / 1e6;
    }
    if (r.cnn) results.cnn[name] = r.cnn;
    if (r.cnn)
      log(`${name} CNN training: ${r.cnn.samplesPerSec.toFixed(0)} samples/s, loss ${r.cnn.finalLoss.toFixed(4)}`);
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
    for (const [w, tr] of Object.entries(o.train ?? {}))
      if (r.train && tr.samplesPerSec > r.train[w].samplesPerSec) r.train[w] = tr;
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
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
const columns = (rec: Record<string, Record<string, unknown>>) => [
  ...new Set(Object.values(rec).flatMap((r) => Object.keys(r))),
];

const md: string[] = [];
md.push('# Benchmark results', '');
const argText = process.argv
  .slice(2)
  .map((a) => (/[\s,]/.test(a) && !a.startsWith('-') ? `'${a}'` : a))
  .join(' ');
md.push(
  `Written by \`npm run bench${argText ? ` -- ${argText}` : ''}\` on ${new Date().toISOString()}: ${cpu}, ${cores} cores, Node ${process.version}` +
    ` (flags: ${process.execArgv.join(' ') || 'none'}). MLP training figures are the best epoch, others a median over repeated runs; each is the best of ${rounds} rounds` +
    ' (the machine is shared with other jobs, which only ever slow a run down); compare ratios within this run.',
  '',
);
md.push(
  `Peers: ${[...peers.map((p) => p.name + (tfNotes[p.name] ? ` = ${tfNotes[p.name]}` : '')), ...Object.entries(webgpu).map(([n, w]) => `${n} = ${isNa(w) ? 'failed' : w.backend}`)].join('; ')}` +
    (py
      ? `; torch ${py.torch.version ?? `(${py.torch.missing})`}; numpy ${py.numpy.version ?? `(${py.numpy.missing})`}`
      : '') +
    (!py && pyCnn ? `; torch ${pyCnn.torch.version ?? `(${pyCnn.torch.missing})`}` : '') +
    '.',
  '',
);
const nativeInfo = nativeBuild();
md.push(
  nativeInfo
    ? `nabla-native: ${nativeInfo.blas}, kernel ${nativeInfo.core} (its own choice).`
    : `nabla-native: not available here (${addonLoadError ?? 'not Node'}).`,
  '',
);
if (py?.numpy.blas) md.push(`BLAS under numpy and torch: ${JSON.stringify(py.numpy.blas)}.`, '');
else if (pyCnn?.torch.blas) md.push(`BLAS under torch: ${JSON.stringify(pyCnn.torch.blas)}.`, '');
for (const n of notes) md.push(`- ${n}`);
if (notes.length) md.push('');

if (Object.keys(results.matmul).length) {
  const cols = columns(results.matmul);
  md.push('## 1. Matmul, GFLOPS (float32; plain = A·B, tA = Aᵀ·B, tB = A·Bᵀ)', '');
  md.push(
    table(
      ['m×k×n', ...cols],
      Object.entries(results.matmul).map(([row, r]) => [row, ...cols.map((c) => fmt(r[c]))]),
    ),
    '',
  );
  if (peers.some((p) => p.name === 'tfjs-cpu')) md.push('tfjs-cpu is not run at 1024³ (about 5 s per product).', '');
  if (webgpuPeers.length) {
    md.push(
      "The webgpu peers queue several products and wait for the last one's values (`await out.read()` / `await c.data()`), so each figure includes the wait for the device.",
      '',
    );
    for (const [why, who] of webgpuMatmulReasons) md.push(`- ${who.join(', ')}: ${why}`);
    if (webgpuMatmulReasons.size) md.push('');
  }
}
if (Object.keys(results.train).length) {
  md.push(
    '## 2–3. MNIST MLP training (SGD lr 0.1, 8,000 digits in a fixed order), samples/s and test accuracy on 2,000 digits',
    '',
  );
  for (const [w, r] of Object.entries(results.train)) {
    const cols = Object.keys(r);
    md.push(`### ${w}, batch ${w === mlpSmall.name ? mlpSmall.batch : mlpLarge.batch}`, '');
    md.push(
      table(
        ['', ...cols],
        [
          ['samples/s', ...cols.map((c) => fmt(r[c]?.samplesPerSec, 0))],
          [
            'test accuracy',
            ...cols.map((c) =>
              r[c]?.accuracy == null
                ? r[c]?.steps
                  ? `— (${r[c]!.steps} steps timed)`
                  : `— (${r[c]?.epochs ?? 0} epoch${r[c]?.epochs === 1 ? '' : 's'} timed)`
                : `${(100 * r[c]!.accuracy!).toFixed(2)}%`,
            ),
          ],
        ],
      ),
      '',
    );
  }
  if (peers.length)
    md.push(
      'Peers too slow for 5 epochs on this machine are timed on 1 epoch (tfjs-cpu on 10 steps of the large model); accuracy is reported only after all 5 epochs.',
      '',
    );
  if (webgpuPeers.length)
    md.push(
      `The webgpu peers are timed on ${webgpuSteps.mlp} steps of 784-128-10 and ${Math.max(2, Math.round(webgpuSteps.mlp / 4))} of 784-512-512-10, after 2 warm-up steps (which compile the shaders), reading the loss once per step.`,
      '',
    );
}
if (Object.keys(results.tiny).length) {
  const cols = Object.keys(results.tiny);
  md.push(
    `## 4. Framework overhead: 2-16-16-1 tanh MLP, BCE with logits, batch ${tiny.batch}, ${tiny.steps} SGD steps`,
    '',
  );
  md.push(
    table(
      ['', ...cols],
      [
        ['steps/s', ...cols.map((c) => fmt(results.tiny[c]?.stepsPerSec, 0))],
        ['loss after the last step', ...cols.map((c) => fmt(results.tiny[c]?.finalLoss, 4))],
      ],
    ),
    '',
  );
}
if (Object.keys(results.inference).length) {
  const cols = columns(results.inference);
  md.push('## 5. Inference latency of the 784-128-10 model, µs per forward pass', '');
  md.push(
    table(
      ['batch', ...cols],
      Object.entries(results.inference).map(([b, r]) => [b, ...cols.map((c) => fmt(r[c] * 1000))]),
    ),
    '',
  );
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? a / b : null);
const convPeers = (rec: Record<string, Record<string, Cell>>) => columns(rec);
/** A table cell, with "n/a" for a figure that could not be measured and its reason listed below the table once. */
function cellText(x: Cell | undefined, peer: string, reasons: Map<string, string[]>): string {
  if (isNa(x)) {
    const peers = reasons.get(x.na) ?? [];
    if (!peers.includes(peer)) peers.push(peer);
    reasons.set(x.na, peers);
    return x.na.startsWith('fails') ? 'fails' : 'n/a';
  }
  return typeof x === 'number' && x > 0 && x < 1 ? x.toPrecision(2) : fmt(x); // tfjs-cpu's gradients run at hundredths of a GFLOPS
}
const reasonLines = (reasons: Map<string, string[]>) =>
  reasons.size ? [...[...reasons].map(([why, who]) => `- ${who.join(', ')}: ${why}`), ''] : [];
const all2 = `nabla-wasm ${allT}`;
const gemmRatio = (row: string, peer: string) => {
  const conv = results.conv[row]?.[peer];
  const gemm = results.gemm[row]?.[peer];
  return typeof conv === 'number' && gemm ? gemm / conv : null;
};
if (Object.keys(results.conv).length) {
  const reasons = new Map<string, string[]>();
  const cols = convPeers(results.conv);
  const gemmCols = [...new Set(Object.values(results.gemm).flatMap((r) => Object.keys(r)))];
  md.push('## 6. conv2d forward + backward (input, weight and bias gradients), GFLOPS', '');
  md.push(
    'FLOPs = 3 × 2·N·outC·outH·outW·(inC/groups)·kH·kW (the forward and the two gradient products). Inputs NCHW for nabla and torch;' +
      ' tfjs takes NHWC images and [kH, kW, in, out] filters, so its inputs are transposed beforehand (untimed), and it runs `tf.conv2d`' +
      ' (depthwise: `tf.depthwiseConv2d`) plus the bias inside `tf.variableGrads` of the sum. torch runs `F.conv2d` and `y.sum().backward()`.' +
      ` GEMM = the same-size plain product [N·outH·outW, (inC/groups)·kH·kW]·[(inC/groups)·kH·kW, outC/groups] on nabla-wasm (one group's, for depthwise);` +
      ' GEMM/conv is how many times faster that product runs than the convolution per FLOP (issue 10: ≤ 1.3).',
    '',
  );
  md.push(
    table(
      [
        'x → outC, kernel',
        ...cols,
        ...gemmCols.map((c) => `GEMM ${c}`),
        ...gemmCols.map((c) => `GEMM/conv ${c.replace('nabla-wasm ', '')}`),
      ],
      convCases.map((c) => {
        const row = convLabel(c);
        const r = results.conv[row] ?? {};
        return [
          row,
          ...cols.map((p) => cellText(r[p], p, reasons)),
          ...gemmCols.map((p) => cellText(results.gemm[row]?.[p], p, reasons)),
          ...gemmCols.map((p) => fmt(gemmRatio(row, p), 2)),
        ];
      }),
    ),
    '',
  );
  if (cols.includes('tfjs-cpu'))
    md.push(
      `tfjs-cpu is timed at batch ${tfCpuConvBatch} instead of ${convCases[0].n}, one run, in round 1 only (its gradient kernels take minutes at batch ${convCases[0].n}).`,
      '',
    );
  md.push(...reasonLines(reasons));
  const fwdReasons = new Map<string, string[]>();
  const fcols = convPeers(results.convFwd);
  md.push(
    '### conv2d forward alone, GFLOPS (2·N·outC·outH·outW·(inC/groups)·kH·kW; nabla under noGrad, torch under no_grad)',
    '',
  );
  md.push(
    table(
      ['x → outC, kernel', ...fcols],
      convCases.map((c) => {
        const row = convLabel(c);
        return [row, ...fcols.map((p) => cellText(results.convFwd[row]?.[p], p, fwdReasons))];
      }),
    ),
    '',
  );
  md.push(...reasonLines(fwdReasons));
}
if (Object.keys(results.cnn).length) {
  const reasons = new Map<string, string[]>();
  const rate = (p: string) => {
    const r = results.cnn[p];
    return r && !isNa(r) ? r.samplesPerSec : null;
  };
  const vs = ['tfjs-wasm', 'torch 1t', `torch ${cores}t`];
  md.push(
    `## 7. CNN training, samples/s (batch ${cnn.batch}, Adam lr ${cnn.lr}, ${cnnSteps} timed steps after ${cnn.warmup} warm-up steps, median over chunks of ${cnn.chunk})`,
    '',
  );
  md.push(
    'conv(1→32, 3×3, pad 1) → BatchNorm2d → ReLU → MaxPool 2 → conv(32→64, 3×3, pad 1) → BN → ReLU → MaxPool 2 → Dropout(0.25) → Flatten →' +
      ' Linear(3136→128) → ReLU → Linear(128→10), cross-entropy, on the 8,000 training digits as [N,1,28,28] in their fixed order. nabla: `nn.Sequential` of' +
      " those layers and `optim.Adam`; tfjs: the same model in `tf.layers` (NHWC, softmax + categoricalCrossentropy, `model.fit`, BN momentum 0.9 = torch's 0.1);" +
      ` torch: \`nn.Sequential\`, \`torch.optim.Adam\`, ${cores} threads with OMP_WAIT_POLICY=PASSIVE. Each peer starts from its own initialisation: the loss is a sanity check, not a comparison.`,
    '',
  );
  md.push(
    table(
      ['peer', 'samples/s', 'loss after the last step', ...vs.map((v) => `× ${v}`)],
      Object.entries(results.cnn).map(([p, r]) => [
        p,
        isNa(r) ? cellText(r, p, reasons) : fmt(r.samplesPerSec, 0),
        isNa(r) ? '—' : fmt(r.finalLoss, 4),
        ...vs.map((v) => fmt(ratio(rate(p), rate(v)), 2)),
      ]),
    ),
    '',
  );
  if (webgpuPeers.length)
    md.push(
      `The webgpu peers run 1 warm-up step and ${webgpuSteps.cnn} timed steps (median over chunks of 1), when a step fits in bench/webgpu.ts' --max-step-s at the peer's 256³ GEMM rate.`,
      '',
    );
  md.push(...reasonLines(reasons));
}

// ---- the targets, as ratios within this run ----
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
  rows.push(
    target('matmul 512³ transposed, 1 thread vs tfjs-wasm transposed (worst of tA/tB each)', ratio(oursT, tfT), 15),
  );
  rows.push(
    target('matmul 512³, 1 thread vs numpy (OpenBLAS) 1 thread', ratio(one, mm('512x512x512 plain', 'numpy 1t')), 0.8),
  );
  rows.push(target(`matmul 512³, all ${cores} threads vs 1 thread`, ratio(mm('512x512x512 plain', all), one), 1.8));
}
for (const w of Object.keys(results.train)) {
  const r = results.train[w];
  rows.push(
    target(
      `${w} training, 1 thread vs tfjs-wasm`,
      ratio(r['nabla-wasm 1t']?.samplesPerSec, r['tfjs-wasm']?.samplesPerSec),
      10,
    ),
  );
  rows.push(
    target(
      `${w} training, 1 thread vs torch 1 thread`,
      ratio(r['nabla-wasm 1t']?.samplesPerSec, r['torch 1t']?.samplesPerSec),
      1,
    ),
  );
  rows.push(
    target(
      `${w} training, ${cores} threads vs torch ${cores} threads`,
      ratio(r[all]?.samplesPerSec, r[`torch ${cores}t`]?.samplesPerSec),
      1,
    ),
  );
  const best = (names: string[]) => Math.max(...names.map((n) => r[n]?.samplesPerSec ?? 0)) || null;
  rows.push(
    target(
      `${w} training, best nabla-wasm vs best torch (any thread count)`,
      ratio(best(['nabla-wasm 1t', all]), best(['torch 1t', `torch ${cores}t`])),
      1,
    ),
  );
  const acc = r['nabla-wasm 1t']?.accuracy;
  const tacc = r['torch 1t']?.accuracy;
  if (acc != null && tacc != null) {
    const d = Math.abs(acc - tacc) * 100;
    rows.push(
      `| ${w} test accuracy vs torch | ${(acc * 100).toFixed(2)}% vs ${(tacc * 100).toFixed(2)}% | within 1 point | ${d <= 1 ? 'holds' : 'does not hold'} |`,
    );
  }
}
if (Object.keys(results.tiny).length) {
  rows.push(
    target(
      'tiny MLP steps/s vs tfjs-cpu',
      ratio(results.tiny['nabla-wasm 1t']?.stepsPerSec, results.tiny['tfjs-cpu']?.stepsPerSec),
      3,
    ),
  );
  rows.push(
    target(
      'tiny MLP steps/s vs torch 1 thread',
      ratio(results.tiny['nabla-wasm 1t']?.stepsPerSec, results.tiny['torch 1t']?.stepsPerSec),
      1,
    ),
  );
}
if (rows.length && peers.length) {
  md.push('## Targets of issue 5 (ratios in this run; nabla-wasm, the default where the native addon is absent)', '');
  md.push('| target | measured | needed | |', '| --- | --- | --- | --- |', ...rows, '');
}

// The native backend's targets, against OpenBLAS (numpy) and PyTorch.
const nativeRows: string[] = [];
const nat = `nabla-native ${allT}`;
if (results.matmul['512x512x512 plain']?.['nabla-native 1t'] !== undefined) {
  for (const row of ['512x512x512 plain', '64x784x128 plain', '64x784x128 tA', '64x784x128 tB']) {
    nativeRows.push(
      target(
        `matmul ${row}, native 1 thread vs numpy 1 thread`,
        ratio(mm(row, 'nabla-native 1t'), mm(row, 'numpy 1t')),
        0.8,
      ),
    );
    nativeRows.push(
      target(
        `matmul ${row}, native ${cores} threads vs numpy ${cores} threads`,
        ratio(mm(row, nat), mm(row, `numpy ${cores}t`)),
        0.8,
      ),
    );
  }
}
for (const w of Object.keys(results.train)) {
  const r = results.train[w];
  if (!r['nabla-native 1t']) continue;
  nativeRows.push(
    target(
      `${w} training, native 1 thread vs torch 1 thread`,
      ratio(r['nabla-native 1t']?.samplesPerSec, r['torch 1t']?.samplesPerSec),
      1.2,
    ),
  );
  nativeRows.push(
    target(
      `${w} training, native ${cores} threads vs torch ${cores} threads`,
      ratio(r[nat]?.samplesPerSec, r[`torch ${cores}t`]?.samplesPerSec),
      1.2,
    ),
  );
  const acc = r['nabla-native 1t']?.accuracy;
  const tacc = r['torch 1t']?.accuracy;
  if (acc != null && tacc != null) {
    const d = Math.abs(acc - tacc) * 100;
    nativeRows.push(
      `| ${w} test accuracy, native vs torch | ${(acc * 100).toFixed(2)}% vs ${(tacc * 100).toFixed(2)}% | within 1 point | ${d <= 1 ? 'holds' : 'does not hold'} |`,
    );
  }
}
if (results.tiny['nabla-native 1t']) {
  nativeRows.push(
    target(
      'tiny MLP steps/s, native 1 thread vs torch 1 thread',
      ratio(results.tiny['nabla-native 1t']?.stepsPerSec, results.tiny['torch 1t']?.stepsPerSec),
      2,
    ),
  );
}
for (const [batch, need] of [
  ['256', 1],
  ['1', 2],
] as const) {
  const r = results.inference[batch];
  if (r?.['nabla-native 1t'] !== undefined)
    nativeRows.push(
      target(
        `inference batch ${batch}, native 1 thread vs torch 1 thread (latency ratio torch/native)`,
        ratio(r['torch 1t'], r['nabla-native 1t']),
        need,
      ),
    );
}
if (nativeRows.length) {
  md.push('## Targets of issue 12 (the native backend; ratios in this run)', '');
  md.push('| target | measured | needed | |', '| --- | --- | --- | --- |', ...nativeRows, '');
}

// nabla-wasm's targets at the 128-bit limit, against tfjs-wasm (XNNPACK) and PyTorch.
// The share of a 784-128-10 step spent outside the GEMM kernels comes from `npm run bench:split`.
const wasmRows: string[] = [];
for (const size of ['64x784x128', '256x256x256', '512x512x512']) {
  const tf = mm(`${size} plain`, 'tfjs-wasm');
  for (const [v] of variants)
    wasmRows.push(
      target(
        `matmul ${size} ${v}, nabla-wasm 1 thread vs tfjs-wasm's plain product`,
        ratio(mm(`${size} ${v}`, 'nabla-wasm 1t'), tf),
        1.1,
      ),
    );
}
for (const size of ['256x256x256', '512x512x512', '1024x1024x1024']) {
  for (const [v] of variants)
    wasmRows.push(
      target(
        `matmul ${size} ${v}, nabla-wasm ${cores} threads vs 1 thread`,
        ratio(mm(`${size} ${v}`, all), mm(`${size} ${v}`, 'nabla-wasm 1t')),
        1.8,
      ),
    );
}
for (const [w, need] of [
  [mlpSmall.name, 8],
  [mlpLarge.name, 12],
] as const) {
  const r = results.train[w];
  if (r)
    wasmRows.push(
      target(
        `${w} training, nabla-wasm 1 thread vs tfjs-wasm`,
        ratio(r['nabla-wasm 1t']?.samplesPerSec, r['tfjs-wasm']?.samplesPerSec),
        need,
      ),
    );
}
if (Object.keys(results.tiny).length) {
  wasmRows.push(
    target(
      'tiny MLP steps/s, nabla-wasm 1 thread vs torch 1 thread',
      ratio(results.tiny['nabla-wasm 1t']?.stepsPerSec, results.tiny['torch 1t']?.stepsPerSec),
      2.5,
    ),
  );
}
if (peers.length && wasmRows.some((r) => !r.endsWith('not measured |'))) {
  md.push('## Targets of issue 13 (nabla-wasm at the 128-bit limit; ratios in this run)', '');
  md.push('| target | measured | needed | |', '| --- | --- | --- | --- |', ...wasmRows, '');
  md.push(
    'The share of a 784-128-10 training step spent outside the GEMM kernels (target ≤ 12%) is measured by `npm run bench:split`.',
    '',
  );
}

const cnnRows: string[] = [];
const report = (what: string, got: number | null) =>
  `| ${what} | ${got === null ? '—' : got.toFixed(2) + '×'} | report | ${got === null ? 'not measured' : ''} |`;
if (Object.keys(results.conv).length) {
  const flat = convCases.filter((c) => c.groups === 1).map(convLabel);
  for (const p of ['nabla-wasm 1t', all2]) {
    const rs = flat.map((row) => gemmRatio(row, p));
    const worst = rs.some((r) => r === null) ? null : Math.max(...(rs as number[]));
    cnnRows.push(
      worst === null
        ? `| conv2d fwd+bwd within 1.3× of the same-size plain GEMM, ${p} (worst groups = 1 case) | — | ≤ 1.3× | not measured |`
        : `| conv2d fwd+bwd within 1.3× of the same-size plain GEMM, ${p} (worst groups = 1 case) | ${worst.toFixed(2)}× | ≤ 1.3× | ${worst <= 1.3 ? 'holds' : 'does not hold'} |`,
    );
  }
}
if (Object.keys(results.cnn).length) {
  const rate = (p: string) => {
    const r = results.cnn[p];
    return r && !isNa(r) ? r.samplesPerSec : null;
  };
  const best = (names: string[]) => Math.max(...names.map((n) => rate(n) ?? 0)) || null;
  cnnRows.push(
    target(
      'CNN training, 1 thread vs tfjs-wasm as users write it',
      ratio(rate('nabla-wasm 1t'), rate('tfjs-wasm')),
      10,
    ),
  );
  cnnRows.push(report('CNN training, 1 thread vs torch 1 thread', ratio(rate('nabla-wasm 1t'), rate('torch 1t'))));
  cnnRows.push(
    report(`CNN training, ${cores} threads vs torch ${cores} threads`, ratio(rate(all2), rate(`torch ${cores}t`))),
  );
  cnnRows.push(
    report(
      'CNN training, best nabla-wasm vs best torch',
      ratio(best(['nabla-wasm 1t', all2]), best(['torch 1t', `torch ${cores}t`])),
    ),
  );
}
if (cnnRows.length && peers.length) {
  md.push('## Targets of issue 10 (ratios in this run)', '');
  md.push('| target | measured | needed | |', '| --- | --- | --- | --- |', ...cnnRows, '');
  const tfw = results.cnn['tfjs-wasm'];
  if (isNa(tfw))
    md.push(
      `tfjs-wasm cannot train this CNN (${tfw.na}), so the ratio to it is not measured; its forward pass runs (section 6).`,
      '',
    );
}

// The GPT rows come from bench/gpt.ts, in a process of its own (it loads tfjs' wasm backend afresh).
if (only.has('gpt') && peers.length) {
  log('GPT training and generation (bench/gpt.ts) ...');
  md.push(
    execFileSync(process.execPath, [fileURLToPath(new URL('./gpt.js', import.meta.url)), '--section'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
}

// The LSTM rows come from bench/lstm.ts, likewise in a process of its own.
if (only.has('lstm') && peers.length) {
  log('LSTM training and generation (bench/lstm.ts) ...');
  md.push(
    execFileSync(process.execPath, [fileURLToPath(new URL('./lstm.js', import.meta.url)), '--section'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
}

// ---- the webgpu peers side by side ----
if (webgpuPeers.length) {
  const ran = Object.entries(webgpu).filter((e): e is [string, WebgpuOut] => !isNa(e[1]));
  md.push('## WebGPU: nabla-webgpu next to tfjs-webgpu on the same adapter (issue 16)', '');
  const adapters = [...new Set(ran.map(([, w]) => w.adapter))];
  md.push(
    `Adapter: ${adapters.join(' / ') || 'none (no webgpu peer ran)'} (${webgpuDriver}); CPU: ${cpu}, ${cores} cores.` +
      ' Both peers run in child processes (bench/webgpu.ts) on the adapter of one `create([])` GPU object of the `webgpu` package (Dawn) each.' +
      (adapters.some((a) => /swiftshader/i.test(a))
        ? ' SwiftShader is a software Vulkan driver on the CPU: these figures check that the workloads run and give ratios between the two libraries; a GPU will give other ones.'
        : ''),
    '',
  );
  for (const [n, w] of ran) md.push(`- ${n}: ${w.backend}.`);
  md.push('');
  const val = (n: string, f: (w: WebgpuOut) => number | NotRun | undefined | null): number | NotRun | null => {
    const w = webgpu[n];
    if (!w) return null;
    if (isNa(w)) return w;
    return f(w) ?? null;
  };
  const reasons = new Map<string, string[]>();
  const cellOf = (x: number | NotRun | null, peer: string, digits: number) =>
    isNa(x) ? cellText(x, peer, reasons) : typeof x === 'number' && x < 1 ? x.toPrecision(2) : fmt(x, digits);
  const ratioOf = (a: number | NotRun | null, b: number | NotRun | null) =>
    typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(2)}×` : '—';
  const rowsW: [string, (w: WebgpuOut) => number | NotRun | undefined | null, number][] = [];
  const mmRows = [...new Set(ran.flatMap(([, w]) => Object.keys(w.matmul)))].filter((row) =>
    ran.some(([, w]) => typeof w.matmul[row] === 'number'),
  );
  for (const row of mmRows) rowsW.push([`matmul ${row}, GFLOPS`, (w) => w.matmul[row], 3]);
  for (const spec of [mlpSmall, mlpLarge])
    rowsW.push([
      `MLP ${spec.name} training (batch ${spec.batch}), samples/s`,
      (w) => w.train[spec.name]?.samplesPerSec,
      0,
    ]);
  rowsW.push([
    `CNN training (batch ${cnn.batch}), samples/s`,
    (w) => (w.cnn ? (isNa(w.cnn) ? w.cnn : w.cnn.samplesPerSec) : null),
    1,
  ]);
  rowsW.push([
    "GPT training (bench/gpt.ts' config), tokens/s",
    (w) => (w.gpt ? (isNa(w.gpt) ? w.gpt : w.gpt.tokensPerSec) : null),
    1,
  ]);
  md.push(
    table(
      ['workload', 'nabla-webgpu', 'tfjs-webgpu', 'nabla / tfjs'],
      rowsW.map(([what, f, d]) => {
        const a = val('nabla-webgpu', f);
        const b = val('tfjs-webgpu', f);
        return [what, cellOf(a, 'nabla-webgpu', d), cellOf(b, 'tfjs-webgpu', d), ratioOf(a, b)];
      }),
    ),
    '',
  );
  md.push(...reasonLines(reasons));
  const gptNote = ran
    .map(([n, w]) =>
      w.gpt && !isNa(w.gpt)
        ? `${n} ${w.gpt.steps} timed steps after 1 warm-up (loss ${w.gpt.finalLoss.toFixed(3)})`
        : null,
    )
    .filter(Boolean);
  md.push(
    `GPT: ${gptConfig.layers} layers, ${gptConfig.heads} heads, dim ${gptConfig.dim}, context ${gptConfig.context}, batch ${gptConfig.batch}, AdamW with clipGradNorm 1 as bench/gpt.ts; ${gptNote.join('; ') || 'not run'}.` +
      ' nabla-webgpu reads the loss and the gradients once per step (clipGradNorm sums the gradients on the host, so they must be read first on a device).',
    '',
  );
  const nw = webgpu['nabla-webgpu'];
  if (nw && !isNa(nw)) {
    const fb = Object.entries(nw.fallbacks ?? {});
    md.push(
      `nabla-webgpu ran ${fb.length ? `these kernels on the host (backendInfo().fallbacks): ${fb.map(([k, f]) => `${k} ×${f.count} (${f.reason})`).join(', ')}` : 'every kernel on the device (backendInfo().fallbacks is empty)'}` +
        (nw.memory ? `; device memory at the end: ${JSON.stringify(nw.memory)}` : '') +
        '.',
      '',
    );
  }
}

const text = md.join('\n');
writeFileSync(`${opts.out}.tmp`, text);
renameSync(`${opts.out}.tmp`, opts.out!);
process.stdout.write(text + '\n');
log(`wrote ${opts.out}`);
process.exit(0); // tfjs and idle worker threads would otherwise linger
