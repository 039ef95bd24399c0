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

/** A scheduler's state, as stateDict() gives it and loadStateDict() (and checkpoints) take it. */
export interface SchedulerState {
  /** Steps taken. */
  lastEpoch: number;
  /** The learning rate the schedule starts from. */
  baseLr: number;
  [key: string]: number | string | boolean;
}

/**
 * The base of the learning-rate schedulers (torch.optim.lr_scheduler.LRScheduler): each step()
 * sets the optimizer's lr to the schedule's value at the next step. Epoch schedulers (StepLR,
 * ExponentialLR, CosineAnnealingLR) step once per epoch, OneCycleLR once per batch; fit steps them
 * through the train.LRSchedule callback. A subclass implements lrAt.
 */
export abstract class LRScheduler {
  /** The learning rate at step 0 (the optimizer's lr at construction; OneCycleLR's maxLr/divFactor). */
  readonly baseLr: number;
  /** Steps taken; PyTorch's last_epoch. */
  lastEpoch = 0;

  /**
   * A schedule for this optimizer, starting from its current lr.
   * @param optimizer - The optimizer whose lr it sets.
   */
  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }

  /** The learning rate at step `lastEpoch`. */
  protected abstract lrAt(t: number): number;

  /** Advances one step (lastEpoch + 1) and sets the optimizer's lr to the schedule's value there. */
  step(): void {
    this.lastEpoch++;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
  }

  /** The step count and base rate, for checkpoints. */
  stateDict(): SchedulerState {
    return { lastEpoch: this.lastEpoch, baseLr: this.baseLr };
  }

  /** Restores the step count and base rate, validated first (the state may come from a file). */
  loadStateDict(s: SchedulerState): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (typeof s !== 'object' || s === null)
      throw new Error(`${name}: expected { lastEpoch, baseLr }, got ${showValue(s)}`);
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

/**
 * Step decay (torch.optim.lr_scheduler.StepLR): lr = base · γ^⌊t / stepSize⌋, stepped per epoch.
 *
 * @example
 * ```ts
 * const sched = new optim.StepLR(opt, { stepSize: 10, gamma: 0.5 });   // halve every 10 epochs
 * sched.step();                                                         // after each epoch
 * ```
 */
export class StepLR extends LRScheduler {
  /** Steps between decays. */
  readonly stepSize: number;
  /** The decay factor γ (default 0.1). */
  readonly gamma: number;
  /** Decays the optimizer's lr by gamma every stepSize steps. */
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    if (!Number.isInteger(options.stepSize) || options.stepSize <= 0)
      throw new Error(`StepLR: stepSize must be a positive integer, got ${options.stepSize}`);
    this.stepSize = options.stepSize;
    this.gamma = checkHyper('StepLR', 'gamma', options.gamma ?? 0.1);
  }
  /** base · γ^⌊t / stepSize⌋. */
  protected lrAt(t: number): number {
    return this.baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/** Exponential decay (torch.optim.lr_scheduler.ExponentialLR): lr = base · γ^t, stepped per epoch. */
export class ExponentialLR extends LRScheduler {
  /**
   * Decays the optimizer's lr by options.gamma every step.
   * @param optimizer - The optimizer whose lr it sets.
   * @param options - The decay factor γ.
   */
  constructor(
    optimizer: Optimizer,
    readonly options: {
      /** The decay factor γ per step. */
      gamma: number;
    },
  ) {
    super(optimizer);
    checkHyper('ExponentialLR', 'gamma', options.gamma);
  }
  /** base · γ^t. */
  protected lrAt(t: number): number {
    return this.baseLr * this.options.gamma ** t;
  }
}

/**
 * Cosine annealing (torch.optim.lr_scheduler.CosineAnnealingLR): lr = ηmin + (base − ηmin)(1 + cos(πt / tMax)) / 2, stepped per epoch (PyTorch's recursive form equals this).
 */
export class CosineAnnealingLR extends LRScheduler {
  /** The steps of the half cosine, from base to ηmin. */
  readonly tMax: number;
  /** The lowest learning rate ηmin (default 0). */
  readonly etaMin: number;
  /** Anneals the optimizer's lr from its current value to etaMin over tMax steps. */
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = checkHyper('CosineAnnealingLR', 'tMax', options.tMax, { minOpen: true });
    this.etaMin = checkHyper('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0);
  }
  /** ηmin + (base − ηmin)(1 + cos(πt / tMax)) / 2. */
  protected lrAt(t: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}

/** Options of OneCycleLR (torch.optim.lr_scheduler.OneCycleLR's, in camelCase). */
export interface OneCycleOptions {
  /** The peak learning rate. */
  maxLr: number;
  /** The cycle's length in steps (batches): epochs × batches per epoch. */
  totalSteps: number;
  /** The fraction of the steps spent rising to maxLr (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing between the phases' ends. */
  annealStrategy?: 'cos' | 'linear';
  /** The start is maxLr / divFactor (default 25). */
  divFactor?: number;
  /** The end is the start / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, back down to the start, then down to the end) instead of two (default false). */
  threePhase?: boolean;
}

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR with cycle_momentum=False), stepped once
 * per batch: from maxLr/divFactor up to maxLr over pctStart of the steps, then down to
 * maxLr/(divFactor·finalDivFactor). Sets the optimizer's lr to the start at construction.
 *
 * @example
 * ```ts
 * const sched = new optim.OneCycleLR(opt, { maxLr: 0.01, totalSteps: epochs * loader.length });
 * sched.step();   // after each batch
 * ```
 */
export class OneCycleLR extends LRScheduler {
  /** The cycle's length in steps; stepping past it throws. */
  readonly totalSteps: number;
  private readonly phases: { end: number; start: number; to: number }[];
  private readonly anneal: (a: number, b: number, pct: number) => number;

  /** A 1cycle schedule for this optimizer (whose lr it sets to the cycle's start). */
  constructor(optimizer: Optimizer, options: OneCycleOptions) {
    const { maxLr, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = options;
    if (!Number.isInteger(totalSteps) || totalSteps <= 0)
      throw new Error(`OneCycleLR: totalSteps must be a positive integer, got ${totalSteps}`);
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
    this.anneal =
      options.annealStrategy === 'linear'
        ? (a, b, pct) => (b - a) * pct + a
        : (a, b, pct) => b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1);
    // PyTorch's initial step: the annealing formula at step 0, which can differ from `initial`
    // in the last bits.
    optimizer.lr = this.lrAt(0);
  }

  /** Refuses a restored step count past totalSteps. */
  protected override checkSteps(lastEpoch: number, name: string): void {
    if (lastEpoch > this.totalSteps)
      throw new Error(`${name}: lastEpoch ${lastEpoch} is past totalSteps = ${this.totalSteps}`);
  }

  /** The cycle's learning rate at step t (throws past totalSteps). */
  protected lrAt(t: number): number {
    if (t > this.totalSteps)
      throw new Error(`OneCycleLR: stepped ${t} times, more than totalSteps = ${this.totalSteps}`);
    let start = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const p = this.phases[i];
      if (t <= p.end || i === this.phases.length - 1) return this.anneal(p.start, p.to, (t - start) / (p.end - start));
      start = p.end;
    }
    throw new Error('unreachable');
  }
}

