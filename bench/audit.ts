/**
 * bench/audit: auditing the largest real locks against the full threat-intel corpus, next to
 * `cvebuild inventory` of the same lock in the same run (goal ≤ 1.5×), for the advisory checks
 * (vulnerability, malicious) and for every check, and the audit time for 100,
 * 1,000 and 4,000 records (cost must grow linearly with the packages audited).
 *   node bench/audit.ts
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInventory } from '../src/engine/read-project.ts';
import { runAudit } from '../src/engine/run-checks.ts';
import { importSources } from '../src/intel/import/index.ts';
import { openStore } from '../src/intel/store.ts';
import { auditIntelFiles, grownIntelFiles } from '../test/helpers/intel-corpus.ts';
import { compareAsync, ratio } from './measure.ts';

const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
if (!existsSync(corpus)) {
  console.log('skip: the corpus lives in ../shared/corpus');
  process.exit(0);
}

const sources = auditIntelFiles().map((path) => ({ path }));

const directory = mkdtempSync(join(tmpdir(), 'cvebuild-bench-'));
const storePath = join(directory, 'intel.sqlite');
const store = openStore(storePath, { create: true });
const importStart = performance.now();
await importSources(store, sources);
console.log(
  `store: full intel corpus imported in ${((performance.now() - importStart) / 1000).toFixed(2)} s, ${(statSync(storePath).size / 1e6).toFixed(1)} MB`,
);
const now = new Date();

const selections: { label: string; checks?: string[] }[] = [
  { label: 'advisories', checks: ['vulnerability', 'malicious'] },
  { label: 'all checks' },
];
console.log('\nlock                               checks      packages  inventory       audit      ratio  findings');
for (const lock of ['pixi/pixi-ex-ros2-nav2/pixi.lock', 'pixi/scipy/pixi.lock']) {
  const path = join(corpus, lock);
  for (const selection of selections) {
    let packages = 0;
    let findings = 0;
    const { baselineMs, candidateMs } = await compareAsync(
      () => readInventory(path),
      async () => {
        const inventory = readInventory(path);
        packages = inventory.packages.length;
        const options = { failOn: 'high' as const, now, offline: true, checks: selection.checks };
        findings = (await runAudit(inventory, store, options)).findings.length;
      },
      { warmup: 3, runs: 15 },
    );
    console.log(
      `${lock.padEnd(34)} ${selection.label.padEnd(10)} ${String(packages).padStart(8)} ${baselineMs.toFixed(1).padStart(8)} ms ${candidateMs.toFixed(1).padStart(8)} ms ${ratio(candidateMs, baselineMs).padStart(8)} ${String(findings).padStart(9)}`,
    );
  }
}

// Issue 13's C/C++ data (NVD, CVE 5 with CISA ADP, OSS-Fuzz) must not make the gate costlier than 1.2×.
const grownPath = join(directory, 'grown.sqlite');
const grown = openStore(grownPath, { create: true });
await importSources(
  grown,
  grownIntelFiles().map((path) => ({ path })),
);
{
  const path = join(corpus, 'pixi/pixi-ex-ros2-nav2/pixi.lock');
  const options = { failOn: 'high' as const, now, offline: true };
  const { baselineMs, candidateMs } = await compareAsync(
    async () => runAudit(readInventory(path), store, options),
    async () => runAudit(readInventory(path), grown, options),
    { warmup: 3, runs: 15 },
  );
  console.log(
    `\nfull gate of ros2-nav2: ${baselineMs.toFixed(1)} ms with the audit corpus, ${candidateMs.toFixed(1)} ms with the C/C++ records added (${(statSync(grownPath).size / 1e6).toFixed(1)} MB): ${ratio(candidateMs, baselineMs)} (goal ≤ 1.2×)`,
  );
}
grown.close();

const everything = readInventory(join(corpus, 'pixi/pixi-ex-ros2-nav2/pixi.lock'));
console.log('\nrecords   audit time   per record');
let first: number | undefined;
for (const count of [100, 1000, 4000]) {
  const subset = { ...everything, packages: everything.packages.slice(0, count) };
  const { candidateMs } = await compareAsync(
    () => undefined,
    () => runAudit(subset, store, { failOn: 'high', now, offline: true }),
    { warmup: 3, runs: 15 },
  );
  first ??= candidateMs / count;
  console.log(
    `${String(count).padStart(7)} ${candidateMs.toFixed(2).padStart(9)} ms ${((candidateMs / count) * 1000).toFixed(1).padStart(9)} µs  (${ratio(candidateMs / count, first)} of the 100-record cost per record)`,
  );
}
store.close();
rmSync(directory, { recursive: true, force: true });
