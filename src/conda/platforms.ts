/**
 * Conda platform (subdir) names. rattler's `platformNames` is the source; this is a copy, because
 * importing rattler instantiates its WASM module (~60 ms) and reading a lock needs only the names.
 * test/unit/conda/platforms.test.ts fails when rattler's list changes, so the copy cannot drift.
 */
export const PLATFORM_NAMES: readonly string[] = [
  'noarch',
  'unknown',
  'linux-32',
  'linux-64',
  'linux-aarch64',
  'linux-armv6l',
  'linux-armv7l',
  'linux-loong64',
  'linux-ppc64le',
  'linux-ppc64',
  'linux-ppc',
  'linux-s390x',
  'linux-riscv32',
  'linux-riscv64',
  'freebsd-64',
  'osx-64',
  'osx-arm64',
  'win-32',
  'win-64',
  'win-arm64',
  'emscripten-wasm32',
  'wasi-wasm32',
  'zos-z',
];

const KNOWN = new Set(PLATFORM_NAMES);

/** `noarch` is a subdir but not an install platform; callers that need an install platform exclude it. */
export function isKnownSubdir(subdir: string): boolean {
  return KNOWN.has(subdir);
}
