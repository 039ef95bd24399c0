// The pure TypeScript backend: every kernel of the table, the reference every other backend is
// tested against and the fallback for the kernels another backend lacks. Each family file
// exports exactly its kernels, so a new kernel is registered by being written there.

import type { Backend, Kernels } from '../contract.js';
import * as elementwise from './elementwise.js';
import * as matmul from './matmul.js';
import * as optim from './optim.js';
import * as patches from './patches.js';
import * as rows from './rows.js';

export const jsBackend: Backend & Kernels = { name: 'js', ...elementwise, ...matmul, ...optim, ...patches, ...rows };
