#!/usr/bin/env node
// Launcher: the CLI is TypeScript run by Node's type stripping (Node >= 22.13; 24 recommended).
import { spawnSync } from 'node:child_process';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `cvebuild: Node.js >= 22.13 is required (this is ${process.version}). ` +
      'Run it through `npx cvebuild` in the project, which uses the Node 24 that `npm ci` installs.\n',
  );
  process.exit(2);
}
if (!process.features.typescript) {
  // Node 22.13–22.17 strips types only behind a flag: re-run ourselves with it.
  const child = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
