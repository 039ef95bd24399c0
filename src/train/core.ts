// Training that runs anywhere, a browser included (the browser entry's `train`): the fit loop,
// evaluation, the callbacks that need no files, metrics. index.ts adds Node's: fit with
// resumeFrom and the terminal's progress, checkpoints, the run report.

export { fit, type FitOptions } from './fit-loop.js';
export { trainStep, type Kept } from './host-step.js';
export type { Loss, LossModule } from './loss.js';
export type {
  FitResult,
  EpochLogs,
  LossFn,
  EpochPosition,
  FitSnapshot,
  Callback,
  FitContext,
  BatchInfo,
} from './types.js';
export { EarlyStopping, LRSchedule, type EarlyStoppingOptions } from './callbacks.js';
export { evaluate, predict, type EvalResult, type EvaluateOptions } from './evaluate.js';
export {
  type MetricName,
  type Metric,
  type MetricFn,
  accuracy,
  countCorrect,
  confusionMatrix,
  confusionCells,
  classScoresFromCells,
  mostConfused,
  DENSE_CONFUSION_CLASSES,
  type ConfusionCells,
  mse,
  mae,
  argmaxRows,
  formatConfusionMatrix,
  sumSquaredError,
  sumAbsoluteError,
  metricValue,
  perClassScores,
  formatClassScores,
  type ClassScores,
} from './metrics.js';
export { NonFiniteError, locateNonFiniteForward, locateNonFiniteGrad } from './nonfinite.js';
