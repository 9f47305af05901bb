/**
 * The popular names a store knows, per ecosystem:
 * - PyPI: the `top-pypi` list (rank = download position).
 * - conda: conda-forge names (`conda-forge-names`) whose parselmouth PyPI name is a top-PyPI name,
 *   carrying that PyPI rank (so `pytorch` and `matplotlib-base` are popular conda names). The full
 *   conda-forge name list is kept beside it: a conda name that exists there is a real package in its
 *   own right and is never judged; only names unknown to conda-forge are.
 * - PyPI names conda-forge packages (parselmouth): a project with a reviewed feedstock is a real
 *   project, not an imitation, however close its name (`antio` / `anyio`, `blark` / `black`: 5% of
 *   the 12,963 such names outside the top list sit one edit from a top name). The check weighs
 *   this as evidence (`score.ts`), so these names are judged like the others.
 *
 * Building the index takes longer than auditing a lock (the conda-forge list alone has ~33,000
 * names), so the import writes it into the store (`writeSquatIndex`) and an audit reads only the
 * entries its own names can reach (`popularNamesFor`). A store written before that, or whose lists
 * changed since, is indexed in memory instead: slower, with the same answers.
 */
import type { FeedName } from '../intel/model.ts';
import type { IntelStore, SquatIndexRows } from '../intel/store-api.ts';
import { filterOfProbes, probesToAsk } from './filtered-probes.ts';
import { allowsTwoEdits, NameIndex, type PopularName, scansForTwoEdits } from './index.ts';
import { ProbeFilter } from './probe-filter.ts';
import { probesOfEntry } from './probes.ts';

export interface PopularNames {
  /** Whether the store has the lists at all: without them a name is not looked at, which must be said. */
  hasTopPypi: boolean;
  hasCondaForge: boolean;
  pypi: NameIndex;
  conda: NameIndex;
  /** conda-forge output names (lowercase) — at least those among the names asked about. */
  condaForge: ReadonlySet<string>;
  /** PyPI names (PEP 503) of conda-forge packages — at least those among the names asked about. */
  pypiOnCondaForge: ReadonlySet<string>;
}

/** The feeds the index is derived from: a change in any makes a stored index stale. */
const INPUT_FEEDS: readonly FeedName[] = ['top-pypi', 'conda-forge-names', 'parselmouth'];

/**
 * What the stored index holds of each name, by version: a change of the probes a popular name is
 * filed under (2: short names are filed under their 1-deletions too) makes an index written before
 * stale, so it is indexed in memory until an import writes it again.
 */
const INDEX_LAYOUT = 2;

export function squatIndexStamp(store: IntelStore): string {
  return JSON.stringify([INDEX_LAYOUT, ...INPUT_FEEDS.map((feed) => store.feed(feed)?.checksum ?? null)]);
}

/** Whether the store holds an index of its current lists (else audits index them in memory). */
export function hasCurrentSquatIndex(store: IntelStore): boolean {
  return store.squatIndexStamp() === squatIndexStamp(store);
}

export function isSquatInput(feed: FeedName): boolean {
  return INPUT_FEEDS.includes(feed);
}

const inMemory = new WeakMap<IntelStore, PopularNames>();

/** What the typosquat check needs to judge these names (normalized), from the stored index when it is current. */
export function popularNamesFor(
  store: IntelStore,
  candidates: { pypi: readonly string[]; conda: readonly string[] },
): PopularNames {
  if (!hasCurrentSquatIndex(store)) {
    let names = inMemory.get(store);
    if (!names) {
      names = buildPopularNames(store);
      inMemory.set(store, names);
    }
    return names;
  }
  // conda names conda-forge publishes are real and never judged: only the others need their targets read
  const condaForge = store.squatMembers('conda-forge', candidates.conda);
  const pypiOnCondaForge = store.squatMembers('pypi-on-conda-forge', candidates.pypi).found;
  // the entries the judged names can reach; none at all when no name is judged
  const index = (ecosystem: string, keys: readonly string[], known: ReadonlySet<string>) => {
    const judged = keys.filter((key) => !known.has(key));
    if (judged.length === 0) return new NameIndex([]);
    const filter = ProbeFilter.fromBytes(store.squatProbeFilter(ecosystem));
    const matches = store.squatProbeMatches(ecosystem, probesToAsk(judged, filter));
    const twoEdits = judged.some(scansForTwoEdits) ? store.squatTwoEditEntries(ecosystem) : [];
    return NameIndex.fromProbeMatches(matches, twoEdits);
  };
  return {
    hasTopPypi: store.squatMembers('top-pypi', []).present,
    hasCondaForge: condaForge.present,
    // a PyPI name conda-forge packages is judged too: being packaged is evidence the score weighs
    pypi: index('pypi', candidates.pypi, new Set()),
    conda: index('conda', candidates.conda, condaForge.found),
    condaForge: condaForge.found,
    pypiOnCondaForge,
  };
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
    hasTopPypi: top.length > 0,
    hasCondaForge: condaForge.length > 0,
    pypi: new NameIndex(top),
    conda: new NameIndex(conda),
    condaForge: new Set(condaForge),
    pypiOnCondaForge,
  };
}

/** Writes the index of the store's current lists into it (inside the import's transaction). */
export function writeSquatIndex(store: IntelStore): void {
  const names = buildPopularNames(store);
  const rows: SquatIndexRows = {
    stamp: squatIndexStamp(store),
    entries: [],
    probes: [],
    members: [],
    probeFilters: [],
  };
  for (const [ecosystem, index] of [
    ['pypi', names.pypi],
    ['conda', names.conda],
  ] as const) {
    const probes: string[] = [];
    for (const entry of index.entries()) {
      rows.entries.push({ ecosystem, entry, twoEdits: allowsTwoEdits(entry) });
      for (const probe of probesOfEntry(entry)) {
        rows.probes.push({ ecosystem, probe, key: entry.key });
        probes.push(probe);
      }
    }
    rows.probeFilters.push({ ecosystem, bits: filterOfProbes(probes).bytes });
  }
  // membership lists; `top-pypi` only records that the list exists (its names are the PyPI entries)
  for (const key of names.condaForge) rows.members.push({ list: 'conda-forge', key });
  for (const key of names.pypiOnCondaForge) rows.members.push({ list: 'pypi-on-conda-forge', key });
  if (names.hasTopPypi) rows.members.push({ list: 'top-pypi', key: '' });
  store.replaceSquatIndex(rows);
}
