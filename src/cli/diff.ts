/** `cvebuild diff OLD NEW`: review a lock update, then run the checks on what it brings in. */
import { needsIntel, runAudit, selectChecks } from '../audit.ts';
import { diffInventories, newPackagesInventory } from '../diff/lock-diff.ts';
import { CvebuildError } from '../errors.ts';
import { DEFAULT_MAX_DB_AGE_MS } from '../intel/freshness.ts';
import { openIntelForAudit } from '../intel/open.ts';
import { readInventory } from '../inventory.ts';
import type { Severity } from '../model/finding.ts';
import { renderDiffJson, renderDiffMarkdown, renderDiffTable } from '../report/diff.ts';
import { parseDuration } from '../util/duration.ts';
import { type SettingsOptions, settingsFrom } from './audit.ts';

export interface DiffCommandOptions extends SettingsOptions {
  format: 'table' | 'json' | 'markdown';
  db?: string;
  checks?: string;
  failOn: Severity;
  maxDbAge?: string;
  offline?: boolean;
  now?: string;
}

export async function diffCommand(
  oldPath: string,
  newPath: string,
  options: DiffCommandOptions,
): Promise<{ text: string; exitCode: 0 | 1 }> {
  const before = readInventory(oldPath);
  const after = readInventory(newPath);
  const diff = diffInventories(before, after);
  const now = options.now ? new Date(options.now) : new Date();
  if (Number.isNaN(now.getTime()))
    throw new CvebuildError('USAGE', `--now: not a date: ${JSON.stringify(options.now)}`);
  const checkIds =
    options.checks === 'none'
      ? []
      : options.checks
          ?.split(',')
          .map((id) => id.trim())
          .filter(Boolean);
  let audit: Awaited<ReturnType<typeof runAudit>> | undefined;
  const fresh = newPackagesInventory(diff, after);
  if (checkIds === undefined || checkIds.length > 0) {
    const maxAgeMs = options.maxDbAge === undefined ? DEFAULT_MAX_DB_AGE_MS : parseDuration(options.maxDbAge);
    if (maxAgeMs === undefined)
      throw new CvebuildError('USAGE', `--max-db-age: not a duration: ${JSON.stringify(options.maxDbAge)}`);
    const intel = needsIntel(selectChecks(checkIds))
      ? await openIntelForAudit({ db: options.db, maxAgeMs, now })
      : undefined;
    try {
      audit = await runAudit(fresh, intel?.store, {
        failOn: options.failOn,
        checks: checkIds,
        now,
        offline: options.offline ?? false,
        settings: settingsFrom(options),
      });
    } finally {
      intel?.store.close();
    }
  }
  const render =
    options.format === 'json' ? renderDiffJson : options.format === 'markdown' ? renderDiffMarkdown : renderDiffTable;
  const failed = diff.redFlags > 0 || audit?.verdict.outcome === 'fail';
  return { text: render(diff, audit), exitCode: failed ? 1 : 0 };
}
