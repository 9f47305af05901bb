/**
 * Opening the store's SQLite file: refusing what is not a cvebuild store (DB_MISSING, DB_CORRUPT,
 * DB_SCHEMA, each with the fix), creating a new one, and migrating an older schema.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CvebuildError } from '../errors.ts';
import { readRegularHead } from '../fs/regular-file.ts';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './store-schema.ts';

export interface OpenStoreOptions {
  /** Create the file (and its directory) when it does not exist. */
  create?: boolean;
  readOnly?: boolean;
}

const MEMORY = ':memory:';

/** A connection on a cvebuild store of the current schema; `:memory:` gives a private in-memory one. */
export function openStoreDatabase(path: string, options: OpenStoreOptions = {}): { db: DatabaseSync; version: number } {
  const { create = false, readOnly = false } = options;
  if (path === MEMORY) return openAndPrepare(path, { create: true, readOnly: false });
  const exists = existsSync(path);
  if (!exists && (!create || readOnly)) throw missingStore(path);
  if (exists) checkFileLooksLikeSqlite(path, create && !readOnly);
  else {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new CvebuildError('DB_MISSING', `cannot create the store's directory (${errorCode(error)})`, {
        file: path,
      });
    }
  }
  return openAndPrepare(path, { create, readOnly });
}

const SQLITE_HEADER = 'SQLite format 3\u0000';
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;
const BUSY_TIMEOUT_MS = 5000;

const REIMPORT_HINT = 'delete it and re-import (`cvebuild db update` online, or `cvebuild db import FILES` offline)';

function missingStore(path: string): CvebuildError {
  return new CvebuildError(
    'DB_MISSING',
    `no threat-intel store at ${path}; run \`cvebuild db update\` (online) or \`cvebuild db import FILES\` (offline)`,
  );
}

export function corruptStore(path: string, reason: string): CvebuildError {
  return new CvebuildError('DB_CORRUPT', `not a usable threat-intel store (${reason}); ${REIMPORT_HINT}`, {
    file: path,
  });
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : String(error);
}

/** Refuses a non-SQLite file before SQLite sees it (SQLite would open it and fail on first read). */
function checkFileLooksLikeSqlite(path: string, mayInitialiseEmpty: boolean): void {
  let header: Buffer;
  try {
    header = readRegularHead(path, SQLITE_HEADER.length);
  } catch (error) {
    throw corruptStore(path, (error as Error).message);
  }
  if (header.length === 0 && mayInitialiseEmpty) return;
  if (header.length === 0) throw corruptStore(path, 'empty file');
  if (header.toString('latin1') !== SQLITE_HEADER) throw corruptStore(path, 'not an SQLite database');
}

function openDatabase(path: string, readOnly: boolean): DatabaseSync {
  try {
    const db = new DatabaseSync(path, { readOnly, timeout: BUSY_TIMEOUT_MS });
    // A larger page cache keeps the indexes in memory while an import rewrites them.
    if (!readOnly) db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;');
    return db;
  } catch (error) {
    throw sqliteError(path, error);
  }
}

/** Whether SQLite found the file damaged (or not a database at all). */
export function isCorruption(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return errcode === SQLITE_NOTADB || errcode === SQLITE_CORRUPT;
}

/** SQLite's errors as the user sees them: a damaged file is DB_CORRUPT with the fix. */
export function sqliteError(path: string, error: unknown): CvebuildError {
  if (error instanceof CvebuildError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isCorruption(error)) return corruptStore(path, message);
  return new CvebuildError('DB_CORRUPT', `cannot open the threat-intel store (${message})`, { file: path });
}

/** Opens a connection on a cvebuild store of a schema this code knows, migrating an older one. */
function openAndPrepare(
  path: string,
  { create, readOnly }: Required<OpenStoreOptions>,
): { db: DatabaseSync; version: number } {
  const db = openDatabase(path, readOnly);
  try {
    const version = checkedSchemaVersion(db, path, create);
    if (version === SCHEMA_VERSION) return { db, version };
    if (!readOnly) {
      migrate(db, version);
      return { db, version: SCHEMA_VERSION };
    }
  } catch (error) {
    db.close();
    throw sqliteError(path, error);
  }
  db.close();
  // A read-only caller still gets a current schema: migrate through a short-lived writable connection.
  openAndPrepare(path, { create, readOnly: false }).db.close();
  return openAndPrepare(path, { create, readOnly });
}

function checkedSchemaVersion(db: DatabaseSync, path: string, create: boolean): number {
  const version = pragmaNumber(db, 'user_version');
  if (version > SCHEMA_VERSION) {
    throw new CvebuildError(
      'DB_SCHEMA',
      `the threat-intel store has schema version ${version}, newer than this cvebuild knows (${SCHEMA_VERSION}); upgrade cvebuild, or ${REIMPORT_HINT}`,
      { file: path },
    );
  }
  if (version === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (tables.n > 0) throw corruptStore(path, 'an SQLite database, but not a cvebuild store');
    if (!create) throw missingStore(path);
  } else if (pragmaNumber(db, 'application_id') !== APPLICATION_ID) {
    throw corruptStore(path, 'an SQLite database, but not a cvebuild store');
  }
  return version;
}

function pragmaNumber(db: DatabaseSync, pragma: string): number {
  const row = db.prepare(`PRAGMA ${pragma}`).get() as Record<string, unknown> | undefined;
  return Number(row?.[pragma] ?? 0);
}

function migrate(db: DatabaseSync, from: number): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    for (let version = from; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version] ?? '');
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}; PRAGMA application_id = ${APPLICATION_ID};`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
