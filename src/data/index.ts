// The data namespace: datasets, loaders, readers, bundled digits, augmentation.

export * from './core.js';
export { DataFileError } from './errors.js';
export { parseCsv, readCsvFile, type CsvTable } from './csv-table.js';
export {
  missingPolicies,
  type CategoryColumn,
  type ColumnEncoding,
  type MissingPolicy,
  type NumberColumn,
  type TableEncoding,
} from './table-encoding.js';
export {
  loadCsv,
  csvFromTable,
  csvDataset,
  fitStandardizer,
  applyStandardizer,
  type CsvOptions,
  type CsvData,
  type Standardizer,
  type Task,
} from './csv.js';
export { parseIdx, readIdx, mnistFromIdx, loadMnistDir, type IdxArray } from './idx.js';
export { bundledMnist, bundledMnistSplit, MNIST_SPLIT_SEED } from './mnist.js';
export { randomShift, randomHorizontalFlip } from './augment.js';
export { ImageFolder, type ImageFolderOptions } from './image-folder.js';
export { kFold, type Fold } from './folds.js';
export {
  additionTask,
  additionTokens,
  showProblem,
  IGNORE,
  type AdditionOptions,
  type AdditionTask,
} from './addition.js';
export {
  CharTokenizer,
  ByteTokenizer,
  TextDataset,
  tokenizerToJson,
  tokenizerFromJson,
  type Tokenizer,
  type TokenizerJson,
} from './text.js';
export { readTextFile, MAX_TEXT_BYTES } from './text-file.js';
