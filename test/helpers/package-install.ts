/**
 * The published package as a user gets it: `npm pack` of this checkout (which builds dist/ through
 * the `prepare` script), installed into an empty project. Installing needs cvebuild's dependencies,
 * and tests have no network: the project gets a lockfile pinning them to the versions this
 * checkout's package-lock.json resolved, so `npm ci --offline` takes them from the npm cache that
 * `npm ci` filled. What is tested is the tarball: its files, its `bin`, its `exports`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.ts';
import { tempDirectory } from './temp.ts';

interface LockEntry {
  dev?: boolean;
  [key: string]: unknown;
}

/** npm itself: the one running these tests when there is one, else the one on PATH. */
function npm(args: string[], cwd: string): string {
  const viaNpm = process.env.npm_execpath;
  const [command, prefix] = viaNpm?.endsWith('.js') ? [process.execPath, [viaNpm]] : ['npm', []];
  const result = spawnSync(command, [...prefix, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`npm ${args.join(' ')} failed (${result.status}) in ${cwd}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

export interface InstalledPackage {
  tarball: string;
  /** The files the tarball holds, relative to its root. */
  files: string[];
  /** The project it is installed in. */
  project: string;
  /** node_modules/.bin/cvebuild of that project. */
  bin: string;
}

export function packAndInstall(): InstalledPackage {
  const work = tempDirectory();
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], projectRoot)) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (!packed) throw new Error('npm pack reported no tarball');
  const tarball = join(work, packed.filename);
  const project = join(work, 'project');
  const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:../${packed.filename}`;
  const packages: Record<string, unknown> = {
    '': { name: 'empty-project', version: '1.0.0', dependencies: { cvebuild: spec } },
    'node_modules/cvebuild': {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  // what a user's install brings: cvebuild's dependencies, never its development ones
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  }
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'empty-project',
      version: '1.0.0',
      private: true,
      type: 'module',
      dependencies: { cvebuild: spec },
    }),
  );
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify({ name: 'empty-project', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
  );
  npm(['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], project);
  return {
    tarball,
    files: packed.files.map((file) => file.path),
    project,
    bin: join(project, 'node_modules', '.bin', 'cvebuild'),
  };
}
