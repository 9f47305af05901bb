/**
 * The proxy's state in one SQLite file, for a single node: the quarantine list, the audit log and
 * the revision counter. Every write commits with `synchronous = FULL` (the WAL is fsynced at each
 * commit), so a write whose promise resolved survives `kill -9` and power loss alike.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { CvebuildError } from '../../errors.ts';
import { readRegularHead } from '../../fs/regular-file.ts';
import type { AuditEvent, ProxyState, QuarantineEntry, QuarantineRecord, QuarantineTarget } from '../types.ts';
import {
  auditEventFromRow,
  isoInstant,
  listLimit,
  newEntry,
  quarantineAudit,
  recordFromRow,
  releaseAudit,
  storedText,
} from './records.ts';

/** `cvpx` in the file header: tells this store's files apart from the threat-intel store's. */
const APPLICATION_ID = 0x63767078;
const SCHEMA_VERSION = 1;
const BUSY_TIMEOUT_MS = 5000;
const SQLITE_HEADER = 'SQLite format 3\u0000';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS quarantine (
  id TEXT PRIMARY KEY,
  ecosystem TEXT NOT NULL,
  upstream TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT,
  file TEXT,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  released_at TEXT,
  released_by TEXT,
  release_reason TEXT
);
CREATE INDEX IF NOT EXISTS quarantine_open ON quarantine (released_at, expires_at);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  ecosystem TEXT,
  upstream TEXT,
  name TEXT,
  version TEXT,
  file TEXT,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_action ON audit (action, seq);
CREATE TABLE IF NOT EXISTS revision (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  value INTEGER NOT NULL
);
INSERT OR IGNORE INTO revision (one, value) VALUES (1, 0);
`;

/** Opens (creating when absent) the state file at `path`; `:memory:` gives a private one for tests. */
export function openSqliteState(path: string): ProxyState {
  if (path !== ':memory:') prepareFile(path);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw unavailable(path, error);
  }
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    initialise(db, path);
  } catch (error) {
    db.close();
    throw unavailable(path, error);
  }
  return new SqliteState(db);
}

function prepareFile(path: string): void {
  if (!existsSync(path)) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw unavailable(path, error);
    }
    return;
  }
  let header: Buffer;
  try {
    header = readRegularHead(path, SQLITE_HEADER.length);
  } catch (error) {
    throw unavailable(path, error);
  }
  if (header.length > 0 && header.toString('latin1') !== SQLITE_HEADER) {
    throw unavailable(path, 'not an SQLite database');
  }
}

function initialise(db: DatabaseSync, path: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const applicationId = pragmaNumber(db, 'application_id');
    const version = pragmaNumber(db, 'user_version');
    if (applicationId === 0) {
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
      if (tables.n > 0) throw unavailable(path, 'an SQLite database, but not a cvebuild proxy state');
    } else if (applicationId !== APPLICATION_ID) {
      throw unavailable(path, 'an SQLite database, but not a cvebuild proxy state');
    } else if (version > SCHEMA_VERSION) {
      throw unavailable(path, `schema version ${version} is newer than this cvebuild knows (${SCHEMA_VERSION})`);
    }
    db.exec(SCHEMA);
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${SCHEMA_VERSION};`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

function pragmaNumber(db: DatabaseSync, pragma: string): number {
  const row = db.prepare(`PRAGMA ${pragma}`).get() as Record<string, unknown> | undefined;
  return Number(row?.[pragma] ?? 0);
}

