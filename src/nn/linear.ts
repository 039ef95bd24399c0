// Linear, for the older import path (src/nn/linear.js); it lives in src/nn/layers/linear.ts.

export { Linear, type LinearOptions, type LinearInit } from './layers/linear.js';
