// Reverse-mode automatic differentiation.
//
// backward(root) visits the graph below root in reverse topological order, so a node's
// gradient is complete (summed over every path) before its op's backward rule runs. Leaves
// that require gradients accumulate into .grad, as in PyTorch. As in PyTorch too, a pass frees
// the values each node saved for it (its backward closure), so a second pass through the same
// graph throws unless the first was given retainGraph (then the second adds to .grad).
// Backward rules are written with ops; with createGraph they are recorded too, so the
// gradients can themselves be differentiated. (Tensor methods such as add exist here because
// every graph was made by ops, which attach them; ops/node.ts loads this file in turn.)

import { allocData, recordAllocations, type Cell } from '../cells.js';
import { defineTensorMethod, Tensor, type GradFn } from '../tensor.js';
import { kernels } from '../backend/index.js';
import { shapeStr, sameShape } from '../shape.js';
import { gradState } from './mode.js';

/** Options of Tensor.backward. */
export interface BackwardOptions {
  /** Record the backward pass in the graph so gradients can be differentiated again. */
  createGraph?: boolean;
  /**
   * Keep the graph's saved values, so that another backward pass can go through it (default:
   * createGraph's value, as PyTorch's retain_graph).
   */
  retainGraph?: boolean;
}

/** Backprop from root, accumulating into the .grad of every leaf that requires it. */
export function backward(root: Tensor, grad?: Tensor, options: BackwardOptions = {}): void {
  const createGraph = options.createGraph === true;
  propagate('backward', root, grad, options, (leaf, g, own) => accumulate(leaf, g, createGraph, own));
}

/** Options of grad. */
export interface GradOptions extends BackwardOptions {
  /** dL/droot, required when root is not a scalar. */
  gradOutput?: Tensor;
  /** Return null for inputs the output does not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/**
 * The gradients of root with respect to `inputs` (PyTorch's torch.autograd.grad), returned
 * rather than accumulated: no .grad is touched. Each gradient has its input's shape; root must be
 * a scalar unless `options.gradOutput` (dL/droot, root's shape) is given. With `createGraph` the
 * gradients are differentiable (second derivatives); with `allowUnused` an input that root does
 * not depend on gives null instead of an error.
 *
 * @example
 * ```ts
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * const [dx] = grad(x.mul(x).sum(), [x]);   // 2x = [2, 4, 6]
 * ```
 */
export function grad(
  root: Tensor,
  inputs: readonly Tensor[],
  options?: GradOptions & { allowUnused?: false },
): Tensor[];
export function grad(root: Tensor, inputs: readonly Tensor[], options: GradOptions): (Tensor | null)[];
export function grad(root: Tensor, inputs: readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const found = new Map<Tensor, Tensor>();
  const wanted = new Set(inputs);
  propagate(
    'grad',
    root,
    options.gradOutput,
    options,
    () => {},
    (node, g) => {
      if (wanted.has(node)) found.set(node, g);
    },
  );
  return inputs.map((t, i) => {
    const g = found.get(t);
    if (!g && !options.allowUnused)
      throw new Error(`grad: input ${i} is not part of the output's graph (or does not require grad)`);
    return g ?? null;
  });
}

function propagate(
  op: string,
  root: Tensor,
  grad: Tensor | undefined,
  options: BackwardOptions,
  /** `own`: g's memory was allocated in this pass and no other gradient shares it. */
  onLeaf: (leaf: Tensor, g: Tensor, own: boolean) => void,
  onNode?: (node: Tensor, g: Tensor) => void,
): void {
  const createGraph = options.createGraph === true;
  const retainGraph = options.retainGraph ?? createGraph;
  if (!root.requiresGrad) {
    throw new Error(
      `${op}: the tensor ${shapeStr(root.shape)} does not require grad (no input of its graph has requiresGrad)`,
    );
  }
  let seed: Tensor;
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new Error(
        `${op}: tensor of shape ${shapeStr(root.shape)} is not a scalar; pass a gradient of the same shape: t.backward(grad)`,
      );
    }
    seed = onesLike(root);
  } else {
    if (!sameShape(grad.shape, root.shape)) {
      throw new Error(
        `${op}: gradient shape ${shapeStr(grad.shape)} does not match the tensor's shape ${shapeStr(root.shape)}`,
      );
    }
    if (grad.dtype !== root.dtype)
      throw new Error(`${op}: gradient dtype ${grad.dtype} does not match the tensor's ${root.dtype}`);
    seed = grad;
  }

  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  // Which cells were allocated in this pass, and how many gradients use each, so that a leaf
  // can keep a gradient nothing else holds instead of copying it. Views made by ops (reshape,
  // detach) share the cell.
  const fresh = new WeakSet<Cell>();
  const uses = new Map<Cell, number>();
  const use = (t: Tensor) => uses.set(t.cell, (uses.get(t.cell) ?? 0) + 1);
  use(seed);
  const previous = gradState.enabled;
  const previousAllocations = recordAllocations(fresh);
  gradState.enabled = createGraph;
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      const g = grads.get(node);
      if (!g) continue;
      grads.delete(node);
      onNode?.(node, g);
      const fn = node.gradFn;
      if (!fn) {
        onLeaf(node, g, fresh.has(g.cell) && uses.get(g.cell) === 1);
        continue;
      }
      if (fn.backward === null) {
        throw new Error(
          `${op}: trying to backward through the graph a second time (the values ${fn.op} saved were freed by the first pass); specify retainGraph: true in the first call (backward({ retainGraph: true })) to backward through it again`,
        );
      }
      checkVersions(fn);
      const needs = fn.inputs.map((t) => t.requiresGrad);
      const inputGrads = fn.backward(g, needs);
      if (!retainGraph) fn.backward = null; // frees what the op saved for this pass
      for (let j = 0; j < fn.inputs.length; j++) {
        const input = fn.inputs[j];
        const ig = inputGrads[j];
        if (!needs[j] || !ig) continue;
        if (!sameShape(ig.shape, input.shape)) {
          throw new Error(
            `backward of ${fn.op}: gradient ${shapeStr(ig.shape)} for input ${j} of shape ${shapeStr(input.shape)}`,
          );
        }
        const prev = grads.get(input);
        const sum = prev ? prev.add(ig) : ig;
        use(sum);
        grads.set(input, sum);
      }
    }
  } finally {
    gradState.enabled = previous;
    recordAllocations(previousAllocations);
  }
}

