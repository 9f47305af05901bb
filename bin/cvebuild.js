#!/usr/bin/env node
// Launcher. An installed package runs the compiled JavaScript in dist/. A checkout of the
// repository (src/ beside bin/, which the package does not ship) runs the TypeScript sources
// through Node's type stripping, so tests and the README's commands always run the code as it is.
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';

const fromSource = existsSync(new URL('../src/cli/main.ts', import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  const advice = fromSource
    ? 'In a checkout of cvebuild, run it through `npx cvebuild`, which uses the Node 24 that `npm ci` installs.'
    : 'Install Node.js 22 or 24 and run cvebuild with it.';
  process.stderr.write(`cvebuild: Node.js >= 22.13 is required (this is ${process.version}). ${advice}\n`);
  process.exit(2);
}

// `--version` alone needs nothing but the package's own manifest: answered before any module loads
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
  process.exit(0);
}

if (fromSource && !process.features.typescript) {
  // Node 22.13–22.17 strips types only behind a flag: re-run ourselves with it.
  const { spawnSync } = await import('node:child_process');
  const child = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 2);
}
// Node 22 still calls node:sqlite experimental and says so on stderr, where only cvebuild's one-line errors belong.
if (major === 22) {
  const emit = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
    if (type === 'ExperimentalWarning' && String(warning).includes('SQLite')) return;
    emit.call(process, warning, ...rest);
  };
}
// V8's compiled code for cvebuild's modules is cached on disk (the OS temporary directory, or
// $NODE_COMPILE_CACHE): start-up then skips parsing and compiling ~300 modules.
module.enableCompileCache?.();
// dist/ is .mjs: Node knows an .mjs file is ESM without looking up its package.json, for each of
// the ~70 modules a gate loads (~8 ms).
const { main } = fromSource ? await import('../src/cli/main.ts') : await import('../dist/cli/main.mjs');
process.exitCode = await main(args);
