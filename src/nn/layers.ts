// The layers and Sequential, for the older import path (src/nn/layers.js); the layers live in
// src/nn/layers/ (one file per layer or small family, registered in layers/index.ts).

export * from './layers/index.js';
export { Sequential } from './sequential.js';
