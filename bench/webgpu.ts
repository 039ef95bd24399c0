// The webgpu peers of `npm run bench -- --peers webgpu`: nabla's webgpu backend and
// TensorFlow.js' (@tensorflow/tfjs-backend-webgpu), each in a process of its own started by
// bench/run.ts, which merges the JSON this prints into its tables.
//
// Why a child process: Dawn (the `webgpu` package) loads libvulkan.so.1 and, without a GPU, the
// SwiftShader driver named by VK_ICD_FILENAMES; both must be in the environment before Node
// starts (LD_LIBRARY_PATH cannot be changed from inside), so run.ts sets them for this child, as
// it runs the relaxed-SIMD column in a child with its flag. One peer per process: a Dawn crash
// costs one peer's figures, not the run's, and neither library's device shares a process with the
// other's. Both take the adapter from the same `create([])` GPU object of the `webgpu` package,
// published as navigator.gpu (nabla's backend uses navigator.gpu when there is one), so both run
// on the adapter named in the output. The GPU object stays referenced for the whole process
// (Dawn-node crashes when it is garbage-collected while a device lives).
//
// Workloads (what run.ts's tables have, capped for a software adapter, where the GEMM runs at
// tenths of a GFLOPS): the matmul table up to --max-size (default 256, so 64×784×128, 128³ and
// 256³) in the three transposition variants; MLP training, --mlp-steps timed steps after 2 warm-up
// steps; the CNN and GPT training rows with 1 warm-up step and up to --cnn-steps / --gpt-steps
// timed steps, stopping once the timed steps have taken --max-step-s, and run only when a step
// would take at most --max-step-s at this peer's measured 256³ GEMM rate (otherwise "not run" with
// that estimate; the convolutions run slower than the GEMM, so the estimate is a lower bound). Every read is asynchronous: nabla's loops read
// once per step (bench/nabla.ts), tfjs' use `await t.data()`.
//
//   node dist/bench/webgpu.js --peer nabla-webgpu|tfjs-webgpu [--only matmul,train,cnn,gpt]
//        [--max-size 256] [--mlp-steps 8] [--cnn-steps 2] [--gpt-steps 2] [--max-step-s 90]

import { parseArgs } from 'node:util';
import { create, globals } from 'webgpu';
import { backendInfo, manualSeed, nn, optim, readAll, setBackend, tensor } from '../src/index.js';
import { loadMnist } from './data.js';
import {
  cnn,
  convCases,
  convFlops,
  gptBatches,
  gptConfig,
  initialWeights,
  mlpLarge,
  mlpSmall,
  type TrainSpec,
} from './models.js';
import * as nb from './nabla.js';
import { median, randomArray } from './util.js';

const { values: opts } = parseArgs({
  options: {
    peer: { type: 'string' },
    only: { type: 'string', default: 'matmul,train,cnn,gpt' },
    'max-size': { type: 'string', default: '256' },
    'mlp-steps': { type: 'string', default: '8' },
    'cnn-steps': { type: 'string', default: '2' },
    'gpt-steps': { type: 'string', default: '2' },
    'max-step-s': { type: 'string', default: '90' },
  },
});
const peer = opts.peer as 'nabla-webgpu' | 'tfjs-webgpu';
if (peer !== 'nabla-webgpu' && peer !== 'tfjs-webgpu')
  throw new Error(`webgpu.ts: --peer must be nabla-webgpu or tfjs-webgpu, got ${opts.peer}`);
const only = new Set(opts.only!.split(','));
const maxStepS = Number(opts['max-step-s']);
const log = (s: string) => process.stderr.write(`${s}\n`);

/** A figure that could not be measured, and why (run.ts lists the reason under its table). */
type NotRun = { na: string };
export interface WebgpuOut {
  peer: string;
  adapter: string;
  backend: string; // what the peer says of itself (nabla: backendInfo().adapter; tfjs: its backend and adapter info)
  matmul: Record<string, number | NotRun>; // row → GFLOPS
  train: Record<string, nb.TrainResult>;
  cnn?: nb.CnnResult | NotRun;
  gpt?: { tokensPerSec: number; finalLoss: number; steps: number } | NotRun;
  fallbacks?: Record<string, { count: number; reason: string }>;
  memory?: unknown;
  notes: string[];
}

// ---- the GPU object, shared by whichever library runs here, referenced for the process's life ----
Object.assign(globalThis, globals);
const gpu = create([]);
(globalThis as { navigator?: unknown }).navigator = { gpu };
(globalThis as { __nablaBenchGpu?: GPU }).__nablaBenchGpu = gpu;
const adapterInfo = await gpu.requestAdapter();
if (!adapterInfo)
  throw new Error(
    'no WebGPU adapter (VK_ICD_FILENAMES and LD_LIBRARY_PATH must name a Vulkan driver before Node starts; see docs/webgpu.md)',
  );
