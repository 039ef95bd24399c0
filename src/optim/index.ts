// The optim namespace.

export { Optimizer, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export {
  LRScheduler,
  StepLR,
  ExponentialLR,
  CosineAnnealingLR,
  OneCycleLR,
  ReduceLROnPlateau,
  type SchedulerState,
  type PlateauState,
  type OneCycleOptions,
  type PlateauOptions,
} from './schedulers.js';
export { clipGradNorm } from './clip.js';
