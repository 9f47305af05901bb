/**
 * Opening the threat-intel store an audit uses: a SQLite store file (`--db`, `CVEBUILD_DB`, or the
 * user cache), or threat data given directly as files or a directory (OSV JSON/JSON-lines, KEV,
 * vendor data), which is imported into an in-memory store for this run only — how the bundled
 * examples are audited offline. Either way the store must be healthy (the same check `db status`
 * makes) and the data fresh enough.
 */
import { statSync } from 'node:fs';
import { assertFresh } from './freshness.ts';
import { assertHealthyStore, HealthMemory } from './health.ts';
import { resolveStorePath } from './paths.ts';
import { openStore } from './store.ts';
import type { IntelStore } from './store-api.ts';

export interface OpenStoreOptions {
  /** `--db`: a store file, or threat-data files / a directory to load for this run (default: $CVEBUILD_DB, else the user cache). */
  db?: string;
}

export interface OpenIntelOptions extends OpenStoreOptions {
  maxAgeMs: number;
  now: Date;
}

export interface OpenedIntel {
  store: IntelStore;
  /** What to call the data in reports: the store file, or the files loaded for this run. */
  label: string;
}

/** The store, read-only and healthy; whether its data is fresh enough is each run's question (the engine asks). */
export async function openIntelStore(options: OpenStoreOptions = {}): Promise<OpenedIntel> {
  const path = resolveStorePath(options.db);
  const loaded = isThreatData(path);
  const store = loaded ? await loadIntoMemory(path) : openStore(path, { readOnly: true });
  try {
    // a store file's healthy verdict is remembered until the file changes; data loaded for this run is checked
    assertHealthyStore(store, loaded ? {} : { memory: new HealthMemory() });
  } catch (error) {
    store.close();
    throw error;
  }
  return { store, label: loaded ? `${path}, loaded for this run` : path };
}

/** The store for one run: healthy and fresh as of `now`. */
export async function openIntelForAudit(options: OpenIntelOptions): Promise<OpenedIntel> {
  const intel = await openIntelStore(options);
  try {
    assertFresh(intel.store, options.maxAgeMs, options.now);
  } catch (error) {
    intel.store.close();
    throw error;
  }
  return intel;
}

/** A directory, or a data file rather than a SQLite store. */
function isThreatData(path: string): boolean {
  try {
    if (statSync(path).isDirectory()) return true;
  } catch {
    return false;
  }
  return /\.(json|jsonl|zip|pm)$/i.test(path);
}

async function loadIntoMemory(path: string): Promise<IntelStore> {
  const store = openStore(':memory:', { create: true });
  try {
    // zip archives import asynchronously; everything else returns at once
    // the importers load only when files are given: opening a store file never needs them
    const { importSources } = await import('./import/index.ts');
    await importSources(store, [{ path }]);
  } catch (error) {
    store.close();
    throw error;
  }
  return store;
}
