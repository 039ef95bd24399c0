// The layers of the house (docs/ARCHITECTURE.md):
//
//   backend ← cells ← tensor ← ops/autograd ← nn/optim ← data/io/train ← cli
//
// A layer imports from the layers below it and from its own; nothing imports upward, and there
// is no import cycle anywhere in src/ (type-only imports count). src/shape.ts, src/random.ts and
// src/show.ts are shared leaf helpers: anyone may import them and they import nothing from src/.
// src/index.ts and src/core.ts are the entries: they may import anything and nothing imports them
// (except index.ts, which re-exports core.ts).
//
// Run: npm run lint:deps (test/house.test.ts runs the same check in npm test).

const LEAF = '^src/(shape|random|show)\\.ts$';
const ENTRY = '^src/(index|core)\\.ts$';

/** A rule: files matching `from` import nothing in src/ outside `allowed` (paths, regexes). */
function only(name, comment, from, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: { path: '^src/', pathNot: [...allowed, LEAF] },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle anywhere in src/, type-only imports included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'leaf-helpers',
      comment: 'src/shape.ts, src/random.ts and src/show.ts are leaves: they import nothing from src/.',
      severity: 'error',
      from: { path: LEAF },
      to: { path: '^src/', pathNot: LEAF },
    },
    {
      name: 'no-import-of-entries',
      comment: 'src/index.ts and src/core.ts are entries: only index.ts may import core.ts.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/index\\.ts$' },
      to: { path: ENTRY },
    },
    {
      name: 'backend-is-the-bottom',
      comment: 'src/backend/ imports nothing from src/ but itself and src/shape.ts.',
      severity: 'error',
      from: { path: '^src/backend/' },
      to: { path: '^src/', pathNot: ['^src/backend/', '^src/shape\\.ts$'] },
    },
    only('cells-on-backend', 'src/cells imports only src/backend/ and the leaf helpers.', '^src/cells(\\.ts$|/)', [
      '^src/cells(\\.ts$|/)',
      '^src/backend/',
    ]),
    only(
      'tensor-on-cells',
      'src/tensor.ts imports only src/cells, src/backend/ and the leaf helpers.',
      '^src/tensor\\.ts$',
      ['^src/cells(\\.ts$|/)', '^src/backend/'],
    ),
    only(
      'ops-autograd-below-nn',
      'src/ops/ and src/autograd/ import nothing from nn, optim, data, io, train, cli.',
      '^src/(ops|autograd)/',
      ['^src/(ops|autograd)/', '^src/tensor\\.ts$', '^src/cells(\\.ts$|/)', '^src/backend/'],
    ),
    only(
      'nn-optim-below-train',
      'src/nn/ and src/optim/ import nothing from data, io, train, cli.',
      '^src/(nn|optim)/',
      ['^src/(nn|optim)/', '^src/(ops|autograd)/', '^src/tensor\\.ts$', '^src/cells(\\.ts$|/)', '^src/backend/'],
    ),
    only(
      'data-io-train-below-cli',
      'src/data/, src/io/ and src/train/ import nothing from src/cli/.',
      '^src/(data|io|train)/',
      [
        '^src/(data|io|train)/',
        '^src/(nn|optim)/',
        '^src/(ops|autograd)/',
        '^src/tensor\\.ts$',
        '^src/cells(\\.ts$|/)',
        '^src/backend/',
      ],
    ),
    {
      name: 'no-unknown-place',
      comment: 'Every file in src/ belongs to a layer above; a new top-level module needs a place in this file.',
      severity: 'error',
      from: { path: '^src/' },
      to: {
        path: '^src/',
        pathNot: [
          '^src/(backend|cells|ops|autograd|nn|optim|data|io|train|cli)/',
          '^src/(tensor|cells|shape|random|show|index|core)\\.ts$',
        ],
      },
    },
  ],
  options: {
    // Type-only imports are dependencies too: a cycle through `import type` is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The AssemblyScript kernel sources are compiled by asc, not part of the TypeScript graph.
    exclude: { path: '^src/backend/wasm/kernels/' },
    doNotFollow: { path: 'node_modules' },
    moduleSystems: ['es6'],
  },
};
