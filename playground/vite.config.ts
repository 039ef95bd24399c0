// The playground's build: the page under playground/, nabla from ../src, and a relative base so
// the built site works from any static server and any path.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
});
