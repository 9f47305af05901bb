/** `cvebuild audit [PATH]`: check every package against the threat-intel store. */
import { needsIntel, runAudit, selectChecks } from '../audit.ts';
import { type CheckSettings, defaultCheckSettings } from '../checks/check.ts';
import { CvebuildError } from '../errors.ts';
import { DEFAULT_MAX_DB_AGE_MS } from '../intel/freshness.ts';
import { openIntelForAudit } from '../intel/open.ts';
import { filterInventory, readInventory } from '../inventory.ts';
import type { Severity } from '../model/finding.ts';
import { renderAuditJson } from '../report/audit-json.ts';
import { renderAuditTable } from '../report/audit-table.ts';
import { parseDuration } from '../util/duration.ts';

/** Flags that fill CheckSettings (shared by `audit` and `diff`). */
export interface SettingsOptions {
  cooldown?: string;
  cooldownUnknownTimestamp?: 'warn' | 'fail' | 'ignore';
  allowName?: string[];
  privateSource?: string[];
  privateName?: string[];
  packages?: string[];
}

export interface AuditCommandOptions extends SettingsOptions {
  db?: string;
  env?: string;
  platform?: string;
  format: 'table' | 'json';
  failOn: Severity;
  maxDbAge?: string;
  checks?: string;
  /** For tests and reproducible runs: the time the audit considers "now" (ISO 8601). */
  now?: string;
  offline?: boolean;
}

/** The check settings the audit and diff flags give. */
export function settingsFrom(options: SettingsOptions): CheckSettings {
  const settings = defaultCheckSettings();
  if (options.cooldown !== undefined) settings.cooldown = options.cooldown;
  if (options.cooldownUnknownTimestamp) settings.cooldownUnknownTimestamp = options.cooldownUnknownTimestamp;
  settings.typosquatAllow = options.allowName ?? [];
  settings.privateSources = options.privateSource ?? [];
  settings.privateNames = options.privateName ?? [];
  settings.packageDirs = options.packages ?? [];
  return settings;
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
  const checkIds = options.checks
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const intel = needsIntel(selectChecks(checkIds))
    ? await openIntelForAudit({ db: options.db, maxAgeMs, now })
    : undefined;
  try {
    const result = await runAudit(inventory, intel?.store, {
      failOn: options.failOn,
      checks: checkIds,
      now,
      offline: options.offline ?? false,
      settings: settingsFrom(options),
    });
    const text = options.format === 'json' ? renderAuditJson(result, intel, now) : renderAuditTable(result, intel, now);
    return { text, exitCode: result.verdict.outcome === 'fail' ? 1 : 0 };
  } finally {
    intel?.store.close();
  }
}

function parseNow(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new CvebuildError('USAGE', `--now: not a date: ${JSON.stringify(text)}`);
  return date;
}
