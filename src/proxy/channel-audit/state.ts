/**
 * What earlier channel audits found, so a rerun audits only what is new: one SQLite file (node:sqlite)
 * holding, per (channel, subdir, file name, sha256), the advisories that affect the record and the
 * threat data they were found with. A record seen again under the same threat data is not audited
 * again; new threat data makes every record new. The records a run sees are marked in memory, one
 * bit per stored row (56 KB for conda-forge's linux-64), not written back: the report covers the
 * channel as it is now (a record that left it drops out), and a rerun with nothing new writes nothing.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { CvebuildError } from '../../errors.ts';
import type { RecordFacts } from './records.ts';

export const SCHEMA_VERSION = 2;

/** One advisory affecting a record: its id, and the version the advisory's fixes lead to (if any). */
export type RecordHit = [id: string, safeVersion: string | null];

export interface StoredRecord extends RecordFacts {
  hits: RecordHit[];
}

export interface NameCoverage {
  /** How the engine mapped it (`product`, `name-map`, ...), or `['none']`. */
  kinds: string[];
  /** Why it maps to nothing (only for `none`). */
  reason?: string;
  /** What the engine said it could not check for this name (the store lacks a kind of data). */
  gaps: string[];
}

export class ChannelAuditState {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #lookup: StatementSync;
  readonly #insert: StatementSync;
  readonly #upsertName: StatementSync;
  readonly #upsertAdvisory: StatementSync;
  readonly #coverage: StatementSync;
  /** Row ids of the records this run saw. */
  #present = new Uint8Array(1 << 16);

