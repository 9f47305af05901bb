/**
 * What the audit and the importers need from the threat-intel store. `store.ts` implements it on
 * node:sqlite; this interface is the seam the rest of the code depends on.
 */
import type { Advisory, AffectedEcosystem, FeedMetadata, FeedName, KevEntry, MaliciousName } from './model.ts';

export interface StoreCounts {
  advisories: number;
  malicious: number;
  withdrawn: number;
  kev: number;
  nameMap: number;
  popularity: number;
  maliciousNames: number;
}

/**
 * What kinds of threat data the store holds at all. An audit that needs a kind the store lacks has
 * not looked, which is not the same as having found nothing.
 */
export interface StoreHoldings {
  /** Ecosystems with at least one live (not withdrawn) vulnerability advisory. */
  vulnerability: ReadonlySet<AffectedEcosystem>;
  /** Ecosystems with at least one live malicious-package advisory. */
  malicious: ReadonlySet<AffectedEcosystem>;
  /** Malicious-package reports known by name only. */
  maliciousNames: boolean;
  /** The CISA KEV catalogue, with at least one entry. */
  kev: boolean;
  /** A conda→PyPI name map, with at least one entry. */
  nameMap: boolean;
}

/** One popular name of the stored typosquat index. */
export interface SquatEntryRow {
  key: string;
  name: string;
  rank: number;
}

/** The typosquat index as the import writes it: derived from the popularity lists and the name map. */
export interface SquatIndexRows {
  /** The inputs it was derived from (their feeds' checksums): a different stamp means it is out of date. */
  stamp: string;
  entries: { ecosystem: string; entry: SquatEntryRow; twoEdits: boolean }[];
  /** Probe strings (`kind:value`) under which an entry is found. */
  probes: { ecosystem: string; probe: string; key: string }[];
  /** Name lists asked about by membership only. */
  members: { list: string; key: string }[];
  /** Per ecosystem, a Bloom filter of its probes, so absent probes never reach the database. */
  probeFilters: { ecosystem: string; bits: Uint8Array }[];
}

export interface IntelStore {
  readonly path: string;
  readonly schemaVersion: number;

  /** Runs `fn` in one transaction: everything or nothing (a failed import leaves the store as it was). */
  transaction<T>(fn: () => T): T;
  /**
   * The same around asynchronous work (an archive read record by record): committed when `fn`
   * settles, rolled back when it rejects. Nothing else may use the store until then.
   */
  transactionAsync<T>(fn: () => Promise<T>): Promise<T>;

  /** Insert or replace by id; an existing record with a newer (clamped) `modified` wins. Returns whether it was written. */
  upsertAdvisory(advisory: Advisory): boolean;
  upsertKev(entry: KevEntry): void;
  /** conda name → PyPI names (parselmouth); replaces the whole map of that source. */
  replaceNameMap(source: string, entries: Iterable<[condaName: string, pypiNames: string[]]>): number;
  /** Ranked names (1 = most popular); replaces the whole list of that source. */
  replacePopularity(source: string, names: Iterable<{ name: string; downloads?: number }>): number;
  replaceMaliciousNames(entries: Iterable<MaliciousName>): number;
  recordFeed(metadata: FeedMetadata): void;

  /** Advisories affecting a package by (ecosystem, normalized name); withdrawn ones excluded. */
  advisoriesFor(ecosystem: AffectedEcosystem, normalizedName: string): Advisory[];
  advisoryById(id: string): Advisory | undefined;
  kevFor(cveIds: readonly string[]): KevEntry[];
  /** PyPI names a conda package maps to (normalized), or undefined when the map does not know it. `[]` = known non-Python. */
  pypiNamesForConda(condaName: string): string[] | undefined;
  /** `pypiNamesForConda` for many names in one query (names the map does not know are absent). */
  pypiNamesForCondaMany(condaNames: readonly string[]): Map<string, string[]>;
  /** `advisoriesFor` for many names in one query (names without advisories are absent). */
  advisoriesForMany(ecosystem: AffectedEcosystem, normalizedNames: readonly string[]): Map<string, Advisory[]>;
  maliciousNamesFor(normalizedName: string): MaliciousName[];
  popularity(source: string): { name: string; normalizedName: string; rank: number; downloads?: number }[];
  /** Which of these normalized names a popularity list holds. */
  listedIn(source: string, normalizedNames: readonly string[]): Set<string>;

  /** Replaces the stored typosquat index (inside the import's transaction). */
  replaceSquatIndex(index: SquatIndexRows): void;
  /** The stamp of the stored typosquat index, or undefined when none was written. */
  squatIndexStamp(): string | undefined;
  /** The stored index's probe filter of an ecosystem (see SquatIndexRows). */
  squatProbeFilter(ecosystem: string): Uint8Array | undefined;
  /** Each entry found under any of these probes, once per probe it is under; in key order. */
  squatProbeMatches(ecosystem: string, probes: Iterable<string>): { probe: string; entry: SquatEntryRow }[];
  /** Every entry allowed two edits (scanned, not probed), by key length, then key. */
  squatTwoEditEntries(ecosystem: string): SquatEntryRow[];
  /** Which of these keys a membership list holds, and whether the list has any key at all. */
  squatMembers(list: string, keys: readonly string[]): { present: boolean; found: Set<string> };

  feeds(): FeedMetadata[];
  feed(name: FeedName): FeedMetadata | undefined;
  /**
   * Advisories holding a statement of this feed (as their own feed or merged into another's record):
   * the record count of an incremental feed, whose runs import only what changed.
   */
  feedRecordCount(name: FeedName): number;
  counts(): StoreCounts;
  holdings(): StoreHoldings;
  /** What SQLite's own check (every page and index) finds wrong with the file; empty when nothing. */
  integrityProblems(): string[];
  close(): void;
}
