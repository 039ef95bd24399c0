// fit and evaluate run their steps in one async function; without a pause between them the
// event loop would not turn until training ended: timers, I/O, a server's requests, a page's
// clicks and frames all wait (a 10 ms interval fired 0 times in a 390 ms fit). So the loops
// hand the event loop a turn whenever YIELD_MS have passed since the last: a step of a small
// model takes microseconds, and a turn per step would cost more than the step.

/** The longest the loops run steps without a turn of the event loop (a step longer than this still runs whole). */
export const YIELD_MS = 16;

// A macrotask, so that due timers run: a resolved promise would only run microtasks. Node's
// setImmediate; in a browser a task of background priority (scheduler.postTask), which runs after
// the timers that are due (measured in chromium: a 10 ms interval fired 40 times a second against
// 20 after a MessageChannel message), else setTimeout(0), fair to timers but clamped to 4 ms.
type PostTask = (task: () => void, options: { priority: 'background' }) => Promise<void>;
const postTask = (globalThis as { scheduler?: { postTask?: PostTask } }).scheduler?.postTask;
const nextTask: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : postTask
      ? () =>
          postTask.call((globalThis as unknown as { scheduler: unknown }).scheduler, () => {}, {
            priority: 'background',
          })
      : () => new Promise((resolve) => setTimeout(resolve, 0));

/** Tells a loop when to let the event loop turn: `await turns.maybe()` between steps. */
export class EventLoopTurns {
  private last = performance.now();

  /** Yields to the event loop if YIELD_MS have passed since the last turn; else returns at once. */
  async maybe(): Promise<void> {
    if (performance.now() - this.last < YIELD_MS) return;
    await nextTask();
    this.last = performance.now();
  }
}
