// The Web Worker entry: one training session (session.ts) on the worker's message port.

import { startSession } from './session.js';
import type { ToWorker } from './protocol.js';

const scope = self as unknown as Worker;
const handle = startSession((m, transfer = []) => scope.postMessage(m, transfer));
scope.onmessage = (e: MessageEvent<ToWorker>) => void handle(e.data);
