/**
 * The offline threat-intel store: one SQLite file (node:sqlite, WAL) holding advisories indexed by
 * (ecosystem, normalized name), KEV, name maps, popularity lists, malicious names and feed metadata.
 * Implements IntelStore (opening the file, with its checks and migrations, is store-file.ts).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { normalizeCondaName, normalizePypiName } from '../model/package.ts';
import { isToolEcosystem, TOOL_ECOSYSTEM_FEEDS } from './ecosystem-names.ts';
import { advisoryJsonWithListedKeys, parseStoredAdvisory } from './listed-keys.ts';
import {
  type Advisory,
  type AdvisoryKind,
  AFFECTED_ECOSYSTEMS,
  type AffectedEcosystem,
  type FeedMetadata,
  type FeedName,
  type KevEntry,
  type MaliciousName,
} from './model.ts';
import { mergeSourceRecords, UPSTREAM_CVE_FEEDS } from './precedence.ts';
import type { IntelStore, SquatEntryRow, SquatIndexRows, StoreCounts, StoreHoldings } from './store-api.ts';
import { isCorruption, type OpenStoreOptions, openStoreDatabase, sqliteError } from './store-file.ts';

export type { OpenStoreOptions } from './store-file.ts';
export { SCHEMA_VERSION } from './store-schema.ts';

/**
 * conda→PyPI name-map sources, most trusted first: parselmouth's per-channel v0 map (lists), its
 * flat legacy map, then its grayskull map. `pypiNamesForConda` answers from the first that knows a name.
 */
export const NAME_MAP_SOURCES = ['parselmouth', 'parselmouth-legacy', 'parselmouth-grayskull'] as const;

/** Popularity sources whose names are conda names (lowercased) rather than PyPI names (PEP 503). */
const CONDA_POPULARITY_SOURCES = new Set(['conda-forge-names']);

/**
 * When two feeds publish a record under the same id, the later `modified` wins, except that NVD ranks
 * below every other feed. Upstream CVE feeds (vendor, NVD, CVE List V5) are not replaced but merged
 * (intel/precedence.ts): each keeps its statement, and the matcher applies their precedence.
 */
const LOW_AUTHORITY_FEEDS = new Set<FeedName>(['nvd', 'cve5']);

/** Opens (or with `create`, creates) the store at `path`; `:memory:` gives a private in-memory store. */
export function openStore(path: string, options: OpenStoreOptions = {}): IntelStore {
  const { db, version } = openStoreDatabase(path, options);
  return new SqliteIntelStore(db, path, version);
}

interface AdvisoryState {
  feed: FeedName;
  modified: string;
  modified_at: number;
}

/** Milliseconds since the epoch, clamped to `now` (some records carry future dates); unparsable → 0. */
function clampedTime(timestamp: string, now: number): number {
  const time = Date.parse(timestamp);
  return Number.isNaN(time) ? 0 : Math.min(time, now);
}

/**
 * Whether an incoming advisory should replace the stored record with the same id: a more
 * authoritative feed wins, then the later `modified` (both clamped to their import time). The same
 * `modified` in the same feed is decided by the stored JSON: the same record again changes nothing,
 * a correction published without a new date replaces it (`'compare'`: the JSON is read only then).
 */
function supersedes(incoming: Advisory, incomingTime: number, stored: AdvisoryState): boolean | 'compare' {
  const authority = (feed: FeedName) => (LOW_AUTHORITY_FEEDS.has(feed) ? 0 : 1);
  const byAuthority = authority(incoming.feed) - authority(stored.feed);
  if (byAuthority !== 0) return byAuthority > 0;
  if (incoming.modified !== stored.modified && incomingTime !== stored.modified_at) {
    return incomingTime > stored.modified_at;
  }
  return incoming.feed === stored.feed ? 'compare' : false;
}

type Row = Record<string, unknown>;