const info = adapterInfo.info;
const adapter =
  [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') +
  (adapterInfo.isFallbackAdapter ? ' (fallback adapter)' : '');

const out: WebgpuOut = { peer, adapter, backend: '', matmul: {}, train: {}, notes: [] };
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const gflops = (m: number, k: number, n: number, ms: number) => (2 * m * k * n) / ms / 1e6;

// The same inputs as run.ts's matmul table (seeds 10 + i, 20 + i over its size list).
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

// FLOPs of one training step, for the "would take about … s" estimates.
const cnnStepFlops = 3 * (convFlops(convCases[0]) + convFlops(convCases[1])) + 6 * (3136 * 128 + 128 * 10) * cnn.batch;
const { layers: L, dim: E, context: T, batch: B, vocab: V } = gptConfig;
const gptStepFlops = 6 * (L * 12 * E * E + E * V) * B * T + 3 * L * 4 * B * T * T * E;

// ---- the peer's side of each workload ----
interface Side {
  setup(): Promise<string>;
  matmul(
    a: Float32Array,
    b: Float32Array,
    m: number,
    k: number,
    n: number,
    tA: boolean,
    tB: boolean,
  ): Promise<number[]>;
  train(spec: TrainSpec, steps: number): Promise<nb.TrainResult>;
  cnn(steps: number, budgetMs: number): Promise<nb.CnnResult>;
  gpt?(steps: number, budgetMs: number): Promise<{ tokensPerSec: number; finalLoss: number; steps: number }>;
}
const mnist = only.has('train') || only.has('cnn') ? loadMnist() : null;

/** Tokens/s of GPT steps (each returning its loss): one warm-up step, then up to `steps` timed within `budgetMs`. */
async function timeGptSteps(step: (i: number) => Promise<number>, steps: number, budgetMs: number) {
  await step(0);
  const times: number[] = [];
  let last = NaN;
  for (let i = 0; i < steps && sum(times) < budgetMs; i++) {
    const t0 = performance.now();
    last = await step(i + 1);
    times.push(performance.now() - t0);
  }
  return { tokensPerSec: (B * T) / (median(times) / 1000), finalLoss: last, steps: times.length };
}

const nablaSide: Side = {
  async setup() {
    await setBackend('webgpu');
    return `nabla webgpu on ${backendInfo().adapter}`;
  },
  matmul: (a, b, m, k, n, tA, tB) => nb.matmulTimesDevice(a, b, m, k, n, tA, tB),
  train: (spec, steps) => nb.train(spec, initialWeights(spec.sizes), mnist!, 1, steps, 2),
  cnn: (steps, budgetMs) => nb.cnnTrain(mnist!, steps, 1, 1, budgetMs),
  async gpt(steps, budgetMs) {
    // bench/gpt.ts' step (AdamW, clipGradNorm 1), one read per step through DeviceScope. clipGradNorm
    // sums the gradients on the host (normAccumulate), which on a device needs them read first:
    // the step reads the loss and the gradients together, then clips and updates.
    manualSeed(1);
    const model = new nn.GPT({ vocabSize: V, contextLength: T, embedDim: E, numLayers: L, numHeads: gptConfig.heads });
    const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.1 });
    const data = gptBatches(4).map((bt) => ({ x: tensor(bt.x), y: tensor(bt.y) }));
    const params = model.parameters();
    const scope = new nb.DeviceScope(() => [
      ...opt.stateCells(),
      ...params.flatMap((p) => (p.grad ? [p.grad.cell] : [])),
    ]);
    const step = async (i: number) => {
      const { x, y } = data[i % data.length];
      const { values } = await scope.step(
        () => {
          opt.zeroGrad();
          const loss = nn.crossEntropy(model.forward(x), y);
          loss.backward();
          return loss;
        },
        (loss) => [loss, ...params.flatMap((p) => (p.grad ? [p.grad] : []))],
      );
      optim.clipGradNorm(params, 1);
      opt.step();
      return values[0][0];
    };
    const r = await timeGptSteps(step, steps, budgetMs);
    await readAll(params); // the last update has run
    return r;
  },
};

