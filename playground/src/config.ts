// The playground's whole state: one plain object, written to and read from the URL hash,
// so a copied link reproduces a run exactly (the seed feeds nabla's manualSeed).

export const datasets = ['circle', 'xor', 'gauss', 'spiral', 'surface', 'csv'] as const;
export const activations = ['relu', 'tanh', 'sigmoid', 'gelu'] as const;
export const losses = ['bce', 'mse'] as const;
export const optimizers = ['sgd', 'momentum', 'adam'] as const;

export type DatasetName = (typeof datasets)[number];
export type ActivationName = (typeof activations)[number];
export type LossName = (typeof losses)[number];
export type OptimizerName = (typeof optimizers)[number];

export interface Config {
  dataset: DatasetName;
  /** 0 … 0.5: jitter of the points (or of the targets, for the regression surface). */
  noise: number;
  /** Share of the points used for training, in percent. */
  trainPercent: number;
  /** Hidden layer widths, input and output excluded. */
  layers: number[];
  activation: ActivationName;
  loss: LossName;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  l2: number;
  seed: number;
}

export const limits = { maxLayers: 6, maxNeurons: 8 };

/** The controls' ranges and choices: main.ts builds the sliders and lists from these, and decode
 * accepts exactly these values, so whatever a link says, the controls can show it. */
export const sliders = {
  noise: { min: 0, max: 0.5, step: 0.05 },
  trainPercent: { min: 10, max: 90, step: 10 },
  batchSize: { min: 1, max: 64, step: 1 },
};
export const learningRates = [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
export const l2s = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1];

/** A seed is any integer nabla's manualSeed takes, from 0 up (the seed box and the URL alike). */
export const isSeed = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

export const defaults: Config = {
  dataset: 'circle',
  noise: 0.1,
  trainPercent: 50,
  layers: [6, 6],
  activation: 'tanh',
  loss: 'bce',
  optimizer: 'adam',
  lr: 0.03,
  batchSize: 16,
  l2: 0,
  seed: 1,
};

export const isRegression = (c: Config) => c.dataset === 'surface';

/** The loss actually used: the regression surface always takes MSE. */
export const effectiveLoss = (c: Config): LossName => (isRegression(c) ? 'mse' : c.loss);

export function encode(c: Config): string {
  const p = new URLSearchParams({
    data: c.dataset,
    noise: String(c.noise),
    train: String(c.trainPercent),
    layers: c.layers.join(','),
    act: c.activation,
    loss: c.loss,
    opt: c.optimizer,
    lr: String(c.lr),
    batch: String(c.batchSize),
    l2: String(c.l2),
    seed: String(c.seed),
  });
  return p.toString();
}

/** Reads a hash or query string; anything missing or invalid takes its default. */
export function decode(s: string): Config {
  const p = new URLSearchParams(s.replace(/^[#?]/, ''));
  const pick = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = p.get(key);
    return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
  };
  const get = (key: string) => {
    const raw = p.get(key);
    return raw === null || raw === '' ? NaN : Number(raw);
  };
  const slider = (
    key: string,
    { min, max, step }: { min: number; max: number; step: number },
    fallback: number,
  ): number => {
    const v = get(key);
    const k = (v - min) / step;
    // On the slider's grid, up to float rounding (0.15 / 0.05 is 2.9999999999999996).
    return v >= min && v <= max && Math.abs(k - Math.round(k)) < 1e-9 ? v : fallback;
  };
  const oneOf = (key: string, values: number[], fallback: number): number =>
    values.includes(get(key)) ? get(key) : fallback;
  const layersRaw = p.get('layers');
  let layers = defaults.layers;
  if (layersRaw !== null) {
    const parsed = layersRaw === '' ? [] : layersRaw.split(',').map(Number);
    const valid =
      parsed.length <= limits.maxLayers && parsed.every((n) => Number.isInteger(n) && n >= 1 && n <= limits.maxNeurons);
    if (valid) layers = parsed;
  }
  return {
    dataset: pick('data', datasets, defaults.dataset),
    noise: slider('noise', sliders.noise, defaults.noise),
    trainPercent: slider('train', sliders.trainPercent, defaults.trainPercent),
    layers: [...layers],
    activation: pick('act', activations, defaults.activation),
    loss: pick('loss', losses, defaults.loss),
    optimizer: pick('opt', optimizers, defaults.optimizer),
    lr: oneOf('lr', learningRates, defaults.lr),
    batchSize: slider('batch', sliders.batchSize, defaults.batchSize),
    l2: oneOf('l2', l2s, defaults.l2),
    seed: isSeed(get('seed')) ? get('seed') : defaults.seed,
  };
}
