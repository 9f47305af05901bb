/**
 * The proxy's state in PostgreSQL, shared by several nodes: the quarantine list, the audit log and
 * one revision counter every node polls. A write resolves after COMMIT, which PostgreSQL makes
 * durable (`synchronous_commit = on`, its default); an entry, its audit line and the revision bump
 * are one transaction.
 */
import pg from 'pg';
import { CvebuildError } from '../../errors.ts';
import { maskCredentials } from '../../text/credentials.ts';
import type { AuditEvent, ProxyState, QuarantineEntry, QuarantineRecord, QuarantineTarget } from '../types.ts';
import {
  auditEventFromRow,
  isoInstant,
  listLimit,
  newEntry,
  quarantineAudit,
  recordFromRow,
  releaseAudit,
} from './records.ts';

/** The key of the advisory lock nodes take to create the schema one at a time (`cvpx` as a number). */
const SCHEMA_LOCK = 0x63767078;
const SCHEMA_VERSION = 1;
const CONNECT_TIMEOUT_MS = 5000;
const QUERY_TIMEOUT_MS = 15_000;
const POOL_SIZE = 4;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cvebuild_proxy_quarantine (
  id text PRIMARY KEY,
  ecosystem text NOT NULL,
  upstream text NOT NULL,
  name text NOT NULL,
  version text,
  file text,
  reason text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  released_at timestamptz,
  released_by text,
  release_reason text,
  seq bigserial NOT NULL
);
CREATE INDEX IF NOT EXISTS cvebuild_proxy_quarantine_open ON cvebuild_proxy_quarantine (released_at, expires_at);
CREATE TABLE IF NOT EXISTS cvebuild_proxy_audit (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  action text NOT NULL,
  actor text NOT NULL,
  ecosystem text,
  upstream text,
  name text,
  version text,
  file text,
  detail jsonb
);
CREATE INDEX IF NOT EXISTS cvebuild_proxy_audit_action ON cvebuild_proxy_audit (action, seq);
CREATE TABLE IF NOT EXISTS cvebuild_proxy_meta (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  schema_version integer NOT NULL,
  revision bigint NOT NULL
);
INSERT INTO cvebuild_proxy_meta (one, schema_version, revision) VALUES (true, ${SCHEMA_VERSION}, 0)
  ON CONFLICT (one) DO NOTHING;
`;

const ENTRY_COLUMNS =
  'id, ecosystem, upstream, name, version, file, reason, created_by, created_at, expires_at, released_at, released_by, release_reason';

/** Connects to the database at `url` (`postgres://user[:password]@host:port/db`; else `PGPASSWORD`) and creates the schema. */
export async function openPostgresState(url: string): Promise<ProxyState> {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new CvebuildError('USAGE', 'expected a postgres:// or postgresql:// URL', { file: url });
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: 'cvebuild-proxy',
  });
  // An idle connection the server drops emits here; without a listener it would crash the node.
  // The next query gets a fresh connection (or fails, which the caller sees).
  pool.on('error', () => {});
  try {
    await createSchema(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw unavailable(url, error);
  }
  return new PostgresState(pool);
}