// A backward rule reads the values its op saw (x for dW = xᵀ·dy): an input written in place since
// (an optimizer step before backward, markChanged) would give wrong gradients, so it is refused,
// as PyTorch refuses a saved tensor "modified by an inplace operation".
function checkVersions(fn: GradFn): void {
  fn.inputs.forEach((x, i) => {
    if (x.cell.version !== fn.versions[i]) {
      throw new Error(
        `backward of ${fn.op}: its input ${i} ${shapeStr(x.shape)} was modified in place after ${fn.op} used it (version ${x.cell.version}, expected ${fn.versions[i]}): compute the output again after the change (an optimizer step goes after backward)`,
      );
    }
  });
}

function accumulate(leaf: Tensor, g: Tensor, createGraph: boolean, own: boolean): void {
  if (leaf.grad === null) {
    // A copy unless this pass made g and nothing else holds it: the same gradient tensor may
    // flow to several leaves (or be the caller's own gradient, or a view of another), and later
    // backward calls, optimizers and clipping modify .grad in place.
    // With createGraph the copy is an op (×1), so it stays differentiable.
    leaf.grad = createGraph ? g.mul(1) : own ? g : g.clone();
  } else if (createGraph) {
    leaf.grad = leaf.grad.add(g);
  } else {
    kernels().axpy(leaf.grad.cell, g.cell, 1); // bumps the gradient's version
  }
}

/** Nodes reachable from root that require grad, inputs before the ops that use them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS (deep graphs would overflow the call stack): [node, next input index].
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = top[0].gradFn?.inputs ?? [];
    if (top[1] < inputs.length) {
      const child = inputs[top[1]++];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order;
}

declare module '../tensor.js' {
  interface Tensor {
    /**
     * Reverse-mode backprop from this tensor: `loss.backward()` for a scalar, `t.backward(grad)`
     * otherwise, and `backward({ createGraph: true })` or `backward(grad, { createGraph: true })`
     * to make the gradients differentiable. The pass frees the graph's saved values: a second
     * backward through it throws unless the first was given `{ retainGraph: true }`.
     */
    backward(grad?: Tensor | BackwardOptions, options?: BackwardOptions): void;
  }
}

// Attached here, not in tensor.ts, so that tensors import no autograd.
defineTensorMethod(
  'backward',
  function (this: Tensor, grad?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    if (grad instanceof Tensor || grad === undefined) backward(this, grad, options);
    else backward(this, undefined, grad);
  },
);

function onesLike(t: Tensor): Tensor {
  return new Tensor(allocData(t.dtype, t.size).fill(1), t.shape, t.dtype);
}