/** Options of ReduceLROnPlateau (torch.optim.lr_scheduler.ReduceLROnPlateau's, in camelCase). */
export interface PlateauOptions {
  /** 'min' (default): the monitored value should fall (a loss); 'max': rise (an accuracy). */
  mode?: 'min' | 'max';
  /** The lr is multiplied by it on a plateau, in (0, 1) (default 0.1). */
  factor?: number;
  /** Steps without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** The least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): relative to the best value; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps after a reduction before counting bad steps again (default 0). */
  cooldown?: number;
  /** The lr never goes below it (default 0). */
  minLr?: number;
  /** A reduction smaller than this is not made (default 1e-8). */
  eps?: number;
}

/** ReduceLROnPlateau's state, as its stateDict() gives it: plain JSON. */
export interface PlateauState {
  /** Steps taken. */
  lastEpoch: number;
  /** The optimizer's current lr. */
  lr: number;
  /** Starts at ±Infinity, so it is encoded for JSON. */
  best: JsonNumber;
  /** Steps since the last improvement. */
  numBadEpochs: number;
  /** Cooldown steps left. */
  cooldownCounter: number;
}

/**
 * Reduces the learning rate when a monitored value stops improving (torch.optim.lr_scheduler.ReduceLROnPlateau):
 * lr × factor after more than `patience` steps without improvement, stepped once per epoch with the
 * value (e.g. the validation loss).
 *
 * @example
 * ```ts
 * const sched = new optim.ReduceLROnPlateau(opt, { patience: 3 });
 * sched.step(valLoss);   // after each epoch
 * ```
 */
export class ReduceLROnPlateau {
  /** The options, defaults filled in. */
  readonly options: Required<PlateauOptions>;
  /** The best value so far (±Infinity before the first step). */
  best: number;
  /** Steps since the last improvement. */
  numBadEpochs = 0;
  /** Cooldown steps left. */
  cooldownCounter = 0;
  /** Steps taken. */
  lastEpoch = 0;

  /**
   * A plateau schedule for this optimizer.
   * @param optimizer - The optimizer whose lr it reduces.
   * @param options - When and how much to reduce.
   */
  constructor(
    readonly optimizer: Optimizer,
    options: PlateauOptions = {},
  ) {
    this.options = {
      mode: 'min',
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: 'rel',
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
      ...options,
    };
    if (!(this.options.factor < 1))
      throw new Error(`ReduceLROnPlateau: factor must be < 1, got ${this.options.factor}`);
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

  /** Takes the monitored value of one epoch, and reduces the lr on a plateau. */
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

  /** The plateau tracking, for checkpoints (best encoded for JSON). */
  stateDict(): PlateauState {
    return {
      lastEpoch: this.lastEpoch,
      lr: this.optimizer.lr,
      best: encodeNumber(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
    };
  }

  /**
   * Restores the plateau tracking, validated first (it may come from a file); `lr` is for
   * reading only, the optimizer's own state restores lr.
   */
  loadStateDict(s: PlateauState): void {
    const where = (field: string) => `ReduceLROnPlateau.loadStateDict: ${field}`;
    if (typeof s !== 'object' || s === null)
      throw new Error(`ReduceLROnPlateau.loadStateDict: expected an object, got ${showValue(s)}`);
    const lastEpoch = decodeCount(s.lastEpoch, where('lastEpoch'));
    const best = decodeNumber(s.best, where('best'));
    const numBadEpochs = decodeCount(s.numBadEpochs, where('numBadEpochs'));
    const cooldownCounter = decodeCount(s.cooldownCounter, where('cooldownCounter'));
    Object.assign(this, { lastEpoch, best, numBadEpochs, cooldownCounter });
  }
}
