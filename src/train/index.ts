// Training: the fit loop, callbacks, metrics, evaluation, plots and the run report (and mlp, re-exported from nn).

export { fit, type FitOptions } from './fit.js';
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
export { EarlyStopping, LRSchedule, ModelCheckpoint, type EarlyStoppingOptions } from './callbacks.js';
export { Progress, formatEpoch, type ProgressOptions, type ProgressStream } from './progress.js';
export { evaluate, predict, type EvalResult, type EvaluateOptions } from './evaluate.js';
export {
  type MetricName,
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
export { mlp, activations, type MlpOptions, type ActivationName } from '../nn/mlp.js';
export { cnn, type CnnOptions } from '../nn/cnn.js';
export { trainingCurvesSvg, confusionMatrixSvg } from './plots.js';
export { runReportHtml, type RunReport, type ReportOptions } from './report.js';
export { exactMatch } from './exact-match.js';
