// The training session behind the worker: the loop, the snapshots and the message handling,
// with the message port passed in so Node tests can drive it without a Worker. While playing
// it trains in slices of ~12 ms, and between slices it yields (setTimeout) so messages get
// through; about 15 times a second it posts a snapshot for the views. The page never waits for it.

import { getBackend, setBackend } from '../../src/core.js';
import { Trainer } from './trainer.js';
import type { Config } from './config.js';
import type { Points } from './data.js';
import type { FromWorker, Snapshot, ToWorker } from './protocol.js';

const SLICE_MS = 12;
const SNAPSHOT_MS = 66;
const GRID = 48;

export type Post = (m: FromWorker, transfer?: Transferable[]) => void;

/**
 * A new session posting through post; returns the handler for the page's messages, whose promise
 * resolves once that message has been handled (after the work queued before it).
 */
export function startSession(post: Post): (m: ToWorker) => Promise<void> {
  let trainer: Trainer | null = null;
  let playing = false;
  let inspected: number | null = null;
  let speed: number | null = null;
  let lastSnapshot = 0;
  let rate = { steps: 0, time: 0, perSecond: 0 };
  // The one pending turn of the loop: Play, Pause, Step and errors replace or clear it, so
  // quick Pause/Play clicks never leave a second loop running.
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastStepAt = -Infinity;
  let lastConfig: { config: Config; csv?: Points } | null = null;
  // Everything that touches the trainer runs in order: on the WebGPU backend a step awaits the
  // device, and a message arriving meanwhile (Pause, a new setting) must wait for it.
  let work: Promise<void> = Promise.resolve();
  const serial = (f: () => void | Promise<void>): Promise<void> => (work = work.then(f).catch(fail));
  const cpuBackend = getBackend();

  function schedule(delay: number): void {
    stop();
    timer = setTimeout(() => {
      timer = null;
      serial(loop);
    }, delay);
  }

  function stop(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  /** After Play (or a turn of the loop): the next turn, no sooner than the speed allows. */
  const nextDelay = () => (speed === null ? 0 : Math.max(0, lastStepAt + 1000 / speed - performance.now()));

  function fail(e: unknown): void {
    playing = false;
    stop();
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }

  function reset(config: Config, csv?: Points): void {
    lastConfig = { config, csv };
    trainer = new Trainer(config, csv);
    rate = { steps: 0, time: performance.now(), perSecond: 0 };
    post({ type: 'reset', data: trainer.data, regression: trainer.regression, backend: getBackend() });
    snapshot(inspectNow());
  }

  function snapshot(capture: Snapshot['capture']): void {
    if (!trainer) return;
    const now = performance.now();
    if (now - rate.time > 500) {
      rate = { steps: trainer.steps, time: now, perSecond: ((trainer.steps - rate.steps) * 1000) / (now - rate.time) };
    }
    const { output, hidden } = trainer.grid(GRID);
    const weights = trainer.linears.map((l) => ({
      W: Float32Array.from(l.weight.data),
      b: Float32Array.from(l.bias!.data),
    }));
    const m: Snapshot = {
      type: 'snapshot',
      playing,
      steps: trainer.steps,
      epoch: trainer.epoch,
      trainLoss: trainer.evaluate(trainer.data.train),
      testLoss: trainer.evaluate(trainer.data.test),
      stepsPerSecond: playing ? rate.perSecond : 0,
      gridSize: GRID,
      output,
      hidden,
      weights,
      capture,
    };
    post(m, [output.buffer, ...hidden.map((h) => h.buffer), ...weights.flatMap((w) => [w.W.buffer, w.b.buffer])]);
    lastSnapshot = now;
  }

  /** The inspected layer's matrices of the last step (the one the weights shown came from), without training. */
  function inspectNow(): Snapshot['capture'] {
    return trainer && inspected !== null ? (trainer.capture()[inspected] ?? null) : null;
  }

  /** One step; the one before a snapshot records the backprop view's matrices. */
  async function stepOnce(forceSnapshot: boolean): Promise<void> {
    if (!trainer) return;
    lastStepAt = performance.now();
    const due = forceSnapshot || lastStepAt - lastSnapshot >= SNAPSHOT_MS;
    const { captures } = await trainer.step(due && inspected !== null);
    if (due) snapshot(captures && inspected !== null ? (captures[inspected] ?? null) : null);
  }

  async function loop(): Promise<void> {
    if (!playing || !trainer) return;
    try {
      if (speed !== null)
        await stepOnce(speed <= 20); // slow: every step is shown
      else {
        const start = performance.now();
        do await stepOnce(false);
        while (playing && performance.now() - start < SLICE_MS);
      }
    } catch (e) {
      fail(e);
      return;
    }
    if (playing) schedule(nextDelay());
  }

  /** Trains on the WebGPU backend (or back on the CPU one) from a fresh run of the same settings. */
  async function useWebGPU(on: boolean): Promise<void> {
    let error: string | undefined;
    try {
      await setBackend(on ? 'webgpu' : cpuBackend);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    post({ type: 'backend', backend: getBackend(), error });
    if (lastConfig) reset(lastConfig.config, lastConfig.csv);
  }

  return (m: ToWorker) => serial(() => handle(m));

  async function handle(m: ToWorker): Promise<void> {
    try {
      switch (m.type) {
        case 'config':
          reset(m.config, m.csv);
          break;
        case 'play':
          if (!playing) {
            playing = true;
            rate = { steps: trainer?.steps ?? 0, time: performance.now(), perSecond: 0 };
            schedule(nextDelay());
          }
          break;
        case 'pause':
          playing = false;
          stop();
          snapshot(inspectNow());
          break;
        case 'step':
          playing = false;
          stop();
          await stepOnce(true);
          break;
        case 'backend':
          await useWebGPU(m.webgpu);
          break;
        case 'speed':
          speed = m.stepsPerSecond;
          break;
        case 'inspect':
          inspected = m.layer;
          if (!playing) snapshot(inspectNow());
          break;
        case 'gradcheck':
          if (trainer) post({ type: 'gradcheck', result: trainer.gradcheck() });
          break;
        case 'stepLosses':
          post({ type: 'stepLosses', losses: trainer ? trainer.stepLosses.slice(0, m.count) : [] });
          break;
      }
    } catch (err) {
      fail(err);
    }
  }
}
