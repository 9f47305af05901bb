/**
 * Start-up as a user feels it: whole-process medians (hyperfine) of the installed package (npm pack,
 * installed into an empty project, as `npm i cvebuild` would), each against a baseline measured in
 * the same run:
 * - `cvebuild --version` against `node -e 0`;
 * - `cvebuild inventory` of the ros2-nav2 lock against Node parsing that lock with js-yaml;
 * - the full gate of that lock against the full corpus store, against the same baseline.
 * Targets (issue 14): ≤ 2×, ≤ 1.3× and ≤ 2×. Figures only, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importSources } from '../src/intel/import/index.ts';
import { openStore } from '../src/intel/store.ts';
import { auditIntelFiles } from '../test/helpers/intel-corpus.ts';
import { packAndInstall } from '../test/helpers/package-install.ts';
import { corpus, hasCorpus } from '../test/helpers/paths.ts';
import { tempDirectory } from '../test/helpers/temp.ts';

if (!hasCorpus) {
  console.log('startup bench skipped: ../shared/corpus not found');
  process.exit(0);
}
if (spawnSync('hyperfine', ['--version']).status !== 0) {
  console.log('startup bench skipped: hyperfine not on PATH (Debian: apt-get install hyperfine)');
  process.exit(0);
}

const installed = packAndInstall();
const lock = corpus('pixi/pixi-ex-ros2-nav2/pixi.lock');
const storePath = join(tempDirectory(), 'full.sqlite');
const store = openStore(storePath, { create: true });
await importSources(
  store,
  auditIntelFiles().map((path) => ({ path })),
);
store.close();

const node = process.execPath;
const cvebuild = (args: string) => `${node} ${installed.bin} ${args}`;
const parseLock = `${node} ${fileURLToPath(new URL('baselines/parse-lock.mjs', import.meta.url))} ${lock}`;
const gateFlags = `--db ${storePath} --max-db-age 100000d --offline --format json`;
const commands = [
  { name: 'node -e 0', command: `${node} -e 0` },
  { name: 'cvebuild --version', command: cvebuild('--version'), baseline: 'node -e 0', target: 2 },
  { name: 'node + js-yaml parse', command: parseLock },
  {
    name: 'inventory ros2-nav2',
    command: cvebuild(`inventory ${lock}`),
    baseline: 'node + js-yaml parse',
    target: 1.3,
  },
  {
    name: 'gate ros2-nav2',
    command: cvebuild(`gate ${lock} ${gateFlags}`),
    baseline: 'node + js-yaml parse',
    target: 2,
  },
];

const results = join(tempDirectory(), 'hyperfine.json');
// the gate exits 1 on its (failing) verdict: that is its answer, not a failed run
const run = spawnSync(
  'hyperfine',
  [
    '--warmup',
    '3',
    '--runs',
    '15',
    '--ignore-failure',
    '--style',
    'none',
    '--export-json',
    results,
    ...commands.flatMap(({ name, command }) => ['--command-name', name, command]),
  ],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_COMPILE_CACHE: join(tempDirectory(), 'cc') } },
);
if (run.status !== 0) throw new Error(`hyperfine failed (${run.status})`);
const measured = new Map(
  (JSON.parse(readFileSync(results, 'utf8')) as { results: { command: string; median: number }[] }).results.map(
    (result) => [result.command, result.median * 1000],
  ),
);
rmSync(results);

console.log('start-up, whole process, hyperfine medians of 15 runs (installed package, compile cache warm)');
for (const { name, baseline, target } of commands) {
  const ms = measured.get(name) ?? Number.NaN;
  const against = baseline ? measured.get(baseline) : undefined;
  const share = against ? `  ${(ms / against).toFixed(2)}× ${baseline} (target ≤ ${target}×)` : '';
  console.log(`${name.padEnd(22)} ${ms.toFixed(0).padStart(6)} ms${share}`);
}
