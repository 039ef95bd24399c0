// The library-API version of `npm start` (README, "The library API"): run with
// node dist/examples/train-mnist.js

import { data, fit, manualSeed, nn, optim, train } from '../src/index.js';

manualSeed(1);
const { train: digits, test } = data.bundledMnistSplit();
const model = train.mlp({ inputs: 784, hidden: [256, 128], outputs: 10, dropout: 0.2 });
const opt = new optim.Adam(model.parameters());
const loader = new data.DataLoader(digits, { batchSize: 64, shuffle: true });
await fit(model, {
  data: loader,
  validation: test,
  loss: nn.crossEntropy,
  optimizer: opt,
  epochs: 15,
  metrics: ['accuracy'],
  transform: (x) => data.randomShift(x, 28, 28, 2),
  callbacks: [
    new train.Progress(),
    new train.LRSchedule(new optim.OneCycleLR(opt, { maxLr: 3e-3, totalSteps: 15 * loader.length })),
  ],
});
