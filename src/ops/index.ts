// Every op, as functions. Tensor methods call these; the op registry test (test/ops) checks
// that each public op here has sample cases, a PyTorch reference and a float64 gradcheck.

export { add, sub, mul, div } from './binary.js';
export { neg, exp, log, sqrt, abs, tanh, sigmoid, softplus, relu, leakyRelu, gelu, erf, pow, clamp } from './unary.js';
export { reshape, permute, transpose, broadcastTo, sumTo } from './shape.js';
export { sum, mean, max } from './reduce.js';
export { matmul, matmulT } from './matmul.js';
export { logSoftmax, softmax } from './softmax.js';
export { pick, unpick, type Labels } from './pick.js';
export { binaryCrossEntropy } from './loss.js';
