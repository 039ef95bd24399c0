// The page: controls ↔ the Config in the URL, the training worker, and the views.
// Every setting change restarts the run from its seed, so the URL always describes the run.

import { decode, effectiveLoss, encode, isSeed, l2s, learningRates, limits, sliders, type Config } from './config.js';
import { parseCsv, type Points } from './data.js';
import type { FromWorker, Snapshot, ToWorker } from './protocol.js';
import { BackpropView } from './views/backprop.js';
import { BoundaryView } from './views/boundary.js';
import { LossChart } from './views/lossChart.js';
import { NetworkView } from './views/network.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let config: Config = decode(location.hash);
let csv: Points | undefined;
let playing = false;
let inspected: number | null = null;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);
// The worker reports training errors itself ('error' below); these are the failures it cannot
// report: a script that does not load, an exception outside its handler, an unreadable message.
worker.onerror = (e) => {
  e.preventDefault(); // handled here, not an uncaught error on the page
  workerFailed(`The training worker failed: ${e.message || 'it could not run'}. Reload the page to start again.`);
};
worker.onmessageerror = () => workerFailed('A message from the training worker could not be read; training stopped.');

const boundary = new BoundaryView($('boundary'));
const chart = new LossChart($('loss-chart'));
const backprop = new BackpropView($('backprop'));
const network = new NetworkView($('network'), {
  resize: (layer, delta) => {
    const layers = [...config.layers];
    layers[layer] = Math.max(1, Math.min(limits.maxNeurons, layers[layer] + delta));
    apply({ layers });
  },
  inspect: (layer) => inspect(inspected === layer ? null : layer),
});

// ---- controls ----

// Ranges and lists come from config.ts, the same ones decode accepts.
const fillOptions = (select: HTMLSelectElement, values: number[]) =>
  select.replaceChildren(...values.map((v) => new Option(String(v), String(v))));
fillOptions($('lr'), learningRates);
fillOptions($('l2'), l2s);
for (const [id, range] of [
  ['noise', sliders.noise],
  ['train', sliders.trainPercent],
  ['batch', sliders.batchSize],
] as const) {
  Object.assign($<HTMLInputElement>(id), { min: String(range.min), max: String(range.max), step: String(range.step) });
}

/** A control bound to one Config field: how to read it (null: invalid, the control reverts) and which event commits it. */
function bind<K extends keyof Config>(
  id: string,
  key: K,
  read: (el: HTMLInputElement) => Config[K] | null,
  event = 'change',
): void {
  $<HTMLInputElement>(id).addEventListener(event, (e) => {
    const value = read(e.target as HTMLInputElement);
    if (value === null) syncControls();
    else apply({ [key]: value } as Partial<Config>);
  });
}
bind('dataset', 'dataset', (el) => el.value as Config['dataset']);
bind('noise', 'noise', (el) => Number(el.value));
bind('train', 'trainPercent', (el) => Number(el.value));
bind('seed', 'seed', (el) => (el.value !== '' && isSeed(Number(el.value)) ? Number(el.value) : null));
bind('activation', 'activation', (el) => el.value as Config['activation']);
bind('loss', 'loss', (el) => el.value as Config['loss']);
bind('optimizer', 'optimizer', (el) => el.value as Config['optimizer']);
bind('lr', 'lr', (el) => Number(el.value));
bind('batch', 'batchSize', (el) => Number(el.value));
bind('l2', 'l2', (el) => Number(el.value));
// Sliders show their value while dragging; the run restarts when the value is committed.
for (const id of ['noise', 'train', 'batch']) $(id).addEventListener('input', () => showOutputs());

$('reseed').onclick = () => apply({ seed: Math.floor(Math.random() * 100000) });
$('layer-plus').onclick = () =>
  config.layers.length < limits.maxLayers && apply({ layers: [...config.layers, config.layers.at(-1) ?? 4] });
$('layer-minus').onclick = () => config.layers.length > 0 && apply({ layers: config.layers.slice(0, -1) });
$('reset').onclick = () => apply({});
$('play').onclick = () => setPlaying(!playing);
$('step').onclick = () => {
  setPlaying(false, false);
  send({ type: 'step' });
};
// WebGPU: off by default; where the browser has none the box stays disabled and says so.
const webgpuBox = $<HTMLInputElement>('webgpu');
if (!('gpu' in navigator)) {
  webgpuBox.disabled = true;
  webgpuBox.parentElement!.title = 'This browser has no WebGPU';
}
webgpuBox.addEventListener('change', () => send({ type: 'backend', webgpu: webgpuBox.checked }));

$<HTMLSelectElement>('speed').addEventListener('change', (e) => {
  const v = (e.target as HTMLSelectElement).value;
  send({ type: 'speed', stepsPerSecond: v === '' ? null : Number(v) });
});
// A hash edited by hand (or a pasted link in the same tab) becomes the settings.
window.addEventListener('hashchange', () => {
  if (location.hash.slice(1) !== encode(config)) apply(decode(location.hash));
});
$('show-test').addEventListener('change', (e) => {
  boundary.showTest = (e.target as HTMLInputElement).checked;
  boundary.draw();
});
$('gradcheck').onclick = () => {
  $('gradcheck-out').textContent = 'Checking…';
  send({ type: 'gradcheck' });
};
$('backprop-close').onclick = () => inspect(null);
$<HTMLInputElement>('csv').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  try {
    csv = parseCsv(await file.text(), file.name);
    $<HTMLOptionElement>('dataset').querySelector<HTMLOptionElement>('option[value=csv]')!.disabled = false;
    apply({ dataset: 'csv' });
  } catch (err) {
    status((err as Error).message);
  }
});