async function tfjsSide(): Promise<Side> {
  const tf = await import('@tensorflow/tfjs');
  const tfb = await import('./tfjs.js');
  return {
    async setup() {
      // Imported after navigator.gpu exists: the package registers its backend only if it sees one.
      await import('@tensorflow/tfjs-backend-webgpu');
      tf.env().set('WEBGPU_CPU_FORWARD', false); // else it runs small ops on the CPU
      if (!(await tf.setBackend('webgpu'))) throw new Error("tfjs: setBackend('webgpu') failed");
      await tf.ready();
      const ai = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
      return `tfjs ${tf.version.tfjs} webgpu (adapter info: ${[ai?.vendor, ai?.architecture].filter(Boolean).join(' ') || 'none'}; WEBGPU_CPU_FORWARD false)`;
    },
    matmul: (a, b, m, k, n, tA, tB) => tfb.matmulTimesAsync(a, b, m, k, n, tA, tB),
    train: (spec, steps) => tfb.trainAsync(spec, initialWeights(spec.sizes), mnist!, 1, steps, 2),
    cnn: (steps, budgetMs) => tfb.cnnTrain(mnist!, steps, 1, 1, budgetMs),
    async gpt(steps, budgetMs) {
      // bench/gpt.ts' tfjs GPT (bench/gpt-tfjs.ts), its embedding by tf.gather as users write it,
      // else (when its gradient is missing, as on wasm) by the one-hot product; await data() per step.
      const { tfjsGpt } = await import('./gpt-tfjs.js');
      for (const oneHot of [false, true]) {
        const model = tfjsGpt(oneHot);
        try {
          const step = async (i: number) => {
            const loss = model.step(i);
            const v = (await loss.data())[0];
            loss.dispose();
            return v;
          };
          const r = await timeGptSteps(step, steps, budgetMs);
          if (oneHot) out.notes.push('GPT: tf.gather failed, timed with the one-hot embedding product');
          return r;
        } catch (e) {
          if (oneHot) throw e;
          log(`tfjs-webgpu GPT with tf.gather: ${errorText(e)}; trying the one-hot embedding`);
        } finally {
          model.dispose();
        }
      }
      throw new Error('unreachable');
    },
  };
}

const side = peer === 'nabla-webgpu' ? nablaSide : await tfjsSide();
out.backend = await side.setup();
log(`${peer}: ${out.backend}; adapter ${adapter}`);

if (only.has('matmul') || only.has('cnn') || only.has('gpt')) {
  const maxSize = Number(opts['max-size']);
  for (const [i, [m, k, n]] of matmulSizes.entries()) {
    const a = randomArray(m * k, 10 + i);
    const b = randomArray(k * n, 20 + i);
    for (const [v, tA, tB] of variants) {
      const row = `${m}x${k}x${n} ${v}`;
      if (m * k * n > maxSize ** 3) {
        out.matmul[row] = {
          na: `not run: products larger than ${maxSize}³ (--max-size) take seconds each on a software adapter`,
        };
        continue;
      }
      if (!only.has('matmul') && row !== '256x256x256 plain') continue; // the rate the step estimates need
      try {
        const ms = median(await side.matmul(a, b, m, k, n, tA, tB));
        out.matmul[row] = gflops(m, k, n, ms);
        log(`${peer} matmul ${row}: ${gflops(m, k, n, ms).toFixed(3)} GFLOPS`);
      } catch (e) {
        out.matmul[row] = { na: `fails: ${errorText(e)}` };
        log(`${peer} matmul ${row}: ${errorText(e)}`);
      }
    }
  }
}
const rate256 = typeof out.matmul['256x256x256 plain'] === 'number' ? out.matmul['256x256x256 plain'] : null;
/** null when a step of `flops` fits in --max-step-s at this peer's 256³ GEMM rate, else why not. */
const tooSlow = (flops: number): NotRun | null => {
  if (rate256 === null) return null;
  const s = flops / (rate256 * 1e9);
  return s > maxStepS
    ? {
        na: `not run: at its 256³ GEMM rate here (${rate256.toFixed(3)} GFLOPS) one step (${(flops / 1e9).toFixed(1)} GFLOP) would take about ${s.toFixed(0)} s (limit --max-step-s ${maxStepS})`,
      }
    : null;
};

if (only.has('train')) {
  for (const spec of [mlpSmall, mlpLarge]) {
    const steps =
      spec === mlpSmall ? Number(opts['mlp-steps']) : Math.max(2, Math.round(Number(opts['mlp-steps']) / 4));
    try {
      const r = await side.train(spec, steps);
      out.train[spec.name] = r;
      log(`${peer} train ${spec.name}: ${r.samplesPerSec.toFixed(0)} samples/s (${steps} steps)`);
    } catch (e) {
      out.notes.push(`${spec.name} training fails: ${errorText(e)}`);
      log(`${peer} train ${spec.name}: ${errorText(e)}`);
    }
  }
}
if (only.has('cnn')) {
  const steps = Number(opts['cnn-steps']);
  const skip = tooSlow(cnnStepFlops);
  try {
    out.cnn = skip ?? (await side.cnn(steps, maxStepS * 1000));
  } catch (e) {
    out.cnn = { na: `fails: ${errorText(e)}` };
  }
  log(`${peer} CNN: ${JSON.stringify(out.cnn)}`);
}
if (only.has('gpt')) {
  const steps = Number(opts['gpt-steps']);
  const skip = tooSlow(gptStepFlops);
  try {
    out.gpt = skip ?? (side.gpt ? await side.gpt(steps, maxStepS * 1000) : { na: 'not written for this peer' });
  } catch (e) {
    out.gpt = { na: `fails: ${errorText(e)}` };
  }
  log(`${peer} GPT: ${JSON.stringify(out.gpt)}`);
}
if (peer === 'nabla-webgpu') {
  const bi = backendInfo();
  out.fallbacks = bi.fallbacks;
  out.memory = bi.memory;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
