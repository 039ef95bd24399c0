// The network diagram: a column per layer, each neuron a small heatmap of its output over the
// input plane, connections drawn by weight (thickness |w|, colour sign), and per column the
// buttons that change its width and open the backprop view of the Linear layer feeding it.

import { limits, type Config } from '../config.js';
import type { Snapshot } from '../protocol.js';
import { paintField, css } from './colors.js';

export interface NetworkHandlers {
  resize(layer: number, delta: number): void;
  inspect(layer: number): void;
}

const SVG = 'http://www.w3.org/2000/svg';

export class NetworkView {
  private sizes: number[] = [];
  private tiles: HTMLCanvasElement[][] = [];
  private links: SVGLineElement[][] = [];
  private linearButtons: HTMLButtonElement[] = [];
  private readonly svg: SVGSVGElement;
  private readonly body: HTMLDivElement;
  private lastWeights: Snapshot['weights'] | null = null;

  constructor(
    readonly root: HTMLElement,
    private readonly handlers: NetworkHandlers,
  ) {
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.classList.add('links');
    this.svg.setAttribute('aria-hidden', 'true');
    this.body = document.createElement('div');
    this.body.className = 'columns';
    root.append(this.svg, this.body);
    new ResizeObserver(() => this.layoutLinks()).observe(root);
  }

  build(config: Config, regression: boolean): void {
    this.sizes = [2, ...config.layers, 1];
    this.body.replaceChildren();
    this.tiles = [];
    this.linearButtons = [];
    this.sizes.forEach((n, col) => {
      const column = document.createElement('div');
      column.className = 'column';
      column.dataset.col = String(col);
      const head = document.createElement('div');
      head.className = 'column-head';
      const last = col === this.sizes.length - 1;
      if (col === 0) head.textContent = 'Input';
      else {
        const b = document.createElement('button');
        b.className = 'linear';
        b.textContent = `Linear ${col} ${this.sizes[col - 1]}→${n}`;
        b.title = 'Show the backprop through this layer';
        b.setAttribute('aria-pressed', 'false');
        b.onclick = () => this.handlers.inspect(col - 1);
        this.linearButtons.push(b);
        head.append(b);
      }
      if (col > 0 && !last) {
        const width = document.createElement('div');
        width.className = 'width';
        const minus = this.button(
          '−',
          `Remove a neuron from hidden layer ${col}`,
          () => this.handlers.resize(col - 1, -1),
          n <= 1,
        );
        const plus = this.button(
          '+',
          `Add a neuron to hidden layer ${col}`,
          () => this.handlers.resize(col - 1, 1),
          n >= limits.maxNeurons,
        );
        const count = document.createElement('span');
        count.textContent = `${n} neurons`;
        width.append(minus, count, plus);
        head.append(width);
      }
      if (last)
        head.append(
          Object.assign(document.createElement('div'), { textContent: regression ? 'Output ŷ' : 'Output p' }),
        );
      const neurons = document.createElement('div');
      neurons.className = 'neurons';
      const tiles: HTMLCanvasElement[] = [];
      for (let j = 0; j < n; j++) {
        const c = document.createElement('canvas');
        c.width = c.height = 48;
        c.className = 'neuron';
        c.setAttribute('role', 'img');
        c.setAttribute(
          'aria-label',
          col === 0 ? `input x${j + 1}` : last ? 'network output' : `layer ${col} neuron ${j + 1}`,
        );
        tiles.push(c);
        neurons.append(c);
      }
      this.tiles.push(tiles);
      column.append(head, neurons);
      this.body.append(column);
    });
    this.paintInputs();
    this.buildLinks();
  }

  private button(text: string, label: string, onclick: () => void, disabled: boolean): HTMLButtonElement {
    const b = document.createElement('button');
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.disabled = disabled;
    b.onclick = onclick;
    return b;
  }

  setInspected(layer: number | null): void {
    this.linearButtons.forEach((b, i) => b.setAttribute('aria-pressed', String(i === layer)));
  }

  private paintInputs(): void {
    const g = 24;
    const xs = new Float32Array(g * g * 2);
    for (let r = 0; r < g; r++) {
      for (let c = 0; c < g; c++) {
        xs[2 * (r * g + c)] = -1 + (2 * (c + 0.5)) / g;
        xs[2 * (r * g + c) + 1] = 1 - (2 * (r + 0.5)) / g;
      }
    }
    this.tiles[0].forEach((t, j) => paintField(t.getContext('2d')!, xs, g, (v) => v, 2, j));
  }

  private buildLinks(): void {
    this.svg.replaceChildren();
    this.links = [];
    for (let k = 0; k + 1 < this.sizes.length; k++) {
      const layer: SVGLineElement[] = [];
      for (let i = 0; i < this.sizes[k]; i++) {
        for (let j = 0; j < this.sizes[k + 1]; j++) {
          const line = document.createElementNS(SVG, 'line');
          this.svg.append(line);
          layer.push(line);
        }
      }
      this.links.push(layer);
    }
    this.layoutLinks();
    if (this.lastWeights) this.paintLinks(this.lastWeights);
  }

  /** Places every connection between the right edge of one tile and the left edge of the next. */
  private layoutLinks(): void {
    const origin = this.root.getBoundingClientRect();
    this.svg.setAttribute('width', String(this.root.scrollWidth));
    this.svg.setAttribute('height', String(this.root.scrollHeight));
    const rects = this.tiles.map((col) => col.map((t) => t.getBoundingClientRect()));
    this.links.forEach((layer, k) => {
      const outN = this.sizes[k + 1];
      layer.forEach((line, idx) => {
        const a = rects[k][Math.floor(idx / outN)];
        const b = rects[k + 1][idx % outN];
        if (!a || !b) return;
        line.setAttribute('x1', String(a.right - origin.left + this.root.scrollLeft));
        line.setAttribute('y1', String(a.top + a.height / 2 - origin.top));
        line.setAttribute('x2', String(b.left - origin.left + this.root.scrollLeft));
        line.setAttribute('y2', String(b.top + b.height / 2 - origin.top));
      });
    });
  }

  private paintLinks(weights: Snapshot['weights']): void {
    weights.forEach(({ W }, k) => {
      this.links[k]?.forEach((line, idx) => {
        const w = W[idx];
        line.setAttribute('stroke', css(Math.sign(w)));
        line.setAttribute('stroke-width', String(Math.min(6, 0.4 + 2.5 * Math.abs(w)).toFixed(2)));
      });
    });
  }

  update(s: Snapshot, scaleOutput: (v: number) => number): void {
    if (s.weights.length !== this.links.length) return; // a snapshot from before a rebuild
    this.lastWeights = s.weights;
    this.paintLinks(s.weights);
    const g = s.gridSize;
    s.hidden.forEach((acts, k) => {
      const width = this.sizes[k + 1];
      let m = 1e-6;
      for (let i = 0; i < acts.length; i++) m = Math.max(m, Math.abs(acts[i]));
      this.tiles[k + 1].forEach((t, j) => paintField(t.getContext('2d')!, acts, g, (v) => v / m, width, j));
    });
    this.tiles.at(-1)!.forEach((t) => paintField(t.getContext('2d')!, s.output, g, scaleOutput));
  }
}