function setPlaying(on: boolean, tell = true): void {
  playing = on;
  $('play').textContent = on ? 'Pause' : '▶ Play';
  $('play').setAttribute('aria-pressed', String(on));
  if (tell) send({ type: on ? 'play' : 'pause' });
}

function workerFailed(message: string): void {
  setPlaying(false);
  status(message);
}

function status(message: string | null): void {
  $('status').hidden = message === null;
  $('status').textContent = message ?? '';
}

function showOutputs(): void {
  $('noise-out').textContent = $<HTMLInputElement>('noise').value;
  $('train-out').textContent = `${$<HTMLInputElement>('train').value}%`;
  $('batch-out').textContent = $<HTMLInputElement>('batch').value;
}

function syncControls(): void {
  const set = (id: string, v: string | number) => ($<HTMLInputElement>(id).value = String(v));
  set('dataset', config.dataset);
  set('noise', config.noise);
  set('train', config.trainPercent);
  set('seed', config.seed);
  set('activation', config.activation);
  set('loss', effectiveLoss(config));
  $<HTMLSelectElement>('loss').disabled = config.dataset === 'surface';
  set('optimizer', config.optimizer);
  set('lr', config.lr);
  set('batch', config.batchSize);
  set('l2', config.l2);
  const n = config.layers.length;
  $('layer-count').textContent = `${n} hidden layer${n === 1 ? '' : 's'}`;
  $<HTMLButtonElement>('layer-minus').disabled = n === 0;
  $<HTMLButtonElement>('layer-plus').disabled = n >= limits.maxLayers;
  showOutputs();
}

/** Changes settings (none: a plain reset) and restarts the run; keeps playing if it was. */
function apply(next: Partial<Config>): void {
  config = { ...config, ...next };
  if (config.dataset === 'csv' && !csv) {
    status('The CSV data set needs an upload (a link cannot carry the file); showing the circle instead.');
    config = { ...config, dataset: 'circle' };
  }
  history.replaceState(null, '', `#${encode(config)}`);
  syncControls();
  if (inspected !== null && inspected > config.layers.length) inspect(null);
  send({ type: 'config', config, csv: config.dataset === 'csv' ? csv : undefined });
  if (inspected !== null) send({ type: 'inspect', layer: inspected });
}

function inspect(layer: number | null): void {
  inspected = layer;
  network.setInspected(layer);
  if (layer === null) backprop.hide();
  else {
    backprop.show(layer, {
      layers: config.layers.length + 1,
      activation: config.activation,
      loss: effectiveLoss(config),
    });
    $('backprop').scrollIntoView({ block: 'nearest' });
  }
  send({ type: 'inspect', layer });
}

// ---- worker messages ----

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
let stepLossWaiters: ((l: number[]) => void)[] = [];

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'reset':
      // Snapshots of the previous run may still arrive before this message, never after it.
      chart.clear();
      $('backend').textContent = m.backend;
      boundary.setData(m.data.train, m.data.test, m.regression);
      network.build(config, m.regression);
      network.setInspected(inspected);
      if (inspected !== null) {
        backprop.show(inspected, {
          layers: config.layers.length + 1,
          activation: config.activation,
          loss: effectiveLoss(config),
        });
      }
      status(null);
      break;
    case 'snapshot':
      render(m);
      break;
    case 'gradcheck': {
      const r = m.result;
      $('gradcheck-out').textContent =
        `${r.ok ? '✓ passed' : '✗ failed'}: largest relative error ${r.maxRelError.toExponential(2)} over ` +
        `${r.elements} elements (float64 central differences, ${r.ms.toFixed(0)} ms)` +
        (r.failures ? `; ${r.failures} outside tolerance` : '');
      break;
    }
    case 'stepLosses':
      stepLossWaiters.forEach((w) => w(m.losses));
      stepLossWaiters = [];
      break;
    case 'backend':
      // The run restarted on the backend the worker now reports (a 'reset' follows).
      $('backend').textContent = m.backend;
      webgpuBox.checked = m.backend === 'webgpu';
      if (m.error) status(m.error);
      break;
    case 'error':
      setPlaying(false, false);
      status(m.message);
      break;
  }
};

function render(s: Snapshot): void {
  if (!s.playing && playing) setPlaying(false, false);
  $('steps').textContent = String(s.steps);
  $('epoch').textContent = s.epoch.toFixed(1);
  $('rate').textContent = s.stepsPerSecond.toFixed(0);
  $('test-loss').textContent = fmt(s.testLoss);
  $('train-loss').textContent = fmt(s.trainLoss);
  chart.push(s.steps, s.trainLoss, s.testLoss);
  boundary.draw(s.output, s.gridSize);
  network.update(s, boundary.scale);
  if (s.capture && s.capture.layer === inspected) backprop.update(s.capture);
}

/** For scripts and tests: the batch loss of the run's first steps, straight from the worker. */
Object.assign(window, {
  nablaPlayground: {
    stepLosses: (count: number) =>
      new Promise<number[]>((resolve) => {
        stepLossWaiters.push(resolve);
        send({ type: 'stepLosses', count });
      }),
  },
});

syncControls();
apply({});
