/**
 * The popular names a store knows, per ecosystem, built once per store object:
 * - PyPI: the `top-pypi` list (rank = download position).
 * - conda: conda-forge names (`conda-forge-names`) whose parselmouth PyPI name is a top-PyPI name,
 *   carrying that PyPI rank (so `pytorch` and `matplotlib-base` are popular conda names). The full
 *   conda-forge name list is kept beside it: a conda name that exists there is a real package in its
 *   own right and is never judged; only names unknown to conda-forge are.
 * - PyPI names conda-forge packages (parselmouth): a project with a reviewed feedstock is a real
 *   project, not an imitation, however close its name (`antio` / `anyio`, `blark` / `black`: 5% of
 *   the 12,963 such names outside the top list sit one edit from a top name).
 */
import type { IntelStore } from '../intel/store-api.ts';
import { NameIndex, type PopularName } from './index.ts';

export interface PopularNames {
  pypi: NameIndex;
  conda: NameIndex;
  /** Every conda-forge output name (lowercase); empty when the store has no conda-forge name list. */
  condaForge: ReadonlySet<string>;
  /** PyPI names (PEP 503) of conda-forge packages. */
  pypiOnCondaForge: ReadonlySet<string>;
}

const cache = new WeakMap<IntelStore, PopularNames>();

export function popularNames(store: IntelStore): PopularNames {
  let names = cache.get(store);
  if (!names) {
    names = buildPopularNames(store);
    cache.set(store, names);
  }
  return names;
}

export function buildPopularNames(store: IntelStore): PopularNames {
  const top = store
    .popularity('top-pypi')
    .map((row): PopularName => ({ name: row.name, key: row.normalizedName, rank: row.rank }));
  const pypiRank = new Map(top.map((entry) => [entry.key, entry.rank]));
  const condaForge = store.popularity('conda-forge-names').map((row) => row.normalizedName);
  const conda: PopularName[] = [];
  const pypiOnCondaForge = new Set<string>();
  for (const [condaName, pypiNames] of store.pypiNamesForCondaMany(condaForge)) {
    for (const pypiName of pypiNames) pypiOnCondaForge.add(pypiName);
    let rank = Number.POSITIVE_INFINITY;
    for (const pypiName of pypiNames) rank = Math.min(rank, pypiRank.get(pypiName) ?? rank);
    if (Number.isFinite(rank)) conda.push({ name: condaName, key: condaName, rank });
  }
  return {
    pypi: new NameIndex(top),
    conda: new NameIndex(conda),
    condaForge: new Set(condaForge),
    pypiOnCondaForge,
  };
}
