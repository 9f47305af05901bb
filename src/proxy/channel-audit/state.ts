/**
 * What earlier channel audits found, so a rerun audits only what is new: one SQLite file (node:sqlite)
 * holding, per (channel, subdir, file name, sha256), the advisories that affect the record and the
 * threat data they were found with. A record seen again under the same threat data is not audited
 * again; new threat data makes every record new. Each run stamps the records it saw, so the report
 * covers the channel as it is now (a record that left the channel drops out of it).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { CvebuildError } from '../../errors.ts';
import type { RecordFacts } from './records.ts';

const SCHEMA_VERSION = 1;

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
  readonly #known: StatementSync;
  readonly #insert: StatementSync;
  readonly #upsertName: StatementSync;
  readonly #upsertAdvisory: StatementSync;

  constructor(path: string) {
    this.path = path;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.#db = new DatabaseSync(path);
      this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
      this.#db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS runs (channel TEXT PRIMARY KEY, run INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS records (
          channel TEXT NOT NULL, subdir TEXT NOT NULL, filename TEXT NOT NULL, sha256 TEXT NOT NULL,
          name TEXT NOT NULL, version TEXT NOT NULL, build TEXT NOT NULL, timestamp INTEGER NOT NULL,
          threat TEXT NOT NULL, hits TEXT, seen INTEGER NOT NULL,
          PRIMARY KEY (channel, subdir, filename, sha256)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS records_seen ON records (channel, seen, name);
        CREATE TABLE IF NOT EXISTS names (
          channel TEXT NOT NULL, name TEXT NOT NULL, threat TEXT NOT NULL, coverage TEXT NOT NULL,
          PRIMARY KEY (channel, name)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS advisories (
          threat TEXT NOT NULL, id TEXT NOT NULL, detail TEXT NOT NULL, PRIMARY KEY (threat, id)) WITHOUT ROWID;
      `);
      const version = this.#db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as
        | { value: string }
        | undefined;
      if (version === undefined)
        this.#db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
      else if (version.value !== String(SCHEMA_VERSION))
        throw new CvebuildError(
          'DB_SCHEMA',
          `channel-audit state has schema ${version.value}, this cvebuild writes ${SCHEMA_VERSION}; delete the file or pass another --state`,
          { file: path },
        );
    } catch (error) {
      if (error instanceof CvebuildError) throw error;
      throw new CvebuildError('DB_CORRUPT', `cannot open the channel-audit state: ${(error as Error).message}`, {
        file: path,
      });
    }
    // a record already audited under this threat data: stamped as seen, and not audited again
    this.#known = this.#db.prepare(
      'UPDATE records SET seen = ? WHERE channel = ? AND subdir = ? AND filename = ? AND sha256 = ? AND threat = ?',
    );
    this.#insert = this.#db.prepare(
      `INSERT OR REPLACE INTO records (channel, subdir, filename, sha256, name, version, build, timestamp, threat, hits, seen)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#upsertName = this.#db.prepare(
      'INSERT OR REPLACE INTO names (channel, name, threat, coverage) VALUES (?, ?, ?, ?)',
    );
    this.#upsertAdvisory = this.#db.prepare('INSERT OR IGNORE INTO advisories (threat, id, detail) VALUES (?, ?, ?)');
  }

  /** The next run's number for this channel (records seen in it carry it). */
  startRun(channel: string): number {
    const row = this.#db.prepare('SELECT run FROM runs WHERE channel = ?').get(channel) as { run: number } | undefined;
    const run = (row?.run ?? 0) + 1;
    this.#db.prepare('INSERT OR REPLACE INTO runs (channel, run) VALUES (?, ?)').run(channel, run);
    return run;
  }

  transaction<T>(fn: () => T): T {
    this.begin();
    try {
      const result = fn();
      this.commit();
      return result;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  /** For work that awaits between writes (records streaming in): the caller commits or rolls back. */
  begin(): void {
    this.#db.exec('BEGIN');
  }

  commit(): void {
    this.#db.exec('COMMIT');
  }

  rollback(): void {
    this.#db.exec('ROLLBACK');
  }

  /** Whether the record was audited under this threat data before (and, if so, marks it seen in `run`). */
  markKnown(channel: string, facts: RecordFacts, threat: string, run: number): boolean {
    return this.#known.run(run, channel, facts.subdir, facts.filename, facts.sha256, threat).changes > 0;
  }

  saveRecord(channel: string, facts: RecordFacts, threat: string, hits: readonly RecordHit[], run: number): void {
    this.#insert.run(
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
      run,
    );
  }

  saveName(channel: string, name: string, threat: string, coverage: NameCoverage): void {
    this.#upsertName.run(channel, name, threat, JSON.stringify(coverage));
  }

  saveAdvisory(threat: string, id: string, detail: unknown): void {
    this.#upsertAdvisory.run(threat, id, JSON.stringify(detail));
  }

  /** The coverage of a name as found under this threat data, if it was. */
  nameCoverage(channel: string, name: string, threat: string): NameCoverage | undefined {
    const row = this.#db
      .prepare('SELECT coverage FROM names WHERE channel = ? AND name = ? AND threat = ?')
      .get(channel, name, threat) as { coverage: string } | undefined;
    return row ? (JSON.parse(row.coverage) as NameCoverage) : undefined;
  }

  /** Every distinct name seen in the run, with its coverage (absent when never audited). */
  *namesSeen(channel: string, run: number, threat: string): Generator<{ name: string; coverage?: NameCoverage }> {
    const rows = this.#db
      .prepare(
        `SELECT r.name AS name, n.coverage AS coverage FROM (SELECT DISTINCT name FROM records WHERE channel = ? AND seen = ?) r
         LEFT JOIN names n ON n.channel = ? AND n.name = r.name AND n.threat = ? ORDER BY r.name`,
      )
      .iterate(channel, run, channel, threat) as Iterable<{ name: string; coverage: string | null }>;
    for (const row of rows)
      yield row.coverage ? { name: row.name, coverage: JSON.parse(row.coverage) as NameCoverage } : { name: row.name };
  }

  /** Records of the run that some advisory affects. */
  *affected(channel: string, run: number): Generator<StoredRecord> {
    const rows = this.#db
      .prepare(
        'SELECT subdir, filename, sha256, name, version, build, timestamp, hits FROM records WHERE channel = ? AND seen = ? AND hits IS NOT NULL ORDER BY name, subdir, filename',
      )
      .iterate(channel, run) as Iterable<RecordFacts & { hits: string }>;
    for (const row of rows) yield { ...row, hits: JSON.parse(row.hits) as RecordHit[] };
  }

  /** Every version of `name` seen in the run, and whether any of its records is affected. */
  versionsOf(channel: string, run: number, name: string): { version: string; affected: boolean }[] {
    const rows = this.#db
      .prepare(
        'SELECT version, MAX(hits IS NOT NULL) AS affected FROM records WHERE channel = ? AND seen = ? AND name = ? GROUP BY version',
      )
      .all(channel, run, name) as { version: string; affected: number }[];
    return rows.map((row) => ({ version: row.version, affected: row.affected === 1 }));
  }

  advisory(threat: string, id: string): unknown {
    const row = this.#db.prepare('SELECT detail FROM advisories WHERE threat = ? AND id = ?').get(threat, id) as
      | { detail: string }
      | undefined;
    return row ? JSON.parse(row.detail) : undefined;
  }

  /** Records of each subdir seen in the run. */
  seenCount(channel: string, run: number): number {
    const row = this.#db
      .prepare('SELECT COUNT(*) AS n FROM records WHERE channel = ? AND seen = ?')
      .get(channel, run) as {
      n: number;
    };
    return row.n;
  }

  close(): void {
    this.#db.close();
  }
}
