/** `cvebuild diff OLD NEW`: review a lock update, then run the checks on what it brings in. */

import { diffInventories, newPackagesInventory } from '../diff/lock-diff.ts';
import { readInventory } from '../engine/read-project.ts';
import { needsIntel, runAudit, selectChecks } from '../engine/run-checks.ts';
import { openIntelForAudit } from '../intel/open.ts';
import type { Severity } from '../model/finding.ts';
import { loadPolicy } from '../policy/load.ts';
import { renderDiffJson, renderDiffMarkdown, renderDiffTable } from '../report/diff.ts';
import { checkList, parseNow, policyWithFlags, type SettingsOptions } from './audit.ts';

export interface DiffCommandOptions extends SettingsOptions {
  format: 'table' | 'json' | 'markdown';
  db?: string;
  checks?: string;
  failOn?: Severity;
  maxDbAge?: string;
  policy?: string;
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
  const now = options.now ? parseNow(options.now) : new Date();
  const checkIds = options.checks === 'none' ? [] : checkList(options.checks);
  // the policy of the project as it is after the update: its waivers and settings apply
  const policy = policyWithFlags(loadPolicy(newPath, options.policy), options);
  let audit: Awaited<ReturnType<typeof runAudit>> | undefined;
  const fresh = newPackagesInventory(diff, after);
  if (checkIds === undefined || checkIds.length > 0) {
    const intel = needsIntel(selectChecks(checkIds, policy))
      ? await openIntelForAudit({ db: options.db, maxAgeMs: policy.maxDbAgeMs, now })
      : undefined;
    try {
      audit = await runAudit(fresh, intel?.store, { policy, checks: checkIds, now, offline: options.offline ?? false });
    } finally {
      intel?.store.close();
    }
  }
  const render =
    options.format === 'json' ? renderDiffJson : options.format === 'markdown' ? renderDiffMarkdown : renderDiffTable;
  const failed = diff.redFlags > 0 || audit?.verdict.outcome === 'fail';
  return { text: render(diff, audit), exitCode: failed ? 1 : 0 };
}
