/** `cvebuild audit [PATH]`: check every package against the threat-intel store. */
import { runAudit } from '../audit.ts';
import { CvebuildError } from '../errors.ts';
import { DEFAULT_MAX_DB_AGE_MS } from '../intel/freshness.ts';
import { openIntelForAudit } from '../intel/open.ts';
import { filterInventory, readInventory } from '../inventory.ts';
import type { Severity } from '../model/finding.ts';
import { renderAuditJson } from '../report/audit-json.ts';
import { renderAuditTable } from '../report/audit-table.ts';
import { parseDuration } from '../util/duration.ts';

export interface AuditCommandOptions {
  db?: string;
  env?: string;
  platform?: string;
  format: 'table' | 'json';
  failOn: Severity;
  maxDbAge?: string;
  checks?: string;
  /** For tests and reproducible runs: the time the audit considers "now" (ISO 8601). */
  now?: string;
}

export interface AuditCommandResult {
  text: string;
  exitCode: 0 | 1;
}

export async function auditCommand(path: string, options: AuditCommandOptions): Promise<AuditCommandResult> {
  const now = options.now ? parseNow(options.now) : new Date();
  const maxAgeText = options.maxDbAge ?? process.env.CVEBUILD_MAX_DB_AGE;
  const maxAgeMs = maxAgeText === undefined ? DEFAULT_MAX_DB_AGE_MS : parseDuration(maxAgeText);
  if (maxAgeMs === undefined)
    throw new CvebuildError('USAGE', `--max-db-age: not a duration: ${JSON.stringify(maxAgeText)} (use e.g. 48h, 7d)`);
  const inventory = filterInventory(readInventory(path), { environment: options.env, platform: options.platform });
  const { store, label } = await openIntelForAudit({ db: options.db, maxAgeMs, now });
  try {
    const checks = options.checks
      ?.split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    const result = runAudit(inventory, store, { failOn: options.failOn, checks, now });
    const text =
      options.format === 'json'
        ? renderAuditJson(result, store, label, now)
        : renderAuditTable(result, store, label, now);
    return { text, exitCode: result.verdict.outcome === 'fail' ? 1 : 0 };
  } finally {
    store.close();
  }
}

function parseNow(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new CvebuildError('USAGE', `--now: not a date: ${JSON.stringify(text)}`);
  return date;
}