async function createSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Two nodes starting together would race on CREATE TABLE IF NOT EXISTS (a duplicate-type error).
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(SCHEMA);
    const { rows } = await client.query('SELECT schema_version FROM cvebuild_proxy_meta');
    const version = Number(rows[0]?.schema_version);
    if (version > SCHEMA_VERSION) {
      throw new Error(`schema version ${version} is newer than this cvebuild knows (${SCHEMA_VERSION})`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export function unavailable(url: string, cause: unknown): CvebuildError {
  if (cause instanceof CvebuildError) return cause;
  const reason = cause instanceof Error ? cause.message || errorCode(cause) : String(cause);
  return new CvebuildError('STATE_UNAVAILABLE', `cannot open the proxy's state (${maskCredentials(reason)})`, {
    file: maskCredentials(url),
  });
}

function errorCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  // An AggregateError (every address refused) has an empty message but a code.
  return typeof code === 'string' ? code : error.name;
}

type Row = Record<string, unknown>;

class PostgresState implements ProxyState {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async active(now: Date): Promise<QuarantineEntry[]> {
    const { rows } = await this.#pool.query(
      `SELECT ${ENTRY_COLUMNS} FROM cvebuild_proxy_quarantine
       WHERE released_at IS NULL AND (expires_at IS NULL OR expires_at > $1) ORDER BY created_at, seq`,
      [now],
    );
    return rows.map((row) => recordFromRow(row, instant));
  }

  async history(query: { limit?: number }): Promise<QuarantineRecord[]> {
    const { rows } = await this.#pool.query(
      `SELECT ${ENTRY_COLUMNS} FROM cvebuild_proxy_quarantine ORDER BY created_at DESC, seq DESC LIMIT $1`,
      [listLimit(query.limit)],
    );
    return rows.map((row) => recordFromRow(row, instant));
  }

  async revision(): Promise<number> {
    const { rows } = await this.#pool.query('SELECT revision FROM cvebuild_proxy_meta');
    return Number(rows[0]?.revision);
  }

  async quarantine(
    target: QuarantineTarget,
    meta: { reason: string; by: string; expiresAt?: string },
    now: Date,
  ): Promise<QuarantineEntry> {
    const entry = newEntry(target, meta, now);
    await this.#transaction(async (client) => {
      await client.query(
        `INSERT INTO cvebuild_proxy_quarantine
           (id, ecosystem, upstream, name, version, file, reason, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
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
        ],
      );
      await insertAudit(client, quarantineAudit(entry));
      await bumpRevision(client);
    });
    return entry;
  }

  async release(id: string, meta: { reason: string; by: string }, now: Date): Promise<boolean> {
    const at = isoInstant(now, 'now');
    return this.#transaction(async (client) => {
      const { rows } = await client.query(
        `UPDATE cvebuild_proxy_quarantine SET released_at = $2, released_by = $3, release_reason = $4
         WHERE id = $1 AND released_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
         RETURNING ${ENTRY_COLUMNS}`,
        [id, at, meta.by, meta.reason],
      );
      const row = rows[0] as Row | undefined;
      if (!row) return false;
      await insertAudit(client, releaseAudit(recordFromRow(row, instant), meta, at));
      await bumpRevision(client);
      return true;
    });
  }

  async audit(event: AuditEvent): Promise<void> {
    await insertAudit(this.#pool, event);
  }

  async auditLog(query: { since?: string; action?: string; limit?: number }): Promise<AuditEvent[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.since !== undefined) {
      values.push(isoInstant(query.since, 'since'));
      where.push(`at >= $${values.length}`);
    }
    if (query.action !== undefined) {
      values.push(query.action);
      where.push(`action = $${values.length}`);
    }
    values.push(listLimit(query.limit));
    const { rows } = await this.#pool.query(
      `SELECT at, action, actor, ecosystem, upstream, name, version, file, detail FROM cvebuild_proxy_audit
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${values.length}`,
      values,
    );
    return rows.map(postgresAuditEvent);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

async function insertAudit(db: pg.Pool | pg.PoolClient, event: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO cvebuild_proxy_audit (at, action, actor, ecosystem, upstream, name, version, file, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      isoInstant(event.at, 'at'),
      event.action,
      event.actor,
      event.ecosystem ?? null,
      event.upstream ?? null,
      event.name ?? null,
      event.version ?? null,
      event.file ?? null,
      event.detail !== undefined ? JSON.stringify(event.detail) : null,
    ],
  );
}

async function bumpRevision(client: pg.PoolClient): Promise<void> {
  await client.query('UPDATE cvebuild_proxy_meta SET revision = revision + 1');
}

function instant(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value.toISOString() : isoInstant(String(value), 'stored time');
}

function postgresAuditEvent(row: Row): AuditEvent {
  return auditEventFromRow(row, instant, (value) =>
    value === null || value === undefined ? undefined : (value as Record<string, unknown>),
  );
}
