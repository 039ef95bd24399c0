// Module: the base of layers and models. Parameters and sub-modules are found by walking the
// object's own fields in order (arrays of modules too), as PyTorch finds them by attribute.

import { Tensor, type DType } from '../tensor.js';
import { shapeStr } from '../shape.js';
// Layers call Tensor op methods (x.relu(), ...), which the op table attaches as it loads.
import '../ops/index.js';

/**
 * Why these values cannot be loaded ("element 3 is NaN: the weights are not finite"), or null
 * when every one is finite. Weights that are NaN or infinite give NaN for every input, so
 * loadStateDict, load and loadCheckpoint refuse them unless told to allow them.
 */
export function nonFiniteProblem(data: Tensor['data'], what = 'weights'): string | null {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i])) return `element ${i} is ${data[i]}: the ${what} are not finite`;
  return null;
}

/** Options of Module.loadStateDict (and of load and loadCheckpoint). */
export interface LoadStateDictOptions {
  /** Every name must match both ways (default true). */
  strict?: boolean;
  /** Load NaN and infinite values too (default false: they are refused, naming the tensor and element). */
  allowNonFinite?: boolean;
}

/**
 * A tensor that a module owns and trains (torch.nn.Parameter): requiresGrad is on from the start,
 * and Module.parameters() finds it among the module's fields.
 */
export class Parameter extends Tensor {
  /** Wraps t's data (shared, not copied) as a parameter. */
  constructor(t: Tensor) {
    super(t.cell, t.shape);
    this.requiresGrad = true;
  }
}

/**
 * A tensor that a module keeps but does not train (PyTorch's register_buffer): batch norm's
 * running statistics. Saved and loaded with the parameters (stateDict), never in parameters().
 */
export class Buffer extends Tensor {
  /** Wraps t's data (shared, not copied) as a buffer. */
  constructor(t: Tensor) {
    super(t.cell, t.shape);
  }
}

/**
 * The base of layers and models, as torch.nn.Module. A subclass keeps its parameters, buffers and
 * sub-modules (also arrays of modules) as fields and implements forward; parameters(),
 * stateDict(), train()/eval() and zeroGrad() find them by walking the fields in order, as PyTorch
 * finds them by attribute (names such as "0.weight" or "blocks.1.bias").
 *
 * @example
 * ```ts
 * class Mlp extends nn.Module {
 *   fc1 = new nn.Linear(784, 128);
 *   fc2 = new nn.Linear(128, 10);
 *   forward(x: Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * ```
 *
 * `Out` is what forward returns: a Tensor for layers and models, `[output, state]` for the
 * recurrent layers (nn.RNN, nn.LSTM, nn.GRU), as torch's.
 */
export abstract class Module<Out = Tensor> {
  /** Training mode (the default; dropout active, batch norm on batch statistics) or evaluation mode: set by train() and eval(). */
  training = true;

  /** The module's computation, as torch's forward: tensors in, a tensor out (layers document their shapes). */
  // Bivariant method parameters let each module declare its own inputs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only any[] lets overrides narrow the inputs
  abstract forward(...inputs: any[]): Out;

  /** Direct sub-modules with their names; arrays of modules are named by index. */
  namedChildren(): [string, Module<unknown>][] {
    const out: [string, Module<unknown>][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  /**
   * The parameters of this module and its sub-modules, in field order, with PyTorch-style dotted names (`prefix` first), as torch's named_parameters().
   */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [key, value] of Object.entries(this)) if (value instanceof Parameter) out.push([prefix + key, value]);
    // A loop, not push(...): a child's list can be longer than a call's arguments may be (a GPT of 13,000 blocks).
    for (const [name, child] of this.namedChildren())
      for (const p of child.namedParameters(`${prefix}${name}.`)) out.push(p);
    return out;
  }

  /** The buffers (running statistics, ...) of this module and its sub-modules, with dotted names, as torch's named_buffers(). */
  namedBuffers(prefix = ''): [string, Buffer][] {
    const out: [string, Buffer][] = [];
    for (const [key, value] of Object.entries(this)) if (value instanceof Buffer) out.push([prefix + key, value]);
    for (const [name, child] of this.namedChildren())
      for (const b of child.namedBuffers(`${prefix}${name}.`)) out.push(b);
    return out;
  }

