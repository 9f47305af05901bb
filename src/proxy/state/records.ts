/**
 * What both state stores do the same way: entry ids, normalized targets and instants, the audit
 * lines a quarantine and a release write, and the bounds on listing queries.
 */
import { randomBytes } from 'node:crypto';
import { CvebuildError } from '../../errors.ts';
import type { Ecosystem } from '../../model/package.ts';
import { normalizeName } from '../../model/package.ts';
import type { AuditEvent, QuarantineEntry, QuarantineRecord, QuarantineTarget } from '../types.ts';

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** 16 URL-safe characters (96 random bits): safe in a path segment, never guessable. */
export function newEntryId(): string {
  return randomBytes(12).toString('base64url');
}

/** A new entry: a fresh id, the target normalized, times in the one stored form. */
export function newEntry(
  target: QuarantineTarget,
  meta: { reason: string; by: string; expiresAt?: string },
  now: Date,
): QuarantineEntry {
  return {
    id: newEntryId(),
    ...normalizedTarget(target),
    reason: meta.reason,
    by: meta.by,
    createdAt: isoInstant(now, 'now'),
    ...(meta.expiresAt !== undefined ? { expiresAt: isoInstant(meta.expiresAt, 'expires') } : {}),
  };
}

export function normalizedTarget(target: QuarantineTarget): QuarantineTarget {
  return {
    ecosystem: target.ecosystem,
    upstream: target.upstream,
    name: normalizeName(target.ecosystem, target.name),
    ...(target.version !== undefined ? { version: target.version } : {}),
    ...(target.file !== undefined ? { file: target.file } : {}),
  };
}

/**
 * An instant as `YYYY-MM-DDTHH:MM:SS.sssZ`: every stored time has this one form, so SQLite can
 * compare them as text and both stores answer with the same strings.
 */
export function isoInstant(value: string | Date, what: string): string {
  const time = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (!Number.isFinite(time)) throw new CvebuildError('USAGE', `${what}: not a date and time: ${String(value)}`);
  const iso = new Date(time).toISOString();
  if (!/^\d{4}-/.test(iso)) throw new CvebuildError('USAGE', `${what}: out of range: ${String(value)}`);
  return iso;
}

export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.trunc(limit)));
}

export function quarantineAudit(entry: QuarantineEntry): AuditEvent {
  return {
    at: entry.createdAt,
    action: 'quarantine',
    actor: entry.by,
    ...targetFields(entry),
    detail: { id: entry.id, reason: entry.reason, ...(entry.expiresAt ? { expiresAt: entry.expiresAt } : {}) },
  };
}

export function releaseAudit(entry: QuarantineEntry, meta: { reason: string; by: string }, at: string): AuditEvent {
  return {
    at,
    action: 'release',
    actor: meta.by,
    ...targetFields(entry),
    detail: { id: entry.id, reason: meta.reason },
  };
}

function targetFields(target: QuarantineTarget): QuarantineTarget {
  return {
    ecosystem: target.ecosystem,
    upstream: target.upstream,
    name: target.name,
    ...(target.version !== undefined ? { version: target.version } : {}),
    ...(target.file !== undefined ? { file: target.file } : {}),
  };
}

/** A row as a database driver returns it. */
export type StoredRow = Record<string, unknown>;

/** A nullable column as text. */
export function storedText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** A stored entry; `time` reads a time column as the store keeps it (SQLite: text; PostgreSQL: a Date). */
export function recordFromRow(
  row: StoredRow,
  time: (value: unknown) => string | undefined = storedText,
): QuarantineRecord {
  const record: QuarantineRecord = {
    id: String(row.id),
    ecosystem: String(row.ecosystem) as Ecosystem,
    upstream: String(row.upstream),
    name: String(row.name),
    reason: String(row.reason),
    by: String(row.created_by),
    createdAt: time(row.created_at) ?? '',
  };
  const optional: [key: 'version' | 'file' | 'releasedBy' | 'releaseReason', value: string | undefined][] = [
    ['version', storedText(row.version)],
    ['file', storedText(row.file)],
    ['releasedBy', storedText(row.released_by)],
    ['releaseReason', storedText(row.release_reason)],
  ];
  for (const [key, value] of optional) if (value !== undefined) record[key] = value;
  const expiresAt = time(row.expires_at);
  if (expiresAt !== undefined) record.expiresAt = expiresAt;
  const releasedAt = time(row.released_at);
  if (releasedAt !== undefined) record.releasedAt = releasedAt;
  return record;
}

/** A stored audit line; `detail` reads the detail column (SQLite: JSON text; PostgreSQL: jsonb, parsed). */
export function auditEventFromRow(
  row: StoredRow,
  time: (value: unknown) => string | undefined,
  detail: (value: unknown) => Record<string, unknown> | undefined,
): AuditEvent {
  const event: AuditEvent = { at: time(row.at) ?? '', action: String(row.action), actor: String(row.actor) };
  const ecosystem = storedText(row.ecosystem);
  if (ecosystem !== undefined) event.ecosystem = ecosystem as Ecosystem;
  for (const key of ['upstream', 'name', 'version', 'file'] as const) {
    const value = storedText(row[key]);
    if (value !== undefined) event[key] = value;
  }
  const parsed = detail(row.detail);
  if (parsed !== undefined) event.detail = parsed;
  return event;
}
