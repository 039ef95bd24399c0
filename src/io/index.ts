// The io namespace: safetensors, whole models, checkpoints, ONNX export, inspection.

export { ModelFileError, FileWriteError } from './errors.js';
export {
  encodeSafetensors,
  decodeSafetensors,
  MAX_HEADER_BYTES,
  type SafetensorsDType,
  type EncodeOptions,
  type DecodedSafetensors,
} from './safetensors.js';
export { saveStateDict, loadStateDict } from './state-dict.js';
export {
  describeModel,
  buildModel,
  validateSpec,
  SUPPORTED_LAYERS,
  MAX_PARAMETERS,
  MAX_LAYERS,
  type ModelSpec,
  type LayerSpec,
  type LayerType,
} from './architecture.js';
export {
  save,
  load,
  encodeModel,
  decodeModel,
  readModelHeader,
  type Layout,
  type SaveOptions,
  type LoadOptions,
  type ModuleClass,
  type LoadedModel,
} from './model.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  encodeCheckpoint,
  decodeCheckpoint,
  type Checkpoint,
  type LoadedCheckpoint,
  type LoadCheckpointOptions,
} from './checkpoint.js';
export {
  exportOnnx,
  encodeOnnx,
  ONNX_OPSET,
  type OnnxOptions,
  type OnnxGraphInput,
  type OnnxPreprocess,
  type PreprocessEmitter,
} from './onnx.js';
export { inspect, inspectBytes } from './inspect.js';
export { exportPytorch, type PytorchOptions } from './pytorch.js';
export { fromPretrained, isPretrainedDir, type Pretrained } from './pretrained.js';
export { readTokenizer, type TextTokenizer } from './gpt2-tokenizer.js';
export type { OnnxAttribute } from '../nn/layers/entry.js';
