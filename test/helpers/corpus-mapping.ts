/**
 * How the conda names of the 24 corpus pixi locks map to advisory sources, with the engine's own
 * mapping (the corpus test and bench/mapping share it). Only the name map matters to the mapping,
 * so the store holds the corpus parselmouth map alone: the full store would give the same answer.
 */
import { join } from 'node:path';
import { readInventory } from '../../src/engine/read-project.ts';
import { importSources } from '../../src/intel/import/index.ts';
import { type MappingCoverage, mappingCoverage } from '../../src/intel/mapping-coverage.ts';
import { AdvisoryMatcher } from '../../src/intel/matcher.ts';
import { openStore } from '../../src/intel/store.ts';
import { manifestLockRows } from './manifest-table.ts';
import { corpus } from './paths.ts';

export const NAME_MAP_FILE = 'intel/conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json';

export function corpusPixiLocks(): string[] {
  return manifestLockRows()
    .map((row) => row.path)
    .filter((path) => /^pixi\/[^/]+\/pixi\.lock$/.test(path))
    .map((path) => corpus(path));
}

export async function corpusMappingCoverage(locks: readonly string[] = corpusPixiLocks()): Promise<MappingCoverage> {
  const store = openStore(':memory:', { create: true });
  try {
    await importSources(store, [{ path: join(corpus(''), NAME_MAP_FILE) }]);
    const packages = locks.flatMap((lock) => readInventory(lock).packages);
    const matcher = new AdvisoryMatcher(store);
    matcher.prefetch(packages);
    return mappingCoverage(packages, matcher);
  } finally {
    store.close();
  }
}
