// Learning-rate schedulers with torch.optim.lr_scheduler's semantics. Each step() sets
// Optimizer.lr. At construction, as in PyTorch, only OneCycleLR changes lr (to its step-0 value,
// about maxLr/divFactor); StepLR, ExponentialLR and CosineAnnealingLR start from the optimizer's
// lr unchanged (PyTorch's initial step returns the current lr at step 0) and ReduceLROnPlateau
// only ever changes it in step(). Epoch schedulers step once per epoch, OneCycleLR once per
// batch, ReduceLROnPlateau once per epoch with the monitored value.

import type { Optimizer } from './optimizer.js';
import { decodeCount, decodeNumber, encodeNumber, type JsonNumber } from './json-number.js';
import { showValue } from '../show.js';
import { checkHyper } from './hyper.js';

export interface SchedulerState {
  lastEpoch: number;
  baseLr: number;
  [key: string]: number | string | boolean;
}

export abstract class LRScheduler {
  readonly baseLr: number;
  /** Steps taken; PyTorch's last_epoch. */
  lastEpoch = 0;

  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }

  /** The learning rate at step `lastEpoch`. */
  protected abstract lrAt(t: number): number;

  step(): void {
    this.lastEpoch++;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
  }

  stateDict(): SchedulerState {
    return { lastEpoch: this.lastEpoch, baseLr: this.baseLr };
  }

  /** Restores the step count and base rate, validated first (the state may come from a file). */
  loadStateDict(s: SchedulerState): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (typeof s !== 'object' || s === null) throw new Error(`${name}: expected { lastEpoch, baseLr }, got ${showValue(s)}`);
    const lastEpoch = decodeCount(s.lastEpoch, `${name}: lastEpoch`);
    if (typeof s.baseLr !== 'number' || !Number.isFinite(s.baseLr) || s.baseLr < 0) {
      throw new Error(`${name}: baseLr: expected a finite non-negative number, got ${showValue(s.baseLr)}`);
    }
    this.checkSteps(lastEpoch, name);
    this.lastEpoch = lastEpoch;
    (this as { baseLr: number }).baseLr = s.baseLr;
  }

  /** A restored step count this schedule cannot reach is refused (OneCycleLR has a last step). */
  protected checkSteps(_lastEpoch: number, _name: string): void {}
}

/** lr = base · γ^⌊t / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    if (!Number.isInteger(options.stepSize) || options.stepSize <= 0) throw new Error(`StepLR: stepSize must be a positive integer, got ${options.stepSize}`);
    this.stepSize = options.stepSize;
    this.gamma = checkHyper('StepLR', 'gamma', options.gamma ?? 0.1);
  }
  protected lrAt(t: number): number {
    return this.baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/** lr = base · γ^t. */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly options: { gamma: number }) {
    super(optimizer);
    checkHyper('ExponentialLR', 'gamma', options.gamma);
  }
  protected lrAt(t: number): number {
    return this.baseLr * this.options.gamma ** t;
  }
}

