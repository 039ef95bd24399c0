// Messages between the page (main.ts) and the training worker (worker.ts).

import type { Config } from './config.js';
import type { Points, Split } from './data.js';
import type { GradcheckSummary, LayerCapture } from './trainer.js';

export type ToWorker =
  | { type: 'config'; config: Config; csv?: Points }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  /** Caps the training speed so a learner can follow each step; null: as fast as it goes. */
  | { type: 'speed'; stepsPerSecond: number | null }
  | { type: 'inspect'; layer: number | null }
  | { type: 'gradcheck' }
  | { type: 'stepLosses'; count: number }
  /** Train on the WebGPU backend (true) or on the CPU backend the worker started with; the run restarts. */
  | { type: 'backend'; webgpu: boolean };

export interface Snapshot {
  type: 'snapshot';
  playing: boolean;
  steps: number;
  epoch: number;
  trainLoss: number;
  testLoss: number;
  stepsPerSecond: number;
  gridSize: number;
  output: Float32Array;
  hidden: Float32Array[];
  /** Per Linear layer: W [in, out] row-major and b [out]. */
  weights: { W: Float32Array; b: Float32Array }[];
  capture: LayerCapture | null;
}

export type FromWorker =
  | { type: 'reset'; data: Split; regression: boolean; backend: string }
  | Snapshot
  | { type: 'gradcheck'; result: GradcheckSummary }
  | { type: 'stepLosses'; losses: number[] }
  /** The backend now active, and why WebGPU could not be used (when it could not). */
  | { type: 'backend'; backend: string; error?: string }
  | { type: 'error'; message: string };