function unavailable(path: string, cause: unknown): CvebuildError {
  if (cause instanceof CvebuildError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CvebuildError('STATE_UNAVAILABLE', `cannot open the proxy's state (${reason})`, { file: path });
}

type Row = Record<string, unknown>;

const ENTRY_COLUMNS =
  'id, ecosystem, upstream, name, version, file, reason, created_by, created_at, expires_at, released_at, released_by, release_reason';

class SqliteState implements ProxyState {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  async active(now: Date): Promise<QuarantineEntry[]> {
    const rows = this.#db
      .prepare(
        `SELECT ${ENTRY_COLUMNS} FROM quarantine
         WHERE released_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at, rowid`,
      )
      .all(isoInstant(now, 'now')) as Row[];
    return rows.map((row) => recordFromRow(row));
  }

  async history(query: { limit?: number }): Promise<QuarantineRecord[]> {
    const rows = this.#db
      .prepare(`SELECT ${ENTRY_COLUMNS} FROM quarantine ORDER BY created_at DESC, rowid DESC LIMIT ?`)
      .all(listLimit(query.limit)) as Row[];
    return rows.map((row) => recordFromRow(row));
  }

  async revision(): Promise<number> {
    const row = this.#db.prepare('SELECT value FROM revision WHERE one = 1').get() as { value: number };
    return Number(row.value);
  }

  async quarantine(
    target: QuarantineTarget,
    meta: { reason: string; by: string; expiresAt?: string },
    now: Date,
  ): Promise<QuarantineEntry> {
    const entry = newEntry(target, meta, now);
    this.#transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO quarantine (id, ecosystem, upstream, name, version, file, reason, created_by, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          entry.id,
          entry.ecosystem,
          entry.upstream,
          entry.name,
          entry.version ?? null,
          entry.file ?? null,
          entry.reason,
          entry.by,
          entry.createdAt,
          entry.expiresAt ?? null,
        );
      this.#insertAudit(quarantineAudit(entry));
      this.#bumpRevision();
    });
    return entry;
  }

  async release(id: string, meta: { reason: string; by: string }, now: Date): Promise<boolean> {
    const at = isoInstant(now, 'now');
    return this.#transaction(() => {
      const row = this.#db
        .prepare(
          `SELECT ${ENTRY_COLUMNS} FROM quarantine
           WHERE id = ? AND released_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
        )
        .get(id, at) as Row | undefined;
      if (!row) return false;
      this.#db
        .prepare('UPDATE quarantine SET released_at = ?, released_by = ?, release_reason = ? WHERE id = ?')
        .run(at, meta.by, meta.reason, id);
      this.#insertAudit(releaseAudit(recordFromRow(row), meta, at));
      this.#bumpRevision();
      return true;
    });
  }

  async audit(event: AuditEvent): Promise<void> {
    this.#transaction(() => this.#insertAudit(event));
  }

  async auditLog(query: { since?: string; action?: string; limit?: number }): Promise<AuditEvent[]> {
    const where: string[] = [];
    const values: SQLInputValue[] = [];
    if (query.since !== undefined) {
      where.push('at >= ?');
      values.push(isoInstant(query.since, 'since'));
    }
    if (query.action !== undefined) {
      where.push('action = ?');
      values.push(query.action);
    }
    values.push(listLimit(query.limit));
    const rows = this.#db
      .prepare(
        `SELECT at, action, actor, ecosystem, upstream, name, version, file, detail FROM audit
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...values) as Row[];
    return rows.map(sqliteAuditEvent);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  #insertAudit(event: AuditEvent): void {
    this.#db
      .prepare(
        `INSERT INTO audit (at, action, actor, ecosystem, upstream, name, version, file, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        isoInstant(event.at, 'at'),
        event.action,
        event.actor,
        event.ecosystem ?? null,
        event.upstream ?? null,
        event.name ?? null,
        event.version ?? null,
        event.file ?? null,
        event.detail !== undefined ? JSON.stringify(event.detail) : null,
      );
  }

  #bumpRevision(): void {
    this.#db.prepare('UPDATE revision SET value = value + 1 WHERE one = 1').run();
  }

  /** One IMMEDIATE transaction: it takes the write lock up front, so two writers queue instead of deadlocking. */
  #transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}

function sqliteAuditEvent(row: Row): AuditEvent {
  return auditEventFromRow(row, storedText, (value) => {
    const text = storedText(value);
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  });
}
