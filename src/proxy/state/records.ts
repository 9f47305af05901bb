/**
 * What both state stores do the same way: entry ids, normalized targets and instants, the audit
 * lines a quarantine and a release write, and the bounds on listing queries.
 */
import { randomBytes } from 'node:crypto';
import { CvebuildError } from '../../errors.ts';
import { normalizeName } from '../../model/package.ts';
import type { AuditEvent, QuarantineEntry, QuarantineTarget } from '../types.ts';

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
