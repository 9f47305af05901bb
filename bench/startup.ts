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

// Three rounds of five runs each, every command in every round: a host whose load drifts during the
// bench then weighs on the baselines and on cvebuild alike, instead of on whichever ran in the busy
// minute. Commands run without a shell (-N): nothing to subtract from a ~100 ms process.
const ROUNDS = 3;
const RUNS_PER_ROUND = 5;
const results = join(tempDirectory(), 'hyperfine.json');
const times = new Map<string, number[]>(commands.map(({ name }) => [name, []]));
const rounds = new Map<string, number[]>(commands.map(({ name }) => [name, []]));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
for (let round = 0; round < ROUNDS; round++) {
  // the gate exits 1 on its (failing) verdict: that is its answer, not a failed run
  const run = spawnSync(
    'hyperfine',
    [
      '-N',
      '--warmup',
      round === 0 ? '3' : '1',
      '--runs',
      String(RUNS_PER_ROUND),
      '--ignore-failure',
      '--style',
      'none',
      '--export-json',
      results,
      ...commands.flatMap(({ name, command }) => ['--command-name', name, command]),
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_COMPILE_CACHE: join(tempDirectory(), 'cc') },
    },
  );
  if (run.status !== 0) throw new Error(`hyperfine failed (${run.status})`);
  const exported = JSON.parse(readFileSync(results, 'utf8')) as { results: { command: string; times: number[] }[] };
  for (const { command, times: seconds } of exported.results) {
    times.get(command)?.push(...seconds.map((s) => s * 1000));
    rounds.get(command)?.push(median(seconds.map((s) => s * 1000)));
  }
  rmSync(results);
}
const measured = new Map([...times].map(([name, values]) => [name, median(values)]));

console.log(
  `start-up, whole process, hyperfine medians of ${ROUNDS * RUNS_PER_ROUND} runs in ${ROUNDS} rounds (installed package, compile cache warm)`,
);
for (const { name, baseline, target } of commands) {
  const ms = measured.get(name) ?? Number.NaN;
  const against = baseline ? measured.get(baseline) : undefined;
  const share = against ? `  ${(ms / against).toFixed(2)}× ${baseline} (target ≤ ${target}×)` : '';
  const perRound = (rounds.get(name) ?? []).map((value) => value.toFixed(0)).join(' / ');
  console.log(`${name.padEnd(22)} ${ms.toFixed(0).padStart(6)} ms${share}  (rounds: ${perRound})`);
}
