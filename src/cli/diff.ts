/** `cvebuild diff OLD NEW`: review a lock update, then run the checks on what it brings in. */

import { reviewLockUpdate } from '../diff/review.ts';
import { createEngine } from '../engine/engine.ts';
import { readInventory } from '../engine/read-project.ts';
import { openIntelStore } from '../intel/open.ts';
import type { Severity } from '../model/finding.ts';
import { renderDiffJson, renderDiffMarkdown, renderDiffTable } from '../report/diff.ts';
import { paintFor } from '../terminal/colour.ts';
import { checkList, commandPolicy, parseNow, type SettingsOptions } from './audit.ts';

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
  const now = options.now ? parseNow(options.now) : new Date();
  const checkIds = options.checks === 'none' ? [] : checkList(options.checks);
  // the policy of the project as it is after the update: its waivers and settings apply
  const policy = commandPolicy(newPath, options);
  const engine = createEngine({ intel: () => openIntelStore({ db: options.db }), clock: () => now });
  try {
    const review = await reviewLockUpdate(before, after, engine, {
      policy,
      checks: checkIds,
      offline: options.offline ?? false,
    });
    const text =
      options.format === 'json'
        ? renderDiffJson(review.diff, review.audit)
        : options.format === 'markdown'
          ? renderDiffMarkdown(review.diff, review.audit)
          : renderDiffTable(review.diff, review.audit, { paint: paintFor(process.stdout, process.env) });
    return { text, exitCode: review.outcome === 'fail' ? 1 : 0 };
  } finally {
    engine.close();
  }
}
