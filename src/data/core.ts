// Datasets and batches that need no files (the browser entry's `data`); index.ts adds the readers.

export { type Dataset, type Sample, TensorDataset, Subset, randomSplit, collate, gatherRows } from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './loader.js';
