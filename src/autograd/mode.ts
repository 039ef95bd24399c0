// Whether ops record the graph. Off inside noGrad and during a backward pass without createGraph.

export const gradState = { enabled: true };

/** Runs fn with graph recording off, like torch.no_grad(). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradState.enabled;
  gradState.enabled = false;
  try {
    return fn();
  } finally {
    gradState.enabled = previous;
  }
}

export function isGradEnabled(): boolean {
  return gradState.enabled;
}
