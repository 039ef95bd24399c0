// What the browser tests share: building the playground when its dist is missing or older
// than its sources, a static file server on 127.0.0.1, and Debian's chromium via playwright-core.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

// dist/test/e2e/harness.js → the repository root.
export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
export const artifacts = join(repoRoot, 'test-artifacts');
const site = join(repoRoot, 'playground', 'dist');

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/** Runs `npm run build:playground` unless playground/dist is newer than every source it is built from. */
export function buildPlaygroundIfStale(): void {
  const built = join(site, 'index.html');
  const sources = ['playground/src', 'playground/index.html', 'playground/vite.config.ts', 'src'].map((p) =>
    join(repoRoot, p),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  execFileSync('npm', ['run', 'build:playground'], { cwd: repoRoot, stdio: 'inherit' });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** The headers the built site's `_headers` file (playground/public/_headers) gives every path. */
function siteHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of readFileSync(join(site, '_headers'), 'utf8').split('\n')) {
    const m = /^\s+([\w-]+):\s*(.+)$/.exec(line);
    if (m) headers[m[1].toLowerCase()] = m[2].trim();
  }
  return headers;
}

/**
 * Serves playground/dist (or the built page in `root`) on 127.0.0.1 at a free port; `isolated` adds the headers of the built
 * site's `_headers` file (COOP and COEP), as a static host that reads it would.
 */
export async function serveSite(
  options: { isolated?: boolean; root?: string } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const isolation = options.isolated ? siteHeaders() : {};
  const root = options.root ?? site;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...isolation });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('serveSite: no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

// WebGPU on the software adapter that Debian's chromium ships (SwiftShader over Vulkan), for a
// machine without a GPU (docs/webgpu.md); it needs a secure context, which 127.0.0.1 is.
const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-vulkan-surface',
];

/**
 * Headless Debian chromium with a fresh profile. The flags keep it from calling home, which
 * on a closed network turns into failed connections and noise; with `webgpu`, WebGPU runs on
 * the software adapter instead of the GPU being disabled.
 */
export async function launchBrowser(
  options: { webgpu?: boolean } = {},
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'nabla-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      ...(options.webgpu ? WEBGPU_FLAGS : ['--disable-gpu']),
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
