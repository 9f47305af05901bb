/**
 * bench/typosquat: 4,217 real names (the first 4,217 of the malicious-names list: many sit near a
 * popular name, so the matching path is exercised, not only misses) against the 15,000 top-PyPI
 * names. The indexed lookup (symmetric-delete index, built once per store) next to a naive all-pairs
 * scan with the same banded OSA cutoff, measured interleaved in the same run. The all-pairs scan
 * runs on a subset and is scaled to 4,217 names. Also the whole check on the ros2-nav2 lock.
 * Goal: ≤ 100 ms for 4,217 names.
 * Then the precision of the score (bench/typosquat-precision.ts) on the held-out half of the real
 * squats and legitimate names, at the blocking and the reporting thresholds.
 *   node bench/typosquat.ts [SUBSET]
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultCheckSettings } from '../src/checks/registry.ts';
import { typosquatCheck } from '../src/checks/typosquat.ts';
import { readInventory } from '../src/engine/read-project.ts';
import { importSources } from '../src/intel/import/index.ts';
import { AdvisoryMatcher } from '../src/intel/matcher.ts';
import { openStore } from '../src/intel/store.ts';
import { normalizePypiName } from '../src/model/package.ts';
import { osaDistance } from '../src/typosquat/distance.ts';
import { allowedDistance, allowedWithEvidence, NameIndex, type PopularName } from '../src/typosquat/index.ts';
import { findSquat } from '../src/typosquat/match.ts';
import { buildPopularNames } from '../src/typosquat/popular.ts';
import { compare, ratio } from './measure.ts';
import { printPrecision } from './typosquat-precision.ts';

const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
const subset = Number(process.argv[2] ?? 300);
const CANDIDATES = 4217;

if (!existsSync(corpus)) {
  console.log(`skip: ${corpus} not found (the corpus lives in ../shared/corpus)`);
  process.exit(0);
}

const top = (
  JSON.parse(readFileSync(`${corpus}intel/top-pypi-packages.min.json`, 'utf8')) as { rows: { project: string }[] }
).rows;
const popular = top.map(
  (row, i): PopularName => ({ name: row.project, key: normalizePypiName(row.project), rank: i + 1 }),
);
const names = [
  ...new Set(
    readFileSync(`${corpus}intel/pypi-malicious-names.jsonl`, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => normalizePypiName((JSON.parse(line) as { name: string }).name)),
  ),
].slice(0, CANDIDATES);

let start = performance.now();
const index = new NameIndex(popular);
const buildMs = performance.now() - start;

/** Every candidate against every popular name, with the same length rules and cutoff. */
function allPairs(candidates: readonly string[]): number {
  let near = 0;
  for (const candidate of candidates) {
    for (const target of popular) {
      const [shorter, longer] = [candidate.length, target.key.length].sort((a, b) => a - b) as [number, number];
      // the pairs the index finds: by name alone, and the short ones judged with evidence
      const limit = Math.max(allowedDistance(shorter, longer, target.rank), allowedWithEvidence(shorter, longer));
      if (limit === 0) continue;
      const distance = osaDistance(candidate, target.key, limit);
      if (distance >= 1 && distance <= limit) near++;
    }
  }
  return near;
}

function indexed(candidates: readonly string[]): number {
  let flagged = 0;
  for (const candidate of candidates) if (findSquat(index, candidate)) flagged++;
  return flagged;
}

const sample = names.slice(0, subset);
const pairs = compare(
  () => allPairs(sample),
  () => indexed(names),
  { warmup: 1, runs: 5 },
);
const allPairsMs = (pairs.baselineMs * names.length) / sample.length;

const store = openStore(':memory:', { create: true });
await importSources(
  store,
  [
    'top-pypi-packages.min.json',
    'conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json',
    'conda-forge/feedstock-outputs.json',
  ].map((file) => ({ path: `${corpus}intel/${file}` })),
);
start = performance.now();
buildPopularNames(store);
const storeBuildMs = performance.now() - start;
const nav2 = readInventory(`${corpus}pixi/pixi-ex-ros2-nav2/pixi.lock`);
const context = {
  intel: { store, matcher: new AdvisoryMatcher(store) },
  now: new Date(),
  offline: true,
  cacheDir: '/nonexistent',
  settings: defaultCheckSettings(),
};
// what one gate run pays: the stored index (read per run) against the index built in memory (per store);
// offline the check looks nothing up and returns synchronously, so the whole check is timed
const stored = compare(
  () => buildPopularNames(store),
  () => typosquatCheck.run(nav2, context),
  { warmup: 3, runs: 11 },
);

console.log(`candidates                      ${names.length} names vs ${popular.length} popular`);
console.log(`index build (once per store)    ${buildMs.toFixed(1)} ms`);
console.log(`popular names from store        ${storeBuildMs.toFixed(1)} ms (PyPI + conda indexes, conda-forge lists)`);
console.log(`indexed findSquat, all names    ${pairs.candidateMs.toFixed(1)} ms (${indexed(names)} flagged)`);
console.log(
  `all-pairs OSA scan              ${allPairsMs.toFixed(1)} ms (measured ${pairs.baselineMs.toFixed(1)} ms on ${sample.length} names, scaled)`,
);
console.log(
  `indexed / all-pairs             ${ratio(pairs.candidateMs, allPairsMs)} (${(allPairsMs / pairs.candidateMs).toFixed(0)}× faster)`,
);
console.log(
  `check on ros2-nav2 lock         ${stored.candidateMs.toFixed(1)} ms (${nav2.packages.length} packages, stored index read per run)`,
);
console.log(
  `stored / in-memory index build  ${ratio(stored.candidateMs, stored.baselineMs)} (the whole check against building the index alone, ${stored.baselineMs.toFixed(1)} ms)`,
);

console.log('');
await printPrecision();
