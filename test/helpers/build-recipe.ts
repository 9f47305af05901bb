/**
 * `cvebuild build` in tests: a threat-intel store made from self-made name lists (popular PyPI
 * names, conda-forge outputs, a conda→PyPI map) and the litellm example's malicious report, small
 * recipe directories, and the example's cph builder script (skipped where `cph` is absent).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.ts';
import { projectRoot } from './paths.ts';
import { tempDirectory } from './temp.ts';

export const CPH_BUILDER = join(projectRoot, 'examples/build-recipe/cph-build.sh');

/** Why the cph tests cannot run here, or undefined when they can. */
export const noCph =
  spawnSync('cph', ['--version'], { encoding: 'utf8' }).status === 0
    ? undefined
    : 'cph (conda-package-handling) is not installed: apt-get install conda-package-handling';

const NAMES = ['requests', 'python', 'numpy', 'litellm'];

/** A store file holding the name lists, the litellm malicious report and any `extra` threat-data files. */
export function buildIntelStore(extra: readonly string[] = []): string {
  const dir = tempDirectory();
  const lists = join(dir, 'lists');
  mkdirSync(lists);
  const rows = NAMES.map((project, i) => ({ project, download_count: 1000 - i }));
  writeFileSync(join(lists, 'top-pypi-packages.min.json'), JSON.stringify({ last_update: '2026-01-01', rows }));
  writeFileSync(
    join(lists, 'feedstock-outputs.json'),
    JSON.stringify(Object.fromEntries(NAMES.map((name) => [name, [name]]))),
  );
  writeFileSync(
    join(lists, 'parselmouth-conda-forge-compressed_mapping.v0.json'),
    JSON.stringify({ requests: ['requests'], numpy: ['numpy'], litellm: ['litellm'], python: null }),
  );
  const db = join(dir, 'intel.db');
  const imported = runCli([
    ...['db', 'import', join(projectRoot, 'examples/litellm-compromise/intel'), lists, ...extra],
    ...['--db', db],
  ]);
  if (imported.status !== 0) throw new Error(`db import failed: ${imported.stderr}`);
  return db;
}

/** A rattler-build recipe directory with these run requirements and extra files. */
export function recipeDirectory(name: string, run: string[], files: Record<string, string> = {}): string {
  const dir = join(tempDirectory(), name);
  mkdirSync(dir);
  const requirements = run.length > 0 ? `requirements:\n  run:\n${run.map((spec) => `    - ${spec}\n`).join('')}` : '';
  writeFileSync(
    join(dir, 'recipe.yaml'),
    `package:\n  name: ${name}\n  version: 0.1.0\n\nbuild:\n  noarch: generic\n\n${requirements}`,
  );
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

export function cphCommand(name: string, version = '0.1.0'): string {
  return `sh '${CPH_BUILDER}' ${name} ${version}`;
}
