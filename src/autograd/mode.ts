// Whether ops record the graph. Off inside noGrad and during a backward pass without createGraph.

export const gradState = { enabled: true };

/**
 * Runs fn with graph recording off, like torch.no_grad(): the ops inside make no graph and their
 * outputs do not require grad (for evaluation, and for updating weights by hand). Returns fn's result.
 *
 * @example
 * ```ts
 * const logits = noGrad(() => model.forward(x));   // no graph, nothing to backprop
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradState.enabled;
  gradState.enabled = false;
  try {
    return fn();
  } finally {
    gradState.enabled = previous;
  }
}

/** Whether ops record the graph now: false inside noGrad and during backward without createGraph (as torch.is_grad_enabled). */
export function isGradEnabled(): boolean {
  return gradState.enabled;
}
