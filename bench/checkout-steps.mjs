// Times the tiny-MLP overhead workload and one epoch of 784-128-10 training (wasm, one thread)
// on the built checkout in DIR, so that two commits can be compared in one session:
//   node bench/checkout-steps.mjs DIR tiny [STEPS]   (steps/s of the 2-16-16-1 MLP)
//   node bench/checkout-steps.mjs DIR train          (samples/s of 784-128-10, batch 64, SGD)
// Run it alternately on both checkouts (e.g. a `git worktree` of the older commit, built with
// `npm run build`) several times and compare medians: machines here are shared and noisy.

const [root, what = 'tiny', steps = '6000'] = process.argv.slice(2);
if (!root) throw new Error('usage: node bench/checkout-steps.mjs DIR tiny|train [STEPS]');
const nb = await import(`${root}/dist/bench/nabla.js`);
const models = await import(`${root}/dist/bench/models.js`);
const data = await import(`${root}/dist/bench/data.js`);
const core = await import(`${root}/dist/src/index.js`);
core.setBackend('wasm');
core.setNumThreads(1);
await core.ready();
if (what === 'tiny') {
  const r = nb.overhead(
    models.initialWeights(models.tiny.sizes, 1),
    data.rings(),
    Number(steps),
    models.tiny.batch,
    models.tiny.lr,
  );
  console.log(`tiny ${r.stepsPerSec.toFixed(0)} steps/s`);
} else {
  const r = nb.train(models.mlpSmall, models.initialWeights(models.mlpSmall.sizes, 0), data.loadMnist(), 1);
  console.log(`train ${r.samplesPerSec.toFixed(0)} samples/s`);
}
