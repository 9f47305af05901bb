/**
 * bench/mapping: the share of distinct conda names in the 24 corpus pixi locks that map to an
 * advisory source, per mapping kind (issue 13 aims for 60% overall), and the unmapped packages per
 * reason. A name can map several ways: the kinds add up to more than the total. Figures only.
 *   node bench/mapping.ts
 */
import { COVERAGE_KINDS, shareOf } from '../src/intel/mapping-coverage.ts';
import { percent } from '../src/report/coverage-table.ts';
import { corpusMappingCoverage, corpusPixiLocks } from '../test/helpers/corpus-mapping.ts';
import { hasCorpus } from '../test/helpers/paths.ts';

if (!hasCorpus) {
  console.log('mapping bench skipped: ../shared/corpus not found');
  process.exit(0);
}

const locks = corpusPixiLocks();
const started = performance.now();
const { summary } = await corpusMappingCoverage(locks);
const ms = performance.now() - started;
const names = summary.condaNames;

console.log(`${locks.length} pixi locks, ${names.distinct} distinct conda names (${ms.toFixed(0)} ms)`);
console.log('kind               names   share');
for (const kind of COVERAGE_KINDS) {
  const count = summary.condaNamesByKind[kind];
  console.log(
    `${kind.padEnd(17)}  ${String(count).padStart(5)}  ${percent(shareOf({ distinct: names.distinct, mapped: count })).padStart(6)}`,
  );
}
console.log(`${'any source'.padEnd(17)}  ${String(names.mapped).padStart(5)}  ${percent(shareOf(names)).padStart(6)}`);
console.log('\nunmapped packages (artifact × platform) by reason:');
for (const { reason, packages } of summary.reasons) console.log(`${String(packages).padStart(7)}  ${reason}`);