/** lr = ηmin + (base − ηmin)(1 + cos(π t / tMax)) / 2 (PyTorch's recursive form equals this). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = checkHyper('CosineAnnealingLR', 'tMax', options.tMax, { minOpen: true });
    this.etaMin = checkHyper('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0);
  }
  protected lrAt(t: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

/**
 * The 1cycle policy, stepped once per batch: from maxLr/divFactor up to maxLr over
 * pctStart of the steps, then down to maxLr/(divFactor·finalDivFactor). The learning rate only:
 * as PyTorch with cycle_momentum=False.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: { end: number; start: number; to: number }[];
  private readonly anneal: (a: number, b: number, pct: number) => number;

  constructor(optimizer: Optimizer, options: OneCycleOptions) {
    const { maxLr, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = options;
    if (!Number.isInteger(totalSteps) || totalSteps <= 0) throw new Error(`OneCycleLR: totalSteps must be a positive integer, got ${totalSteps}`);
    if (!(pctStart >= 0 && pctStart <= 1)) throw new Error(`OneCycleLR: pctStart must be in [0, 1], got ${pctStart}`);
    checkHyper('OneCycleLR', 'maxLr', maxLr);
    checkHyper('OneCycleLR', 'divFactor', divFactor, { minOpen: true });
    checkHyper('OneCycleLR', 'finalDivFactor', finalDivFactor, { minOpen: true });
    const initial = maxLr / divFactor;
    const min = initial / finalDivFactor;
    // baseLr is the cycle's start, as PyTorch's base_lrs (initial_lr) for OneCycleLR.
    optimizer.lr = initial;
    super(optimizer);
    this.totalSteps = totalSteps;
    this.phases = options.threePhase
      ? [
          { end: pctStart * totalSteps - 1, start: initial, to: maxLr },
          { end: 2 * pctStart * totalSteps - 2, start: maxLr, to: initial },
          { end: totalSteps - 1, start: initial, to: min },
        ]
      : [
          { end: pctStart * totalSteps - 1, start: initial, to: maxLr },
          { end: totalSteps - 1, start: maxLr, to: min },
        ];
    this.anneal = options.annealStrategy === 'linear'
      ? (a, b, pct) => (b - a) * pct + a
      : (a, b, pct) => b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1);
    // PyTorch's initial step: the annealing formula at step 0, which can differ from `initial`
    // in the last bits.
    optimizer.lr = this.lrAt(0);
  }

  protected override checkSteps(lastEpoch: number, name: string): void {
    if (lastEpoch > this.totalSteps) throw new Error(`${name}: lastEpoch ${lastEpoch} is past totalSteps = ${this.totalSteps}`);
  }

  protected lrAt(t: number): number {
    if (t > this.totalSteps) throw new Error(`OneCycleLR: stepped ${t} times, more than totalSteps = ${this.totalSteps}`);
    let start = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const p = this.phases[i];
      if (t <= p.end || i === this.phases.length - 1) return this.anneal(p.start, p.to, (t - start) / (p.end - start));
      start = p.end;
    }
    throw new Error('unreachable');
  }
}

export interface PlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

export interface PlateauState {
  lastEpoch: number;
  /** The optimizer's current lr. */
  lr: number;
  /** Starts at ±Infinity, so it is encoded for JSON. */
  best: JsonNumber;
  numBadEpochs: number;
  cooldownCounter: number;
}

/** Multiplies lr by `factor` when the monitored value has not improved for `patience` steps. */
export class ReduceLROnPlateau {
  readonly options: Required<PlateauOptions>;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(readonly optimizer: Optimizer, options: PlateauOptions = {}) {
    this.options = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...options };
    if (!(this.options.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be < 1, got ${this.options.factor}`);
    const o = this.options;
    checkHyper('ReduceLROnPlateau', 'factor', o.factor, { max: 1, maxOpen: true });
    checkHyper('ReduceLROnPlateau', 'patience', o.patience, { integer: true });
    checkHyper('ReduceLROnPlateau', 'threshold', o.threshold);
    checkHyper('ReduceLROnPlateau', 'cooldown', o.cooldown, { integer: true });
    checkHyper('ReduceLROnPlateau', 'minLr', o.minLr);
    checkHyper('ReduceLROnPlateau', 'eps', o.eps);
    this.best = this.options.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold } = this.options;
    const best = this.best;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  step(metric: number): void {
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      const old = this.optimizer.lr;
      const next = Math.max(old * this.options.factor, this.options.minLr);
      if (old - next > this.options.eps) this.optimizer.lr = next;
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
  }

  stateDict(): PlateauState {
    return {
      lastEpoch: this.lastEpoch, lr: this.optimizer.lr, best: encodeNumber(this.best), numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter,
    };
  }

  /**
   * Restores the plateau tracking, validated first (it may come from a file); `lr` is for
   * reading only, the optimizer's own state restores lr.
   */
  loadStateDict(s: PlateauState): void {
    const where = (field: string) => `ReduceLROnPlateau.loadStateDict: ${field}`;
    if (typeof s !== 'object' || s === null) throw new Error(`ReduceLROnPlateau.loadStateDict: expected an object, got ${showValue(s)}`);
    const lastEpoch = decodeCount(s.lastEpoch, where('lastEpoch'));
    const best = decodeNumber(s.best, where('best'));
    const numBadEpochs = decodeCount(s.numBadEpochs, where('numBadEpochs'));
    const cooldownCounter = decodeCount(s.cooldownCounter, where('cooldownCounter'));
    Object.assign(this, { lastEpoch, best, numBadEpochs, cooldownCounter });
  }
}
