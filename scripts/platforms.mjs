// The platforms nabla publishes a prebuilt native package for (scripts/pack-native.mjs packs one,
// scripts/publish.mjs publishes them all). The main package's tarball lists each in its
// optionalDependencies at its own version (scripts/pack-manifest.mjs), so npm installs the one
// whose os, cpu and libc fit, and nabla runs on wasm where none does.

export const PLATFORMS = [
  { os: 'linux', cpu: 'x64' },
  { os: 'linux', cpu: 'arm64' },
];
