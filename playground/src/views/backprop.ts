// The backprop view: for one Linear layer y = x·W + b on the current batch, the forward and
// backward matrices as heatmaps labelled with their shapes, beside the seeds' formulas, and
// the gap between each formula (recomputed with plain loops in the worker) and autograd.

import type { ActivationName, LossName } from '../config.js';
import type { LayerCapture, Mat } from '../trainer.js';
import { css } from './colors.js';

const SLOPES: Record<ActivationName, string> = {
  sigmoid: "σ'(z) = σ(z)(1 − σ(z))",
  relu: "ReLU'(z) = 1[z > 0]",
  tanh: "tanh'(z) = 1 − tanh²(z)",
  gelu: "GELU'(z) = Φ(z) + z·φ(z)",
};

const ACT_NAMES: Record<ActivationName, string> = { sigmoid: 'σ', relu: 'ReLU', tanh: 'tanh', gelu: 'GELU' };

export interface BackpropContext {
  layers: number;
  activation: ActivationName;
  loss: LossName;
}

const shapeText = (m: Mat) => `[${m.shape.join('×')}]`;

export class BackpropView {
  private readonly grid: HTMLElement;
  private readonly formulas: HTMLElement;
  private readonly title: HTMLElement;

  constructor(readonly root: HTMLElement) {
    this.title = root.querySelector('#backprop-title')!;
    this.grid = root.querySelector('#backprop-matrices')!;
    this.formulas = root.querySelector('#backprop-formulas')!;
  }

  show(layer: number, ctx: BackpropContext): void {
    this.root.hidden = false;
    this.title.textContent = `Backprop through Linear ${layer + 1}`;
    this.key = '';
    this.grid.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'Waiting for the worker…' }));
    this.formulas.replaceChildren();
    this.context = ctx;
  }

  hide(): void {
    this.root.hidden = true;
  }

  private context: BackpropContext | null = null;
  private key = '';
  private figures: { element: HTMLElement; paint(m: Mat, note: string): void }[] = [];

  update(c: LayerCapture): void {
    if (this.root.hidden || !this.context) return;
    const { activation, loss, layers } = this.context;
    const [n, inF] = c.x.shape;
    const outF = c.W.shape[1];
    this.title.textContent = `Backprop through Linear ${c.layer + 1} (${inF}→${outF}), batch N = ${n}`;
    const items: [string, string, Mat][] = [
      ['x', 'input', c.x],
      ['W', 'weight', c.W],
      ['b', 'bias', c.b],
      ['y', 'output y = x·W + b', c.y],
      ['dL/dy', 'gradient at the output', c.dy],
      ['dL/dW', 'xᵀ · dL/dy', c.dW],
      ['dL/db', 'Σ_N dL/dy', c.db],
      ['dL/dx', 'dL/dy · Wᵀ', c.dx],
    ];
    // Repaint in place while the shapes stay (hover titles and focus survive); rebuild otherwise.
    const key = items.map(([name, , m]) => `${name}${shapeText(m)}`).join();
    if (key !== this.key) {
      this.key = key;
      this.figures = items.map(([name]) => matrixFigure(name));
      this.grid.replaceChildren(...this.figures.map((f) => f.element));
    }
    items.forEach(([, note, m], i) => this.figures[i].paint(m, note));

    const isOutput = c.layer === layers - 1;
    const next = `Linear ${c.layer + 2}`;
    const dyRule = isOutput
      ? loss === 'bce'
        ? 'dL/dy = (σ(y) − t) / N   (binary cross-entropy on logits, mean over N)'
        : 'dL/dy = 2(y − t) / N   (mean squared error over N outputs)'
      : `dL/dy = dL/da ⊙ f'(y),  a = ${ACT_NAMES[activation]}(y), dL/da = dL/dx of ${next};  ${SLOPES[activation]}`;
    // The network trains in float32: agreement to a few float32 roundings (~1e-7 each, summed
    // over the batch) is a match; a wrong rule is off by far more.
    const gap = (v: number) => `${v < 1e-5 ? '✓' : '✗'} |formula − autograd| / max = ${v.toExponential(1)}`;
    const lines: [string, string, string][] = [
      ['forward', `y = x·W + b   [${n}×${inF}]·[${inF}×${outF}] + [${outF}] → [${n}×${outF}]`, ''],
      ['dL/dy', dyRule, gap(c.residual.dy)],
      ['dL/dW', `dL/dW = xᵀ · dL/dy   [${inF}×${n}]·[${n}×${outF}] → [${inF}×${outF}]`, gap(c.residual.dW)],
      ['dL/db', `dL/db = Σ_N dL/dy   [${n}×${outF}] → [${outF}]`, gap(c.residual.db)],
      ['dL/dx', `dL/dx = dL/dy · Wᵀ   [${n}×${outF}]·[${outF}×${inF}] → [${n}×${inF}]`, gap(c.residual.dx)],
      ['slopes', `${SLOPES.sigmoid};  ${SLOPES.relu};  ${SLOPES.tanh};  ${SLOPES.gelu}`, ''],
    ];
    this.formulas.replaceChildren(
      ...lines.map(([key, text, check]) => {
        const li = document.createElement('li');
        li.dataset.formula = key;
        li.append(Object.assign(document.createElement('code'), { textContent: text }));
        if (check) li.append(Object.assign(document.createElement('span'), { className: 'check', textContent: check }));
        return li;
      }),
    );
  }
}

function matrixFigure(name: string): { element: HTMLElement; paint(m: Mat, note: string): void } {
  const fig = document.createElement('figure');
  fig.className = 'matrix';
  fig.dataset.name = name;
  const cap = document.createElement('figcaption');
  const title = Object.assign(document.createElement('b'), { textContent: name });
  const shape = Object.assign(document.createElement('span'), { className: 'shape' });
  const small = document.createElement('small');
  cap.append(title, ' ', shape, document.createElement('br'), small);
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  fig.append(cap, canvas);
  const ctx = canvas.getContext('2d')!;
  let current: { m: Mat; cw: number; ch: number } | null = null;
  canvas.onmousemove = (e) => {
    if (!current) return;
    const { m, cw, ch } = current;
    const c = Math.floor(e.offsetX / cw);
    const r = Math.floor(e.offsetY / ch);
    const v = m.data[r * m.shape.at(-1)! + c];
    if (v !== undefined) canvas.title = `${name}[${m.shape.length === 2 ? `${r},` : ''}${c}] = ${v.toPrecision(4)}`;
  };
  return {
    element: fig,
    paint(m: Mat, note: string): void {
      const rows = m.shape.length === 2 ? m.shape[0] : 1;
      const cols = m.shape.at(-1)!;
      let max = 1e-12;
      for (const v of m.data) max = Math.max(max, Math.abs(v));
      const cw = Math.max(4, Math.min(22, Math.floor(160 / cols)));
      const ch = Math.max(3, Math.min(cw, Math.floor(220 / rows)));
      if (canvas.width !== cols * cw || canvas.height !== rows * ch) {
        canvas.width = cols * cw;
        canvas.height = rows * ch;
      }
      current = { m, cw, ch };
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          ctx.fillStyle = css(m.data[r * cols + c] / max);
          ctx.fillRect(c * cw, r * ch, cw, ch);
        }
      }
      shape.textContent = shapeText(m);
      small.textContent = `${note}; max |·| ${max.toPrecision(2)}`;
      canvas.setAttribute('aria-label', `${name}, shape ${shapeText(m)}, largest magnitude ${max.toPrecision(3)}`);
    },
  };
}
