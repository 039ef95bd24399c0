// Training: the fit loop, callbacks, metrics, evaluation, plots and the run report (and mlp, re-exported from nn).
// core.ts is what runs anywhere; here Node's fit (resumeFrom, the terminal's progress) replaces the loop's.

export * from './core.js';
export { fit, type FitOptions } from './fit.js';
export { ModelCheckpoint } from './checkpoint-callback.js';
export { CSVLogger } from './csv-logger.js';
export { Progress, formatEpoch, type ProgressOptions, type ProgressStream } from './progress.js';
export { mlp, activations, type MlpOptions, type ActivationName } from '../nn/mlp.js';
export { cnn, type CnnOptions } from '../nn/cnn.js';
export { trainingCurvesSvg, confusionMatrixSvg } from './plots.js';
export { runReportHtml, type RunReport, type ReportOptions } from './report.js';
export { exactMatch } from './exact-match.js';