/** Per ecosystem, the entries allowed two edits as stored: `[key, name, rank]` by key length, then key. */
function twoEditEntries(index: SquatIndexRows): Map<string, [string, string, number][]> {
  const byEcosystem = new Map<string, [string, string, number][]>();
  for (const { ecosystem, entry, twoEdits } of index.entries) {
    if (!twoEdits) continue;
    const list = byEcosystem.get(ecosystem) ?? [];
    list.push([entry.key, entry.name, entry.rank]);
    byEcosystem.set(ecosystem, list);
  }
  for (const list of byEcosystem.values()) list.sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return byEcosystem;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

class SqliteIntelStore implements IntelStore {
  readonly path: string;
  readonly schemaVersion: number;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #savepoints = 0;

  constructor(db: DatabaseSync, path: string, schemaVersion: number) {
    this.#db = db;
    this.path = path;
    this.schemaVersion = schemaVersion;
  }

  /** Prepared once per SQL text and reused: lookups run thousands of times per audit. */
  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Reads: a file damaged after opening surfaces as DB_CORRUPT, not as an SQLite error. */
  #read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw isCorruption(error) ? sqliteError(this.path, error) : error;
    }
  }

  transaction<T>(fn: () => T): T {
    if (this.#db.isTransaction) return this.#savepoint(fn);
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      if (result instanceof Promise) throw new TypeError('store.transaction() takes a synchronous function');
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw isCorruption(error) ? sqliteError(this.path, error) : error;
    }
  }

  async transactionAsync<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) throw new Error('store.transactionAsync() cannot run inside another transaction');
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw isCorruption(error) ? sqliteError(this.path, error) : error;
    }
  }

  #savepoint<T>(fn: () => T): T {
    const name = `nested_${++this.#savepoints}`;
    this.#db.exec(`SAVEPOINT ${name}`);
    try {
      const result = fn();
      this.#db.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      this.#db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw error;
    } finally {
      this.#savepoints--;
    }
  }

  /** Joins the caller's transaction when there is one (an import's), else opens its own. */
  #atomically<T>(fn: () => T): T {
    return this.#db.isTransaction ? fn() : this.transaction(fn);
  }

  upsertAdvisory(advisory: Advisory): boolean {
    const json = advisoryJsonWithListedKeys(advisory);
    const modifiedAt = clampedTime(advisory.modified, Date.now());
    const stored = this.#statement('SELECT feed, modified, modified_at FROM advisories WHERE id = ?').get(
      advisory.id,
    ) as AdvisoryState | undefined;
    if (stored && UPSTREAM_CVE_FEEDS.has(stored.feed) && UPSTREAM_CVE_FEEDS.has(advisory.feed)) {
      const storedJson = this.#storedJson(advisory.id) ?? '{}';
      // the stored form carries listed-version keys beside its entries: read it as the model, write it back keyed
      const current = parseStoredAdvisory(storedJson);
      if (current.merged || current.feed !== advisory.feed) {
        const now = Date.now();
        const merged = mergeSourceRecords(current, advisory, (timestamp) => clampedTime(timestamp, now));
        if (!merged) return false;
        const mergedJson = advisoryJsonWithListedKeys(merged);
        if (mergedJson === storedJson) return false;
        this.#write(merged, mergedJson, clampedTime(merged.modified, now), true);
        return true;
      }
    }
    if (stored) {
      const replace = supersedes(advisory, modifiedAt, stored);
      if (replace === false) return false;
      if (replace === 'compare' && this.#storedJson(advisory.id) === json) return false;
    }
    this.#write(advisory, json, modifiedAt, stored !== undefined);
    return true;
  }

  #write(advisory: Advisory, json: string, modifiedAt: number, replacing: boolean): void {
    this.#atomically(() => {
      if (replacing) {
        this.#statement('DELETE FROM affected WHERE advisory_id = ?').run(advisory.id);
        this.#statement('DELETE FROM advisory_aliases WHERE advisory_id = ?').run(advisory.id);
      }
      const { severity } = advisory;
      this.#statement(
        `INSERT OR REPLACE INTO advisories (id, feed, kind, modified, modified_at, published, withdrawn, summary,
           severity_level, severity_score, severity_vectors, severity_basis, cwes, refs, aliases, json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        advisory.id,
        advisory.feed,
        advisory.kind,
        advisory.modified,
        modifiedAt,
        advisory.published ?? null,
        advisory.withdrawn ?? null,
        advisory.summary ?? null,
        severity.level ?? null,
        severity.score ?? null,
        JSON.stringify(severity.vectors),
        severity.basis ?? null,
        JSON.stringify(advisory.cwes),
        JSON.stringify(advisory.references),
        JSON.stringify(advisory.aliases),
        json,
      );
      const insertAffected = this.#statement(
        `INSERT INTO affected (advisory_id, ecosystem, normalized_name, name, scheme, ranges, versions)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const entry of advisory.affected) {
        insertAffected.run(
          advisory.id,
          entry.ecosystem,
          entry.normalizedName,
          entry.name,
          entry.scheme,
          JSON.stringify(entry.ranges),
          JSON.stringify(entry.versions),
        );
      }
      const insertAlias = this.#statement('INSERT OR IGNORE INTO advisory_aliases (alias, advisory_id) VALUES (?, ?)');
      for (const alias of advisory.aliases) insertAlias.run(alias, advisory.id);
    });
  }

  #storedJson(id: string): string | undefined {
    return (this.#statement('SELECT json FROM advisories WHERE id = ?').get(id) as { json: string } | undefined)?.json;
  }

  upsertKev(entry: KevEntry): void {
    this.#statement(
      `INSERT OR REPLACE INTO kev (cve, vendor_project, product, vulnerability_name, date_added, due_date, ransomware, cwes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      entry.cveId,
      entry.vendorProject,
      entry.product,
      entry.vulnerabilityName,
      entry.dateAdded,
      entry.dueDate ?? null,
      entry.knownRansomwareCampaignUse ?? null,
      JSON.stringify(entry.cwes),
    );
  }

  /** Returns how many rows changed (added, updated or removed): 0 when the stored map already equals `entries`. */
  replaceNameMap(source: string, entries: Iterable<[condaName: string, pypiNames: string[]]>): number {
    const wanted = new Map<string, string>();
    for (const [condaName, pypiNames] of entries) {
      wanted.set(normalizeCondaName(condaName), JSON.stringify([...new Set(pypiNames.map(normalizePypiName))]));
    }
    return this.#atomically(() => {
      const rows = this.#statement('SELECT conda_name, pypi_names FROM name_map WHERE source = ?').all(source) as {
        conda_name: string;
        pypi_names: string;
      }[];
      const stored = new Map(rows.map((row) => [row.conda_name, row.pypi_names]));
      const upsert = this.#statement(
        'INSERT OR REPLACE INTO name_map (conda_name, source, pypi_names) VALUES (?, ?, ?)',
      );
      const remove = this.#statement('DELETE FROM name_map WHERE conda_name = ? AND source = ?');
      let changed = 0;
      for (const [condaName, pypiNames] of wanted) {
        if (stored.get(condaName) === pypiNames) continue;
        upsert.run(condaName, source, pypiNames);
        changed++;
      }
      for (const condaName of stored.keys()) {
        if (wanted.has(condaName)) continue;
        remove.run(condaName, source);
        changed++;
      }
      return changed;
    });
  }

  /** Ranks follow the iteration order (1 = first). Returns how many rows changed, like replaceNameMap. */
  replacePopularity(source: string, names: Iterable<{ name: string; downloads?: number }>): number {
    const normalize = CONDA_POPULARITY_SOURCES.has(source) ? normalizeCondaName : normalizePypiName;
    return this.#atomically(() => {
      const rows = this.#statement('SELECT rank, name, downloads FROM popularity WHERE source = ?').all(source) as {
        rank: number;
        name: string;
        downloads: number | null;
      }[];
      const stored = new Map(rows.map((row) => [row.rank, row]));
      const upsert = this.#statement(
        'INSERT OR REPLACE INTO popularity (source, rank, name, normalized_name, downloads) VALUES (?, ?, ?, ?, ?)',
      );
      let rank = 0;
      let changed = 0;
      for (const { name, downloads } of names) {
        rank++;
        const previous = stored.get(rank);
        if (previous && previous.name === name && previous.downloads === (downloads ?? null)) continue;
        upsert.run(source, rank, name, normalize(name), downloads ?? null);
        changed++;
      }
      const removed = this.#statement('DELETE FROM popularity WHERE source = ? AND rank > ?').run(source, rank);
      return changed + Number(removed.changes);
    });
  }

  /** Returns how many rows changed, like replaceNameMap. */
  replaceMaliciousNames(entries: Iterable<MaliciousName>): number {
    const key = (name: string, id: string) => `${name}\u0000${id}`;
    const wanted = new Map<string, MaliciousName>();
    for (const entry of entries) wanted.set(key(entry.normalizedName, entry.id), entry);
    return this.#atomically(() => {
      const rows = this.#statement('SELECT normalized_name, id FROM malicious_names').all() as {
        normalized_name: string;
        id: string;
      }[];
      const stored = new Set(rows.map((row) => key(row.normalized_name, row.id)));
      const insert = this.#statement('INSERT INTO malicious_names (normalized_name, id) VALUES (?, ?)');
      const remove = this.#statement('DELETE FROM malicious_names WHERE normalized_name = ? AND id = ?');
      let changed = 0;
      for (const [entryKey, entry] of wanted) {
        if (stored.has(entryKey)) continue;
        insert.run(entry.normalizedName, entry.id);
        changed++;
      }
      for (const row of rows) {
        if (wanted.has(key(row.normalized_name, row.id))) continue;
        remove.run(row.normalized_name, row.id);
        changed++;
      }
      return changed;
    });
  }

  recordFeed(metadata: FeedMetadata): void {
    this.#statement(
      `INSERT OR REPLACE INTO feeds (name, url, fetched_at, count, checksum, etag, last_modified, final_url, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      metadata.name,
      metadata.url,
      metadata.fetchedAt,
      metadata.count,
      metadata.checksum,
      metadata.etag ?? null,
      metadata.lastModified ?? null,
      metadata.finalUrl ?? null,
      metadata.state ?? null,
    );
  }

  advisoriesFor(ecosystem: AffectedEcosystem, normalizedName: string): Advisory[] {
    return this.#read(() => {
      const rows = this.#statement(
        `SELECT json FROM advisories
         WHERE id IN (SELECT advisory_id FROM affected WHERE ecosystem = ? AND normalized_name = ?)
           AND withdrawn IS NULL
         ORDER BY id`,
      ).all(ecosystem, normalizedName) as { json: string }[];
      return rows.map((row) => parseStoredAdvisory(row.json));
    });
  }

  advisoryById(id: string): Advisory | undefined {
    return this.#read(() => {
      const json = this.#storedJson(id);
      return json === undefined ? undefined : parseStoredAdvisory(json);
    });
  }

  kevFor(cveIds: readonly string[]): KevEntry[] {
    return this.#read(() => {
      const statement = this.#statement('SELECT * FROM kev WHERE cve = ?');
      const entries: KevEntry[] = [];
      for (const cveId of [...new Set(cveIds)].sort()) {
        const row = statement.get(cveId) as Row | undefined;
        if (row) entries.push(kevFromRow(row));
      }
      return entries;
    });
  }

  pypiNamesForConda(condaName: string): string[] | undefined {
    return this.#read(() => {
      const rows = this.#statement('SELECT source, pypi_names FROM name_map WHERE conda_name = ?').all(
        normalizeCondaName(condaName),
      ) as { source: string; pypi_names: string }[];
      const rank = (source: string) => {
        const index = (NAME_MAP_SOURCES as readonly string[]).indexOf(source);
        return index === -1 ? NAME_MAP_SOURCES.length : index;
      };
      const best = rows.sort((a, b) => rank(a.source) - rank(b.source) || (a.source < b.source ? -1 : 1))[0];
      return best ? (JSON.parse(best.pypi_names) as string[]) : undefined;
    });
  }

  pypiNamesForCondaMany(condaNames: readonly string[]): Map<string, string[]> {
    return this.#read(() => {
      const rows = this.#statement(
        `SELECT conda_name, source, pypi_names FROM name_map
         WHERE conda_name IN (SELECT value FROM json_each(?))`,
      ).all(JSON.stringify([...new Set(condaNames.map(normalizeCondaName))])) as {
        conda_name: string;
        source: string;
        pypi_names: string;
      }[];
      const rank = (source: string) => {
        const index = (NAME_MAP_SOURCES as readonly string[]).indexOf(source);
        return index === -1 ? NAME_MAP_SOURCES.length : index;
      };
      const best = new Map<string, { source: string; pypi_names: string }>();
      for (const row of rows) {
        const current = best.get(row.conda_name);
        const better =
          !current ||
          rank(row.source) - rank(current.source) < 0 ||
          (rank(row.source) === rank(current.source) && row.source < current.source);
        if (better) best.set(row.conda_name, row);
      }
      return new Map([...best].map(([name, row]) => [name, JSON.parse(row.pypi_names) as string[]]));
    });
  }

  advisoriesForMany(ecosystem: AffectedEcosystem, normalizedNames: readonly string[]): Map<string, Advisory[]> {
    return this.#read(() => {
      const rows = this.#statement(
        `SELECT affected.normalized_name AS name, advisories.id AS id, advisories.json AS json
         FROM affected JOIN advisories ON advisories.id = affected.advisory_id
         WHERE affected.ecosystem = ? AND affected.normalized_name IN (SELECT value FROM json_each(?))
           AND advisories.withdrawn IS NULL
         ORDER BY affected.normalized_name, advisories.id`,
      ).all(ecosystem, JSON.stringify([...new Set(normalizedNames)])) as { name: string; id: string; json: string }[];
      const byName = new Map<string, Advisory[]>();
      const parsed = new Map<string, Advisory>();
      for (const row of rows) {
        let list = byName.get(row.name);
        if (!list) {
          list = [];
          byName.set(row.name, list);
        }
        // one advisory may list a package in several affected entries: keep it once per name
        if (list.at(-1)?.id === row.id) continue;
        let advisory = parsed.get(row.id);
        if (!advisory) {
          advisory = parseStoredAdvisory(row.json);
          parsed.set(row.id, advisory);
        }
        list.push(advisory);
      }
      return byName;
    });
  }

  maliciousNamesFor(normalizedName: string): MaliciousName[] {
    return this.#read(() => {
      const rows = this.#statement('SELECT id FROM malicious_names WHERE normalized_name = ? ORDER BY id').all(
        normalizedName,
      ) as { id: string }[];
      return rows.map((row) => ({ ecosystem: 'PyPI', normalizedName, id: row.id }));
    });
  }

  replaceSquatIndex(index: SquatIndexRows): void {
    this.#atomically(() => {
      this.#db.exec(
        'DELETE FROM squat_entries; DELETE FROM squat_probes; DELETE FROM squat_members; DELETE FROM squat_probe_filters; DELETE FROM squat_two_edits; DELETE FROM squat_state;',
      );
      const entry = this.#statement(
        'INSERT OR REPLACE INTO squat_entries (ecosystem, key, name, rank, two_edits) VALUES (?, ?, ?, ?, ?)',
      );
      for (const row of index.entries)
        entry.run(row.ecosystem, row.entry.key, row.entry.name, row.entry.rank, row.twoEdits ? 1 : 0);
      const probe = this.#statement('INSERT OR IGNORE INTO squat_probes (ecosystem, probe, key) VALUES (?, ?, ?)');
      for (const row of index.probes) probe.run(row.ecosystem, row.probe, row.key);
      const member = this.#statement('INSERT OR IGNORE INTO squat_members (list, key) VALUES (?, ?)');
      for (const row of index.members) member.run(row.list, row.key);
      const filter = this.#statement('INSERT OR REPLACE INTO squat_probe_filters (ecosystem, bits) VALUES (?, ?)');
      for (const row of index.probeFilters) filter.run(row.ecosystem, row.bits);
      const twoEdits = this.#statement('INSERT INTO squat_two_edits (ecosystem, entries) VALUES (?, ?)');
      for (const [ecosystem, entries] of twoEditEntries(index)) twoEdits.run(ecosystem, JSON.stringify(entries));
      this.#statement('INSERT INTO squat_state (id, stamp) VALUES (1, ?)').run(index.stamp);
    });
  }

  listedIn(source: string, normalizedNames: readonly string[]): Set<string> {
    if (normalizedNames.length === 0) return new Set();
    return this.#read(() => {
      const rows = this.#statement(
        'SELECT DISTINCT normalized_name FROM popularity WHERE source = ? AND normalized_name IN (SELECT value FROM json_each(?))',
      ).all(source, JSON.stringify([...new Set(normalizedNames)])) as { normalized_name: string }[];
      return new Set(rows.map((row) => row.normalized_name));
    });
  }

  squatIndexStamp(): string | undefined {
    return this.#read(() => {
      const row = this.#statement('SELECT stamp FROM squat_state WHERE id = 1').get() as { stamp: string } | undefined;
      return row?.stamp;
    });
  }

  squatProbeFilter(ecosystem: string): Uint8Array | undefined {
    return this.#read(() => {
      const row = this.#statement('SELECT bits FROM squat_probe_filters WHERE ecosystem = ?').get(ecosystem) as
        | { bits: Uint8Array }
        | undefined;
      return row?.bits;
    });
  }

  squatProbeMatches(ecosystem: string, probes: Iterable<string>): { probe: string; entry: SquatEntryRow }[] {
    const asked = [...new Set(probes)];
    if (asked.length === 0) return [];
    return this.#read(() =>
      this.#statement(
        `SELECT probe.probe, entry.key, entry.name, entry.rank FROM squat_probes AS probe
           JOIN squat_entries AS entry ON entry.ecosystem = probe.ecosystem AND entry.key = probe.key
           WHERE probe.ecosystem = ?1 AND probe.probe IN (SELECT value FROM json_each(?2))
           ORDER BY entry.key, probe.probe`,
      )
        .all(ecosystem, JSON.stringify(asked))
        .map((row) => ({
          probe: row.probe as string,
          entry: { name: row.name as string, key: row.key as string, rank: row.rank as number },
        })),
    );
  }

  squatTwoEditEntries(ecosystem: string): SquatEntryRow[] {
    return this.#read(() => {
      const row = this.#statement('SELECT entries FROM squat_two_edits WHERE ecosystem = ?').get(ecosystem) as
        | { entries: string }
        | undefined;
      const entries = row ? (JSON.parse(row.entries) as [string, string, number][]) : [];
      return entries.map(([key, name, rank]) => ({ name, key, rank }));
    });
  }

  squatMembers(list: string, keys: readonly string[]): { present: boolean; found: Set<string> } {
    return this.#read(() => {
      const present = this.#statement('SELECT 1 FROM squat_members WHERE list = ? LIMIT 1').get(list) !== undefined;
      const rows = this.#statement(
        'SELECT key FROM squat_members WHERE list = ? AND key IN (SELECT value FROM json_each(?))',
      ).all(list, JSON.stringify([...new Set(keys)])) as { key: string }[];
      return { present, found: new Set(rows.map((row) => row.key)) };
    });
  }

  popularity(source: string): { name: string; normalizedName: string; rank: number; downloads?: number }[] {
    return this.#read(() => {
      const rows = this.#statement(
        'SELECT rank, name, normalized_name, downloads FROM popularity WHERE source = ? ORDER BY rank',
      ).all(source) as { rank: number; name: string; normalized_name: string; downloads: number | null }[];
      return rows.map((row) => ({
        name: row.name,
        normalizedName: row.normalized_name,
        rank: row.rank,
        ...(row.downloads === null ? {} : { downloads: row.downloads }),
      }));
    });
  }

  feeds(): FeedMetadata[] {
    return this.#read(() =>
      (this.#statement('SELECT * FROM feeds ORDER BY name').all() as Row[]).map((row) => feedFromRow(row)),
    );
  }

  feed(name: FeedName): FeedMetadata | undefined {
    return this.#read(() => {
      const row = this.#statement('SELECT * FROM feeds WHERE name = ?').get(name) as Row | undefined;
      return row ? feedFromRow(row) : undefined;
    });
  }

  feedRecordCount(name: FeedName): number {
    return this.#read(() => {
      const row = this.#statement(
        `SELECT count(*) AS count FROM advisories
         WHERE feed = ?1
            OR (json_type(json, '$.merged') = 'array'
                AND EXISTS (SELECT 1 FROM json_each(json, '$.merged') WHERE json_extract(value, '$.feed') = ?1))`,
      ).get(name) as { count: number };
      return row.count;
    });
  }

  counts(): StoreCounts {
    return this.#read(() => {
      const row = this.#statement(
        `SELECT
           (SELECT count(*) FROM advisories) AS advisories,
           (SELECT count(*) FROM advisories WHERE kind = 'malicious') AS malicious,
           (SELECT count(*) FROM advisories WHERE withdrawn IS NOT NULL) AS withdrawn,
           (SELECT count(*) FROM kev) AS kev,
           (SELECT count(*) FROM name_map) AS nameMap,
           (SELECT count(*) FROM popularity) AS popularity,
           (SELECT count(*) FROM malicious_names) AS maliciousNames`,
      ).get() as Record<keyof StoreCounts, number>;
      return { ...row };
    });
  }

  holdings(): StoreHoldings {
    return this.#read(() => {
      // EXISTS on the (ecosystem, normalized_name) index: O(1) when the data is there, which is the common case.
      const has = (ecosystem: AffectedEcosystem, kind: AdvisoryKind): boolean =>
        (
          this.#statement(
            `SELECT EXISTS (SELECT 1 FROM affected JOIN advisories ON advisories.id = affected.advisory_id
               WHERE affected.ecosystem = ? AND advisories.kind = ? AND advisories.withdrawn IS NULL) AS found`,
          ).get(ecosystem, kind) as { found: number }
        ).found === 1;
      const any = (table: 'kev' | 'name_map' | 'malicious_names'): boolean =>
        (this.#statement(`SELECT EXISTS (SELECT 1 FROM ${table}) AS found`).get() as { found: number }).found === 1;
      const fed = (ecosystem: AffectedEcosystem): boolean => {
        const feed = isToolEcosystem(ecosystem) ? TOOL_ECOSYSTEM_FEEDS[ecosystem] : undefined;
        return feed !== undefined && this.#statement('SELECT 1 FROM feeds WHERE name = ?').get(feed) !== undefined;
      };
      const ecosystems = AFFECTED_ECOSYSTEMS;
      return {
        vulnerability: new Set(ecosystems.filter((ecosystem) => has(ecosystem, 'vulnerability') || fed(ecosystem))),
        malicious: new Set(ecosystems.filter((ecosystem) => has(ecosystem, 'malicious'))),
        maliciousNames: any('malicious_names'),
        kev: any('kev'),
        nameMap: any('name_map'),
      };
    });
  }

  integrityProblems(): string[] {
    try {
      const rows = this.#db.prepare('PRAGMA quick_check(10)').all() as { quick_check: string }[];
      return rows.map((row) => row.quick_check).filter((result) => result !== 'ok');
    } catch (error) {
      if (isCorruption(error)) return [error instanceof Error ? error.message : String(error)];
      throw error;
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

function kevFromRow(row: Row): KevEntry {
  const dueDate = text(row.due_date);
  const ransomware = text(row.ransomware);
  return {
    cveId: String(row.cve),
    vendorProject: String(row.vendor_project),
    product: String(row.product),
    vulnerabilityName: String(row.vulnerability_name),
    dateAdded: String(row.date_added),
    ...(dueDate === undefined ? {} : { dueDate }),
    ...(ransomware === undefined ? {} : { knownRansomwareCampaignUse: ransomware }),
    cwes: JSON.parse(String(row.cwes)) as string[],
  };
}

function feedFromRow(row: Row): FeedMetadata {
  const etag = text(row.etag);
  const lastModified = text(row.last_modified);
  const finalUrl = text(row.final_url);
  const state = text(row.state);
  return {
    name: String(row.name) as FeedName,
    url: String(row.url),
    fetchedAt: String(row.fetched_at),
    count: Number(row.count),
    checksum: String(row.checksum),
    ...(etag === undefined ? {} : { etag }),
    ...(lastModified === undefined ? {} : { lastModified }),
    ...(finalUrl === undefined ? {} : { finalUrl }),
    ...(state === undefined ? {} : { state }),
  };
}
