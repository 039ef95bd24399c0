// The playground's build: the page under playground/, nabla from ../src, and a relative base so
// the built site works from any static server and any path.
import { defineConfig } from 'vite';

// Cross-origin isolation: with these two headers the page may share memory with workers, so the
// wasm backend runs its worker threads (SharedArrayBuffer); without them it runs on one thread.
// The built site carries them in public/_headers for hosts that read that file (Netlify,
// Cloudflare Pages); other static hosts need the same two headers set (README, Playground).
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
});