  constructor(path: string) {
    this.path = path;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.#db = new DatabaseSync(path);
      // a page cache of fixed size (64 MiB): memory must not grow with the channel; the OS caches the rest
      this.#db.exec(
        'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -65536;',
      );
      const version = this.#db.prepare('PRAGMA user_version').get() as { user_version: number };
      const empty = (
        this.#db.prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }
      ).n;
      if (empty > 0 && version.user_version !== SCHEMA_VERSION)
        throw new CvebuildError(
          'DB_SCHEMA',
          `channel-audit state has schema ${version.user_version}, this cvebuild writes ${SCHEMA_VERSION}; delete the file or pass another --state`,
          { file: path },
        );
      this.#db.exec(`
        CREATE TABLE IF NOT EXISTS records (
          rid INTEGER PRIMARY KEY,
          channel TEXT NOT NULL, subdir TEXT NOT NULL, filename TEXT NOT NULL, sha256 TEXT NOT NULL,
          name TEXT NOT NULL, version TEXT NOT NULL, build TEXT NOT NULL, timestamp INTEGER NOT NULL,
          threat TEXT NOT NULL, hits TEXT);
        CREATE UNIQUE INDEX IF NOT EXISTS records_key ON records (channel, subdir, filename, sha256);
        CREATE INDEX IF NOT EXISTS records_name ON records (channel, name);
        CREATE INDEX IF NOT EXISTS records_affected ON records (channel, name) WHERE hits IS NOT NULL;
        CREATE TABLE IF NOT EXISTS names (
          channel TEXT NOT NULL, name TEXT NOT NULL, threat TEXT NOT NULL, coverage TEXT NOT NULL,
          PRIMARY KEY (channel, name)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS advisories (
          threat TEXT NOT NULL, id TEXT NOT NULL, detail TEXT NOT NULL, PRIMARY KEY (threat, id)) WITHOUT ROWID;
        PRAGMA user_version = ${SCHEMA_VERSION};
      `);
    } catch (error) {
      if (error instanceof CvebuildError) throw error;
      throw new CvebuildError('DB_CORRUPT', `cannot open the channel-audit state: ${(error as Error).message}`, {
        file: path,
      });
    }
    this.#lookup = this.#db.prepare(
      'SELECT rid, threat = ? AS current FROM records WHERE channel = ? AND subdir = ? AND filename = ? AND sha256 = ?',
    );
    this.#insert = this.#db.prepare(
      `INSERT OR REPLACE INTO records (channel, subdir, filename, sha256, name, version, build, timestamp, threat, hits)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#upsertName = this.#db.prepare(
      'INSERT OR REPLACE INTO names (channel, name, threat, coverage) VALUES (?, ?, ?, ?)',
    );
    this.#upsertAdvisory = this.#db.prepare('INSERT OR IGNORE INTO advisories (threat, id, detail) VALUES (?, ?, ?)');
    this.#coverage = this.#db.prepare('SELECT coverage FROM names WHERE channel = ? AND name = ? AND threat = ?');
  }

  /**
   * Reads and writes between `begin` and `commit` share one transaction: outside one, every lookup
   * takes and drops SQLite's file locks, which costs more than the lookup (10 µs against 2 µs).
   */
  begin(): void {
    this.#db.exec('BEGIN');
  }

  commit(): void {
    this.#db.exec('COMMIT');
  }

  rollback(): void {
    if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
  }

  /** Whether the record was audited under this threat data before; if so, it counts as seen in this run. */
  markKnown(channel: string, facts: RecordFacts, threat: string): boolean {
    const row = this.#lookup.get(threat, channel, facts.subdir, facts.filename, facts.sha256) as
      | { rid: number; current: number }
      | undefined;
    if (row?.current !== 1) return false;
    this.#see(row.rid);
    return true;
  }

  saveRecord(channel: string, facts: RecordFacts, threat: string, hits: readonly RecordHit[]): void {
    const { lastInsertRowid } = this.#insert.run(
      channel,
      facts.subdir,
      facts.filename,
      facts.sha256,
      facts.name,
      facts.version,
      facts.build,
      facts.timestamp,
      threat,
      hits.length > 0 ? JSON.stringify(hits) : null,
    );
    this.#see(Number(lastInsertRowid));
  }

  #see(rid: number): void {
    const byte = rid >>> 3;
    if (byte >= this.#present.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.#present.length * 2));
      grown.set(this.#present);
      this.#present = grown;
    }
    this.#present[byte] = (this.#present[byte] as number) | (1 << (rid & 7));
  }

  #seen(rid: number): boolean {
    return (((this.#present[rid >>> 3] ?? 0) >>> (rid & 7)) & 1) === 1;
  }

  saveName(channel: string, name: string, threat: string, coverage: NameCoverage): void {
    this.#upsertName.run(channel, name, threat, JSON.stringify(coverage));
  }

  saveAdvisory(threat: string, id: string, detail: unknown): void {
    this.#upsertAdvisory.run(threat, id, JSON.stringify(detail));
  }

  /** The coverage of a name as found under this threat data, if it was. */
  nameCoverage(channel: string, name: string, threat: string): NameCoverage | undefined {
    const row = this.#coverage.get(channel, name, threat) as { coverage: string } | undefined;
    return row ? (JSON.parse(row.coverage) as NameCoverage) : undefined;
  }

  /** Records seen in this run that some advisory affects, by name. */
  *affected(channel: string): Generator<StoredRecord> {
    const rows = this.#db
      .prepare(
        'SELECT rid, subdir, filename, sha256, name, version, build, timestamp, hits FROM records WHERE channel = ? AND hits IS NOT NULL ORDER BY name, subdir, filename',
      )
      .iterate(channel) as Iterable<RecordFacts & { rid: number; hits: string }>;
    for (const { rid, hits, ...facts } of rows) {
      if (this.#seen(rid)) yield { ...facts, hits: JSON.parse(hits) as RecordHit[] };
    }
  }

  /** Every version of `name` seen in this run, and whether any of its records is affected. */
  versionsOf(channel: string, name: string): { version: string; affected: boolean }[] {
    const rows = this.#db
      .prepare('SELECT rid, version, hits IS NOT NULL AS affected FROM records WHERE channel = ? AND name = ?')
      .all(channel, name) as { rid: number; version: string; affected: number }[];
    const versions = new Map<string, boolean>();
    for (const row of rows) {
      if (this.#seen(row.rid)) versions.set(row.version, (versions.get(row.version) ?? false) || row.affected === 1);
    }
    return [...versions].map(([version, affected]) => ({ version, affected }));
  }

  advisory(threat: string, id: string): unknown {
    const row = this.#db.prepare('SELECT detail FROM advisories WHERE threat = ? AND id = ?').get(threat, id) as
      | { detail: string }
      | undefined;
    return row ? JSON.parse(row.detail) : undefined;
  }

  close(): void {
    this.#db.close();
  }
}
