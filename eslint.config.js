// ESLint (flat config): eslint's and typescript-eslint's recommended rules, without type
// information so that `npm run lint` stays fast. Formatting is Prettier's job (.prettierrc.json).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The Node globals the plain-JS scripts use (TypeScript files get theirs from tsc: no-undef is off there).
const node = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'performance', 'fetch']
    .concat(['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask'])
    .map((name) => [name, 'readonly']),
);
const commonjs = {
  module: 'writable',
  exports: 'writable',
  require: 'readonly',
  __dirname: 'readonly',
  __filename: 'readonly',
};

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    'docs/api/',
    'native/build/',
    'test-artifacts/',
    'runs/',
    // Generated: src/ops/generated/ (scripts/gen-tables.mjs), src/backend/wasm/generated/ (scripts/build-wasm.mjs).
    '**/generated/',
    // AssemblyScript (i32, usize, load<T>), compiled by asc; tsconfig.json excludes it too.
    'src/backend/wasm/kernels/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // As tsc's noUnusedParameters: a leading _ marks a parameter kept for its signature; and
      // `const { drop, ...rest } = o` is how the code leaves out keys.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...node, ...commonjs } },
  },
);
