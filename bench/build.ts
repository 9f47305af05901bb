/**
 * bench/build: what the pipeline's stages cost on top of the builder, as a user feels it. Whole-process
 * medians (hyperfine) of the bundled example recipe (examples/build-recipe) built by its
 * conda-package-handling builder script alone, against `cvebuild build` running every stage around
 * that same builder (fresh run directory each time: no resume), measured in the same run.
 * Figures only, never asserted.
 *   node bench/build.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDirectory } from '../test/helpers/temp.ts';

for (const [tool, hint] of [
  ['hyperfine', 'apt-get install hyperfine'],
  ['cph', 'apt-get install conda-package-handling'],
] as const) {
  if (spawnSync(tool, ['--version']).status !== 0) {
    console.log(`build bench skipped: ${tool} not on PATH (Debian: ${hint})`);
    process.exit(0);
  }
}

const root = fileURLToPath(new URL('..', import.meta.url));
const recipe = join(root, 'examples/build-recipe');
const builder = `sh ${join(recipe, 'cph-build.sh')} hello-cvebuild 0.1.0`;
const bin = join(root, 'bin/cvebuild.js');
const node = process.execPath;
const work = tempDirectory();
const db = join(work, 'example.db');
const imported = spawnSync(
  node,
  [bin, 'db', 'import', join(root, 'examples/litellm-compromise/intel'), join(recipe, 'intel'), '--db', db],
  { encoding: 'utf8' },
);
if (imported.status !== 0) throw new Error(`db import failed: ${imported.stderr}`);
mkdirSync(join(work, 'alone'), { recursive: true });

// the builder alone gets what cvebuild gives it: the recipe, fresh work and output directories, the
// same scrubbed environment (the caller's Python settings change how fast cph starts)
const alone = [
  `rm -rf ${work}/alone/work ${work}/alone/out && mkdir -p ${work}/alone/work ${work}/alone/out`,
  `env -i PATH="$PATH" HOME=${work}/alone/work LANG=C.UTF-8 RECIPE_DIR=${recipe} WORK_DIR=${work}/alone/work OUTPUT_DIR=${work}/alone/out TARGET_PLATFORM=linux-64 ${builder}`,
].join(' && ');
const pipeline = [
  `rm -rf ${work}/runs`,
  `${node} ${bin} build ${recipe} --db ${db} --offline --output-dir ${work}/runs --target-platform linux-64 --build-command '${builder}' >/dev/null`,
].join(' && ');

const results = join(work, 'hyperfine.json');
const run = spawnSync(
  'hyperfine',
  [
    '--warmup',
    '2',
    '--runs',
    '10',
    '--style',
    'none',
    '--export-json',
    results,
    '--command-name',
    'builder alone',
    alone,
    '--command-name',
    'cvebuild build',
    pipeline,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (run.status !== 0) throw new Error(`hyperfine failed (${run.status})`);
const measured = new Map(
  (JSON.parse(readFileSync(results, 'utf8')) as { results: { command: string; median: number }[] }).results.map(
    (result) => [result.command, result.median * 1000],
  ),
);
const builderMs = measured.get('builder alone') ?? Number.NaN;
const pipelineMs = measured.get('cvebuild build') ?? Number.NaN;
console.log('build of examples/build-recipe, whole process, hyperfine medians of 10 runs');
console.log(`builder alone (cph)      ${builderMs.toFixed(0).padStart(6)} ms`);
console.log(
  `cvebuild build, all stages ${pipelineMs.toFixed(0).padStart(6)} ms  ${(pipelineMs / builderMs).toFixed(2)}× the builder alone (stages add ${(pipelineMs - builderMs).toFixed(0)} ms)`,
);