  /**
   * Every trainable tensor of the module tree, in order, as torch's parameters(): what an optimizer
   * takes.
   *
   * @example
   * ```ts
   * const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
   * ```
   */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every module in the tree, this one first. */
  modules(): Module<unknown>[] {
    return [this, ...this.namedChildren().flatMap(([, c]) => c.modules())];
  }

  /** Training mode (dropout active) or, with false, evaluation mode; for the whole tree. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode for the whole tree (dropout off, batch norm on running statistics), as torch's eval(); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Forgets accumulated gradients (sets .grad to null, PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** The parameters and buffers by name; the tensors share data with the model. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into the parameters and buffers; by default every name must match both ways
   * and every value must be finite. Everything is checked before anything is copied.
   */
  loadStateDict(state: Record<string, Tensor>, options: LoadStateDictOptions = {}): void {
    const strict = options.strict ?? true;
    const own = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    if (strict) {
      const missing = [...own.keys()].filter((k) => !(k in state));
      const unexpected = Object.keys(state).filter((k) => !own.has(k));
      if (missing.length || unexpected.length) {
        throw new Error(
          `loadStateDict(${this.constructor.name}): ` +
            [
              missing.length ? `missing ${missing.join(', ')}` : '',
              unexpected.length ? `unexpected ${unexpected.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join('; '),
        );
      }
    }
    const pairs = Object.entries(state).flatMap(([name, value]) => {
      const p = own.get(name);
      return p ? [[name, p, value] as const] : [];
    });
    for (const [name, p, value] of pairs) {
      if (p.shape.join() !== value.shape.join()) {
        throw new Error(
          `loadStateDict: ${name} has shape ${shapeStr(value.shape)}, the model expects ${shapeStr(p.shape)}`,
        );
      }
      const problem = options.allowNonFinite ? null : nonFiniteProblem(value.data);
      if (problem)
        throw new Error(`loadStateDict: ${name}: ${problem} (pass { allowNonFinite: true } to load them anyway)`);
    }
    for (const [, p, value] of pairs) {
      p.data.set(value.data);
      p.markChanged();
    }
  }

  /** The parameter dtype of this module (its buffers' if it has no parameters, float32 if neither). */
  get dtype(): DType {
    return this.parameters()[0]?.dtype ?? this.namedBuffers()[0]?.[1].dtype ?? 'float32';
  }

  /** The module's name in messages: the class name; layers add their sizes, e.g. `Linear(784→128)`. */
  label(): string {
    return this.constructor.name;
  }

  /**
   * The settings shown inside the module's parentheses by toString(), as PyTorch's extra_repr:
   * a table layer's spec fields in PyTorch's style (`in_features=2, out_features=16, bias=True`),
   * nothing for other modules. Override it to show your own module's settings.
   */
  extraRepr(): string {
    const entry = (this.constructor as { layer?: { describe(m: Module<unknown>): Record<string, unknown> } }).layer;
    if (!entry) return '';
    return Object.entries(entry.describe(this))
      .map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}=${pythonValue(v)}`)
      .join(', ');
  }

  /**
   * The module as PyTorch prints it: its class name, its extraRepr() and, one per line and
   * indented, its sub-modules by name.
   *
   * @example
   * ```ts
   * String(new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU()));
   * // Sequential(
   * //   (0): Linear(in_features=2, out_features=16, bias=True)
   * //   (1): ReLU()
   * // )
   * ```
   */
  toString(): string {
    const extra = this.extraRepr();
    const lines = [
      ...(extra ? extra.split('\n') : []),
      ...this.namedChildren().map(([name, child]) => `(${name}): ${String(child).replaceAll('\n', '\n  ')}`),
    ];
    const inside =
      lines.length === 1 && this.namedChildren().length === 0
        ? lines[0]
        : lines.map((l) => `\n  ${l}`).join('') + (lines.length ? '\n' : '');
    return `${this.constructor.name}(${inside})`;
  }

  /** console.log and util.inspect in Node print toString(). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A spec value as Python prints it: True/False, None, tuples for arrays, quoted strings. */
function pythonValue(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(pythonValue).join(', ')}${v.length === 1 ? ',' : ''})`;
  // Python's repr writes a number under 10⁻⁴ with an exponent of two digits: 1e-05.
  if (typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-4) return v.toExponential().replace(/e-(\d)$/, 'e-0$1');
  return String(v);
}
