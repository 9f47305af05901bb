/**
 * bench/reports: every report format for the largest real locks, audited against the full intel
 * corpus, next to `JSON.stringify` of the same inventory in the same process (the floor of any
 * document that writes every package). Also the inventory read, so the figures say how much a
 * report adds to a gate run.
 *   node bench/reports.ts [LOCK...]
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readInventory } from '../src/engine/read-project.ts';
import { runAudit } from '../src/engine/run-checks.ts';
import { importSources } from '../src/intel/import/index.ts';
import { openStore } from '../src/intel/store.ts';
import { FORMAT_NAMES, loadRenderer } from '../src/report/formats.ts';
import { auditReport } from '../src/report/from-audit.ts';
import { auditIntelFiles } from '../test/helpers/intel-corpus.ts';
import { compare, ratio } from './measure.ts';

const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
const defaults = ['pixi/pixi-ex-ros2-nav2/pixi.lock', 'pixi/scipy/pixi.lock'].map((path) => `${corpus}${path}`);
const files = process.argv.length > 2 ? process.argv.slice(2) : defaults;
if (!files.every(existsSync)) {
  console.log('skip bench/reports: the corpus lives in ../shared/corpus');
  process.exit(0);
}

const store = openStore(':memory:', { create: true });
await importSources(
  store,
  auditIntelFiles().map((path) => ({ path })),
);
const now = new Date('2026-11-22T12:00:00Z');

for (const file of files) {
  const inventory = readInventory(file);
  const result = await runAudit(inventory, store, { now, offline: true });
  const report = auditReport({
    inventory,
    result,
    intel: undefined,
    target: file.replace(corpus, ''),
    root: corpus,
    now,
  });
  console.log(
    `\n${file.replace(corpus, '')}: ${inventory.packages.length} packages, ${result.findings.length} findings`,
  );
  console.log('format       JSON.stringify   cvebuild     ratio     size');
  const read = compare(
    () => JSON.stringify(inventory),
    () => readInventory(file),
    { runs: 11, warmup: 2 },
  );
  console.log(
    `${'(read lock)'.padEnd(12)} ${read.baselineMs.toFixed(1).padStart(11)} ms ${read.candidateMs.toFixed(1).padStart(8)} ms ${ratio(read.candidateMs, read.baselineMs).padStart(8)}`,
  );
  for (const format of FORMAT_NAMES) {
    const render = await loadRenderer(format);
    let size = 0;
    const { baselineMs, candidateMs } = compare(
      () => JSON.stringify(inventory),
      () => {
        size = render(report).length;
      },
      { runs: 11, warmup: 2 },
    );
    console.log(
      `${format.padEnd(12)} ${baselineMs.toFixed(1).padStart(11)} ms ${candidateMs.toFixed(1).padStart(8)} ms ${ratio(candidateMs, baselineMs).padStart(8)} ${`${(size / 1e6).toFixed(2)} MB`.padStart(9)}`,
    );
  }
}
store.close();
