// The GPT of bench/gpt.ts in TensorFlow.js ops (its tfjs-wasm row, and tfjs-webgpu's row in
// bench/webgpu.ts): one training step per call, the loss left to the caller to read (dataSync on
// wasm; `await data()` on webgpu, which has no dataSync in Node).

import * as tf from '@tensorflow/tfjs';
import { gptBatches, gptConfig } from './models.js';
import { lcg } from './util.js';

/**
 * A GPT in TensorFlow.js ops as its users write one: variables, optimizer.minimize. Its embedding
 * lookup is tf.gather, whose gradient (UnsortedSegmentSum) the wasm backend lacks; `oneHot` is
 * the workaround users take, the lookup as a product with one-hot rows.
 */
export function tfjsGpt(oneHot: boolean, cfg = gptConfig): { step(i: number): tf.Scalar; dispose(): void } {
  const { dim: e, heads: h, context: t, vocab: v, batch: n } = cfg;
  const d = e / h;
  const rnd = lcg(3);
  const w = (...shape: number[]) =>
    tf.variable(
      tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rnd() - 0.5) * 0.04),
        shape,
      ),
    );
  const ones = (k: number) => tf.variable(tf.ones([k]));
  const zeros = (k: number) => tf.variable(tf.zeros([k]));
  const wte = w(v, e),
    wpe = w(t, e),
    head = w(e, v),
    lnFg = ones(e),
    lnFb = zeros(e);
  const blocks = Array.from({ length: cfg.layers }, () => ({
    ln1g: ones(e),
    ln1b: zeros(e),
    wqkv: w(e, 3 * e),
    bqkv: zeros(3 * e),
    wo: w(e, e),
    bo: zeros(e),
    ln2g: ones(e),
    ln2b: zeros(e),
    wfc: w(e, 4 * e),
    bfc: zeros(4 * e),
    wproj: w(4 * e, e),
    bproj: zeros(e),
  }));
  const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x: tf.Tensor) =>
    tf.mul(
      tf.mul(x, 0.5),
      tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
    );
  const causal = tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)).mul(-1e9);
  const linear = (x: tf.Tensor, wt: tf.Tensor, b: tf.Tensor) =>
    tf.add(tf.matMul(x.reshape([-1, wt.shape[0]!]), wt as tf.Tensor2D), b);
  const forward = (tokens: tf.Tensor2D) => {
    const embedded = oneHot
      ? tf.matMul(tf.oneHot(tokens.reshape([-1]), v).toFloat(), wte as tf.Tensor2D).reshape([n, t, e])
      : tf.gather(wte, tokens);
    let x: tf.Tensor = tf.add(embedded, wpe);
    for (const bl of blocks) {
      const qkv = linear(layerNorm(x, bl.ln1g, bl.ln1b), bl.wqkv, bl.bqkv).reshape([n, t, 3, h, d]);
      const [q, k, vv] = tf.split(qkv, 3, 2).map((part) => part.reshape([n, t, h, d]).transpose([0, 2, 1, 3]));
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d)), causal));
      const a = tf
        .matMul(att, vv)
        .transpose([0, 2, 1, 3])
        .reshape([n * t, e]);
      x = tf.add(x, linear(a, bl.wo, bl.bo).reshape([n, t, e]));
      const m = linear(gelu(linear(layerNorm(x, bl.ln2g, bl.ln2b), bl.wfc, bl.bfc)), bl.wproj, bl.bproj);
      x = tf.add(x, m.reshape([n, t, e]));
    }
    return tf.matMul(layerNorm(x, lnFg, lnFb).reshape([n * t, e]), head);
  };
  const opt = tf.train.adam(1e-3);
  const data = gptBatches(4, cfg).map((b) => ({
    x: tf.tensor2d(b.x, undefined, 'int32'),
    y: tf.oneHot(tf.tensor1d(b.y.flat(), 'int32'), v),
  }));
  return {
    /** One training step; the caller reads the loss (dataSync or await data()) and disposes it. */
    step(i) {
      const { x, y } = data[i % data.length];
      return opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x as tf.Tensor2D)) as tf.Scalar, true)!;
    },
    dispose() {
      opt.dispose();
      for (const d of data) tf.dispose([d.x, d.y]);
      tf.disposeVariables();
    },
  };
}
